"""The clinic calendar, course creation and the course plan."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ketacare.web.accounts.permissions import permission_required
from ketacare.web.core_app.records import for_clinic
from ketacare.web.courses.models import PlannedSession


def _month(request: HttpRequest) -> dt.date:
    text = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in text.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@permission_required("view_schedule")
def calendar(request: HttpRequest) -> HttpResponse:
    """Planned sessions of the clinic for one month (names and times only: no doses)."""
    first = _month(request)
    weeks = _calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1]
    sessions = (
        for_clinic(PlannedSession.objects.all(), request.user)
        .filter(date__range=(start, end))
        .exclude(status="cancelled")
        .select_related("course__patient")
        .order_by("date", "chair")
    )
    by_day: dict[dt.date, list[PlannedSession]] = {}
    for session in sessions:
        by_day.setdefault(session.date, []).append(session)
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    context = {
        "first": first,
        "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
        "prev_month": prev_month,
        "next_month": next_month,
        "nav": "calendar",
    }
    return render(request, "courses/calendar.html", context)
