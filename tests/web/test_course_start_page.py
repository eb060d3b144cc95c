"""The new-course page: the core's eligibility per drug and route before the course starts, and the
screen or concurrent-course refusal beside its field (the prescriber's reason field)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ketacare.web.courses.models import Course
from ketacare.web.patients.models import Patient

pytestmark = pytest.mark.django_db


def _form(**extra: Any) -> dict[str, Any]:
    return {
        "protocol_id": "iv-racemic",
        "start_date": timezone.localdate().isoformat(),
        "weight_kg": "72",
        **extra,
    }


def test_without_a_screen_the_page_says_so_and_refuses_beside_the_reason_field(
    clinic: Any, prescriber: Any, client_for: Any
) -> None:
    patient = Patient.objects.create(
        clinic=clinic,
        record_number="CS-1",
        given_name="Cai",
        family_name="Start",
        date_of_birth=dt.date(1990, 2, 3),
    )
    client = client_for(prescriber)
    page = client.get(f"/courses/new/{patient.uuid}/")
    assert "no screen on file" in page.content.decode()
    response = client.post(f"/courses/new/{patient.uuid}/", _form())
    assert response.status_code == 200
    errors = response.context["form"].errors["override_reason"]
    assert "No contraindication screen" in errors[0]
    assert not Course.objects.filter(patient=patient).exists()
    response = client.post(
        f"/courses/new/{patient.uuid}/",
        _form(override_reason="screened on paper at the referring clinic; scanned copy filed"),
    )
    assert response.status_code == 302
    course = Course.objects.get(patient=patient)
    assert course.eligibility_override_reason.startswith("screened on paper")


def test_a_second_active_course_asks_for_its_reason(
    patient: Any, prescriber: Any, client_for: Any
) -> None:
    client = client_for(prescriber)
    assert client.post(f"/courses/new/{patient.uuid}/", _form()).status_code == 302
    page = client.get(f"/courses/new/{patient.uuid}/").content.decode()
    assert "already has 1 active course" in page
    response = client.post(f"/courses/new/{patient.uuid}/", _form())
    assert "concurrent_reason" in response.context["form"].errors
    assert Course.objects.filter(patient=patient).count() == 1
