"""Invariants of effect sizes and pooling (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.core.evidence.effects import BinaryRow, binary_effect
from ketacare.core.evidence.pooling import pool_binary, pool_yi_vi

effect = st.floats(min_value=-5, max_value=5, allow_nan=False)
variance = st.floats(min_value=1e-3, max_value=10, allow_nan=False)
methods = st.sampled_from(["FE", "DL", "REML", "PM"])


@st.composite
def two_by_two(draw: st.DrawFn) -> BinaryRow:
    n1 = draw(st.integers(2, 200))
    n2 = draw(st.integers(2, 200))
    a = draw(st.integers(1, n1 - 1))
    c = draw(st.integers(1, n2 - 1))
    return BinaryRow("s", a, n1, c, n2)


@settings(max_examples=60, deadline=None)
@given(effect, variance, methods, st.booleans())
def test_pooling_one_study_returns_it(y: float, v: float, method: str, hksj: bool) -> None:
    r = pool_yi_vi([y], [v], method=method, hksj=hksj)
    assert r.estimate == y
    assert math.isclose(r.se, math.sqrt(v))
    assert r.tau2 == 0.0 and r.k == 1


@settings(max_examples=60, deadline=None)
@given(two_by_two(), st.sampled_from(["RR", "OR"]))
def test_swapping_arms_inverts_a_ratio(row: BinaryRow, measure: str) -> None:
    swapped = BinaryRow("s", row.events_ctrl, row.n_ctrl, row.events_treat, row.n_treat)
    a = binary_effect(row, measure)
    b = binary_effect(swapped, measure)
    assert a is not None and b is not None
    assert math.isclose(a.yi, -b.yi, abs_tol=1e-12)
    assert math.isclose(a.vi, b.vi)


@settings(max_examples=30, deadline=None)
@given(st.lists(two_by_two(), min_size=2, max_size=6), st.sampled_from(["RR", "OR"]))
def test_swapping_arms_inverts_a_pooled_mh_ratio(rows: list[BinaryRow], measure: str) -> None:
    rows = [
        BinaryRow(f"s{i}", r.events_treat, r.n_treat, r.events_ctrl, r.n_ctrl)
        for i, r in enumerate(rows)
    ]
    swapped = [BinaryRow(r.study, r.events_ctrl, r.n_ctrl, r.events_treat, r.n_treat) for r in rows]
    a = pool_binary(rows, measure, method="MH")
    b = pool_binary(swapped, measure, method="MH")
    assert math.isclose(a.estimate, -b.estimate, abs_tol=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(effect, variance), min_size=2, max_size=30), methods)
def test_pooled_estimate_lies_within_the_studies_range(
    pairs: list[tuple[float, float]], method: str
) -> None:
    ys = [p[0] for p in pairs]
    r = pool_yi_vi(ys, [p[1] for p in pairs], method=method)
    assert min(ys) - 1e-9 <= r.estimate <= max(ys) + 1e-9
    assert r.tau2 >= 0 and 0 <= r.i2 <= 100
    assert r.ci_low <= r.estimate <= r.ci_high
    assert r.pi_low <= r.ci_low + 1e-12 and r.pi_high >= r.ci_high - 1e-12
