"""Registering a patient and editing demographics: audit entry, version check, field errors."""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.core.errors import InputError
from ketacare.web.audit.models import AuditEntry
from ketacare.web.lib.records import ConflictError
from ketacare.web.patients import services
from ketacare.web.patients.models import Patient

FORM = {
    "record_number": "N-0100",
    "given_name": "Jamie",
    "family_name": "Rivers",
    "date_of_birth": "1990-03-04",
    "sex": "male",
    "phone": "",
    "email": "",
}


@pytest.mark.django_db
def test_front_desk_registers_a_patient_with_an_audit_entry(
    front_desk: Any, client_for: Any
) -> None:
    response = client_for(front_desk).post("/patients/new/", FORM)
    assert response.status_code == 302
    patient = Patient.objects.get(record_number="N-0100")
    assert patient.clinic == front_desk.clinic
    entry = AuditEntry.objects.get(object_uuid=patient.uuid)
    assert entry.action == "patient.create"
    assert entry.actor == front_desk
    assert entry.after["family_name"] == "Rivers"


@pytest.mark.django_db
def test_a_future_date_of_birth_is_shown_beside_the_field(nurse: Any, client_for: Any) -> None:
    response = client_for(nurse).post("/patients/new/", {**FORM, "date_of_birth": "2999-01-01"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "date_of_birth" in form.errors
    assert "Allowed: a date on or before" in form.errors["date_of_birth"][0]
    assert not Patient.objects.filter(record_number="N-0100").exists()


@pytest.mark.django_db
def test_the_second_of_two_editors_is_refused_not_merged(nurse: Any, patient: Patient) -> None:
    first = Patient.objects.get(pk=patient.pk)
    second = Patient.objects.get(pk=patient.pk)
    services.update_demographics(nurse, first, expected_version=first.version, phone="0123")
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.update_demographics(nurse, second, expected_version=second.version, phone="0999")
    patient.refresh_from_db()
    assert patient.phone == "0123"
    assert patient.version == 2


@pytest.mark.django_db
def test_the_edit_page_refuses_a_stale_form_with_a_clear_message(
    nurse: Any, front_desk: Any, patient: Patient, client_for: Any
) -> None:
    stale = {**FORM, "record_number": patient.record_number, "version": patient.version}
    services.update_demographics(front_desk, patient, expected_version=1, phone="0123")
    response = client_for(nurse).post(
        f"/patients/{patient.uuid}/edit/", {**stale, "phone": "0999", "reason": "r"}
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    patient.refresh_from_db()
    assert patient.phone == "0123"


@pytest.mark.django_db
def test_an_edit_records_before_and_after(nurse: Any, patient: Patient) -> None:
    services.update_demographics(
        nurse, patient, expected_version=1, phone="0123", reason="new number"
    )
    entry = AuditEntry.objects.get(action="patient.update")
    assert entry.before["phone"] == ""
    assert entry.after["phone"] == "0123"
    assert entry.reason == "new number"


@pytest.mark.django_db
def test_a_researcher_may_not_register_patients(researcher: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_patient(researcher, **{**FORM, "date_of_birth": None})


@pytest.mark.django_db
def test_record_numbers_are_unique_within_a_clinic(nurse: Any, patient: Patient) -> None:
    import datetime as dt

    with pytest.raises(InputError) as caught:
        services.create_patient(
            nurse,
            record_number=patient.record_number,
            given_name="B",
            family_name="C",
            date_of_birth=dt.date(1970, 1, 1),
        )
    assert caught.value.field == "record_number"


@pytest.mark.django_db
def test_an_edit_without_a_reason_is_refused_beside_the_reason_field(
    front_desk: Any, patient: Patient, client_for: Any
) -> None:
    form = {**FORM, "record_number": patient.record_number, "version": patient.version}
    response = client_for(front_desk).post(
        f"/patients/{patient.uuid}/edit/", {**form, "phone": "0999"}
    )
    assert response.status_code == 200
    assert "Say why the demographics change" in response.context["form"].errors["reason"][0]
    patient.refresh_from_db()
    assert patient.phone == "" and not AuditEntry.objects.filter(action="patient.update")


@pytest.mark.django_db
def test_the_patient_page_shows_each_change_with_who_when_and_why(
    front_desk: Any, patient: Patient, client_for: Any
) -> None:
    services.update_demographics(
        front_desk, patient, expected_version=1, phone="0123", reason="new number"
    )
    page = client_for(front_desk).get(f"/patients/{patient.uuid}/").content.decode()
    assert "Phone: — → 0123" in page
    assert "by Frank Osei" in page and "Why: new number" in page
    assert "{'phone'" not in page  # words, not a Python dict


@pytest.mark.django_db
def test_an_edit_that_changes_nothing_saves_nothing(
    front_desk: Any, patient: Patient, client_for: Any
) -> None:
    form = {
        "record_number": patient.record_number,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": patient.sex,
        "phone": patient.phone,
        "email": patient.email,
        "version": patient.version,
        "reason": "checked at the desk",
    }
    response = client_for(front_desk).post(f"/patients/{patient.uuid}/edit/", form, follow=True)
    assert "Nothing changed" in response.content.decode()
    patient.refresh_from_db()
    assert patient.version == 1 and not AuditEntry.objects.filter(action="patient.update")
