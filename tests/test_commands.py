import json

import pytest

from appliance.dialog.commands import (
    COMMAND_TYPES,
    ChooseOption,
    HandOff,
    InvalidCommand,
    command_from_dict,
    commands_json_schema,
)


def test_every_command_round_trips():
    samples = {
        "flow": "book_appointment",
        "slot": "provider",
        "value": "patel",
        "question": "parking?",
        "target": "nurse",
        "reason": "clinical",
        "index": 2,
        "between": "move_or_cancel",
    }
    for cls in COMMAND_TYPES.values():
        fields = {k: v for k, v in samples.items() if k in cls.__dataclass_fields__}
        cmd = cls(**fields)
        assert command_from_dict(json.loads(json.dumps(cmd.to_dict()))) == cmd


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "call_tool", "tool": "book_appointment"},
        {"name": "hand_off", "target": "the internet"},
        {"name": "choose_option", "index": "two"},
        {"name": "choose_option", "index": True},
        {"name": "set_slot", "slot": "x"},
        "start_flow",
    ],
)
def test_off_schema_commands_are_refused(bad):
    with pytest.raises(InvalidCommand):
        command_from_dict(bad)


def test_schema_names_every_command_and_no_tools():
    schema = json.dumps(commands_json_schema())
    for name in COMMAND_TYPES:
        assert f'"const": "{name}"' in schema
    assert "book_appointment" not in schema
    assert command_from_dict({"name": "hand_off", "target": "nurse"}) == HandOff("nurse")
    assert command_from_dict({"name": "choose_option", "index": 1}) == ChooseOption(1)
