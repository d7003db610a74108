"""llama.cpp in-process (llama-cpp-python, GGUF): chat template from the GGUF, streaming tokens.

Threads: one worker thread per engine runs every generation (llama.cpp's context serves one
sequence at a time); requests queue behind it. The worker hands each piece to the event loop
with call_soon_threadsafe; the loop never computes. Leaving the stream early sets the cancel
token and the worker stops before the next token, so barge-in frees the engine at once.

The prompt is rendered from the GGUF's own `tokenizer.chat_template` (never a guessed format).
Output is constrained by a grammar built from the request's JSON schema. A RAM cache of
evaluated prompt states keeps each call's prompt prefix (system prompt, earlier turns) so a
call's next turn evaluates only its new words, even when other calls ran in between.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from appliance.llm.base import (
    CancelToken,
    GenerationRequest,
    GenerationStats,
    LlmError,
    LlmUnavailable,
)
from appliance.privacy.offline import enforce_offline, local_model_path

_DONE = object()


class LlamaCppEngine:
    name = "llama.cpp"

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        *,
        model_id: str = "",
        n_ctx: int = 4096,
        n_gpu_layers: int = -1,
        n_threads: int | None = None,
        prompt_cache_bytes: int = 256 * 1024 * 1024,
        seed: int = 1234,
    ) -> None:
        self.model_path = Path(os.fspath(model_path))
        self.model_id = model_id or self.model_path.stem
        self._n_ctx = n_ctx
        self._n_gpu_layers = n_gpu_layers
        self._n_threads = n_threads or max(1, (os.cpu_count() or 2) // 2)
        self._cache_bytes = prompt_cache_bytes
        self._seed = seed
        self._llm: Any = None
        self._template: Any = None
        self._eos_text = ""
        self._grammars: dict[str, Any] = {}
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama-cpp")
        self.last_stats = GenerationStats()

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._worker, self.load)

    def load(self) -> None:
        """Load the GGUF (blocking; `start` runs this in the worker)."""
        if self._llm is not None:
            return
        enforce_offline()
        path = local_model_path(self.model_path, what="GGUF model")
        if not path.is_file() or path.suffix != ".gguf":
            raise LlmUnavailable(f"{path}: llama.cpp needs a .gguf file")
        from llama_cpp import Llama, LlamaRAMCache

        try:
            llm = Llama(
                model_path=str(path),
                n_ctx=self._n_ctx,
                n_gpu_layers=self._n_gpu_layers,
                n_threads=self._n_threads,
                seed=self._seed,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise LlmUnavailable(f"{path}: llama.cpp cannot load this model ({exc})") from None
        template_text = llm.metadata.get("tokenizer.chat_template")
        if not template_text:
            raise LlmUnavailable(f"{path}: the GGUF carries no tokenizer.chat_template")
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.globals["raise_exception"] = _raise_template_error
        self._template = env.from_string(template_text)
        eos = llm.token_eos()
        self._eos_text = llm._model.token_get_text(eos) if eos >= 0 else ""
        if self._cache_bytes > 0:
            llm.set_cache(LlamaRAMCache(capacity_bytes=self._cache_bytes))
        self._llm = llm

    async def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)
        if self._llm is not None:
            with contextlib.suppress(Exception):
                self._llm.close()
            self._llm = None

    @property
    def chat_template(self) -> str:
        return "" if self._llm is None else str(self._llm.metadata.get("tokenizer.chat_template", ""))

    # ---- generation ------------------------------------------------------------------------

    def render_prompt(self, request: GenerationRequest) -> str:
        """The prompt text as the GGUF's chat template renders it (no BOS: the tokenizer adds it)."""
        self._require_loaded()
        return self._template.render(
            messages=[{"role": m.role, "content": m.content} for m in request.messages],
            add_generation_prompt=True,
            bos_token="",
            eos_token=self._eos_text,
            enable_thinking=False,  # Qwen3: a command or an answer, not a visible chain of thought
        )

    async def stream(
        self, request: GenerationRequest, cancel: CancelToken | None = None
    ) -> AsyncIterator[str]:
        self._require_loaded()
        token = cancel or CancelToken()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()

        def push(item: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        loop.run_in_executor(self._worker, self._generate_into, request, token, push)
        try:
            while True:
                item = await queue.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            # A no-op after a full run; on barge-in the worker stops before its next token.
            # Worker errors arrive through the queue, so nothing is raised from here.
            token.cancel()

    def generate_sync(self, request: GenerationRequest, cancel: CancelToken | None = None) -> Iterator[str]:
        """The same generation on the calling thread (benchmarks, health checks)."""
        self._require_loaded()
        yield from self._pieces(request, cancel or CancelToken())

    def _generate_into(self, request: GenerationRequest, token: CancelToken, push: Any) -> None:
        try:
            if not token.cancelled:
                for piece in self._pieces(request, token):
                    push(piece)
        except Exception as exc:
            push(LlmError(f"llama.cpp generation failed ({type(exc).__name__}: {exc})"))
        finally:
            push(_DONE)

    def _pieces(self, request: GenerationRequest, token: CancelToken) -> Iterator[str]:
        # Token by token through Llama.generate, not create_completion: the cancel token is
        # checked after every token (create_completion can hold text back for many tokens while
        # it waits for whole UTF-8 characters), and each token is decoded once, incrementally.
        import llama_cpp

        llm = self._llm
        tokens = llm.tokenize(self.render_prompt(request).encode("utf-8"), add_bos=True, special=True)
        if len(tokens) + request.max_tokens > self._n_ctx:
            raise LlmError(f"prompt of {len(tokens)} tokens does not fit a context of {self._n_ctx}")
        stats = GenerationStats(prompt_tokens=len(tokens), reused_prefix_tokens=self._reusable_prefix(tokens))
        self.last_stats = stats
        self._restore_cached_prefix(tokens)
        llm.set_seed(request.seed if request.seed is not None else self._seed)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        grammar = self._grammar(request.json_schema) if request.json_schema else None
        completion: list[int] = []
        text = ""
        started = time.perf_counter()
        generator = llm.generate(tokens, temp=request.temperature, grammar=grammar)
        try:
            for new in generator:
                if token.cancelled:
                    stats.cancelled = True
                    break
                if llama_cpp.llama_vocab_is_eog(llm._model.vocab, new):
                    break
                completion.append(new)
                stats.completion_tokens += 1
                piece = decoder.decode(_token_bytes(llm, new))
                if piece:
                    text += piece
                    if request.stop and any(s in text for s in request.stop):
                        yield _before_stop(piece, text, request.stop)
                        break
                    if stats.first_token_s is None:
                        stats.first_token_s = time.perf_counter() - started
                    yield piece
                if len(completion) >= request.max_tokens:
                    break
        finally:
            generator.close()
            stats.total_s = time.perf_counter() - started
            if llm.cache is not None and not stats.cancelled:
                llm.cache[tokens + completion] = llm.save_state()

    def _restore_cached_prefix(self, tokens: list[int]) -> None:
        from llama_cpp import Llama

        llm = self._llm
        if llm.cache is None:
            return
        try:
            state = llm.cache[tokens]
        except KeyError:
            return
        cached = Llama.longest_token_prefix(state.input_ids.tolist(), tokens)
        if cached > Llama.longest_token_prefix(llm._input_ids.tolist(), tokens):
            llm.load_state(state)

    def _reusable_prefix(self, tokens: list[int]) -> int:
        from llama_cpp import Llama

        llm = self._llm
        best = Llama.longest_token_prefix(llm._input_ids.tolist(), tokens)
        cache = llm.cache
        if cache is not None:
            with contextlib.suppress(Exception):
                key = cache._find_longest_prefix_key(tuple(tokens))
                if key is not None:
                    best = max(best, Llama.longest_token_prefix(key, tokens))
        return best

    def _grammar(self, schema: Any) -> Any:
        text = json.dumps(schema, sort_keys=True)
        grammar = self._grammars.get(text)
        if grammar is None:
            from llama_cpp import LlamaGrammar

            try:
                grammar = LlamaGrammar.from_json_schema(text, verbose=False)
            except Exception as exc:
                raise LlmError(f"JSON schema cannot be turned into a grammar ({exc})") from None
            self._grammars[text] = grammar
        return grammar

    def _require_loaded(self) -> None:
        if self._llm is None:
            raise LlmUnavailable(f"{self.model_id}: not loaded (await start() first)")


def _token_bytes(llm: Any, token: int) -> bytes:
    """One token's bytes (llama.cpp's own call; the binding's helper keeps buffer padding)."""
    import ctypes

    import llama_cpp

    size = 64
    while True:
        buffer = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_token_to_piece(llm._model.vocab, token, buffer, size, 0, False)
        if n >= 0:
            return buffer.raw[:n]
        size = -n  # the piece needs this many bytes


def _before_stop(piece: str, text: str, stops: tuple[str, ...]) -> str:
    """The part of the last piece that comes before the first stop string."""
    cut = min(text.find(s) for s in stops if s in text)
    return piece[: max(0, len(piece) - (len(text) - cut))]


def _raise_template_error(message: str) -> None:
    raise LlmError(f"chat template refused the conversation: {message}")
