"""pjsua2 as Wardline configures it: the endpoint (log, media clock, jitter buffer), the codecs,
the SIP transports, and the account every INVITE arrives on (SRTP, session timers).

Jitter buffer. pjsua2's defaults let the buffer prefetch and grow adaptively, which on a LAN
adds 60-150 ms of mouth-to-ear delay for jitter that is not there. A hospital PBX on the same
LAN delivers packets within a few milliseconds of each other, so the defaults in SipSettings
are: start playing after 40 ms buffered (jb_init_ms: two frames, enough for one late packet),
never prefetch less than one frame (jb_min_pre_ms 20), cap adaptive growth at 80 ms
(jb_max_pre_ms) so a one-off burst cannot leave the call permanently delayed, and hold at most
200 ms (jb_max_ms) before discarding. Sites with a WAN hop can raise them in [sip].

Session timers (RFC 4028). timerUse is OPTIONAL: used whenever the PBX supports them (it
says `Supported: timer`), never required, since a PBX without them must still reach us (REQUIRED
would refuse its calls with 420). Session-Expires 1800 s is the RFC's recommended default: a
dead peer (a PBX restarted mid-call, a lost BYE) is noticed within half an hour while a normal
call costs at most one refresh per 15 minutes. Min-SE 90 s is the RFC's floor, so any interval a
PBX asks for that the RFC allows is accepted rather than answered 422. pjsip does the rest: as
refresher it re-INVITEs (UPDATE when the peer allows it) at half the interval; otherwise it
sends BYE at Session-Expires minus max(32 s, a third) when no refresh came. That BYE comes
from pjsip, so the call ends like a remote hang-up (the session sees `caller_hung_up`).
Both are configurable in [sip] (session_expires_s, min_se_s). tests/telephony/
test_session_timers.py checks both roles against sipp.

Codecs: G.722, then PCMU, then PCMA; every other codec is disabled. The media port runs at the
session's rate (16 kHz for G.722 when call.sample_rate_hz is 16000, otherwise 8 kHz) and the
conference bridge resamples between it and the codec.
"""

from __future__ import annotations

import logging
import re

import pjsua2 as pj

from appliance.config import SipSettings
from appliance.telephony.errors import SipStartError
from appliance.telephony.pjlog import journal_line

log = logging.getLogger(__name__)

CODEC_PRIORITY = ("G722/16000/1", "PCMU/8000/1", "PCMA/8000/1")
CODEC_NAMES = tuple(c.split("/")[0] for c in CODEC_PRIORITY)
# pjsua's compile-time PJSUA_MAX_CALLS in the pjsua2-python wheel (pjsua.h's default): no more
# call slots exist in one process, whatever uaConfig.maxCalls says. One slot stays free so a
# call beyond the limit still gets our 503/302 rather than pjsua's bare 486.
LIBRARY_CALL_SLOTS = 4
_PJ_LOG_LEVELS = {0: logging.CRITICAL, 1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO}


class PjLogWriter(pj.LogWriter):
    """pjsip's own log into Python logging (any pjsip thread; warnings and errors only)."""

    def write(self, entry: pj.LogEntry) -> None:
        # Never the message itself: pjsip dumps whole packets (caller numbers) at ERROR.
        log.log(_PJ_LOG_LEVELS.get(entry.level, logging.DEBUG), "pjsip: %s", journal_line(entry.msg))


def endpoint_config(sip: SipSettings, sample_rate_hz: int, writer: pj.LogWriter) -> pj.EpConfig:
    """The library's settings: SIP events polled by PjsipThread, pjsip's log through `writer`
    (keep it referenced while the library runs), the media clock and the jitter buffer."""
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0  # SIP events are polled by PjsipThread, not pjsip's own threads
    cfg.uaConfig.mainThreadOnly = False
    cfg.uaConfig.maxCalls = LIBRARY_CALL_SLOTS
    cfg.uaConfig.userAgent = "Wardline"
    cfg.logConfig.writer = writer
    cfg.logConfig.level = 2
    cfg.logConfig.consoleLevel = 2  # pjsua hands the writer only what passes consoleLevel
    cfg.logConfig.msgLogging = 0  # SIP messages carry caller numbers: never into the journal
    med = cfg.medConfig
    med.clockRate = 16000 if sample_rate_hz == 16000 else 8000
    med.sndClockRate = med.clockRate
    med.audioFramePtime = 20
    med.ptime = 20
    med.noVad = True  # keep RTP flowing in silence: the PBX and our clocks stay simple
    med.ecTailLen = 0  # no echo canceller: no loudspeaker here, and it costs CPU per call
    med.sndAutoCloseTime = -1
    med.maxMediaPorts = 2 * cfg.uaConfig.maxCalls + 8
    med.jbInit = sip.jb_init_ms
    med.jbMinPre = sip.jb_min_pre_ms
    med.jbMaxPre = sip.jb_max_pre_ms
    med.jbMax = sip.jb_max_ms
    return cfg


def prefer_codecs(ep: pj.Endpoint) -> None:
    """G.722, then PCMU, then PCMA; every other codec disabled."""
    for codec in ep.codecEnum2():
        ep.codecSetPriority(codec.codecId, 0)
    for rank, codec_id in enumerate(CODEC_PRIORITY):
        ep.codecSetPriority(codec_id, 250 - rank)


def create_transports(ep: pj.Endpoint, sip: SipSettings) -> None:
    """Listen on each configured transport; a port that cannot be bound is a SipStartError."""
    bound = "" if sip.address in ("0.0.0.0", "::") else sip.address
    kinds = {"udp": pj.PJSIP_TRANSPORT_UDP, "tcp": pj.PJSIP_TRANSPORT_TCP, "tls": pj.PJSIP_TRANSPORT_TLS}
    for name in sip.transports:
        tc = pj.TransportConfig()
        tc.boundAddress = bound
        tc.port = sip.tls_port if name == "tls" else sip.port
        if name == "tls":
            tc.tlsConfig.certFile = str(sip.tls_cert)
            tc.tlsConfig.privKeyFile = str(sip.tls_key)
        try:
            ep.transportCreate(kinds[name], tc)
        except pj.Error as exc:
            where = f"{sip.address}:{tc.port}/{name}"
            raise SipStartError(f"cannot listen for SIP on {where}: {_reason(exc)}") from None


def account_config(sip: SipSettings) -> pj.AccountConfig:
    """The local account every INVITE arrives on: no registration, SRTP as configured, and the
    session timers above."""
    cfg = pj.AccountConfig()
    host = sip.address if sip.address not in ("0.0.0.0", "::") else "localhost"
    cfg.idUri = f"sip:wardline@{host}"
    cfg.regConfig.registrarUri = ""
    media = cfg.mediaConfig
    media.transportConfig.port = sip.rtp_port
    media.transportConfig.portRange = 4 * LIBRARY_CALL_SLOTS + 16
    rtp_address = sip.media_bind or sip.address
    if rtp_address not in ("0.0.0.0", "::"):
        media.transportConfig.boundAddress = rtp_address
    media.srtpUse = {
        "off": pj.PJMEDIA_SRTP_DISABLED,
        "optional": pj.PJMEDIA_SRTP_OPTIONAL,
        "mandatory": pj.PJMEDIA_SRTP_MANDATORY,
    }[sip.srtp]
    media.srtpSecureSignaling = 0  # SRTP keys over UDP/TCP signalling are the PBX's choice
    calls = cfg.callConfig  # session timers: see the module docstring for these values
    calls.timerUse = pj.PJSUA_SIP_TIMER_OPTIONAL
    calls.timerSessExpiresSec = sip.session_expires_s
    calls.timerMinSESec = sip.min_se_s
    return cfg


def _reason(exc: pj.Error) -> str:
    text = str(getattr(exc, "info", lambda: "")() or exc)
    match = re.search(r"error: (.*?) \(", text)
    return match.group(1) if match else text.splitlines()[0][:120]
