"""Offline-only model loading: engines open local files, never a hub id or a URL.

Every engine calls `enforce_offline()` before importing its library's loader, so a library
that would otherwise reach for the Hugging Face hub (faster-whisper's tokenizer fallback,
transformers, vLLM) fails instead of downloading, and `local_model_path()` refuses anything
that is not an existing local path.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from appliance.registry.errors import OfflineError

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "VLLM_NO_USAGE_STATS": "1",
    "DO_NOT_TRACK": "1",
}

# "owner/name" with no such local path: what a hub id looks like.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


def enforce_offline() -> None:
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ[key] = value


def local_model_path(reference: str | os.PathLike[str], *, what: str = "model") -> Path:
    """The existing local path `reference` names; OfflineError for hub ids, URLs and missing paths."""
    text = os.fspath(reference)
    if "://" in text:
        raise OfflineError(f"{what} {text!r} is a URL; Wardline loads models only from local files")
    path = Path(text).expanduser()
    if path.exists():
        return path
    if _HUB_ID.match(text):
        raise OfflineError(
            f"{what} {text!r} looks like a hub id; Wardline never downloads: copy the files onto the "
            "box and run `wardline models install PATH`"
        )
    raise OfflineError(f"{what} {text!r}: no such file or folder")
