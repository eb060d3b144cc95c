"""The facts the core's session rule needs, read from the records (``ketacare.core.treatment``).

``facts_for`` gathers plain values from one session's rows; ``state_for`` asks the core. The
services call them before every write and refuse what the core refuses; the session page prints
the same blockers and warnings. Nothing here decides a clinical rule.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ketacare.core import safety as core_safety
from ketacare.core import treatment as core_treatment
from ketacare.web.courses.workflow import consent_on_file, eligibility_for
from ketacare.web.treatments.models import TreatmentSession


def _bp_minutes(session: TreatmentSession) -> tuple[int, ...]:
    """The timepoints of the core's monitoring schedule at which a BP is recorded."""
    course = session.course
    points = core_safety.monitoring_schedule(course.drug, course.route)
    return tuple(p.minute for p in points if p.minute is not None and "blood_pressure" in p.record)


def facts_for(
    session: TreatmentSession, *, now: dt.datetime | None = None
) -> core_treatment.SessionFacts:
    course = session.course
    verdict = eligibility_for(session.patient, course.drug, course.route)
    report = session.gate_report or {}
    blockers = tuple(
        d["reason"] for d in report.get("decisions", []) if d.get("decision") == "block"
    )
    vitals = tuple(
        core_treatment.VitalFact(
            taken_at=v.taken_at,
            minute=v.minute,
            systolic=v.systolic,
            diastolic=v.diastolic,
            out_of_range=v.out_of_range,
            acknowledged=getattr(v, "acknowledged_at", None) is not None,
        )
        for v in session.vitals.filter(withdrawn=False).order_by("taken_at", "id")
    )
    assessed = (session.discharge or {}).get("assessed_at")
    return core_treatment.SessionFacts(
        drug=course.drug,
        route=course.route,
        now=now or timezone.now(),
        course_status=course.status,
        eligibility=verdict.status,
        eligibility_reason=verdict.reason,
        eligibility_source=verdict.source,
        eligibility_override=bool(course.eligibility_override_reason),
        consent_on_file=consent_on_file(course, session.date),
        checklist_at=session.checklist_at,
        gates_overall=session.gates_overall,
        gate_blockers=blockers,
        gate_decided=bool(session.gate_note),
        dose_mg=session.dose_mg,
        dose_cleared=session.dose_cleared,
        started_at=session.started_at,
        first_device_at=session.first_device_at,
        ended_at=session.ended_at,
        vitals=vitals,
        discharge_assessed_at=dt.datetime.fromisoformat(assessed) if assessed else None,
        discharge_ready=session.discharge_ready,
        early_discharge=bool(session.early_discharge_reason),
        signed=session.is_signed,
        monitoring_bp_minutes=_bp_minutes(session),
    )


def state_for(
    session: TreatmentSession, *, now: dt.datetime | None = None
) -> core_treatment.SessionState:
    return core_treatment.session_state(facts_for(session, now=now))
