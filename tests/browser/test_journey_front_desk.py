"""Front desk, in Chromium at a 1024x768 tablet and at a 1366x900 desktop: Frank registers a
patient with every demographic field, types a date of birth in the future and reads the error
beside that field in plain words, corrects it; then edits the demographics with a reason and sees
the amendment on the patient's page as "field: before → after, by, when, why", stored in the
patient row and in the audit trail with the before, the after and the reason.

Screenshots: $KETACARE_SCREENSHOTS/journey-desk-*.png (default /tmp/shots)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from .conftest import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_registers_a_patient_and_amends_the_demographics(
    sized: Any, staff: dict[str, Any]
) -> None:
    from ketacare.web.audit.models import AuditEntry
    from ketacare.web.patients.models import Patient

    page = sized
    sign_in(page, "frank")
    page.goto("/patients/")
    page.get_by_role("link", name="Register patient").click()
    page.wait_for_url("**/patients/new/")
    next_year = timezone.localdate().year + 1
    page.fill("input[name=record_number]", "N-0107")
    page.fill("input[name=given_name]", "Marco")
    page.fill("input[name=family_name]", "Bianchi")
    page.fill("input[name=date_of_birth]", f"{next_year}-02-14")
    page.select_option("select[name=sex]", "male")
    page.fill("input[name=phone]", "+44 20 7946 0107")
    page.fill("input[name=email]", "marco.bianchi@example.org")
    page.click("main button.primary")

    # the error sits beside the date of birth, in words, and nothing else was lost
    field = page.locator(".field.has-error")
    assert field.count() == 1
    assert field.locator("label").inner_text().startswith("Date of birth")
    error = field.locator("small.error").inner_text()
    assert error == (
        f"{next_year}-02-14 is not possible here. Allowed: a date on or before "
        f"{timezone.localdate().isoformat()}."
    )
    assert "date_of_birth" not in page.inner_text("main")
    assert page.input_value("input[name=family_name]") == "Bianchi"
    assert Patient.objects.count() == 0
    assert page.get_by_role("link", name="Cancel").get_attribute("href") == "/patients/"
    shot(page, "desk-1-register-error")

    page.fill("input[name=date_of_birth]", "1961-02-14")
    page.click("main button.primary")
    page.wait_for_url("**/patients/*-*/")
    assert "Marco Bianchi registered." in page.inner_text(".messages")
    demographics = page.inner_text("#demographics")
    for seen in ("1961-02-14", "Male", "+44 20 7946 0107", "marco.bianchi@example.org"):
        assert seen in demographics
    assert page.inner_text("h1") == "Marco Bianchi"
    shot(page, "desk-2-registered")
    marco = Patient.objects.get()
    assert (marco.record_number, marco.date_of_birth, marco.sex) == (
        "N-0107",
        dt.date(1961, 2, 14),
        "male",
    )
    assert marco.clinic_id == staff["clinic"].pk

    # the amendment: a new phone number, with a reason
    page.get_by_role("link", name="Edit demographics").click()
    assert page.input_value("input[name=date_of_birth]") == "1961-02-14"  # not blank
    page.fill("input[name=phone]", "+44 20 7946 0999")
    page.click("main button.primary")
    reason_field = page.locator(".field.has-error")
    assert reason_field.locator("label").inner_text().startswith("Reason for the change")
    assert "Say why the demographics change" in reason_field.inner_text()
    assert Patient.objects.get().phone == "+44 20 7946 0107"  # nothing saved without a reason
    shot(page, "desk-3-edit-needs-reason")
    page.fill("textarea[name=reason]", "patient gave a new number at the desk")
    page.click("main button.primary")
    page.wait_for_url(f"**/patients/{marco.uuid}/")
    assert "Demographics saved." in page.inner_text(".messages")
    history = page.locator("#demographics-history li").first.inner_text()
    assert "Phone: +44 20 7946 0107 → +44 20 7946 0999" in history
    assert "Frank Osei" in history
    assert "patient gave a new number at the desk" in history
    assert f"{timezone.localdate():%Y-%m-%d}" in history
    shot(page, "desk-4-amended")
    # a way back from every page of the journey: the patient list
    page.get_by_role("link", name="Patients", exact=True).first.click()
    page.wait_for_url("**/patients/")
    assert "Bianchi" in page.inner_text("main")

    marco.refresh_from_db()
    assert marco.phone == "+44 20 7946 0999" and marco.version == 2
    entry = AuditEntry.objects.get(action="patient.update")
    assert entry.before["phone"] == "+44 20 7946 0107"
    assert entry.after["phone"] == "+44 20 7946 0999"
    assert entry.reason == "patient gave a new number at the desk"
    assert entry.actor == staff["front_desk"] and entry.patient_id == marco.pk
