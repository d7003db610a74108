"""A real `wardline engines serve` process for tests: started, waited for, stopped by its pid."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from appliance.speech.shared.client import wait_for_engines
from tests.conftest import REPO
from tests.processes import stop

START_TIMEOUT_S = 300.0  # a net for a loaded CI box: the host builds the site model and its decoders


@dataclass
class EngineHost:
    process: subprocess.Popen[bytes]
    socket: Path
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def children(self) -> list[tuple[int, str]]:
        """(pid, command name) of every live descendant of the host process."""
        found: list[tuple[int, str]] = []
        todo = [self.process.pid]
        while todo:
            pid = todo.pop()
            for task in Path(f"/proc/{pid}/task").glob("*"):
                with contextlib.suppress(OSError):
                    for child in (task / "children").read_text().split():
                        with contextlib.suppress(OSError):
                            found.append((int(child), Path(f"/proc/{child}/comm").read_text().strip()))
                        todo.append(int(child))
        return found


def host_env(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {**os.environ, "WARDLINE_DATA_DIR": str(data_dir)}
    env.setdefault("WARDLINE_CONFIG", str(data_dir.parent / "absent.toml"))
    for key, value in settings.items():
        env[f"WARDLINE_{key.upper()}"] = value
    return env


@contextlib.contextmanager
def engine_host(data_dir: Path, streams: int = 2, **settings: str) -> Iterator[EngineHost]:
    """`wardline engines serve --streams N` with `settings` as WARDLINE_* overrides
    (speech__asr_workers="1", …), ready to serve when this yields."""
    data_dir.mkdir(parents=True, exist_ok=True)
    started = len(list(data_dir.parent.glob("engine-host-*")))
    log = data_dir.parent / f"engine-host-{started}.log"
    socket = data_dir / "run" / "engines.sock"
    command = [sys.executable, "-m", "appliance.cli.main", "engines", "serve", "--streams", str(streams)]
    with log.open("wb") as out:
        env = host_env(data_dir, **settings)
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
    host = EngineHost(process, socket, log)
    try:
        asyncio.run(_ready(host))
        yield host
    finally:
        stop(process, 30)


async def _ready(host: EngineHost) -> None:
    task = asyncio.ensure_future(wait_for_engines(host.socket, START_TIMEOUT_S))
    while not task.done():
        if host.process.poll() is not None:
            task.cancel()
            raise AssertionError(f"the engine host exited: {host.log.read_text()[-3000:]}")
        await asyncio.sleep(0.2)
    task.result()
