"""The generator that turns [network] site_networks into IPAddressAllow= drop-ins."""

from __future__ import annotations

from pathlib import Path

from appliance.service.netgen import generate


def test_site_networks_become_ip_address_allow(tmp_path: Path) -> None:
    config = tmp_path / "wardline.toml"
    config.write_text('[network]\nsite_networks = ["10.20.0.0/16", "192.168.5.7/24"]\n')
    written = generate(tmp_path / "gen", config)
    assert [p.parent.name for p in written] == ["wardline.service.d", "wardline-retention.service.d"]
    text = written[0].read_text()
    assert "IPAddressAllow=10.20.0.0/16\nIPAddressAllow=192.168.5.0/24\n" in text


def test_bad_or_open_networks_write_nothing(tmp_path: Path) -> None:
    config = tmp_path / "wardline.toml"
    for body in (
        '[network]\nsite_networks = ["0.0.0.0/0"]\n',
        '[network]\nsite_networks = ["nope"]\n',
        "[network\n",
        "",
    ):
        config.write_text(body)
        assert generate(tmp_path / "gen", config) == []
    assert not (tmp_path / "gen").exists()
