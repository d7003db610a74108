"""A throwaway PostgreSQL cluster for tests, on a local port, removed afterwards.

Installs Debian's `postgresql` with apt-get when its binaries are missing (and we may), then
runs initdb and pg_ctl in a temporary folder. As root the cluster runs as the `postgres` user
(PostgreSQL refuses to run as root). Tests skip, with the reason, only where it cannot be had.

Use the `postgres_url` fixture (import it into a test module or a conftest):
    from tests.pg import postgres_url  # noqa: F401
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import free_port


class Unavailable(Exception):
    """PostgreSQL cannot be installed or started here; the message says why."""


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def _install() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise Unavailable("postgresql is not installed and apt-get cannot be run here (need root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"]):
        try:
            subprocess.run(cmd, env=env, capture_output=True, check=True, timeout=600)
        except (subprocess.SubprocessError, OSError) as exc:
            raise Unavailable(f"installing postgresql failed ({' '.join(cmd)}): {exc}") from None


class Cluster:
    def __init__(self) -> None:
        bindir = _bin_dir()
        if bindir is None:
            _install()
            bindir = _bin_dir()
        if bindir is None:
            raise Unavailable("postgresql was installed but pg_ctl is not found")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="wardline-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            if not shutil.which("runuser"):
                raise Unavailable("running as root without runuser to drop to the postgres user")
            try:
                shutil.chown(self.root, "postgres", "postgres")
            except (LookupError, OSError) as exc:
                raise Unavailable(f"no postgres user to run the cluster as: {exc}") from None
            os.chmod(self.root, 0o700)
            self.prefix = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        try:
            subprocess.run([*self.prefix, *args], capture_output=True, check=True, timeout=120, cwd=self.root)
        except subprocess.CalledProcessError as exc:
            raise Unavailable(
                f"{Path(args[0]).name} failed: {exc.stderr.decode(errors='replace')[-300:]}"
            ) from None
        except (subprocess.SubprocessError, OSError) as exc:
            raise Unavailable(f"{Path(args[0]).name} failed: {exc}") from None

    def start(self) -> str:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(Unavailable):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests need psycopg (pip install 'psycopg[binary]')")
    try:
        cluster = Cluster()
        url = cluster.start()
    except Unavailable as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield url
    finally:
        cluster.stop()
