"""Clinical actions at the chair. Each is one transaction that validates through the core first,
writes, and appends an audit entry; on a signed session the change is also an ``Amendment`` with
its reason (before/after kept). Session-level edits carry the version the user saw
(``expected_version``): if someone else saved in between, ``ConflictError`` refuses the save.

The web layer computes no clinical number and decides no clinical rule: before every write the
session's facts go to ``ketacare.core.treatment.session_state`` (through ``workflow.facts_for``),
and what it refuses is refused here with its reason. Gates, doses, vital alerts, scores,
follow-ups, the observation window and discharge readiness all come from ``ketacare.core``.

Every write locks the session row first (``select_for_update``; SQLite takes its write lock at
the start of the transaction), re-reads it, and only then asks the core: a vital sign posted while
the session is being signed waits, then sees the signature and becomes an amendment (or is
refused without a reason).
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
from ketacare.core import treatment as core_treatment
from ketacare.core.errors import InputError
from ketacare.web.accounts.models import User
from ketacare.web.audit.services import jsonable, record, snapshot
from ketacare.web.courses.models import Course, PlannedSession, PlannedStatus
from ketacare.web.lib.records import DuplicateError, save_versioned
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
from ketacare.web.treatments.workflow import facts_for

CHECKLIST_FIELDS = [
    "checklist_at",
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
    "dose_overrides",
]
ADMIN_FIELDS = [
    "lot_number",
    "started_at",
    "first_device_at",
    "ended_at",
    "observation_until",
    "date",
]
TIME_FIELDS = ("started_at", "first_device_at", "ended_at")
EARLY_FIELDS = [
    "early_discharge_kind",
    "early_discharge_reason",
    "early_discharge_by",
    "early_discharge_at",
]
EARLY_KINDS = {"early": "early discharge", "transfer": "transfer to another setting of care"}
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


def _lock(session: TreatmentSession) -> TreatmentSession:
    """Re-read the session under a row lock (call inside ``transaction.atomic``)."""
    session.refresh_from_db(from_queryset=TreatmentSession.objects.select_for_update())
    return session


def _ask(
    session: TreatmentSession, action: str, reason: str, now: dt.datetime | None = None
) -> tuple[core_treatment.SessionFacts, str]:
    """The core's verdict on ``action``: refused with its reason, or the facts and the reason
    text (required when the action is an amendment of a signed session)."""
    facts = facts_for(session, now=now)
    text = (reason or "").strip()
    core_treatment.refuse(core_treatment.session_state(facts), action, reason=text)
    if len(text) > MAX_TEXT * 10:
        raise InputError("reason", text[:20] + "…", f"at most {MAX_TEXT * 10} characters")
    return facts, text


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
                # the day it is given (an off-plan session keeps its link to the planned one)
                date=on or timezone.localdate(),
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
    at: dt.datetime | None = None,
    expected_version: int,
    reason: str = "",
) -> TreatmentSession:
    """The pre-dose checklist; the core's ``evaluate_gates`` decides each gate.

    ``at``: when the checklist was done (default now; never in the future).
    ``nasal_medicine_minutes``: minutes since a nasal corticosteroid or decongestant (esketamine
    only; ``None`` = none taken today). If a dose is already recorded and the new checklist blocks,
    or needs the prescriber (whose decision it clears), the dose is kept but marked not cleared
    (``dose_cleared=False``): it must be re-confirmed with ``set_dose`` before administration.
    """
    require(actor, RECORD)
    with transaction.atomic():
        _lock(session)
        facts, reason = _ask(session, "checklist", reason)
        when = _aware("at", at) or facts.now
        core_treatment.check_event_time(facts, "at", when)
        if session.started_at is not None and when > session.started_at:
            raise InputError(
                "at",
                when.isoformat(),
                f"a time before dosing started ({timezone.localtime(session.started_at):%H:%M})",
            )
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
            "checklist_at": when,
            "systolic": systolic,
            "diastolic": diastolic,
            "fasting_hours": fasting_hours,
            "liquids_minutes": liquids_minutes,
            "nasal_medicine_minutes": nasal_medicine_minutes
            if course.drug == "esketamine"
            else None,
            "ride_home": ride_home,
            "rems_enrolled": rems_enrolled,
            "gate_report": report.to_dict(),
            "gates_overall": report.overall,
            # a dose recorded under an earlier checklist is kept but no longer cleared when a
            # gate now blocks or needs the prescriber (this checklist clears any earlier decision)
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
    with transaction.atomic():
        _lock(session)
        _, reason = _ask(session, "gate_decision", reason)
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


def _previous_doses(session: TreatmentSession) -> list[float]:
    """The doses given at the other sessions of the course before this one, oldest first."""
    rows = (
        TreatmentSession.objects.filter(course_id=session.course_id, dose_mg__isnull=False)
        .exclude(pk=session.pk)
        .filter(date__lte=session.date)
        .order_by("date", "id")
        .values_list("dose_mg", flat=True)
    )
    return [float(v) for v in rows]  # type: ignore[arg-type]  # the query leaves out rows without a value


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

    The core's session rule must allow a dose (screen, consent, gates); the core's dose rule
    applies the protocol's maximum (above it only a prescriber, with ``override_reason``), its
    absolute ceiling (never passed), and the esketamine first-session and age rules. Every
    override is kept in ``dose_overrides`` (who, when, why), also when the dose changes again.
    """
    require(actor, RECORD)
    override = (override_reason or "").strip()
    if override and not can(actor, OVERRIDE):
        raise PermissionDenied(
            "Only a prescriber may override a dose limit; a nurse records the calculated dose."
        )
    with transaction.atomic():
        _lock(session)
        facts, reason = _ask(session, "dose", reason)
        course = session.course
        previous = _previous_doses(session)
        result = core_protocols.calculate_dose(
            course.protocol_id,
            session.weight_kg,
            step=_planned_step(session),
            dose_mg_per_kg=dose_mg_per_kg,
            dose_mg=dose_mg,
            concentration_mg_per_ml=concentration_mg_per_ml,
            override_reason=override or None,
            session_number=len(previous) + 1,
            previous_doses_mg=previous,
            age_years=core_treatment.age_on(session.patient.date_of_birth, session.date),
        )
        if result.override and not can(actor, OVERRIDE):
            raise PermissionDenied(
                "Only a prescriber may record a dose above the protocol maximum."
            )
        overrides = list(session.dose_overrides or [])
        if result.override:
            overrides.append(
                {
                    "dose_mg": result.dose_mg,
                    "dose_mg_per_kg": result.dose_mg_per_kg,
                    "reason": result.override_reason,
                    "by": actor.display_name,
                    "by_id": actor.pk,
                    "at": facts.now.isoformat(),
                }
            )
        values = {
            "dose_result": result.to_dict(),
            "dose_mg": result.dose_mg,
            "dose_mg_per_kg": result.dose_mg_per_kg,
            "dose_override": result.override,
            "override_reason": result.override_reason or "",
            "dose_set_by": actor,
            "dose_cleared": True,
            "dose_overrides": overrides,
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
    """Lot number, start and end times; for esketamine the core's 2-hour observation window.

    The core checks the times (none in the future, the start not before the checklist, the first
    device between start and end) and asks a reason for changing a recorded time; the old value,
    who and why are kept as an amendment row even before signing. The session's date becomes the
    day dosing started.
    """
    require(actor, RECORD)
    lot = _text("lot_number", lot_number, "a lot number")
    if len(lot) > 60:
        raise InputError("lot_number", lot, "at most 60 characters")
    started = _aware("started_at", started_at)
    first = _aware("first_device_at", first_device_at)
    ended = _aware("ended_at", ended_at)
    with transaction.atomic():
        _lock(session)
        facts, reason = _ask(session, "administration", reason)
        core_treatment.check_administration_times(
            facts, started_at=started, first_device_at=first, ended_at=ended, reason=reason
        )
        course = session.course
        until = None
        if course.drug == "esketamine" and first is not None:
            until = core_safety.observation_window(first, drug=course.drug, route=course.route)
        begin = first or started
        values: dict[str, Any] = {
            "lot_number": lot,
            "started_at": started,
            "first_device_at": first,
            "ended_at": ended,
            "observation_until": until,
            "date": timezone.localdate(begin) if begin is not None else session.date,
        }
        changed = {
            name: (getattr(session, name), values[name])
            for name in TIME_FIELDS
            if getattr(session, name) is not None and getattr(session, name) != values[name]
        }
        updated = _update(
            actor,
            session,
            "session.administration",
            ADMIN_FIELDS,
            values,
            expected_version,
            reason,
        )
        if changed and not session.is_signed:
            # a recorded time changed before signing: the old value, who and why are kept
            Amendment.objects.create(
                clinic_id=session.clinic_id,
                session=session,
                action="session.time_change",
                before=jsonable({k: old for k, (old, _) in changed.items()}),
                after=jsonable({k: new for k, (_, new) in changed.items()}),
                reason=reason,
                actor=actor,
            )
        return updated


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
    with transaction.atomic():
        _lock(session)
        facts, reason = _ask(session, "vitals", reason)
        when = _aware("taken_at", taken_at) or facts.now
        core_treatment.check_event_time(facts, "taken_at", when)
        alerts = core_safety.check_vitals(**values, baseline=_baseline(session))  # type: ignore[arg-type]  # values holds only the vital-sign keywords
        vital = VitalSign.objects.create(
            clinic_id=session.clinic_id,
            session=session,
            taken_at=when,
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
    if scale_id not in CHAIR_SCALES:
        raise InputError("scale_id", scale_id, "one of " + ", ".join(CHAIR_SCALES))
    if minute is not None and not -60 <= minute <= 1440:
        raise InputError("minute", minute, "a timepoint from -60 to 1440 minutes")
    result = core_scales.score(scale_id, list(items))
    total = result.total
    with transaction.atomic():
        _lock(session)
        facts, reason = _ask(session, "rating", reason)
        when = _aware("taken_at", taken_at) or facts.now
        core_treatment.check_event_time(facts, "taken_at", when)
        followup = None
        if total is not None and minute != 0:
            base = _baseline_total(session, scale_id)
            if scale_id == "moaas":
                followup = core_safety.sedation_followup(int(total), baseline=base)
            else:
                followup = core_safety.dissociation_followup(int(total), baseline=base)
        rating = ScaleRating.objects.create(
            clinic_id=session.clinic_id,
            session=session,
            scale_id=scale_id,
            minute=minute,
            taken_at=when,
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
        _lock(session)
        facts, reason = _ask(session, "adverse_event", reason)
        when = _aware("onset_at", onset_at) or facts.now
        core_treatment.check_event_time(facts, "onset_at", when)
        event = AdverseEvent.objects.create(
            clinic_id=session.clinic_id,
            session=session,
            onset_at=when,
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
    with transaction.atomic():
        _lock(session)
        facts, reason = _ask(session, "discharge", reason)
        start = session.dose_start
        assert isinstance(start, dt.datetime)
        when = _aware("at", at) or facts.now
        core_treatment.check_event_time(facts, "at", when)
        minutes = (when - start).total_seconds() / 60
        if minutes < 0:
            raise InputError(
                "at",
                when.isoformat(),
                f"not before the start of dosing ({timezone.localtime(start):%H:%M})",
            )
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


def record_early_discharge(
    actor: User,
    session: TreatmentSession,
    *,
    kind: str,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int,
) -> TreatmentSession:
    """A prescriber's early discharge or transfer, with a reason: signing may then go ahead
    without a discharge assessment saying ready (the core still applies its other rules)."""
    if not can(actor, OVERRIDE):
        raise PermissionDenied("Only a prescriber may record an early discharge or a transfer.")
    if kind not in EARLY_KINDS:
        raise InputError(
            "kind", kind, "one of " + ", ".join(f"{k} ({v})" for k, v in EARLY_KINDS.items())
        )
    text = _text("reason", reason, "why the patient leaves early or is transferred", required=True)
    with transaction.atomic():
        _lock(session)
        facts, text = _ask(session, "early_discharge", text)
        when = _aware("at", at) or facts.now
        core_treatment.check_event_time(facts, "at", when)
        values = {
            "early_discharge_kind": kind,
            "early_discharge_reason": text,
            "early_discharge_by": actor,
            "early_discharge_at": when,
        }
        return _update(
            actor,
            session,
            "session.early_discharge",
            EARLY_FIELDS,
            values,
            expected_version,
            text,
        )


def sign_session(
    actor: User, session: TreatmentSession, *, expected_version: int
) -> TreatmentSession:
    """Sign and lock, when the core's rule allows: later changes are amendments with a reason."""
    require(actor, SIGN)
    with transaction.atomic():
        _lock(session)
        facts, _ = _ask(session, "sign", "")
        before = snapshot(session, SIGN_FIELDS)
        session.status = SessionStatus.SIGNED
        session.signed_at = facts.now
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
        _lock(session)
        _, text = _ask(session, "withdraw", text)
        before = snapshot(row, ["withdrawn"])
        type(row).objects.filter(pk=row.pk).update(withdrawn=True)
        row.withdrawn = True
        _log(actor, "session.withdraw", session, row, before, {"withdrawn": True}, text)
