"""In headless Chromium: log in, open a patient, record a session whose blood pressure crosses the
alert threshold and see the alert (a row added without a page reload); a nurse's attempt to
override a dose is refused; a PHQ-9 entered shows as a new point on the patient's chart."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_session_from_the_patient(page: Any, people: dict[str, Any]) -> None:
    page.click("nav.mainnav >> text=Patients")
    page.click("text=Marlowe, Alex")
    page.click(f"a[href='/courses/{people['course'].uuid}/']")
    page.click("text=Sessions at the chair")
    page.locator("#course-sessions button", has_text="Start session").first.click()
    page.wait_for_url(re.compile(r"/sessions/[0-9a-f-]{36}/$"))


def _checklist_and_dose(page: Any, systolic: str = "128") -> None:
    page.fill("#checklist-form input[name=systolic]", systolic)
    page.fill("#checklist-form input[name=diastolic]", "82")
    page.fill("#checklist-form input[name=fasting_hours]", "6")
    page.select_option("#checklist-form select[name=ride_home]", "yes")
    page.click("#checklist-form button[type=submit]")
    page.wait_for_selector("#gates-overall")
    page.click("#dose-form button[type=submit]")
    page.wait_for_selector("#dose-mg")


def test_a_nurse_records_a_session_and_sees_the_blood_pressure_alert(
    page: Any, clinic_people: dict[str, Any], log_in: Any
) -> None:
    log_in("noor")
    _open_session_from_the_patient(page, clinic_people)
    _checklist_and_dose(page)
    assert page.inner_text("#gates-overall") == "Clear"
    page.evaluate("window.__noReload = true")  # survives only if the page is not reloaded
    page.fill("#vitals-form input[name=minute]", "20")
    page.fill("#vitals-form input[name=systolic]", "192")
    page.fill("#vitals-form input[name=diastolic]", "96")
    page.fill("#vitals-form input[name=heart_rate]", "84")
    page.click("#vitals-form button[type=submit]")
    row = page.locator("#vitals-rows tr.out-of-range")
    row.wait_for()
    assert "Systolic BP 192 mmHg is above 180 mmHg" in row.inner_text()
    assert page.evaluate("window.__noReload") is True
    # an in-range row follows, not highlighted, still without a reload
    page.fill("#vitals-form input[name=systolic]", "130")
    page.fill("#vitals-form input[name=diastolic]", "84")
    page.click("#vitals-form button[type=submit]")
    page.locator("#vitals-rows tr.vital").nth(1).wait_for()
    assert page.locator("#vitals-rows tr.out-of-range").count() == 1
    assert page.evaluate("window.__noReload") is True
    if os.environ.get("KETACARE_SCREENSHOTS"):  # for reviewing the tablet layout by eye
        page.screenshot(
            path=os.path.join(os.environ["KETACARE_SCREENSHOTS"], "session.png"), full_page=True
        )


def test_a_nurses_dose_override_is_refused(
    page: Any, clinic_people: dict[str, Any], log_in: Any
) -> None:
    log_in("noor")
    _open_session_from_the_patient(page, clinic_people)
    page.fill("#checklist-form input[name=systolic]", "126")
    page.fill("#checklist-form input[name=diastolic]", "80")
    page.select_option("#checklist-form select[name=ride_home]", "yes")
    page.click("#checklist-form button[type=submit]")
    page.wait_for_selector("#gates-overall")
    page.fill("#dose-form input[name=dose_mg_per_kg]", "1.0")
    page.fill("#dose-form input[name=override_reason]", "previous partial response")
    page.click("#dose-form button[type=submit]")
    error = page.locator("#dose .errors")
    error.wait_for()
    assert "Only a prescriber may override a dose limit" in error.inner_text()
    assert page.locator("#dose-mg").count() == 0  # nothing recorded


def test_a_phq9_entered_adds_a_point_to_the_chart(
    page: Any, clinic_people: dict[str, Any], log_in: Any
) -> None:
    log_in("noor")
    page.click("nav.mainnav >> text=Patients")
    page.click("text=Marlowe, Alex")
    points = page.locator("#charts circle.dot").count()
    page.click("text=Enter a measure")
    page.select_option("#scale-choice", "phq9")
    page.click("form[aria-label='Choose a scale'] button")
    for number, value in enumerate([2, 2, 1, 2, 1, 1, 2, 1, 0], start=1):
        page.select_option(f"select[name=item_{number}]", str(value))
    page.click("text=Save measure")
    page.wait_for_url(re.compile(rf"/patients/{clinic_people['patient'].uuid}/$"))
    assert page.locator("#charts circle.dot").count() == points + 1
    assert "Patient Health Questionnaire-9 (PHQ-9)" in page.inner_text("#charts")
