"""Courses in the JSON API: list, start (the core plans the sessions and its course rule decides
whether the course may start), read with the core's state, change status."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from ketacare.web.accounts.api import api_user
from ketacare.web.courses import services, workflow
from ketacare.web.courses.models import Course
from ketacare.web.lib.records import for_clinic, get_for_user
from ketacare.web.patients import intake
from ketacare.web.patients.models import Patient

router = Router(tags=["courses"])


class CourseIn(Schema):
    patient: UUID
    protocol_id: str = Field(min_length=1, max_length=40)
    start_date: dt.date
    weight_kg: float = Field(
        description="checked by the protocol's rules (InputError names the range)"
    )
    closed_dates: list[dt.date] = Field(default_factory=list)
    sessions: int | None = Field(None, ge=1, le=200)
    reason: str = Field("", max_length=500)
    override_reason: str = Field(
        "",
        max_length=2000,
        description="a prescriber's reason to start despite a missing or blocking screen",
    )
    concurrent_reason: str = Field(
        "", max_length=2000, description="a prescriber's reason for a second active course"
    )


class ProblemOut(Schema):
    field: str
    reason: str
    source: str
    code: str


class VerdictOut(Schema):
    action: str
    allowed: bool
    blockers: list[ProblemOut]
    needs_reason: bool
    requires_role: str | None


class CourseStateOut(Schema):
    status: str | None
    transitions: list[str]
    actions: dict[str, VerdictOut]
    warnings: list[ProblemOut]
    eligibility: dict[str, Any]
    consent_on_file: bool


class StatusIn(Schema):
    to_status: str = Field(pattern="^(induction|review|maintenance|ended)$")
    reason: str = Field(min_length=1, max_length=1000)
    version: int = Field(ge=1)


class PlannedSessionOut(Schema):
    uuid: UUID
    index: int
    date: dt.date
    phase: str
    step: int
    dose_mg_per_kg: float | None
    dose_mg: float | None
    window_start: dt.date | None
    window_end: dt.date | None
    status: str
    note: str


class CourseEventOut(Schema):
    at: dt.datetime
    actor: str
    kind: str
    from_status: str
    to_status: str
    reason: str


class CourseOut(Schema):
    uuid: UUID
    patient: UUID
    protocol_id: str
    drug: str
    route: str
    start_date: dt.date
    weight_kg: float
    status: str
    version: int
    baseline_measure: UUID | None
    sessions: list[PlannedSessionOut]
    events: list[CourseEventOut]


def _out(course: Course) -> dict[str, Any]:
    return {
        "uuid": course.uuid,
        "patient": course.patient.uuid,
        "protocol_id": course.protocol_id,
        "drug": course.drug,
        "route": course.route,
        "start_date": course.start_date,
        "weight_kg": course.weight_kg,
        "status": course.status,
        "version": course.version,
        "baseline_measure": course.baseline_measure.uuid if course.baseline_measure else None,
        "sessions": list(course.planned_sessions.all()),
        "events": [
            {
                "at": e.at,
                "actor": e.actor.username,
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
            }
            for e in course.events.select_related("actor")
        ],
    }


def _courses(user: Any) -> Any:
    return for_clinic(Course.objects.select_related("patient", "baseline_measure"), user)


@router.get("", response=list[CourseOut], summary="Courses of your clinic")
def list_courses(
    request: HttpRequest, patient: UUID | None = None, status: str | None = None
) -> Any:
    user = api_user(request, "view_clinical")
    courses = _courses(user).prefetch_related("planned_sessions", "events__actor")
    if patient is not None:
        courses = courses.filter(patient__uuid=patient)
    if status:
        courses = courses.filter(status=status)
    return [_out(c) for c in courses[:200]]


@router.post("", response={201: CourseOut}, summary="Start a course (prescribers)")
def start_course(request: HttpRequest, payload: CourseIn) -> Any:
    user = api_user(request, "prescribe")
    patient = get_for_user(Patient.objects.all(), user, payload.patient)
    course = services.start_course(
        user,
        patient,
        protocol_id=payload.protocol_id,
        start_date=payload.start_date,
        weight_kg=payload.weight_kg,
        closed_dates=payload.closed_dates,
        sessions=payload.sessions,
        reason=payload.reason,
        override_reason=payload.override_reason,
        concurrent_reason=payload.concurrent_reason,
    )
    return Status(201, _out(course))


@router.get(
    "/{course_uuid}/state",
    response=CourseStateOut,
    summary="What the core allows next on the course, and what blocks it",
)
def course_state(request: HttpRequest, course_uuid: UUID) -> Any:
    user = api_user(request, "view_clinical")
    course = get_for_user(_courses(user), user, course_uuid)
    state = workflow.state_of(course)
    data = state.to_dict()
    data["eligibility"] = workflow.eligibility_for(
        course.patient, course.drug, course.route
    ).to_dict()
    data["consent_on_file"] = workflow.consent_on_file(course, timezone.localdate())
    return data


@router.get("/{course_uuid}", response=CourseOut, summary="One course with its planned sessions")
def get_course(request: HttpRequest, course_uuid: UUID) -> Any:
    user = api_user(request, "view_clinical")
    return _out(get_for_user(_courses(user), user, course_uuid))


@router.post("/{course_uuid}/status", response=CourseOut, summary="Change status (prescribers)")
def change_status(request: HttpRequest, course_uuid: UUID, payload: StatusIn) -> Any:
    user = api_user(request, "prescribe")
    course = get_for_user(_courses(user), user, course_uuid)
    services.change_status(
        user,
        course,
        to_status=payload.to_status,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _out(course)


class ConsentIn(Schema):
    given_on: dt.date
    scope: str = Field(min_length=1, max_length=200)
    document_reference: str = Field("", max_length=200)


class ConsentOut(Schema):
    uuid: UUID
    given_on: dt.date
    scope: str
    document_reference: str
    withdrawn_on: dt.date | None


@router.get(
    "/{course_uuid}/consents", response=list[ConsentOut], summary="Consents recorded for the course"
)
def list_consents(request: HttpRequest, course_uuid: UUID) -> Any:
    user = api_user(request, "view_clinical")
    course = get_for_user(_courses(user), user, course_uuid)
    return list(course.consents.order_by("-given_on", "-id"))


@router.post(
    "/{course_uuid}/consents",
    response={201: ConsentOut},
    summary="Record consent for the course's treatment series (needed before its first dose)",
)
def record_consent(request: HttpRequest, course_uuid: UUID, payload: ConsentIn) -> Any:
    user = api_user(request, "record_consent")
    course = get_for_user(_courses(user), user, course_uuid)
    consent = intake.record_consent(
        user,
        course.patient,
        given_on=payload.given_on,
        scope=payload.scope,
        course=course,
        document_reference=payload.document_reference,
    )
    return Status(201, consent)
