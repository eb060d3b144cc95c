"""Sessions, vitals and adverse events through the API: create and read with the pages'
permissions, the one error shape with field-level messages, nothing half-saved."""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.core.safety import check_vitals
from ketacare.web.accounts.models import ApiToken
from ketacare.web.treatments import services
from ketacare.web.treatments.models import AdverseEvent, TreatmentSession, VitalSign

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_a_nurse_opens_a_session_and_reads_it_back(
    iv_course: Any, nurse: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    planned = iv_course.planned_sessions.first()
    created = client.post(
        "/api/v1/sessions",
        {"course": str(iv_course.uuid), "planned": str(planned.uuid), "chair": 2},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "open" and body["chair"] == 2
    read = client.get(f"/api/v1/sessions/{body['uuid']}").json()
    assert read["planned"] == str(planned.uuid)
    listed = client.get(f"/api/v1/sessions?course={iv_course.uuid}").json()
    assert [s["uuid"] for s in listed] == [body["uuid"]]


def test_vitals_come_back_with_the_cores_alerts(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    url = f"/api/v1/sessions/{iv_session.uuid}/vitals"
    created = client.post(
        url, {"minute": 20, "systolic": 186, "diastolic": 96, "spo2": 90}, content_type=JSON
    )
    assert created.status_code == 201, created.content
    expected = check_vitals(systolic=186, diastolic=96, spo2=90)
    assert created.json()["alerts"] == [a.to_dict() for a in expected]
    assert created.json()["out_of_range"] is True
    assert len(client.get(url).json()) == 1


def test_an_out_of_range_vital_names_the_bound_and_saves_nothing(
    iv_session: Any, nurse: Any, client_for: Any, api_error: Any
) -> None:
    response = client_for(nurse).post(
        f"/api/v1/sessions/{iv_session.uuid}/vitals",
        {"systolic": 120, "diastolic": 80, "spo2": 140},
        content_type=JSON,
    )
    error = api_error(response, 400, "invalid", "spo2")
    assert "100" in error["fields"]["spo2"]
    assert not VitalSign.objects.exists()


def test_adverse_events_are_created_and_read(iv_session: Any, nurse: Any, client_for: Any) -> None:
    client = client_for(nurse)
    url = f"/api/v1/sessions/{iv_session.uuid}/adverse-events"
    created = client.post(
        url, {"description": "nausea", "severity": "mild", "serious": False}, content_type=JSON
    )
    assert created.status_code == 201, created.content
    assert client.get(url).json()[0]["description"] == "nausea"


def test_a_bad_severity_is_a_field_error(
    iv_session: Any, nurse: Any, client_for: Any, api_error: Any
) -> None:
    response = client_for(nurse).post(
        f"/api/v1/sessions/{iv_session.uuid}/adverse-events",
        {"description": "nausea", "severity": "awful"},
        content_type=JSON,
    )
    api_error(response, 400, "invalid", "severity")
    assert not AdverseEvent.objects.exists()


def test_a_nurse_token_may_not_override_a_dose(
    iv_session: Any, nurse: Any, client_for: Any, api_error: Any
) -> None:
    services.record_checklist(
        nurse, iv_session, systolic=120, diastolic=80, ride_home=True, expected_version=1
    )
    _, token = ApiToken.issue(
        nurse, "tablet", scope="read_write"
    )  # the role refuses, not the scope
    response = client_for(None).post(
        f"/api/v1/sessions/{iv_session.uuid}/dose",
        {"version": 2, "dose_mg_per_kg": 1.0, "override_reason": "because"},
        content_type=JSON,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    api_error(response, 403, "forbidden")
    iv_session.refresh_from_db()
    assert iv_session.dose_result is None


def test_a_dose_above_the_maximum_without_a_reason_is_a_field_error(
    iv_session: Any, prescriber: Any, client_for: Any, api_error: Any
) -> None:
    services.record_checklist(
        prescriber, iv_session, systolic=120, diastolic=80, ride_home=True, expected_version=1
    )
    response = client_for(prescriber).post(
        f"/api/v1/sessions/{iv_session.uuid}/dose",
        {"version": 2, "dose_mg_per_kg": 1.0},
        content_type=JSON,
    )
    error = api_error(response, 400, "invalid", "dose_mg_per_kg")
    assert "0.75" in error["fields"]["dose_mg_per_kg"]


def test_a_stale_version_is_a_conflict(
    iv_session: Any, prescriber: Any, client_for: Any, api_error: Any
) -> None:
    services.record_checklist(
        prescriber, iv_session, systolic=120, diastolic=80, ride_home=True, expected_version=1
    )
    response = client_for(prescriber).post(
        f"/api/v1/sessions/{iv_session.uuid}/dose", {"version": 1}, content_type=JSON
    )
    api_error(response, 409, "conflict", "version")


def test_other_clinic_and_front_desk_see_nothing(
    iv_session: Any, other_clinician: Any, front_desk: Any, client_for: Any, api_error: Any
) -> None:
    api_error(
        client_for(other_clinician).get(f"/api/v1/sessions/{iv_session.uuid}"), 404, "not_found"
    )
    assert client_for(other_clinician).get("/api/v1/sessions").json() == []
    api_error(client_for(front_desk).get("/api/v1/sessions"), 403, "forbidden")
    api_error(
        client_for(front_desk).post(
            f"/api/v1/sessions/{iv_session.uuid}/vitals", {"heart_rate": 70}, content_type=JSON
        ),
        403,
        "forbidden",
    )
    assert TreatmentSession.objects.count() == 1
