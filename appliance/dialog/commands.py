"""The command schema: what understanding may propose to the flow runner.

The rule NLU (embedded default) and an LLM constrained by `commands_json_schema()` produce the
same commands. A command is only a proposal: the flow runner checks each one against the
current flow and the site's rules, and drops what does not fit. Nothing here calls a tool.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

COMMAND_TYPES: dict[str, type[Command]] = {}
_C = TypeVar("_C", bound="type[Command]")

HANDOFF_TARGETS = ("operator", "nurse", "billing", "pharmacy", "scheduling", "interpreter")


class InvalidCommand(ValueError):
    """A proposed command that does not fit the schema (unknown name, missing or bad field)."""


def _register(cls: _C) -> _C:
    COMMAND_TYPES[cls.name] = cls
    return cls


@dataclass(frozen=True)
class Command:
    name: ClassVar[str] = "command"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **dataclasses.asdict(self)}


@_register
@dataclass(frozen=True)
class StartFlow(Command):
    name: ClassVar[str] = "start_flow"
    flow: str


@_register
@dataclass(frozen=True)
class SetSlot(Command):
    name: ClassVar[str] = "set_slot"
    slot: str
    value: str


@_register
@dataclass(frozen=True)
class AskKnowledge(Command):
    name: ClassVar[str] = "ask_knowledge"
    question: str


@_register
@dataclass(frozen=True)
class HandOff(Command):
    name: ClassVar[str] = "hand_off"
    target: str  # one of HANDOFF_TARGETS
    reason: str = ""


@_register
@dataclass(frozen=True)
class Affirm(Command):
    name: ClassVar[str] = "affirm"


@_register
@dataclass(frozen=True)
class Deny(Command):
    name: ClassVar[str] = "deny"


@_register
@dataclass(frozen=True)
class ChooseOption(Command):
    name: ClassVar[str] = "choose_option"
    index: int  # 1-based position in what the agent just offered


@_register
@dataclass(frozen=True)
class Clarify(Command):
    """Ask which of two requests the caller means (nlu.yaml's `clarify` entry named `between`)."""

    name: ClassVar[str] = "clarify"
    between: str


@_register
@dataclass(frozen=True)
class CancelFlow(Command):
    name: ClassVar[str] = "cancel_flow"


@_register
@dataclass(frozen=True)
class Repeat(Command):
    name: ClassVar[str] = "repeat"


@_register
@dataclass(frozen=True)
class Goodbye(Command):
    name: ClassVar[str] = "goodbye"


@_register
@dataclass(frozen=True)
class RefuseRecording(Command):
    name: ClassVar[str] = "refuse_recording"


def command_from_dict(data: dict[str, Any]) -> Command:
    """Build a command from its JSON form; raises InvalidCommand for anything off-schema."""
    if not isinstance(data, dict):
        raise InvalidCommand("a command must be an object")
    cls = COMMAND_TYPES.get(str(data.get("name", "")))
    if cls is None:
        raise InvalidCommand(f"unknown command {data.get('name')!r}")
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            if f.default is dataclasses.MISSING:
                raise InvalidCommand(f"{cls.name}: missing field {f.name!r}")
            continue
        value = data[f.name]
        expected = int if f.type in ("int", int) else str
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise InvalidCommand(f"{cls.name}: field {f.name!r} must be a whole number")
        if expected is str and not isinstance(value, str):
            raise InvalidCommand(f"{cls.name}: field {f.name!r} must be text")
        values[f.name] = value
    if cls is HandOff and values["target"] not in HANDOFF_TARGETS:
        raise InvalidCommand(f"hand_off: unknown target {values['target']!r}")
    return cls(**values)


def commands_json_schema() -> dict[str, Any]:
    """JSON schema for {"commands": [...]}, used to constrain an LLM's output."""
    variants = []
    for name, cls in COMMAND_TYPES.items():
        props: dict[str, Any] = {"name": {"const": name}}
        required = ["name"]
        for f in dataclasses.fields(cls):
            is_int = f.type in ("int", int)
            props[f.name] = {"type": "integer", "minimum": 1} if is_int else {"type": "string"}
            if f.name == "target":
                props[f.name] = {"enum": list(HANDOFF_TARGETS)}
            if f.default is dataclasses.MISSING:
                required.append(f.name)
        variants.append(
            {"type": "object", "properties": props, "required": required, "additionalProperties": False}
        )
    return {
        "type": "object",
        "properties": {"commands": {"type": "array", "items": {"anyOf": variants}, "maxItems": 4}},
        "required": ["commands"],
        "additionalProperties": False,
    }
