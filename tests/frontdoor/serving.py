"""`wardline serve` as a person runs it, for the box tests: free loopback ports for one box, the
process started on a config, its stop (Ctrl-C, then a kill if it hangs), and what sipp saw."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests import processes
from tests.conftest import REPO

RTP_PORTS_PER_WORKER = 32  # pjsua asks for 4 * call slots + 16 from its first one: room to spare


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    """A free loopback port, UDP unless `kind` says otherwise (SIP and RTP here are UDP)."""
    return processes.free_port(kind)


def free_block(size: int) -> int:
    """A first port with `size` free UDP ports after it (best effort: ports are shared)."""
    for _ in range(50):
        first = free_port()
        if first + size > 65000:
            continue
        try:
            socks = []
            for p in range(first, first + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return first
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free block of ports")


@dataclass(frozen=True)
class BoxPorts:
    """One box's ports: its workers' RTP block, its workers' SIP ports, the front door's SIP
    port (UDP and TCP) and its TLS port."""

    rtp: int
    worker: int
    sip: int
    tls: int
    workers: int

    def used(self) -> set[int]:
        rtp = range(self.rtp, self.rtp + self.workers * RTP_PORTS_PER_WORKER)
        return {*rtp, *range(self.worker, self.worker + self.workers), self.sip, self.tls}


def box_ports(workers: int, taken: set[int] | None = None) -> BoxPorts:
    """Free ports for a box of `workers` SIP workers, apart from each other and from `taken`."""
    taken = set(taken or ())
    rtp, worker = free_block(workers * RTP_PORTS_PER_WORKER), free_block(workers)
    taken |= set(range(rtp, rtp + workers * RTP_PORTS_PER_WORKER)) | set(range(worker, worker + workers))
    sip = next(p for p in iter(free_port, None) if p not in taken)
    tls = next(p for p in iter(lambda: free_port(socket.SOCK_STREAM), None) if p not in taken | {sip})
    return BoxPorts(rtp, worker, sip, tls, workers)


def start_serve(config: Path, data: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    """`wardline serve ARGS` on `config`, its output to `log`."""
    env = {**os.environ, "WARDLINE_CONFIG": str(config), "WARDLINE_DATA_DIR": str(data)}
    wardline = str(Path(sys.executable).parent / "wardline")
    with log.open("wb") as out:
        return subprocess.Popen([wardline, "serve", *args], cwd=REPO, env=env, stdout=out, stderr=out)


def stop_serve(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Ctrl-C, as a person stops it; killed if it has not stopped within `timeout_s`."""
    processes.stop(process, timeout_s, signal.SIGINT)


def answered(messages: str) -> int:
    """How many INVITEs sipp saw answered 200 OK."""
    return sum(
        1 for block in messages.split("\n\n") if "SIP/2.0 200 OK" in block and "CSeq: 1 INVITE" in block
    )
