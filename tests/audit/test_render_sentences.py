"""Entry types written by the service, the store and the console read as sentences in `audit tail`."""

from appliance.audit.render import describe


def test_new_entry_types_read_as_sentences() -> None:
    swap = {"type": "model-swapped", "payload": {"kind": "tts", "model": "voice-b", "previous": "voice-a"}}
    assert describe(swap) == "running service swapped its tts model to voice-b (was voice-a)"
    access = {
        "type": "data-access",
        "payload": {
            "call_id": "c1",
            "actor": "console:sam",
            "data_classes": ["transcript"],
            "reason": "review",
        },
    }
    assert describe(access) == "stored call data of call c1 read by console:sam (transcript), because review"
    refused = {"type": "console-csrf-refused", "payload": {"path": "/logout", "reason": "missing token"}}
    assert "without a valid token at /logout" in describe(refused)
