"""Egress lock: nothing leaves the box except to loopback and the site's declared networks.

Two guards:
- `check_settings(settings)` runs at load: every endpoint the configuration names (any `*_url`,
  `*_host` or `*endpoint*` field, at any depth) must be loopback or inside
  `network.site_networks`. Host names other than localhost are refused, because what a name
  resolves to can change after the check. A refusal is an `EgressError` (a ConfigError) naming the
  setting and the address.
- `EgressGuard` watches socket activity through a `sys.addaudithook` hook (connect, sendto,
  sendmsg, name lookups) and records, or with block=True refuses, anything aimed elsewhere. Tests
  wrap whole simulated calls in it; the service can keep one open for its lifetime. The hook runs
  in whichever thread opens the socket, so guards are kept in a lock-protected registry.
`loopback_only(argv)` wraps a command so it runs in a fresh network namespace holding only
loopback (unshare), for tests that want the kernel, not just the hook, to stop any egress.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from appliance.config import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK: tuple[Network, ...] = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
_ENDPOINT_SUFFIXES = ("_url", "_host", "_hosts", "_urls")
_LISTEN_ANY = {"0.0.0.0", "::"}


class EgressError(ConfigError):
    """A configured endpoint outside loopback and the site's declared networks."""


class EgressBlocked(PermissionError):
    """A socket operation aimed outside the allowed networks, refused by an active EgressGuard."""


# ---- address checks -------------------------------------------------------------------------------


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    nets = []
    for cidr in cidrs:
        try:
            nets.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            raise EgressError(f"network.site_networks: {cidr!r} is not an address or network") from None
    return tuple(nets)


def is_allowed(host: str, networks: Iterable[Network] = ()) -> bool:
    """True for loopback, localhost, or an address inside one of `networks`; names are refused."""
    host = host.strip("[]").split("%", 1)[0]
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return any(addr in net for net in (*LOOPBACK, *networks))


def host_of(value: str) -> str | None:
    """The host an endpoint value names ("http://h:1/x", "h:5060", "h"), or None (a local file)."""
    value = value.strip()
    if not value:
        return None
    if "://" in value:
        parts = urlsplit(value)
        if parts.scheme.startswith("sqlite") or parts.scheme == "file" or parts.scheme == "unix":
            return None
        return parts.hostname or None
    if value.startswith("/"):
        return None
    if value.count(":") == 1:  # host:port
        return value.split(":", 1)[0]
    return value


# ---- configuration check --------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    setting: str  # dotted path, e.g. "llm.server_url"
    value: str
    host: str


def endpoints_of(model: BaseModel, prefix: str = "") -> Iterator[Endpoint]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from endpoints_of(value, path + ".")
        elif _is_endpoint_field(name):
            for item in value if isinstance(value, list | tuple) else [value]:
                if isinstance(item, str) and (host := host_of(item)) is not None:
                    yield Endpoint(path, item, host)


def _is_endpoint_field(name: str) -> bool:
    return name in ("url", "host", "endpoint", "endpoints") or name.endswith(_ENDPOINT_SUFFIXES)


def check_settings(settings: Any) -> None:
    """Refuse a configuration naming any endpoint outside loopback and network.site_networks."""
    networks = parse_networks(settings.network.site_networks)
    bad = [
        e for e in endpoints_of(settings) if e.host not in _LISTEN_ANY and not is_allowed(e.host, networks)
    ]
    if not bad:
        return
    declared = ", ".join(settings.network.site_networks) or "none declared"
    lines = "; ".join(f"{e.setting} = {e.host!r}" for e in bad)
    raise EgressError(
        f"endpoint outside loopback and the site's networks ({declared}): {lines}. "
        "Wardline sends nothing off the box: use an address inside network.site_networks "
        "(or add the site network there), and IP addresses rather than host names"
    )


# ---- runtime guard (audit hook) -------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    event: str  # "socket.connect", "socket.getaddrinfo", …
    target: str  # the address or name, as text


_lock = threading.Lock()
_guards: list[EgressGuard] = []
_hook_installed = False


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    if not event.startswith("socket.") or not _guards:
        return
    target = _target_of(event, args)
    if target is None:
        return
    with _lock:
        guards = tuple(_guards)
    for guard in guards:
        guard._observe(event, target)


def _target_of(event: str, args: tuple[Any, ...]) -> str | None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
        if isinstance(address, tuple) and address and isinstance(address[0], str):
            return address[0]
        return None  # AF_UNIX paths, or no address (connected socket): local
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        host = args[0] if args else None
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        return host if isinstance(host, str) and host else None
    return None


def _install_hook() -> None:
    global _hook_installed
    with _lock:
        if not _hook_installed:
            sys.addaudithook(_audit_hook)  # hooks cannot be removed: install once, dispatch to guards
            _hook_installed = True


@dataclass
class EgressGuard:
    """Record (and with block=True refuse) socket use aimed outside loopback + site networks."""

    site_networks: Iterable[str] = ()
    block: bool = True
    attempts: list[Attempt] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._networks = parse_networks(self.site_networks)

    def _observe(self, event: str, target: str) -> None:
        if is_allowed(target, self._networks):
            return
        self.attempts.append(Attempt(event, target))
        if self.block:
            raise EgressBlocked(f"egress to {target} refused ({event}): outside the site's networks")

    def __enter__(self) -> EgressGuard:
        _install_hook()
        with _lock:
            _guards.append(self)
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        with _lock:
            _guards.remove(self)


# ---- kernel-level isolation for tests -------------------------------------------------------------


def loopback_only(argv: list[str]) -> list[str]:
    """argv wrapped to run in a new user + network namespace whose only interface is loopback."""
    return [
        "unshare",
        "--net",
        "--map-root-user",
        "--",
        "sh",
        "-c",
        'ip link set lo up && exec "$@"',
        "sh",
        *argv,
    ]


def loopback_only_available() -> bool:
    if not (shutil.which("unshare") and shutil.which("ip")):
        return False
    probe = subprocess.run(loopback_only(["true"]), capture_output=True, timeout=10, check=False)
    return probe.returncode == 0
