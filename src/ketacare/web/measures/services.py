"""Recording a measure: the core scores it, judges it against the course baseline and checks the
suicidal-ideation signal; a positive signal raises an alert that stays open until a clinician
acknowledges it with a note. Each action is one transaction with an audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketacare.core import outcomes as core_outcomes
from ketacare.core import scales as core_scales
from ketacare.core.errors import InputError
from ketacare.web.accounts.models import User
from ketacare.web.accounts.permissions import require
from ketacare.web.audit.services import record, snapshot
from ketacare.web.courses.models import Course
from ketacare.web.lib.records import ConflictError, DuplicateError, save_versioned
from ketacare.web.measures.models import Alert, AlertLevel, Measure
from ketacare.web.patients.models import Patient

ALERT_LEVELS = (AlertLevel.POSITIVE, AlertLevel.URGENT)


def _observation(measure: Measure) -> core_outcomes.SIObservation:
    total = measure.total
    return core_outcomes.SIObservation(
        scale=measure.scale_id,
        total=None if total is None else int(total),
        suicide_item_value=measure.result.get("suicide_item_value"),
        triage=measure.result.get("triage"),
    )


def has_si_rule(scale_id: str) -> bool:
    try:
        return core_outcomes.get_scale_rules(scale_id).suicide is not None
    except InputError:
        return False


def record_measure(
    actor: User,
    patient: Patient,
    *,
    scale_id: str,
    items: Sequence[int | str | None],
    options: Mapping[str, str] | None = None,
    taken_at: dt.datetime | None = None,
    course: Course | None = None,
    baseline: bool = False,
) -> Measure:
    """Score ``items`` on ``scale_id`` with the core and store the result, the outcome against
    the course baseline and the suicidal-ideation signal (an open alert when positive)."""
    require(actor, "record_measure")
    taken_at = taken_at or timezone.now()
    if taken_at > timezone.now() + dt.timedelta(minutes=5):
        raise InputError("taken_at", taken_at.isoformat(), "a time not in the future")
    if course is not None and course.patient_id != patient.pk:
        raise InputError("course", str(course.uuid), "a course of this patient")
    if baseline and course is None:
        raise InputError("baseline", True, "a baseline belongs to a course: choose the course")
    result = core_scales.score(scale_id, list(items), dict(options or {}))
    try:
        with transaction.atomic():
            return _store_measure(
                actor, patient, result, items, options, taken_at, course, baseline
            )
    except IntegrityError as exc:
        if not baseline:
            raise
        # the database's one-active-baseline constraint: a writer that did not lock the course
        raise DuplicateError("baseline", True, ONE_BASELINE) from exc


ONE_BASELINE = "a course has one baseline; withdraw the current one first"


def record_self_report(
    patient: Patient,
    *,
    scale_id: str,
    items: Sequence[int | str | None],
    taken_at: dt.datetime | None = None,
    course: Course | None = None,
) -> Measure:
    """A measure the patient entered through a check-in link: scored, judged against the course
    baseline and signalled exactly like a staff entry, stored with source "patient" and no
    staff user. The caller (the check-in service) holds the transaction and audits the link."""
    taken_at = taken_at or timezone.now()
    if course is not None and course.patient_id != patient.pk:
        raise InputError("course", str(course.uuid), "a course of this patient")
    result = core_scales.score(scale_id, list(items), {})
    with transaction.atomic():
        return _store_measure(
            None, patient, result, items, None, taken_at, course, False, source="patient"
        )


def _store_measure(
    actor: User | None,
    patient: Patient,
    result: core_scales.ScoreResult,
    items: Sequence[int | str | None],
    options: Mapping[str, str] | None,
    taken_at: dt.datetime,
    course: Course | None,
    baseline: bool,
    source: str = "staff",
) -> Measure:
    """The writes of ``record_measure``, inside its transaction. The course row is locked first
    (``SELECT ... FOR UPDATE``): a second request for the same course waits until this one commits
    and then sees its baseline, so two baselines cannot both pass the check."""
    outcome = None
    base = None
    if course is not None:
        locked = Course.objects.select_for_update().only("baseline_measure").get(pk=course.pk)
        # re-read under the lock: the caller's course (and its cached baseline) may be stale
        base = None
        if locked.baseline_measure_id is not None:
            base = Measure.objects.filter(pk=locked.baseline_measure_id).first()
        course.baseline_measure = base
    if base is not None and base.withdrawn:
        base = None
    if baseline and base is not None:
        raise DuplicateError("baseline", True, ONE_BASELINE)
    if (
        not baseline
        and base is not None
        and base.scale_id == result.scale
        and base.total is not None
        and result.total is not None
        and base.total > 0
    ):
        outcome = core_outcomes.assess(result.scale, base.total, result.total)
    signal = None
    if has_si_rule(result.scale):
        previous = (
            Measure.objects.filter(
                patient=patient, scale_id=result.scale, withdrawn=False, taken_at__lt=taken_at
            )
            .order_by("-taken_at")
            .first()
        )
        signal = core_outcomes.suicidal_ideation_signal(
            result.scale, result, _observation(previous) if previous else None
        )
    measure = Measure.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        course=course,
        scale_id=result.scale,
        scale_version=result.version[:40],
        taken_at=taken_at,
        items=list(items),
        options=dict(options or {}),
        result=result.to_dict(),
        total=result.total,
        severity=result.severity or "",
        triage=result.triage or "",
        is_baseline=baseline,
        outcome=outcome.to_dict() if outcome else None,
        percent_change=outcome.percent_change if outcome else None,
        response=outcome.response if outcome else None,
        remission=outcome.remission if outcome else None,
        si_signal=signal.to_dict() if signal else None,
        si_level=signal.level if signal else "",
        entered_by=actor,
        source=source,
    )
    record(actor, "measure.record", measure, None, snapshot(measure))
    if baseline and course is not None:
        before = {"baseline_measure_id": course.baseline_measure_id}
        course.baseline_measure = measure
        Course.objects.filter(pk=course.pk).update(baseline_measure=measure)
        record(actor, "course.baseline", course, before, {"baseline_measure_id": measure.pk})
    if signal is not None and signal.level in ALERT_LEVELS:
        alert = Alert.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            measure=measure,
            kind="suicidal_ideation",
            level=signal.level,
            reason=signal.reason,
            source=signal.source,
        )
        record(actor, "alert.raise", alert, None, snapshot(alert))
    return measure


def acknowledge_alert(actor: User, alert: Alert, *, note: str, expected_version: int) -> Alert:
    """Close an alert with a clinician's note (what was done). Refused if already closed."""
    require(actor, "acknowledge_alert")
    if not note or not note.strip():
        raise InputError("note", note, "a note of what was done (assessment, plan, contact)")
    if alert.version != expected_version:
        raise ConflictError(alert, expected_version, alert.version)
    if alert.acknowledged_at is not None:
        raise InputError("alert", str(alert.uuid), "an open alert (this one is acknowledged)")
    with transaction.atomic():
        before = snapshot(alert)
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.acknowledgement_note = note.strip()
        save_versioned(
            alert,
            expected_version,
            ["acknowledged_at", "acknowledged_by", "acknowledgement_note"],
        )
        record(actor, "alert.acknowledge", alert, before, snapshot(alert), note.strip())
    return alert


def withdraw_measure(actor: User, measure: Measure, *, reason: str) -> Measure:
    """Mark a measure entered in error: kept, left out of charts and outcomes."""
    require(actor, "record_measure")
    if not reason or not reason.strip():
        raise InputError("reason", reason, "why the measure is withdrawn")
    with transaction.atomic():
        before = snapshot(measure)
        measure.withdrawn = True
        measure.withdrawn_reason = reason.strip()[:300]
        measure.save(update_fields=["withdrawn", "withdrawn_reason"])
        record(actor, "measure.withdraw", measure, before, snapshot(measure), reason.strip())
    return measure
