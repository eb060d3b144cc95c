"""A session ends after KETACARE_SESSION_IDLE_MINUTES (30) without use and, however busy,
KETACARE_SESSION_MAX_HOURS (12) after sign-in; the sign-in page says why, and the sign-out is on
the audit trail."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from ketacare.web.accounts.events import AUTH_AT, SEEN_AT
from ketacare.web.audit.models import AuditEntry

PASSWORD = "correct horse battery staple 42"  # tests/web/conftest.py


def signed_in() -> Client:
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": "noor", "password": PASSWORD}).status_code
        == 302
    )
    return client


def move_clock(client: Client, **ago: float) -> None:
    session = client.session
    now = time.time()
    for key, seconds in ago.items():
        session[{"auth": AUTH_AT, "seen": SEEN_AT}[key]] = now - seconds
    session.save()


def test_the_timeouts_come_from_settings() -> None:
    assert settings.KETACARE_SESSION_IDLE_MINUTES == 30
    assert settings.KETACARE_SESSION_MAX_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


@pytest.mark.django_db
def test_29_idle_minutes_keep_the_session(nurse: Any) -> None:
    client = signed_in()
    move_clock(client, seen=29 * 60)
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.django_db
def test_31_idle_minutes_sign_the_user_out(nurse: Any) -> None:
    client = signed_in()
    move_clock(client, seen=31 * 60)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?expired=idle")
    page = client.get(response["Location"]).content.decode()
    assert "signed out after a time without use" in page
    assert client.get("/dashboard/").status_code == 302  # the session is gone
    entry = AuditEntry.objects.get(action="auth.logout")
    assert entry.reason == "session timeout (idle)"


@pytest.mark.django_db
def test_a_busy_session_ends_12_hours_after_sign_in(nurse: Any) -> None:
    client = signed_in()
    move_clock(client, auth=12 * 3600 + 60, seen=60)
    response = client.get("/dashboard/")
    assert response["Location"].startswith("/accounts/login/?expired=max")


@pytest.mark.django_db
def test_an_idle_api_session_answers_401(nurse: Any, api_error: Any) -> None:
    client = signed_in()
    assert client.get("/api/v1/me").status_code == 200
    move_clock(client, seen=31 * 60)
    api_error(client.get("/api/v1/me"), 401, "unauthenticated")
