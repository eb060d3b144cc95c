"""Month grids (weeks of days, each with its items) for the calendar pages."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def month_grid(
    first: dt.date, by_day: dict[dt.date, list[T]]
) -> list[list[tuple[dt.date, list[T]]]]:
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [[(day, by_day.get(day, [])) for day in week] for week in weeks]


def months_spanned(dates: Iterable[dt.date]) -> list[dt.date]:
    dates = sorted(dates)
    if not dates:
        return []
    months: list[dt.date] = []
    current = dates[0].replace(day=1)
    last = dates[-1].replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def course_months(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Grids of every month a course's sessions span (items have ``.date``)."""
    by_day: dict[dt.date, list[Any]] = {}
    for item in items:
        by_day.setdefault(item.date, []).append(item)
    return [{"first": m, "weeks": month_grid(m, by_day)} for m in months_spanned(by_day)]
