"""Which stage of a call failed, and with what stable code: the one place that names them.

A fault ends the call with a person (DESIGN invariant 4). What the audit log, ops and the
simulator record is the stage (`asr`, `tts`, …) and the stage's stable error code, never the
exception's message (it may quote caller words).
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES = ("asr", "tts", "vad", "dialog", "audit", "storage", "call", "session")


@dataclass(frozen=True)
class Fault:
    """A failed stage of one call: `stage` from STAGES, `code` a stable kebab-case code."""

    stage: str
    code: str

    @property
    def reason(self) -> str:
        """The transfer and call-end reason: "fault:asr"."""
        return f"fault:{self.stage}"


class CallFault(Exception):
    """A stage the call cannot go on without failed; the call boundary hands it to a person."""

    code = "call-fault"

    def __init__(self, fault: Fault) -> None:
        super().__init__(f"{fault.stage} failed ({fault.code})")
        self.fault = fault


def fault_of(exc: BaseException, stage: str | None = None) -> Fault:
    """The fault an exception stands for; `stage` when the caller knows where it came from."""
    if isinstance(exc, CallFault):
        return exc.fault
    from appliance.audit.log import AuditWriteError
    from appliance.speech.asr.base import AsrError
    from appliance.speech.tts.base import TtsError
    from appliance.speech.vad import VadError

    known: tuple[tuple[type[BaseException], str, str], ...] = (
        (AsrError, "asr", "asr-failed"),
        (TtsError, "tts", "tts-failed"),
        (VadError, "vad", "vad-failed"),
        (AuditWriteError, "audit", "audit-unavailable"),
    )
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError | TimeoutError):
        from appliance.privacy.store import storage_code

        code = storage_code(exc)
        if code != "storage-failed" or stage == "storage":  # a network error is no disk's fault
            return Fault(stage or "storage", code)
    for kind, known_stage, default_code in known:
        if isinstance(exc, kind):
            code = getattr(exc, "code", default_code)
            return Fault(stage or known_stage, code if isinstance(code, str) else default_code)
    code = getattr(exc, "code", "")
    return Fault(stage or "call", code if isinstance(code, str) and code else "call-fault")
