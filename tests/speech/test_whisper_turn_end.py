"""Whisper tiny.en keeps a turn's last words: a medication name of many tokens, or the last words
of a quick caller, are not cut off by the decode's token budget (faster_whisper.token_budget).

The budget stops a decode that repeats itself; it was 6 tokens a second of audio, and a quick
caller's "refill on my lisinopril" (l-is-in-op-ril) or "…at the front desk" did not fit: the
beam's best hypotheses ended at the budget ("listen app", "at the front"). Real tiny.en, the
piper caller higher and slower, over G.711 μ-law at 8 kHz, streamed as a call feeds it.
"""

from __future__ import annotations

import pytest

from appliance.config import load_settings
from appliance.dialog.sitepack import load_site
from tests.speech.listening import HIGHER_SLOWER, hear


@pytest.fixture(scope="module")
def finals(models) -> list[str]:
    site = load_site(load_settings().site.policy_dir)
    said = ["I need a refill on my lisinopril.", "I want to speak to someone at the front desk."]
    return hear(models, site, said, voice=HIGHER_SLOWER, streamed=True)


def test_a_long_medication_name_at_the_end_of_a_refill_comes_out_whole(finals):
    assert "refill on my lisinopril" in finals[0].lower()


def test_the_last_words_of_a_quick_turn_are_kept(finals):
    assert finals[1].lower().rstrip(".").endswith("at the front desk")
