"""Keep a call's in-dialog requests (BYE, REFER, re-INVITE) on the caller's own connection.

pjsip sends a request within a dialog to the remote target, the caller's Contact. Over TCP or
TLS that means a new connection to the address in the Contact, which a phone behind NAT (or
baresip without a server certificate) never accepts: the REFER and the BYE fail, the caller
hears dead air, and the caller's own BYE meets a dialog pjsip has given up on. SIP practice
(RFC 5923 connection reuse, RFC 5626 flows) is to send them back over the connection the call
arrived on, as every response already is.

pjsua2 has no setting for this, so this module does what Asterisk's pjsip channel does in C:
it sets the dialog's transport selector to the arrival connection (`pjsip_dlg_set_transport`
with a PJSIP_TPSELECTOR_TRANSPORT selector), through the C functions the pjsua2 extension
exports. Two steps, both on the SIP thread:
1. onIncomingCall: `arrival_connection` reads the connection from the INVITE's rx data (its
   `tp_info.transport`) when the INVITE came over TCP or TLS;
2. our first response with a To tag (the 180): `pin_dialog` finds the dialog by Call-ID and
   tags (`pjsip_ua_find_dialog`, locked) and sets its selector. The INVITE's transaction holds
   the connection until then; from then on the selector holds a reference for the dialog's
   life, released by pjsip when the dialog ends.
Layouts relied on (pjsip 2.15, the pinned wheel): `pjsip_rx_data` starts with
`tp_info { pool, transport, ... }`; `pjsip_tpselector` is `{ int type; pj_bool_t
disable_connection_reuse; void *u; }`; `pj_str_t` is `{ char *ptr; ssize_t slen; }`.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import re
from typing import Any

log = logging.getLogger(__name__)

PJSIP_TPSELECTOR_TRANSPORT = 1
RELIABLE = ("TCP", "TLS")


class _TpSelector(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("disable_connection_reuse", ctypes.c_int), ("u", ctypes.c_void_p)]


class _PjStr(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_char_p), ("slen", ctypes.c_ssize_t)]

    @classmethod
    def of(cls, text: str) -> _PjStr:
        raw = text.encode()
        return cls(raw, len(raw))


@functools.cache
def _pjsip() -> Any:
    import pjsua2._pjsua2 as extension  # the library pjsua2 runs on: same process, same state

    lib = ctypes.CDLL(extension.__file__)
    lib.pjsip_ua_find_dialog.argtypes = [ctypes.POINTER(_PjStr)] * 3 + [ctypes.c_int]
    lib.pjsip_ua_find_dialog.restype = ctypes.c_void_p
    lib.pjsip_dlg_set_transport.argtypes = [ctypes.c_void_p, ctypes.POINTER(_TpSelector)]
    lib.pjsip_dlg_set_transport.restype = ctypes.c_int
    lib.pjsip_dlg_dec_lock.argtypes = [ctypes.c_void_p]
    lib.pjsip_dlg_dec_lock.restype = None
    return lib


def _header(message: str, *names: str) -> str:
    for line in message.split("\r\n\r\n", 1)[0].splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() in names:
            return value.strip()
    return ""


def _tag(value: str) -> str:
    m = re.search(r";\s*tag=([^;>\s]+)", value)
    return m.group(1) if m else ""


def arrival_transport(message: str) -> str:
    """The transport a request says it came over: the top Via's sent-protocol (UDP, TCP, TLS)."""
    via = _header(message, "via", "v")
    protocol = via.split(None, 1)[0] if via else ""
    return protocol.rsplit("/", 1)[-1].upper()


def arrival_connection(rdata: Any, invite: str) -> int | None:
    """The INVITE's TCP/TLS connection (a pjsip_transport pointer), or None for UDP."""
    if rdata is None or arrival_transport(invite) not in RELIABLE:
        return None
    try:
        return ctypes.c_void_p.from_address(int(rdata) + ctypes.sizeof(ctypes.c_void_p)).value
    except (TypeError, ValueError) as exc:
        log.warning("cannot read the call's connection (%s): requests will go to its Contact", exc)
        return None


def pin_dialog(connection: int, response: str) -> bool:
    """Given one of our responses to the INVITE (with its To tag): send the dialog's requests
    over `connection`. False when the response has no To tag yet or the dialog is gone."""
    call_id = _header(response, "call-id", "i")
    local, remote = _tag(_header(response, "to", "t")), _tag(_header(response, "from", "f"))
    if not (call_id and local and remote):
        return False
    try:
        lib = _pjsip()
        keys = (_PjStr.of(call_id), _PjStr.of(local), _PjStr.of(remote))
        dialog = lib.pjsip_ua_find_dialog(*(ctypes.byref(k) for k in keys), 1)
        if not dialog:
            return False
        try:
            selector = _TpSelector(PJSIP_TPSELECTOR_TRANSPORT, 0, connection)
            return lib.pjsip_dlg_set_transport(dialog, ctypes.byref(selector)) == 0
        finally:
            lib.pjsip_dlg_dec_lock(dialog)
    except (OSError, AttributeError) as exc:
        log.warning("cannot keep the call on its connection (%s): requests will go to its Contact", exc)
        return False
