"""Two-factor sign-in with an authenticator app (TOTP) and one-use recovery codes: enrolment
with an inline SVG QR code and the secret as text, the code asked at sign-in, recovery codes
shown once and stored as digests, and a clinic rule that makes roles enrol before anything else.
Codes are generated as an app would, with django_otp.oath.totp."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.web.audit.models import AuditEntry

PASSWORD = "correct horse battery staple 42"  # tests/web/conftest.py


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The 6 digits the app shows (``steps_ahead`` 30-second steps later: a code not used yet)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=steps_ahead):06d}"


def sign_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrolled(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def actions_of(user: Any) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_uuid=user.uuid)
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_the_enrolment_page_shows_an_inline_svg_qr_code_and_the_secret(
    nurse: Any, client_for: Any
) -> None:
    response = client_for(nurse).get("/accounts/mfa/enrol/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "<img" not in page  # no external image
    device = TOTPDevice.objects.get(user=nurse, confirmed=False)
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert response.context["secret"].replace(" ", "") == secret
    assert response.context["secret"] in page


@pytest.mark.django_db
def test_enrolling_shows_recovery_codes_once_and_stores_only_digests(
    nurse: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    client.get("/accounts/mfa/enrol/")
    device = TOTPDevice.objects.get(user=nurse)
    wrong = client.post(
        "/accounts/mfa/enrol/", {"token": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and "token" in wrong.context["form"].errors
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the app's next try, not a second guess a second later
    device.save()
    response = client.post("/accounts/mfa/enrol/", {"token": code_for(device)})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    codes = response.context["codes"]
    assert len(codes) == 10 and all(c in response.content.decode() for c in codes)
    device.refresh_from_db()
    assert device.confirmed
    stored = set(StaticToken.objects.filter(device__user=nurse).values_list("token", flat=True))
    assert len(stored) == 10
    plain = {c.replace("-", "") for c in codes} | set(codes)
    assert not stored & plain  # hashed at rest
    assert "mfa.failure" in actions_of(nurse) and "mfa.enrol" in actions_of(nurse)
    assert not any(c in client.get("/accounts/me/").content.decode() for c in codes)


@pytest.mark.django_db
def test_an_enrolled_user_must_type_the_code_before_any_page(nurse: Any) -> None:
    device = enrolled(nurse)
    client = sign_in("noor")
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/mfa/verify/")
    assert client.get("/accounts/me/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401  # the API sees no signed-in user yet
    wrong = client.post("/accounts/mfa/verify/", {"token": "12345"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    ok = client.post("/accounts/mfa/verify/?next=/dashboard/", {"token": code_for(device)})
    assert ok.status_code == 302 and ok["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert actions_of(nurse) == ["auth.login", "mfa.failure", "mfa.verify"]


@pytest.mark.django_db
def test_a_code_is_not_accepted_twice(nurse: Any) -> None:
    device = enrolled(nurse)
    code = code_for(device)
    first = sign_in("noor")
    assert first.post("/accounts/mfa/verify/", {"token": code}).status_code == 302
    second = sign_in("noor")
    assert second.post("/accounts/mfa/verify/", {"token": code}).status_code == 400


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(nurse: Any, client_for: Any) -> None:
    setup = client_for(nurse)
    setup.get("/accounts/mfa/enrol/")
    device = TOTPDevice.objects.get(user=nurse)
    codes = setup.post("/accounts/mfa/enrol/", {"token": code_for(device)}).context["codes"]
    client = sign_in("noor")
    response = client.post("/accounts/mfa/verify/", {"recovery_code": codes[0].lower()})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert StaticToken.objects.filter(device__user=nurse).count() == 9
    again = sign_in("noor")
    refused = again.post("/accounts/mfa/verify/", {"recovery_code": codes[0]})
    assert refused.status_code == 400 and "recovery_code" in refused.context["form"].errors
    assert AuditEntry.objects.get(action="mfa.recovery_code").after == {"codes_left": 9}


@pytest.mark.django_db
def test_the_clinic_rule_makes_prescribers_enrol_before_anything_else(
    prescriber: Any, nurse: Any, clinic: Any
) -> None:
    clinic.require_mfa_for = ["prescriber", "clinic_admin"]
    clinic.save()
    client = sign_in("priya")
    for path in ("/dashboard/", "/patients/", "/accounts/me/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/mfa/enrol/"), path
    assert client.get("/accounts/mfa/enrol/").status_code == 200
    device = TOTPDevice.objects.get(user=prescriber)
    client.post("/accounts/mfa/enrol/", {"token": code_for(device)})
    assert client.get("/dashboard/").status_code == 200
    assert sign_in("noor").get("/dashboard/").status_code == 200  # nurses are not asked


@pytest.mark.django_db
def test_the_clinic_admin_sets_the_rule_on_the_staff_page(
    admin_user: Any, clinic: Any, client_for: Any
) -> None:
    client_for(admin_user).post(
        "/accounts/staff/mfa/",
        {"require_mfa_for": ["prescriber", "clinic_admin"], "reason": "clinic policy"},
    )
    clinic.refresh_from_db()
    assert clinic.require_mfa_for == ["clinic_admin", "prescriber"]
    entry = AuditEntry.objects.get(action="clinic.mfa")
    assert entry.reason == "clinic policy" and entry.before == {"require_mfa_for": []}


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(nurse: Any, client_for: Any) -> None:
    client = client_for(nurse)
    client.get("/accounts/mfa/enrol/")
    device = TOTPDevice.objects.get(user=nurse)
    old = client.post("/accounts/mfa/enrol/", {"token": code_for(device)}).context["codes"]
    new = client.post("/accounts/mfa/recovery-codes/").context["codes"]
    assert not set(old) & set(new)
    refused = sign_in("noor").post("/accounts/mfa/verify/", {"recovery_code": old[0]})
    assert refused.status_code == 400
    # django-otp throttles after a failure (1 s, doubling); the person tries again later
    StaticDevice.objects.filter(user=nurse).update(throttling_failure_count=0)
    assert (
        sign_in("noor").post("/accounts/mfa/verify/", {"recovery_code": new[0]}).status_code == 302
    )


@pytest.mark.django_db
def test_the_clinic_admin_removes_a_lost_authenticator_with_a_reason(
    admin_user: Any, nurse: Any, other_clinician: Any, client_for: Any
) -> None:
    enrolled(nurse)
    enrolled(other_clinician)
    client = client_for(admin_user)
    assert "Remove two-factor" in client.get("/accounts/staff/").content.decode()
    refused = client.post(f"/accounts/staff/{other_clinician.uuid}/mfa-reset/", {"reason": "x"})
    assert refused.status_code == 404  # not our clinic
    client.post(f"/accounts/staff/{nurse.uuid}/mfa-reset/", {"reason": "lost phone"})
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert TOTPDevice.objects.filter(user=other_clinician).exists()
    entry = AuditEntry.objects.get(action="mfa.reset")
    assert entry.reason == "lost phone" and entry.actor == admin_user
    assert sign_in("noor").get("/dashboard/").status_code == 200  # no code asked now
