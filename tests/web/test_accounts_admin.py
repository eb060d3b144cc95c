"""Nobody changes their own role (the staff page and the Django admin), and every admin-site
change to users, clinics and tokens is on the clinic's audit trail; nothing there is hard-deleted
(a user is deactivated, a token revoked)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ketacare.web.accounts.models import ApiToken, User
from ketacare.web.audit.models import AuditEntry


@pytest.fixture
def site_admin(db: Any) -> User:
    return User.objects.create_superuser(username="root", password="x" * 20, email="r@x.example")


@pytest.fixture
def admin_client(site_admin: User, client_for: Any) -> Client:
    return client_for(site_admin)  # type: ignore[no-any-return]


def change_form_data(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """The admin change form's current values (as a browser would post them), with ``changes``."""
    form = client.get(url).context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name, field.initial)
        widget = field.widget.__class__.__name__
        if "SplitDateTime" in widget:
            data[f"{name}_0"] = value.strftime("%Y-%m-%d") if value else ""
            data[f"{name}_1"] = value.strftime("%H:%M:%S") if value else ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    data["_save"] = "Save"
    return data


@pytest.mark.django_db
def test_a_clinic_admin_cannot_make_themselves_a_prescriber_on_the_staff_page(
    admin_user: Any, client_for: Any
) -> None:
    response = client_for(admin_user).post(
        f"/accounts/staff/{admin_user.uuid}/",
        {"role": "prescriber", "active": "on", "reason": "I need to prescribe"},
        follow=True,
    )
    assert "nobody changes their own role" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == "clinic_admin"
    assert not AuditEntry.objects.filter(action="staff.role").exists()


@pytest.mark.django_db
def test_the_service_refuses_a_change_of_ones_own_role(admin_user: Any) -> None:
    from ketacare.core.errors import InputError
    from ketacare.web.accounts.services import change_role

    with pytest.raises(InputError) as refused:
        change_role(admin_user, admin_user, role="prescriber", reason="x")
    assert refused.value.field == "role"


@pytest.mark.django_db
def test_an_admin_site_user_cannot_change_their_own_role_or_clinic(
    site_admin: Any, admin_client: Client, clinic: Any
) -> None:
    site_admin.clinic, site_admin.role = clinic, "clinic_admin"
    site_admin.save()
    url = f"/admin/accounts/user/{site_admin.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    assert "role" not in form.fields and "clinic" not in form.fields
    data = change_form_data(admin_client, url, role="prescriber", first_name="Root")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    site_admin.refresh_from_db()
    assert site_admin.first_name == "Root" and site_admin.role == "clinic_admin"


@pytest.mark.django_db
def test_moving_a_user_to_another_clinic_is_audited_in_both(
    nurse: Any, other_clinic: Any, clinic: Any, admin_client: Client, site_admin: Any
) -> None:
    url = f"/admin/accounts/user/{nurse.pk}/change/"
    response = admin_client.post(url, change_form_data(admin_client, url, clinic=other_clinic.pk))
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.clinic == other_clinic
    out = AuditEntry.objects.get(action="admin.user.move_out")
    into = AuditEntry.objects.get(action="admin.user.change")
    assert out.clinic == clinic and into.clinic == other_clinic
    assert into.actor == site_admin
    assert into.before["clinic_id"] == clinic.pk and into.after["clinic_id"] == other_clinic.pk


@pytest.mark.django_db
def test_a_staff_account_cannot_be_deleted_in_the_admin_only_deactivated(
    nurse: Any, admin_client: Client
) -> None:
    assert admin_client.get(f"/admin/accounts/user/{nurse.pk}/delete/").status_code == 403
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "delete_selected", "_selected_action": [nurse.pk]}
    )
    assert User.objects.filter(pk=nurse.pk).exists()
    admin_client.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [nurse.pk]}
    )
    nurse.refresh_from_db()
    assert not nurse.is_active
    entry = AuditEntry.objects.get(action="admin.user.deactivate")
    assert entry.object_uuid == nurse.uuid and entry.after["is_active"] is False
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_a_clinic_change_in_the_admin_is_audited(clinic: Any, admin_client: Client) -> None:
    url = f"/admin/accounts/clinic/{clinic.pk}/change/"
    data = change_form_data(admin_client, url, chairs=5, require_mfa_for='["prescriber"]')
    assert admin_client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="admin.clinic.change")
    assert entry.before["chairs"] == 3 and entry.after["chairs"] == 5
    assert entry.after["require_mfa_for"] == ["prescriber"]
    assert admin_client.get(f"/admin/accounts/clinic/{clinic.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_a_token_is_revoked_not_deleted_in_the_admin_and_audited(
    nurse: Any, admin_client: Client
) -> None:
    row, _ = ApiToken.issue(nurse, "tablet")
    assert admin_client.get(f"/admin/accounts/apitoken/{row.pk}/delete/").status_code == 403
    admin_client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [row.pk]}
    )
    row.refresh_from_db()
    assert row.revoked_at is not None
    entry = AuditEntry.objects.get(action="token.revoke")
    assert entry.reason == "admin site" and entry.object_uuid == nurse.uuid


@pytest.mark.django_db
def test_a_user_added_in_the_admin_is_audited(clinic: Any, admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "password1": "violet kettle across the river 7",
            "password2": "violet kettle across the river 7",
            "usable_password": "true",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    newbie = User.objects.get(username="newbie")
    assert newbie.clinic is None  # no clinic yet: Django's admin log only
    url = f"/admin/accounts/user/{newbie.pk}/change/"
    admin_client.post(url, change_form_data(admin_client, url, clinic=clinic.pk, role="nurse"))
    entry = AuditEntry.objects.get(action="admin.user.change")
    assert entry.clinic == clinic and entry.after["role"] == "nurse"


@pytest.mark.django_db
def test_the_admin_never_shows_a_totp_key(nurse: Any, admin_client: Client) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=nurse, name="authenticator", confirmed=True)
    page = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
