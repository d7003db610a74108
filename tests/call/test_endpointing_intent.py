"""The site's request reader for end of turn: one per site pack, and old packs are let go."""

from __future__ import annotations

import gc
import weakref

from appliance.call.endpointing_intent import request_names_for
from appliance.config import load_settings
from appliance.dialog.sitepack import load_site


def test_one_reader_per_pack_and_a_box_that_reloads_often_keeps_only_the_newest() -> None:
    policy_dir = load_settings().site.policy_dir
    first = load_site(policy_dir)
    reader = request_names_for(first)
    assert reader is request_names_for(first)  # the same pack: its patterns compiled once
    assert reader is not None and reader("I need a refill.", None)
    gone = weakref.ref(first)
    del first, reader
    for _ in range(12):  # a reload a week for three months
        request_names_for(load_site(policy_dir))
    gc.collect()
    assert gone() is None  # the first pack, its reader and its patterns were released
