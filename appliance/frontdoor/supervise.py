"""`wardline serve` in a checkout: Kamailio and N SIP workers as children, in the foreground.

The same parts the installed box runs as systemd units (deploy/systemd/wardline.target):
- with shared engines ([speech] engines), the engine process starts first: it loads the models
  once, and the workers wait for its socket before they take calls; one that dies after it was
  ready is restarted with the same backoff (the calls that needed it went to a person), one that
  dies before stops everything (a bad model fails the same way every time);
- so does the LLM server when the box serves a GGUF model ([llm] engine; `wardline llm serve`):
  the workers wait for it to answer before they take calls; while it is down their turns go
  to the rule NLU, and it is restarted;
- the workers start next, then Kamailio, whose OPTIONS probes put each worker in rotation;
- a worker that dies after it was ready is taken out of Kamailio's rotation at once (within
  POLL_S, rather than after missed probes) and restarted; its first answered probe puts it back;
- a worker that dies before it was ready stops everything: its error (a damaged key, a bad
  site pack) is the same for every worker, and it is already on stderr;
- SIGINT or SIGTERM: the workers drain (no new calls, active ones finish), Kamailio stops;
- SIGHUP goes to every worker (a new site pack or models, calls go on);
- every child gets SIGTERM from the kernel if this process dies (PR_SET_PDEATHSIG), so no
  worker or Kamailio outlives a killed `wardline serve`.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from appliance.config import Settings
from appliance.frontdoor.install import control_socket, install, kamailio_binary
from appliance.frontdoor.plan import Plan, Worker
from appliance.frontdoor.status import take_out_of_rotation
from appliance.worker_state import read_state

log = logging.getLogger(__name__)

POLL_S = 0.2
RESTART_BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0)  # after quick successive deaths
STABLE_S = 30.0  # a worker up this long has its backoff reset
STARTING_GRACE_S = 10.0  # a worker stopped before it was ready: then it is killed
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """preexec_fn: the kernel sends SIGTERM to this child when the supervisor dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass
class _Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    ready: bool = False
    deaths: int = 0
    restart_at: float | None = None
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, preexec_fn=_die_with_parent, env={**os.environ, **self.env}
        )
        self.started = time.monotonic()
        self.ready = False
        self.restart_at = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def exited(self) -> int | None:
        return self.process.poll() if self.process else None

    def signal(self, sig: int) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)


class Supervisor:
    """Runs the front door and the workers until a stop signal; returns the exit code."""

    def __init__(
        self,
        settings: Settings,
        plan: Plan,
        run_dir: Path,
        worker_command: Callable[[Worker], Sequence[str]],
        engines_command: Sequence[str] | None = None,
        llm_command: Sequence[str] | None = None,
    ) -> None:
        self.settings = settings
        self.plan = plan
        self.run_dir = run_dir
        self.workers = {
            w.index: _Child(f"SIP worker {w.index}", list(worker_command(w))) for w in plan.workers
        }
        self.engines = _Child("the engine process", list(engines_command)) if engines_command else None
        self.llm = _Child("the LLM server", list(llm_command)) if llm_command else None
        self.kamailio: _Child | None = None
        self._stop = 0  # the signal that asked us to stop
        self._hup = False

    def run(self) -> int:
        binary = kamailio_binary(self.settings)
        installed = install(self.settings, self.plan, self.run_dir)
        (self.run_dir / "workers").mkdir(parents=True, exist_ok=True)
        for stale in (self.run_dir / "workers").glob("worker-*.json"):
            stale.unlink(missing_ok=True)
        handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        previous = {s: signal.signal(s, self._on_signal) for s in handled}
        try:
            for service in self._services():
                service.start()
            for child in self.workers.values():
                child.start()
            self.kamailio = _Child(
                "front door", kamailio_argv(binary, self.settings, installed.config, self.run_dir)
            )
            self.kamailio.start()
            log.info(
                "front door on %s port %d, %d SIP workers (%d calls at once)",
                "/".join(self.settings.sip.transports),
                self.settings.sip.port,
                len(self.workers),
                self.plan.capacity,
            )
            return self._watch()
        finally:
            self._shutdown()
            for s, handler in previous.items():
                signal.signal(s, handler)

    def _on_signal(self, sig: int, _frame: object) -> None:
        if sig == signal.SIGHUP:
            self._hup = True
        else:
            self._stop = sig

    def _watch(self) -> int:
        assert self.kamailio is not None
        while not self._stop:
            if self._hup:
                self._hup = False
                for child in [*self.workers.values(), *self._services()]:
                    child.signal(signal.SIGHUP)
            code = self.kamailio.exited()
            if code is not None:
                log.error("the front door (kamailio) exited with %d; restarting it", code)
                self.kamailio.start()
            failed = self.tend_engines()
            if failed is None:
                failed = self.tend_llm()
            if failed is not None:
                return failed
            for index, child in self.workers.items():
                ready = functools.partial(self._worker_ready, index)
                failed = self._tend(child, ready, functools.partial(self._out_of_rotation, index))
                if failed is not None:
                    return failed
            time.sleep(POLL_S)
        return 0

    def tend_engines(self) -> int | None:
        """Restart the engine process if it died after it was ready; its exit code when it
        failed before (a model that cannot load: serve stops and says why)."""
        return self._tend(self.engines, self._engines_ready) if self.engines is not None else None

    def tend_llm(self) -> int | None:
        """The same for the LLM server."""
        return self._tend(self.llm, self._llm_ready) if self.llm is not None else None

    def _services(self) -> list[_Child]:
        """The processes the workers use, started before them and stopped after them."""
        return [child for child in (self.engines, self.llm) if child is not None]

    def _llm_ready(self, child: _Child) -> bool:
        from appliance.llm.local_server import read_server_state

        state = read_server_state(self.settings)
        return bool(state and state.ready and state.pid == child.pid)

    def _worker_ready(self, index: int, child: _Child) -> bool:
        state = read_state(self.run_dir, index)
        return bool(state and state.ready and state.pid == child.pid)

    def _engines_ready(self, child: _Child) -> bool:
        from appliance.speech.shared.protocol import engine_socket
        from appliance.speech.shared.state import read_engine_state

        state = read_engine_state(engine_socket(self.settings))
        return bool(state and state.get("ready") and state.get("pid") == child.pid)

    def _out_of_rotation(self, index: int) -> None:
        worker = next(w for w in self.plan.workers if w.index == index)
        take_out_of_rotation(control_socket(self.run_dir), worker.uri)

    def _tend(
        self,
        child: _Child,
        is_ready: Callable[[_Child], bool],
        on_death: Callable[[], None] | None = None,
    ) -> int | None:
        """Restart a dead child; an exit code when one failed before it was ever ready.
        `on_death` runs first for one that dies after it was ready."""
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                log.info("restarting %s", child.name)
                child.start()
            return None
        code = child.exited()
        if code is None:
            if not child.ready:
                child.ready = is_ready(child)
            if child.ready and now - child.started > STABLE_S:
                child.deaths = 0
            return None
        if not child.ready and child.deaths == 0:
            log.error("%s could not start (exit %d): stopping", child.name, code)
            return code or 1
        if on_death is not None:
            on_death()
        delay = RESTART_BACKOFF_S[min(child.deaths, len(RESTART_BACKOFF_S) - 1)]
        child.deaths += 1
        log.error("%s exited (%d): restarting in %.1f s", child.name, code, delay)
        child.restart_at = now + delay
        return None

    def _shutdown(self) -> None:
        """Workers drain first (up to sip.drain_timeout_s), then the front door stops. A worker
        still loading its engines has no call to finish: it gets a short grace, not the drain."""
        for child in self.workers.values():
            child.signal(signal.SIGTERM)
        drain = time.monotonic() + self.settings.sip.drain_timeout_s + 10
        for child in self.workers.values():
            _wait(child, drain if child.ready else time.monotonic() + STARTING_GRACE_S)
        if self.kamailio is not None:
            self.kamailio.signal(signal.SIGTERM)
            _wait(self.kamailio, time.monotonic() + 10)
        for service in self._services():  # last: the draining calls were still using them
            service.signal(signal.SIGTERM)
        for service in self._services():
            _wait(service, time.monotonic() + 15)


def kamailio_argv(binary: str, settings: Settings, config: Path, run_dir: Path) -> list[str]:
    """Kamailio in the foreground (-DD), logging to stderr (-E: the terminal or the journal)."""
    return [
        binary, "-DD", "-E", "-f", str(config), "-P", str(run_dir / "kamailio.pid"),
        "-Y", str(run_dir), "-m", str(settings.frontdoor.shared_memory_mb),
    ]  # fmt: skip


def _wait(child: _Child, deadline: float) -> None:
    if child.process is None:
        return
    try:
        child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        child.process.kill()
        child.process.wait()
