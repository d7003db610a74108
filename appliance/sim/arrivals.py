"""When simulated callers arrive: the schedule a load benchmark places its calls on.

A hospital line's calls do not all start in the same 20 ms. Placed in lockstep (sipp's `-r 50`
with one recording), every turn of every call ends in the same frame, and the box sees bursts of
simultaneous finals, dialog turns and syntheses that real traffic does not make. A schedule is
written `KIND[:RATE]`:

- `poisson:R` — a Poisson process of R calls a second on average (the textbook model of
  independent callers): exponential gaps, the first call at 0. Seeded, so runs compare.
- `uniform:R` — one call every 1/R seconds.
- `burst` — every call at once, 20 ms apart (sipp's `-r 50`: the old lockstep load).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

BURST_GAP_S = 0.02  # sipp -r 50
KINDS = ("poisson", "uniform", "burst")


class ArrivalError(ValueError):
    """An arrival schedule that cannot be read."""


@dataclass(frozen=True)
class Arrivals:
    kind: str
    rate_per_s: float = 0.0
    """Mean calls a second (poisson, uniform); unused for burst."""

    @staticmethod
    def parse(text: str) -> Arrivals:
        kind, _, rate = text.strip().partition(":")
        if kind not in KINDS:
            raise ArrivalError(f"arrivals {text!r}: the kind must be one of {', '.join(KINDS)}")
        if kind == "burst":
            if rate:
                raise ArrivalError(f"arrivals {text!r}: burst takes no rate")
            return Arrivals("burst")
        try:
            value = float(rate)
        except ValueError:
            raise ArrivalError(
                f"arrivals {text!r}: {kind} needs a rate in calls a second, e.g. {kind}:2"
            ) from None
        if not value > 0 or value == float("inf"):
            raise ArrivalError(f"arrivals {text!r}: the rate must be a positive number of calls a second")
        return Arrivals(kind, value)

    def offsets_s(self, calls: int, seed: int = 14) -> list[float]:
        """Each call's start, in seconds after the first, in order."""
        if calls <= 0:
            return []
        if self.kind == "burst":
            return [i * BURST_GAP_S for i in range(calls)]
        if self.kind == "uniform":
            return [i / self.rate_per_s for i in range(calls)]
        rng = random.Random(seed)
        offsets, t = [0.0], 0.0
        for _ in range(calls - 1):
            t += rng.expovariate(self.rate_per_s)
            offsets.append(t)
        return offsets

    def __str__(self) -> str:
        return self.kind if self.kind == "burst" else f"{self.kind}:{self.rate_per_s:g}"
