"""The pooled-analysis page (forest plot, funnel plot, Egger's test) and the course page's
target-concentration infusion plan, as a clinician sees them at a desktop and at 1024x768.

Each page is saved to /tmp/shots/evid-*.png for a person to look at; the test itself checks what
the eye would: forest-plot labels do not overlap each other or the plot, the funnel sits beside
or below the forest without covering it, and the TCI table and chart are on the page.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.utils import timezone

SHOTS = "/tmp/shots"
SIZES = {"desktop": (1440, 900), "1024": (1024, 768)}
#: TRD response with active comparators and reconstructed counts: 7 studies, Egger's test runs
POOL_QUERY = (
    "/evidence/pool/?outcome=response&measure=RR&method=REML&condition=trd"
    "&include_active=on&include_reconstructed=on&subgroups=on"
)


@pytest.fixture
def people(transactional_db: Any) -> dict[str, Any]:
    """A prescriber and a nurse of one clinic, and an IV racemic course at 70 kg (the patient
    screened clear, as the core requires before a course starts)."""
    import datetime as dt

    from ketacare.core import intake as core_intake
    from ketacare.web.accounts.models import Clinic, User
    from ketacare.web.courses.services import start_course
    from ketacare.web.patients.models import ContraindicationScreen, Patient

    from .conftest import PASSWORD

    clinic = Clinic.objects.create(name="Northside Ketamine Clinic", chairs=3)
    prescriber = User.objects.create_user(
        username="priya", password=PASSWORD, role="prescriber", clinic=clinic
    )
    User.objects.create_user(username="noor", password=PASSWORD, role="nurse", clinic=clinic)
    patient = Patient.objects.create(
        clinic=clinic,
        record_number="N-0001",
        given_name="Alex",
        family_name="Marlowe",
        date_of_birth=dt.date(1980, 5, 17),
        sex="female",
    )
    answers = {q.id: False for q in core_intake.list_questions(None, None)}
    result = core_intake.screen_contraindications(answers, drug=None, route=None)
    ContraindicationScreen.objects.create(
        clinic_id=clinic.id,
        patient=patient,
        answers=answers,
        result=result.to_dict(),
        eligible=result.eligible,
        screened_by=prescriber,
    )
    course = start_course(
        prescriber,
        patient,
        protocol_id="iv-racemic",
        start_date=timezone.localdate(),
        weight_kg=70.0,
    )
    return {"course": course}


def _boxes_overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _label_boxes(page: Any) -> list[dict[str, float]]:
    """Bounding boxes of the forest plot's study labels (the text left of the plot area)."""
    return list(
        page.eval_on_selector_all(
            "#forest-plot svg > text:not(.heterogeneity)",
            """els => els.filter(e => +e.getAttribute('x') === 8).map(e => {
                 const r = e.getBoundingClientRect();
                 return {x: r.x, y: r.y, width: r.width, height: r.height};
               })""",
        )
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_the_pool_page_shows_forest_funnel_and_egger_without_overlap(
    size: str, page: Any, people: dict[str, Any], log_in: Any
) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    log_in("noor")
    page.goto(POOL_QUERY)
    assert page.locator("#forest-plot svg").is_visible()
    page.screenshot(path=f"{SHOTS}/evid-pool-{size}.png", full_page=True)
    assert page.locator("#funnel-plot svg circle").count() == 7
    assert page.locator("#egger").is_visible()
    assert "k < 10" in page.locator("#egger").inner_text()
    labels = _label_boxes(page)
    assert len(labels) >= 7 + 1  # the studies and the model row (and the prediction interval)
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not _boxes_overlap(a, b), (a, b)
    # every label ends before the plot area starts (x = 210 of the SVG's 700, scaled)
    svg = page.locator("#forest-plot svg").bounding_box()
    scale = svg["width"] / 700
    for box in labels:
        assert box["x"] + box["width"] <= svg["x"] + 210 * scale + 0.5, box
    funnel = page.locator("#funnel-plot").bounding_box()
    assert not _boxes_overlap(svg, funnel)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_course_page_plans_a_target_concentration_infusion(
    size: str, page: Any, people: dict[str, Any], log_in: Any
) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    log_in("priya")
    page.goto(f"/courses/{people['course'].uuid}/")
    section = page.locator("#pk-target")
    section.locator("input[name=tci-target_ng_per_ml]").fill("0")
    section.locator("button.primary").click()
    error = section.locator(".field.has-error small.error")
    assert "is not possible here. Allowed: a target above 0" in error.inner_text()
    page.screenshot(path=f"{SHOTS}/evid-tci-error-{size}.png", full_page=True)
    section.locator("input[name=tci-target_ng_per_ml]").fill("300")
    section.locator("input[name=tci-hold_min]").fill("40")
    section.locator("button.primary").click()
    assert section.locator("table.tci-steps tbody tr.step").count() == 8
    assert section.locator("svg rect.rate-step").count() == 8
    assert "UNVERIFIED" in section.inner_text()
    section.scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/evid-tci-{size}.png", full_page=True)
