"""The arrival schedule a load benchmark places its calls on (appliance/sim/arrivals.py)."""

from __future__ import annotations

import itertools

import pytest

from appliance.sim.arrivals import ArrivalError, Arrivals


def test_burst_starts_every_call_within_a_fraction_of_a_second() -> None:
    offsets = Arrivals.parse("burst").offsets_s(16)
    assert len(offsets) == 16
    assert offsets[0] == 0.0 and offsets[-1] < 0.5


def test_uniform_spaces_calls_evenly_at_the_rate() -> None:
    assert Arrivals.parse("uniform:4").offsets_s(5) == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_poisson_spreads_calls_over_seconds_at_about_the_rate_and_repeats_with_its_seed() -> None:
    schedule = Arrivals.parse("poisson:2")
    offsets = schedule.offsets_s(400)
    assert offsets[0] == 0.0
    assert all(b >= a for a, b in itertools.pairwise(offsets))
    assert 150 < offsets[-1] < 250  # 399 gaps of 0.5 s on average
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(offsets)}
    assert len(gaps) > 300  # not a fixed spacing
    assert schedule.offsets_s(400) == offsets  # the same seed, the same schedule
    assert schedule.offsets_s(400, seed=15) != offsets
    assert schedule.offsets_s(16)[-1] > 1.0  # 16 calls do not all arrive in the first second


def test_a_schedule_prints_as_it_is_written() -> None:
    assert str(Arrivals.parse("poisson:2")) == "poisson:2"
    assert str(Arrivals.parse("burst")) == "burst"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("lockstep", "the kind must be one of"),
        ("poisson", "needs a rate"),
        ("poisson:fast", "needs a rate"),
        ("uniform:0", "positive"),
        ("uniform:-1", "positive"),
        ("poisson:nan", "positive"),
        ("burst:3", "no rate"),
    ],
)
def test_a_bad_schedule_is_refused_naming_it(text: str, says: str) -> None:
    with pytest.raises(ArrivalError, match=says) as refused:
        Arrivals.parse(text)
    assert repr(text) in str(refused.value)


def test_no_calls_no_arrivals() -> None:
    assert Arrivals.parse("poisson:2").offsets_s(0) == []
