"""The systemd generator: [network] site_networks into IPAddressAllow= for the units, and the
SIP worker units that wardline.target wants ([sip] max_calls / 3, or [frontdoor] workers), with
the shared engine process when the workers use one ([speech] engines) and the LLM server when
they share a GGUF model ([llm] enabled and engine; the unit skips itself for a vLLM model).

systemd runs /lib/systemd/system-generators/wardline-network-generator at boot and on every
`systemctl daemon-reload`; it calls `main` with the generator output folders. The drop-in it
writes adds the site networks to the units' IPAddressAllow= (the unit files themselves allow
localhost only). It reads the TOML directly rather than loading the full settings, so it stays
fast and cannot fail on an unrelated setting; a broken file or an invalid network produces no
drop-in at all (fail closed: localhost only) and the service reports the file at start.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import sys
import tomllib
from pathlib import Path

UNITS = ("wardline-frontdoor.service", "wardline-worker@.service", "wardline-retention.service")
DROPIN = "50-site-networks.conf"
UNIT_DIR = Path("/lib/systemd/system")


def site_networks(config: Path) -> list[str]:
    """The networks from the configuration, normalised; raises ValueError on a bad one."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    nets = data.get("network", {}).get("site_networks", [])
    if not isinstance(nets, list):
        raise ValueError("network.site_networks must be a list")
    out = []
    for text in nets:
        net = ipaddress.ip_network(str(text), strict=False)
        if net.prefixlen == 0:
            raise ValueError(f"{text} would allow every address")
        out.append(str(net))
    return out


def dropin_text(nets: list[str]) -> str:
    lines = [
        "# Written by wardline-network-generator from /etc/wardline/wardline.toml; do not edit.",
        "[Service]",
    ]
    lines += [f"IPAddressAllow={net}" for net in nets]
    return "\n".join(lines) + "\n"


def generate(normal_dir: Path, config: Path) -> list[Path]:
    try:
        nets = site_networks(config)
    except (OSError, ValueError, tomllib.TOMLDecodeError):
        return []
    if not nets:
        return []
    written = []
    for unit in UNITS:
        folder = normal_dir / f"{unit}.d"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / DROPIN).write_text(dropin_text(nets), encoding="utf-8")
        written.append(folder / DROPIN)
    return written


def worker_count(config: Path) -> int:
    """How many wardline-worker@N units the box runs: the rule of appliance/frontdoor/plan.py,
    from the raw TOML; an unreadable file counts as the defaults (its units then refuse to
    start and say why)."""
    from appliance.config import FrontDoorSettings, SipSettings
    from appliance.frontdoor.plan import workers_for

    max_calls = SipSettings.model_fields["max_calls"].default
    configured = FrontDoorSettings.model_fields["workers"].default
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
        max_calls = int(data.get("sip", {}).get("max_calls", max_calls))
        configured = int(data.get("frontdoor", {}).get("workers", configured))
    except (OSError, ValueError, TypeError, AttributeError, tomllib.TOMLDecodeError):
        pass
    return workers_for(max(1, max_calls), max(0, configured))


def engines_shared(config: Path) -> bool:
    """Whether the workers use the shared engine process: SpeechSettings' own rule, from the raw
    TOML's [speech] table; an unreadable file counts as the defaults."""
    from appliance.config import SpeechSettings

    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
        return SpeechSettings(**data.get("speech", {})).shared
    except (OSError, ValueError, TypeError, AttributeError, tomllib.TOMLDecodeError):
        return SpeechSettings().shared


def llm_shared(config: Path) -> bool:
    """Whether the workers use the box's LLM server: LlmSettings' own rule, from the raw TOML's
    [llm] table; an unreadable file counts as the defaults (the LLM off)."""
    from appliance.config import LlmSettings

    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
        return LlmSettings(**data.get("llm", {})).shared
    except (OSError, ValueError, TypeError, AttributeError, tomllib.TOMLDecodeError):
        return LlmSettings().shared


def generate_workers(normal_dir: Path, config: Path) -> list[Path]:
    """wardline.target.wants/wardline-worker@1.service … @N, links to the template, with
    wardline-engines.service when the engines are shared and wardline-llm.service when the LLM is."""
    wants = normal_dir / "wardline.target.wants"
    wants.mkdir(parents=True, exist_ok=True)
    written = []
    for unit, wanted in (
        ("wardline-engines.service", engines_shared(config)),
        ("wardline-llm.service", llm_shared(config)),
    ):
        link = wants / unit
        link.unlink(missing_ok=True)
        if wanted:
            link.symlink_to(UNIT_DIR / unit)
            written.append(link)
    for index in range(1, worker_count(config) + 1):
        link = wants / f"wardline-worker@{index}.service"
        link.unlink(missing_ok=True)
        link.symlink_to(UNIT_DIR / "wardline-worker@.service")
        written.append(link)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: wardline-network-generator NORMAL_DIR [EARLY_DIR LATE_DIR]", file=sys.stderr)
        return 2
    config = Path(os.environ.get("WARDLINE_CONFIG", "/etc/wardline/wardline.toml"))
    generate(Path(args[0]), config)
    # failing, the target starts the front door alone, and `wardline status` shows no workers
    with contextlib.suppress(Exception):
        generate_workers(Path(args[0]), config)
    return 0  # a generator that fails would only add noise at boot; no drop-in is the safe result


if __name__ == "__main__":
    sys.exit(main())
