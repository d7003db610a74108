"""The generator that turns [network] site_networks into IPAddressAllow= drop-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.service.netgen import generate, generate_workers


def test_site_networks_become_ip_address_allow(tmp_path: Path) -> None:
    config = tmp_path / "wardline.toml"
    config.write_text('[network]\nsite_networks = ["10.20.0.0/16", "192.168.5.7/24"]\n')
    written = generate(tmp_path / "gen", config)
    assert [p.parent.name for p in written] == [
        "wardline-frontdoor.service.d",
        "wardline-worker@.service.d",
        "wardline-retention.service.d",
    ]
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


def test_the_target_wants_one_worker_per_three_calls(tmp_path: Path) -> None:
    config = tmp_path / "wardline.toml"
    config.write_text("[sip]\nmax_calls = 8\n")
    links = generate_workers(tmp_path / "gen", config)
    assert [p.name for p in links] == [f"wardline-worker@{i}.service" for i in (1, 2, 3)]
    assert all(p.parent.name == "wardline.target.wants" for p in links)
    assert str(links[0].readlink()) == "/lib/systemd/system/wardline-worker@.service"
    config.write_text("[sip]\nmax_calls = 8\n[frontdoor]\nworkers = 5\n")
    assert len(generate_workers(tmp_path / "gen2", config)) == 5
    config.write_text("[sip\n")  # unreadable: the defaults (32 calls: 11 workers)
    assert len(generate_workers(tmp_path / "gen3", config)) == 11


@pytest.mark.parametrize(
    ("unit", "cases"),
    [
        (
            "wardline-engines.service",
            [
                ("[sip]\nmax_calls = 3\n", False),  # the embedded engines stay in the workers ("auto")
                ('[speech]\nasr = "faster-whisper"\n', True),  # Whisper: loaded once per box ("auto")
                ('[speech]\nasr = "faster-whisper"\nengines = "in-process"\n', False),
                ('[speech]\nengines = "shared"\n', True),
            ],
        ),
        (
            "wardline-llm.service",
            [
                ("[sip]\nmax_calls = 3\n", False),  # the LLM is off by default
                ("[llm]\nenabled = true\n", True),  # a GGUF model: loaded once per box ("auto")
                ('[llm]\nenabled = true\nengine = "in-process"\n', False),
                ('[llm]\nenabled = false\nengine = "shared"\n', False),
            ],
        ),
    ],
)
def test_the_target_wants_the_processes_the_workers_share(
    tmp_path: Path, unit: str, cases: list[tuple[str, bool]]
) -> None:
    config = tmp_path / "wardline.toml"
    for body, shared in cases:
        config.write_text(body)
        gen = tmp_path / f"gen-{len(list(tmp_path.iterdir()))}"
        names = [p.name for p in generate_workers(gen, config)]
        assert (unit in names) is shared, body
        link = gen / "wardline.target.wants" / unit
        assert link.is_symlink() is shared
        if shared:
            assert str(link.readlink()) == f"/lib/systemd/system/{unit}"
