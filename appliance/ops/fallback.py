"""Automatic fallback to people: intents that miss their targets go straight to staff.

After every call the runtime judges that call's intent against the site pack's targets
(targets.yaml) over its window: raw containment, average handle time, and the error rate over
a short window (a spike). The window never reaches back past the last time a supervisor turned
the intent back on, so an intent is judged afresh after `wardline intents enable`. A missed
target switches the intent off (ops_intent_switch), with the reason, in the audit log.

While an intent is off, a call that starts it is handed to people at once: the dialog's flow
runner asks its `IntentGate` (`FallbackGate` here) when a flow starts, and hands the call to the
intent's fallback target before any step of the flow runs (no tool is called), with the usual
summary and reason `fallback:<intent>`.

`judge` is pure; `IntentSwitch` reads the switch table through a short cache (at most one small
query every `ttl_s` on a call's loop) so a supervisor's command in another process takes effect
within seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from appliance.ops.figures import ratio
from appliance.ops.store import OpsCall, OpsIntentSwitch, aware
from appliance.ops.targets import Target, Targets
from appliance.outcomes import CallOutcome


class UnknownIntent(ValueError):
    """An intent name that is not a flow of the site pack."""


@dataclass(frozen=True)
class Verdict:
    intent: str
    calls: int
    missed: tuple[str, ...]  # one sentence per missed target; empty: on target (or not judged)

    @property
    def ok(self) -> bool:
        return not self.missed


def judge(target: Target, window_calls: Sequence[Any], recent_calls: Sequence[Any]) -> Verdict:
    """Compare an intent's calls with its targets. `window_calls`: the target window;
    `recent_calls`: the (shorter) error window."""
    missed: list[str] = []
    n = len(window_calls)
    if n >= target.min_calls:
        contained = ratio(sum(c.outcome == CallOutcome.CONTAINED for c in window_calls), n) or 0.0
        if target.containment_min is not None and contained < target.containment_min:
            missed.append(
                f"containment {contained:.0%} is below the target {target.containment_min:.0%} "
                f"over {_hours(target.window_h)} ({n} calls)"
            )
        aht = sum(c.handle_ms for c in window_calls) / n / 1000
        if target.handle_time_max_s is not None and aht > target.handle_time_max_s:
            missed.append(
                f"average handle time {aht:.0f} s is above the target {target.handle_time_max_s:.0f} s "
                f"over {_hours(target.window_h)} ({n} calls)"
            )
    m = len(recent_calls)
    if target.error_rate_max is not None and m >= target.error_min_calls:
        rate = sum(c.errors > 0 for c in recent_calls) / m
        if rate > target.error_rate_max:
            missed.append(
                f"error rate {rate:.0%} is above {target.error_rate_max:.0%} "
                f"over {_hours(target.error_window_h)} ({m} calls)"
            )
    return Verdict(target.intent, n, tuple(missed))


def _hours(h: float) -> str:
    return f"{h / 24:g} days" if h >= 24 and h % 24 == 0 else f"{h:g} h"


@dataclass(frozen=True)
class SwitchState:
    intent: str
    enabled: bool
    reason: str
    changed_at: datetime
    changed_by: str


class IntentSwitch:
    """Which intents the agent takes; stored in ops_intent_switch (no row: on)."""

    def __init__(self, sessions: sessionmaker, now: Callable[[], datetime], ttl_s: float = 2.0) -> None:
        self.sessions = sessions
        self.now = now
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._cache: dict[str, str] = {}
        self._read_at = -1e9

    def states(self) -> list[SwitchState]:
        with self.sessions() as db:
            rows = db.scalars(select(OpsIntentSwitch).order_by(OpsIntentSwitch.intent)).all()
        return [SwitchState(r.intent, r.enabled, r.reason, aware(r.changed_at), r.changed_by) for r in rows]

    def off(self) -> dict[str, str]:
        """intent -> why it goes to people; cached for ttl_s (the last good read if the database fails)."""
        with self._lock:
            if time.monotonic() - self._read_at < self.ttl_s:
                return dict(self._cache)
        try:
            states = self.states()
        except Exception:  # the database is briefly away: keep the last answer, calls go on
            return dict(self._cache)
        with self._lock:
            self._cache = {s.intent: s.reason for s in states if not s.enabled}
            self._read_at = time.monotonic()
            return dict(self._cache)

    def reason_off(self, intent: str) -> str | None:
        return self.off().get(intent)

    def judged_since(self, intent: str) -> datetime | None:
        """When the intent was last turned back on: the window starts no earlier."""
        with self.sessions() as db:
            row = db.get(OpsIntentSwitch, intent)
        return aware(row.changed_at) if row is not None and row.enabled else None

    def set(self, intent: str, enabled: bool, reason: str, by: str) -> None:
        with self.sessions.begin() as db:
            row = db.get(OpsIntentSwitch, intent)
            if row is None:
                row = OpsIntentSwitch(intent=intent)
                db.add(row)
            row.enabled, row.reason, row.changed_by = enabled, reason[:256], by[:64]
            row.changed_at = self.now()
        with self._lock:
            self._read_at = -1e9


def window_calls(
    sessions: sessionmaker, intent: str, now: datetime, hours: float, not_before: datetime | None
) -> list[OpsCall]:
    since = now - timedelta(hours=hours)
    if not_before is not None and not_before > since:
        since = not_before
    with sessions() as db:
        return list(db.scalars(select(OpsCall).where(OpsCall.intent == intent, OpsCall.started_at >= since)))


def evaluate(sessions: sessionmaker, switch: IntentSwitch, target: Target, now: datetime) -> Verdict:
    not_before = switch.judged_since(target.intent)
    calls = window_calls(sessions, target.intent, now, target.window_h, not_before)
    recent = [c for c in calls if aware(c.started_at) >= now - timedelta(hours=target.error_window_h)]
    return judge(target, calls, recent)


# -- in the call --------------------------------------------------------------------------------
class FallbackGate:
    """The dialog's IntentGate (appliance/dialog/flows.py): an intent that is off goes to its
    fallback target. Read through the switch's short cache, on the call's loop."""

    def __init__(self, switch: IntentSwitch, targets: Targets) -> None:
        self.switch = switch
        self.targets = targets

    def goes_to_people(self, flow: str) -> str | None:
        if self.switch.reason_off(flow) is None:
            return None
        return self.targets.for_intent(flow).fallback_to
