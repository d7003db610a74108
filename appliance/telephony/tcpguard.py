"""Outsiders' TCP connections to the SIP port are cut within seconds.

pjsip accepts every TCP connection and keeps an idle one open for as long as its compile-time
timers say; about 62 half-open connections from an address outside `sip.allow` once stopped the
allowed PBX's TCP INVITEs from being answered. Until the front door (connection limits,
per-source caps) ships, a sentry thread looks at this process's own established TCP sockets on
the SIP ports once a second (/proc/self/fd against /proc/net/tcp{,6}) and shuts down any whose
peer is outside `sip.allow` after `grace_s` (time for the 403 to go out). pjsip then sees the
peer's end of stream and frees the transport itself; the guard never closes a descriptor it
does not own. Connections from the allowed networks are never touched.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from appliance.telephony.access import source_allowed

log = logging.getLogger(__name__)
security_log = logging.getLogger("appliance.security")

ESTABLISHED = "01"
GRACE_S = 2.0
INTERVAL_S = 1.0


@dataclass(frozen=True)
class TcpPeer:
    inode: int
    local_port: int
    remote: str  # "ip:port" or "[v6]:port"


def _ipv4(hex_addr: str) -> str:
    return str(ipaddress.IPv4Address(bytes.fromhex(hex_addr)[::-1]))


def _ipv6(hex_addr: str) -> str:
    raw = bytes.fromhex(hex_addr)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    address = ipaddress.IPv6Address(words)
    return str(address.ipv4_mapped or address)


def parse_proc_net_tcp(text: str, v6: bool) -> list[TcpPeer]:
    """Established connections from a /proc/net/tcp (or tcp6) table."""
    peers = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != ESTABLISHED:
            continue
        local, remote = fields[1].split(":"), fields[2].split(":")
        host = _ipv6(remote[0]) if v6 else _ipv4(remote[0])
        where = f"[{host}]:{int(remote[1], 16)}" if ":" in host else f"{host}:{int(remote[1], 16)}"
        peers.append(TcpPeer(int(fields[9]), int(local[1], 16), where))
    return peers


def _own_sockets() -> dict[int, int]:
    """socket inode -> file descriptor, for this process."""
    out = {}
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            link = os.readlink(f"/proc/self/fd/{fd}")
            if link.startswith("socket:["):
                out[int(link[8:-1])] = int(fd)
    return out


def _established() -> list[TcpPeer]:
    peers: list[TcpPeer] = []
    for name, v6 in (("tcp", False), ("tcp6", True)):
        with contextlib.suppress(OSError):
            peers += parse_proc_net_tcp(Path(f"/proc/net/{name}").read_text(), v6)
    return peers


def _shutdown(fd: int, inode: int) -> bool:
    """Shut down (not close) the socket at `fd` if it is still the one with `inode`."""
    try:
        dup = os.dup(fd)
    except OSError:
        return False
    try:
        if os.fstat(dup).st_ino != inode:
            return False  # the descriptor was reused meanwhile: not ours to touch
        sock = socket.socket(fileno=dup)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            return False
        finally:
            sock.detach()
        return True
    finally:
        os.close(dup)


class TcpGuard:
    """Shuts down outsiders' TCP connections to `ports` after `grace_s` (a thread; `stop`)."""

    def __init__(
        self,
        ports: Iterable[int],
        allow: Sequence[str],
        *,
        grace_s: float = GRACE_S,
        interval_s: float = INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ports = frozenset(ports)
        self.allow = list(allow)
        self.grace_s = grace_s
        self.interval_s = interval_s
        self.clock = clock
        self.cut = 0
        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wardline-tcp-guard", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2 * self.interval_s)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.sweep()
            except Exception as exc:  # the guard must never take the SIP agent down with it
                log.warning("TCP guard sweep failed (%s)", type(exc).__name__)

    def sweep(self) -> int:
        """One pass: returns how many connections were cut."""
        now = self.clock()
        own = _own_sockets()
        outsiders = [
            p
            for p in _established()
            if p.local_port in self.ports and p.inode in own and not source_allowed(p.remote, self.allow)
        ]
        live = {p.inode for p in outsiders}
        self._seen = {inode: t for inode, t in self._seen.items() if inode in live}
        cut = 0
        for peer in outsiders:
            first = self._seen.setdefault(peer.inode, now)
            if now - first >= self.grace_s and _shutdown(own[peer.inode], peer.inode):
                cut += 1
                self._seen.pop(peer.inode, None)
        if cut:
            self.cut += cut
            security_log.warning("closed %d TCP connection(s) to the SIP port from outside sip.allow", cut)
        return cut
