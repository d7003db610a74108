"""Handoff summaries: what the person who takes a transferred call reads first; the one module
for what a transfer leaves behind (the dialog makes the id, the call saves, ops and the CLI read).
Here in privacy/, beside the redacted transcripts, because its one rule is the redaction on save;
store/ is the database beneath privacy and imports nothing above it.

One JSON file per transfer under WARDLINE_DATA_DIR/handoffs/ (mode 0600, the directory 0700),
redacted on save: the file lives outside the encrypted store, so it holds no PHI. A transfer
carries only the id (X-Wardline-Handoff, as a header field in the Refer-To URI:
telephony/refer.py), and the person on the receiving side reads it with `wardline handoff show
ID`. Ids are short tokens, checked before they touch the filesystem, so an id can never name a
path outside that directory.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from appliance.privacy.redaction import SiteFacts, redact

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class HandoffNotFound(LookupError):
    """No summary is stored under that id."""


class BadHandoffId(ValueError):
    """An id that is not a handoff id (letters, digits, '-' and '_', at most 64)."""


def new_handoff_id() -> str:
    """The one id scheme: `h-` and 16 hex digits."""
    return "h-" + secrets.token_hex(8)


def handoff_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "handoffs"


def _path(data_dir: Path, handoff_id: str) -> Path:
    if not _ID.fullmatch(handoff_id):
        raise BadHandoffId(f"{handoff_id[:80]!r} is not a handoff id (letters, digits, '-', '_')")
    return handoff_dir(data_dir) / f"{handoff_id}.json"


def save_handoff(
    data_dir: Path,
    handoff_id: str,
    summary: dict[str, Any],
    names: Iterable[str] = (),
    site: SiteFacts | None = None,
) -> Path:
    """Write the summary redacted (`names`: the site's known names, for the redaction; `site`: its
    public facts, left as said), atomically (temp file, then rename), readable by the owner only."""
    path = _path(data_dir, handoff_id)
    summary = _redacted(summary, tuple(names), site)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"id": handoff_id, **summary}, f, ensure_ascii=False, indent=2, default=str)
    os.replace(tmp, path)
    return path


def load_handoff(data_dir: Path, handoff_id: str) -> dict[str, Any]:
    path = _path(data_dir, handoff_id)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HandoffNotFound(f"no handoff summary with id {handoff_id}") from None


def handoff_exists(data_dir: Path, handoff_id: str) -> bool:
    """Whether a summary is stored under `handoff_id` (False for anything that is not an id)."""
    try:
        return _path(data_dir, handoff_id).is_file()
    except BadHandoffId:
        return False


def _redacted(value: Any, names: tuple[str, ...], site: SiteFacts | None) -> Any:
    if isinstance(value, str):
        return redact(value, names, site=site).text
    if isinstance(value, dict):
        return {k: _redacted(v, names, site) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v, names, site) for v in value]
    return value
