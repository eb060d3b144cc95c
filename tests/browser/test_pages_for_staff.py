"""In headless Chromium, as the people who use these pages: a nurse at a 1024x768 tablet clicks
the vitals form's "Systolic" label and lands in the vitals field (not the checklist's); a
prescriber moves a course to review from its "Change status" page and sees it saved."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_vitals_systolic_label_focuses_the_vitals_field(
    page: Any, log_in: Any, clinic_people: dict[str, Any]
) -> None:
    log_in("noor")
    page.goto(f"/sessions/course/{clinic_people['course'].uuid}/")
    page.locator("#course-sessions button", has_text="Start session").first.click()
    page.wait_for_url(re.compile(r"/sessions/[0-9a-f-]{36}/$"))
    page.locator("#vitals-form label", has_text="Systolic").first.click()
    focused = page.evaluate(
        "() => [document.activeElement.name, document.activeElement.closest('form').id]"
    )
    assert focused == ["systolic", "vitals-form"]
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids))


def test_a_prescriber_changes_a_course_status_with_a_reason(
    page: Any, log_in: Any, clinic_people: dict[str, Any]
) -> None:
    course = clinic_people["course"]
    log_in("priya")
    page.goto(f"/courses/{course.uuid}/")
    page.click("text=Change status")
    page.select_option("select[name=to_status]", "review")
    page.fill("textarea[name=reason]", "induction complete")
    page.click("main button.primary")
    page.wait_for_url(f"**/courses/{course.uuid}/")
    assert "Course moved to review" in page.locator(".messages").inner_text()
    assert "induction complete" in page.content()
