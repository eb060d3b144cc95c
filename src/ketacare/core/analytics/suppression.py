"""Small-cell suppression with complementary suppression.

A table of groups (rows) with a count ``n`` and event counts (columns), whose column totals are
shown. Rules, applied until nothing changes:

1. **Primary**: a count ``0 < v < threshold`` is hidden. An event count whose complement in its
   row (``n - v``, e.g. the non-responders) is ``0 < n - v < threshold`` is hidden too, since it
   would give the small complement away. A row whose ``n`` is small hides all its cells.
2. **Complementary**: in any column where exactly one cell is hidden, the shown column total
   would give it back by subtraction; so the smallest other non-zero shown cell of that column is
   hidden as well. If there is none, the column total is hidden.

Zero counts are shown (a zero discloses nothing beyond itself; the convention of the current
/outcomes/ page, kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_SMALL_CELL = 5


def is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


@dataclass(frozen=True)
class SuppressedTable:
    """``rows[i][col]`` and ``total[col]``: the count, or None where hidden."""

    rows: list[dict[str, int | None]]
    total: dict[str, int | None]
    threshold: int

    def display(self, value: int | None) -> str:
        return f"<{self.threshold}" if value is None else str(value)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "total": self.total, "small_cell": self.threshold}


def suppress_table(
    rows: Sequence[dict[str, int]],
    columns: Sequence[str],
    *,
    n_key: str = "n",
    threshold: int = DEFAULT_SMALL_CELL,
) -> SuppressedTable:
    """Hide the small cells of ``rows`` (and enough others) that no hidden count can be
    recovered from the shown cells and column totals (see the module docstring)."""
    cols = [n_key, *[c for c in columns if c != n_key]]
    hidden: set[tuple[int, str]] = set()
    for i, row in enumerate(rows):
        n = int(row[n_key])
        if is_small(n, threshold):
            hidden.update((i, c) for c in cols)
            continue
        for c in cols[1:]:
            v = int(row[c])
            if is_small(v, threshold) or is_small(n - v, threshold):
                hidden.add((i, c))
    total = {c: sum(int(r[c]) for r in rows) for c in cols}
    hidden_total: set[str] = {c for c in cols if is_small(total[c], threshold)}
    for c in cols[1:]:
        if c not in hidden_total and is_small(total[n_key] - total[c], threshold):
            hidden_total.add(c)
    if n_key in hidden_total:
        hidden_total.update(cols)
    changed = True
    while changed:
        changed = False
        for c in cols:
            if c in hidden_total:
                continue
            in_col = [i for i in range(len(rows)) if (i, c) in hidden]
            if len(in_col) != 1:
                continue
            candidates = [
                (int(rows[i][c]), i)
                for i in range(len(rows))
                if (i, c) not in hidden and int(rows[i][c]) > 0
            ]
            if candidates:
                _, i = min(candidates)
                hidden.add((i, c))
                if c == n_key:
                    # a row's n hidden: its events stay shown (n - v is then unknown as well)
                    pass
            else:
                hidden_total.add(c)
            changed = True
    out_rows = [
        {c: (None if (i, c) in hidden else int(row[c])) for c in cols} for i, row in enumerate(rows)
    ]
    out_total = {c: (None if c in hidden_total else total[c]) for c in cols}
    return SuppressedTable(rows=out_rows, total=out_total, threshold=threshold)


def suppress_count(value: int, threshold: int = DEFAULT_SMALL_CELL) -> int | None:
    """One count alone (no totals beside it): hidden when small."""
    return None if is_small(value, threshold) else value
