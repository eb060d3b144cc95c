"""A check-in from enrolment to the care team's dashboard, in Chromium.

The prescriber enrols the patient (desktop); the due job sends the email (read from the test
outbox); the patient opens the link on a phone (390x844), confirms the date of birth, answers the
PHQ-9 with item 9 = 1 and sees the clinic's crisis text at once; the alert is at the top of the
dashboard; the link cannot be used twice; an expired link is refused with a way to ask for a new
one. Screenshots: /tmp/shots/checkins/.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

from django.core import mail
from django.utils import timezone

SHOTS = "/tmp/shots/checkins"
PHONE = {"width": 390, "height": 844}


def _shot(page: Any, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _phone(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True)
    context.set_default_timeout(10_000)
    return context


def _path_of(body: str) -> str:
    match = re.search(r"(/c/[A-Za-z0-9_-]{43,}/)", body)
    assert match, body
    return match.group(1)


def test_a_check_in_from_enrolment_to_the_dashboard(
    browser: Any, live_server: Any, page: Any, log_in: Any, clinic_people: dict[str, Any]
) -> None:
    from ketacare.web.checkins import services
    from ketacare.web.checkins.models import CheckIn, Enrolment
    from ketacare.web.measures.models import Alert, Measure

    patient = clinic_people["patient"]
    settings = services.settings_for(clinic_people["clinic"])
    settings.on_call_email = "oncall@northside.example"
    settings.save()

    # the prescriber enrols the patient from the chart
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in("priya")
    page.goto(f"/patients/{patient.uuid}/")
    page.click("text=Self-report check-ins")
    page.get_by_label("Email", exact=True).check()
    page.fill("input[name=contact]", "alex@example.org")
    page.get_by_label("The patient consents to be contacted for check-ins").check()
    page.fill("input[name=quiet_start]", "22:00")
    page.fill("input[name=quiet_end]", "07:00")
    _shot(page, "01-prescriber-enrols")
    page.click("#enrol button.primary")
    page.wait_for_selector("#enrolment")
    assert "active" in page.inner_text("#enrolment")
    assert "Every 14 days" in page.inner_text("#enrolment")
    _shot(page, "02-enrolled")
    enrolment = Enrolment.objects.get(patient=patient)
    assert enrolment.contact == "alex@example.org" and enrolment.consent_to_contact

    # the due job sends the email (outside the quiet hours)
    mail.outbox.clear()
    sent = services.send_due_checkins(timezone.now(), lambda e, now: False)
    assert sent == 1
    (message,) = mail.outbox
    assert message.to == ["alex@example.org"]
    assert "Marlowe" not in message.body
    path = _path_of(message.body)

    # the patient, on a phone
    phone = _phone(browser, live_server)
    pp = phone.new_page()
    pp.goto(path)
    assert "Marlowe" not in pp.content()
    _shot(pp, "03-patient-date-of-birth")
    pp.get_by_label("Your date of birth").fill("1980-05-17")
    pp.click("button[type=submit]")
    pp.wait_for_selector("text=Your questionnaire")
    assert pp.is_visible("text=Little interest or pleasure in doing things")
    assert pp.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    _shot(pp, "04-patient-questionnaire")
    for n in range(1, 9):
        pp.locator(f"#q-phq9_{n}").get_by_label("Several days").check()
    pp.locator("#q-phq9_9").get_by_label("Several days").check()  # item 9 = 1
    # a large target: each answer is at least 44 px high
    box = pp.locator("#q-phq9_9 label").first.bounding_box()
    assert box is not None and box["height"] >= 44
    pp.click("text=Send my answers")
    pp.wait_for_selector("#crisis")
    crisis = pp.inner_text("#crisis")
    assert "call or text 988" in crisis
    _shot(pp, "05-patient-crisis-text")

    measure = Measure.objects.get(patient=patient, source="patient")
    assert measure.total == 9 and measure.si_level == "positive"
    assert Alert.objects.filter(measure=measure, kind="suicidal_ideation").exists()
    assert mail.outbox[-1].to == ["oncall@northside.example"]

    # the alert is at the top of the dashboard
    page.goto("/dashboard/")
    top = page.locator("#alerts-top")
    assert "Alex Marlowe" in top.inner_text() and "self-report" in top.inner_text()
    first_card = page.locator("main section").first
    assert first_card.get_attribute("id") == "alerts-top"
    _shot(page, "06-dashboard-alert")

    # the chart marks the self-report
    page.goto(f"/patients/{patient.uuid}/")
    assert page.locator("#measures .badge.self-report").count() == 1
    assert page.locator("circle.self-report").count() == 1

    # the link cannot be used twice
    again = phone.new_page()
    response = again.goto(path)
    assert response is not None and response.status == 410
    assert again.is_visible("text=This link cannot be used")
    _shot(again, "07-link-used")

    # an expired link is refused, with a way to ask for a new one
    checkin, token = services.create_checkin(clinic_people["nurse"], patient)
    CheckIn.objects.filter(pk=checkin.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    expired = phone.new_page()
    response = expired.goto(f"/c/{token}/")
    assert response is not None and response.status == 410
    assert expired.is_visible("text=Ask my clinic for a new link")
    _shot(expired, "08-link-expired")
    expired.click("text=Ask my clinic for a new link")
    expired.wait_for_selector("text=they have been told")
    _shot(expired, "09-new-link-asked")

    # the staff page shows the request, the completed check-in and the response rate
    page.goto(f"/checkins/patient/{patient.uuid}/")
    assert page.is_visible("#link-requests")
    assert "Completed" in page.inner_text("#history")
    _shot(page, "10-staff-checkins")
    phone.close()
