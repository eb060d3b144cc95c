"""Check-ins through the API: POST creates one and returns its link once (only the hash is
stored); GET lists them; errors in the one shape; the same permissions and clinic scoping."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from ketacare.web.checkins.models import CheckIn


def _url(patient: Any) -> str:
    return f"/api/v1/patients/{patient.uuid}/check-ins"


@pytest.mark.django_db
def test_post_returns_a_working_link_and_get_lists_it(
    nurse: Any, patient: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    response = client.post(
        _url(patient), {"scales": ["phq9", "gad7"]}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scales"] == ["phq9", "gad7"] and body["status"] == "sent"
    assert body["sent_at"] is None  # handed out, not sent
    token = body["link"].rstrip("/").rsplit("/", 1)[1]
    stored = CheckIn.objects.get(uuid=body["uuid"])
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    page = Client().get(f"/c/{token}/")
    assert page.status_code == 200 and "date of birth" in page.content.decode()
    listed = client.get(_url(patient)).json()
    assert [c["uuid"] for c in listed] == [body["uuid"]]
    assert "link" not in listed[0]


@pytest.mark.django_db
def test_a_scale_whose_text_may_not_be_shown_is_refused(
    nurse: Any, patient: Any, client_for: Any, api_error: Any
) -> None:
    response = client_for(nurse).post(
        _url(patient), {"scales": ["madrs"]}, content_type="application/json"
    )
    error = api_error(response, 400, "invalid", "scales[0]")
    assert "phq9" in error["fields"]["scales[0]"]


@pytest.mark.django_db
def test_send_needs_an_enrolment(nurse: Any, patient: Any, client_for: Any, api_error: Any) -> None:
    response = client_for(nurse).post(
        _url(patient), {"send": True}, content_type="application/json"
    )
    api_error(response, 400, "invalid", "patient")


@pytest.mark.django_db
def test_roles_and_clinics(
    front_desk: Any, other_clinician: Any, patient: Any, client_for: Any, api_error: Any
) -> None:
    api_error(
        client_for(front_desk).post(_url(patient), {}, content_type="application/json"),
        403,
        "forbidden",
    )
    api_error(client_for(front_desk).get(_url(patient)), 403, "forbidden")
    api_error(client_for(other_clinician).get(_url(patient)), 404, "not_found")
    api_error(client_for(None).get(_url(patient)), 401, "unauthenticated")
