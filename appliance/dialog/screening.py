"""What every caller turn meets before understanding: the red-flag check and the rule for
doubt, the caller's language, a card number read out, and an instruction to the agent.

The checks are pure functions of the site pack and the words (the semantic red-flag layer reads
the turn in a worker thread: the encoder computes). What each finding leads to is a list of
plan steps (appliance/dialog/decisions.py) that the engine carries out; the state changes it
implies (a safety question asked, the caller's language) are made here.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import replace

from appliance.dialog import responses as R
from appliance.dialog.actions import CallerTurn
from appliance.dialog.decisions import Emit, PlanStep, Speak, TransferTo
from appliance.dialog.handoff import transfer_words
from appliance.dialog.language import ENGLISH, handoff_message, identify
from appliance.dialog.redflags import RedFlag, check_red_flags, framing, normalise, semantic_flag
from appliance.dialog.semantic import SemanticIndex
from appliance.dialog.sitepack import SitePack
from appliance.dialog.spoken import digit_run, is_no, is_yes, normalize
from appliance.dialog.state import DialogState
from appliance.events import CommandAccepted, CommandRejected, RedFlagRaised
from appliance.outcomes import TransferReason

CARD_DIGITS = 12  # a run this long is a card number, never a date or a phone number


# -- the checks ----------------------------------------------------------------------------------
async def red_flag(
    site: SitePack,
    semantic: SemanticIndex | None,
    text: str,
    *,
    expecting: str | None,
    any_language: bool = False,
) -> RedFlag | None:
    """All layers; the semantic one reads the turn in a worker thread (the encoder computes).

    `any_language`: the words are not English, so the site's English symptom words cannot
    vouch for a semantic hit; the encoder (multilingual) is trusted on its own."""
    found = None
    if semantic is not None and text:
        vouched = True if any_language else None
        answering = expecting not in (None, "anything_else")
        found = await asyncio.to_thread(
            functools.partial(semantic_flag, symptom=vouched, answering=answering),
            semantic, site.redflags, text,
        )  # fmt: skip
    return check_red_flags(site.redflags, text, found)


def certain_emergency(site: SitePack, text: str) -> bool:
    """The words name a certain emergency (patterns and concepts only: no encoder)."""
    flag = check_red_flags(site.redflags, text)
    return flag is not None and flag.certain


def card_number(text: str) -> bool:
    """The caller read out a card number (a long digit run)."""
    return len(digit_run(text)) >= CARD_DIGITS


def caller_instruction(site: SitePack, text: str) -> bool:
    """The caller tells the agent to change its rules (nlu.yaml `injection`): never obeyed."""
    return instruction_in(site, normalize(text))


def instruction_in(site: SitePack, norm: str) -> bool:
    """`caller_instruction` for words already normalized (`spoken.normalize`)."""
    return any(p.search(norm) for p in site.nlu.injection.patterns)


def before_understanding(site: SitePack, text: str) -> bool:
    """Words the screening acts on before understanding would see them (a red flag, card
    digits, an instruction): a stable partial of such words is not understood early."""
    return (
        check_red_flags(site.redflags, text) is not None
        or card_number(text)
        or caller_instruction(site, text)
    )


def clear_no(site: SitePack, text: str) -> bool:
    """A clear "no, it's not happening now": a no, or words about the past, without a yes."""
    norm = normalise(text)
    if not norm or is_yes(text):
        return False
    return is_no(text) or framing(site.redflags, norm).history


def foreign_language(site: SitePack, turn: CallerTurn) -> str:
    """The caller's language on the first turn, when the site does not speak it ("" otherwise).

    The words decide first (script and lexicon); a recognizer's own detection counts when
    the words hold no English word to contradict it."""
    found = identify(turn.text)
    language = found.code if found else ""
    if not language and turn.language and not any(w in ENGLISH for w in normalize(turn.text).split()):
        language = turn.language
    return language if language and language not in site.site.languages else ""


# -- what a finding leads to -----------------------------------------------------------------------
def emergency(site: SitePack, state: DialogState, flag: RedFlag) -> list[PlanStep]:
    state.safety = None
    return [
        Emit(RedFlagRaised, {"category": flag.category}),
        Speak(flag.message),
        Speak(f"If you stay on the line, I'm connecting you to {site.label(flag.transfer_to)} now."),
        TransferTo(flag.transfer_to, TransferReason.RED_FLAG.at(flag.category)),
    ]


def doubt_or_emergency(site: SitePack, state: DialogState, flag: RedFlag, text: str) -> list[PlanStep]:
    if flag.response == "emergency":
        return emergency(site, state, flag)
    if flag.response == "nurse_line":
        return [
            Speak(transfer_words(site, "nurse")),
            TransferTo("nurse", TransferReason.RED_FLAG_DOUBT.at(flag.category)),
        ]
    state.safety = (flag, text)
    return [
        Emit(CommandAccepted, {"name": "safety_question", "args": {"category": flag.category}}),
        Speak(" ".join(site.redflags.safety_question.split())),
    ]


def safety_answered(site: SitePack, state: DialogState, text: str, flag: RedFlag | None) -> RedFlag | None:
    """The answer to the safety question: the emergency to act on, or None for a clear no (the
    caller goes back to what they asked, with `state.last_text` their first words)."""
    asked, words = state.safety or (None, "")
    state.safety = None
    assert asked is not None
    if flag is not None and flag.certain:
        return flag
    if not clear_no(site, text):
        return replace(asked, certain=True)
    state.last_text = words
    return None


def other_language(site: SitePack, state: DialogState, language: str, flag: RedFlag | None) -> list[PlanStep]:
    """Told in their language that a person will help (and the emergency number), then a
    person: the nurse line when the words may be an emergency (the encoder reads many
    languages), the interpreter line otherwise; the language goes in the handoff summary."""
    message, spoken_in = handoff_message(language)
    steps: list[PlanStep] = [Speak(message, language=spoken_in)]
    if flag:
        steps.append(Emit(RedFlagRaised, {"category": flag.category}))
        steps.append(TransferTo("nurse", TransferReason.RED_FLAG.at(flag.category)))
    else:
        steps.append(TransferTo("interpreter", TransferReason.LANGUAGE.at(language)))
    return steps


def card_number_read(state: DialogState) -> list[PlanStep]:
    state.request = "a billing or payment question"
    return [
        Speak("Please don't read card numbers to me. I'm connecting you to our billing office now."),
        TransferTo("billing", TransferReason.CARD_NUMBER),
    ]


def instruction_refused(state: DialogState) -> list[PlanStep]:
    steps: list[PlanStep] = [
        Emit(
            CommandRejected, {"name": "caller_instruction", "reason": "caller words cannot change the rules"}
        ),
        Speak(R.INJECTION),
    ]
    if state.expecting:
        steps.append(Speak(state.last_prompt))
    return steps
