from appliance.call.turns import EndOfTurnDetector, Signal, TurnTakingConfig


def run(det: EndOfTurnDetector, pattern: str, start_ms: float = 0.0, playing: bool = False):
    """pattern: 'S' speech frame, '.' silence frame; returns [(t_ms, signal)]."""
    out = []
    t = start_ms
    for ch in pattern:
        for sig in det.process(0.9 if ch == "S" else 0.05, t, agent_playing=playing):
            out.append((t, sig))
        t += 20
    return out


def test_turn_ends_after_the_endpoint_window_of_silence():
    det = EndOfTurnDetector(TurnTakingConfig(endpoint_ms=260))
    signals = run(det, "S" * 25 + "." * 20)
    assert signals[0] == (0, Signal.SPEECH_START)
    t_end, sig = signals[1]
    assert sig is Signal.END_OF_TURN
    speech_end = 25 * 20
    assert t_end + 20 - speech_end == 260  # decided on the frame that completes 260 ms of silence
    assert det.last_speech_end_ms == speech_end


def test_short_pauses_inside_a_turn_do_not_end_it():
    det = EndOfTurnDetector(TurnTakingConfig(endpoint_ms=260))
    signals = run(det, "S" * 10 + "." * 10 + "S" * 10 + "." * 14)
    assert [s for _, s in signals] == [Signal.SPEECH_START, Signal.END_OF_TURN]


def test_a_blip_is_noise_not_a_turn():
    det = EndOfTurnDetector(TurnTakingConfig(min_speech_ms=80))
    assert [s for _, s in run(det, "SS" + "." * 20)] == [Signal.SPEECH_START, Signal.NOISE]


def test_hysteresis_keeps_speech_through_a_dip():
    det = EndOfTurnDetector(TurnTakingConfig(endpoint_ms=100, threshold=0.5, release=0.35))
    probs = [0.9] * 10 + [0.4] * 10 + [0.1] * 5
    signals = [s for i, p in enumerate(probs) for s in det.process(p, i * 20)]
    assert signals == [Signal.SPEECH_START, Signal.END_OF_TURN]
    assert det.last_speech_end_ms == 20 * 20


def test_barge_in_needs_the_configured_speech_while_playing():
    det = EndOfTurnDetector(TurnTakingConfig(barge_in_ms=200))
    signals = run(det, "S" * 15, playing=True)
    assert [s for _, s in signals] == [Signal.SPEECH_START, Signal.BARGE_IN]
    assert signals[1][0] == 180  # the tenth speech frame completes 200 ms


def test_a_cough_during_playback_neither_barges_in_nor_ends_a_turn():
    det = EndOfTurnDetector(TurnTakingConfig(barge_in_ms=200, endpoint_ms=200))
    signals = run(det, "S" * 6 + "." * 15, playing=True)
    assert [s for _, s in signals] == [Signal.SPEECH_START, Signal.NOISE]


def test_very_long_speech_is_cut_at_max_turn():
    det = EndOfTurnDetector(TurnTakingConfig(max_turn_ms=2000))
    signals = [s for _, s in run(det, "S" * 150)]
    assert Signal.TURN_TOO_LONG in signals
    assert signals.count(Signal.SPEECH_START) == 2  # the speech that goes on opens a new turn
