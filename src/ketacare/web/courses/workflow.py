"""The facts the core's course rule needs, read from the records (``ketacare.core.treatment``).

Nothing here decides: it gathers the screens, consents and other courses of a patient as plain
values and hands them to ``core.intake.eligibility``, ``core.treatment.consent_covers`` and
``core.treatment.course_state``.
"""

from __future__ import annotations

import datetime as dt

from ketacare.core import intake as core_intake
from ketacare.core import treatment as core_treatment
from ketacare.web.courses.models import Course
from ketacare.web.patients.models import Consent, ContraindicationScreen, Patient


def screen_records(patient: Patient) -> list[core_intake.ScreenRecord]:
    """Every screen of the patient (a history: none is ever replaced), as the core's records."""
    out = []
    for screen in ContraindicationScreen.objects.filter(patient=patient).order_by("screened_at"):
        result = screen.result or {}
        out.append(
            core_intake.ScreenRecord(
                drug=screen.drug or None,
                route=screen.route or None,
                eligible=screen.eligible,
                contraindications=tuple(f["id"] for f in result.get("contraindications", [])),
                cautions=tuple(f["label"] for f in result.get("cautions", [])),
                unanswered=tuple(result.get("unanswered", [])),
                screened_at=screen.screened_at,
            )
        )
    return out


def eligibility_for(patient: Patient, drug: str, route: str) -> core_intake.Eligibility:
    return core_intake.eligibility(screen_records(patient), drug=drug, route=route)


def eligibility_by_route(patient: Patient) -> list[dict[str, object]]:
    """The core's eligibility for each drug and route a protocol uses (for the new-course page)."""
    from ketacare.core import protocols as core_protocols
    from ketacare.core.vocabulary import DRUG_NAMES, ROUTE_NAMES

    records = screen_records(patient)
    pairs = sorted({(p.drug, p.route) for p in core_protocols.list_protocols()})
    out = []
    for drug, route in pairs:
        verdict = core_intake.eligibility(records, drug=drug, route=route)
        out.append(
            {
                "drug": DRUG_NAMES.get(drug, drug),
                "route": ROUTE_NAMES.get(route, route),
                "status": verdict.status,
                "reason": verdict.reason,
                "cautions": verdict.cautions,
            }
        )
    return out  # type: ignore[return-value]  # dict is invariant: the rows are read-only values


def consent_on_file(course: Course, on: dt.date) -> bool:
    """Whether a consent on file covers a dose of ``course`` on ``on`` (the core's rule)."""
    rows = Consent.objects.filter(patient_id=course.patient_id).only(
        "course_id", "given_on", "withdrawn_on"
    )
    return any(
        core_treatment.consent_covers(
            for_this_course=row.course_id == course.pk,
            unlinked=row.course_id is None,
            given_on=row.given_on,
            withdrawn_on=row.withdrawn_on,
            course_start=course.start_date,
            on=on,
        )
        for row in rows
    )


def active_courses(patient: Patient, *, exclude: Course | None = None) -> int:
    rows = Course.objects.filter(patient=patient, status__in=core_treatment.ACTIVE_STATUSES)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return rows.count()


def course_facts(
    patient: Patient,
    *,
    drug: str,
    route: str,
    status: str | None = None,
    override: bool = False,
    concurrent_reason: bool = False,
    course: Course | None = None,
) -> core_treatment.CourseFacts:
    verdict = eligibility_for(patient, drug, route)
    return core_treatment.CourseFacts(
        drug=drug,
        route=route,
        status=status,
        eligibility=verdict.status,
        eligibility_reason=verdict.reason,
        eligibility_source=verdict.source,
        eligibility_override=override,
        other_active_courses=active_courses(patient, exclude=course),
        concurrent_reason=concurrent_reason,
    )


def state_of(course: Course) -> core_treatment.CourseState:
    """The core's state of an existing course (for its page and its status form)."""
    return core_treatment.course_state(
        course_facts(
            course.patient,
            drug=course.drug,
            route=course.route,
            status=course.status,
            override=bool(course.eligibility_override_reason),
            concurrent_reason=bool(course.concurrent_reason),
            course=course,
        )
    )
