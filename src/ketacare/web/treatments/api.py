"""Sessions at the chair in the JSON API: every action of the session page, with the same rules.

Open a session, read it with the core's state (each action allowed or refused, with its blockers
and their sources), the checklist, the prescriber's gate decision, the dose (the core's; above the
protocol maximum only a prescriber with a reason, never above the ceiling), the administration
times, vitals (and their acknowledgement), ratings, adverse events, the discharge assessment, a
prescriber's early discharge or transfer, signing, withdrawing a row entered in error, the
amendments. Once a session is signed every write needs ``reason`` (it becomes an amendment).

Same permissions as the pages (``view_clinical`` to read, ``record_session`` to write) and the
one error shape of ``ketacare.web.clinic.api``; bounds in the schemas are the plausible-input
ranges, the clinical rules are the core's (its InputError names the field and the range).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ketacare.web.accounts.api import api_user
from ketacare.web.courses.models import Course, PlannedSession
from ketacare.web.lib.records import for_clinic, get_for_user
from ketacare.web.treatments import rems_services, services, workflow
from ketacare.web.treatments.models import AdverseEvent, ScaleRating, TreatmentSession, VitalSign
from ketacare.web.treatments.permissions import ACKNOWLEDGE_VITAL, RECORD, SIGN, VIEW

router = Router(tags=["sessions"])


class SessionIn(Schema):
    course: UUID
    planned: UUID | None = Field(None, description="the planned session this one gives")
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
    uuid: UUID
    taken_at: dt.datetime
    minute: int | None
    systolic: float | None
    diastolic: float | None
    heart_rate: float | None
    spo2: float | None
    resp_rate: float | None
    alerts: list[dict[str, Any]]
    out_of_range: bool
    acknowledged_at: dt.datetime | None
    acknowledge_note: str
    withdrawn: bool


class AdverseEventIn(Schema):
    description: str = Field(min_length=1, max_length=300)
    severity: str = Field(pattern="^(mild|moderate|severe)$")
    serious: bool = False
    onset_at: dt.datetime | None = None
    action_taken: str = Field("", max_length=300)
    reason: str = Field("", max_length=1000, description="required once the session is signed")


class AdverseEventOut(Schema):
    uuid: UUID
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


class ChecklistIn(Schema):
    version: int = Field(ge=1)
    systolic: float = Field(ge=40, le=300)
    diastolic: float = Field(ge=20, le=200)
    fasting_hours: float | None = Field(None, ge=0, le=168)
    liquids_minutes: float | None = Field(None, ge=0, le=10080)
    nasal_medicine_minutes: float | None = Field(None, ge=0, le=10080)
    ride_home: bool | None = None
    rems_enrolled: bool | None = None
    at: dt.datetime | None = Field(None, description="when the checklist was done (default now)")
    reason: str = Field("", max_length=1000)


class GateDecisionIn(Schema):
    version: int = Field(ge=1)
    note: str = Field(min_length=1, max_length=3000)
    reason: str = Field("", max_length=1000)


class AdministrationIn(Schema):
    version: int = Field(ge=1)
    lot_number: str = Field("", max_length=60)
    started_at: dt.datetime | None = None
    first_device_at: dt.datetime | None = Field(None, description="esketamine only")
    ended_at: dt.datetime | None = None
    reason: str = Field("", max_length=1000, description="required to change a recorded time")


class RatingIn(Schema):
    scale_id: str = Field(pattern="^(moaas|cadss)$")
    items: list[int | None] = Field(max_length=40)
    minute: int | None = Field(None, ge=-60, le=1440)
    taken_at: dt.datetime | None = None
    reason: str = Field("", max_length=1000)


class RatingOut(Schema):
    uuid: UUID
    scale_id: str
    minute: int | None
    taken_at: dt.datetime
    items: list[Any]
    total: int | None
    result: dict[str, Any]
    followup: dict[str, Any] | None
    withdrawn: bool


class DischargeIn(Schema):
    version: int = Field(ge=1)
    aldrete_items: list[int] = Field(min_length=5, max_length=5)
    bp_stable: bool | None = None
    ride_home: bool | None = None
    at: dt.datetime | None = None
    reason: str = Field("", max_length=1000)


class EarlyDischargeIn(Schema):
    version: int = Field(ge=1)
    kind: str = Field(pattern="^(early|transfer)$")
    reason: str = Field(min_length=1, max_length=3000)
    at: dt.datetime | None = None


class SignIn(Schema):
    version: int = Field(ge=1)


class WithdrawIn(Schema):
    kind: str = Field(pattern="^(vital|rating|adverse_event)$")
    row: UUID
    reason: str = Field(min_length=1, max_length=3000)


class AcknowledgeIn(Schema):
    note: str = Field(min_length=1, max_length=1000)


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


class SessionStateOut(Schema):
    stage: str
    next_actions: list[str]
    actions: dict[str, VerdictOut]
    warnings: list[ProblemOut]


class AmendmentOut(Schema):
    uuid: UUID
    action: str
    before: Any
    after: Any
    reason: str
    actor: str
    at: dt.datetime


class SessionOut(Schema):
    uuid: UUID
    patient: UUID
    course: UUID
    planned: UUID | None
    date: dt.date
    chair: int | None
    status: str
    version: int
    weight_kg: float
    checklist_at: dt.datetime | None
    gate_report: dict[str, Any] | None
    gates_overall: str
    gate_note: str
    dose_result: dict[str, Any] | None
    dose_mg: float | None
    dose_override: bool
    dose_overrides: list[dict[str, Any]]
    dose_cleared: bool
    lot_number: str
    started_at: dt.datetime | None
    first_device_at: dt.datetime | None
    ended_at: dt.datetime | None
    observation_until: dt.datetime | None
    discharge: dict[str, Any] | None
    discharge_ready: bool | None
    early_discharge_kind: str
    early_discharge_reason: str
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
                "checklist_at",
                "gate_report",
                "gates_overall",
                "gate_note",
                "dose_result",
                "dose_mg",
                "dose_override",
                "dose_overrides",
                "dose_cleared",
                "lot_number",
                "started_at",
                "first_device_at",
                "ended_at",
                "observation_until",
                "discharge",
                "discharge_ready",
                "early_discharge_kind",
                "early_discharge_reason",
                "signed_at",
            )
        },
    }


@router.get("", response=list[SessionOut], summary="Sessions of your clinic (newest first)")
def list_sessions(
    request: HttpRequest,
    course: UUID | None = None,
    patient: UUID | None = None,
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
def get_session(request: HttpRequest, session_uuid: UUID) -> Any:
    user = api_user(request, VIEW)
    return _out(get_for_user(_sessions(user), user, session_uuid))


@router.post("/{session_uuid}/dose", response=SessionOut, summary="Record the dose (the core's)")
def set_dose(request: HttpRequest, session_uuid: UUID, payload: DoseIn) -> Any:
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
def list_vitals(request: HttpRequest, session_uuid: UUID) -> Any:
    user = api_user(request, VIEW)
    session = get_for_user(_sessions(user), user, session_uuid)
    return list(VitalSign.objects.filter(session=session))


@router.post(
    "/{session_uuid}/vitals", response={201: VitalOut}, summary="Add vital signs (core alerts)"
)
def add_vitals(request: HttpRequest, session_uuid: UUID, payload: VitalIn) -> Any:
    user = api_user(request, RECORD)
    session = get_for_user(_sessions(user), user, session_uuid)
    vital = services.add_vitals(user, session, **payload.dict())
    return Status(201, vital)


@router.get(
    "/{session_uuid}/adverse-events", response=list[AdverseEventOut], summary="Adverse events"
)
def list_adverse_events(request: HttpRequest, session_uuid: UUID) -> Any:
    user = api_user(request, VIEW)
    session = get_for_user(_sessions(user), user, session_uuid)
    return list(AdverseEvent.objects.filter(session=session))


@router.post(
    "/{session_uuid}/adverse-events",
    response={201: AdverseEventOut},
    summary="Record an adverse event",
)
def add_adverse_event(request: HttpRequest, session_uuid: UUID, payload: AdverseEventIn) -> Any:
    user = api_user(request, RECORD)
    session = get_for_user(_sessions(user), user, session_uuid)
    event = services.add_adverse_event(user, session, **payload.dict())
    return Status(201, event)


def _session_for(request: HttpRequest, session_uuid: UUID, permission: str) -> Any:
    user = api_user(request, permission)
    return user, get_for_user(_sessions(user), user, session_uuid)


@router.get(
    "/{session_uuid}/state",
    response=SessionStateOut,
    summary="What the core allows next on the session, and what blocks each action",
)
def session_state(request: HttpRequest, session_uuid: UUID) -> Any:
    _, session = _session_for(request, session_uuid, VIEW)
    state = workflow.state_for(session)
    return {**state.to_dict(), "next_actions": list(state.next_actions)}


@router.post("/{session_uuid}/checklist", response=SessionOut, summary="The pre-dose checklist")
def record_checklist(request: HttpRequest, session_uuid: UUID, payload: ChecklistIn) -> Any:
    user, session = _session_for(request, session_uuid, RECORD)
    data = payload.dict()
    services.record_checklist(
        user, session, expected_version=data.pop("version"), reason=data.pop("reason"), **data
    )
    return _out(session)


@router.post(
    "/{session_uuid}/gate-decision",
    response=SessionOut,
    summary="The prescriber's decision on a gate that needs one (prescribers)",
)
def decide_gate(request: HttpRequest, session_uuid: UUID, payload: GateDecisionIn) -> Any:
    user, session = _session_for(request, session_uuid, "prescribe")
    services.decide_gate(
        user, session, note=payload.note, expected_version=payload.version, reason=payload.reason
    )
    return _out(session)


@router.post(
    "/{session_uuid}/administration",
    response=SessionOut,
    summary="Lot number and times (a changed time needs a reason; the old value is kept)",
)
def record_administration(
    request: HttpRequest, session_uuid: UUID, payload: AdministrationIn
) -> Any:
    user, session = _session_for(request, session_uuid, RECORD)
    services.record_administration(
        user,
        session,
        lot_number=payload.lot_number,
        started_at=payload.started_at,
        first_device_at=payload.first_device_at,
        ended_at=payload.ended_at,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _out(session)


@router.get("/{session_uuid}/ratings", response=list[RatingOut], summary="MOAA/S and CADSS")
def list_ratings(request: HttpRequest, session_uuid: UUID) -> Any:
    _, session = _session_for(request, session_uuid, VIEW)
    return list(ScaleRating.objects.filter(session=session))


@router.post(
    "/{session_uuid}/ratings", response={201: RatingOut}, summary="A MOAA/S or CADSS rating"
)
def add_rating(request: HttpRequest, session_uuid: UUID, payload: RatingIn) -> Any:
    user, session = _session_for(request, session_uuid, RECORD)
    rating = services.add_rating(user, session, **payload.dict())
    return Status(201, rating)


@router.post(
    "/{session_uuid}/discharge",
    response=SessionOut,
    summary="The discharge assessment (modified Aldrete and the label's criteria)",
)
def assess_discharge(request: HttpRequest, session_uuid: UUID, payload: DischargeIn) -> Any:
    user, session = _session_for(request, session_uuid, RECORD)
    services.assess_discharge(
        user,
        session,
        aldrete_items=payload.aldrete_items,
        bp_stable=payload.bp_stable,
        ride_home=payload.ride_home,
        at=payload.at,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _out(session)


@router.post(
    "/{session_uuid}/early-discharge",
    response=SessionOut,
    summary="An early discharge or transfer, with a reason (prescribers)",
)
def early_discharge(request: HttpRequest, session_uuid: UUID, payload: EarlyDischargeIn) -> Any:
    user, session = _session_for(request, session_uuid, RECORD)
    services.record_early_discharge(
        user,
        session,
        kind=payload.kind,
        reason=payload.reason,
        at=payload.at,
        expected_version=payload.version,
    )
    return _out(session)


@router.post(
    "/{session_uuid}/sign",
    response=SessionOut,
    summary="Sign and lock (only when the core's rule allows; later writes are amendments)",
)
def sign(request: HttpRequest, session_uuid: UUID, payload: SignIn) -> Any:
    user, session = _session_for(request, session_uuid, SIGN)
    services.sign_session(user, session, expected_version=payload.version)
    return _out(session)


_ROWS: dict[str, Any] = {"vital": VitalSign, "rating": ScaleRating, "adverse_event": AdverseEvent}


@router.post(
    "/{session_uuid}/withdraw",
    response=SessionOut,
    summary="Withdraw a row entered in error (kept, never deleted), with a reason",
)
def withdraw(request: HttpRequest, session_uuid: UUID, payload: WithdrawIn) -> Any:
    user, session = _session_for(request, session_uuid, RECORD)
    row = get_for_user(_ROWS[payload.kind].objects.filter(session=session), user, payload.row)
    services.withdraw_row(user, session, row, reason=payload.reason)
    return _out(session)


@router.post(
    "/{session_uuid}/vitals/{vital_uuid}/acknowledge",
    response=VitalOut,
    summary="Acknowledge an out-of-range vital sign with a note",
)
def acknowledge_vital(
    request: HttpRequest, session_uuid: UUID, vital_uuid: UUID, payload: AcknowledgeIn
) -> Any:
    user, session = _session_for(request, session_uuid, ACKNOWLEDGE_VITAL)
    vital = get_for_user(VitalSign.objects.filter(session=session), user, vital_uuid)
    return rems_services.acknowledge_vital(user, vital, payload.note)


@router.get(
    "/{session_uuid}/amendments",
    response=list[AmendmentOut],
    summary="Changes after signing, and recorded times changed before it (before, after, why)",
)
def list_amendments(request: HttpRequest, session_uuid: UUID) -> Any:
    _, session = _session_for(request, session_uuid, VIEW)
    return [
        {
            "uuid": a.uuid,
            "action": a.action,
            "before": a.before,
            "after": a.after,
            "reason": a.reason,
            "actor": a.actor.display_name,
            "at": a.at,
        }
        for a in session.amendments.select_related("actor")
    ]
