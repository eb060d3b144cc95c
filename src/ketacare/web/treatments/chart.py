"""The treatments part of the patient chart's timeline (called by ``patients.chart``): each
session with its dose and state, and each adverse event, in two queries whatever their number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from ketacare.web.treatments.models import AdverseEvent, TreatmentSession


def _at(session: TreatmentSession) -> dt.datetime:
    if session.started_at is not None:
        return session.started_at
    return timezone.make_aware(dt.datetime.combine(session.date, dt.time(12, 0)), dt.UTC)


def timeline_entries(patient: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    sessions = TreatmentSession.objects.filter(patient=patient).select_related("course")
    for s in sessions:
        dose = f"{s.dose_mg:g} mg" if s.dose_mg is not None else "no dose recorded"
        if s.dose_override:
            dose += " (override)"
        state = "signed" if s.is_signed else "open"
        entries.append(
            {
                "at": _at(s),
                "kind": "session",
                "text": f"{s.course.drug} {s.course.route} session: {dose}, {state}",
                "url": reverse("treatments:detail", args=[s.uuid]),
            }
        )
    events = AdverseEvent.objects.filter(session__patient=patient, withdrawn=False).select_related(
        "session"
    )
    for e in events:
        serious = ", serious" if e.serious else ""
        entries.append(
            {
                "at": e.onset_at,
                "kind": "adverse event",
                "text": f"{e.description} ({e.get_severity_display().lower()}{serious})",
                "url": reverse("treatments:detail", args=[e.session.uuid]),
            }
        )
    return entries
