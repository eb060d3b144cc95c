"""Small-cell suppression: no hidden count can be recovered from the shown cells and totals."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.analytics import suppress_table

COLS = ("responders", "remitters")


def test_a_lone_small_cell_takes_a_complement_with_it() -> None:
    rows = [
        {"n": 20, "responders": 3, "remitters": 6},
        {"n": 12, "responders": 7, "remitters": 6},
        {"n": 30, "responders": 15, "remitters": 10},
    ]
    t = suppress_table(rows, COLS, threshold=5)
    # 3 is small; the column total (25) would give it back from 7 and 15, so 7 (the smallest
    # other non-zero) is hidden as well
    assert [r["responders"] for r in t.rows] == [None, None, 15]
    assert t.total["responders"] == 25
    assert [r["remitters"] for r in t.rows] == [6, 6, 10]


def test_a_small_complement_in_the_row_is_hidden() -> None:
    # 9 of 10 responded: the 1 non-responder is a small cell, recoverable as 10 - 9
    t = suppress_table([{"n": 10, "responders": 9, "remitters": 5}], COLS, threshold=5)
    assert t.rows[0]["responders"] is None
    # only one row: no other cell to hide beside it, so its total goes too
    assert t.total["responders"] is None
    assert t.rows[0]["n"] == 10 and t.rows[0]["remitters"] == 5


def test_a_small_group_hides_every_cell_of_its_row() -> None:
    rows = [{"n": 3, "responders": 0, "remitters": 0}, {"n": 40, "responders": 20, "remitters": 9}]
    t = suppress_table(rows, COLS, threshold=5)
    assert t.rows[0] == {"n": None, "responders": None, "remitters": None}
    # n: the single hidden n (3) would be 43 - 40: the 40 is hidden too
    assert t.rows[1]["n"] is None


def _check_safe(rows: list[dict[str, int]], k: int) -> None:
    t = suppress_table(rows, COLS, threshold=k)
    for col in ("n", *COLS):
        hidden = [i for i, r in enumerate(t.rows) if r[col] is None]
        if t.total[col] is not None:
            # one hidden cell beside a shown total could be recovered by subtraction
            assert len(hidden) != 1, (col, rows, t)
        for r in t.rows:
            v = r[col]
            if v is not None:
                assert not 0 < v < k
                if col != "n" and r["n"] is not None:
                    assert not 0 < r["n"] - v < k


@st.composite
def tables(draw: st.DrawFn) -> list[dict[str, int]]:
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        n = draw(st.integers(0, 40))
        rows.append(
            {"n": n, "responders": draw(st.integers(0, n)), "remitters": draw(st.integers(0, n))}
        )
    return rows


@given(tables(), st.integers(2, 11))
def test_no_hidden_cell_is_alone_in_its_column(rows: list[dict[str, int]], k: int) -> None:
    _check_safe(rows, k)
