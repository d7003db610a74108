"""Turn taking on the lockstep clock with the real engines (Silero, Smart Turn, pocketsphinx,
espeak-ng): a caller who pauses mid-thought, or after a few opening words, is one turn; an "okay"
over the agent lets it go on."""

import asyncio
from pathlib import Path

import pytest

from appliance.config import load_settings
from appliance.events import AgentSaid, BargeIn, CallerSaid, FlowStarted, TurnEnded
from appliance.sim.record import check
from tests.call.audio_calls import play_text

pytestmark = pytest.mark.slow


def test_a_caller_who_pauses_mid_thought_is_kept_as_one_turn(tmp_path: Path):
    # "… my date of birth is [pause] …": today's fixed 500 ms window ended the turn in the pause.
    scenario, log = play_text(
        tmp_path,
        """
name: paused-caller
turns:
  - say: "I need to reschedule my appointment."
  - say: "Maria Gonzalez, and my date of birth is [pause 900 ms] March third, nineteen eighty."
""",
    )
    assert check(scenario, log) == [], log.records
    ends = [e for e in log.events if isinstance(e, TurnEnded)]
    second_turn_starts = [e for e in log.events if isinstance(e, CallerSaid)][1].t_ms
    inside = [e for e in ends if e.t_ms > second_turn_starts]
    assert len(inside) == 1, f"the agent ended the turn inside the pause: {[e.t_ms for e in inside]}"
    assert not [e for e in log.events if isinstance(e, BargeIn)]


def test_okay_over_the_agent_does_not_stop_it(tmp_path: Path):
    _, log = play_text(
        tmp_path,
        """
name: backchannel
turns:
  - say: "How much is parking for visitors?"
  - say: "Okay."
    barge_in_after_ms: 1200
expect:
  agent_said: ["free for the first thirty minutes"]
""",
    )
    full = "Visitor parking is in the garage on Elm Street."
    said = [e for e in log.events if isinstance(e, AgentSaid)]
    assert any(e.text == full and not e.interrupted for e in said), [(e.text, e.interrupted) for e in said]
    assert not [e for e in log.events if isinstance(e, BargeIn)]


def test_a_caller_who_opens_with_a_few_words_and_pauses_is_kept_as_one_turn(tmp_path: Path):
    # "Please call me, [pause] at home": the words before the pause sound finished and Smart
    # Turn hears a sentence's end, but an opening answer of a few words is the start of one.
    _, log = play_text(
        tmp_path,
        """
name: paused-opening
turns:
  - say: "Please call me, [pause 800 ms] at home this evening."
""",
    )
    ends = [e for e in log.events if isinstance(e, TurnEnded)]
    assert len(ends) == 1, f"the agent ended the turn inside the pause: {[e.t_ms for e in ends]}"
    assert not [e for e in log.events if isinstance(e, BargeIn)]


def test_a_short_complete_opening_ends_the_turn_without_waiting_the_cap(tmp_path: Path):
    # "Refill please." to "how can I help?" is the whole turn: the site's understanding names the
    # request and the voice falls, so the agent does not wait the cap meant for a sentence begun.
    from appliance.call.endpointing import PROFILES

    _, log = play_text(
        tmp_path,
        """
name: terse-opening
turns:
  - say: "Refill please."
""",
    )
    ends = [e for e in log.events if isinstance(e, TurnEnded)]
    assert len(ends) == 1, [e.t_ms for e in ends]
    # the cap for a sentence begun is 1.4 s of silence; a named request waits at most the unsure window
    assert ends[0].silence_ms <= PROFILES["normal"].unsure_ms + 20, ends[0].silence_ms
    started = [e.flow for e in log.events if isinstance(e, FlowStarted)]
    assert started == ["refill_request"], started  # heard and understood as the whole request


def test_a_caller_who_names_the_request_and_pauses_before_saying_more_is_kept_as_one_turn(tmp_path: Path):
    # "Refill, [pause] for my lisinopril": the word names a whole request, but the voice stays up
    # at the pause, so the turn is not ended there.
    _, log = play_text(
        tmp_path,
        """
name: paused-terse-opening
turns:
  - say: "A refill, [pause 900 ms] for my lisinopril please."
""",
    )
    ends = [e for e in log.events if isinstance(e, TurnEnded)]
    assert len(ends) == 1, f"the agent ended the turn inside the pause: {[e.t_ms for e in ends]}"
    assert not [e for e in log.events if isinstance(e, BargeIn)]


def test_a_caller_who_says_hello_and_pauses_before_the_request_is_kept_as_one_turn(tmp_path: Path):
    # "Yeah, hi, [pause] I need …": a greeting alone sounds finished to Smart Turn, but it is
    # what comes before the request, not the request
    _, log = play_text(
        tmp_path,
        """
name: paused-greeting
turns:
  - say: "Yeah, hi, [pause 900 ms] I need a refill for my father."
""",
    )
    ends = [e for e in log.events if isinstance(e, TurnEnded)]
    assert len(ends) == 1, f"the agent ended the turn inside the pause: {[e.t_ms for e in ends]}"
    assert not [e for e in log.events if isinstance(e, BargeIn)]


def test_on_a_patient_site_a_caller_who_pauses_after_a_short_whole_sentence_is_kept_as_one_turn(
    tmp_path: Path,
):
    # "I'd like a callback from the nurse, [pause] about my vaccine": whole at the pause, but the
    # voice did not surely fall, and a short sentence to "how can I help?" often goes on; a
    # patient site waits for it
    _, log = play_text(
        tmp_path,
        """
name: paused-short-sentence
turns:
  - say: "I'd like a callback from the nurse, [pause 900 ms] about my vaccine."
""",
        call={"endpointing": "patient"},
    )
    ends = [e for e in log.events if isinstance(e, TurnEnded)]
    assert len(ends) == 1, f"the agent ended the turn inside the pause: {[e.t_ms for e in ends]}"
    assert not [e for e in log.events if isinstance(e, BargeIn)]


def test_a_caller_who_pauses_after_a_bare_no_is_kept_as_one_turn(tmp_path: Path):
    # "No, [pause] that's all": asked "anything else?", the caller says no and goes on; the
    # words at the pause are a whole answer and the voice sounds finished, but callers go on from
    # a bare yes or no, so the turn waits the unsure window (700 ms on a normal site) for more
    scenario, log = play_text(
        tmp_path,
        """
name: paused-no
turns:
  - say: "Hi, I'd like to see Doctor Patel next Tuesday morning."
  - say: "Maria Gonzalez. March third, nineteen eighty."
  - say: "The first one is fine."
  - say: "No, [pause 450 ms] that's all."
expect:
  outcome: contained
  tools: [verify_identity, book_appointment]
""",
    )
    assert check(scenario, log) == [], log.records
    last_turn_starts = [e for e in log.events if isinstance(e, CallerSaid)][3].t_ms
    ends = [e for e in log.events if isinstance(e, TurnEnded) and e.t_ms > last_turn_starts]
    assert len(ends) == 1, f"the agent ended the turn inside the pause: {[e.t_ms for e in ends]}"


def _spoken(text: str, voice: str) -> bytes:
    """`text` said by espeak-ng, carried at 8 kHz through G.711 μ-law, then 120 ms of the pause."""
    from appliance.audio import resample
    from appliance.sim.voices import mulaw_round_trip, parse_caller_voice

    raw = asyncio.run(parse_caller_voice(voice, load_settings()).speak(text, 16000))
    return mulaw_round_trip(resample(raw, 16000, 8000), 8000) + b"\x00\x00" * 960


@pytest.mark.parametrize("voice", ["espeak-ng:en-us+f3:160", "espeak-ng:en-us:170"])
@pytest.mark.parametrize("sentence", ["I want to cancel my appointment", "I have a question about my bill"])
def test_on_a_fast_site_a_whole_sentence_said_with_the_voice_up_waits_for_the_rest(sentence, voice):
    # "I want to cancel my appointment, [pause] the one on Friday": the words at the pause are
    # whole, and on a phone line Smart Turn may hear an end; the voice stayed up, so the turn
    # waits. The same words said with a full stop are left to the words and Smart Turn.
    from appliance.call.endpointing import PROFILES, EndpointPolicy, PauseJudge, shared_turn_model

    judge = PauseJudge(EndpointPolicy.for_site("fast"), shared_turn_model(), 8000, fallback_ms=260)

    def window(audio: bytes, words: str) -> int:
        verdict, decided = judge.verdict_window(words, None)
        if decided is not None:
            return decided
        heard = judge.hear(audio, words, verdict)
        return judge.window_for(verdict, heard.probability, heard.voice_up)

    # the recognizer's words at the pause, as Whisper writes them either way
    assert window(_spoken(sentence + ",", voice), sentence + ".") == PROFILES["fast"].incomplete_ms
    said_whole = _spoken(sentence + ".", voice)
    assert not judge.hear(said_whole, sentence + ".", judge.verdict_window(sentence + ".", None)[0]).voice_up


CALL_WITH_A_LATER_PAUSE = """
name: {name}
turns:
  - say: "Hi, I'd like to see Doctor Patel{first_pause} next Tuesday morning."
  - say: "Maria Gonzalez. March third, nineteen eighty."
  - say: "The first one is fine, [pause 600 ms] thank you."
  - say: "No, that's all."
expect:
  outcome: contained
  tools: [verify_identity, book_appointment]
"""


def _turn_ends(log, turn: int) -> list:
    starts = [e.t_ms for e in log.events if isinstance(e, CallerSaid)]
    until = starts[turn + 1] if turn + 1 < len(starts) else float("inf")
    return [e for e in log.events if isinstance(e, TurnEnded) and starts[turn] < e.t_ms < until]


def test_a_caller_who_went_on_after_a_cut_off_is_kept_as_one_turn_at_a_later_similar_pause(tmp_path: Path):
    # On a fixed 260 ms silence (no end-of-turn model), "I'd like to see Doctor Patel, [pause]
    # next Tuesday" is cut off and the caller goes on: the listener takes the reply back. Two
    # turns later the same caller pauses as long after "The first one is fine": the agent now
    # waits for them instead of cutting them off again.
    scenario, log = play_text(
        tmp_path,
        CALL_WITH_A_LATER_PAUSE.format(name="went-on-then-paused", first_pause=", [pause 600 ms]"),
        call={"turn_model": "off"},
    )
    assert check(scenario, log) == [], log.records
    assert len(_turn_ends(log, 0)) == 2, "the first pause ended the turn and the caller went on"
    third = _turn_ends(log, 2)
    assert len(third) == 1, f"the agent ended the turn inside the later pause: {[e.t_ms for e in third]}"


def test_a_caller_who_never_went_on_ends_their_turns_as_fast_as_before(tmp_path: Path):
    # The same call without the first pause: no cut-off was gone on from, so every turn keeps the
    # site's windows (a pause later in the call is cut off as before, and taken back)
    scenario, log = play_text(
        tmp_path,
        CALL_WITH_A_LATER_PAUSE.format(name="never-went-on", first_pause=""),
        call={"turn_model": "off"},
    )
    assert check(scenario, log) == [], log.records
    assert len(_turn_ends(log, 0)) == 1
    assert len(_turn_ends(log, 2)) == 2, "the fixed silence ends the turn in the pause, as before"
    # up to that cut-off no window grew: every turn ended on the site's fixed silence
    before = [*_turn_ends(log, 0), *_turn_ends(log, 1), _turn_ends(log, 2)[0]]
    waited = [e.silence_ms for e in before]
    assert max(waited) <= load_settings().call.long_endpoint_ms + 2 * 20, waited


def test_a_site_that_turns_adapting_off_gives_every_caller_the_profile_windows(tmp_path: Path):
    # `[call] adapt_to_caller = false`: the caller who went on after the first cut-off is cut off
    # again at the later pause, as a caller who never went on is
    scenario, log = play_text(
        tmp_path,
        CALL_WITH_A_LATER_PAUSE.format(name="adapting-off", first_pause=", [pause 600 ms]"),
        call={"turn_model": "off", "adapt_to_caller": False},
    )
    assert check(scenario, log) == [], log.records
    assert len(_turn_ends(log, 0)) == 2, "the first pause ended the turn and the caller went on"
    assert len(_turn_ends(log, 2)) == 2, "the later pause ended the turn: no window grew"
