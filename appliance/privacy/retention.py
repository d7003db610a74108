"""Retention: how long each class of call data is kept, and the purge that enforces it.

Windows come from the site pack's site.yaml, section `retention`, one `<class>_days` key per data
class (`audio_days` names the "recording" class); classes the pack does not name keep the defaults
below. `purge_due` crypto-shreds every object older than its class's window (store.shred destroys
the wrapped data key, then the file) and records one audit entry per deletion. It runs from
`wardline data purge --due`, which a systemd timer starts daily.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from appliance.privacy.store import ObjectInfo, ObjectStore
from appliance.yamlsource import YamlError, load_yaml

DEFAULT_WINDOWS: Mapping[str, timedelta] = {
    "recording": timedelta(days=30),
    "transcript": timedelta(days=365),
    "task-details": timedelta(days=365),  # what a callback or refill task said (tools/tasks.py)
    "audit": timedelta(days=6 * 365 + 2),  # six years, leap days included
}
_ALIASES = {"audio": "recording"}

AuditFn = Callable[[str, dict], None]


class RetentionError(ValueError):
    """A retention section that cannot be used; the message names file and line."""


@dataclass(frozen=True)
class RetentionPolicy:
    windows: Mapping[str, timedelta]

    def window(self, data_class: str) -> timedelta | None:
        return self.windows.get(data_class)

    def is_due(self, info: ObjectInfo, now: datetime) -> bool:
        window = self.window(info.data_class)
        # A class with no window is kept: deleting data nobody decided to delete is irreversible.
        return window is not None and info.created_at + window <= now


def load_retention(policy_dir: Path) -> RetentionPolicy:
    """Windows from <policy_dir>/site.yaml (section `retention`), on top of the defaults."""
    windows = dict(DEFAULT_WINDOWS)
    path = Path(policy_dir) / "site.yaml"
    if not path.exists():
        return RetentionPolicy(windows)
    try:
        data, lines = load_yaml(path)
    except YamlError as exc:
        raise RetentionError(str(exc)) from None
    section = (data or {}).get("retention") if isinstance(data, dict) else None
    if section is None:
        return RetentionPolicy(windows)
    if not isinstance(section, dict):
        raise RetentionError(str(lines.error(("retention",), "retention must be a mapping")))
    for key, value in section.items():
        if not str(key).endswith("_days"):
            raise RetentionError(str(lines.error(("retention", key), f"{key}: expected <class>_days")))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RetentionError(
                str(lines.error(("retention", key), f"{key}: must be a whole number of days, at least 1"))
            )
        name = str(key).removesuffix("_days")
        windows[_ALIASES.get(name, name)] = timedelta(days=value)
    return RetentionPolicy(windows)


@dataclass(frozen=True)
class Purged:
    object_id: str
    data_class: str
    call_id: str | None
    age_days: int


def due_objects(store: ObjectStore, policy: RetentionPolicy, now: datetime) -> list[ObjectInfo]:
    return [i for i in store.list() if policy.is_due(i, now)]


def purge_due(
    store: ObjectStore,
    policy: RetentionPolicy,
    *,
    now: datetime,
    audit: AuditFn,
    actor: str = "retention",
) -> list[Purged]:
    """Crypto-shred every object past its window; one audit entry per object, after it is gone."""
    purged: list[Purged] = []
    for info in due_objects(store, policy, now):
        store.shred(info.id)
        done = Purged(info.id, info.data_class, info.call_id, (now - info.created_at).days)
        audit(
            "data-purge",
            {
                "object_id": done.object_id,
                "data_class": done.data_class,
                "call_id": done.call_id,
                "age_days": done.age_days,
                "actor": actor,
                "reason": "retention window elapsed",
            },
        )
        purged.append(done)
    return purged
