"""The systemd generator that turns [network] site_networks into IPAddressAllow= for the units.

systemd runs /lib/systemd/system-generators/wardline-network-generator at boot and on every
`systemctl daemon-reload`; it calls `main` with the generator output folders. The drop-in it
writes adds the site networks to the units' IPAddressAllow= (the unit files themselves allow
localhost only). It reads the TOML directly rather than loading the full settings, so it stays
fast and cannot fail on an unrelated setting; a broken file or an invalid network produces no
drop-in at all (fail closed: localhost only) and the service reports the file at start.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tomllib
from pathlib import Path

UNITS = ("wardline.service", "wardline-retention.service")
DROPIN = "50-site-networks.conf"


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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: wardline-network-generator NORMAL_DIR [EARLY_DIR LATE_DIR]", file=sys.stderr)
        return 2
    config = Path(os.environ.get("WARDLINE_CONFIG", "/etc/wardline/wardline.toml"))
    generate(Path(args[0]), config)
    return 0  # a generator that fails would only add noise at boot; no drop-in is the safe result


if __name__ == "__main__":
    sys.exit(main())
