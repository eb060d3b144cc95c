"""The clinic dashboard's data, in a constant number of queries whatever the clinic's size."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ketacare.web.accounts.permissions import can
from ketacare.web.core_app.records import for_clinic
from ketacare.web.courses.models import PlannedSession
from ketacare.web.measures.models import Alert


def dashboard_context(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    todays = list(
        for_clinic(PlannedSession.objects.all(), user)
        .filter(date=today)
        .exclude(status="cancelled")
        .select_related("course__patient")
        .order_by("chair", "course__patient__family_name")
    )
    chairs: dict[Any, list[PlannedSession]] = {}
    for session in todays:
        chairs.setdefault(session.chair, []).append(session)
    context: dict[str, Any] = {"today": today, "chairs": sorted(chairs.items(), key=_chair_key)}
    if can(user, "view_clinical"):
        context["alerts"] = list(
            for_clinic(Alert.objects.filter(acknowledged_at__isnull=True), user)
            .select_related("patient", "measure")
            .order_by("-raised_at")[:50]
        )
    return context


def _chair_key(item: tuple[Any, list[Any]]) -> tuple[int, int]:
    chair = item[0]
    return (1, 0) if chair is None else (0, int(chair))
