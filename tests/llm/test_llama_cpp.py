"""llama.cpp in-process with a random-weight GGUF: template, streaming, grammar, cancel, cache."""

from __future__ import annotations

import asyncio
import json

import pytest

from appliance.dialog.commands import command_from_dict
from appliance.dialog.llm_understanding import turn_schema
from appliance.dialog.understanding import DialogContext
from appliance.llm.base import CancelToken, ChatMessage, GenerationRequest, LlmUnavailable, complete
from appliance.llm.llama_cpp import LlamaCppEngine
from appliance.registry.errors import OfflineError
from tests.fixtures.tiny_models import build_gguf

CONTEXT = DialogContext(flows=("book_appointment", "refill_request"), offered=("Monday", "Tuesday"))


def ask(text: str, **kw) -> GenerationRequest:
    return GenerationRequest(messages=(ChatMessage("system", "Be brief."), ChatMessage("user", text)), **kw)


def test_prompt_comes_from_the_gguf_chat_template(engine):
    assert "<|im_start|>" in engine.chat_template
    prompt = engine.render_prompt(ask("Where do I park?"))
    assert prompt == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhere do I park?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_streams_tokens(engine):
    async def run() -> list[str]:
        return [p async for p in engine.stream(ask("Hello", max_tokens=12, temperature=0.8, seed=3))]

    pieces = asyncio.run(run())
    assert len(pieces) >= 2 and engine.last_stats.completion_tokens >= 2
    assert engine.last_stats.first_token_s is not None


def test_grammar_constrained_output_parses_into_valid_commands(engine):
    schema = turn_schema(CONTEXT)
    schema["properties"]["commands"]["minItems"] = 1  # the test wants at least one command to check
    text = asyncio.run(complete(engine, ask("I need my pills refilled", max_tokens=700, json_schema=schema)))
    data = json.loads(text)
    commands = [command_from_dict(item) for item in data["commands"]]
    assert 1 <= len(commands) <= 4
    for c in commands:
        if c.name == "start_flow":
            assert c.flow in CONTEXT.flows


def test_a_cancelled_generation_stops_at_its_next_token(engine):
    # On the calling thread, so the test decides exactly when the cancel lands: however fast the
    # machine, not one more token is generated after it.
    token = CancelToken()
    story = ask("Tell me a long story", max_tokens=1500, temperature=0.9, seed=1)
    pieces = engine.generate_sync(story, token)
    got = [next(pieces) for _ in range(3)]
    produced = engine.last_stats.completion_tokens
    token.cancel()
    assert list(pieces) == []
    assert len(got) == 3 and engine.last_stats.cancelled
    assert engine.last_stats.completion_tokens == produced


def test_leaving_the_stream_at_barge_in_cancels_it_and_frees_the_engine(engine):
    async def run() -> tuple[int, CancelToken, str]:
        token = CancelToken()
        stream = engine.stream(ask("Tell me a long story", max_tokens=1500, temperature=0.9, seed=1), token)
        got = 0
        async for _ in stream:
            got += 1
            if got == 3:
                break
        await stream.aclose()  # barge-in
        # The next turn queues behind the cancelled one on the engine's one worker and gets its reply.
        reply = await complete(engine, ask("Next turn", max_tokens=2, seed=1))
        return got, token, reply

    got, token, reply = asyncio.run(run())
    assert got == 3 and token.cancelled
    assert reply and not engine.last_stats.cancelled and engine.last_stats.completion_tokens >= 1


def test_a_calls_prefix_stays_cached_across_its_turns(engine):
    system = ChatMessage("system", "You are the Riverside clinic assistant. " * 8)
    turn1 = (system, ChatMessage("user", "I want to book a visit"))

    async def run() -> tuple[int, int]:
        reply = await complete(engine, GenerationRequest(messages=turn1, max_tokens=6, seed=1))
        # Another call's turn runs in between and evaluates a different prompt.
        other = (ChatMessage("system", "Another call entirely."), ChatMessage("user", "Parking?"))
        await complete(engine, GenerationRequest(messages=other, max_tokens=6, seed=1))
        turn2 = (*turn1, ChatMessage("assistant", reply), ChatMessage("user", "Monday please"))
        await complete(engine, GenerationRequest(messages=turn2, max_tokens=4, seed=1))
        return engine.last_stats.reused_prefix_tokens, engine.last_stats.prompt_tokens

    reused, total = asyncio.run(run())
    assert reused >= 0.7 * total, (reused, total)


def test_hub_ids_and_missing_templates_are_refused(tmp_path):
    with pytest.raises(OfflineError, match="hub id"):
        asyncio.run(LlamaCppEngine("Qwen/Qwen3-8B-GGUF").start())
    bare = build_gguf(tmp_path / "no-template.gguf", chat_template=None, n_layer=1)
    with pytest.raises(LlmUnavailable, match=r"no tokenizer\.chat_template"):
        asyncio.run(LlamaCppEngine(bare, n_gpu_layers=0).start())
