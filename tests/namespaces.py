"""Tests that need a private user and mount namespace (a real tmpfs, a real read-only remount, an
empty /run) run only where `unshare` can make one, and are skipped elsewhere."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def _namespaces() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


needs_namespaces = pytest.mark.skipif(
    not _namespaces(), reason="user and mount namespaces are not available here"
)
