"""A prescriber's IV racemic course, in Chromium at 1024x768 and 1366x900: Dr Shah records the
contraindication screen and the consent on the intake page, starts the course on the new-course
page, and (once the six induction infusions and the MADRS scores are on file: set up through the
services, as the chair would record them) reviews the course at the end of induction with the
core's escalation advice in words, moves it to review and then to maintenance on the "Change
status" page, and sees the maintenance plan. The status is stored with its reason, its event
carries the advice, and the audit trail has both moves.

Screenshots: $KETACARE_SCREENSHOTS/journey-course-*.png (default /tmp/shots)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from .conftest import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: MADRS items (10 items scored 0-6): totals 34 at baseline, 24 after session 3, 14 after 6
MADRS = {
    34: [4, 4, 3, 3, 4, 3, 3, 4, 3, 3],
    24: [3, 3, 2, 2, 3, 2, 2, 3, 2, 2],
    14: [2, 2, 1, 1, 2, 1, 1, 2, 1, 1],
}


def _induction_on_file(course: Any, nurse: Any, prescriber: Any) -> None:
    """The six induction infusions signed and the MADRS baseline and follow-ups recorded."""
    from tests.web.conftest import run_to_signable

    from ketacare.web.measures.services import record_measure
    from ketacare.web.treatments import services

    start = dt.datetime.combine(course.start_date, dt.time(9, 0), tzinfo=dt.UTC)
    record_measure(
        prescriber,
        course.patient,
        scale_id="madrs",
        items=MADRS[34],
        taken_at=start - dt.timedelta(days=1),
        course=course,
        baseline=True,
    )
    induction = course.planned_sessions.filter(phase="induction").order_by("index")
    assert induction.count() == 6
    for planned in induction:
        session = services.open_session(nurse, course, planned=planned, chair=1)
        session = run_to_signable(session, nurse)
        services.sign_session(nurse, session, expected_version=session.version)
        if planned.index in (3, 6):
            record_measure(
                prescriber,
                course.patient,
                scale_id="madrs",
                items=MADRS[24 if planned.index == 3 else 14],
                taken_at=dt.datetime.combine(planned.date, dt.time(12, 0), tzinfo=dt.UTC),
                course=course,
            )


def test_a_prescriber_starts_an_iv_course_reviews_it_and_moves_it_to_maintenance(
    sized: Any, staff: dict[str, Any]
) -> None:
    from ketacare.web.audit.models import AuditEntry
    from ketacare.web.courses.models import Course, CourseEvent
    from ketacare.web.patients.models import Consent, ContraindicationScreen, Patient

    page = sized
    patient = Patient.objects.create(
        clinic=staff["clinic"],
        record_number="N-0201",
        given_name="Iris",
        family_name="Kowalski",
        date_of_birth=dt.date(1977, 8, 30),
        sex="female",
    )
    sign_in(page, "priya")
    page.goto(f"/patients/{patient.uuid}/")
    page.get_by_role("link", name="Trials, screen and consent").click()
    page.wait_for_url(f"**/patients/{patient.uuid}/intake/")

    # the contraindication screen for IV racemic ketamine: every question answered "no"
    page.locator("#screen summary").click()
    screen = page.locator("#screen form")
    screen.locator("select[name=drug]").select_option("racemic")
    screen.locator("select[name=route]").select_option("iv")
    questions = screen.locator("select[name^=q_]")
    for i in range(questions.count()):
        questions.nth(i).select_option("no")
    screen.locator("button.primary").click()
    page.wait_for_url(f"**/patients/{patient.uuid}/intake/")
    assert "no contraindication" in page.inner_text("#screen")
    stored = ContraindicationScreen.objects.get(patient=patient)
    assert stored.eligible and (stored.drug, stored.route) == ("racemic", "iv")

    # consent, given today
    consent = page.locator("#consent form")
    consent.locator("input[name=given_on]").fill(timezone.localdate().isoformat())
    consent.locator("button.primary").click()
    page.wait_for_url(f"**/patients/{patient.uuid}/intake/")
    assert "course of ketamine treatment" in page.inner_text("#consent")
    shot(page, "course-1-intake")
    assert page.get_by_role("link", name="Kowalski").count() >= 1  # the way back to the chart

    # the new-course page: the screen says eligible for IV racemic ketamine
    page.goto(f"/patients/{patient.uuid}/")
    page.get_by_role("link", name="Start a course").click()
    eligibility = page.inner_text("#eligibility")
    assert "Ketamine (racemic)" in eligibility and "intravenous" in eligibility
    start = timezone.localdate() - dt.timedelta(days=18)
    page.select_option("select[name=protocol_id]", "iv-racemic")
    # the protocol's whole name is readable in its menu (the field takes the form's width)
    menu = page.locator("select[name=protocol_id]").bounding_box()
    form = page.locator("main form.card").bounding_box()
    assert menu["width"] > 0.8 * form["width"], (menu, form)
    page.fill("input[name=start_date]", start.isoformat())
    page.fill("input[name=weight_kg]", "72")
    shot(page, "course-2-new")
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/courses/[0-9a-f-]{36}/$"))
    assert "Course started; the sessions are planned." in page.inner_text(".messages")
    course = Course.objects.get(patient=patient)
    assert (course.protocol_id, course.start_date, course.weight_kg) == ("iv-racemic", start, 72)
    Consent.objects.filter(patient=patient).update(course=course)

    _induction_on_file(course, staff["nurse"], staff["prescriber"])

    # the end-of-induction review: the outcome and the core's advice, in words
    page.reload()
    shot(page, "course-3-review")
    review = page.inner_text("#review")
    assert "Montgomery" in review  # the scale by name, not "madrs"
    assert "madrs" not in review
    assert "Keep the current dose" in review
    assert "improvement 58.8% reaches the 50% response cut-off" in review
    assert "secondary source" in review

    page.get_by_role("link", name="Change status").click()
    page.wait_for_url(f"**/courses/{course.uuid}/status/")
    # the advice is in view where the decision is made
    assert "Keep the current dose" in page.inner_text("#status-advice")
    page.select_option("select[name=to_status]", "review")
    page.fill("textarea[name=reason]", "six infusions given; MADRS 34 to 14")
    shot(page, "course-4-status-review")
    page.click("main button.primary")
    page.wait_for_url(f"**/courses/{course.uuid}/")
    assert "Course moved to review at end of induction." in page.inner_text(".messages")

    page.get_by_role("link", name="Change status").click()
    page.select_option("select[name=to_status]", "maintenance")
    page.fill("textarea[name=reason]", "response held: boosters as needed")
    page.click("main button.primary")
    page.wait_for_url(f"**/courses/{course.uuid}/")
    assert "Course moved to maintenance." in page.inner_text(".messages")
    assert page.inner_text("h1 + .badge") == "Maintenance"
    history = page.inner_text("#course-history")
    assert "Review at end of induction → Maintenance" in history
    assert "response held: boosters as needed" in history
    # the plan of maintenance: the booster sessions after the induction
    boosters = page.locator("#planned-sessions tbody tr", has_text="Maintenance")
    assert boosters.count() == 3
    assert page.locator("#planned-sessions tbody tr", has_text="Given").count() == 6
    shot(page, "course-5-maintenance")

    course.refresh_from_db()
    assert course.status == "maintenance"
    moves = list(CourseEvent.objects.filter(course=course, kind="status").order_by("at", "pk"))
    assert [(e.from_status, e.to_status) for e in moves] == [
        ("induction", "review"),
        ("review", "maintenance"),
    ]
    assert moves[0].data["escalation_advice"]["action"] == "continue"
    audit = AuditEntry.objects.filter(action="course.status", object_uuid=course.uuid)
    assert [(a.before["status"], a.after["status"]) for a in audit.order_by("at", "pk")] == [
        ("induction", "review"),
        ("review", "maintenance"),
    ]
    assert audit.last().actor == staff["prescriber"]
