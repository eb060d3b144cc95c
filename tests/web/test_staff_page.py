"""The clinic admin manages staff: add with a role (password checked), change a role, deactivate
(never delete), each with an audit entry; other roles and other clinics cannot."""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.web.accounts.models import User
from ketacare.web.audit.models import AuditEntry


@pytest.mark.django_db
def test_the_admin_adds_a_nurse_to_their_clinic(admin_user: Any, client_for: Any) -> None:
    response = client_for(admin_user).post(
        "/accounts/staff/add/",
        {
            "username": "nina",
            "first_name": "Nina",
            "last_name": "Park",
            "role": "nurse",
            "password": "a long enough passphrase 9",
        },
    )
    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert nina.clinic == admin_user.clinic and nina.role == "nurse"
    assert nina.check_password("a long enough passphrase 9")
    assert AuditEntry.objects.filter(action="staff.add", object_uuid=nina.uuid).exists()


@pytest.mark.django_db
def test_a_weak_password_is_shown_beside_the_password_field(
    admin_user: Any, client_for: Any
) -> None:
    response = client_for(admin_user).post(
        "/accounts/staff/add/",
        {
            "username": "nina",
            "first_name": "N",
            "last_name": "P",
            "role": "nurse",
            "password": "123",
        },
    )
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="nina").exists()


@pytest.mark.django_db
def test_deactivating_keeps_the_account_and_records_why(
    admin_user: Any, nurse: Any, client_for: Any
) -> None:
    client_for(admin_user).post(
        f"/accounts/staff/{nurse.uuid}/",
        {"role": "nurse", "reason": "left the clinic"},
    )
    nurse.refresh_from_db()
    assert not nurse.is_active
    entry = AuditEntry.objects.get(action="staff.active")
    assert entry.reason == "left the clinic" and "password" not in entry.after


@pytest.mark.django_db
def test_another_clinics_admin_cannot_change_our_staff(
    nurse: Any, other_clinic: Any, client_for: Any
) -> None:
    outsider = User.objects.create_user(
        username="oadmin", password="x", role="clinic_admin", clinic=other_clinic
    )
    response = client_for(outsider).post(
        f"/accounts/staff/{nurse.uuid}/", {"role": "prescriber", "active": "on", "reason": "x"}
    )
    assert response.status_code == 404
    nurse.refresh_from_db()
    assert nurse.role == "nurse"
