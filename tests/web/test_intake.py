"""Intake: trials staged by the core, the contraindication screen by the core, consent per
course; field errors beside fields; withdrawn trials kept and left out of the stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ketacare.core import intake as core_intake
from ketacare.core.errors import InputError
from ketacare.web.audit.models import AuditEntry
from ketacare.web.patients import intake
from ketacare.web.patients.models import AntidepressantTrial, Consent, ContraindicationScreen


def _add(nurse: Any, patient: Any, drug: str, response: str = "none") -> Any:
    return intake.add_trial(
        nurse, patient, drug=drug, dose_mg=100, weeks=8, adequate=True, response=response
    )


@pytest.mark.django_db
def test_the_stored_trd_stage_is_the_cores(nurse: Any, patient: Any) -> None:
    _add(nurse, patient, "sertraline")
    _add(nurse, patient, "venlafaxine", "partial")
    patient.refresh_from_db()
    expected = core_intake.trd_stage(
        [
            core_intake.AntidepressantTrial("sertraline", 100, 8, True, "none"),
            core_intake.AntidepressantTrial("venlafaxine", 100, 8, True, "partial"),
        ]
    )
    assert patient.trd_stage == expected.to_dict()
    assert patient.is_trd is expected.is_trd
    assert patient.failed_adequate_trials == expected.failed_adequate
    assert AuditEntry.objects.filter(action="trial.add").count() == 2


@pytest.mark.django_db
def test_a_withdrawn_trial_is_kept_but_not_counted(nurse: Any, patient: Any) -> None:
    _add(nurse, patient, "sertraline")
    wrong = _add(nurse, patient, "venlafaxine")
    intake.withdraw_trial(nurse, wrong, reason="entered for the wrong patient")
    patient.refresh_from_db()
    assert AntidepressantTrial.objects.filter(patient=patient).count() == 2
    expected = core_intake.trd_stage(
        [core_intake.AntidepressantTrial("sertraline", 100, 8, True, "none")]
    )
    assert patient.trd_stage == expected.to_dict()


@pytest.mark.django_db
def test_a_bad_trial_dose_is_shown_beside_the_dose_field(
    nurse: Any, patient: Any, client_for: Any
) -> None:
    response = client_for(nurse).post(
        f"/patients/{patient.uuid}/intake/trials/",
        {"drug": "sertraline", "dose_mg": "-5", "adequate": "true", "response": "none"},
    )
    assert response.status_code == 200
    errors = response.context["trial_form"].errors
    assert "dose_mg" in errors and "-5 is not possible here. Allowed:" in errors["dose_mg"][0]
    assert not AntidepressantTrial.objects.exists()


@pytest.mark.django_db
def test_the_screen_stores_the_cores_result(nurse: Any, patient: Any, client_for: Any) -> None:
    response = client_for(nurse).post(
        f"/patients/{patient.uuid}/intake/screen/",
        {"drug": "esketamine", "route": "in", "q_active_psychosis": "yes", "q_ptsd": "no"},
    )
    assert response.status_code == 302
    screen = ContraindicationScreen.objects.latest("screened_at", "id")
    expected = core_intake.screen_contraindications(
        {"active_psychosis": True, "ptsd": False}, drug="esketamine", route="in"
    )
    assert screen.result == expected.to_dict()
    assert screen.eligible is expected.eligible
    page = client_for(nurse).get(f"/patients/{patient.uuid}/intake/").content.decode()
    assert expected.contraindications[0].label in page


@pytest.mark.django_db
def test_consent_is_recorded_per_course(prescriber: Any, world: dict[str, Any]) -> None:
    patient, course = world["patient"], world["course"]
    consent = intake.record_consent(
        prescriber, patient, given_on=dt.date(2026, 1, 5), scope="IV ketamine series", course=course
    )
    assert consent.course == course
    assert list(course.consents.all()) == [consent]
    assert AuditEntry.objects.filter(action="consent.record").exists()


@pytest.mark.django_db
def test_consent_for_another_patients_course_is_refused(
    prescriber: Any, world: dict[str, Any], clinic: Any
) -> None:
    from ketacare.web.patients.models import Patient

    someone_else = Patient.objects.create(
        clinic=clinic,
        record_number="N-0002",
        given_name="B",
        family_name="C",
        date_of_birth=dt.date(1990, 1, 1),
    )
    with pytest.raises(InputError) as caught:
        intake.record_consent(
            prescriber,
            someone_else,
            given_on=dt.date(2026, 1, 5),
            scope="x",
            course=world["course"],
        )
    assert caught.value.field == "course"
    assert not Consent.objects.exists()


@pytest.mark.django_db
def test_front_desk_may_not_record_intake(front_desk: Any, patient: Any) -> None:
    with pytest.raises(PermissionDenied):
        _add(front_desk, patient, "sertraline")
