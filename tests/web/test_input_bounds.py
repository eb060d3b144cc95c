"""Input that answered 500 (found with schemathesis and by hand, on PostgreSQL): each now answers
400 naming the field, or stays inside the bounds it states."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_byte_in_a_search_is_refused_naming_the_field(
    front_desk: Any, client_for: Any
) -> None:
    response = client_for(front_desk).get("/patients/?q=%00")
    assert response.status_code == 400
    assert "q: contains a NUL character" in response.content.decode()


def test_a_nul_byte_in_a_json_reason_is_refused_in_the_error_shape(
    prescriber: Any, world: dict[str, Any], client_for: Any, api_error: Any
) -> None:
    course = world["course"]
    response = client_for(prescriber).post(
        f"/api/v1/courses/{course.uuid}/status",
        '{"to_status": "review", "reason": "\\u0000", "version": 1}',
        content_type="application/json",
    )
    error = api_error(response, 400, "invalid", "reason")
    assert "NUL" in error["fields"]["reason"]
    course.refresh_from_db()
    assert course.status == "induction"


def test_a_nul_byte_in_a_form_field_is_refused(
    nurse: Any, world: dict[str, Any], client_for: Any
) -> None:
    response = client_for(nurse).post(
        f"/patients/{world['patient'].uuid}/edit/", {"given_name": "A\x00"}
    )
    assert response.status_code == 400
    assert "given_name" in response.content.decode()


def test_a_negative_offset_is_refused_naming_it(
    front_desk: Any, client_for: Any, api_error: Any
) -> None:
    response = client_for(front_desk).get("/api/v1/patients?offset=-1")
    api_error(response, 400, "invalid")
    assert "offset" in response.content.decode()


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "x"])
def test_the_calendar_stays_within_its_years(month: str, front_desk: Any, client_for: Any) -> None:
    response = client_for(front_desk).get(f"/courses/calendar/?month={month}")
    assert response.status_code == 200


def test_a_course_starting_in_9999_is_refused_naming_the_start(
    prescriber: Any, patient: Any, client_for: Any, api_error: Any
) -> None:
    response = client_for(prescriber).post(
        "/api/v1/courses",
        {
            "patient": str(patient.uuid),
            "protocol_id": "iv-racemic",
            "start_date": "9999-12-31",
            "weight_kg": 70,
        },
        content_type="application/json",
    )
    error = api_error(response, 400, "invalid")
    assert "2100-12-31" in error["message"]
