"""In headless Chromium at 1024x768: a nurse opens an esketamine session's REMS Patient
Monitoring Form and records its submission; a prescriber then sees, on the dashboard, another
session's form overdue and an out-of-range vital sign, and acknowledges the vital with a note.

Screenshots go to /tmp/shots/rems-*.png (or $KETACARE_SCREENSHOTS) for reviewing by eye."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import pytest
from django.utils import timezone
from tests.web.conftest import clear_screen, consent_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("KETACARE_SCREENSHOTS", "/tmp/shots")
PASSWORD = "correct horse battery staple 42"


def _shot(page: Any, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"rems-{name}.png"), full_page=True)


def _dosed_session(nurse: Any, course: Any, index: int, *, high_bp: bool = False) -> Any:
    """A session of the course dosed at 09:00 UTC on its planned day (set up through the
    services, as the chair would record it)."""
    from ketacare.web.treatments import services

    planned = course.planned_sessions.get(index=index)
    session = services.open_session(nurse, course, planned=planned, chair=index)
    first = dt.datetime.combine(planned.date, dt.time(9, 0), tzinfo=dt.UTC)
    services.record_checklist(
        nurse,
        session,
        systolic=128,
        diastolic=82,
        fasting_hours=3,
        liquids_minutes=45,
        ride_home=True,
        rems_enrolled=True,
        at=first - dt.timedelta(minutes=15),
        expected_version=session.version,
    )
    services.set_dose(nurse, session, expected_version=session.version)
    services.record_administration(
        nurse,
        session,
        lot_number=f"ESK-{index}",
        first_device_at=first,
        expected_version=session.version,
    )
    services.add_vitals(
        nurse,
        session,
        taken_at=first + dt.timedelta(minutes=40),
        minute=40,
        systolic=192 if high_bp else 138,
        diastolic=96 if high_bp else 84,
    )
    return session


@pytest.fixture
def esketamine(clinic_people: dict[str, Any]) -> dict[str, Any]:
    from ketacare.web.courses.services import start_course
    from ketacare.web.patients.models import Patient

    patient = Patient.objects.create(
        clinic=clinic_people["clinic"],
        record_number="N-0002",
        given_name="Bea",
        family_name="Lindqvist",
        date_of_birth=dt.date(1969, 3, 2),
        sex="female",
    )
    clear_screen(patient, clinic_people["nurse"])
    course = start_course(
        clinic_people["prescriber"],
        patient,
        protocol_id="esketamine-trd",
        start_date=timezone.localdate() - dt.timedelta(days=21),
        weight_kg=64.0,
    )
    consent_for(course, clinic_people["prescriber"])
    nurse = clinic_people["nurse"]
    first = _dosed_session(nurse, course, 1)
    second = _dosed_session(nurse, course, 2, high_bp=True)
    return {"first": first, "second": second, "course": course}


def test_a_nurse_records_the_rems_submission_and_a_prescriber_clears_the_dashboard(
    browser: Any, page: Any, live_server: Any, esketamine: dict[str, Any], log_in: Any
) -> None:
    first, second = esketamine["first"], esketamine["second"]
    # the nurse, at the chair: the session page, then its REMS form
    log_in("noor")
    page.goto(f"/sessions/{first.uuid}/")
    page.click("text=REMS monitoring form")
    page.wait_for_url(re.compile(rf"/sessions/{first.uuid}/rems/$"))
    assert page.inner_text("#rems-status") == "overdue"
    assert page.inner_text("#rems-first_device_at td").startswith(
        f"{first.date:%Y-%m-%d} 09:00 UTC"
    )
    assert "138/84" in page.inner_text("#rems-bp_40_min")
    assert page.inner_text("#rems-vitals_acceptable_before td").startswith("Yes")
    _shot(page, "form-before")
    page.fill("#rems-submission-form input[name=submitted_on]", timezone.localdate().isoformat())
    page.fill("#rems-submission-form input[name=confirmation]", "RMS-204417")
    page.click("#rems-submission-form button[type=submit]")
    page.wait_for_selector("#rems-active-submission")
    assert page.inner_text("#rems-status") == "submitted"
    assert "RMS-204417" in page.inner_text("#rems-active-submission")
    assert "Noor Haddad" in page.inner_text("#rems-active-submission")
    assert "REMS form submission recorded." in page.inner_text("ul.messages")
    _shot(page, "form-submitted")

    # the second session's page carries the banner of its out-of-range vital
    page.goto(f"/sessions/{second.uuid}/")
    banner = page.locator("#vital-alerts")
    assert "Systolic BP 192 mmHg is above 180 mmHg" in banner.inner_text()
    _shot(page, "session-banner")

    # the prescriber, in a browser of their own
    context = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    doctor = context.new_page()
    try:
        doctor.goto("/accounts/login/")
        doctor.fill("input[name=username]", "priya")
        doctor.fill("input[name=password]", PASSWORD)
        doctor.click("main button.primary")
        doctor.wait_for_url(lambda url: "/accounts/login/" not in url)
        doctor.goto("/dashboard/")
        due = doctor.locator("#rems-due")
        rows = due.locator("li.rems-overdue")
        assert rows.count() == 1  # the first session's form is submitted: only the second
        assert f"session {second.date:%Y-%m-%d}" in rows.first.inner_text()
        assert "Lindqvist" in rows.first.inner_text()
        vitals = doctor.locator("#vital-alerts li.vital-alert")
        assert vitals.count() == 1
        text = vitals.first.inner_text()
        assert "Bea Lindqvist" in text and "Systolic BP 192 mmHg" in text
        assert f"{second.date:%Y-%m-%d} 09:40 UTC" in text
        _shot(doctor, "dashboard-before")
        vitals.first.locator("input[name=note]").fill("Rechecked 152/90 at 50 min; observed")
        vitals.first.locator("button[type=submit]").click()
        doctor.wait_for_selector("text=Out-of-range vital sign acknowledged.")
        assert doctor.locator("#vital-alerts li.vital-alert").count() == 0
        assert "None to acknowledge." in doctor.inner_text("#vital-alerts")
        _shot(doctor, "dashboard-after")
        # the overdue form links to its REMS page
        doctor.click(f"#rems-due a[href='/sessions/{second.uuid}/rems/']")
        doctor.wait_for_url(re.compile(rf"/sessions/{second.uuid}/rems/$"))
        assert doctor.inner_text("#rems-status") == "overdue"
    finally:
        context.close()
    second.refresh_from_db()
    vital = second.vitals.get()
    assert vital.acknowledge_note == "Rechecked 152/90 at 50 min; observed"
    assert vital.acknowledged_by.username == "priya"
