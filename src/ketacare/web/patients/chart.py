"""The clinical part of the patient chart, in a constant number of queries.

- a timeline of course events, sessions given, measures, alerts and consents (and, when the
  treatments app provides ``ketacare.web.treatments.chart.timeline_entries(patient)``, its
  sessions, doses and adverse events);
- a chart of each scale over time with the course baseline and the core's response and
  remission lines.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.utils import timezone

from ketacare.web.courses.models import CourseEvent, PlannedSession
from ketacare.web.measures.charts import chart_for
from ketacare.web.measures.models import Alert, Measure
from ketacare.web.patients.models import Patient


def _at(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time(12, 0)), dt.UTC)


def _extra_timeline(patient: Patient) -> list[dict[str, Any]]:
    try:
        module = importlib.import_module("ketacare.web.treatments.chart")
    except ModuleNotFoundError:
        return []
    entries = getattr(module, "timeline_entries", None)
    return list(entries(patient)) if entries else []


def chart_context(patient: Patient) -> dict[str, Any]:
    heavy = ("items", "options", "result", "outcome", "si_signal")  # JSON the chart never reads
    courses = list(
        patient.courses.select_related("baseline_measure", "prescriber").defer(
            "schedule", *(f"baseline_measure__{name}" for name in heavy)
        )
    )
    measures = list(
        Measure.objects.filter(patient=patient, withdrawn=False)
        .defer(*heavy)
        .order_by("taken_at", "id")
    )
    events = list(
        CourseEvent.objects.filter(course__patient=patient)
        .select_related("actor", "course")
        .defer("data", "course__schedule")
    )
    given = list(PlannedSession.objects.filter(course__patient=patient).order_by("date", "index"))
    alerts = list(Alert.objects.filter(patient=patient).select_related("acknowledged_by"))
    consents = list(patient.consents.select_related("course"))

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
    for e in events:
        change = f"{e.from_status} → {e.to_status}" if e.from_status else (e.to_status or e.kind)
        timeline.append(
            {"at": e.at, "kind": "course", "text": f"{e.course.protocol_id}: {change}. {e.reason}"}
        )
    for s in given:
        if s.status == "done":
            dose = f"{s.dose_mg:g} mg" if s.dose_mg is not None else ""
            timeline.append(
                {
                    "at": _at(s.date),
                    "kind": "session",
                    "text": f"Session {s.index} ({s.phase}) {dose}".strip(),
                }
            )
    for m in measures:
        text = f"{m.scale_id} {m.total:g}" if m.total is not None else m.scale_id
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
        timeline.append({"at": _at(c.given_on), "kind": "consent", "text": f"Consent: {c.scope}"})
    timeline.extend(_extra_timeline(patient))
    timeline.sort(key=lambda entry: entry["at"], reverse=True)

    upcoming = [s for s in given if s.status == "planned" and s.date >= timezone.localdate()]
    return {
        "trials": list(patient.trials.filter(withdrawn=False)),
        "screens": list(patient.screens.all()[:1]),
        "consents": consents,
        "courses": courses,
        "measures": list(reversed(measures)),
        "charts": charts,
        "timeline": timeline,
        "open_alerts": [a for a in alerts if a.is_open],
        "upcoming": upcoming[:10],
    }
