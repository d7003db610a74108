"""How many SIP workers a box runs and where each listens: a pure function of Settings.

The pjsua2 wheel holds 4 call slots per process and one is kept free so that a call beyond the
limit still gets our 503 rather than pjsua's bare 486: 3 calls per worker. Worker i listens for
SIP on 127.0.0.1:(frontdoor.worker_port + i), reachable only through the front door, and takes
its RTP ports from its own block above sip.rtp_port so that no two workers share one.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from appliance.config import Settings

CALLS_PER_WORKER = 3
# pjsua asks for 4 * call slots + 16 RTP/RTCP ports from its first one (telephony/library.py)
RTP_PORTS_PER_WORKER = 4 * (CALLS_PER_WORKER + 1) + 16
WORKER_ADDRESS = "127.0.0.1"


@dataclass(frozen=True)
class Worker:
    index: int  # from 1
    sip_port: int  # on WORKER_ADDRESS, UDP
    rtp_port: int  # first of RTP_PORTS_PER_WORKER

    @property
    def uri(self) -> str:
        return f"sip:{WORKER_ADDRESS}:{self.sip_port};transport=udp"

    @property
    def name(self) -> str:
        return f"worker-{self.index}"


@dataclass(frozen=True)
class Plan:
    workers: tuple[Worker, ...]

    @property
    def capacity(self) -> int:
        return CALLS_PER_WORKER * len(self.workers)


class PlanError(ValueError):
    """Ports that cannot work (they overlap or run past 65535); the message says which."""


def workers_for(max_calls: int, configured: int = 0, override: int | None = None) -> int:
    """`--workers`, else [frontdoor] workers, else enough for sip.max_calls (ceil(max_calls / 3)).
    Plain integers: the systemd generator counts worker units with it from the raw TOML."""
    if override:
        return override
    if configured:
        return configured
    return max(1, math.ceil(max_calls / CALLS_PER_WORKER))


def worker_count(settings: Settings, override: int | None = None) -> int:
    return workers_for(settings.sip.max_calls, settings.frontdoor.workers, override)


def plan(settings: Settings, workers: int | None = None) -> Plan:
    count = worker_count(settings, workers)
    first = settings.frontdoor.worker_port
    planned = tuple(
        Worker(i + 1, first + i, settings.sip.rtp_port + i * RTP_PORTS_PER_WORKER) for i in range(count)
    )
    last = planned[-1]
    if last.sip_port > 65535 or last.rtp_port + RTP_PORTS_PER_WORKER > 65535:
        raise PlanError(
            f"{count} workers need SIP ports {first}-{last.sip_port} and RTP ports up to "
            f"{last.rtp_port + RTP_PORTS_PER_WORKER}: lower frontdoor.worker_port or sip.rtp_port"
        )
    public = {settings.sip.port, settings.sip.tls_port}
    rtp = range(settings.sip.rtp_port, last.rtp_port + RTP_PORTS_PER_WORKER)
    for worker in planned:
        if worker.sip_port in public or worker.sip_port in rtp:
            raise PlanError(
                f"frontdoor.worker_port: worker {worker.index}'s port {worker.sip_port} is also "
                "the public SIP port or an RTP port; choose a free range"
            )
    for peer in settings.frontdoor.peers:
        peer_socket(settings, peer)  # refused now, before anything starts
    return Plan(planned)


def peer_socket(settings: Settings, peer: str) -> str:
    """The front door's socket a peer box (frontdoor.peers, "address:port") is called from:
    loopback for a peer on this host (two boxes on one machine, a test), else this box's own
    SIP address, the one the peer admits and sends its in-dialog requests back to."""
    sip = settings.sip
    host = peer.rpartition(":")[0].strip("[]")
    if ipaddress.ip_address(host).is_loopback:
        return f"udp:{WORKER_ADDRESS}:{sip.port}"
    if sip.address in ("0.0.0.0", "::") or ipaddress.ip_address(sip.address).is_loopback:
        raise PlanError(
            f"frontdoor.peers: {peer} is another machine: set sip.address to this box's address "
            "on the network the boxes share (the address its peers call back)"
        )
    address = f"[{sip.address}]" if ":" in sip.address else sip.address
    return f"udp:{address}:{sip.port}"


def worker_settings(settings: Settings, worker: Worker) -> Settings:
    """The settings one worker runs with: SIP on its loopback port, plain UDP (the front door
    terminates TCP and TLS), only the front door may call it, 3 calls, no overflow of its own
    (a full worker answers 503 and the front door tries the next), and its engines in the
    shared engine process or its own, as the box decided."""
    sip = settings.sip.model_copy(
        update={
            "address": WORKER_ADDRESS,
            "port": worker.sip_port,
            "transports": ["udp"],
            "allow": [f"{WORKER_ADDRESS}/32"],
            "rtp_port": worker.rtp_port,
            "media_bind": settings.sip.media_bind or settings.sip.address,
            "max_calls": CALLS_PER_WORKER,
            "overflow_extension": "",
            "digest_user": "",  # the front door's job; the worker sees only admitted calls
            "digest_password": "",
            "retry_after_s": 1,
        }
    )
    # the box decides once where the engines run ("auto" resolved): the worker builds accordingly
    engines = "shared" if settings.speech.shared else "in-process"
    speech = settings.speech.model_copy(update={"engines": engines})
    # likewise the LLM: a GGUF model in the box's one llama.cpp server, or in each worker
    llm = settings.llm.model_copy(update={"engine": "shared" if settings.llm.shared else "in-process"})
    return settings.model_copy(update={"sip": sip, "speech": speech, "llm": llm})
