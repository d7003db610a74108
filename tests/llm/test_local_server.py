"""The box's GGUF model served once (`wardline llm serve`, llama.cpp's OpenAI-compatible server)
for every SIP worker; a server that dies leaves no caller in silence.

The model is the tiny random-weight GGUF (tests/fixtures/tiny_models.py): no real small GGUF comes
from the package registry, and these tests check the wiring and the failure path, not answers.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appliance.cli.main import app
from appliance.cli.serve import _llm_command
from appliance.config import load_settings
from appliance.dialog.commands import HandOff
from appliance.dialog.llm_understanding import DeadlineRouter, LlmCommandGenerator
from appliance.dialog.nlu import RuleNlu
from appliance.dialog.sitepack import load_site
from appliance.dialog.understanding import DialogContext
from appliance.frontdoor.plan import plan, worker_settings
from appliance.frontdoor.status import llm_status
from appliance.frontdoor.supervise import Supervisor
from appliance.llm.base import ChatMessage, GenerationRequest, complete
from appliance.llm.local_server import ServerState, read_server_state
from appliance.llm.openai_compat import OpenAiCompatEngine
from appliance.registry.engines import llm_for
from appliance.registry.registry import ModelRegistry
from appliance.service.doctor import check_llm
from appliance.worker_state import run_dir
from tests.conftest import REPO
from tests.fixtures.tiny_models import build_gguf
from tests.processes import free_port, stop
from tests.registry.conftest import write_manifest

MODEL_ID = "tiny-served"
START_NET_S = 180.0  # a loaded 2-core box: the model load and the interpreter start

# One worker's process, as `wardline worker N` builds its LLM: the box's settings resolved for
# that worker (frontdoor/plan.py), the engine from registry/engines.py, one short generation.
WORKER = """
import asyncio, json, sys
from typer.testing import CliRunner

from appliance.cli.main import app
from appliance.cli.serve import _llm_command
from appliance.config import load_settings
from appliance.frontdoor.plan import plan, worker_settings
from appliance.frontdoor.status import llm_status
from appliance.worker_state import run_dir
from appliance.frontdoor.supervise import Supervisor
from appliance.llm.base import ChatMessage, GenerationRequest, complete
from appliance.llm.base import ChatMessage, GenerationRequest, complete
from appliance.registry.engines import llm_for

async def main():
    settings = load_settings()
    me = plan(settings, 2).workers[int(sys.argv[1]) - 1]
    engine = llm_for(worker_settings(settings, me))
    await engine.start()
    request = GenerationRequest((ChatMessage("user", "Hello"),), max_tokens=6, seed=1)
    await complete(engine, request)
    await engine.close()
    print(json.dumps({"engine": type(engine).__name__, "url": engine.base_url,
                      "llama_cpp_loaded": "llama_cpp" in sys.modules}))

asyncio.run(main())
"""


@pytest.fixture
def gguf_box(tiny_gguf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A box with [llm] on and a GGUF active."""
    port = free_port()
    monkeypatch.setenv("WARDLINE_LLM__ENABLED", "true")
    monkeypatch.setenv("WARDLINE_LLM__N_GPU_LAYERS", "0")
    monkeypatch.setenv("WARDLINE_LLM__N_CTX", "2048")
    monkeypatch.setenv("WARDLINE_LLM__PROMPT_CACHE_MB", "16")
    monkeypatch.setenv("WARDLINE_LLM__SERVER_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("WARDLINE_MODELS__LLM_ACCEPTANCE", "false")  # random weights: the wiring only
    registry = ModelRegistry(load_settings())
    manifest = write_manifest(
        tmp_path / "served.yaml", MODEL_ID, "llm", "llama.cpp", [tiny_gguf], architecture="llama"
    )
    registry.install(tiny_gguf, manifest_path=manifest)
    registry.activate(MODEL_ID)


@pytest.fixture
def box(gguf_box: None, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """That box's LLM server, started as `wardline serve` starts it."""
    log = tmp_path / "llm-serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "appliance.cli.main", "llm", "serve"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        _wait_ready(proc, log)
        yield proc
    finally:
        stop(proc, 30)


def _wait_ready(proc: subprocess.Popen[bytes], log: Path) -> ServerState:
    deadline = time.monotonic() + START_NET_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"wardline llm serve exited: {log.read_text(errors='replace')[-800:]}")
        state = read_server_state(load_settings())
        if state is not None and state.ready and state.pid == proc.pid:
            return state
        if time.monotonic() > deadline:
            pytest.fail(f"wardline llm serve not ready in {START_NET_S:.0f} s")
        time.sleep(0.2)


def _answered_at_least(count: int) -> ServerState:
    """The server writes its counts off its loop: wait for them, with a generous net."""
    deadline = time.monotonic() + 60
    while True:
        state = read_server_state(load_settings())
        if state is not None and state.answered >= count and state.in_flight == 0:
            return state
        if time.monotonic() > deadline:
            pytest.fail(f"the server's state never showed {count} answers: {state}")
        time.sleep(0.1)


def test_two_workers_are_answered_by_the_one_server_process(box: subprocess.Popen[bytes]) -> None:
    server_pid = box.pid
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(index)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for index in (1, 2)
    ]
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=START_NET_S)
        assert worker.returncode == 0, err.decode(errors="replace")[-800:]
        outputs.append(json.loads(out.decode().strip().splitlines()[-1]))
    url = load_settings().llm.server_url
    for seen in outputs:
        # each worker asked the box's server, and never loaded llama.cpp (nor the model) itself
        assert seen == {"engine": "OpenAiCompatEngine", "url": url, "llama_cpp_loaded": False}
    state = _answered_at_least(2)
    assert state.pid == server_pid and state.model == MODEL_ID and state.answered == 2
    # what `wardline status --json` and `wardline doctor` say of it
    shown = llm_status(load_settings())
    assert (shown["running"], shown["pid"], shown["model"], shown["answered"]) == (
        True,
        server_pid,
        MODEL_ID,
        2,
    )
    check = check_llm(load_settings())
    assert check.status == "ok" and MODEL_ID in check.detail


def test_a_worker_of_the_box_uses_the_server_and_a_single_command_loads_its_own(
    box: subprocess.Popen[bytes],
) -> None:
    settings = load_settings()
    worker = worker_settings(settings, plan(settings, 2).workers[0])
    assert worker.llm.engine == "shared" and isinstance(llm_for(worker), OpenAiCompatEngine)
    in_process = settings.model_copy(update={"llm": settings.llm.model_copy(update={"engine": "in-process"})})
    assert type(llm_for(in_process)).__name__ == "LlamaCppEngine"
    # wardline-llm.service's ExecCondition: this box serves its GGUF model
    assert CliRunner().invoke(app, ["llm", "needed"]).exit_code == 0


def test_the_llm_unit_is_skipped_on_a_box_that_serves_no_gguf_model() -> None:
    assert CliRunner().invoke(app, ["llm", "needed"]).exit_code == 1  # [llm] off


def test_a_server_that_dies_mid_call_leaves_the_turn_to_the_rules_and_the_caller_reaches_a_person(
    box: subprocess.Popen[bytes],
) -> None:
    settings = load_settings()
    engine = llm_for(worker_settings(settings, plan(settings, 2).workers[0]))
    site = load_site(REPO / "policies" / "riverside")
    router = DeadlineRouter(LlmCommandGenerator(engine), RuleNlu(site), deadline_ms=5000)
    context = DialogContext(flows=tuple(site.flows))

    async def call() -> list[object]:
        await engine.start()  # the worker started while the server was up
        box.kill()  # as the OOM killer would
        await asyncio.to_thread(box.wait)
        try:
            return await router.propose("I want to talk to a person please", context)
        finally:
            await engine.close()

    commands = asyncio.run(call())
    outcome = router.last_outcome
    assert outcome is not None and (outcome.source, outcome.reason) == ("fallback", "engine-error")
    assert any(isinstance(c, HandOff) for c in commands), commands
    assert check_llm(settings).status == "fail" and not llm_status(settings)["running"]


def test_serve_refuses_a_server_address_off_the_box(tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDLINE_LLM__ENABLED", "true")
    monkeypatch.setenv("WARDLINE_LLM__SERVER_URL", "http://192.0.2.7:8000/v1")
    from appliance.llm.local_server import LocalServerError, listen_address

    with pytest.raises(LocalServerError, match="loopback http address only"):
        listen_address(load_settings())


def test_serve_restarts_a_killed_llm_server_and_the_workers_are_answered_again(gguf_box: None) -> None:
    settings = load_settings()
    planned = plan(settings, 1)
    command = _llm_command(settings)
    assert command == [sys.executable, "-m", "appliance.cli.main", "llm", "serve"]
    supervisor = Supervisor(settings, planned, run_dir(settings), lambda worker: ["true"], None, command)
    llm = supervisor.llm
    assert llm is not None

    def tend_until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + START_NET_S
        while not condition():
            assert supervisor.tend_llm() is None, f"serve would stop while waiting for {what}"
            assert time.monotonic() < deadline, f"never {what}"
            time.sleep(0.2)

    try:
        llm.start()
        tend_until(lambda: llm.ready, "the LLM server ready")
        first = llm.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        tend_until(lambda: llm.pid != first and llm.ready, "a restarted LLM server")
        engine = llm_for(worker_settings(settings, planned.workers[0]))

        async def ask() -> None:
            await engine.start()
            try:
                await complete(engine, GenerationRequest((ChatMessage("user", "Hello"),), max_tokens=4))
            finally:
                await engine.close()

        asyncio.run(ask())
        state = _answered_at_least(1)
        assert state.pid == llm.pid != first
    finally:
        supervisor._shutdown()
    assert llm.exited() is not None  # the LLM server stops with serve


def test_a_newly_activated_model_stops_the_server_to_be_started_on_it(
    box: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    registry = ModelRegistry(load_settings())
    other = build_gguf(tmp_path / "other.gguf", seed=7, n_layer=1)
    manifest = write_manifest(
        tmp_path / "other.yaml", "tiny-next", "llm", "llama.cpp", [other], architecture="llama"
    )
    registry.install(other, manifest_path=manifest)
    registry.activate("tiny-next")  # SIGHUPs the box's services, the LLM server among them
    assert box.wait(timeout=START_NET_S) == 0  # stopped cleanly: its supervisor starts it on the new model
