import dataclasses

from appliance.events import EVENT_TYPES, Event


def _sample(cls):
    values = {}
    for f in dataclasses.fields(cls):
        if f.name == "call_id":
            values[f.name] = "c-1"
        elif f.name == "t_ms":
            values[f.name] = 12.5
        elif f.type in ("str",):
            values[f.name] = f"{f.name}-value"
        elif f.type in ("bool",):
            values[f.name] = not f.default
        elif f.type in ("float", "int"):
            values[f.name] = 7
        elif "dict" in str(f.type):
            values[f.name] = {"k": "v"}
    return cls(**values)


def test_every_event_round_trips_through_its_dict_form():
    assert len(EVENT_TYPES) >= 15
    for name, cls in EVENT_TYPES.items():
        event = _sample(cls)
        data = event.to_dict()
        assert data["type"] == name
        assert Event.from_dict(data) == event, name


def test_type_names_are_stable_kebab_case():
    for name in EVENT_TYPES:
        assert name == name.lower() and " " not in name and "_" not in name
