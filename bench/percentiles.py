"""The percentile the benchmarks print: linear between the two nearest ranks (numpy's default),
NaN for no values, so a figure with nothing measured prints as "nan" instead of failing the run."""

from __future__ import annotations


def pct(values: list[float], q: float) -> float:
    """The q-quantile (q in 0..1) of `values`."""
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)
