"""The offline verifier in a clean virtual environment that holds only `cryptography`.

The environment is built without network: the installed `cryptography` (and the cffi and
pycparser it needs) are copied from the project's environment into a fresh venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from appliance.audit import verify
from tests.audit.conftest import Day

PACKAGES = ("cryptography", "cffi", "pycparser", "_cffi_backend")
AUDIT_DIR = Path(verify.__file__).resolve().parent


@pytest.fixture(scope="module")
def clean_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env_dir = tmp_path_factory.mktemp("clean-venv")
    venv.EnvBuilder(with_pip=False, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    target = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    source = Path(sysconfig.get_paths()["purelib"])
    for item in source.iterdir():
        if item.name.split("-")[0].split(".")[0] in PACKAGES:
            if item.is_dir():
                shutil.copytree(item, target / item.name)
            else:
                shutil.copy2(item, target / item.name)
    return python


def _run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run(
        [str(python), "-s", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_clean_environment_has_nothing_else(clean_python: Path, tmp_path: Path) -> None:
    probe = _run(
        clean_python,
        "-c",
        "import cryptography, importlib.util as u; print(u.find_spec('sqlalchemy'), "
        "u.find_spec('appliance'), u.find_spec('typer'))",
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "None None None"
    assert clean_python.resolve() != Path(sys.executable).resolve()


def test_bundle_copy_of_the_verifier_runs_alone(clean_python: Path, day: Day, tmp_path: Path) -> None:
    keys = day.key_dir / "trusted-keys.txt"
    result = _run(clean_python, "verifier/verify.py", ".", "--trusted-keys", str(keys), cwd=day.bundle)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFIED" in result.stdout and "Traceback" not in result.stderr
    entries = day.bundle / "entries.jsonl"
    entries.write_bytes(entries.read_bytes().replace(b'"outcome":"contained"', b'"outcome":"transferred"', 1))
    result = _run(clean_python, "verifier/verify.py", ".", "--json", cwd=day.bundle)
    assert result.returncode == 1 and '"status": "tampered"' in result.stdout
    result = _run(
        clean_python, str(day.bundle / "verifier" / "verify.py"), str(tmp_path / "absent"), cwd=tmp_path
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_source_tree_verifier_runs_alone(clean_python: Path, day: Day, tmp_path: Path) -> None:
    result = _run(clean_python, str(AUDIT_DIR / "verify.py"), str(day.bundle), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (day.bundle / "verifier" / "merkle.py").read_bytes() == (AUDIT_DIR / "merkle.py").read_bytes()
