"""Intake actions: antidepressant trials (TRD stage by the core), the contraindication screen
(by the core) and consent per treatment series. Each is one transaction with an audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketacare.core import intake as core_intake
from ketacare.core.errors import InputError
from ketacare.web.accounts.models import User
from ketacare.web.accounts.permissions import require
from ketacare.web.audit.services import record, snapshot
from ketacare.web.patients.models import (
    AntidepressantTrial,
    Consent,
    ContraindicationScreen,
    Patient,
)

TRD_FIELDS = ["trd_stage", "is_trd", "failed_adequate_trials"]


def _core_trial(trial: AntidepressantTrial) -> core_intake.AntidepressantTrial:
    return core_intake.AntidepressantTrial(
        drug=trial.drug,
        dose_mg=trial.dose_mg,
        weeks=trial.weeks,
        adequate=trial.adequate,
        response=trial.response,
        current_episode=trial.current_episode,
    )


def _restage(patient: Patient) -> None:
    """Store the core's TRD stage of the patient's trials (the withdrawn ones left out)."""
    trials = [_core_trial(t) for t in patient.trials.filter(withdrawn=False)]
    stage = core_intake.trd_stage(trials)
    patient.trd_stage = stage.to_dict()
    patient.is_trd = stage.is_trd
    patient.failed_adequate_trials = stage.failed_adequate
    Patient.objects.filter(pk=patient.pk).update(
        trd_stage=patient.trd_stage,
        is_trd=patient.is_trd,
        failed_adequate_trials=patient.failed_adequate_trials,
    )


def add_trial(
    actor: User,
    patient: Patient,
    *,
    drug: str,
    dose_mg: float | None = None,
    weeks: float | None = None,
    adequate: bool | None = None,
    response: str = "unknown",
    current_episode: bool = True,
    started: dt.date | None = None,
    note: str = "",
) -> AntidepressantTrial:
    require(actor, "record_intake")
    core_intake.AntidepressantTrial(  # validates every field, naming the bad one
        drug=drug,
        dose_mg=dose_mg,
        weeks=weeks,
        adequate=adequate,
        response=response,
        current_episode=current_episode,
    )
    with transaction.atomic():
        before = snapshot(patient, TRD_FIELDS)
        trial = AntidepressantTrial.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            drug=drug.strip(),
            dose_mg=dose_mg,
            weeks=weeks,
            adequate=adequate,
            response=response,
            current_episode=current_episode,
            started=started,
            note=note,
            entered_by=actor,
        )
        _restage(patient)
        record(actor, "trial.add", trial, None, snapshot(trial))
        record(actor, "patient.trd_stage", patient, before, snapshot(patient, TRD_FIELDS))
    return trial


def withdraw_trial(actor: User, trial: AntidepressantTrial, *, reason: str) -> AntidepressantTrial:
    """Mark a trial entered in error (kept, not deleted) and re-stage."""
    require(actor, "record_intake")
    if not reason.strip():
        raise InputError("reason", reason, "why the trial is withdrawn")
    with transaction.atomic():
        before = snapshot(trial)
        trial.withdrawn = True
        trial.withdrawn_reason = reason.strip()[:300]
        trial.save(update_fields=["withdrawn", "withdrawn_reason"])
        _restage(trial.patient)
        record(actor, "trial.withdraw", trial, before, snapshot(trial), reason)
    return trial


def record_screen(
    actor: User,
    patient: Patient,
    *,
    answers: Mapping[str, bool],
    drug: str | None = None,
    route: str | None = None,
) -> ContraindicationScreen:
    require(actor, "record_intake")
    result = core_intake.screen_contraindications(dict(answers), drug=drug, route=route)
    with transaction.atomic():
        screen = ContraindicationScreen.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            drug=drug or "",
            route=route or "",
            answers=dict(answers),
            result=result.to_dict(),
            eligible=result.eligible,
            screened_by=actor,
        )
        record(actor, "screen.record", screen, None, snapshot(screen))
    return screen


def record_consent(
    actor: User,
    patient: Patient,
    *,
    given_on: dt.date,
    scope: str,
    course: Any = None,
    document_reference: str = "",
) -> Consent:
    require(actor, "record_consent")
    if not scope.strip():
        raise InputError("scope", scope, "what the patient consented to")
    today = timezone.localdate()
    if given_on > today:
        raise InputError("given_on", given_on.isoformat(), f"a date on or before {today}")
    if course is not None and course.patient_id != patient.pk:
        raise InputError("course", str(course.uuid), "a course of this patient")
    with transaction.atomic():
        consent = Consent.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            course=course,
            given_on=given_on,
            scope=scope.strip(),
            document_reference=document_reference,
            recorded_by=actor,
        )
        record(actor, "consent.record", consent, None, snapshot(consent))
    return consent


def withdraw_consent(actor: User, consent: Consent, *, on: dt.date, reason: str) -> Consent:
    require(actor, "record_consent")
    if not reason.strip():
        raise InputError("reason", reason, "why consent was withdrawn")
    with transaction.atomic():
        before = snapshot(consent)
        consent.withdrawn_on = on
        consent.save(update_fields=["withdrawn_on"])
        record(actor, "consent.withdraw", consent, before, snapshot(consent), reason)
    return consent
