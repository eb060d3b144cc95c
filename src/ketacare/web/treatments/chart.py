"""The treatments part of the patient chart's timeline (called by ``patients.chart``): each
session with its dose and state, and each adverse event, in two queries whatever their number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ketacare.web.lib.links import link_for
from ketacare.web.treatments.models import AdverseEvent, SessionStatus, Severity, TreatmentSession


def _at(started_at: dt.datetime | None, date: dt.date) -> dt.datetime:
    if started_at is not None:
        return started_at
    return timezone.make_aware(dt.datetime.combine(date, dt.time(12, 0)), dt.UTC)


def timeline_entries(patient: Any) -> list[dict[str, Any]]:
    """Plain values only: a session's gate, dose and discharge JSON and its course's stored
    schedule are never read here."""
    entries: list[dict[str, Any]] = []
    session_url = link_for("treatments:detail")
    sessions = TreatmentSession.objects.filter(patient=patient).values_list(
        "id",
        "uuid",
        "started_at",
        "date",
        "dose_mg",
        "dose_override",
        "status",
        "course__drug",
        "course__route",
    )
    session_uuids: dict[int, Any] = {}
    for pk, uuid, started_at, date, dose_mg, override, status, drug, route in sessions:
        session_uuids[pk] = uuid
        dose = f"{dose_mg:g} mg" if dose_mg is not None else "no dose recorded"
        if override:
            dose += " (override)"
        state = "signed" if status == SessionStatus.SIGNED else "open"
        entries.append(
            {
                "at": _at(started_at, date),
                "kind": "session",
                "text": f"{drug} {route} session: {dose}, {state}",
                "url": session_url(uuid),
            }
        )
    severities = dict(Severity.choices)
    # by the ids of the sessions just read: no join through every adverse event of the clinic
    events = AdverseEvent.objects.filter(
        session_id__in=list(session_uuids), withdrawn=False
    ).values_list("onset_at", "description", "severity", "serious", "session_id")
    for onset_at, description, severity, serious, session_id in events:
        label = str(severities.get(severity, severity)).lower()
        entries.append(
            {
                "at": onset_at,
                "kind": "adverse event",
                "text": f"{description} ({label}{', serious' if serious else ''})",
                "url": session_url(session_uuids[session_id]),
            }
        )
    return entries
