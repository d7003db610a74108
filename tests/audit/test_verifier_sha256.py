"""The bundled verifier comes from the party being audited: its sha256 is published with the
release (README, the .deb's doc folder), printed on every report, and the bundle says to check it."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

from typer.testing import CliRunner

from appliance.audit import verify
from appliance.cli.main import app
from tests.audit.conftest import Day
from tests.conftest import REPO

AUDIT_DIR = REPO / "appliance" / "audit"


def _published() -> tuple[str, str]:
    """The README's verifier sha256 and its sha256sum listing."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```\nverifier sha256 ([0-9a-f]{64})\n((?:[0-9a-f]{64}  \S+\n)+)```", text)
    assert found, "the README publishes the verifier's sha256"
    return found[1], found[2]


def test_the_readme_publishes_this_verifiers_sha256() -> None:
    digest, listing = _published()
    for line in listing.splitlines():
        want, name = line.split("  ")
        assert hashlib.sha256((AUDIT_DIR / name).read_bytes()).hexdigest() == want, name
    assert sorted(line.split("  ")[1] for line in listing.splitlines()) == sorted(verify.VERIFIER_MODULES)
    assert hashlib.sha256(listing.encode()).hexdigest() == digest
    # what the .deb's rules write into /usr/share/doc/wardline/verifier.sha256
    sums = subprocess.run(
        [sys.executable, "-B", "-m", "appliance.audit.verify", "--sha256sums"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert sums == listing
    assert "verifier.sha256" in (REPO / "deploy" / "debian" / "rules").read_text(encoding="utf-8")


def test_verify_reports_its_own_sha256(day: Day) -> None:
    digest, _ = _published()
    keys = str(day.key_dir / "trusted-keys.txt")
    human = CliRunner().invoke(app, ["audit", "verify", str(day.bundle), "--trusted-keys", keys])
    assert human.exit_code == 0 and "VERIFIED" in human.output
    assert f"verifier sha256 {digest}" in human.output
    as_json = CliRunner().invoke(app, ["audit", "verify", str(day.bundle), "--json"])
    assert json.loads(as_json.output)["verifier_sha256"] == digest
    # the bundle's own copy says the same when an auditor runs it (it reads its own files)
    bundled = subprocess.run(
        [sys.executable, "verifier/verify.py", ".", "--trusted-keys", keys],
        cwd=day.bundle, capture_output=True, text=True,
    )  # fmt: skip
    assert bundled.returncode == 0 and f"verifier sha256 {digest}" in bundled.stdout


def test_the_bundle_tells_the_auditor_to_check_the_verifier_or_bring_their_own(day: Day) -> None:
    readme = (day.bundle / verify.VERIFIER_DIR / "README.txt").read_text(encoding="utf-8")
    assert "sha256sum -c" in readme and "verifier.sha256" in readme
    assert "independent copy" in readme and "party being audited" in readme
    _, listing = _published()
    for line in listing.splitlines():  # the copy in the bundle is the published one
        want, name = line.split("  ")
        assert hashlib.sha256((day.bundle / verify.VERIFIER_DIR / name).read_bytes()).hexdigest() == want
