"""The Kamailio configuration for the front door, generated from Settings (one source of truth).

Pure text: `render(settings, plan, folder, control)` returns the main script, the dispatcher list and,
with TLS, Kamailio's tls.cfg. Nothing here runs Kamailio (install.py checks and installs).

What the script does with a request, in order:
1. From a worker (dispatcher list): in-dialog requests it sends to callers; no admission.
2. Admission: a source outside sip.allow gets 403 and its TCP/TLS connection is closed; a source
   sending more than frontdoor.pike_requests per pike_window_s is dropped (pike).
3. Sanity: a malformed request gets 400 here and never reaches a worker.
4. SDES-SRTP keys (a=crypto) arrive only over TLS: over UDP/TCP they would be readable on the
   wire, so such an offer gets 488.
5. Digest, when sip.digest_user is set.
6. A new INVITE goes to a worker (round robin); a worker that answers 503 (full or draining) or
   does not answer is skipped for the next; a worker that does not answer is also marked down
   until its OPTIONS probe succeeds again (every frontdoor.probe_interval_s). When none has room:
   503 with Retry-After, or 302 to sip.overflow_extension.
7. Multi-box (frontdoor.peers): when no local worker has room, the call goes to another box's
   front door (set 2, probed like the workers); a call that came from a peer is never passed on
   to a peer again, so two boxes listing each other cannot bounce a call between them. A peer
   skips the allowlist and pike here: it is one of the site's boxes, which admitted the caller.
Record-Route keeps every in-dialog request on the front door: workers are loopback-only. A call
over TCP/TLS gets an alias on its Contact (nathelper), so the worker's BYE and REFER go back over
the caller's own connection, never a new one to a Contact a phone behind NAT cannot accept.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from appliance.config import Settings
from appliance.frontdoor.plan import WORKER_ADDRESS, Plan, peer_socket
from appliance.telephony.media_address import ARRIVAL_HEADER

SERVER_HEADER = "Wardline front door"
DISPATCH_SET = 1  # this box's workers
PEER_SET = 2  # other boxes' front doors (frontdoor.peers)
TRIED_PEERS_FLAG = 1  # transaction flag: this call has been offered to the peers already
# A worker answers an INVITE from its SIP thread, which shares the GIL with the call sessions it
# is starting: on a loaded box the first reply can take over a second. A worker silent for this
# long is skipped for the next one and marked down until a probe succeeds; a dead one is taken out
# at once by its supervisor (`wardline serve`) or its unit's ExecStopPost, not by this timer.
WORKER_ANSWER_MS = 4000
# Probes answered late once are not a dead worker (the same GIL); two missed in a row are.
PROBES_MISSED_BEFORE_DOWN = 2


@dataclass(frozen=True)
class Rendered:
    config: str  # kamailio.cfg
    dispatcher: str  # dispatcher.list
    tls: str | None  # tls.cfg, when sip.transports has tls


def _quote(text: str) -> str:
    """A Kamailio script string literal; refuse what cannot be one rather than escape it."""
    if any(c in text for c in '"\\\n\r'):
        raise ValueError(f"{text!r} cannot appear in the front door's configuration")
    return f'"{text}"'


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _listens(settings: Settings) -> list[str]:
    sip = settings.sip
    if sip.address in ("0.0.0.0", "::"):
        # No listen= lines: Kamailio binds each interface's address on its own, so Record-Route
        # and the media address name the one a call arrived on (a wildcard socket would name
        # 0.0.0.0). UDP always listens: the workers are reached over it.
        lines = [f"port={sip.port}"]
        if "tls" in sip.transports:
            lines.append(f"tls_port_no={sip.tls_port}")
        elif "tcp" not in sip.transports:
            lines.append("disable_tcp=yes")
        return lines
    host = _host(sip.address)
    lines = [f"listen={t}:{host}:{sip.port}" for t in sip.transports if t != "tls"]
    if "tls" in sip.transports:
        lines.append(f"listen=tls:{host}:{sip.tls_port}")
    if not ipaddress.ip_address(sip.address).is_loopback:
        # a socket on loopback to reach the workers from; Record-Route then names both sides
        lines.append(f"listen=udp:{WORKER_ADDRESS}:{sip.port}")
    return lines


def render(
    settings: Settings, plan: Plan, folder: Path, control: Path, *, log_to_stderr: bool = True
) -> Rendered:
    """The files of one generation in `folder` (they name each other there); `control` is the
    ctl socket that `kamcmd` and `wardline status` read the dispatcher's state through."""
    sip, door = settings.sip, settings.frontdoor
    tls = "tls" in sip.transports
    allow = ",".join(str(ipaddress.ip_network(n, strict=False)) for n in sip.allow)
    full_reply = (
        f'append_to_reply("Contact: <sip:{sip.overflow_extension}@{_host(sip.pbx_host)}>\\r\\n");\n'
        '\t\tsend_reply("302", "Moved Temporarily");'
        if sip.overflow_extension
        else f'append_to_reply("Retry-After: {sip.retry_after_s}\\r\\n");\n'
        '\t\tsend_reply("503", "Service Unavailable");'
    )
    digest = ""
    if sip.digest_user:
        realm, user, password = _quote(sip.digest_realm), _quote(sip.digest_user), _quote(sip.digest_password)
        digest = f"""
	if (is_method("INVITE") && !has_totag()) {{
		if (!pv_www_authenticate({realm}, {password}, "0") || $au != {user}) {{
			www_challenge({realm}, "0");
			exit;
		}}
		consume_credentials();
	}}"""
    modules = [
        "tm", "sl", "rr", "pv", "maxfwd", "textops", "siputils", "xlog", "sanity",
        "pike", "ipops", "dispatcher", "ctl", "kex", "corex", "tmx", "cfgutils", "nathelper", "tcpops",
    ]  # fmt: skip
    if sip.digest_user:
        modules.append("auth")
    if tls:
        modules.insert(0, "tls")
    loads = "\n".join(f'loadmodule "{m}.so"' for m in modules)
    tls_params = f'modparam("tls", "config", {_quote(str(folder / "tls.cfg"))})\n' if tls else ""
    # without peers there is no set 2: the script never names it (the dispatcher would complain)
    peers_first = (
        f"""
	# no local worker has room: another box, unless this call came from one or has been there
	if (!ds_is_from_list("{PEER_SET}") && !isflagset({TRIED_PEERS_FLAG})) {{
		setflag({TRIED_PEERS_FLAG});
		if (ds_select_dst("{PEER_SET}", "4")) {{
			xlog("L_INFO", "no local worker has room: offering the call to box $du\\n");
			t_on_failure("NEXT_WORKER");
			route(RELAY);
		}}
	}}"""
        if door.peers
        else ""
    )
    peer_admitted = (
        f"""	if (ds_is_from_list("{PEER_SET}")) {{
		return;
	}}
"""
        if door.peers
        else ""
    )
    config = f"""#!KAMAILIO
# Generated by `wardline` from wardline.toml ([sip], [frontdoor]); edits here are overwritten.
debug=1
log_stderror={"yes" if log_to_stderr else "no"}
log_facility=LOG_DAEMON
log_prefix="wardline-frontdoor: "
children=2
tcp_children=2
auto_aliases=no
server_header="Server: {SERVER_HEADER}"
user_agent_header="User-Agent: {SERVER_HEADER}"
sip_warning=0
dns=no
rev_dns=no
use_dns_cache=off
{chr(10).join(_listens(settings))}
tcp_connection_lifetime={door.tcp_idle_s}
tcp_max_connections={door.tcp_max_connections}
tls_max_connections={door.tcp_max_connections}
tcp_connect_timeout=2
tcp_accept_no_cl=yes
{"enable_tls=yes" if tls else "enable_tls=no"}

{loads}

modparam("ctl", "binrpc", {_quote("unix:" + str(control))})
{tls_params}modparam("tm", "fr_timer", 1500)
modparam("tm", "fr_inv_timer", 120000)
modparam("rr", "enable_full_lr", 0)
modparam("pike", "sampling_time_unit", {door.pike_window_s})
modparam("pike", "reqs_density_per_unit", {door.pike_requests})
modparam("pike", "remove_latency", {max(4, 2 * door.pike_window_s)})
modparam("dispatcher", "list_file", {_quote(str(folder / "dispatcher.list"))})
modparam("dispatcher", "flags", 2)
modparam("dispatcher", "ds_ping_method", "OPTIONS")
modparam("dispatcher", "ds_ping_from", "sip:frontdoor@{WORKER_ADDRESS}")
modparam("dispatcher", "ds_ping_interval", {door.probe_interval_s})
modparam("dispatcher", "ds_default_socket", "udp:{WORKER_ADDRESS}:{sip.port}")
modparam("dispatcher", "ds_probing_mode", 1)
modparam("dispatcher", "ds_probing_threshold", {PROBES_MISSED_BEFORE_DOWN})
modparam("dispatcher", "ds_inactive_threshold", 1)

request_route {{
	if (ds_is_from_list("{DISPATCH_SET}")) {{
		route(FROM_WORKER);
		exit;
	}}
	route(ADMIT);
	if (!mf_process_maxfwd_header("10")) {{
		sl_send_reply("483", "Too Many Hops");
		exit;
	}}
	if (!sanity_check("17895", "7")) {{
		xlog("L_NOTICE", "dropped a malformed request from $si\\n");
		exit;
	}}
	remove_hf("{ARRIVAL_HEADER}");
	if (has_totag()) {{
		route(IN_DIALOG);
		exit;
	}}
	if (is_method("CANCEL")) {{
		if (t_check_trans()) {{
			t_relay();
		}}
		exit;
	}}
	if (is_method("ACK")) {{
		if (t_check_trans()) {{
			t_relay();
		}}
		exit;
	}}
	t_check_trans();
	if (is_method("OPTIONS")) {{
		sl_send_reply("200", "OK");
		exit;
	}}
	if (!is_method("INVITE")) {{
		append_to_reply("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, UPDATE, INFO\\r\\n");
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}}
	route(SDES);{digest}
	route(ALIAS);
	record_route();
	append_hf("{ARRIVAL_HEADER}: $Ri\\r\\n");
	if (!ds_select_dst("{DISPATCH_SET}", "4")) {{
		route(NO_ROOM);
	}}
	t_set_fr(120000, {WORKER_ANSWER_MS});
	t_on_failure("NEXT_WORKER");
	route(RELAY);
}}

route[NO_ROOM] {{{peers_first}
	route(FULL);
}}

route[ADMIT] {{
{peer_admitted}	if (!is_in_subnet("$si", "{allow}")) {{
		xlog("L_WARN", "refused a request from $si: not in sip.allow\\n");
		if ($pr == "tcp" || $pr == "tls") {{
			set_reply_close();
		}}
		sl_send_reply("403", "Forbidden");
		exit;
	}}
	if (!pike_check_req()) {{
		xlog("L_WARN", "dropping requests from $si: over {door.pike_requests} in {door.pike_window_s} s\\n");
		exit;
	}}
	if ($pr == "tcp" || $pr == "tls") {{
		# an admitted source's connection carries calls that may send nothing for a session
		# interval; any other connection is closed after tcp_idle_s without a request
		tcp_set_connection_lifetime("{sip.session_expires_s + 60}");
	}}
}}

route[SDES] {{
	if ($pr != "tls" && has_body("application/sdp") && search_body("^a=crypto:")) {{
		xlog("L_WARN", "refused an SRTP offer from $si: SDES keys need TLS\\n");
		sl_send_reply("488", "SDES keys need TLS");
		exit;
	}}
}}

route[ALIAS] {{
	# over TCP/TLS the caller's Contact may name a port where nothing listens (a phone behind
	# NAT): the alias sends the worker's BYE and REFER back over this very connection. Every
	# Contact the caller sends (INVITE, NOTIFY, re-INVITE, their replies) gets it.
	if (($pr == "tcp" || $pr == "tls") && is_present_hf("Contact")) {{
		add_contact_alias();
	}}
}}

onreply_route {{
	route(ALIAS);
}}

route[IN_DIALOG] {{
	route(ALIAS);
	if (loose_route()) {{
		route(RELAY);
		exit;
	}}
	if (is_method("ACK")) {{
		if (t_check_trans()) {{
			t_relay();
		}}
		exit;
	}}
	sl_send_reply("404", "Not here");
}}

route[FROM_WORKER] {{
	if (has_totag() && loose_route()) {{
		if ($du == "") {{
			handle_ruri_alias();
		}}
		route(RELAY);
		exit;
	}}
	if (is_method("ACK") && t_check_trans()) {{
		t_relay();
		exit;
	}}
	sl_send_reply("403", "Forbidden");
}}

route[RELAY] {{
	if (!t_relay()) {{
		sl_reply_error();
	}}
	exit;
}}

route[FULL] {{
	xlog("L_NOTICE", "no worker has room: refusing a call\\n");
	{full_reply}
	exit;
}}

failure_route[NEXT_WORKER] {{
	if (t_is_canceled()) {{
		exit;
	}}
	if (t_branch_timeout() || !t_branch_replied()) {{
		xlog("L_WARN", "worker or box $du did not answer: out of rotation until its probe succeeds\\n");
		ds_mark_dst("ip");
	}} else if (!t_check_status("503")) {{
		exit;
	}}
	if (ds_next_dst()) {{
		t_on_failure("NEXT_WORKER");
		route(RELAY);
	}}
	route(NO_ROOM);
}}
"""
    # Every worker is reached from the front door's loopback socket: a worker admits only that
    # address, and a call that arrived over TCP or on another interface must not leave from there.
    socket = f"udp:{WORKER_ADDRESS}:{sip.port}"
    dispatcher = "".join(f"{DISPATCH_SET} {w.uri} 0 0 socket={socket};name={w.name}\n" for w in plan.workers)
    dispatcher += "".join(
        f"{PEER_SET} sip:{peer};transport=udp 0 0 socket={peer_socket(settings, peer)};name=box-{i}\n"
        for i, peer in enumerate(door.peers, start=1)
    )
    tls_cfg = _tls(settings) if tls else None
    return Rendered(config, dispatcher, tls_cfg)


def _tls(settings: Settings) -> str:
    """Kamailio's tls.cfg: TLS 1.2 or newer on the system's OpenSSL; peers verified against
    frontdoor.tls_ca_file when one is set (both as server and as client)."""
    sip, door = settings.sip, settings.frontdoor
    verify = door.tls_ca_file is not None
    ca = f"ca_list = {door.tls_ca_file}\n" if verify else ""
    flag = "1" if verify else "0"
    return (
        "# Generated by `wardline` from wardline.toml ([sip] tls_*, [frontdoor] tls_ca_file).\n"
        "[server:default]\n"
        "method = TLSv1.2+\n"
        f"certificate = {sip.tls_cert}\n"
        f"private_key = {sip.tls_key}\n"
        f"{ca}"
        f"verify_certificate = {flag}\n"
        f"require_certificate = {flag}\n"
        "\n[client:default]\n"
        "method = TLSv1.2+\n"
        f"{ca}"
        f"verify_certificate = {flag}\n"
        f"require_certificate = {flag}\n"
    )
