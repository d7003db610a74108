"""Secure digits: a caller may key in the date of birth; the digits reach verify_identity only.

The riverside identity steps carry `keypad: date_of_birth`; site.yaml's `keypad:` holds the keys.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from appliance.dialog.actions import AgentAction, SecureDigits, Transfer
from appliance.dialog.engine import DialogEngine
from appliance.dialog.sitepack import SiteError, load_site
from appliance.events import Event
from appliance.knowledge.index import KnowledgeBase
from appliance.tools.gateway import ToolGateway
from appliance.tools.sitedata import load_schedule
from tests.dialog.conftest import NOW, SITE_DIR, Call, edit
from tests.dialog.test_engine import says

PATEL = "Hi, I'd like to see Doctor Patel next Tuesday morning."
MARIA_KEYS = "03031980"  # Maria Gonzalez, 1980-03-03 (riverside.md)
# every form the keyed date could take if it leaked
LEAKS = ("03031980", "1980-03-03", "0303", "03/03", "3 march", "march 3")


def secure(actions: list[AgentAction]) -> list[bool]:
    return [a.enabled for a in actions if isinstance(a, SecureDigits)]


def everything_recorded(call: Call) -> str:
    """Events, history, handoff summaries and actions, as one lower-case text to search."""
    parts: list[str] = [repr(dataclasses.asdict(e)) for e in call.events]
    parts += [f"{who}: {text}" for who, text in call.engine.history]
    parts += [repr(a) for a in call.actions]
    return "\n".join(parts).lower()


def assert_no_leak(call: Call) -> None:
    # A leak is the date not inside a longer number: "0303" inside a timestamp such as
    # 10.403293003037 is not the caller's date (that matched once and failed CI).
    text = everything_recorded(call)
    for leak in LEAKS:
        assert not re.search(rf"(?<![\d.]){re.escape(leak)}(?!\d)", text), leak


def at_dob_question(call: Call) -> list[AgentAction]:
    call.turn(PATEL)
    return call.turn("Maria Gonzalez")


def test_name_by_voice_dob_by_keypad_verifies_and_books(make_call: Callable[..., Call]) -> None:
    call = make_call()
    first = call.turn(PATEL)
    assert "full name and date of birth" in says(first) and secure(first) == []
    asked = call.turn("Maria Gonzalez")
    assert secure(asked) == [True] and isinstance(asked[0], SecureDigits)
    assert "key it in" in says(asked)
    out = call.turn(dtmf=MARIA_KEYS)
    assert out[0] == SecureDigits(False)
    assert call.engine.identity_verified and "found your record" in says(out)
    assert "Which would you like" in says(out)
    out = call.turn("The first one is fine.")
    assert "booked" in says(out)
    assert call.tools() == ["verify_identity", "find_slots", "book_appointment"]
    verified = [e for e in call.events if e.type == "identity-checked"]
    assert [(e.verified, e.attempt) for e in verified] == [(True, 1)]
    assert "(keypad entry)" in [text for _, text in call.engine.history]
    assert_no_leak(call)


def test_keys_one_press_at_a_time_and_the_end_key(make_call: Callable[..., Call]) -> None:
    call = make_call()
    at_dob_question(call)
    for key in MARIA_KEYS[:-1]:
        assert call.turn(dtmf=key) == []  # 0 first is a digit here; nothing is said meanwhile
    out = call.turn(dtmf=MARIA_KEYS[-1] + "#")
    assert out[0] == SecureDigits(False) and call.engine.identity_verified
    assert [text for _, text in call.engine.history].count("(keypad entry)") == 1
    assert_no_leak(call)


def test_wrong_keyed_dates_are_failed_tries_three_reach_the_operator(
    make_call: Callable[..., Call],
) -> None:
    call = make_call()
    at_dob_question(call)
    out = call.turn(dtmf="04011980#")
    assert "couldn't match" in says(out) and "key it in" in says(out)
    assert secure(out) == []  # still secure: the retry invites keys again
    assert not call.engine.finished
    call.turn("Maria Gonzalez")
    call.turn(dtmf="04021980")
    call.turn("Maria Gonzalez")
    out = call.turn(dtmf="03041980")
    transfer = out[-1]
    assert isinstance(transfer, Transfer) and transfer.to == "2000"
    assert secure(out) == [False] and out.index(SecureDigits(False)) < out.index(transfer)
    assert transfer.summary["identity_verified"] is False
    assert [a["status"] for a in transfer.summary["actions"]] == ["not_found"] * 3
    assert [e.attempt for e in call.events if e.type == "identity-checked"] == [1, 2, 3]
    assert "cancel_appointment" not in call.tools() and "find_slots" not in call.tools()
    text = everything_recorded(call)
    for keys in ("04011980", "04021980", "03041980", "1980-04-01", "1980-04-02", "1980-03-04"):
        assert keys not in text


def test_keys_first_on_the_retry_then_the_name(make_call: Callable[..., Call]) -> None:
    call = make_call()
    at_dob_question(call)
    call.turn(dtmf="04011980")  # wrong: the retry asks for both and still takes keys
    out = call.turn(dtmf=MARIA_KEYS)
    assert out[0] == SecureDigits(False) and "full name" in says(out)
    assert not call.engine.identity_verified
    out = call.turn("Maria Gonzalez")
    assert call.engine.identity_verified and secure(out) == []
    assert_no_leak(call)


def test_keys_that_are_no_date_count_as_a_try_without_the_tool(make_call: Callable[..., Call]) -> None:
    call = make_call()
    at_dob_question(call)
    out = call.turn(dtmf="13451980")
    assert "isn't a date" in says(out) and call.tools() == []
    assert [(e.verified, e.attempt) for e in call.events if e.type == "identity-checked"] == [(False, 1)]
    assert call.turn(dtmf="0303#") != []  # too short: ended early by #
    out = call.turn(dtmf=MARIA_KEYS)
    assert call.engine.identity_verified and out[0] == SecureDigits(False)
    assert "13451980" not in everything_recorded(call)


def test_three_entries_that_are_no_date_reach_the_operator(make_call: Callable[..., Call]) -> None:
    call = make_call()
    at_dob_question(call)
    call.turn(dtmf="99999999")
    call.turn(dtmf="12#")
    out = call.turn(dtmf="00000000")
    assert isinstance(out[-1], Transfer) and out[-1].to == "2000"
    assert secure(out) == [False] and call.tools() == []


def test_star_reaches_the_operator_during_the_entry(make_call: Callable[..., Call]) -> None:
    call = make_call()
    at_dob_question(call)
    assert call.turn(dtmf="0") == []  # a digit (a March birthday starts 03), not the operator
    out = call.turn(dtmf="*")
    assert out[0] == SecureDigits(False)
    transfer = out[-1]
    assert isinstance(transfer, Transfer) and transfer.to == "2000"
    assert transfer.reason == "caller-pressed-operator" and transfer.summary["identity_verified"] is False
    assert call.tools() == []


def test_zero_still_reaches_the_operator_outside_an_entry(make_call: Callable[..., Call]) -> None:
    call = make_call()
    out = call.turn(PATEL)
    assert secure(out) == []  # the first identity question invites no keys
    out = call.turn(dtmf="0")
    assert isinstance(out[-1], Transfer) and out[-1].to == "2000" and secure(out) == []


def test_saying_the_date_instead_ends_secure_mode(make_call: Callable[..., Call]) -> None:
    call = make_call()
    at_dob_question(call)
    call.turn(dtmf="03")  # started keying, then thought better of it
    out = call.turn("March third, nineteen eighty")
    assert out[0] == SecureDigits(False) and call.engine.identity_verified


def test_saying_operator_works_during_the_entry(make_call: Callable[..., Call]) -> None:
    call = make_call()
    at_dob_question(call)
    out = call.turn("operator")
    assert out[0] == SecureDigits(False)
    assert isinstance(out[-1], Transfer) and out[-1].to == "2000"


def test_silence_drops_a_half_keyed_entry(make_call: Callable[..., Call]) -> None:
    call = make_call()
    at_dob_question(call)
    call.turn(dtmf="0303")
    out = call.turn(silence=True)
    assert "key it in" in says(out) and secure(out) == []
    out = call.turn(dtmf=MARIA_KEYS)  # a fresh entry: the four earlier keys are gone
    assert call.engine.identity_verified


def test_a_call_fault_during_the_entry_turns_secure_mode_off(make_call: Callable[..., Call]) -> None:
    call = make_call()
    at_dob_question(call)
    actions = call.engine.fail_to_human("engine-error")
    assert actions[0] == SecureDigits(False) and isinstance(actions[-1], Transfer)


# -- the option is the site pack's -----------------------------------------------------------
def test_without_the_option_no_keys_are_invited(
    pack: Path, session_factory: sessionmaker[Session], knowledge: KnowledgeBase
) -> None:
    edit(pack / "flows.yaml", "        keypad: date_of_birth\n", "")
    site = load_site(pack)
    events: list[Event] = []
    gateway = ToolGateway(session_factory, load_schedule(SITE_DIR), now=lambda: NOW,
                          events=events.append, call_id="c", timeout_s=5.0)  # fmt: skip
    engine = DialogEngine(site, call_id="c", gateway=gateway, knowledge=knowledge,
                          emit=events.append, clock_ms=lambda: 0.0)  # fmt: skip
    call = Call(engine, events)
    out = at_dob_question(call)
    assert secure(out) == [] and "key it in" not in says(out)
    out = call.turn(dtmf="0")
    assert isinstance(out[-1], Transfer)  # no entry: 0 is the operator


def test_keypad_on_another_step_names_file_and_line(pack: Path) -> None:
    line = edit(pack / "flows.yaml", "      - collect: medication\n",
                "      - collect: medication\n        keypad: date_of_birth\n")  # fmt: skip
    with pytest.raises(SiteError) as info:
        load_site(pack)
    found = [(Path(i.file).name, i.line, i.message) for i in info.value.issues]
    assert any(f == "flows.yaml" and abs(n - line) <= 1 and "verify_identity" in m for f, n, m in found)


def test_unknown_keypad_entry_names_file_and_line(pack: Path) -> None:
    step = "        keypad: date_of_birth"
    text = (pack / "flows.yaml").read_text()
    line = text[: text.index(step)].count("\n") + 1
    (pack / "flows.yaml").write_text(text.replace(step, "        keypad: card_number", 1))
    with pytest.raises(SiteError) as info:
        load_site(pack)
    assert any(
        Path(i.file).name == "flows.yaml" and i.line == line and "date_of_birth" in i.message
        for i in info.value.issues
    ), [str(i) for i in info.value.issues]


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('entry_operator: "*"', 'entry_operator: "#"', "different keys"),
        ('entry_operator: "*"', 'entry_operator: "0"', "entry_operator"),
        ('  operator: "0"', '  operator: "00"', "operator"),
    ],
)
def test_bad_keypad_rules_name_file_and_line(pack: Path, old: str, new: str, words: str) -> None:
    line = edit(pack / "site.yaml", old, new)
    with pytest.raises(SiteError) as info:
        load_site(pack)
    issues = [i for i in info.value.issues if Path(i.file).name == "site.yaml"]
    assert issues and words in issues[0].message
    assert abs(issues[0].line - line) <= 1
