"""Account and admin-site events that the other account tests do not check on the audit trail:
a user and a clinic added in the admin site, a password set there, a token changed there, new
recovery codes. (Sign-in, sign-out, failures, lockouts, the other second-factor events, password
change and reset, token issue and revoke, and staff changes are checked in
``test_accounts_*.py`` and ``test_staff_page.py``.) Each entry is also a link of the chain."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.web.accounts.models import Clinic, User
from ketacare.web.accounts.services import issue_token
from ketacare.web.audit import chain
from ketacare.web.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db: Any) -> User:
    return User.objects.create_superuser("root", password="a long admin password 77")


def _actions(**filters: Any) -> list[str]:
    query = AuditEntry.objects.filter(**filters).order_by("seq")
    return list(query.values_list("action", flat=True))


def test_a_user_and_a_clinic_added_in_the_admin_site(root: User, clinic: Clinic) -> None:
    client = Client()
    client.force_login(root)
    response = client.post(
        "/admin/accounts/clinic/add/",
        {
            "name": "Eastside",
            "time_zone": "UTC",
            "chairs": 2,
            "require_mfa_for": "[]",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    east = Clinic.objects.get(name="Eastside")
    assert _actions(clinic=east) == ["admin.clinic.add"]
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newnurse",
            "password1": "a long enough password 4711",
            "password2": "a long enough password 4711",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = User.objects.get(username="newnurse")
    # Django's add form has no clinic: a user added there has no clinic trail yet; the change
    # that puts them in a clinic is the first entry of theirs (test_accounts_admin.py)
    assert _actions(object_uuid=made.uuid) == []


def test_a_password_set_in_the_admin_site(root: User, nurse: User) -> None:
    client = Client()
    client.force_login(root)
    response = client.post(
        f"/admin/accounts/user/{nurse.pk}/password/",
        {
            "password1": "another long password 4712",
            "password2": "another long password 4712",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="password.set_by_admin")
    assert entry.actor_id == root.pk and entry.object_uuid == nurse.uuid
    assert "password" not in str(entry.after or "") and chain.verify().intact


def test_a_token_changed_in_the_admin_site(root: User, nurse: User) -> None:
    row, _secret = issue_token(nurse, name="lab feed", scope="read", days=30)
    client = Client()
    client.force_login(root)
    response = client.post(
        f"/admin/accounts/apitoken/{row.pk}/change/",
        {"name": "lab feed (renamed)", "scope": "read"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="admin.token.change")
    assert entry.before["name"] == "lab feed" and entry.after["name"] == "lab feed (renamed)"


def test_new_recovery_codes_are_recorded(nurse: User) -> None:
    TOTPDevice.objects.create(user=nurse, name="authenticator", confirmed=True)
    client = Client()
    client.force_login(nurse)
    session = client.session
    session["_kc_mfa_settled"] = True
    session.save()
    response = client.post("/accounts/mfa/recovery-codes/")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="mfa.recovery_codes_new")
    assert entry.actor_id == nurse.pk and entry.after == {"count": entry.after["count"]}
    assert entry.after["count"] >= 5
