"""Sign-in is throttled per account and address (django-axes): after KETACARE_LOGIN_FAILURE_LIMIT
(10) wrong passwords in a row even the right one is refused until KETACARE_LOCKOUT_MINUTES have
passed. Every failure is kept by axes and on the audit trail, and so are the lockout and each
sign-in and sign-out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.test import Client

from ketacare.web.audit.models import AuditEntry

PASSWORD = "correct horse battery staple 42"  # tests/web/conftest.py


def _fail(client: Client, times: int, username: str = "noor") -> None:
    for _ in range(times):
        client.post("/accounts/login/", {"username": username, "password": "wrong guess"})


def test_the_limit_and_the_period_come_from_settings() -> None:
    assert settings.AXES_FAILURE_LIMIT == 10
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_RESET_ON_SUCCESS


@pytest.mark.django_db
def test_ten_wrong_passwords_then_the_right_one_is_refused(nurse: Any) -> None:
    client = Client()
    _fail(client, 10)
    response = client.post("/accounts/login/", {"username": "noor", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in locked" in page and "15 minutes" in page
    assert "reset it by email" in page and 'class="topbar"' in page  # the app's layout
    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/").status_code == 302  # not signed in


@pytest.mark.django_db
def test_after_the_lockout_period_the_right_password_signs_in(nurse: Any) -> None:
    client = Client()
    _fail(client, 10)
    assert (
        client.post("/accounts/login/", {"username": "noor", "password": PASSWORD}).status_code
        == 429
    )
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    response = client.post("/accounts/login/", {"username": "noor", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.django_db
def test_nine_wrong_then_the_right_one_signs_in_and_clears_the_count(nurse: Any) -> None:
    client = Client()
    _fail(client, 9)
    assert (
        client.post("/accounts/login/", {"username": "noor", "password": PASSWORD}).status_code
        == 302
    )
    assert not AccessAttempt.objects.exists()  # "in a row": a success resets


@pytest.mark.django_db
def test_a_lockout_of_one_account_leaves_a_colleague_at_the_same_address_alone(
    nurse: Any, prescriber: Any
) -> None:
    client = Client()
    _fail(client, 10, "noor")
    response = Client().post("/accounts/login/", {"username": "priya", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_each_failure_is_recorded_by_axes_and_on_the_audit_trail(nurse: Any) -> None:
    _fail(Client(), 3)
    assert AccessAttempt.objects.get(username="noor").failures_since_start == 3
    assert AccessFailureLog.objects.filter(username="noor").count() == 3
    entries = AuditEntry.objects.filter(action="auth.login_failed", object_uuid=nurse.uuid)
    assert entries.count() == 3
    assert entries.first().after == {"ip": "127.0.0.1"}


@pytest.mark.django_db
def test_the_lockout_is_on_the_audit_trail(nurse: Any) -> None:
    _fail(Client(), 10)
    entry = AuditEntry.objects.get(action="auth.lockout")
    assert entry.object_uuid == nurse.uuid and entry.clinic_id == nurse.clinic_id


@pytest.mark.django_db
def test_sign_in_and_sign_out_are_on_the_audit_trail(nurse: Any) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "noor", "password": PASSWORD})
    client.post("/accounts/logout/")
    actions = list(
        AuditEntry.objects.filter(object_uuid=nurse.uuid)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["auth.login", "auth.logout"]
    assert AuditEntry.objects.get(action="auth.login").actor == nurse


@pytest.mark.django_db
def test_failures_for_a_name_that_does_not_exist_are_kept_by_axes_only(clinic: Any) -> None:
    _fail(Client(), 2, "nobody")
    assert AccessFailureLog.objects.filter(username="nobody").count() == 2
    assert not AuditEntry.objects.exists()
