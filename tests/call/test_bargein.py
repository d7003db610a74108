"""Caller sound over the agent: pause at once, resume for a backchannel, stop for real words."""

import numpy as np

from appliance.call.bargein import SENSITIVITY, Action, OverlapJudge, is_backchannel
from appliance.call.echo import EchoGuard


def _run(judge: OverlapJudge, speech_ms: int, echo: bool = False) -> list[Action]:
    actions = []
    for _ in range(speech_ms // 20):
        action = judge.frame(speech=True, echo=echo)
        if action is not None:
            actions.append(action)
    return actions


def _listening(sensitivity: str = "medium") -> OverlapJudge:
    """A judge for caller sound that has just begun over the agent's speech."""
    judge = OverlapJudge(SENSITIVITY[sensitivity])
    judge.start()
    return judge


def test_a_backchannel_pauses_the_agent_and_then_lets_it_go_on():
    judge = _listening()
    assert _run(judge, 400) == [Action.PAUSE]
    assert judge.partial("uh huh") is None
    assert judge.ended("uh-huh") is Action.RESUME


def test_a_cough_with_no_words_lets_the_agent_go_on():
    judge = _listening()
    assert _run(judge, 200) == [Action.PAUSE]
    assert judge.ended("") is Action.RESUME


def test_words_that_ask_something_are_an_interruption_as_soon_as_they_are_heard():
    judge = _listening()
    _run(judge, 200)
    assert judge.partial("wait I need") is Action.INTERRUPT
    judge = _listening()
    _run(judge, 500)
    assert judge.partial("Tuesday at nine") is Action.INTERRUPT


def test_a_short_no_stops_the_agent_and_a_short_sound_made_into_words_does_not():
    judge = _listening()
    _run(judge, 200)
    assert judge.ended("No.") is Action.INTERRUPT
    judge = _listening()
    _run(judge, 200)
    assert judge.ended("Amendment.") is Action.RESUME  # what the recognizer made of an "mm-hm"


def test_speech_that_goes_on_is_an_interruption_whatever_the_recognizer_says():
    for name, settings in SENSITIVITY.items():
        judge = OverlapJudge(settings)
        judge.start()
        assert _run(judge, 1200)[-1] is Action.INTERRUPT, name


def test_the_agents_own_echo_never_pauses_it():
    judge = _listening("high")
    assert _run(judge, 2000, echo=True) == []
    assert judge.ended("parking is free") is Action.RESUME


def test_backchannels_are_listening_noises_only():
    assert is_backchannel("Okay.") and is_backchannel("mm-hm") and is_backchannel("right, I see")
    assert not is_backchannel("no") and not is_backchannel("operator")


def _speechlike(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(8000 * seconds)) / 8000
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    voiced = sum(np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) for f in rng.uniform(120, 2500, 12))
    return (3000 * envelope * (voiced / 6 + rng.normal(0, 0.3, len(t)))).astype("<i2")


def _frames(x: np.ndarray) -> list[bytes]:
    return [x[i : i + 160].tobytes() for i in range(0, len(x) - 159, 160)]


def test_echo_of_what_was_just_played_is_told_from_the_callers_own_voice():
    agent = _speechlike(0.6, 1)
    guard = EchoGuard(8000)
    for frame in _frames(agent):
        guard.played(frame)
    # The line returns the agent 120 ms late and 12 dB quieter, through μ-law-ish noise.
    echo = np.concatenate([np.zeros(960), agent])[: len(agent)] * 0.25
    echo = (echo + np.random.default_rng(3).normal(0, 20, len(echo))).astype("<i2")
    assert guard.is_echo(_frames(echo)[-8:])
    caller = _speechlike(0.6, 2)
    assert not guard.is_echo(_frames(caller)[-8:])
    # The caller talking over the echo: their words count.
    assert not guard.is_echo(_frames((caller + echo // 2).astype("<i2"))[-8:])


def test_a_short_i_see_the_recognizer_wrote_as_other_words_lets_the_agent_go_on():
    # Whisper writes a short "I see" as "by C", "right" as "write", "uh-huh" as "a ha": by sound
    # they are backchannels, and the agent plays on.
    for heard in ("By C.", "Icy.", "Write.", "A ha.", "Okay, by C."):
        judge = _listening()
        assert _run(judge, 500) == [Action.PAUSE]
        assert judge.partial(heard) is None, heard
        assert judge.ended(heard) is Action.RESUME, heard


def test_words_that_only_sound_near_a_backchannel_still_stop_the_agent():
    for heard in ("No.", "Oh no.", "Why?", "Tuesday at nine", "I need the nurse"):
        judge = _listening()
        _run(judge, 500)
        assert judge.ended(heard) is Action.INTERRUPT, heard


def test_more_words_than_a_short_sound_could_carry_let_the_agent_go_on():
    # Whisper wrote "Thank you very much." for 0.4 s of a cough; a caller's "hold on" is as short.
    judge = _listening()
    _run(judge, 420)
    assert judge.partial("Thank you very much.") is None
    assert judge.ended("Thank you very much.") is Action.RESUME
    judge = _listening()
    _run(judge, 420)
    assert judge.partial("Hold on.") is Action.INTERRUPT
