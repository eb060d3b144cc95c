"""The cohort report's four queries read two ways give the same frames: Arrow columns through
ADBC (committed data, outside a transaction: what the report does in production) and Python
tuples through Django's cursor (inside a transaction, as in most tests). The cohort is the one of
test_reports_cohort.py (10 IV racemic courses in Northside, 5 in Southside)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.db import connection
from tests.web.test_reports_cohort import _course


def _cohort(clinic: Any, other_clinic: Any, people: dict[str, Any]) -> None:
    pairs = [(8, 8), (8, 8), (8, 15), (14, None), (14, None)]
    for i, (d16, d44) in enumerate(pairs):
        _course(clinic, people["prescriber"], i, d16, d44)
    for i in range(2):
        _course(other_clinic, people["other_clinician"], 100 + i, 2, 2)


def _both(monkeypatch: pytest.MonkeyPatch, clinic: Any, adbc: Any) -> tuple[Any, Any]:
    from ketacare.web.core_app.reports import data

    calls: list[str] = []

    def spy() -> Any:
        calls.append("adbc")
        return adbc()

    monkeypatch.setattr(data, "_adbc_connect", spy)
    arrow = data.load_frames(clinic)
    assert calls, "the ADBC path was not asked"
    monkeypatch.setattr(data, "_adbc_connect", lambda: None)
    tuples = data.load_frames(clinic)
    return arrow, tuples


def _same(arrow: Any, tuples: Any) -> None:
    for a, t in zip(arrow, tuples, strict=True):
        key = [c for c in ("course_id", "scale_id", "t", "day") if c in a.columns]
        a = a.sort_values(key).reset_index(drop=True)
        t = t.sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, t, check_dtype=False)


@pytest.mark.django_db(transaction=True)
def test_arrow_and_tuples_give_the_same_frames(
    monkeypatch: pytest.MonkeyPatch,
    clinic: Any,
    other_clinic: Any,
    people: dict[str, Any],
    tmp_path: Path,
) -> None:
    from ketacare.web.core_app.reports import data

    _cohort(clinic, other_clinic, people)
    if connection.vendor == "sqlite":
        # the test database is in memory, which another connection cannot open: copy it to a
        # file with SQLite's online backup and read that file through ADBC
        copy = tmp_path / "copy.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        import adbc_driver_sqlite.dbapi as sqlite_adbc

        arrow, tuples = _both(monkeypatch, clinic, lambda: sqlite_adbc.connect(str(copy)))
    else:
        assert data._adbc_connect() is not None  # outside a transaction: the real path
        arrow, tuples = _both(monkeypatch, clinic, data._adbc_connect)
    courses, sessions, measures = arrow
    assert len(courses) == 5  # Southside's courses never count here
    assert len(sessions) == 5 * 7
    assert len(measures) == 5 * 2 + 3  # baseline and day 16 each, day 44 for three
    assert measures["si"].tolist().count(1.0) == 5  # the baselines' item 9 is 1
    _same(arrow, tuples)


@pytest.mark.django_db
def test_inside_a_transaction_the_report_reads_through_djangos_cursor(clinic: Any) -> None:
    from ketacare.web.core_app.reports import data

    # a test runs in a transaction: another connection would not see its rows
    assert connection.in_atomic_block
    assert data._adbc_connect() is None


def test_placeholders_become_sqlites_own() -> None:
    from ketacare.web.core_app.reports.data import _placeholders

    sql = "SELECT 1 FROM t WHERE a = %s AND b LIKE 'x%%' AND c = %s"
    assert (
        _placeholders(sql, 2, "sqlite") == "SELECT 1 FROM t WHERE a = ? AND b LIKE 'x%' AND c = ?"
    )
    with pytest.raises(ValueError):
        _placeholders(sql, 2, "postgresql")
