"""The site's own public facts (its address, main line, departments' extensions) are no one's PHI:
wherever redaction runs for a site they are left as said, written or spoken, while a caller's own
address on the same street and a caller's own number are still hidden."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appliance.cli.main import app
from appliance.dialog.sitepack import load_site
from appliance.privacy.handoffs import load_handoff, save_handoff
from appliance.privacy.redaction import SiteFacts, redact, redact_many
from appliance.privacy.transcripts import TranscriptLine, redacted_lines
from tests.conftest import REPO

RIVERSIDE = load_site(REPO / "policies" / "riverside").public_facts()
# Another fictional site, so that nothing here holds for one address only.
HARBOUR = SiteFacts("45 Kestrel Quay, Saltmarsh", ["+1 555 010 7700"], ["310", "320"])

THE_SITES_OWN = (
    (RIVERSIDE, "So you're at 1200 Riverbend Road? Which door is closest to the clinic?"),
    (RIVERSIDE, "they said come to twelve hundred riverbend road for the scan"),
    (RIVERSIDE, "the letter says 1200 Riverbend Rd., Millbrook, is that you"),
    (RIVERSIDE, "is the main line still (555) 010-4000?"),
    (RIVERSIDE, "i have five five five oh one oh four thousand written down for you"),
    (RIVERSIDE, "i called 555-010-4000 ext. 2300 and nobody picked up"),
    (RIVERSIDE, "can you put me through to extension 2100"),
    (HARBOUR, "is that forty five kestrel quay in saltmarsh"),
    (HARBOUR, "I rang 555.010.7700, extension 320, twice today."),
)


@pytest.mark.parametrize(("site", "text"), THE_SITES_OWN)
@pytest.mark.parametrize("tagged", [False, True])
def test_the_sites_own_address_and_numbers_are_left_as_said(site: SiteFacts, text: str, tagged: bool) -> None:
    assert redact(text, tagged=tagged, site=site).text == text


def test_without_the_sites_facts_the_same_words_are_hidden() -> None:
    # the rule is the site's facts, not some blind spot of the finders
    out = redact("So you're at 1200 Riverbend Road? The main line is (555) 010-4000.").text
    assert "[ADDRESS]" in out and "[PHONE]" in out


CALLERS_OWN = (
    ("i live at fourteen hundred riverbend road, not the hospital", "fourteen hundred riverbend road"),
    ("My flat is 12 Riverbend Road, Millbrook.", "12 Riverbend Road"),
    ("We're at 1200 Riverbend Road Apt 5 now, my mum moved in with us.", "Apt 5"),
    ("my cell is five five five oh one oh four thousand and one", "five five five oh one oh four"),
    ("you can reach me on (555) 010-4001 after six", "(555) 010-4001"),
    ("my work number is 555-013-2291 extension 2300", "555-013-2291"),
    # the site's own address said as where someone is or lives places that person
    ("she is still at 1200 riverbend road since monday", "riverbend"),
    ("I'm at 1200 Riverbend Road with my dad, can someone come down", "Riverbend"),
    ("my address is twelve hundred riverbend road", "riverbend"),
)


@pytest.mark.parametrize(("text", "secret"), CALLERS_OWN)
def test_a_callers_own_address_or_number_beside_the_sites_is_still_hidden(text: str, secret: str) -> None:
    out = redact(text, tagged=True, site=RIVERSIDE).text
    assert secret not in out, out


def test_both_in_one_sentence_the_site_stays_and_the_caller_goes() -> None:
    text = "You're at 1200 Riverbend Road, I'm at 18 Riverbend Road: call 555-013-2291, not 555-010-4000."
    out = redact(text, tagged=True, site=RIVERSIDE).text
    assert out == "You're at 1200 Riverbend Road, I'm at [ADDRESS]: call [PHONE], not 555-010-4000."


def test_a_finished_transcript_keeps_the_sites_facts_for_agent_and_caller() -> None:
    lines = [
        TranscriptLine(
            0.0, "agent", "We're at 1200 Riverbend Road, Millbrook; our main line is (555) 010-4000."
        ),
        TranscriptLine(1.0, "caller", "ok and my address is 9 Riverbend Road"),
    ]
    got = [ln.text for ln in redacted_lines(lines, (), learned=False, site=RIVERSIDE)]
    assert got == [lines[0].text, "ok and my address is [ADDRESS]"]
    batch = redact_many([lines[0].text], site=RIVERSIDE)
    assert batch[0].text == lines[0].text


def test_a_handoff_summary_keeps_the_sites_facts(tmp_path: Path) -> None:
    said = (
        "Caller at 7 Riverbend Road asks which entrance of 1200 Riverbend Road to use; call back 555-013-2291"
    )
    save_handoff(tmp_path, "h-site", {"request": said}, site=RIVERSIDE)
    stored = load_handoff(tmp_path, "h-site")["request"]
    assert (
        stored == "Caller at [ADDRESS] asks which entrance of 1200 Riverbend Road to use; call back [PHONE]"
    )


def test_wardline_redact_keeps_the_configured_sites_facts_unless_told_not_to() -> None:
    text = "is (555) 010-4000 your number, at 1200 Riverbend Road? mine is 555-013-2291\n"
    runner = CliRunner()
    kept = runner.invoke(app, ["redact", "--no-site-names", "--rules-only", "--json"], input=text)
    assert kept.exit_code == 0, kept.output
    assert (
        json.loads(kept.stdout)["redacted"]
        == "is (555) 010-4000 your number, at 1200 Riverbend Road? mine is [PHONE]\n"
    )
    hidden = runner.invoke(app, ["redact", "--no-site-names", "--rules-only", "--no-site-facts"], input=text)
    assert hidden.stdout == "is [PHONE] your number, at [ADDRESS]? mine is [PHONE]\n"


def test_the_site_pack_gives_its_address_main_line_and_extensions() -> None:
    assert RIVERSIDE.house == "1200" and RIVERSIDE.street == ("riverbend", "road")
    assert RIVERSIDE.town == ("millbrook",)
    assert RIVERSIDE.phones == {"5550104000"}
    assert {"2000", "2100", "2200", "2300", "2400"} <= RIVERSIDE.extensions
