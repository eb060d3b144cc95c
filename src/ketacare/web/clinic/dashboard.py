"""The clinic dashboard's data, in a constant number of queries whatever the clinic's size.

- today's planned sessions by chair;
- open alerts (clinical roles);
- measures due: active courses with no measure in the last ``KETACARE_MEASURE_INTERVAL_DAYS``
  days (a clinic's reminder setting, not a clinical rule);
- sessions not yet signed (``ketacare.web.treatments.dashboard.unsigned_sessions(user)``);
- REMS forms due and overdue (``treatments.dashboard.rems_forms_due``) and out-of-range vital
  signs not yet acknowledged (``treatments.dashboard.open_vital_alerts``);
- for a prescriber, today's open sessions whose pre-dose gate waits for them
  (``treatments.dashboard.gates_waiting``).

A session opened on a chair is filed under that chair (the planned session may have none); dates
and times are the clinic's (``lib.zone``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from ketacare.web.accounts.permissions import can
from ketacare.web.courses.models import Course, PlannedSession, PlannedStatus
from ketacare.web.lib.links import link_for
from ketacare.web.lib.records import for_clinic
from ketacare.web.lib.zone import clinic_time, clinic_today
from ketacare.web.measures.alerts import alert_rows, group_by_patient
from ketacare.web.measures.models import Alert, Measure
from ketacare.web.treatments import dashboard as treatment_rows

ACTIVE = ("induction", "review", "maintenance")
RECORDED_LABELS = {"open": "In progress", "signed": "Signed"}


def dashboard_context(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    """The dashboard's rows as plain values (no model objects for the lists it only shows) with
    their links built from one ``reverse`` per route (``lib.links``)."""
    clinic = getattr(user, "clinic", None)
    today = today or (clinic_today(clinic) if clinic is not None else timezone.localdate())
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
            "treatment_session__chair",
            "treatment_session__status",
        )
    )
    chairs: dict[Any, list[dict[str, Any]]] = {}
    for row in todays:
        recorded = row["treatment_session__uuid"]
        link = ""
        if may_view_sessions:
            link = session_url(recorded) if recorded else course_sessions_url(row["course__uuid"])
        # the chair the session was opened on, else the one planned
        chair = row["treatment_session__chair"] or row["chair"]
        chairs.setdefault(chair, []).append(
            {
                "start_time": row["start_time"],
                "index": row["index"],
                # a session opened today is under way (or signed), whatever the plan still says
                "status": RECORDED_LABELS.get(
                    row["treatment_session__status"],
                    status_labels.get(row["status"], row["status"]),
                ),
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
        open_alerts = for_clinic(Alert.objects.filter(acknowledged_at__isnull=True), user)
        context["alerts"] = alert_rows(open_alerts.order_by("-raised_at")[:50], clinic)
        context["alert_groups"] = group_by_patient(context["alerts"])
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
            course.patient_url = patient_url(course.patient.uuid)  # type: ignore[attr-defined]  # a display value set on the row for the template
            course.enter_url = new_measure_url(course.patient.uuid)  # type: ignore[attr-defined]  # a display value set on the row for the template
            # the day of the last measure in the clinic's zone (the template's |date would
            # show the site's)
            last = clinic_time(course.last_measure, clinic)
            course.last_measure_day = last[:10]  # type: ignore[attr-defined]  # a display value set on the row for the template
        context["measures_due"] = due
        context["unsigned_sessions"] = list(treatment_rows.unsigned_sessions(user))
        context["rems_forms_due"] = list(treatment_rows.rems_forms_due(user, today))
        context["vital_alerts"] = list(treatment_rows.open_vital_alerts(user))
        if can(user, "prescribe"):
            context["gates_waiting"] = list(treatment_rows.gates_waiting(user, today))
    return context


def _chair_key(item: tuple[Any, list[Any]]) -> tuple[int, int]:
    chair = item[0]
    return (1, 0) if chair is None else (0, int(chair))
