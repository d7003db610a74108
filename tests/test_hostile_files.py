"""Hostile and broken files people edit: refused with file, line and reason, quickly (issue 19,
items 10 and 11). A YAML alias bomb once drove `wardline policy validate` to 4 GB of memory."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.registry.errors import ManifestError
from appliance.registry.manifest import load_manifest
from appliance.yamlsource import MAX_YAML_BYTES, YamlError, load_yaml
from tests.conftest import REPO
from tests.dialog.conftest import FILES, SITE_DIR

BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    for name in FILES:
        (pack / name).write_bytes((SITE_DIR / name).read_bytes())
    return pack


def _limited() -> None:  # the child may not take more than 1 GiB: a bomb fails, not the machine
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _validate(pack: Path) -> subprocess.CompletedProcess[str]:
    wardline = str(Path(sys.executable).parent / "wardline")
    return subprocess.run(
        [wardline, "policy", "validate", str(pack)],
        cwd=REPO, capture_output=True, text=True, timeout=60, preexec_fn=_limited,
        env={**os.environ},
    )  # fmt: skip


def test_an_alias_bomb_in_a_site_pack_is_refused_at_once(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    site = pack / "site.yaml"
    site.write_text(
        site.read_text() + "\nx-bomb:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines())
    )
    done = _validate(pack)
    assert done.returncode == 1, done.stdout[-1500:] + done.stderr[-1500:]
    said = done.stdout + done.stderr
    assert f"{site}:" in said and "aliases (*name) are not allowed" in said, said


def test_any_alias_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: x\nbase: &b {say: hi}\nturns:\n  - *b\n")
    with pytest.raises(YamlError) as info:
        load_yaml(path)
    assert info.value.line == 4 and "aliases" in info.value.reason


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# padding\n" * (MAX_YAML_BYTES // 10 + 10))
    with pytest.raises(YamlError) as info:
        load_yaml(path)
    assert "larger than" in str(info.value) and str(path) in str(info.value)


def test_a_binary_site_file_names_the_file_and_line(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    (pack / "flows.yaml").write_bytes(b"flows:\n  faq:\n\xff\xfe\x00\x01binary\n")
    done = _validate(pack)
    assert done.returncode == 1
    assert f"{pack / 'flows.yaml'}:3: not UTF-8 text" in done.stdout + done.stderr, done.stdout + done.stderr


def test_a_binary_model_manifest_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(b"id: x\n\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ManifestError) as info:
        load_manifest(path)
    assert str(info.value).startswith(f"{path}:2: not UTF-8 text")


def _wardline(*args: str, config: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    wardline = str(Path(sys.executable).parent / "wardline")
    env = {**os.environ, "WARDLINE_CONFIG": str(config)}
    return subprocess.run([wardline, *args], cwd=REPO, env=env, input=stdin, capture_output=True, timeout=120)


def _one_line(done: subprocess.CompletedProcess[bytes]) -> str:
    said = (done.stdout + done.stderr).decode()
    assert "Traceback" not in said and "unexpected" not in said, said
    return " ".join(said.split())  # rich wraps long lines


def test_a_binary_config_file_names_the_file_the_line_and_the_fix(tmp_path: Path) -> None:
    config = tmp_path / "wardline.toml"
    config.write_bytes(b"[call]\nendpoint_ms = 260\n\x89PNG\x00\xff\n")
    done = _wardline("simulate", str(SITE_DIR / "scenarios" / "operator-request.yaml"), config=config)
    assert done.returncode == 2
    said = _one_line(done)
    assert f"{config}:3: not UTF-8 text" in said and "fix:" in said, said


def test_an_unknown_recognizer_is_refused_not_replaced(tmp_path: Path) -> None:
    config = tmp_path / "wardline.toml"
    config.write_text('[speech]\nasr = "whisperx"\n')
    done = _wardline("simulate", str(SITE_DIR / "scenarios" / "operator-request.yaml"), config=config)
    assert done.returncode == 2
    said = _one_line(done)
    assert f"{config}:2: speech.asr" in said and "'pocketsphinx' or 'faster-whisper'" in said, said


def test_an_unreachable_database_names_the_setting_and_the_fix(tmp_path: Path) -> None:
    config = tmp_path / "wardline.toml"
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config.write_text(f'[store]\ndatabase_url = "postgresql+psycopg://wardline:secret@127.0.0.1:{port}/w"\n')
    done = _wardline("simulate", str(SITE_DIR / "scenarios" / "operator-request.yaml"), config=config)
    assert done.returncode == 2
    said = _one_line(done)
    assert f"{config}: store.database_url" in said and "fix: start the database server" in said, said
    assert "secret" not in said  # the password is never echoed


def test_redact_refuses_binary_input(tmp_path: Path) -> None:
    done = _wardline(
        "redact", "--no-site-names", config=tmp_path / "none.toml", stdin=b"PK\x03\x04\x00\xff\xfe"
    )
    assert done.returncode == 2 and done.stdout == b""
    assert "not UTF-8 text" in _one_line(done) or "binary input" in _one_line(done)
