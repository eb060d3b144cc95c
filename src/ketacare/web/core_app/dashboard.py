"""The clinic dashboard's data, in a constant number of queries whatever the clinic's size.

- today's planned sessions by chair;
- open alerts (clinical roles);
- measures due: active courses with no measure in the last ``KETACARE_MEASURE_INTERVAL_DAYS``
  days (a clinic's reminder setting, not a clinical rule);
- sessions not yet signed: provided by the treatments app through
  ``ketacare.web.treatments.dashboard.unsigned_sessions(user)`` when it exists.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from ketacare.web.accounts.permissions import can
from ketacare.web.core_app.records import for_clinic
from ketacare.web.courses.models import Course, PlannedSession
from ketacare.web.measures.models import Alert

ACTIVE = ("induction", "review", "maintenance")


def _hook(module_name: str, function: str) -> Any:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    return getattr(module, function, None)


def dashboard_context(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    todays = list(
        for_clinic(PlannedSession.objects.all(), user)
        .filter(date=today)
        .exclude(status="cancelled")
        .select_related("course__patient")
        .defer("course__schedule")
        .order_by("chair", "start_time", "course__patient__family_name")
    )
    chairs: dict[Any, list[PlannedSession]] = {}
    for session in todays:
        chairs.setdefault(session.chair, []).append(session)
    context: dict[str, Any] = {
        "today": today,
        "chairs": sorted(chairs.items(), key=_chair_key),
        "n_today": len(todays),
    }
    if can(user, "view_clinical"):
        context["alerts"] = list(
            for_clinic(Alert.objects.filter(acknowledged_at__isnull=True), user)
            .select_related("patient")
            .order_by("-raised_at")[:50]
        )
        interval = int(getattr(settings, "KETACARE_MEASURE_INTERVAL_DAYS", 7))
        cutoff = timezone.now() - dt.timedelta(days=interval)
        context["measure_interval_days"] = interval
        context["measures_due"] = list(
            for_clinic(Course.objects.filter(status__in=ACTIVE), user)
            .annotate(last_measure=Max("measures__taken_at", filter=Q(measures__withdrawn=False)))
            .filter(Q(last_measure__lt=cutoff) | Q(last_measure__isnull=True))
            .select_related("patient")
            .defer("schedule")
            .order_by("last_measure")[:50]
        )
        unsigned = _hook("ketacare.web.treatments.dashboard", "unsigned_sessions")
        context["unsigned_sessions"] = list(unsigned(user)) if unsigned else None
    return context


def _chair_key(item: tuple[Any, list[Any]]) -> tuple[int, int]:
    chair = item[0]
    return (1, 0) if chair is None else (0, int(chair))
