"""Scenarios: a scripted caller in YAML (../shared/scenarios/FORMAT.md), validated with line numbers."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from appliance.outcomes import CallOutcome
from appliance.yamlsource import YamlError, load_yaml

# A pause inside a caller's line, "[pause 800 ms]": the caller stops that long and goes on.
PAUSE = re.compile(r"\s*\[pause (\d{1,5}) ?ms\]\s*")


def spoken_parts(say: str) -> list[str | int]:
    """The line as text pieces and pauses (milliseconds) between them."""
    parts: list[str | int] = []
    for i, piece in enumerate(PAUSE.split(say)):
        if i % 2:
            parts.append(int(piece))
        elif piece.strip():
            parts.append(piece.strip())
    return parts


def plain_text(say: str) -> str:
    """The line's words without its pause marks (what the caller said)."""
    return " ".join(p for p in spoken_parts(say) if isinstance(p, str))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Turn(_Strict):
    say: str | None = None
    dtmf: str | None = Field(None, pattern=r"^[0-9*#]+$")
    silence_ms: int | None = Field(None, ge=0, le=600_000)
    hang_up: bool | None = None
    # Speak this long after the agent's previous reply began (the first turn: after the opening
    # began; the disclosure's required sentence still plays whole).
    barge_in_after_ms: int | None = Field(None, ge=0, le=120_000)

    @model_validator(mode="after")
    def _one_kind(self) -> Turn:
        kinds = [k for k in ("say", "dtmf", "silence_ms", "hang_up") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a turn needs exactly one of say, dtmf, silence_ms, hang_up")
        if self.barge_in_after_ms is not None and self.say is None:
            raise ValueError("barge_in_after_ms goes with say")
        return self


class Expect(_Strict):
    outcome: CallOutcome | None = None
    transfer_to: str | None = None
    within_turns: int | None = Field(None, ge=1)
    tools: list[str] = Field(default_factory=list)
    never_tools: list[str] = Field(default_factory=list)
    agent_said: list[str] = Field(default_factory=list)
    agent_never_said: list[str] = Field(default_factory=list)


class Scenario(_Strict):
    name: str = Field(min_length=1)
    site: str = "riverside"
    caller_id: str | None = None
    turns: list[Turn] = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)


def load_scenario(path: Path) -> Scenario:
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise YamlError(path, 1, "a scenario is a mapping with name, turns and expect")
    try:
        return Scenario(**data)
    except ValidationError as exc:
        raise lines.validation_errors(exc)[0] from None
    except TypeError as exc:
        raise YamlError(path, 1, str(exc)) from None
