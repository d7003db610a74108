"""The OpenAI-compatible engine against llama-cpp-python's own server (the stand-in for vLLM)."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest

from appliance.dialog.commands import command_from_dict
from appliance.dialog.llm_understanding import turn_schema
from appliance.dialog.understanding import DialogContext
from appliance.llm.base import ChatMessage, GenerationRequest, LlmUnavailable, complete
from appliance.llm.openai_compat import OpenAiCompatEngine, check_address

CONTEXT = DialogContext(flows=("book_appointment", "refill_request"))


def ask(text: str, **kw) -> GenerationRequest:
    return GenerationRequest(messages=(ChatMessage("user", text),), **kw)


def test_streams_and_guided_json_parses_into_commands(server):
    async def run() -> tuple[list[str], str]:
        engine = OpenAiCompatEngine(server, "tiny", dialect="llama.cpp")
        await engine.start()
        try:
            pieces = [p async for p in engine.stream(ask("Hello", max_tokens=10, temperature=0.8, seed=5))]
            schema = turn_schema(CONTEXT)
            schema["properties"]["commands"]["minItems"] = 1
            text = await complete(engine, ask("refill please", max_tokens=700, json_schema=schema))
            return pieces, text
        finally:
            await engine.close()

    pieces, text = asyncio.run(run())
    assert len(pieces) >= 2
    commands = [command_from_dict(item) for item in json.loads(text)["commands"]]
    assert commands


def test_cancel_closes_the_request_and_the_server_serves_the_next(server):
    async def run() -> tuple[bool, int, str]:
        engine = OpenAiCompatEngine(server, "tiny", dialect="llama.cpp")
        await engine.start()
        try:
            stream = engine.stream(ask("A long story", max_tokens=120, temperature=0.9, seed=1))
            await anext(stream)
            await stream.aclose()  # barge-in: the response is closed, no more pieces are read
            cancelled = engine.last_stats
            after = await complete(engine, ask("Next", max_tokens=2, temperature=0.0))
            return cancelled.cancelled, cancelled.completion_tokens, after
        finally:
            await engine.close()

    cancelled, pieces, _ = asyncio.run(run())
    assert cancelled and pieces == 1


def test_a_model_the_server_does_not_serve_is_refused(server):
    async def run() -> None:
        engine = OpenAiCompatEngine(server, "qwen3-8b-awq")
        try:
            await engine.start()
        finally:
            await engine.close()

    with pytest.raises(LlmUnavailable, match="not 'qwen3-8b-awq'"):
        asyncio.run(run())


def test_a_silent_server_times_out():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"

        async def run() -> None:
            engine = OpenAiCompatEngine(url, "tiny", timeout_s=0.3)
            with pytest.raises(LlmUnavailable, match="no usable /models answer"):
                await engine.start()
            try:
                with pytest.raises(TimeoutError):
                    await complete(engine, ask("hello"))
            finally:
                await engine.close()

        asyncio.run(run())


def test_only_loopback_or_site_networks_are_addressed():
    check_address("http://127.0.0.1:8000/v1")
    check_address("http://10.20.0.5:8000/v1", ["10.20.0.0/16"])
    with pytest.raises(LlmUnavailable, match="outside loopback"):
        check_address("http://8.8.8.8:8000/v1")
    with pytest.raises(LlmUnavailable, match="not a host name"):
        check_address("http://api.example.com/v1")


def test_vllm_requests_use_guided_json_and_no_thinking():
    engine = OpenAiCompatEngine("http://127.0.0.1:8000/v1", "qwen3-8b-awq", dialect="vllm")
    body = engine.payload(ask("hi", json_schema={"type": "object"}))
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == {"type": "object"}
    assert body["chat_template_kwargs"] == {"enable_thinking": False} and body["stream"] is True
