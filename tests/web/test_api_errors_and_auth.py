"""The API: session or bearer-token auth, the OpenAPI document, and one error shape."""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.web.accounts.models import ApiToken


@pytest.mark.django_db
def test_openapi_document_is_served_to_signed_in_staff(prescriber: Any, client_for: Any) -> None:
    response = client_for(prescriber).get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "KetaCare API"


@pytest.mark.django_db
def test_openapi_document_refuses_anonymous_with_the_error_shape(
    client_for: Any, api_error: Any
) -> None:
    api_error(client_for(None).get("/api/v1/openapi.json"), 401, "unauthenticated")


@pytest.mark.django_db
def test_anonymous_api_call_gets_401_in_the_error_shape(client_for: Any, api_error: Any) -> None:
    api_error(client_for(None).get("/api/v1/me"), 401, "unauthenticated")


@pytest.mark.django_db
def test_bearer_token_authenticates_without_a_session(nurse: Any, client_for: Any) -> None:
    _, token = ApiToken.issue(nurse, "tablet")
    response = client_for(None).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["role"] == "nurse"
    assert "prescribe" not in response.json()["may"]


@pytest.mark.django_db
def test_revoked_or_wrong_token_is_refused(nurse: Any, client_for: Any, api_error: Any) -> None:
    from django.utils import timezone

    row, token = ApiToken.issue(nurse, "old tablet")
    row.revoked_at = timezone.now()
    row.save()
    client = client_for(None)
    api_error(
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
        401,
        "unauthenticated",
    )
    api_error(
        client.get("/api/v1/me", headers={"Authorization": "Bearer kc_nope"}),
        401,
        "unauthenticated",
    )


@pytest.mark.django_db
def test_only_a_digest_of_the_token_is_stored(nurse: Any) -> None:
    row, token = ApiToken.issue(nurse, "tablet")
    assert token not in {row.digest, row.prefix}
    assert row.digest == ApiToken.digest_of(token)


@pytest.mark.django_db
def test_a_user_creates_a_token_on_their_page_and_revokes_it(
    nurse: Any, other_clinician: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    response = client.post("/accounts/me/tokens/", {"name": "chair tablet"})
    assert response.status_code == 201  # the token is on the page that created it
    token = response.context["new_token"]
    api = client_for(None)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    row = ApiToken.objects.get(user=nurse)
    client_for(other_clinician).post(f"/accounts/me/tokens/{row.pk}/revoke/")  # not theirs
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    client.post(f"/accounts/me/tokens/{row.pk}/revoke/")
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
