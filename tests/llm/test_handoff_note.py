"""With an LLM active, the person taking a transferred call gets the model's note, in the background."""

from __future__ import annotations

import asyncio
from pathlib import Path

from appliance.call.services import CallServices
from appliance.config import Settings
from appliance.dialog.sitepack import load_site
from appliance.llm.llama_cpp import LlamaCppEngine
from appliance.model_slot import ModelSlot
from appliance.privacy.handoffs import load_handoff
from tests.conftest import REPO

SITE = load_site(REPO / "policies" / "riverside")
SUMMARY = {"reason": "caller-asked-nurse", "request": "a question about a rash", "identity_verified": False}
TRANSCRIPT = [("agent", "How can I help you today?"), ("caller", "my son has a rash, can I talk to a nurse")]


def _services(tmp_path: Path, engine: object | None) -> CallServices:
    settings = Settings(data_dir=tmp_path)
    slot = ModelSlot(engine, "tiny") if engine is not None else None
    return CallServices(
        settings=settings, site=SITE, schedule=None, sessions=None, knowledge=None, llm_slot=slot
    )  # type: ignore[arg-type]


def test_the_template_is_written_at_once_and_the_llm_is_asked_for_the_note(
    tmp_path: Path, engine: LlamaCppEngine
):
    services = _services(tmp_path, engine)
    engine.last_stats = type(engine.last_stats)()  # nothing generated yet in this test

    async def run() -> tuple[dict, dict]:
        task = services.save_handoff("h-note", dict(SUMMARY), TRANSCRIPT)
        first = load_handoff(tmp_path, "h-note")  # the transfer never waits for the model
        assert task is not None
        await task
        return first, load_handoff(tmp_path, "h-note")

    first, after = asyncio.run(run())
    assert first["summary_by"] == "template" and first["request"] == SUMMARY["request"]
    assert engine.last_stats.completion_tokens > 0  # the model was asked, in the call path
    # random weights write random words (often cut off before the JSON closes): the note is kept
    # only when the model's answer is a complete note, and the template's facts stay either way
    assert after["reason"] == SUMMARY["reason"] and after["request"] == SUMMARY["request"]
    assert after["summary_by"] == "template" or (after["summary_by"] == "llm" and after["note"].strip())


def test_a_failing_model_leaves_the_template_standing(tmp_path: Path, tiny_gguf: Path):
    # not started: every call fails
    broken = LlamaCppEngine(tiny_gguf, model_id="never-started", n_gpu_layers=0)
    services = _services(tmp_path, broken)

    async def run() -> dict:
        task = services.save_handoff("h-broken", dict(SUMMARY), TRANSCRIPT)
        assert task is not None
        await task
        return load_handoff(tmp_path, "h-broken")

    stored = asyncio.run(run())
    assert stored["summary_by"] == "template" and "note" not in stored


def test_without_an_llm_only_the_template_is_written(tmp_path: Path):
    services = _services(tmp_path, None)

    async def run() -> object:
        return services.save_handoff("h-plain", dict(SUMMARY), TRANSCRIPT)

    assert asyncio.run(run()) is None
    assert load_handoff(tmp_path, "h-plain")["summary_by"] == "template"
