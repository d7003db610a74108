"""Wardline: an on-prem voice agent appliance for regulated sites."""

import os

# onnxruntime reads this once, when it is first imported (by us or by a library such as piper or
# faster-whisper): without it, its telemetry client looks up its collector's hostname on the
# site's resolver and keeps an event store under ~/.cache. Set here, before anything can import
# it; appliance/privacy/offline.py is where engines get onnxruntime (and says why).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
