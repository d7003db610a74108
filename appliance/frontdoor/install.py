"""Write the front door's configuration, check it with `kamailio -c`, and only then use it.

Each generation lives in its own folder under the run directory (`gen-<digest>/`, whose files
name each other by absolute path), and `current` is a symbolic link to the one in use. A new
generation that Kamailio refuses is deleted and `current` stays where it was: a configuration
that does not validate is never installed over a working one (invariant 7).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from appliance.config import Settings
from appliance.frontdoor.kamailio import render
from appliance.frontdoor.plan import Plan

CHECK_TIMEOUT_S = 30.0


class FrontDoorError(Exception):
    """The front door cannot run as configured; the message says what and how to fix it."""


@dataclass(frozen=True)
class Installed:
    config: Path  # the kamailio.cfg in use (through `current`)
    changed: bool  # False: the same configuration was already in use


def kamailio_binary(settings: Settings) -> str:
    """The Kamailio executable, or FrontDoorError naming the package that provides it."""
    found = shutil.which(settings.frontdoor.kamailio) or shutil.which(
        settings.frontdoor.kamailio, path="/usr/sbin:/sbin"
    )
    if not found:
        raise FrontDoorError(
            f"frontdoor.kamailio: {settings.frontdoor.kamailio!r} is not installed; "
            "fix: apt-get install kamailio kamailio-tls-modules (scripts/setup does it)"
        )
    return found


def check(binary: str, config: Path) -> None:
    """`kamailio -c -f CONFIG`: raises FrontDoorError with Kamailio's own reason when refused."""
    try:
        done = subprocess.run(
            [binary, "-c", "-f", str(config)],
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FrontDoorError(f"{config}: kamailio -c could not run: {exc}") from None
    if done.returncode != 0:
        raise FrontDoorError(f"{config}: kamailio refused the configuration: {_reason(done.stderr)}")


def _reason(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR" in line or "error" in line]
    return (errors or lines or ["no reason given"])[0][:400]


def install(settings: Settings, plan: Plan, run_dir: Path, *, log_to_stderr: bool = True) -> Installed:
    """Render, check and switch `run_dir/current` to the new configuration; raises FrontDoorError
    (and leaves `current` as it was) when Kamailio refuses it."""
    binary = kamailio_binary(settings)
    run_dir.mkdir(parents=True, exist_ok=True)
    probe = render(settings, plan, run_dir / "gen-0", control_socket(run_dir), log_to_stderr=log_to_stderr)
    digest = hashlib.sha256(
        "\0".join([probe.config, probe.dispatcher, probe.tls or ""]).encode()
    ).hexdigest()[:16]
    folder = run_dir / f"gen-{digest}"
    current = run_dir / "current"
    if current.is_symlink() and os.readlink(current) == folder.name and (folder / "kamailio.cfg").is_file():
        return Installed(current / "kamailio.cfg", changed=False)
    rendered = render(settings, plan, folder, control_socket(run_dir), log_to_stderr=log_to_stderr)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o750)
    (folder / "kamailio.cfg").write_text(rendered.config, encoding="utf-8")
    (folder / "dispatcher.list").write_text(rendered.dispatcher, encoding="utf-8")
    if rendered.tls is not None:
        (folder / "tls.cfg").write_text(rendered.tls, encoding="utf-8")
    try:
        check(binary, folder / "kamailio.cfg")
    except FrontDoorError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    link = run_dir / "current.new"
    link.unlink(missing_ok=True)
    link.symlink_to(folder.name)
    previous = os.readlink(current) if current.is_symlink() else None
    os.replace(link, current)  # atomic: `current` is the old generation or the new, never neither
    if previous and previous != folder.name:
        shutil.rmtree(run_dir / previous, ignore_errors=True)
    return Installed(current / "kamailio.cfg", changed=True)


def control_socket(run_dir: Path) -> Path:
    """Kamailio's ctl socket (`kamcmd -s unix:PATH dispatcher.list`); the same in every generation."""
    return run_dir / "kamailio_ctl"


def installed_config(run_dir: Path) -> Path | None:
    """The configuration in use, or None before the first successful install."""
    config = run_dir / "current" / "kamailio.cfg"
    return config if config.is_file() else None
