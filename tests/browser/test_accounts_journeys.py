"""Sign-in journeys at desktop width: a nurse locked out after ten wrong passwords, a prescriber
whose clinic requires two-factor sign-in enrolling with the key shown on the page, and a nurse
changing her password. Screenshots go to $KETACARE_SHOTS when it is set."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.oath import totp

PASSWORD = "correct horse battery staple 42"  # tests/browser/conftest.py
NEW = "violet kettle across the river 7"


@pytest.fixture
def desk(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def clinic_people(transactional_db: Any) -> dict[str, Any]:
    """A clinic with a prescriber and a nurse (no patients: these journeys need none)."""
    from ketacare.web.accounts.models import Clinic, User

    clinic = Clinic.objects.create(name="Northside Ketamine Clinic", chairs=3)
    people: dict[str, Any] = {"clinic": clinic}
    for username, first, last, role in [
        ("priya", "Priya", "Shah", "prescriber"),
        ("noor", "Noor", "Haddad", "nurse"),
    ]:
        people[role] = User.objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=first,
            last_name=last,
            role=role,
            clinic=clinic,
        )
    return people


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("KETACARE_SHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"accounts-{name}.png"), full_page=True)


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button.primary")


def test_a_nurse_is_locked_out_after_ten_wrong_passwords(
    desk: Any, clinic_people: dict[str, Any]
) -> None:
    for _ in range(10):
        sign_in(desk, "noor", "not my password")
    shot(desk, "lockout-wrong")
    sign_in(desk, "noor")
    assert desk.locator("h1").inner_text() == "Sign-in locked for now"
    text = desk.locator("main").inner_text()
    assert "15 minutes" in text and "Even the right password is refused" in text
    assert desk.get_by_role("link", name="reset it by email").is_visible()
    shot(desk, "lockout")


def test_a_prescriber_enrols_in_two_factor_sign_in_when_the_clinic_requires_it(
    desk: Any, clinic_people: dict[str, Any]
) -> None:
    clinic = clinic_people["clinic"]
    clinic.require_mfa_for = ["prescriber"]
    clinic.save()
    sign_in(desk, "priya")
    desk.wait_for_url("**/accounts/mfa/enrol/**")
    assert desk.locator("figure.qr svg").is_visible()
    assert desk.locator("img").count() == 0
    shot(desk, "mfa-enrol")
    secret = desk.locator("#mfa-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    desk.fill("input[name=token]", f"{totp(key):06d}")
    desk.click("main button.primary")
    codes = desk.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    shot(desk, "mfa-codes")
    desk.get_by_role("link", name="I have saved them, go on").click()
    desk.wait_for_url("**/dashboard/")
    # the next sign-in asks for the code
    desk.get_by_role("button", name="Sign out").click()
    sign_in(desk, "priya")
    desk.wait_for_url("**/accounts/mfa/verify/**")
    shot(desk, "mfa-verify")
    desk.fill("input[name=token]", f"{totp(key, drift=1):06d}")  # the next step's code
    desk.click("main button.primary")
    desk.wait_for_url("**/dashboard/")


def test_a_nurse_changes_her_password(desk: Any, clinic_people: dict[str, Any]) -> None:
    sign_in(desk, "noor")
    desk.wait_for_url("**/dashboard/")
    desk.goto("/accounts/me/")
    shot(desk, "profile")
    desk.get_by_role("link", name="Change password").click()
    desk.fill("input[name=old_password]", PASSWORD)
    desk.fill("input[name=new_password1]", "short")
    desk.fill("input[name=new_password2]", "short")
    desk.click("main button.primary")
    assert "at least 12 characters" in desk.locator(".field.has-error").first.inner_text()
    shot(desk, "password-weak")
    desk.fill("input[name=old_password]", PASSWORD)
    desk.fill("input[name=new_password1]", NEW)
    desk.fill("input[name=new_password2]", NEW)
    desk.click("main button.primary")
    desk.wait_for_url("**/accounts/me/")
    assert "Your password is changed." in desk.locator(".messages").inner_text()
    shot(desk, "password-changed")
    desk.get_by_role("button", name="Sign out").click()
    sign_in(desk, "noor", NEW)
    desk.wait_for_url("**/dashboard/")


def test_a_nurse_creates_a_read_token_and_sees_it_once(
    desk: Any, clinic_people: dict[str, Any]
) -> None:
    sign_in(desk, "noor")
    desk.wait_for_url("**/dashboard/")
    desk.goto("/accounts/me/")
    desk.fill("input[name=name]", "wall display")
    desk.click("#tokens button.primary")
    token = desk.locator("#new-token code.secret").inner_text()
    assert token.startswith("kc_")
    assert "read only" in desk.locator("#tokens .timeline").inner_text()
    shot(desk, "token-created")
    desk.goto("/accounts/me/")
    assert token not in desk.content()


def test_a_clinic_admin_requires_two_factor_sign_in_for_prescribers(
    desk: Any, clinic_people: dict[str, Any]
) -> None:
    from ketacare.web.accounts.models import User

    User.objects.create_user(
        username="ada",
        password=PASSWORD,
        first_name="Ada",
        last_name="Brooks",
        role="clinic_admin",
        clinic=clinic_people["clinic"],
    )
    sign_in(desk, "ada")
    desk.goto("/accounts/staff/")
    form = desk.locator("#mfa-rule form")
    form.get_by_label("Prescriber").check()
    form.locator("input[name=reason]").fill("clinic policy from January")
    form.get_by_role("button", name="Save").click()
    assert "Two-factor rule saved." in desk.locator(".messages").inner_text()
    assert desk.locator("#mfa-rule").get_by_label("Prescriber").is_checked()
    shot(desk, "staff-mfa-rule")
