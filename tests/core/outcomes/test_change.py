"""Percent change from baseline (core.outcomes.change)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.outcomes import improvement_fraction, percent_change


def test_percent_change_of_a_fall_is_negative() -> None:
    # Docstring example: percent_change(30, 12) == -60.0 ((12 - 30) / 30 x 100, by hand).
    assert percent_change(30, 12) == pytest.approx(-60.0, abs=1e-12)
    assert improvement_fraction(30, 12) == pytest.approx(0.6, abs=1e-12)


@pytest.mark.parametrize(("baseline", "score"), [(0, 5), (-1, 5), (10, float("nan")), (True, 1)])
def test_it_refuses_an_undefined_percent_change(baseline: float, score: float) -> None:
    with pytest.raises(InputError):
        percent_change(baseline, score)


@given(
    baseline=st.floats(min_value=0.5, max_value=100),
    a=st.floats(min_value=0, max_value=100),
    b=st.floats(min_value=0, max_value=100),
)
def test_percent_change_is_monotone_in_the_score(baseline: float, a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert percent_change(baseline, low) <= percent_change(baseline, high)
    assert percent_change(baseline, low) >= -100.0
