"""The language-model engine interface the dialog depends on, and what a request carries.

An engine streams text pieces for a chat request. Engines that compute in-process (llama.cpp)
do it in a worker thread; remote ones (an OpenAI-compatible server such as `vllm serve`) on
the event loop through an async HTTP client. Leaving the iteration early (barge-in, a passed
deadline, hang-up) cancels the generation: the in-process worker stops at the next token, the
server sees its request closed. `CancelledError` and `TimeoutError` pass through untouched.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Role = Literal["system", "user", "assistant"]


class LlmError(Exception):
    """An engine failed; the dialog answers that turn with the rule NLU or hands off."""

    code = "llm-failed"


class LlmUnavailable(LlmError):
    code = "llm-unavailable"


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class GenerationRequest:
    messages: tuple[ChatMessage, ...]
    max_tokens: int = 256
    temperature: float = 0.0
    json_schema: Mapping[str, Any] | None = None  # constrain the output to this schema
    stop: tuple[str, ...] = ()
    session: str | None = None  # the call id: its prompt prefix stays cached across its turns
    seed: int | None = None


@dataclass
class GenerationStats:
    """Figures of the last generation (in-process engines fill what they can see)."""

    prompt_tokens: int = 0
    reused_prefix_tokens: int = 0  # prompt tokens not evaluated again thanks to the prefix cache
    completion_tokens: int = 0
    first_token_s: float | None = None
    total_s: float = 0.0
    cancelled: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class CancelToken:
    """Set from any thread to stop a generation at its next token."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class LlmEngine(Protocol):
    name: str
    model_id: str

    async def start(self) -> None:
        """Load the model or reach the server; raises LlmError when it cannot."""

    def stream(self, request: GenerationRequest, cancel: CancelToken | None = None) -> AsyncIterator[str]:
        """Text pieces as they are generated; closing the iterator cancels the generation."""

    async def close(self) -> None: ...


async def complete(engine: LlmEngine, request: GenerationRequest, cancel: CancelToken | None = None) -> str:
    """The whole text of one generation."""
    parts = [piece async for piece in engine.stream(request, cancel)]
    return "".join(parts)
