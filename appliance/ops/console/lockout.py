"""Failed logins: counted per account and per address in a sliding window, locked with a doubling wait.

Thread-safe (the console's handlers run in Starlette's thread pool); the clock is injected so the
tests drive the window without waiting."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
ADDRESS_FAILURES = 20  # across accounts: an address shared by many staff (NAT) is not one guesser
MAX_LOCK_S = 24 * 3600.0
FAILURE_WINDOW_S = 900.0


class Limiter:
    """Failed logins per key within a sliding window."""

    def __init__(
        self, clock: Callable[[], float], limit: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S
    ):
        self.clock, self.limit, self.window_s = clock, limit, window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked_for(self, key: str) -> float:
        with self._lock:
            q = self._fails.get(key)
            now = self.clock()
            while q and now - q[0] > self.window_s:
                q.popleft()
            return self.window_s - (now - q[0]) if q and len(q) >= self.limit else 0.0

    def failed(self, key: str) -> None:
        with self._lock:
            self._fails.setdefault(key, deque()).append(self.clock())

    def clear(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)


class LoginLockout:
    """Failed logins, locked per account and per address, with a doubling wait (audited).

    An account is locked after MAX_FAILURES failures in FAILURE_WINDOW_S from anywhere, so a
    guesser gains nothing by changing address (or forging one). An address is locked only after
    ADDRESS_FAILURES failures across accounts, so one person's typos do not lock out everyone
    behind the same NAT. Each lockout of the same key lasts twice the one before (up to
    MAX_LOCK_S); a successful login clears the account's count.
    """

    def __init__(self, clock: Callable[[], float], on_lock: Callable[[str, str, float], None]) -> None:
        self.accounts = Limiter(clock, MAX_FAILURES)
        self.addresses = Limiter(clock, ADDRESS_FAILURES)
        self.clock = clock
        self.on_lock = on_lock
        self._until: dict[str, float] = {}
        self._lockouts: dict[str, int] = {}
        self._lock = threading.Lock()

    def wait_s(self, account: str, address: str) -> float:
        now = self.clock()
        with self._lock:
            return max(0.0, *(self._until.get(k, 0.0) - now for k in _keys(account, address)))

    def failed(self, account: str, address: str) -> None:
        for scope, key, limiter in (
            ("account", _keys(account, address)[0], self.accounts),
            ("address", _keys(account, address)[1], self.addresses),
        ):
            limiter.failed(key)
            if limiter.blocked_for(key) > 0:
                limiter.clear(key)
                with self._lock:
                    n = self._lockouts[key] = self._lockouts.get(key, 0) + 1
                    seconds = min(FAILURE_WINDOW_S * 2 ** (n - 1), MAX_LOCK_S)
                    self._until[key] = self.clock() + seconds
                self.on_lock(scope, key.split(":", 1)[1], seconds)

    def succeeded(self, account: str) -> None:
        self.accounts.clear(_keys(account, "")[0])


def _keys(account: str, address: str) -> tuple[str, str]:
    return f"account:{account.casefold()}", f"address:{address}"
