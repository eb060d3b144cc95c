"""Rosa, the clinic's researcher, in Chromium at 1024x768 and at 1366x900: she lands on the
de-identified outcomes page, follows its links to the cohort report and to the clinic beside the
literature, and reads the figures (the cohort of tests/web/test_reports_cohort.py: ten IV courses,
five responding at day 16, 60% still responding at four weeks); no name or record number is on
any of them. A patient's page, the patient list and the audit trail refuse her with a readable
page in the app's layout, with a way back.

Screenshots: $KETACARE_SCREENSHOTS/journey-research-*.png (default /tmp/shots)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRETS = ("Cohortgiven", "Cohortfamily", "C-1-")


def test_a_researcher_reads_the_outcomes_and_is_refused_patient_pages(
    sized: Any, staff: dict[str, Any]
) -> None:
    from tests.web.test_reports_cohort import _course

    page = sized
    courses = [
        _course(staff["clinic"], staff["prescriber"], i, d16, d44)
        for i, (d16, d44) in enumerate(
            [(8, 8), (8, 8), (8, 8), (8, 15), (8, 15)] + [(14, None)] * 5
        )
    ]
    sign_in(page, "rosa")
    page.wait_for_url("**/outcomes/")  # a researcher's start page

    main = page.inner_text("main")
    assert page.inner_text("h1") == "Clinic outcomes (de-identified)"
    row = page.locator("#by-protocol tbody tr").first.locator("td").all_inner_texts()
    assert row[:4] == [
        "IV racemic ketamine for TRD (0.5 mg/kg over 40 min, 6-infusion series)",
        "Ketamine (racemic)",
        "intravenous",
        "10",
    ]
    assert "iv-racemic" not in main
    assert page.locator("#by-status tbody tr").first.inner_text().startswith("Induction")
    for secret in SECRETS:
        assert secret not in main
    shot(page, "research-1-outcomes")

    page.get_by_role("link", name="The cohort report").click()
    page.wait_for_url("**/reports/cohort/")
    report = page.inner_text("main")
    assert "days 14–31 after the start of induction" in report
    assert "50.0%" in report and "95% CI" in report  # 5 of 10 responded in induction
    assert "60.0%" in report  # still responding at 4 weeks: 1 - 2/5
    assert page.locator("#km-chart svg, svg.km-chart, .km-chart svg").count() >= 1
    for secret in SECRETS:
        assert secret not in report
    shot(page, "research-2-cohort")
    assert page.get_by_role("link", name="Outcomes").first.get_attribute("href") == "/outcomes/"

    page.goto("/outcomes/")
    page.get_by_role("link", name="the clinic beside the literature").click()
    page.wait_for_url("**/evidence/clinic/**")
    beside = page.inner_text("main")
    assert "Treatment-resistant depression · ketamine (racemic) · intravenous" in beside
    assert " trd " not in f" {beside} "
    for secret in SECRETS:
        assert secret not in beside
    shot(page, "research-3-beside-literature")

    # patient-identifying pages: refused in the app's layout, in words, with a way back
    patient = courses[0].patient
    for url, name in (
        (f"/patients/{patient.uuid}/", "patient"),
        ("/patients/", "patients"),
        ("/audit/", "audit"),
    ):
        response = page.goto(url)
        assert response.status == 403, url
        assert page.inner_text("main h1") == "Not allowed"
        text = page.inner_text("main")
        assert "Your role may not" in text and "_" not in text, text
        assert page.locator("header nav[aria-label=Main]").is_visible()  # the app's layout
        assert page.get_by_role("link", name="Back to the start page").is_visible()
        for secret in SECRETS:
            assert secret not in page.content()
        shot(page, f"research-4-refused-{name}")
    page.get_by_role("link", name="Back to the start page").click()
    page.wait_for_url("**/outcomes/")
