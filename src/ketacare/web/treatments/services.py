"""Clinical actions at the chair. Each is one transaction that validates through the core first,
writes, and appends an audit entry; on a signed session the change is also an ``Amendment`` with
its reason (before/after kept). Session-level edits carry the version the user saw
(``expected_version``): if someone else saved in between, ``ConflictError`` refuses the save.

The web layer computes no clinical number: gates, doses, vital alerts, scores, follow-ups, the
observation window and discharge readiness all come from ``ketacare.core``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from ketacare.core import protocols as core_protocols
from ketacare.core import safety as core_safety
from ketacare.core import scales as core_scales
from ketacare.core.errors import InputError
from ketacare.web.accounts.models import User
from ketacare.web.audit.services import jsonable, record, snapshot
from ketacare.web.core_app.records import DuplicateError, save_versioned
from ketacare.web.courses.models import Course, PlannedSession, PlannedStatus
from ketacare.web.treatments.models import (
    AdverseEvent,
    Amendment,
    ScaleRating,
    SessionStatus,
    Severity,
    TreatmentSession,
    VitalSign,
)
from ketacare.web.treatments.permissions import (
    DECIDE_GATE,
    OVERRIDE,
    RECORD,
    SIGN,
    can,
    require,
)

CHECKLIST_FIELDS = [
    "systolic",
    "diastolic",
    "fasting_hours",
    "liquids_minutes",
    "nasal_medicine_minutes",
    "ride_home",
    "rems_enrolled",
    "gate_report",
    "gates_overall",
    "dose_cleared",
]
GATE_DECISION_FIELDS = ["gate_note", "gate_decided_by"]
DOSE_FIELDS = [
    "dose_result",
    "dose_mg",
    "dose_mg_per_kg",
    "dose_override",
    "override_reason",
    "dose_set_by",
    "dose_cleared",
]
ADMIN_FIELDS = ["lot_number", "started_at", "first_device_at", "ended_at", "observation_until"]
DISCHARGE_FIELDS = ["discharge", "discharge_ready", "discharged_at"]
SIGN_FIELDS = ["status", "signed_at", "signed_by"]
#: the scales rated at the chair (the Aldrete is entered with the discharge assessment)
CHAIR_SCALES = ("moaas", "cadss")
MAX_TEXT = 300
#: the core's overall gate decisions under which a recorded dose is no longer cleared
DOSE_UNCLEARED = ("block", "needs_prescriber")


def _same_clinic(actor: User, obj: Any, field: str) -> None:
    if obj.clinic_id != actor.clinic_id:
        raise InputError(field, str(obj.uuid), "a record of your clinic")


def _text(field: str, value: str | None, allowed: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InputError(field, value, allowed)
    if len(text) > MAX_TEXT * 10:
        raise InputError(field, text[:20] + "…", f"at most {MAX_TEXT * 10} characters")
    return text


def _amendment_reason(session: TreatmentSession, reason: str) -> str:
    """The reason for a change: required once the session is signed (the change is an amendment)."""
    text = (reason or "").strip()
    if session.is_signed and not text:
        raise InputError(
            "reason", reason, "a reason for the amendment (the session is signed and locked)"
        )
    return text


def _aware(field: str, value: dt.datetime | None, *, optional: bool = True) -> dt.datetime | None:
    if value is None:
        if optional:
            return None
        raise InputError(field, value, "a date and time")
    if not isinstance(value, dt.datetime):
        raise InputError(field, value, "a date and time")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _log(
    actor: User,
    action: str,
    session: TreatmentSession,
    obj: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str,
) -> None:
    """The audit entry, and the amendment row when the session is already signed."""
    record(actor, action, obj, before, after, reason)
    if session.is_signed:
        Amendment.objects.create(
            clinic_id=session.clinic_id,
            session=session,
            action=action,
            before=jsonable(before) if before is not None else None,
            after=jsonable(after) if after is not None else None,
            reason=reason,
            actor=actor,
        )


def _update(
    actor: User,
    session: TreatmentSession,
    action: str,
    fields: list[str],
    values: dict[str, Any],
    expected_version: int,
    reason: str,
) -> TreatmentSession:
    """Set ``values`` on the session with the version check, audit and amendment, atomically."""
    with transaction.atomic():
        before = snapshot(session, fields)
        for name, value in values.items():
            setattr(session, name, value)
        save_versioned(session, expected_version, list(values))
        after = snapshot(session, fields)
        _log(actor, action, session, session, before, after, reason)
    return session


# --- open ---------------------------------------------------------------------------------


def open_session(
    actor: User,
    course: Course,
    *,
    planned: PlannedSession | None = None,
    on: dt.date | None = None,
    chair: int | None = None,
) -> TreatmentSession:
    """Open the record of one session of ``course`` (optionally the planned session it gives).

    A planned session gives one record: its row is locked (``SELECT ... FOR UPDATE``) while the
    record is checked and written, so a second request opening it waits and is then refused with
    a ``DuplicateError`` (409, field ``planned``); where the database has no row locks (SQLite)
    the one-to-one's unique index refuses the loser, and that is the same ``DuplicateError``.
    """
    require(actor, RECORD)
    _same_clinic(actor, course, "course")
    if course.status == "ended":
        raise InputError("course", str(course.uuid), "a course that has not ended")
    if planned is not None and planned.course_id != course.pk:
        raise InputError("planned", str(planned.uuid), "a planned session of this course")
    if chair is not None and not 1 <= chair <= max(1, course.clinic.chairs):
        raise InputError("chair", chair, f"a chair from 1 to {course.clinic.chairs}")
    not_opened = "a planned session without a session record yet"
    try:
        with transaction.atomic():
            if planned is not None:
                PlannedSession.objects.select_for_update().only("pk").get(pk=planned.pk)
                if TreatmentSession.objects.filter(planned=planned).exists():
                    raise DuplicateError("planned", str(planned.uuid), not_opened)
            session = TreatmentSession.objects.create(
                clinic_id=course.clinic_id,
                patient_id=course.patient_id,
                course=course,
                planned=planned,
                date=on or (planned.date if planned else timezone.localdate()),
                chair=chair if chair is not None else (planned.chair if planned else None),
                weight_kg=course.weight_kg,
                created_by=actor,
            )
            record(actor, "session.open", session, None, snapshot(session), "")
    except IntegrityError as exc:
        if planned is None or "planned" not in str(exc):
            raise
        raise DuplicateError("planned", str(planned.uuid), not_opened) from exc
    return session


# --- pre-dose checklist and gates ----------------------------------------------------------


def record_checklist(
    actor: User,
    session: TreatmentSession,
    *,
    systolic: float,
    diastolic: float,
    fasting_hours: float | None = None,
    liquids_minutes: float | None = None,
    nasal_medicine_minutes: float | None = None,
    ride_home: bool | None = None,
    rems_enrolled: bool | None = None,
    expected_version: int,
    reason: str = "",
) -> TreatmentSession:
    """The pre-dose checklist; the core's ``evaluate_gates`` decides each gate.

    ``nasal_medicine_minutes``: minutes since a nasal corticosteroid or decongestant (esketamine
    only; ``None`` = none taken today). If a dose is already recorded and the new checklist blocks,
    or needs the prescriber (whose decision it clears), the dose is kept but marked not cleared
    (``dose_cleared=False``): it must be re-confirmed with ``set_dose`` before administration.
    """
    require(actor, RECORD)
    reason = _amendment_reason(session, reason)
    course = session.course
    report = core_safety.evaluate_gates(
        course.drug,
        course.route,
        systolic=systolic,
        diastolic=diastolic,
        fasting_hours=fasting_hours,
        liquids_minutes=liquids_minutes,
        nasal_medicine_minutes=nasal_medicine_minutes,
        ride_home=ride_home,
        rems_enrolled=rems_enrolled,
    )  # the core applies the esketamine-only gates (liquids, nasal medicines, REMS) by drug
    values = {
        "systolic": systolic,
        "diastolic": diastolic,
        "fasting_hours": fasting_hours,
        "liquids_minutes": liquids_minutes,
        "nasal_medicine_minutes": nasal_medicine_minutes if course.drug == "esketamine" else None,
        "ride_home": ride_home,
        "rems_enrolled": rems_enrolled,
        "gate_report": report.to_dict(),
        "gates_overall": report.overall,
        # a dose recorded under an earlier checklist is kept but no longer cleared when a gate
        # now blocks or needs the prescriber (this checklist clears any earlier decision)
        "dose_cleared": session.dose_cleared
        and not (session.dose_mg is not None and report.overall in DOSE_UNCLEARED),
        # a new checklist needs a new prescriber decision
        "gate_note": "",
        "gate_decided_by": None,
    }
    return _update(
        actor,
        session,
        "session.checklist",
        CHECKLIST_FIELDS + GATE_DECISION_FIELDS,
        values,
        expected_version,
        reason,
    )


def decide_gate(
    actor: User, session: TreatmentSession, *, note: str, expected_version: int, reason: str = ""
) -> TreatmentSession:
    """The prescriber's decision on a gate the core marked ``needs_prescriber``."""
    if not can(actor, DECIDE_GATE):
        raise PermissionDenied("Only a prescriber may decide on a gate that needs a prescriber.")
    reason = _amendment_reason(session, reason)
    if session.gates_overall != "needs_prescriber":
        raise InputError(
            "gate_note",
            note,
            "a decision only when a gate needs the prescriber "
            f"(the checklist's overall decision is {session.gates_overall or 'not recorded'})",
        )
    text = _text(
        "gate_note",
        note,
        "the prescriber's decision and why (e.g. dose: BP rechecked)",
        required=True,
    )
    return _update(
        actor,
        session,
        "session.gate_decision",
        GATE_DECISION_FIELDS,
        {"gate_note": text, "gate_decided_by": actor},
        expected_version,
        reason,
    )


# --- dose ---------------------------------------------------------------------------------


def _planned_step(session: TreatmentSession) -> int:
    return session.planned.step if session.planned is not None else 0


def set_dose(
    actor: User,
    session: TreatmentSession,
    *,
    dose_mg_per_kg: float | None = None,
    dose_mg: float | None = None,
    concentration_mg_per_ml: float | None = None,
    override_reason: str = "",
    expected_version: int,
    reason: str = "",
) -> TreatmentSession:
    """The dose from the core's ``calculate_dose`` (the planned step unless a dose is given).

    A dose above the protocol maximum needs ``override_reason`` and the prescriber's role; a gate
    that blocks refuses any dose; a gate that needs the prescriber needs their decision first.
    """
    require(actor, RECORD)
    reason = _amendment_reason(session, reason)
    override = (override_reason or "").strip()
    if override and not can(actor, OVERRIDE):
        raise PermissionDenied(
            "Only a prescriber may override a dose limit; a nurse records the calculated dose."
        )
    if not session.gate_report:
        raise InputError("gates", None, "the pre-dose checklist recorded before the dose")
    if session.gates_overall == "block":
        blocked = [
            d["reason"] for d in session.gate_report["decisions"] if d["decision"] == "block"
        ]
        raise InputError("gates", "block", "no dose while a gate blocks: " + " ".join(blocked))
    if session.gates_overall == "needs_prescriber" and not session.gate_note:
        raise InputError(
            "gates",
            "needs_prescriber",
            "a prescriber's decision on the pre-dose gate before the dose is recorded",
        )
    course = session.course
    result = core_protocols.calculate_dose(
        course.protocol_id,
        session.weight_kg,
        step=_planned_step(session),
        dose_mg_per_kg=dose_mg_per_kg,
        dose_mg=dose_mg,
        concentration_mg_per_ml=concentration_mg_per_ml,
        override_reason=override or None,
    )
    values = {
        "dose_result": result.to_dict(),
        "dose_mg": result.dose_mg,
        "dose_mg_per_kg": result.dose_mg_per_kg,
        "dose_override": result.override,
        "override_reason": result.override_reason or "",
        "dose_set_by": actor,
        "dose_cleared": True,
    }
    return _update(
        actor,
        session,
        "session.dose_override" if result.override else "session.dose",
        DOSE_FIELDS,
        values,
        expected_version,
        reason or override,
    )


# --- administration -----------------------------------------------------------------------


def record_administration(
    actor: User,
    session: TreatmentSession,
    *,
    lot_number: str = "",
    started_at: dt.datetime | None = None,
    first_device_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
    expected_version: int,
    reason: str = "",
) -> TreatmentSession:
    """Lot number, start and end times; for esketamine the core's 2-hour observation window."""
    require(actor, RECORD)
    reason = _amendment_reason(session, reason)
    lot = _text("lot_number", lot_number, "a lot number")
    if len(lot) > 60:
        raise InputError("lot_number", lot, "at most 60 characters")
    started = _aware("started_at", started_at)
    first = _aware("first_device_at", first_device_at)
    ended = _aware("ended_at", ended_at)
    if session.dose_mg is not None and not session.dose_cleared:
        raise InputError(
            "dose",
            session.dose_mg,
            "a dose re-confirmed after the checklist changed: the pre-dose gates changed after "
            "the dose was recorded; record the dose again once the gates allow it",
        )
    if (started or first) and session.dose_mg is None:
        raise InputError("started_at", started or first, "a time once the dose is recorded")
    course = session.course
    if first is not None and course.drug != "esketamine":
        raise InputError("first_device_at", first, "only for esketamine (nasal devices)")
    begin = first or started
    if ended is not None and begin is not None and ended < begin:
        raise InputError("ended_at", ended.isoformat(), f"not before the start ({begin:%H:%M})")
    if ended is not None and begin is None:
        raise InputError("ended_at", ended.isoformat(), "an end time after a start time")
    until = None
    if course.drug == "esketamine" and first is not None:
        until = core_safety.observation_window(first, drug=course.drug, route=course.route)
    values = {
        "lot_number": lot,
        "started_at": started,
        "first_device_at": first,
        "ended_at": ended,
        "observation_until": until,
    }
    return _update(
        actor, session, "session.administration", ADMIN_FIELDS, values, expected_version, reason
    )


# --- vitals, ratings, adverse events (rows appended; never overwritten) ---------------------


def _baseline(session: TreatmentSession) -> dict[str, float] | None:
    base = {}
    if session.systolic is not None:
        base["systolic"] = session.systolic
    if session.diastolic is not None:
        base["diastolic"] = session.diastolic
    return base or None


def add_vitals(
    actor: User,
    session: TreatmentSession,
    *,
    taken_at: dt.datetime | None = None,
    minute: int | None = None,
    systolic: float | None = None,
    diastolic: float | None = None,
    heart_rate: float | None = None,
    spo2: float | None = None,
    resp_rate: float | None = None,
    reason: str = "",
) -> VitalSign:
    """One row of timed vitals, checked by the core against the alert thresholds."""
    require(actor, RECORD)
    reason = _amendment_reason(session, reason)
    values = {
        "systolic": systolic,
        "diastolic": diastolic,
        "heart_rate": heart_rate,
        "spo2": spo2,
        "resp_rate": resp_rate,
    }
    if all(v is None for v in values.values()):
        raise InputError("vitals", None, "at least one of BP, heart rate, SpO2, respiratory rate")
    if (systolic is None) != (diastolic is None):
        raise InputError(
            "diastolic" if diastolic is None else "systolic", None, "both BP values, or neither"
        )
    if minute is not None and not -60 <= minute <= 1440:
        raise InputError("minute", minute, "a timepoint from -60 to 1440 minutes")
    alerts = core_safety.check_vitals(**values, baseline=_baseline(session))
    with transaction.atomic():
        vital = VitalSign.objects.create(
            clinic_id=session.clinic_id,
            session=session,
            taken_at=_aware("taken_at", taken_at) or timezone.now(),
            minute=minute,
            alerts=[a.to_dict() for a in alerts],
            out_of_range=bool(alerts),
            entered_by=actor,
            **values,
        )
        _log(actor, "session.vitals", session, vital, None, snapshot(vital), reason)
    return vital


def _baseline_total(session: TreatmentSession, scale_id: str) -> int | None:
    base = (
        session.ratings.filter(scale_id=scale_id, minute=0, withdrawn=False)
        .order_by("taken_at", "id")
        .values_list("total", flat=True)
        .first()
    )
    return base


def add_rating(
    actor: User,
    session: TreatmentSession,
    *,
    scale_id: str,
    items: Sequence[int | str | None],
    minute: int | None = None,
    taken_at: dt.datetime | None = None,
    reason: str = "",
) -> ScaleRating:
    """MOAA/S or CADSS at a timepoint: scored by ``core.scales.score``; the follow-up from
    ``core.safety.sedation_followup`` / ``dissociation_followup`` against the pre-dose rating."""
    require(actor, RECORD)
    reason = _amendment_reason(session, reason)
    if scale_id not in CHAIR_SCALES:
        raise InputError("scale_id", scale_id, "one of " + ", ".join(CHAIR_SCALES))
    if minute is not None and not -60 <= minute <= 1440:
        raise InputError("minute", minute, "a timepoint from -60 to 1440 minutes")
    result = core_scales.score(scale_id, list(items))
    total = result.total
    followup = None
    if total is not None and minute != 0:
        base = _baseline_total(session, scale_id)
        if scale_id == "moaas":
            followup = core_safety.sedation_followup(int(total), baseline=base)
        else:
            followup = core_safety.dissociation_followup(int(total), baseline=base)
    with transaction.atomic():
        rating = ScaleRating.objects.create(
            clinic_id=session.clinic_id,
            session=session,
            scale_id=scale_id,
            minute=minute,
            taken_at=_aware("taken_at", taken_at) or timezone.now(),
            items=list(items),
            result=result.to_dict(),
            total=None if total is None else int(total),
            followup=followup.to_dict() if followup else None,
            followup_decision=followup.decision if followup else "",
            entered_by=actor,
        )
        _log(actor, "session.rating", session, rating, None, snapshot(rating), reason)
    return rating


def add_adverse_event(
    actor: User,
    session: TreatmentSession,
    *,
    description: str,
    severity: str,
    serious: bool = False,
    onset_at: dt.datetime | None = None,
    action_taken: str = "",
    reason: str = "",
) -> AdverseEvent:
    """An adverse event with its severity and the serious flag."""
    require(actor, RECORD)
    reason = _amendment_reason(session, reason)
    text = _text("description", description, "a short description of the event", required=True)
    if len(text) > MAX_TEXT:
        raise InputError("description", text[:20] + "…", f"at most {MAX_TEXT} characters")
    if severity not in Severity.values:
        raise InputError("severity", severity, "one of " + ", ".join(Severity.values))
    if not isinstance(serious, bool):
        raise InputError("serious", serious, "yes or no")
    action = _text("action_taken", action_taken, "what was done")
    if len(action) > MAX_TEXT:
        raise InputError("action_taken", action[:20] + "…", f"at most {MAX_TEXT} characters")
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            clinic_id=session.clinic_id,
            session=session,
            onset_at=_aware("onset_at", onset_at) or timezone.now(),
            description=text,
            severity=severity,
            serious=serious,
            action_taken=action,
            entered_by=actor,
        )
        _log(actor, "session.adverse_event", session, event, None, snapshot(event), reason)
    return event


# --- discharge and sign -------------------------------------------------------------------


def _latest_total(session: TreatmentSession, scale_id: str) -> int | None:
    return (
        session.ratings.filter(scale_id=scale_id, withdrawn=False)
        .order_by("-taken_at", "-id")
        .values_list("total", flat=True)
        .first()
    )


def assess_discharge(
    actor: User,
    session: TreatmentSession,
    *,
    aldrete_items: Sequence[int],
    bp_stable: bool | None,
    ride_home: bool | None,
    at: dt.datetime | None = None,
    expected_version: int,
    reason: str = "",
) -> TreatmentSession:
    """Modified Aldrete (scored by the core) and the label's criteria: the core's
    ``discharge_readiness`` with the latest MOAA/S and CADSS against the pre-dose ratings."""
    require(actor, RECORD)
    reason = _amendment_reason(session, reason)
    start = session.dose_start
    if start is None:
        raise InputError("started_at", None, "the start of dosing recorded before discharge")
    when = _aware("at", at) or timezone.now()
    assert isinstance(start, dt.datetime)
    minutes = (when - start).total_seconds() / 60
    if minutes < 0:
        raise InputError("at", when.isoformat(), f"not before the start of dosing ({start:%H:%M})")
    aldrete = core_scales.score("aldrete", list(aldrete_items))
    course = session.course
    decision = core_safety.discharge_readiness(
        aldrete_total=int(aldrete.total or 0),
        aldrete_items=[int(v) for v in aldrete_items],
        drug=course.drug,
        route=course.route,
        minutes_since_dose=round(minutes, 1),
        moaas=_latest_total(session, "moaas"),
        cadss_total=_latest_total(session, "cadss"),
        baseline_moaas=_baseline_total(session, "moaas"),
        baseline_cadss=_baseline_total(session, "cadss"),
        bp_stable=bp_stable,
        ride_home=ride_home,
    )
    data = decision.to_dict()
    data["aldrete"] = aldrete.to_dict()
    data["assessed_at"] = when.isoformat()
    data["minutes_since_dose"] = round(minutes, 1)
    values = {
        "discharge": data,
        "discharge_ready": decision.ready,
        "discharged_at": when if decision.ready else None,
    }
    return _update(
        actor, session, "session.discharge", DISCHARGE_FIELDS, values, expected_version, reason
    )


def sign_session(
    actor: User, session: TreatmentSession, *, expected_version: int
) -> TreatmentSession:
    """Sign and lock: later changes are amendments with a reason."""
    require(actor, SIGN)
    if session.is_signed:
        raise InputError("status", session.status, "an open session (this one is already signed)")
    if session.dose_mg is not None and session.ended_at is None:
        raise InputError("ended_at", None, "the end time recorded before a dosed session is signed")
    with transaction.atomic():
        before = snapshot(session, SIGN_FIELDS)
        session.status = SessionStatus.SIGNED
        session.signed_at = timezone.now()
        session.signed_by = actor
        save_versioned(session, expected_version, ["status", "signed_at", "signed_by"])
        if session.planned_id is not None and session.dose_mg is not None:
            PlannedSession.objects.filter(pk=session.planned_id).update(status=PlannedStatus.DONE)
        record(actor, "session.sign", session, before, snapshot(session, SIGN_FIELDS), "")
    return session


def withdraw_row(
    actor: User,
    session: TreatmentSession,
    row: VitalSign | ScaleRating | AdverseEvent,
    *,
    reason: str,
) -> None:
    """Mark a row entered in error as withdrawn (kept, never deleted), with a reason."""
    require(actor, RECORD)
    text = _text("reason", reason, "why the entry is withdrawn", required=True)
    if row.session_id != session.pk:
        raise InputError("row", str(row.uuid), "a row of this session")
    with transaction.atomic():
        before = snapshot(row, ["withdrawn"])
        type(row).objects.filter(pk=row.pk).update(withdrawn=True)
        row.withdrawn = True
        _log(actor, "session.withdraw", session, row, before, {"withdrawn": True}, text)
