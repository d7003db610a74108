"""Drop an ACK that matches no transaction and no dialog, before pjsua can answer it and abort.

pjsua 2.15 answers a request it takes for a merged request (RFC 3261 §8.2.2.2: same From tag,
Call-ID and CSeq as a transaction it holds, no To tag) with 482, and does so for an ACK too;
pjsip asserts that an ACK is never answered, and the wheel is built with assertions on, so the
whole agent process aborts (every call on it drops). A caller's ACK without a To tag is enough,
and a real PBX sends one when its CANCEL crosses our 200 OK (pjproject PR #4203, fixed after
2.15). An ACK that reaches this point matched no INVITE transaction and no dialog: RFC 3261
says to discard it, which is what the fixed pjsua does.

`install(endpoint)` registers a tiny pjsip module, through the C functions the pjsua2
extension exports, at the priority just before pjsua's own (PJSIP_MOD_PRIORITY_APPLICATION),
so that it sees such an ACK first and absorbs it. It runs on the SIP thread, per unmatched
request only (matched ones never get this far), and reads the method from
`pjsip_rx_data_get_info` ("Request msg ACK/cseq=…"), not from struct offsets. Layout relied on:
`pjsip_module` (a list node, a pj_str_t name, id, priority, nine callbacks), stable in pjsip 2.x.
"""

from __future__ import annotations

import ctypes
import functools
import logging
from typing import Any

log = logging.getLogger(__name__)

PJSIP_MOD_PRIORITY_APPLICATION = 64
_RX = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


class _PjStr(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_char_p), ("slen", ctypes.c_ssize_t)]


class _Module(ctypes.Structure):
    _fields_ = [
        ("prev", ctypes.c_void_p),
        ("next", ctypes.c_void_p),
        ("name", _PjStr),
        ("id", ctypes.c_int),
        ("priority", ctypes.c_int),
        ("load", ctypes.c_void_p),
        ("start", ctypes.c_void_p),
        ("stop", ctypes.c_void_p),
        ("unload", ctypes.c_void_p),
        ("on_rx_request", _RX),
        ("on_rx_response", ctypes.c_void_p),
        ("on_tx_request", ctypes.c_void_p),
        ("on_tx_response", ctypes.c_void_p),
        ("on_tsx_state", ctypes.c_void_p),
    ]


@functools.cache
def _pjsip() -> Any:
    import pjsua2._pjsua2 as extension

    lib = ctypes.CDLL(extension.__file__)
    lib.pjsua_get_pjsip_endpt.restype = ctypes.c_void_p
    lib.pjsip_endpt_register_module.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Module)]
    lib.pjsip_endpt_unregister_module.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Module)]
    lib.pjsip_rx_data_get_info.argtypes = [ctypes.c_void_p]
    lib.pjsip_rx_data_get_info.restype = ctypes.c_char_p
    return lib


class StrayAckGuard:
    """Registered once per library instance (SipAgent._setup), removed before libDestroy."""

    def __init__(self) -> None:
        self.dropped = 0
        self._callback = _RX(self._on_rx_request)  # kept referenced: pjsip holds the pointer
        self._name = b"mod-wardline-stray-ack"
        self._module = _Module(
            name=_PjStr(self._name, len(self._name)),
            id=-1,
            priority=PJSIP_MOD_PRIORITY_APPLICATION - 1,
            on_rx_request=self._callback,
        )
        self._registered = False

    def install(self) -> bool:
        lib = _pjsip()
        endpoint = lib.pjsua_get_pjsip_endpt()
        if not endpoint or lib.pjsip_endpt_register_module(endpoint, ctypes.byref(self._module)) != 0:
            log.warning("could not install the stray-ACK guard: an unmatched ACK may abort the agent")
            return False
        self._registered = True
        return True

    def remove(self) -> None:
        if self._registered:
            lib = _pjsip()
            lib.pjsip_endpt_unregister_module(lib.pjsua_get_pjsip_endpt(), ctypes.byref(self._module))
            self._registered = False

    def _on_rx_request(self, rdata: int) -> int:
        try:
            info = _pjsip().pjsip_rx_data_get_info(rdata) or b""
        except Exception:  # never let an exception cross into pjsip's C stack
            return 0
        if info.startswith(b"Request msg ACK/"):
            self.dropped += 1
            return 1  # absorbed: matched nothing, so per RFC 3261 it is discarded
        return 0
