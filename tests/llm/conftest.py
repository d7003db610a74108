"""LLM fixtures: a random-weight GGUF in the real llama.cpp engine, and llama-cpp-python's
OpenAI-compatible server on the same file as the stand-in for vLLM's API."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from appliance.llm.llama_cpp import LlamaCppEngine
from appliance.privacy.offline import OFFLINE_ENVIRONMENT
from tests.fixtures.tiny_models import build_gguf
from tests.processes import free_port, stop

SERVED_NAME = "tiny"


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python comes with `pip install -e .[dev]`")
    return build_gguf(tmp_path_factory.mktemp("gguf") / "tiny-llama.gguf")


@pytest.fixture(scope="module")
def engine(tiny_gguf: Path) -> Iterator[LlamaCppEngine]:
    e = LlamaCppEngine(tiny_gguf, model_id="tiny", n_ctx=2048, n_gpu_layers=0, n_threads=1)
    asyncio.run(e.start())
    yield e
    asyncio.run(e.close())


@pytest.fixture(scope="session")
def server(tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on the tiny GGUF: the stand-in for vLLM."""
    pytest.importorskip("uvicorn", reason="llama-cpp-python[server] comes with `pip install -e .[dev]`")
    port = free_port()
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(tiny_gguf), "--model_alias", SERVED_NAME]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1"]
    argv += ["--n_gpu_layers", "0"]
    log = tmp_path_factory.mktemp("server") / "server.log"
    proc = subprocess.Popen(
        argv, env={**os.environ, **OFFLINE_ENVIRONMENT}, stdout=subprocess.DEVNULL, stderr=log.open("wb")
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text(errors='replace')[-800:]}")
            try:
                if httpx.get(f"{url}/models", timeout=1.0, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not come up in 60 s")
            time.sleep(0.2)
        yield url
    finally:
        stop(proc, 10)
