"""An LLM behind an OpenAI-compatible server, as `vllm serve` runs it on the GPU box.

Runs on the event loop: httpx's async client streams the server-sent events, so nothing here
blocks. Leaving the stream early closes the HTTP response, and vLLM aborts a request whose
client went away, so barge-in frees the GPU. Commands are constrained with guided JSON
(`response_format` json_schema for vLLM; llama.cpp's server takes its own json_object form).
Only loopback or the site's declared networks may be addressed: nothing leaves the box.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from appliance.llm.base import CancelToken, GenerationRequest, GenerationStats, LlmError, LlmUnavailable

Dialect = Literal["vllm", "llama.cpp"]


def check_address(url: str, site_networks: Sequence[str] = ()) -> None:
    """Refuse any server outside loopback and the site's declared networks (invariant 1)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise LlmUnavailable(
            f"LLM server {url!r}: give an IP address (loopback or a site network), not a host name"
        ) from None
    if address.is_loopback or any(address in ipaddress.ip_network(n, strict=False) for n in site_networks):
        return
    raise LlmUnavailable(f"LLM server {url!r} is outside loopback and the site's networks")


class OpenAiCompatEngine:
    name = "openai-compatible"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        dialect: Dialect = "vllm",
        timeout_s: float = 30.0,
        connect_timeout_s: float = 2.0,
        site_networks: Sequence[str] = (),
        start_timeout_s: float = 0.0,
    ) -> None:
        check_address(base_url, site_networks)
        self.start_timeout_s = start_timeout_s  # the box's own server may still be loading its model
        self.base_url = base_url.rstrip("/")
        self.model_id = model
        self.dialect = dialect
        self._timeout = httpx.Timeout(timeout_s, connect=connect_timeout_s)
        self._client: httpx.AsyncClient | None = None
        self.last_stats = GenerationStats()

    async def start(self) -> None:
        # trust_env=False: no proxy from the environment may route a request off the box.
        self._client = httpx.AsyncClient(base_url=self.base_url, timeout=self._timeout, trust_env=False)
        deadline = time.monotonic() + self.start_timeout_s
        while True:
            try:
                served = await self.served_models()
                break
            except LlmUnavailable:
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(0.2)
        if self.model_id not in served:
            raise LlmUnavailable(f"{self.base_url} serves {served}, not {self.model_id!r}")

    async def served_models(self) -> list[str]:
        try:
            response = await self._require_client().get("/models")
            response.raise_for_status()
            return [m["id"] for m in response.json().get("data", [])]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise LlmUnavailable(f"{self.base_url}: no usable /models answer ({exc})") from None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def payload(self, request: GenerationRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model_id,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
        }
        if request.stop:
            body["stop"] = list(request.stop)
        if request.seed is not None:
            body["seed"] = request.seed
        if request.json_schema is not None:
            schema = dict(request.json_schema)
            if self.dialect == "vllm":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "output", "schema": schema, "strict": True},
                }
                body["chat_template_kwargs"] = {"enable_thinking": False}
            else:
                body["response_format"] = {"type": "json_object", "schema": schema}
        return body

    async def stream(
        self, request: GenerationRequest, cancel: CancelToken | None = None
    ) -> AsyncIterator[str]:
        client = self._require_client()
        stats = GenerationStats()
        self.last_stats = stats
        started = time.perf_counter()
        finished = False
        try:
            async with client.stream("POST", "/chat/completions", json=self.payload(request)) as response:
                if response.status_code != 200:
                    body = (await response.aread())[:300].decode("utf-8", "replace")
                    raise LlmError(f"{self.base_url}: HTTP {response.status_code}: {body}")
                async for piece in _sse_pieces(response):
                    if cancel is not None and cancel.cancelled:
                        stats.cancelled = True
                        break
                    stats.completion_tokens += 1
                    if stats.first_token_s is None:
                        stats.first_token_s = time.perf_counter() - started
                    yield piece
                finished = True
        except httpx.TimeoutException as exc:
            raise TimeoutError(f"{self.base_url}: no answer in time ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise LlmUnavailable(f"{self.base_url}: {type(exc).__name__}: {exc}") from None
        finally:
            # Left early (barge-in, deadline): closing the response above closed the request.
            stats.cancelled = stats.cancelled or not finished
            stats.total_s = time.perf_counter() - started

    def _require_client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise LlmUnavailable(f"{self.model_id}: not started (await start() first)")
        return self._client


async def _sse_pieces(response: httpx.Response) -> AsyncIterator[str]:
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            choice = json.loads(data)["choices"][0]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LlmError("server sent an event that is not a chat completion chunk") from None
        text = (choice.get("delta") or {}).get("content") or choice.get("text") or ""
        if text:
            yield text
