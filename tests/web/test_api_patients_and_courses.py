"""Patients and courses through the API: same permission rules, one error shape, field errors
naming the allowed range, the version check, nothing half-saved."""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.web.courses.models import Course, PlannedSession
from ketacare.web.patients.models import Patient

NEW = {
    "record_number": "N-0200",
    "given_name": "Kim",
    "family_name": "Ostrowski",
    "date_of_birth": "1984-07-01",
    "sex": "female",
}


@pytest.mark.django_db
def test_front_desk_registers_and_reads_demographics_only(front_desk: Any, client_for: Any) -> None:
    client = client_for(front_desk)
    created = client.post("/api/v1/patients", NEW, content_type="application/json")
    assert created.status_code == 201, created.content
    uuid = created.json()["uuid"]
    body = client.get(f"/api/v1/patients/{uuid}").json()
    assert body["family_name"] == "Ostrowski"
    assert "trd_stage" not in body


@pytest.mark.django_db
def test_a_schema_violation_names_the_field_and_the_bound(
    nurse: Any, client_for: Any, api_error: Any
) -> None:
    response = client_for(nurse).post(
        "/api/v1/patients",
        {**NEW, "sex": "x", "record_number": ""},
        content_type="application/json",
    )
    error = api_error(response, 400, "invalid", "record_number")
    assert "sex" in error["fields"]
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_a_core_input_error_comes_back_on_its_field(
    prescriber: Any, patient: Any, client_for: Any, api_error: Any
) -> None:
    response = client_for(prescriber).post(
        "/api/v1/courses",
        {
            "patient": str(patient.uuid),
            "protocol_id": "iv-racemic",
            "start_date": "2026-01-05",
            "weight_kg": 900,
        },
        content_type="application/json",
    )
    error = api_error(response, 400, "invalid", "weight_kg")
    assert "allowed" in error["fields"]["weight_kg"]
    assert not Course.objects.exists() and not PlannedSession.objects.exists()


@pytest.mark.django_db
def test_an_unknown_protocol_lists_the_known_ones(
    prescriber: Any, patient: Any, client_for: Any, api_error: Any
) -> None:
    response = client_for(prescriber).post(
        "/api/v1/courses",
        {
            "patient": str(patient.uuid),
            "protocol_id": "iv-magic",
            "start_date": "2026-01-05",
            "weight_kg": 70,
        },
        content_type="application/json",
    )
    error = api_error(response, 400, "invalid")
    assert "iv-racemic" in error["message"]


@pytest.mark.django_db
def test_prescriber_starts_a_course_and_a_nurse_may_not(
    prescriber: Any, nurse: Any, patient: Any, client_for: Any, api_error: Any
) -> None:
    payload = {
        "patient": str(patient.uuid),
        "protocol_id": "esketamine-trd",
        "start_date": "2026-01-05",
        "weight_kg": 70,
    }
    api_error(
        client_for(nurse).post("/api/v1/courses", payload, content_type="application/json"),
        403,
        "forbidden",
    )
    response = client_for(prescriber).post(
        "/api/v1/courses", payload, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["drug"] == "esketamine" and body["route"] == "in"
    assert len(body["sessions"]) == PlannedSession.objects.count() > 0
    read = client_for(nurse).get(f"/api/v1/courses/{body['uuid']}")
    assert read.status_code == 200


@pytest.mark.django_db
def test_a_stale_status_change_is_refused_with_409(
    prescriber: Any, world: dict[str, Any], client_for: Any, api_error: Any
) -> None:
    course = world["course"]
    client = client_for(prescriber)
    url = f"/api/v1/courses/{course.uuid}/status"
    ok = client.post(
        url,
        {"to_status": "review", "reason": "end of induction", "version": 1},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    stale = client.post(
        url,
        {"to_status": "ended", "reason": "other tab", "version": 1},
        content_type="application/json",
    )
    api_error(stale, 409, "conflict", "version")


@pytest.mark.django_db
def test_another_clinic_sees_nothing_through_the_api(
    other_clinician: Any, world: dict[str, Any], client_for: Any, api_error: Any
) -> None:
    client = client_for(other_clinician)
    assert "Marlowe" not in client.get("/api/v1/patients").content.decode()
    api_error(client.get(f"/api/v1/patients/{world['patient'].uuid}"), 404, "not_found")
    api_error(client.get(f"/api/v1/courses/{world['course'].uuid}"), 404, "not_found")
    assert client.get("/api/v1/courses").json() == []


@pytest.mark.django_db
def test_front_desk_and_researcher_see_no_clinical_data(
    front_desk: Any, researcher: Any, world: dict[str, Any], client_for: Any, api_error: Any
) -> None:
    api_error(client_for(front_desk).get("/api/v1/courses"), 403, "forbidden")
    api_error(client_for(researcher).get("/api/v1/patients"), 403, "forbidden")


@pytest.mark.django_db
def test_a_stale_demographics_patch_is_refused(
    nurse: Any, patient: Any, client_for: Any, api_error: Any
) -> None:
    client = client_for(nurse)
    url = f"/api/v1/patients/{patient.uuid}"
    first = client.patch(url, {"version": 1, "phone": "0123"}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 2
    api_error(
        client.patch(url, {"version": 1, "phone": "0999"}, content_type="application/json"),
        409,
        "conflict",
    )
    patient.refresh_from_db()
    assert patient.phone == "0123"
