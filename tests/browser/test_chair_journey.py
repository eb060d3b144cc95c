"""In headless Chromium at 1024x768 (a tablet at the chair): a nurse runs an esketamine session
from the checklist to signed. The checklist's blood pressure needs the prescriber, who decides in
a second browser; the nurse then records the dose, the times (in the past: the two-hour wait),
the vitals, MOAA/S and CADSS item by item, the discharge assessment, and signs. At each step
each person sees what the core decided, in words.

Screenshots go to /tmp/shots/chair-*.png (or $KETACARE_SCREENSHOTS) for reviewing by eye."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone
from tests.web.conftest import clear_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("KETACARE_SCREENSHOTS", "/tmp/shots")
PASSWORD = "correct horse battery staple 42"


def _shot(page: Any, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"chair-{name}.png"), full_page=True)


def _local(value: dt.datetime) -> str:
    """A datetime-local value in the clinic's zone (UTC here)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


def _sign_in(context: Any, username: str) -> Any:
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


@pytest.fixture
def esk_session(clinic_people: dict[str, Any]) -> Any:
    from ketacare.web.courses.services import start_course
    from ketacare.web.patients.models import Consent, Patient
    from ketacare.web.treatments import services

    prescriber = clinic_people["prescriber"]
    patient = Patient.objects.create(
        clinic=clinic_people["clinic"],
        record_number="N-0042",
        given_name="Sam",
        family_name="Okafor",
        date_of_birth=dt.date(1974, 11, 3),
        sex="male",
    )
    clear_screen(patient, prescriber, drug="esketamine", route="in")
    course = start_course(
        prescriber,
        patient,
        protocol_id="esketamine-trd",
        start_date=timezone.localdate(),
        weight_kg=70.0,
    )
    Consent.objects.create(
        clinic_id=course.clinic_id,
        patient_id=course.patient_id,
        course=course,
        given_on=course.start_date,
        scope="esketamine by the in route",
        recorded_by=prescriber,
    )
    return services.open_session(
        clinic_people["nurse"], course, planned=course.planned_sessions.get(index=1), chair=1
    )


def test_a_nurse_runs_an_esketamine_session_to_signed_with_the_prescribers_decision(
    browser: Any, live_server: Any, esk_session: Any
) -> None:
    url = f"/sessions/{esk_session.uuid}/"
    tablet = {"viewport": {"width": 1024, "height": 768}, "base_url": live_server.url}
    nurse_ctx = browser.new_context(**tablet, has_touch=True)
    prescriber_ctx = browser.new_context(**tablet, has_touch=True)
    for ctx in (nurse_ctx, prescriber_ctx):
        ctx.set_default_timeout(10_000)
    try:
        nurse = _sign_in(nurse_ctx, "noor")
        nurse.goto(url)
        head = nurse.inner_text("#session-head")
        assert "Okafor" in head and "Born 3 Nov 1974" in head and "Record N-0042" in head
        assert "Consent on file" in head and "Screen: eligible" in head
        assert nurse.inner_text("#session-stage") == "Open: pre-dose checklist next"
        assert "Record the pre-dose checklist before the dose." in nurse.inner_text("#dose")
        _shot(nurse, "1-open")

        # the waiting part is in the past: checklist 2 h 30 ago, first device 2 h 10 ago
        now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        checked, start = now - dt.timedelta(minutes=150), now - dt.timedelta(minutes=132)
        first = now - dt.timedelta(minutes=130)
        # the "now" button fills the clinic's time; the nurse then types the real time
        nurse.locator("#checklist-form button.now").click()
        assert nurse.input_value("#checklist-form input[name=at]")[:10] == f"{now:%Y-%m-%d}"
        nurse.fill("#checklist-form input[name=at]", _local(checked))
        nurse.fill("#checklist-form input[name=systolic]", "152")
        nurse.fill("#checklist-form input[name=diastolic]", "94")
        nurse.fill("#checklist-form input[name=fasting_hours]", "3")
        nurse.fill("#checklist-form input[name=liquids_minutes]", "60")
        nurse.select_option("#checklist-form select[name=ride_home]", "yes")
        nurse.select_option("#checklist-form select[name=rems_enrolled]", "yes")
        nurse.click("#checklist-form button[type=submit]")
        nurse.wait_for_selector("#gates-overall")
        assert nurse.inner_text("#gates-overall") == "Prescriber must decide"
        dose = nurse.inner_text("#dose")
        assert (
            "A pre-dose gate needs the prescriber's decision before the dose is recorded." in dose
        )
        assert nurse.locator("#dose-form").count() == 0  # the hard stop holds
        assert nurse.locator("#gate-waiting").is_visible()
        assert "a prescriber records this" in nurse.inner_text("#next-panel")
        assert "needs_prescriber" not in nurse.inner_text("main")
        _shot(nurse, "2-needs-prescriber")

        # the prescriber, in a second browser, decides
        prescriber = _sign_in(prescriber_ctx, "priya")
        prescriber.goto(url)
        assert "Prescriber's gate decision" in prescriber.inner_text("#next-steps")
        prescriber.fill("#gate-form textarea[name=note]", "BP rechecked 148/90 after rest: proceed")
        prescriber.click("#gate-form button[type=submit]")
        prescriber.wait_for_selector("#gate-decision")
        assert "proceed" in prescriber.inner_text("#gate-decision")
        assert "Priya Shah" in prescriber.inner_text("#gate-decision")
        _shot(prescriber, "3-prescriber-decided")

        # the nurse sees the decision and records the dose
        nurse.reload()
        assert "Priya Shah" in nurse.inner_text("#gate-decision")
        assert nurse.inner_text("#session-stage") == "Checklist done"
        nurse.click("#dose-form button[type=submit]")
        nurse.wait_for_selector("#dose-mg")
        assert nurse.inner_text("#dose-mg") == "56 mg"
        assert nurse.inner_text("#session-stage") == "Dose recorded"

        # administration (times in the past), in the form
        nurse.fill("#administration-form input[name=lot_number]", "ESK-2291")
        nurse.fill("#administration-form input[name=started_at]", _local(start))
        nurse.fill("#administration-form input[name=first_device_at]", _local(first))
        nurse.fill(
            "#administration-form input[name=ended_at]", _local(first + dt.timedelta(minutes=10))
        )
        nurse.click("#administration-form button[type=submit]")
        nurse.wait_for_selector("#observation-timer")
        assert nurse.inner_text("#first-device-at") == f"{first:%H:%M} UTC"
        assert nurse.inner_text("#session-stage") == "Recovery and discharge assessment"

        # vitals at about 40 min and before discharge (htmx: the rows and the chart update)
        for minute, sbp, dbp in ((40, "146", "88"), (115, "132", "82")):
            nurse.fill("#vitals-form input[name=minute]", str(minute))
            nurse.fill(
                "#vitals-form input[name=taken_at]", _local(first + dt.timedelta(minutes=minute))
            )
            nurse.fill("#vitals-form input[name=systolic]", sbp)
            nurse.fill("#vitals-form input[name=diastolic]", dbp)
            nurse.fill("#vitals-form input[name=heart_rate]", "76")
            nurse.click("#vitals-form button[type=submit]")
            nurse.locator(f"#vitals-rows tr.vital:has-text('{minute} min')").wait_for()
        assert nurse.locator("#vitals-chart circle.dot.sys").count() == 2
        assert nurse.locator("#vitals-chart line.threshold").count() >= 1
        # the htmx swap keeps a "now" button on the new form
        assert nurse.locator("#vitals-form button.now").count() >= 1

        # MOAA/S and CADSS, item by item: a baseline and one after the dose
        for minute in ("0", "116"):
            nurse.fill("#rating-form-moaas input[name=minute]", minute)
            nurse.locator("#rating-form-moaas label:has(input[value='5'])").tap()
            nurse.click("#rating-form-moaas button[type=submit]")
            nurse.wait_for_selector("#rating-form-moaas")
            nurse.fill("#rating-form-cadss input[name=minute]", minute)
            for n in range(1, 24):
                nurse.locator(f"#id_rating_cadss_item_{n}_0").check(force=True)
            nurse.click("#rating-form-cadss button[type=submit]")
            nurse.wait_for_selector("#rating-form-cadss")
        rows = nurse.inner_text("#rating-rows")
        assert nurse.locator("#rating-rows abbr", has_text="MOAA/S").count() == 2
        assert nurse.locator("#rating-rows abbr", has_text="CADSS").count() == 2
        assert "No follow-up needed" in rows
        _shot(nurse, "4-monitoring")

        # discharge assessment, item by item (Aldrete)
        for item in ("activity", "respiration", "circulation", "consciousness", "spo2"):
            nurse.locator(f"#id_discharge_aldrete_{item}_2").check(force=True)
        nurse.select_option("#discharge-form select[name=bp_stable]", "yes")
        nurse.select_option("#discharge-form select[name=ride_home]", "yes")
        nurse.click("#discharge-form button[type=submit]")
        nurse.wait_for_selector("#discharge-decision")
        assert nurse.inner_text("#discharge-decision") == "Ready to leave"
        assert "Two-hour observation" in nurse.inner_text("#discharge")
        assert nurse.inner_text("#session-stage") == "Ready to sign"
        assert nurse.locator("#sign-blocker").count() == 0
        _shot(nurse, "5-ready-to-sign")

        nurse.click("#sign-form button[type=submit]")
        nurse.wait_for_selector("#signed-by")
        assert "Noor Haddad" in nurse.inner_text("#signed-by")
        assert nurse.inner_text("#session-stage") == "Signed and locked"
        _shot(nurse, "6-signed")

        # the prescriber sees the signed session, and no early-discharge form any more than
        # the core allows
        prescriber.reload()
        assert prescriber.inner_text("#session-stage") == "Signed and locked"
        assert "Noor Haddad" in prescriber.inner_text("#signed-by")
    finally:
        nurse_ctx.close()
        prescriber_ctx.close()
