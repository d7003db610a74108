"""Offline-only model loading: engines open local files, never a hub id or a URL.

Every engine calls `enforce_offline()` before importing its library's loader, so a library
that would otherwise reach for the Hugging Face hub (faster-whisper's tokenizer fallback,
transformers, vLLM) fails instead of downloading, and `local_model_path()` refuses anything
that is not an existing local path.

onnxruntime carries a telemetry client (1DS): with it on, a process that merely holds a session
looks up mobile.events.data.microsoft.com on the site's resolver (about 9 and 15 s after the
first session, then again) and keeps an event store under ~/.cache/Microsoft. The client reads
ORT_DISABLE_TELEMETRY once, when onnxruntime is imported, so `appliance/__init__.py` sets it
before anything can import it (and `enforce_offline` keeps it set for child processes);
`onnxruntime.disable_telemetry_events()` alone does not stop the lookups. Every engine that runs
on onnxruntime (Silero VAD, Piper, any encoder or turn detector) gets the module from
`offline_onnxruntime()`, which checks both; nothing else imports onnxruntime.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path
from types import ModuleType

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "VLLM_NO_USAGE_STATS": "1",
    "DO_NOT_TRACK": "1",
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime's telemetry client (read at its import)
}


class OfflineError(Exception):
    """A model reference that would need a download (a hub id, a URL); Wardline never downloads.

    The message names the reference and says what to do instead; it is fit to show a user."""

    code = "offline-only"


# "owner/name" with no such local path: what a hub id looks like.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


def enforce_offline() -> None:
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ[key] = value


_onnx_lock = threading.Lock()
_onnx_quiet = False
ONNX_LOG_WARNING = 2  # onnxruntime's severity: 0 verbose … 2 warning, 3 error


def offline_onnxruntime() -> ModuleType:
    """The onnxruntime module with its telemetry off: call it before creating any session
    (directly, or through a library such as piper that makes its own)."""
    global _onnx_quiet
    imported_before = "onnxruntime" in sys.modules
    enforce_offline()
    import onnxruntime  # deferred: a second of import time the CLI does not always need

    with _onnx_lock:
        if not _onnx_quiet:
            if imported_before and os.environ.get("ORT_DISABLE_TELEMETRY") != "1":
                raise OfflineError("onnxruntime was imported before its telemetry was turned off")
            onnxruntime.disable_telemetry_events()
            onnxruntime.set_default_logger_severity(ONNX_LOG_WARNING)
            _onnx_quiet = True
    return onnxruntime


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
