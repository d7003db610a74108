"""What the simulator prints: call events as FORMAT.md's records, and the expectations check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appliance.events import Event
from appliance.sim.scenario import Scenario

# call event type -> (record type, fields kept)
_RECORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "agent-say": ("agent_say", ("text",)),
    "caller-say": ("caller_say", ("text",)),
    "asr-final": ("asr_final", ("text",)),
    "command": ("command", ("name", "args")),
    "tool-call": ("tool_call", ("tool", "ok")),
    "transfer": ("transfer", ("to",)),
    "barge-in": ("barge_in", ()),
    "hangup": ("hangup", ("by",)),
    "fault": ("fault", ("stage", "code")),
    "turn-latency": (
        "turn_latency",
        (
            "voice_to_voice_ms",
            "speech_end_ms",
            "end_of_turn_ms",
            "asr_final_ms",
            "first_text_ms",
            "first_audio_ms",
            "first_frame_ms",
        ),
    ),
}


@dataclass
class CallLog:
    """Everything one simulated call produced, in order, with the caller turn it happened in."""

    scenario: str
    records: list[dict[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    turn: int = 0  # the caller turn being played (0 = the opening)
    outcome: str | None = None
    outcome_turn: int | None = None

    def add(self, event: Event) -> None:
        self.events.append(event)
        if event.type == "call-ended" and self.outcome is None:
            self.outcome = event.outcome  # type: ignore[attr-defined]
            self.outcome_turn = self.turn
        mapped = _RECORDS.get(event.type)
        if mapped is None:
            return
        kind, keys = mapped
        record: dict[str, Any] = {"scenario": self.scenario, "t_ms": round(event.t_ms, 1), "type": kind}
        record.update({k: getattr(event, k) for k in keys})
        record["turn"] = self.turn
        self.records.append(record)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["type"] == kind]


def check(scenario: Scenario, log: CallLog) -> list[str]:
    """The expectations that did not hold, each as a short sentence."""
    exp = scenario.expect
    failed: list[str] = []
    # A fault is never a pass, whatever the scenario expects: the call only went to a person
    # because a stage broke.
    failed += [f"fault: the {r['stage']} stage failed ({r['code']})" for r in log.of_type("fault")]
    transfers = log.of_type("transfer")
    if exp.outcome and log.outcome != exp.outcome:
        failed.append(f"outcome: expected {exp.outcome}, got {log.outcome}")
    if exp.transfer_to and (not transfers or transfers[0]["to"] != exp.transfer_to):
        got = transfers[0]["to"] if transfers else "no transfer"
        failed.append(f"transfer_to: expected {exp.transfer_to}, got {got}")
    late = log.outcome_turn is None or log.outcome_turn > (exp.within_turns or 0)
    if exp.within_turns is not None and late:
        failed.append(f"within_turns: outcome by turn {exp.within_turns}, got {log.outcome_turn}")
    called = [r["tool"] for r in log.of_type("tool_call")]
    it = iter(called)
    if exp.tools and not all(t in it for t in exp.tools):
        failed.append(f"tools: expected {exp.tools} in order, got {called}")
    if bad := [t for t in exp.never_tools if t in called]:
        failed.append(f"never_tools: called {bad}")
    said = " ".join(r["text"] for r in log.of_type("agent_say")).lower()
    if missing := [p for p in exp.agent_said if p.lower() not in said]:
        failed.append(f"agent_said: never said {missing}")
    if present := [p for p in exp.agent_never_said if p.lower() in said]:
        failed.append(f"agent_never_said: said {present}")
    return failed
