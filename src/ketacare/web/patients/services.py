"""Clinical actions on patients. Each is one transaction with one audit entry.

Pattern for every app's services.py: one function per action, keyword arguments, the acting user
first; validate (with ``ketacare.core`` for anything clinical), write inside
``transaction.atomic()``, append ``audit.record(...)``, return the saved object.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketacare.core.errors import InputError
from ketacare.web.accounts.models import User
from ketacare.web.accounts.permissions import require
from ketacare.web.audit.services import record, snapshot
from ketacare.web.lib.records import DuplicateError, save_versioned
from ketacare.web.patients.models import Patient

DEMOGRAPHIC_FIELDS = [
    "record_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
]


def _check_demographics(data: dict[str, Any]) -> None:
    dob = data.get("date_of_birth")
    if isinstance(dob, dt.date):
        today = timezone.localdate()  # the clinic's day (its zone is active for the request)
        if dob > today:
            raise InputError("date_of_birth", dob.isoformat(), f"a date on or before {today}")
        if dob.year < today.year - 120:
            raise InputError("date_of_birth", dob.isoformat(), "a date within the last 120 years")
    for name in ("record_number", "given_name", "family_name"):
        if name in data and not str(data[name]).strip():
            raise InputError(name, data[name], "a non-empty text")


def create_patient(actor: User, **data: Any) -> Patient:
    require(actor, "edit_demographics")
    unknown = set(data) - set(DEMOGRAPHIC_FIELDS)
    if unknown:
        raise InputError(sorted(unknown)[0], "", "one of " + ", ".join(DEMOGRAPHIC_FIELDS))
    _check_demographics(data)
    number = data.get("record_number")
    try:
        with transaction.atomic():
            if Patient.objects.filter(clinic_id=actor.clinic_id, record_number=number).exists():  # type: ignore[misc]  # create_patient requires a clinic member
                raise DuplicateError("record_number", number, RECORD_NUMBER_FREE)
            patient = Patient.objects.create(clinic_id=actor.clinic_id, **data)  # type: ignore[misc]  # create_patient requires a clinic member
            record(actor, "patient.create", patient, None, snapshot(patient, DEMOGRAPHIC_FIELDS))
    except IntegrityError as exc:
        _raise_if_record_number_taken(exc, number)
        raise
    return patient


RECORD_NUMBER_FREE = "a record number not yet in use in this clinic"


def _raise_if_record_number_taken(exc: IntegrityError, number: Any) -> None:
    """The loser of two requests at the same instant with one record number: the database's
    ``patient_record_number_unique_in_clinic`` refused it after both passed the check."""
    if "record_number" in str(exc):
        raise DuplicateError("record_number", number, RECORD_NUMBER_FREE) from exc


def update_demographics(
    actor: User, patient: Patient, *, expected_version: int, reason: str = "", **changes: Any
) -> Patient:
    """Change demographics; a ConflictError if someone saved after ``expected_version``, a
    DuplicateError (a ConflictError too) if the new record number is in use."""
    require(actor, "edit_demographics")
    unknown = set(changes) - set(DEMOGRAPHIC_FIELDS)
    if unknown:
        raise InputError(sorted(unknown)[0], "", "one of " + ", ".join(DEMOGRAPHIC_FIELDS))
    _check_demographics(changes)
    number = changes.get("record_number")
    try:
        with transaction.atomic():
            if (
                "record_number" in changes
                and Patient.objects.filter(clinic_id=patient.clinic_id, record_number=number)
                .exclude(pk=patient.pk)
                .exists()
            ):
                raise DuplicateError("record_number", number, RECORD_NUMBER_FREE)
            before = snapshot(patient, DEMOGRAPHIC_FIELDS)
            for name, value in changes.items():
                setattr(patient, name, value)
            save_versioned(patient, expected_version, list(changes))
            after = snapshot(patient, DEMOGRAPHIC_FIELDS)
            record(actor, "patient.update", patient, before, after, reason)
    except IntegrityError as exc:
        _raise_if_record_number_taken(exc, number)
        raise
    return patient
