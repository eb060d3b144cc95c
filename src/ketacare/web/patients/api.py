"""Patients in the JSON API: list, register, read, edit demographics (with the version check)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ketacare.web.accounts.api import api_user
from ketacare.web.lib.records import for_clinic, get_for_user
from ketacare.web.patients import intake, services
from ketacare.web.patients.models import Patient
from ketacare.web.patients.search import search_filter

router = Router(tags=["patients"])

SEX = "female|male|other|unknown"


class PatientIn(Schema):
    record_number: str = Field(min_length=1, max_length=40)
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: dt.date
    sex: str = Field("unknown", pattern=f"^({SEX})$")
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)


class PatientPatch(Schema):
    version: int = Field(ge=1, description="the version you read; a stale one is refused (409)")
    reason: str = Field("", max_length=500)
    record_number: str | None = Field(None, min_length=1, max_length=40)
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: dt.date | None = None
    sex: str | None = Field(None, pattern=f"^({SEX})$")
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)


class PatientOut(Schema):
    uuid: UUID
    record_number: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    phone: str
    email: str
    version: int


class PatientClinicalOut(PatientOut):
    trd_stage: dict[str, Any] | None
    is_trd: bool | None
    failed_adequate_trials: int | None


def _out(patient: Patient, clinical: bool) -> dict[str, Any]:
    data = {
        "uuid": patient.uuid,
        "record_number": patient.record_number,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": patient.date_of_birth,
        "sex": patient.sex,
        "phone": patient.phone,
        "email": patient.email,
        "version": patient.version,
    }
    if clinical:
        data.update(
            trd_stage=patient.trd_stage,
            is_trd=patient.is_trd,
            failed_adequate_trials=patient.failed_adequate_trials,
        )
    return data


@router.get("", response=list[PatientOut], summary="Patients of your clinic")
def list_patients(
    request: HttpRequest,
    q: str = Query("", max_length=200),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Any:
    user = api_user(request, "view_patient_list")
    limit = max(1, min(limit, 500))
    patients = for_clinic(Patient.objects.filter(archived=False), user)
    if q:
        patients = patients.filter(search_filter(q))
    return [_out(p, False) for p in patients[offset : offset + limit]]


@router.post("", response={201: PatientOut}, summary="Register a patient")
def create_patient(request: HttpRequest, payload: PatientIn) -> Any:
    user = api_user(request, "edit_demographics")
    patient = services.create_patient(user, **payload.dict())
    return Status(201, _out(patient, False))


@router.get(
    "/{patient_uuid}",
    response=PatientClinicalOut | PatientOut,
    summary="One patient (clinical fields for clinical roles)",
)
def get_patient(request: HttpRequest, patient_uuid: UUID) -> Any:
    from ketacare.web.accounts.permissions import can

    user = api_user(request, "view_demographics")
    patient = get_for_user(Patient.objects.all(), user, patient_uuid)
    return _out(patient, can(user, "view_clinical"))


@router.patch("/{patient_uuid}", response=PatientOut, summary="Edit demographics")
def patch_patient(request: HttpRequest, patient_uuid: UUID, payload: PatientPatch) -> Any:
    user = api_user(request, "edit_demographics")
    patient = get_for_user(Patient.objects.all(), user, patient_uuid)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    reason = changes.pop("reason", "")
    changes = {k: v for k, v in changes.items() if v is not None}
    services.update_demographics(user, patient, expected_version=version, reason=reason, **changes)
    return _out(patient, False)


class ScreenIn(Schema):
    drug: str | None = Field(None, pattern="^(racemic|esketamine|arketamine)$")
    route: str | None = Field(None, min_length=1, max_length=4)
    answers: dict[str, bool] = Field(description="question id -> true (yes) / false (no)")


class ScreenOut(Schema):
    uuid: UUID
    drug: str
    route: str
    answers: dict[str, bool]
    result: dict[str, Any]
    eligible: bool
    screened_at: dt.datetime


@router.get(
    "/{patient_uuid}/screens",
    response=list[ScreenOut],
    summary="The patient's contraindication screens (a history, newest first)",
)
def list_screens(request: HttpRequest, patient_uuid: UUID) -> Any:
    user = api_user(request, "view_clinical")
    patient = get_for_user(Patient.objects.all(), user, patient_uuid)
    return list(patient.screens.order_by("-screened_at", "-id"))


@router.post(
    "/{patient_uuid}/screens",
    response={201: ScreenOut},
    summary="Record a contraindication screen (the core screens the answers; kept as history)",
)
def record_screen(request: HttpRequest, patient_uuid: UUID, payload: ScreenIn) -> Any:
    user = api_user(request, "record_intake")
    patient = get_for_user(Patient.objects.all(), user, patient_uuid)
    screen = intake.record_screen(
        user, patient, answers=payload.answers, drug=payload.drug, route=payload.route
    )
    return Status(201, screen)
