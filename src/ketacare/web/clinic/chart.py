"""The clinical part of the patient chart, in a constant number of queries.

- a timeline of course events, sessions given, measures, alerts and consents, and the
  treatments app's sessions, doses and adverse events
  (``ketacare.web.treatments.chart.timeline_entries(patient)``);
- a chart of each scale over time with the course baseline and the core's response and
  remission lines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ketacare.web.courses.models import CourseEvent, PlannedSession
from ketacare.web.lib.links import link_for
from ketacare.web.measures.alerts import scale_name
from ketacare.web.measures.charts import chart_for
from ketacare.web.measures.models import Alert, Measure
from ketacare.web.patients.models import Patient
from ketacare.web.treatments.chart import timeline_entries as treatment_timeline

# what the chart, the timeline and the measures table read of a measure
MEASURE_COLUMNS = (
    "uuid",
    "source",
    "scale_id",
    "taken_at",
    "total",
    "severity",
    "triage",
    "is_baseline",
    "percent_change",
    "response",
    "remission",
    "si_level",
)


def _at(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time(12, 0)), dt.UTC)


def _extra_timeline(patient: Patient) -> list[dict[str, Any]]:
    return list(treatment_timeline(patient))


def chart_context(patient: Patient) -> dict[str, Any]:
    """The chart's rows: only the columns the page shows (never the stored schedules, score
    details or outcome JSON), lists it only prints as plain values, links built once per page."""
    courses = list(
        patient.courses.select_related("baseline_measure").only(
            "uuid",
            "patient_id",  # the related manager reads it: deferred, it costs a query
            "protocol_id",
            "drug",
            "route",
            "status",
            "start_date",
            "baseline_measure__scale_id",
            "baseline_measure__total",
            "baseline_measure__withdrawn",
        )
    )
    plan_url = link_for("courses:plan")
    for course in courses:
        course.plan_url = plan_url(course.uuid)  # type: ignore[attr-defined]  # a display value set on the row for the template
    measures = list(
        Measure.objects.filter(patient=patient, withdrawn=False)
        .only(*MEASURE_COLUMNS)
        .order_by("taken_at", "id")
    )
    withdraw_url = link_for("measures:withdraw")
    for m in measures:
        m.withdraw_url = withdraw_url(m.uuid)  # type: ignore[attr-defined]  # a display value set on the row for the template
    # by the ids of the courses already read: no join, an index lookup per course
    course_ids = [c.pk for c in courses]
    protocols = {c.pk: c.protocol_id for c in courses}
    events = CourseEvent.objects.filter(course_id__in=course_ids).values_list(
        "at", "kind", "from_status", "to_status", "reason", "course_id"
    )
    given = list(
        PlannedSession.objects.filter(course_id__in=course_ids)
        .order_by("date", "index")
        .values("date", "index", "phase", "status", "dose_mg", "treatment_session__id")
    )
    extra = _extra_timeline(patient)
    # a planned session given with a session record is in the treatments entries already (with
    # its own time, dose and link): listed once, from the record
    recorded_elsewhere = any(e.get("kind") == "session" for e in extra)
    alerts = list(
        Alert.objects.filter(patient=patient).only(
            "uuid", "level", "reason", "raised_at", "acknowledged_at", "acknowledgement_note"
        )
    )
    acknowledge_url = link_for("measures:acknowledge")
    for a in alerts:
        a.acknowledge_url = acknowledge_url(a.uuid)  # type: ignore[attr-defined]  # a display value set on the row for the template
    consents = list(patient.consents.only("given_on", "scope", "recorded_at"))

    # one chart per scale; the baseline of the latest course that has one on that scale
    baselines: dict[str, float] = {}
    for course in sorted(courses, key=lambda c: c.start_date):
        base = course.baseline_measure
        if base is not None and not base.withdrawn and base.total is not None:
            baselines[base.scale_id] = base.total
    by_scale: dict[str, list[Measure]] = {}
    for m in measures:
        by_scale.setdefault(m.scale_id, []).append(m)
    charts = [
        chart_for(scale_id, series, baselines.get(scale_id))
        for scale_id, series in sorted(by_scale.items())
    ]

    timeline: list[dict[str, Any]] = []
    for at, kind, from_status, to_status, reason, course_id in events:
        protocol_id = protocols[course_id]
        change = f"{from_status} → {to_status}" if from_status else (to_status or kind)
        timeline.append({"at": at, "kind": "course", "text": f"{protocol_id}: {change}. {reason}"})
    for s in given:
        if s["status"] == "done" and not (
            recorded_elsewhere and s["treatment_session__id"] is not None
        ):
            dose = f"{s['dose_mg']:g} mg" if s["dose_mg"] is not None else ""
            timeline.append(
                {
                    "at": _at(s["date"]),
                    "kind": "session",
                    "text": f"Session {s['index']} ({s['phase']}) {dose}".strip(),
                }
            )
    for m in measures:
        name = scale_name(m.scale_id)
        text = f"{name} {m.total:g}" if m.total is not None else name
        if m.triage:
            text += f" (triage {m.triage})"
        if m.severity:
            text += f" ({m.severity})"
        if m.percent_change is not None:
            text += f", {m.percent_change:+.0f}% from baseline"
        if m.is_baseline:
            text += ", baseline"
        timeline.append({"at": m.taken_at, "kind": "measure", "text": text})
    for a in alerts:
        state = "open" if a.is_open else f"acknowledged: {a.acknowledgement_note}"
        timeline.append(
            {"at": a.raised_at, "kind": "alert", "text": f"{a.get_level_display()} alert ({state})"}
        )
    for c in consents:
        # the time it was recorded when that was the day it was given, else midday of that day
        at = c.recorded_at if c.recorded_at and c.recorded_at.date() == c.given_on else None  # type: ignore[assignment]  # None: the timeline's midday of the day it was given, below
        timeline.append(
            {"at": at or _at(c.given_on), "kind": "consent", "text": f"Consent: {c.scope}"}
        )
    timeline.extend(extra)
    timeline.sort(key=lambda entry: entry["at"], reverse=True)

    today = timezone.localdate()
    upcoming = [s for s in given if s["status"] == "planned" and s["date"] >= today]
    return {
        "screens": list(patient.screens.defer("answers")[:1]),
        "consents": consents,
        "courses": courses,
        "measures": list(reversed(measures)),
        "charts": charts,
        "timeline": timeline,
        "open_alerts": [a for a in alerts if a.is_open],
        "upcoming": upcoming[:10],
    }
