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


def test_a_tool_call_reads_with_the_records_it_touched_and_older_entries_still_read() -> None:
    booked = {
        "type": "tool-call",
        "payload": {
            "tool": "book_appointment",
            "status": "ok",
            "refs": {"patient_ref": "pt_1", "appointment_id": "apt_2"},
        },
    }
    assert describe(booked) == "tool book_appointment: ok (appointment_id apt_2, patient_ref pt_1)"
    # the name an older release's gateway wrote
    older = {"type": "tool_call", "payload": {"tool": "find_slots", "status": "ok"}}
    assert describe(older) == "tool find_slots: ok"
