"""Passwords: staff change their own (signed in) or reset it by an emailed link, each on the audit
trail; the validators ask for 12 characters, not common, not all digits, not like the name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from ketacare.web.audit.models import AuditEntry

PASSWORD = "correct horse battery staple 42"  # tests/web/conftest.py
NEW = "violet kettle across the river 7"


@pytest.mark.parametrize(
    "weak",
    ["Tq7!rBx2$wL", "password1234", "839201938475", "noor.haddad@northside"],
    ids=["11 characters", "common", "all digits", "like the email address"],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused(nurse: Any, weak: str) -> None:
    nurse.email = "noor.haddad@northside.example"
    with pytest.raises(ValidationError):
        validate_password(weak, nurse)


def test_the_minimum_length_is_12() -> None:
    (length,) = [
        v for v in settings.AUTH_PASSWORD_VALIDATORS if v["NAME"].endswith("MinimumLengthValidator")
    ]
    assert length["OPTIONS"] == {"min_length": 12}


@pytest.mark.django_db
def test_a_signed_in_nurse_changes_her_password(nurse: Any, client_for: Any) -> None:
    client = client_for(nurse)
    page = client.get("/accounts/me/password/")
    assert page.status_code == 200 and 'class="topbar"' in page.content.decode()
    response = client.post(
        "/accounts/me/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    nurse.refresh_from_db()
    assert nurse.check_password(NEW)
    assert client.get("/dashboard/").status_code == 200  # still signed in
    entry = AuditEntry.objects.get(action="password.change")
    assert entry.actor == nurse and "password" not in str(entry.after)


@pytest.mark.django_db
def test_a_wrong_old_password_changes_nothing(nurse: Any, client_for: Any) -> None:
    response = client_for(nurse).post(
        "/accounts/me/password/",
        {"old_password": "not it at all", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200 and "old_password" in response.context["form"].errors
    assert not AuditEntry.objects.filter(action="password.change").exists()


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_by_an_emailed_link(nurse: Any) -> None:
    nurse.email = "noor@northside.example"
    nurse.save()
    client = Client()
    assert "Forgot your password?" in client.get("/accounts/login/").content.decode()
    sent = client.post("/accounts/password/reset/", {"email": "noor@northside.example"})
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password/reset/sent/"
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)
    assert link, message.body
    form = client.get(link.group(1), follow=True)
    assert form.context["validlink"]
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    nurse.refresh_from_db()
    assert nurse.check_password(NEW)
    assert AuditEntry.objects.get(action="password.reset").object_uuid == nurse.uuid
    assert client.post("/accounts/login/", {"username": "noor", "password": NEW}).status_code == 302


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_no_mail(clinic: Any) -> None:
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and not mail.outbox


@pytest.mark.django_db
def test_a_reset_ends_a_lockout(nurse: Any) -> None:
    nurse.email = "noor@northside.example"
    nurse.save()
    client = Client()
    for _ in range(10):
        client.post("/accounts/login/", {"username": "noor", "password": "wrong guess"})
    assert (
        client.post("/accounts/login/", {"username": "noor", "password": PASSWORD}).status_code
        == 429
    )
    client.post("/accounts/password/reset/", {"email": "noor@northside.example"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    form = client.get(link.group(1), follow=True)  # type: ignore[union-attr]
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert client.post("/accounts/login/", {"username": "noor", "password": NEW}).status_code == 302


def test_the_demo_prints_reset_mail_to_the_console() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "KETACARE_DEMO": "1", "PYTHONPATH": "src"}
    env.pop("KETACARE_EMAIL_BACKEND", None)
    out = subprocess.run(
        [sys.executable, "-c", "import ketacare.web.settings as s; print(s.EMAIL_BACKEND)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "django.core.mail.backends.console.EmailBackend"
