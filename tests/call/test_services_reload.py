"""SIGHUP reload of the site pack: a good pack is taken for new calls, a bad one changes nothing."""

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from appliance.call.services import build_services
from appliance.config import REPO_ROOT, Settings, load_settings
from appliance.dialog.sitepack import SiteError


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the shipped Riverside pack, for the test to edit."""
    pack = tmp_path / "site"
    shutil.copytree(REPO_ROOT / "policies" / "riverside", pack)
    return pack


def _with_services(pack: Path, body: Callable[[Any, Settings], Awaitable[None]]) -> None:
    """`body(services, settings)` on services built from `pack`, closed after whatever happens."""
    settings = load_settings(site={"policy_dir": pack})

    async def go() -> None:
        services = await build_services(settings, speech=False)
        try:
            await body(services, settings)
        finally:
            await services.close()

    asyncio.run(go())


def test_reload_swaps_a_valid_pack_and_refuses_a_broken_one(pack: Path):
    async def body(services: Any, settings: Settings) -> None:
        before = services.site
        site_yaml = pack / "site.yaml"
        text = site_yaml.read_text().replace("Riverside Community Hospital", "Riverside East")
        site_yaml.write_text(text)
        services.reload_site(settings)
        assert services.site is not before and services.site.site.name == "Riverside East"

        good = services.site
        (pack / "flows.yaml").write_text("flows: [this is not a flow\n")
        with pytest.raises(SiteError):
            services.reload_site(settings)
        assert services.site is good  # the running pack stays

    _with_services(pack, body)


def test_reload_with_new_examples_teaches_new_phrasings_without_stopping_calls(pack: Path):
    async def body(services: Any, settings: Settings) -> None:
        old = services.semantic
        examples = pack / "examples.yaml"
        examples.write_text(examples.read_text().replace(
            "    - I'd like to book an appointment.\n",
            "    - I'd like to book an appointment.\n    - could you pencil me in with a physician\n",
        ))  # fmt: skip
        services.reload_site(settings)
        assert services.semantic is old  # the new examples are embedded in a thread meanwhile
        for _ in range(600):
            if services.semantic is not old:
                break
            await asyncio.sleep(0.05)
        new = services.semantic
        assert new is not old and "could you pencil me in with a physician" in [
            text for _, text, _ in services.site.examples.labeled()
        ]
        assert new.read("could you pencil me in with a physician").label == "flow:book_appointment"

    _with_services(pack, body)
