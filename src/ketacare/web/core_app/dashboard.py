"""The clinic dashboard's data, in a constant number of queries whatever the clinic's size.

- today's planned sessions by chair;
- open alerts (clinical roles);
- measures due: active courses with no measure in the last ``KETACARE_MEASURE_INTERVAL_DAYS``
  days (a clinic's reminder setting, not a clinical rule);
- sessions not yet signed: provided by the treatments app through
  ``ketacare.web.treatments.dashboard.unsigned_sessions(user)`` when it exists;
- REMS forms due and overdue (``treatments.dashboard.rems_forms_due``) and out-of-range vital
  signs not yet acknowledged (``treatments.dashboard.open_vital_alerts``), likewise.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from ketacare.web.accounts.permissions import can
from ketacare.web.core_app.links import link_for
from ketacare.web.core_app.records import for_clinic
from ketacare.web.courses.models import Course, PlannedSession, PlannedStatus
from ketacare.web.measures.models import Alert, AlertLevel, Measure

ACTIVE = ("induction", "review", "maintenance")


def _hook(module_name: str, function: str) -> Any:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    return getattr(module, function, None)


def dashboard_context(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    """The dashboard's rows as plain values (no model objects for the lists it only shows) with
    their links built from one ``reverse`` per route (``core_app.links``)."""
    today = today or timezone.localdate()
    patient_url = link_for("patients:detail")
    may_view_sessions = can(user, "view_clinical")
    session_url = link_for("treatments:detail")
    course_sessions_url = link_for("treatments:course_sessions")
    status_labels = dict(PlannedStatus.choices)
    todays = (
        for_clinic(PlannedSession.objects.all(), user)
        .filter(date=today)
        .exclude(status="cancelled")
        .order_by("chair", "start_time", "course__patient__family_name")
        .values(
            "chair",
            "start_time",
            "index",
            "status",
            "course__uuid",
            "course__patient__uuid",
            "course__patient__given_name",
            "course__patient__family_name",
            "treatment_session__uuid",
        )
    )
    chairs: dict[Any, list[dict[str, Any]]] = {}
    for row in todays:
        recorded = row["treatment_session__uuid"]
        link = ""
        if may_view_sessions:
            link = session_url(recorded) if recorded else course_sessions_url(row["course__uuid"])
        chairs.setdefault(row["chair"], []).append(
            {
                "start_time": row["start_time"],
                "index": row["index"],
                "status": status_labels.get(row["status"], row["status"]),
                "patient_name": (
                    f"{row['course__patient__given_name']} {row['course__patient__family_name']}"
                ),
                "patient_url": patient_url(row["course__patient__uuid"]),
                "session_url": link,
                "recorded": recorded is not None,
            }
        )
    context: dict[str, Any] = {
        "today": today,
        "chairs": sorted(chairs.items(), key=_chair_key),
        "n_today": sum(len(rows) for rows in chairs.values()),
    }
    if can(user, "view_clinical"):
        acknowledge_url = link_for("measures:acknowledge")
        levels = dict(AlertLevel.choices)
        context["alerts"] = [
            {
                "level": levels.get(a["level"], a["level"]),
                "reason": a["reason"],
                "patient_name": f"{a['patient__given_name']} {a['patient__family_name']}",
                "patient_url": patient_url(a["patient__uuid"]),
                "acknowledge_url": acknowledge_url(a["uuid"]),
            }
            for a in for_clinic(Alert.objects.filter(acknowledged_at__isnull=True), user)
            .order_by("-raised_at")
            .values(
                "uuid",
                "level",
                "reason",
                "patient__uuid",
                "patient__given_name",
                "patient__family_name",
            )[:50]
        ]
        interval = int(getattr(settings, "KETACARE_MEASURE_INTERVAL_DAYS", 7))
        cutoff = timezone.now() - dt.timedelta(days=interval)
        context["measure_interval_days"] = interval
        # the latest measure of each active course: one index lookup per course
        # (measures_course_latest_idx) instead of aggregating every measure of the clinic
        latest = (
            Measure.objects.filter(course=OuterRef("pk"), withdrawn=False)
            .order_by("-taken_at")
            .values("taken_at")[:1]
        )
        due = list(
            for_clinic(Course.objects.filter(status__in=ACTIVE), user)
            .annotate(last_measure=Subquery(latest))
            .filter(Q(last_measure__lt=cutoff) | Q(last_measure__isnull=True))
            .select_related("patient")
            .only(
                "uuid",
                "protocol_id",
                "patient__uuid",
                "patient__given_name",
                "patient__family_name",
            )
            .order_by("last_measure")[:50]
        )
        new_measure_url = link_for("measures:new")
        for course in due:
            course.patient_url = patient_url(course.patient.uuid)  # type: ignore[attr-defined]
            course.enter_url = new_measure_url(course.patient.uuid)  # type: ignore[attr-defined]
        context["measures_due"] = due
        unsigned = _hook("ketacare.web.treatments.dashboard", "unsigned_sessions")
        context["unsigned_sessions"] = list(unsigned(user)) if unsigned else None
        rems_due = _hook("ketacare.web.treatments.dashboard", "rems_forms_due")
        context["rems_forms_due"] = list(rems_due(user, today)) if rems_due else None
        vital_alerts = _hook("ketacare.web.treatments.dashboard", "open_vital_alerts")
        context["vital_alerts"] = list(vital_alerts(user)) if vital_alerts else None
    return context


def _chair_key(item: tuple[Any, list[Any]]) -> tuple[int, int]:
    chair = item[0]
    return (1, 0) if chair is None else (0, int(chair))
