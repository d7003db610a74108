"""The box's GGUF model, loaded once for every SIP worker: llama.cpp's OpenAI-compatible server.

With [llm] enabled and a GGUF model active, `wardline llm serve` (wardline-llm.service, or a child
of `wardline serve`) loads the model once and serves it with llama-cpp-python's own server
(`llama_cpp.server`: FastAPI under uvicorn) on `[llm] server_url`, loopback only. Every worker
asks it through the OpenAI-compatible client (openai_compat.py, llama.cpp dialect), so memory
holds one copy of the model whatever the worker count.

llama-cpp-python's server runs one generation at a time (one llama.cpp context behind a lock):
requests from several workers queue there. `interrupt_requests` is turned off: by default a new
request cuts the one streaming, so one caller's turn would end another's. A queued turn waits at
most its command deadline (DeadlineRouter), then the rule NLU answers it. For generations in
parallel on a GPU the box serves its model with vLLM instead (wardline-vllm@.service).

The server's state (pid, model, ready, requests in flight and answered) goes to llm.json in
DATA_DIR/run whenever it changes, for `wardline status`, `wardline doctor` and the supervisor:
counts only, nothing of a caller. SIGTERM or SIGINT stops it after the requests in flight.
SIGHUP (after `wardline models activate`): when another model is now active, it stops the same
way, and its supervisor (`wardline serve`, or systemd) starts it again on the new model; the
workers' own reload waits for the server to serve it. llama.cpp's server cannot swap a model in
place, and the turns asked meanwhile go to the rule NLU.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import os
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from appliance.config import Settings
from appliance.worker_state import write_state_file

log = logging.getLogger(__name__)

STATE_FILE = "llm.json"
GENERATION_PATHS = ("/v1/chat/completions", "/v1/completions")


class LocalServerError(Exception):
    """The box cannot serve its GGUF model (an address it may not bind, a model llama.cpp refuses)."""


@dataclass(frozen=True)
class ServerState:
    """What llm.json holds: the serving process and its load."""

    pid: int
    model: str
    url: str
    ready: bool = False
    in_flight: int = 0
    answered: int = 0


def listen_address(settings: Settings) -> tuple[str, int]:
    """Where the server listens: `[llm] server_url`'s host and port, loopback only (the workers
    are on this box; nothing else may reach the model)."""
    parts = urlsplit(settings.llm.server_url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback or parts.scheme != "http":
        raise LocalServerError(
            f"llm.server_url: {settings.llm.server_url!r}: the box serves its GGUF model on a loopback "
            "http address only (e.g. http://127.0.0.1:8000/v1)"
        )
    return ("127.0.0.1" if host == "localhost" else host), parts.port or 80


def state_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "run" / STATE_FILE


def read_server_state(settings: Settings) -> ServerState | None:
    """What the server last wrote, or None (never started, or unreadable)."""
    try:
        data = json.loads(state_path(settings).read_text(encoding="utf-8"))
        return ServerState(**data)
    except (OSError, ValueError, TypeError):
        return None


def _write_state(path: Path, state: ServerState) -> None:
    """Atomically: a reader sees the old file or the new one (blocking: run off the loop)."""
    write_state_file(path, asdict(state))


def model_settings(settings: Settings, path: Path, model_id: str) -> Any:
    """llama_cpp.server's settings for the box's model, all given here: its settings classes also
    read the environment, and nothing there may change what the box serves."""
    from llama_cpp.server.settings import ModelSettings

    llm = settings.llm
    threads = max(1, (os.cpu_count() or 2) // 2)
    return ModelSettings(
        model=str(path),
        model_alias=model_id,
        n_ctx=llm.n_ctx,
        n_gpu_layers=llm.n_gpu_layers,
        n_threads=threads,
        n_threads_batch=threads,
        seed=1234,
        chat_format=None,  # the GGUF's own tokenizer.chat_template, as the in-process engine renders
        chat_template_kwargs={"enable_thinking": False},  # Qwen3: a command, not a chain of thought
        cache=llm.prompt_cache_mb > 0,  # each call's prompt prefix stays evaluated across its turns
        cache_type="ram",
        cache_size=llm.prompt_cache_mb << 20,
        hf_model_repo_id=None,
        verbose=False,
    )


class _Counter:
    """ASGI middleware: generations in flight and answered, written to llm.json on every change."""

    def __init__(self, app: Any, on_change: Any) -> None:
        self.app = app
        self.on_change = on_change
        self.in_flight = 0
        self.answered = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("path") not in GENERATION_PATHS:
            await self.app(scope, receive, send)
            return
        self.in_flight += 1
        self.on_change()
        try:
            await self.app(scope, receive, send)
            self.answered += 1
        finally:
            self.in_flight -= 1
            self.on_change()


async def run_local_server(
    settings: Settings,
    path: Path,
    model_id: str,
    active: Callable[[], tuple[Path, str] | None] | None = None,
    on_ready: Callable[[str], None] = lambda status: None,
) -> None:
    """Load `path` and serve it as `model_id` until SIGTERM or SIGINT, or until SIGHUP finds
    that `active()` (blocking: the model the box serves now) is another one. `on_ready` hears
    once when it serves (the caller tells systemd: service/notify.py sits above this layer)."""
    from appliance.privacy.offline import enforce_offline, local_model_path

    enforce_offline()
    host, port = listen_address(settings)
    path = local_model_path(path, what="GGUF model")
    try:
        import uvicorn
        from llama_cpp.server.app import create_app
        from llama_cpp.server.settings import ServerSettings
    except ImportError as exc:
        raise LocalServerError(
            f"llama.cpp's server is not installed ({exc.name}): "
            "install wardline with llama-cpp-python[server] (the `models` extra)"
        ) from None
    model = model_settings(settings, path, model_id)
    server_settings = ServerSettings(host=host, port=port, interrupt_requests=False, api_key=None)
    try:  # create_app loads the model (seconds to minutes): off the loop
        app = await asyncio.to_thread(create_app, server_settings=server_settings, model_settings=[model])
    except (ValueError, RuntimeError, OSError) as exc:
        raise LocalServerError(f"{path}: llama.cpp cannot load this model ({exc})") from None

    loop = asyncio.get_running_loop()
    where = state_path(settings)
    url = f"http://{host}:{port}/v1"
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm-state")  # in order: last is newest
    counter = _Counter(app, lambda: report())
    config = uvicorn.Config(counter, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)

    def report() -> None:
        state = ServerState(
            os.getpid(), model_id, url, bool(server.started), counter.in_flight, counter.answered
        )
        loop.run_in_executor(writer, _write_state, where, state)

    async def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            await asyncio.sleep(0.05)
        report()
        on_ready(f"llm: {model_id} on {url}")
        log.info("LLM %s served on %s", model_id, url)

    async def reload() -> None:
        try:
            now = await asyncio.to_thread(active) if active is not None else (path, model_id)
        except Exception as exc:  # the running model stays (DESIGN invariant 7)
            log.error("model reload refused, %s stays: %s: %s", model_id, type(exc).__name__, exc)
            return
        if now != (path, model_id):
            log.info("the active model is now %s: stopping to be started on it", now[1] if now else "none")
            server.should_exit = True

    reloads: list[asyncio.Task[None]] = []
    loop.add_signal_handler(signal.SIGHUP, lambda: reloads.append(loop.create_task(reload())))
    announcing = loop.create_task(announce())
    try:
        await server.serve()  # uvicorn handles SIGTERM and SIGINT: in-flight requests finish
    finally:
        announcing.cancel()
        loop.remove_signal_handler(signal.SIGHUP)
        for task in reloads:
            task.cancel()
        writer.shutdown(wait=True)
        with contextlib.suppress(OSError):
            where.unlink()
    if not server.started:
        raise LocalServerError(f"the LLM server could not listen on {host}:{port} (in use?)")
