"""API tokens expire, have a scope (a read token cannot write), record their last use, are shown
once on the page that created them (never in a message or a cookie), and their issue and revoke
are on the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ketacare.web.accounts.models import ApiToken
from ketacare.web.audit.models import AuditEntry


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
def test_the_new_token_is_in_the_page_that_created_it_and_in_no_cookie(
    nurse: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    response = client.post(
        "/accounts/me/tokens/", {"name": "chair tablet", "scope": "read", "days": "30"}
    )
    assert response.status_code == 201
    token = response.context["new_token"]
    assert token.startswith("kc_") and token in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert all(token not in morsel.value for morsel in response.cookies.values())
    assert not list(response.context["messages"])
    again = client.get("/accounts/me/")
    assert token not in again.content.decode()  # shown once
    assert all(token not in morsel.value for morsel in client.cookies.values())
    row = ApiToken.objects.get(user=nurse)
    assert row.scope == "read"
    assert abs(row.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_a_token_expires_after_90_days_by_default_and_at_most_365(
    nurse: Any, client_for: Any
) -> None:
    row, _ = ApiToken.issue(nurse, "tablet")
    assert (row.expires_at - row.created_at).days in (89, 90)
    response = client_for(nurse).post("/accounts/me/tokens/", {"name": "x", "days": "366"})
    assert response.status_code == 400
    assert "days" in response.context["token_form"].errors
    with pytest.raises(ValueError):
        ApiToken.issue(nurse, "forever", days=3650)


@pytest.mark.django_db
def test_an_expired_token_is_refused(nurse: Any, client_for: Any, api_error: Any) -> None:
    row, token = ApiToken.issue(nurse, "tablet")
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    api_error(client_for(None).get("/api/v1/me", headers=_bearer(token)), 401, "unauthenticated")


@pytest.mark.django_db
def test_a_read_token_reads_but_may_not_write(nurse: Any, client_for: Any, api_error: Any) -> None:
    _, token = ApiToken.issue(nurse, "wall display", scope="read")
    api = client_for(None)
    assert api.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    refused = api.post(
        "/api/v1/measures", data={}, content_type="application/json", headers=_bearer(token)
    )
    assert "read-only" in api_error(refused, 403, "forbidden")["message"]


@pytest.mark.django_db
def test_a_read_write_token_gets_past_authentication_on_a_write(
    nurse: Any, client_for: Any
) -> None:
    _, token = ApiToken.issue(nurse, "chair tablet", scope="read_write")
    response = client_for(None).post(
        "/api/v1/measures", data={}, content_type="application/json", headers=_bearer(token)
    )
    assert response.status_code == 400  # the empty body, not the token, is refused


@pytest.mark.django_db
def test_the_last_use_is_recorded(nurse: Any, client_for: Any) -> None:
    row, token = ApiToken.issue(nurse, "tablet")
    assert row.last_used_at is None
    client_for(None).get("/api/v1/me", headers=_bearer(token))
    row.refresh_from_db()
    assert row.last_used_at is not None


@pytest.mark.django_db
def test_issue_and_revoke_are_audited_without_the_token(nurse: Any, client_for: Any) -> None:
    client = client_for(nurse)
    token = client.post("/accounts/me/tokens/", {"name": "chair tablet"}).context["new_token"]
    issued = AuditEntry.objects.get(action="token.issue")
    assert issued.actor == nurse and issued.object_uuid == nurse.uuid
    assert issued.after["name"] == "chair tablet" and token not in str(issued.after)
    row = ApiToken.objects.get(user=nurse)
    client.post(f"/accounts/me/tokens/{row.pk}/revoke/")
    revoked = AuditEntry.objects.get(action="token.revoke")
    assert revoked.before["revoked_at"] is None and revoked.after["revoked_at"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_tokens_an_expiry_and_keeps_their_writes() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0001_initial")])
    old = executor.loader.project_state([("accounts", "0001_initial")]).apps
    clinic = old.get_model("accounts", "Clinic").objects.create(name="Old clinic")
    user = old.get_model("accounts", "User").objects.create(username="old", clinic=clinic)
    old.get_model("accounts", "ApiToken").objects.create(
        user=user, name="legacy", digest="d" * 64, prefix="kc_legac"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    row = ApiToken.objects.get(name="legacy")
    assert row.scope == "read_write"
    left = row.expires_at - timezone.now()
    assert dt.timedelta(days=89) < left <= dt.timedelta(days=90)
