"""Change from baseline, the arithmetic every outcome rule starts from."""

from __future__ import annotations

import math

from ketacare.core.errors import InputError


def percent_change(baseline: float, score: float) -> float:
    """Percent change of ``score`` from ``baseline``; negative is improvement on symptom scales.

    ``percent_change(30, 12) == -60.0``. A baseline of 0 has no percent change and is refused.
    """
    for field, value in (("baseline", baseline), ("score", score)):
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise InputError(field, value, "a finite number")
        if value < 0:
            raise InputError(field, value, "a score of 0 or more")
    if baseline == 0:
        raise InputError(
            "baseline", baseline, "a baseline above 0 (percent change from 0 is undefined)"
        )
    return (score - baseline) / baseline * 100.0


def improvement_fraction(baseline: float, score: float) -> float:
    """Fraction of the baseline that has gone: 0.5 is a 50% fall (``-percent_change / 100``)."""
    return -percent_change(baseline, score) / 100.0
