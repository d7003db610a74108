"""Call transcripts: encrypted from the first byte, a redacted copy at the end, a refusal keeps
only the redacted copy; reading is audited."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from appliance.call.services import build_services
from appliance.cli.main import app
from appliance.config import load_settings
from appliance.events import AgentSaid, CallEnded, CallerSaid, ConsentAnswered, TurnEnded
from appliance.privacy.store import ObjectShredded, ObjectStore, open_store
from appliance.privacy.transcripts import (
    FULL_NAME,
    REDACTED_NAME,
    TranscriptLine,
    TranscriptNotFound,
    TranscriptRecorder,
    read_redacted_transcript,
    redacted_lines,
)
from appliance.sim.runner import run_scenario
from appliance.sim.scenario import load_scenario
from tests.conftest import SCENARIOS
from tests.privacy.conftest import AuditRecorder

# A riverside patient (riverside.md) speaking her identifiers; none may survive redaction.
IDENTIFIERS = ("Maria", "Gonzalez", "March third", "nineteen eighty", "RCH-104233", "oh one three")
CALL = {
    "name": "transcript-refill",
    "caller_id": "+15550132291",
    "turns": [
        {"say": "I need a refill on my atorvastatin."},
        {"say": "Maria Gonzalez, March third, nineteen eighty. My MRN is RCH-104233."},
        {"say": "The pharmacy on Elm Street, call me at five five five, oh one three, two two nine one."},
        {"say": "That's all, thanks."},
    ],
}
CALLER_WORDS = ("atorvastatin", "Gonzalez", "RCH-104233", "Elm Street")


@pytest.fixture
def store(data_dir: Path) -> ObjectStore:
    return open_store(data_dir, database_url=load_settings().database_url)


def _call(tmp_path: Path, store: ObjectStore, scenario: dict | Path) -> str:
    """Run one text-mode call through services that record; returns its call id."""
    if isinstance(scenario, dict):
        path = tmp_path / f"{scenario['name']}.yaml"
        path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    else:
        path = scenario

    async def go():  # type: ignore[no-untyped-def]
        services = await build_services(load_settings(), speech=False, audit=False, store=store)
        try:
            return await run_scenario(load_scenario(path), services, "text")
        finally:
            await services.close()

    result = asyncio.run(go())  # returns once the call's end (sealing, redacted copy) is done
    ended = [e for e in result.log.events if isinstance(e, CallEnded)]
    assert ended, "the call ended"
    return ended[0].call_id


def _jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def test_a_call_is_transcribed_encrypted_with_a_redacted_copy(tmp_path: Path, store, data_dir: Path):
    call_id = _call(tmp_path, store, CALL)
    # (the refill task's details are the call's other object: tests/privacy/test_task_details.py)
    objects = {o.name: o for o in store.list(call_id) if o.data_class != "task-details"}
    assert set(objects) == {FULL_NAME, REDACTED_NAME}
    assert {o.data_class for o in objects.values()} == {"transcript"}  # site.yaml transcript_days

    full = _jsonl(store.read(objects[FULL_NAME].id))
    caller = [ln["text"] for ln in full if ln["speaker"] == "caller"]
    assert caller == [t["say"] for t in CALL["turns"]]
    assert any(ln["speaker"] == "agent" and "automated assistant" in ln["text"] for ln in full)
    assert all(isinstance(ln["t_ms"], float) for ln in full)
    assert [ln["t_ms"] for ln in full] == sorted(ln["t_ms"] for ln in full)

    files = [p for p in (data_dir / "objects").rglob("*") if p.is_file()]
    assert len(files) == 3  # the two transcripts and the refill task's details
    for f in files:
        raw = f.read_bytes().lower()
        for word in CALLER_WORDS:
            assert word.lower().encode() not in raw, word  # encrypted from the first byte

    redacted = _jsonl(store.read(objects[REDACTED_NAME].id))
    assert [(ln["t_ms"], ln["speaker"]) for ln in redacted] == [(ln["t_ms"], ln["speaker"]) for ln in full]
    text = " ".join(ln["text"] for ln in redacted)
    for identifier in IDENTIFIERS:
        assert identifier.lower() not in text.lower(), identifier
    assert "[NAME]" in text and "[DATE]" in text and "[MRN]" in text and "[PHONE]" in text
    assert "atorvastatin" in text  # what is not an identifier stays readable


def test_data_show_reads_the_transcripts_and_records_the_access(tmp_path: Path, store):
    call_id = _call(tmp_path, store, CALL)
    result = CliRunner().invoke(app, ["data", "show", call_id, "--reason", "quality review", "--json"])
    assert result.exit_code == 0, result.output
    shown = {o["name"]: o for o in json.loads(result.stdout)["objects"]}
    assert set(shown) == {FULL_NAME, REDACTED_NAME, "task-details.json"}  # the refill task's too
    assert "Maria Gonzalez" in shown[FULL_NAME]["text"]
    assert "Gonzalez" not in shown[REDACTED_NAME]["text"]

    from appliance.audit.log import default_origin
    from appliance.audit.query import read_entries
    from appliance.store.db import make_engine

    entries = [r.entry for r in read_entries(make_engine(load_settings().database_url), default_origin())]
    access = [e for e in entries if e and e["type"] == "data-access"]
    assert len(access) == 1 and access[0]["payload"]["call_id"] == call_id
    assert access[0]["payload"]["data_classes"] == ["task-details", "transcript"]


def test_the_redacted_copy_leaves_the_sites_own_address_and_line_as_said(tmp_path: Path, store):
    # the call's services pass the site pack's public facts (riverside.md): the caller's own are hidden
    call = {
        "name": "transcript-site-facts",
        "caller_id": "+15550132291",
        "turns": [
            {"say": "Is the hospital at 1200 Riverbend Road? I live at 30 Riverbend Road."},
            {"say": "And the main line is five five five oh one oh four thousand, right?"},
            {"say": "That's all, thanks."},
        ],
    }
    call_id = _call(tmp_path, store, call)
    redacted = next(o for o in store.list(call_id) if o.name == REDACTED_NAME)
    said = [ln["text"] for ln in _jsonl(store.read(redacted.id)) if ln["speaker"] == "caller"]
    assert said[:2] == [
        "Is the hospital at 1200 Riverbend Road? I live at [ADDRESS].",
        "And the main line is five five five oh one oh four thousand, right?",
    ]


def test_a_refusal_keeps_only_the_redacted_transcript(tmp_path: Path, store, data_dir: Path):
    call_id = _call(tmp_path, store, SCENARIOS / "refuse-recording.yaml")
    live = store.list(call_id)
    assert [o.name for o in live] == [REDACTED_NAME]
    shredded = [o for o in store.list(call_id, include_shredded=True) if o.shredded_at is not None]
    assert [o.name for o in shredded] == [FULL_NAME]
    with pytest.raises(ObjectShredded):
        store.read(shredded[0].id)
    assert not store.path_of(shredded[0].id).exists()
    # The redacted copy covers the whole call, after the refusal too.
    redacted = _jsonl(store.read(live[0].id))
    said = [ln["text"] for ln in redacted if ln["speaker"] == "caller"]
    assert said[0] == "I don't want this call recorded." and "visiting hours" in said[1]


def test_lines_are_marked_and_nothing_after_the_end_is_kept(store):
    rec = TranscriptRecorder(store, "call-9", lambda: ["Aisha Rahman"])
    rec(TurnEnded("call-9", 1.0))  # not words: no line
    rec(AgentSaid("call-9", 10.0, text="Your appointment with"))
    rec(AgentSaid("call-9", 20.0, text="Is there anything", interrupted=True))
    rec(CallerSaid("call-9", 30.0, text="This is aisha rahman"))
    rec(CallEnded("call-9", 40.0))
    rec(CallerSaid("call-9", 50.0, text="too late"))
    assert rec.wait(5)
    by_name = {o.name: o for o in store.list("call-9")}
    full = _jsonl(store.read(by_name[FULL_NAME].id))
    assert [ln.get("interrupted", False) for ln in full] == [False, True, False]
    assert full[2] == {"t_ms": 30.0, "speaker": "caller", "text": "This is aisha rahman"}
    assert _jsonl(store.read(by_name[REDACTED_NAME].id))[2]["text"] == "This is [NAME]"


def test_a_refusal_before_any_line_stores_only_the_redacted_copy(store):
    rec = TranscriptRecorder(store, "call-8", list)
    rec(ConsentAnswered("call-8", 1.0, recording=False))
    rec(CallerSaid("call-8", 2.0, text="no recording please"))
    rec(CallEnded("call-8", 3.0))
    assert rec.wait(5)
    assert [o.name for o in store.list("call-8", include_shredded=True)] == [REDACTED_NAME]


def test_reading_the_redacted_transcript_is_audited_and_decrypts_only_it(store):
    rec = TranscriptRecorder(store, "call-5", lambda: ["Robert Kim"])
    rec(CallerSaid("call-5", 1.0, text="Robert Kim, January thirtieth nineteen forty-nine"))
    rec(CallEnded("call-5", 2.0))
    audit = AuditRecorder()
    lines = read_redacted_transcript(store, "call-5", actor="console:sam", audit=audit)
    assert [ln.text for ln in lines] == ["[NAME], [DATE]"]
    [(kind, payload)] = audit.entries
    assert kind == "data-access" and payload["actor"] == "console:sam"
    assert payload["objects"] == [rec.redacted_id] and payload["call_id"] == "call-5"
    with pytest.raises(TranscriptNotFound):
        read_redacted_transcript(store, "no-such-call", actor="console:sam", audit=audit)
    assert len(audit.entries) == 1  # nothing read, nothing recorded


def test_a_store_that_cannot_write_does_not_break_the_call(store, data_dir: Path, caplog):
    store.objects_dir.parent.mkdir(parents=True, exist_ok=True)
    store.objects_dir.write_bytes(b"")  # a file where the objects folder should be: writes fail
    rec = TranscriptRecorder(store, "call-4", list)
    rec(CallerSaid("call-4", 1.0, text="Maria Gonzalez here"))  # must not raise into the call
    rec(AgentSaid("call-4", 2.0, text="Thank you"))
    rec(CallEnded("call-4", 3.0))
    assert rec.wait(5)
    assert "transcript not stored" in caplog.text and "Gonzalez" not in caplog.text
    assert store.list("call-4") == []  # nothing half-written, nothing in the clear


def test_the_redacted_copy_hides_an_answer_by_the_question_it_answers():
    # "rose baker" has no cue and only dictionary words: only the agent's question says it is a name.
    lines = [
        TranscriptLine(0.0, "agent", "Thank you. And your full name, please?"),
        TranscriptLine(1.0, "caller", "rose baker"),
        TranscriptLine(2.0, "agent", "What is your member ID?"),
        TranscriptLine(3.0, "caller", "it's why jay kay four four seven one two"),
        TranscriptLine(4.0, "agent", "Please tell me your full name."),
        TranscriptLine(5.0, "caller", "sorry can you repeat that"),
        TranscriptLine(6.0, "agent", "How can I help you today?"),
        TranscriptLine(7.0, "caller", "rose baker said the clinic was busy"),
    ]
    got = [ln.text for ln in redacted_lines(lines, (), learned=False)]
    assert got == [
        "Thank you. And your full name, please?",
        "[NAME]",
        "What is your member ID?",
        "it's [ID]",
        "Please tell me your full name.",
        "sorry can you repeat that",  # talk about the question is no answer to it
        "How can I help you today?",
        "[NAME] said the clinic was busy",  # the name, heard once, is hidden wherever it comes again
    ]
