"""Sessions at the chair in the JSON API: sessions, vitals and adverse events (create and read),
and the dose (calculated by the core; override only for prescribers, with a reason).

Same permissions as the pages (``view_clinical`` to read, ``record_session`` to write) and the
one error shape of ``ketacare.web.core_app.api``; bounds in the schemas are the plausible-input
ranges, the clinical rules are the core's (its InputError names the field and the range).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ketacare.web.core_app.api import api_user
from ketacare.web.core_app.records import for_clinic, get_for_user
from ketacare.web.courses.models import Course, PlannedSession
from ketacare.web.treatments import services
from ketacare.web.treatments.models import AdverseEvent, TreatmentSession, VitalSign
from ketacare.web.treatments.permissions import RECORD, VIEW

router = Router(tags=["sessions"])


class SessionIn(Schema):
    course: uuid.UUID
    planned: uuid.UUID | None = Field(None, description="the planned session this one gives")
    chair: int | None = Field(None, ge=1, le=99)


class VitalIn(Schema):
    taken_at: dt.datetime | None = None
    minute: int | None = Field(None, ge=-60, le=1440)
    systolic: float | None = Field(None, ge=40, le=300)
    diastolic: float | None = Field(None, ge=20, le=200)
    heart_rate: float | None = Field(None, ge=20, le=250)
    spo2: float | None = Field(None, ge=50, le=100)
    resp_rate: float | None = Field(None, ge=0, le=80)
    reason: str = Field("", max_length=1000, description="required once the session is signed")


class VitalOut(Schema):
    uuid: uuid.UUID
    taken_at: dt.datetime
    minute: int | None
    systolic: float | None
    diastolic: float | None
    heart_rate: float | None
    spo2: float | None
    resp_rate: float | None
    alerts: list[dict[str, Any]]
    out_of_range: bool
    withdrawn: bool


class AdverseEventIn(Schema):
    description: str = Field(min_length=1, max_length=300)
    severity: str = Field(pattern="^(mild|moderate|severe)$")
    serious: bool = False
    onset_at: dt.datetime | None = None
    action_taken: str = Field("", max_length=300)
    reason: str = Field("", max_length=1000, description="required once the session is signed")


class AdverseEventOut(Schema):
    uuid: uuid.UUID
    onset_at: dt.datetime
    description: str
    severity: str
    serious: bool
    action_taken: str
    withdrawn: bool


class DoseIn(Schema):
    version: int = Field(ge=1)
    dose_mg_per_kg: float | None = Field(None, gt=0)
    dose_mg: float | None = Field(None, gt=0)
    concentration_mg_per_ml: float | None = Field(None, gt=0)
    override_reason: str = Field("", max_length=1000)
    reason: str = Field("", max_length=1000)


class SessionOut(Schema):
    uuid: uuid.UUID
    patient: uuid.UUID
    course: uuid.UUID
    planned: uuid.UUID | None
    date: dt.date
    chair: int | None
    status: str
    version: int
    weight_kg: float
    gate_report: dict[str, Any] | None
    gates_overall: str
    dose_result: dict[str, Any] | None
    dose_mg: float | None
    dose_override: bool
    dose_cleared: bool
    lot_number: str
    started_at: dt.datetime | None
    first_device_at: dt.datetime | None
    ended_at: dt.datetime | None
    observation_until: dt.datetime | None
    discharge: dict[str, Any] | None
    discharge_ready: bool | None
    signed_at: dt.datetime | None


def _sessions(user: Any) -> Any:
    return for_clinic(TreatmentSession.objects.select_related("patient", "course", "planned"), user)


def _out(session: TreatmentSession) -> dict[str, Any]:
    return {
        "uuid": session.uuid,
        "patient": session.patient.uuid,
        "course": session.course.uuid,
        "planned": session.planned.uuid if session.planned else None,
        **{
            name: getattr(session, name)
            for name in (
                "date",
                "chair",
                "status",
                "version",
                "weight_kg",
                "gate_report",
                "gates_overall",
                "dose_result",
                "dose_mg",
                "dose_override",
                "dose_cleared",
                "lot_number",
                "started_at",
                "first_device_at",
                "ended_at",
                "observation_until",
                "discharge",
                "discharge_ready",
                "signed_at",
            )
        },
    }


@router.get("", response=list[SessionOut], summary="Sessions of your clinic (newest first)")
def list_sessions(
    request: HttpRequest,
    course: uuid.UUID | None = None,
    patient: uuid.UUID | None = None,
    date: dt.date | None = None,
    status: str | None = None,
) -> Any:
    user = api_user(request, VIEW)
    rows = _sessions(user)
    if course is not None:
        rows = rows.filter(course__uuid=course)
    if patient is not None:
        rows = rows.filter(patient__uuid=patient)
    if date is not None:
        rows = rows.filter(date=date)
    if status:
        rows = rows.filter(status=status)
    return [_out(s) for s in rows[:200]]


@router.post("", response={201: SessionOut}, summary="Open a session record")
def open_session(request: HttpRequest, payload: SessionIn) -> Any:
    user = api_user(request, RECORD)
    course = get_for_user(Course.objects.select_related("clinic"), user, payload.course)
    planned = None
    if payload.planned is not None:
        planned = get_for_user(PlannedSession.objects.filter(course=course), user, payload.planned)
    session = services.open_session(user, course, planned=planned, chair=payload.chair)
    return Status(201, _out(session))


@router.get("/{session_uuid}", response=SessionOut, summary="One session")
def get_session(request: HttpRequest, session_uuid: uuid.UUID) -> Any:
    user = api_user(request, VIEW)
    return _out(get_for_user(_sessions(user), user, session_uuid))


@router.post("/{session_uuid}/dose", response=SessionOut, summary="Record the dose (the core's)")
def set_dose(request: HttpRequest, session_uuid: uuid.UUID, payload: DoseIn) -> Any:
    user = api_user(request, RECORD)
    session = get_for_user(_sessions(user), user, session_uuid)
    services.set_dose(
        user,
        session,
        dose_mg_per_kg=payload.dose_mg_per_kg,
        dose_mg=payload.dose_mg,
        concentration_mg_per_ml=payload.concentration_mg_per_ml,
        override_reason=payload.override_reason,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _out(session)


@router.get("/{session_uuid}/vitals", response=list[VitalOut], summary="Vital signs")
def list_vitals(request: HttpRequest, session_uuid: uuid.UUID) -> Any:
    user = api_user(request, VIEW)
    session = get_for_user(_sessions(user), user, session_uuid)
    return list(VitalSign.objects.filter(session=session))


@router.post(
    "/{session_uuid}/vitals", response={201: VitalOut}, summary="Add vital signs (core alerts)"
)
def add_vitals(request: HttpRequest, session_uuid: uuid.UUID, payload: VitalIn) -> Any:
    user = api_user(request, RECORD)
    session = get_for_user(_sessions(user), user, session_uuid)
    vital = services.add_vitals(user, session, **payload.dict())
    return Status(201, vital)


@router.get(
    "/{session_uuid}/adverse-events", response=list[AdverseEventOut], summary="Adverse events"
)
def list_adverse_events(request: HttpRequest, session_uuid: uuid.UUID) -> Any:
    user = api_user(request, VIEW)
    session = get_for_user(_sessions(user), user, session_uuid)
    return list(AdverseEvent.objects.filter(session=session))


@router.post(
    "/{session_uuid}/adverse-events",
    response={201: AdverseEventOut},
    summary="Record an adverse event",
)
def add_adverse_event(
    request: HttpRequest, session_uuid: uuid.UUID, payload: AdverseEventIn
) -> Any:
    user = api_user(request, RECORD)
    session = get_for_user(_sessions(user), user, session_uuid)
    event = services.add_adverse_event(user, session, **payload.dict())
    return Status(201, event)
