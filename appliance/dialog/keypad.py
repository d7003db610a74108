"""The caller's keypad: menu keys, a secure date-of-birth entry, and the secure-digits mode.

On an identity step with `keypad: date_of_birth` the caller may key in the date of birth
(MMDDYYYY, optionally ended by the site's end key) when the agent asks for it on its own, and
again on the retry after a keyed try. Keys gather in the state, never in the history, an event,
a command, a summary or an error; a complete entry fills the `dob` slot exactly as a spoken date
does. The operator key rule is site.yaml's `keypad:` (outside an entry 0 pressed first; during
one *, as 0 is a digit of the date).
"""

from __future__ import annotations

from datetime import date

from appliance.dialog.actions import AgentAction, HangUp, Say, SecureDigits, Transfer
from appliance.dialog.commands import Affirm, ChooseOption, Command, Deny
from appliance.dialog.decisions import Advance, Emit, Outcome, PlanStep, Speak, TransferTo
from appliance.dialog.flows import FlowRunner
from appliance.dialog.handoff import transfer_words
from appliance.dialog.sitepack import SitePack
from appliance.dialog.state import DialogState
from appliance.events import IdentityChecked
from appliance.outcomes import TransferReason

DOB_KEYS = 8  # MMDDYYYY


def menu_commands(site: SitePack, state: DialogState, digits: str) -> list[Command] | None:
    """Keys outside a secure entry; None means "to the operator": the site's operator key (0)
    pressed first always works."""
    if not digits or digits.startswith(site.site.keypad.operator):
        return None
    if state.expecting == "choice" and digits[0].isdigit():
        return [ChooseOption(int(digits[0]))]
    if state.expecting in ("confirm", "retry", "anything_else", "referral"):
        return [Affirm()] if digits[0] == "1" else [Deny()] if digits[0] == "2" else []
    return []


def note_keys(state: DialogState, keys: str, secure: bool) -> None:
    """The history shows that keys were pressed; in a secure entry, not even how many."""
    if not secure:
        state.history.append(("caller", f"(keypad, {len(keys)} keys)"))
    elif state.history[-1:] != [("caller", "(keypad entry)")]:
        state.history.append(("caller", "(keypad entry)"))


def keyed_entry(runner: FlowRunner, state: DialogState, keys: str) -> list[PlanStep]:
    """Keys of a secure date-of-birth entry; nothing to do until the entry is complete."""
    rules = runner.site.site.keypad
    entry, done, bad = state.keyed, False, False
    for key in keys:
        if key == rules.entry_operator:
            state.keyed, state.expecting = "", None  # the identity step ends here: secure mode off
            return [
                Speak(transfer_words(runner.site, "operator")),
                TransferTo("operator", TransferReason.CALLER_PRESSED_OPERATOR),
            ]
        if done or not (key.isdigit() or key == rules.entry_end):
            bad = bad or key != rules.entry_end
            continue
        if key == rules.entry_end:
            done = True
        else:
            entry += key
            done = len(entry) == DOB_KEYS
    state.keyed = "" if done or bad else entry
    if not done and not bad:
        return []  # more keys to come
    state.dob_keyed = True
    dob = None if bad else keyed_date(entry)
    if not entry and not bad:
        return [Speak(state.last_prompt)]  # the end key alone: ask again, no try spent
    if dob is None:
        # a keyed entry that is no date counts as a failed try, as a wrong date does
        return outcome_steps(runner.bad_keyed_date(state))
    state.misses = 0
    state.slots["dob"] = dob
    state.expecting = None
    return [Advance()]


def outcome_steps(outcome: Outcome) -> list[PlanStep]:
    """An identity outcome as plan steps: its event, what it says, its handoff."""
    steps: list[PlanStep] = []
    if outcome.identity_checked is not None:
        verified, attempt = outcome.identity_checked
        steps.append(Emit(IdentityChecked, {"verified": verified, "attempt": attempt}))
    steps.append(Speak(outcome.say))
    if outcome.handoff:
        steps.append(TransferTo(outcome.handoff, outcome.reason))
    return steps


def keyed_date(keys: str) -> str | None:
    """MMDDYYYY as an ISO date, or None when the keys are no calendar date (the keys never
    reach an error message)."""
    if len(keys) != DOB_KEYS or not keys.isdigit():
        return None
    month, day, year = int(keys[:2]), int(keys[2:4]), int(keys[4:])
    if year < 1900:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


class SecureDigitsMode:
    """What the call was last told about secure digits. It follows the call, not the
    conversation, so taking a turn back leaves it alone.

    `SecureDigits(True)` goes out before the sentence that (again) asks for a keyed date of
    birth, so no key can arrive first, and `SecureDigits(False)` before anything else is said or
    done once no keys are awaited; a transfer or hang-up always ends it."""

    def __init__(self) -> None:
        self.on = False

    def before(self, action: AgentAction, awaited: bool, last_prompt: str) -> list[AgentAction]:
        """`action`, after a SecureDigits when the mode must change before it happens.

        `awaited`: the dialog waits for a keyed date of birth now."""
        if not isinstance(action, Say | Transfer | HangUp):
            return [action]
        want = isinstance(action, Say) and awaited and (self.on or last_prompt in action.text)
        if want == self.on:
            return [action]
        self.on = want
        return [SecureDigits(want), action]

    def off(self) -> list[AgentAction]:
        """Secure mode ends now (the caller answered by voice, the call is handed off)."""
        if not self.on:
            return []
        self.on = False
        return [SecureDigits(False)]
