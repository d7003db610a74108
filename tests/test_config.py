from pathlib import Path

import pytest

from appliance.config import ConfigError, load_settings


def test_defaults_and_data_dir_from_environment(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WARDLINE_DATA_DIR", str(tmp_path / "state"))
    s = load_settings(tmp_path / "none.toml")
    assert s.data_dir == tmp_path / "state"
    assert s.call.endpoint_ms <= 300
    assert s.database_url.endswith("state/wardline.db")


def test_environment_overrides_file(tmp_path: Path, monkeypatch):
    f = tmp_path / "w.toml"
    f.write_text("[call]\nendpoint_ms = 400\n")
    assert load_settings(f).call.endpoint_ms == 400
    monkeypatch.setenv("WARDLINE_CALL__ENDPOINT_MS", "250")
    assert load_settings(f).call.endpoint_ms == 250


def test_broken_toml_names_file_and_line(tmp_path: Path):
    f = tmp_path / "w.toml"
    f.write_text("[call]\nendpoint_ms = = 3\n")
    with pytest.raises(ConfigError) as e:
        load_settings(f)
    assert str(f) in str(e.value) and "line 2" in str(e.value)


def test_out_of_range_value_names_key_and_line(tmp_path: Path):
    f = tmp_path / "w.toml"
    f.write_text("[call]\n\nendpoint_ms = 5\n")
    with pytest.raises(ConfigError) as e:
        load_settings(f)
    assert f"{f}:3" in str(e.value) and "call.endpoint_ms" in str(e.value)


def test_unknown_key_is_refused(tmp_path: Path):
    f = tmp_path / "w.toml"
    f.write_text("[call]\nendpont_ms = 250\n")
    with pytest.raises(ConfigError, match="endpont_ms"):
        load_settings(f)


def test_the_box_shares_the_engines_that_load_a_model_and_its_workers_are_told() -> None:
    """[speech] engines: "auto" shares Whisper and piper (bench/engine_memory.py: one copy per box)
    and keeps pocketsphinx and espeak-ng in each worker (cheaper there); every worker gets the
    box's answer, while a single-process command (simulate, demo) with "auto" loads its own."""
    from appliance.frontdoor.plan import plan, worker_settings
    from appliance.registry.engines import ModelNotActive, asr_for

    cases = [
        ({}, False),
        ({"asr": "faster-whisper"}, True),
        ({"tts": "piper"}, True),
        ({"asr": "faster-whisper", "engines": "in-process"}, False),
        ({"engines": "shared"}, True),
    ]
    for speech, shared in cases:
        settings = load_settings(speech=speech)
        assert settings.speech.shared is shared, speech
        worker = worker_settings(settings, plan(settings, 1).workers[0])
        assert worker.speech.engines == ("shared" if shared else "in-process"), speech
    alone = load_settings(speech={"asr": "faster-whisper"})  # `wardline simulate` on Whisper
    with pytest.raises(ModelNotActive):  # it looks for its own Whisper, not for the engine socket
        asr_for(alone, None)
