"""The sha256 of the model files that registry wheels carry and more than one layer loads.

wordllama's token table serves both the understanding's encoder (dialog/encoder.py) and the
redaction tagger's word classes (privacy/redaction/word_classes.py); the pins live here once so
that a new wheel is re-pinned in one place, and privacy/ need not import dialog/ to share them.
"""

from __future__ import annotations

# wordllama 0.4.0.post1: its l2_supercat_256 table and tokenizer, relative to the package folder
WORDLLAMA_FILES = {
    "weights/l2_supercat_256.safetensors": "64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5",
    "tokenizers/l2_supercat_tokenizer_config.json": (
        "93248f2a9ec36c7b35f700a033d5f36228aae48db61aee31007fa49062cdeb68"
    ),
}
