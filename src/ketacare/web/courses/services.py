"""Clinical actions on treatment courses. Each is one transaction with one audit entry.

The protocol, its schedule and every dose come from ``ketacare.core.protocols``; this module only
stores the core's results and records who did what and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketacare.core import protocols as core_protocols
from ketacare.core import treatment as core_treatment
from ketacare.core.errors import InputError
from ketacare.web.accounts.models import User
from ketacare.web.accounts.permissions import require
from ketacare.web.audit.services import record, snapshot
from ketacare.web.courses.models import (
    COURSE_TRANSITIONS,
    Course,
    CourseEvent,
    CourseStatus,
    PlannedSession,
    PlannedStatus,
)
from ketacare.web.courses.workflow import course_facts, state_of
from ketacare.web.lib.records import save_versioned
from ketacare.web.patients.models import Patient

MAX_REASON = 2000


def _reason_text(field: str, value: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_REASON:
        raise InputError(field, text[:20] + "…", f"at most {MAX_REASON} characters")
    return text


COURSE_FIELDS = [
    "protocol_id",
    "drug",
    "route",
    "start_date",
    "weight_kg",
    "status",
    "indication",
    "version",
    "ended_on",
]


def start_course(
    actor: User,
    patient: Patient,
    *,
    protocol_id: str,
    start_date: dt.date,
    weight_kg: float,
    closed_dates: Iterable[dt.date] = (),
    sessions: int | None = None,
    indication: str = "",
    reason: str = "",
    override_reason: str = "",
    concurrent_reason: str = "",
) -> Course:
    """Start a course: the core plans the sessions from the protocol, start date and weight.

    The core's course rule decides whether it may start: the applicable contraindication screen
    on file and not blocking (or ``override_reason``, a prescriber's reason to treat despite it),
    and no other active course (or ``concurrent_reason``).
    """
    require(actor, "prescribe")
    if patient.clinic_id != actor.clinic_id:
        raise InputError("patient", str(patient.uuid), "a patient of your clinic")
    protocol = core_protocols.get_protocol(protocol_id)
    override = _reason_text("override_reason", override_reason)
    concurrent = _reason_text("concurrent_reason", concurrent_reason)
    plan = core_protocols.plan_schedule(
        protocol.id,
        start_date,
        closed_dates=tuple(closed_dates),
        weight_kg=weight_kg,
        sessions=sessions,
    )
    with transaction.atomic():
        # one start at a time per patient, so two concurrent starts cannot both see no course
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        facts = course_facts(
            patient,
            drug=protocol.drug,
            route=protocol.route,
            override=bool(override),
            concurrent_reason=bool(concurrent),
        )
        core_treatment.refuse_course(core_treatment.course_state(facts), "start")
        course = Course.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            protocol_id=protocol.id,
            drug=protocol.drug,
            route=protocol.route,
            start_date=start_date,
            weight_kg=weight_kg,
            indication=indication or protocol.indication,
            schedule=[session.to_dict() for session in plan],
            prescriber=actor,
            eligibility_override_reason=override if facts.eligibility != "eligible" else "",
            eligibility_override_by=actor if override and facts.eligibility != "eligible" else None,
            concurrent_reason=concurrent if facts.other_active_courses else "",
        )
        PlannedSession.objects.bulk_create(
            [
                PlannedSession(
                    clinic_id=patient.clinic_id,
                    course=course,
                    index=session.index,
                    date=session.date,
                    phase=session.phase,
                    step=session.step,
                    dose_mg_per_kg=session.dose_mg_per_kg,
                    dose_mg=session.dose_mg,
                    window_start=session.window_start,
                    window_end=session.window_end,
                    note=session.note[:300],
                )
                for session in plan
            ]
        )
        CourseEvent.objects.create(
            clinic_id=patient.clinic_id,
            course=course,
            actor=actor,
            kind="start",
            to_status=course.status,
            reason=reason or f"Started {protocol.name}",
            data={
                "protocol": protocol.id,
                "source": protocol.source,
                "sessions": len(plan),
                "eligibility": facts.eligibility,
                "eligibility_reason": facts.eligibility_reason,
                "override_reason": course.eligibility_override_reason,
                "concurrent_reason": course.concurrent_reason,
            },
        )
        record(actor, "course.start", course, None, snapshot(course, COURSE_FIELDS), reason)
    return course


def change_status(
    actor: User,
    course: Course,
    *,
    to_status: str,
    reason: str,
    expected_version: int,
    data: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> Course:
    """Move a course (induction -> review -> maintenance -> ended) with who and why."""
    require(actor, "prescribe")
    if to_status not in core_treatment.COURSE_STATUSES:
        raise InputError("to_status", to_status, "one of " + ", ".join(COURSE_TRANSITIONS))
    core_treatment.refuse_course(state_of(course), f"status:{to_status}", reason=reason)
    with transaction.atomic():
        before = snapshot(course, COURSE_FIELDS)
        from_status = course.status
        course.status = to_status
        fields = ["status"]
        if to_status == CourseStatus.ENDED:
            course.ended_on = on or timezone.localdate()
            fields.append("ended_on")
        save_versioned(course, expected_version, fields)
        if to_status == CourseStatus.ENDED:
            PlannedSession.objects.filter(course=course, status=PlannedStatus.PLANNED).update(
                status=PlannedStatus.CANCELLED
            )
        CourseEvent.objects.create(
            clinic_id=course.clinic_id,
            course=course,
            actor=actor,
            kind="status",
            from_status=from_status,
            to_status=to_status,
            reason=reason.strip(),
            data=data or {},
        )
        record(
            actor, "course.status", course, before, snapshot(course, COURSE_FIELDS), reason.strip()
        )
    return course


def mark_missed(
    actor: User,
    planned: PlannedSession,
    *,
    reason: str,
    expected_version: int,
    worsened: bool | None = None,
) -> dict[str, Any]:
    """Record a planned session as missed, with the core's advice on what to do next
    (``core.protocols.missed_session_advice``) stored on the course's history."""
    require(actor, "record_session")
    if planned.status != PlannedStatus.PLANNED:
        raise InputError("status", planned.status, "a session still planned")
    if not reason or not reason.strip():
        raise InputError("reason", reason, "why the session was missed")
    course = planned.course
    advice = core_protocols.missed_session_advice(
        course.protocol_id, phase=planned.phase, worsened=worsened
    )
    with transaction.atomic():
        before = snapshot(planned)
        planned.status = PlannedStatus.MISSED
        save_versioned(planned, expected_version, ["status"])
        CourseEvent.objects.create(
            clinic_id=course.clinic_id,
            course=course,
            actor=actor,
            kind="missed",
            reason=f"Session {planned.index} on {planned.date} missed: {reason.strip()}",
            data={"advice": advice.to_dict(), "session": planned.index},
        )
        record(actor, "planned.missed", planned, before, snapshot(planned), reason.strip())
    return advice.to_dict()
