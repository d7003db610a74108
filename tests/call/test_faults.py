"""Which stage a failure belongs to, with its stable code (appliance/call/faults.py)."""

from __future__ import annotations

import errno

from appliance.audit.log import AuditWriteError
from appliance.call.faults import CallFault, Fault, fault_of
from appliance.speech.asr.base import AsrError
from appliance.speech.tts.base import TtsError


def test_each_failure_names_its_stage_and_code():
    assert fault_of(AsrError("worker died")) == Fault("asr", "asr-failed")
    assert fault_of(TtsError("espeak-ng exited")) == Fault("tts", "tts-failed")
    assert fault_of(AuditWriteError("locked")) == Fault("audit", "audit-unavailable")
    assert fault_of(OSError(errno.ENOSPC, "full")) == Fault("storage", "disk-full")
    assert fault_of(OSError(errno.EROFS, "ro")) == Fault("storage", "read-only")
    assert fault_of(CallFault(Fault("vad", "vad-failed"))) == Fault("vad", "vad-failed")
    assert fault_of(RuntimeError("bug")) == Fault("call", "call-fault")


def test_a_network_error_is_not_blamed_on_the_disk():
    assert fault_of(ConnectionRefusedError()).stage == "call"
    assert fault_of(RuntimeError("x"), "asr") == Fault("asr", "call-fault")
    assert Fault("asr", "asr-failed").reason == "fault:asr"
