"""The patient chart renders whatever scale was entered: a C-SSRS screen (a triage with no total)
once answered 500 for everyone, and its only Withdraw button was on the broken page. Every scale
of the core, entered at its lowest and highest answers, leaves every page of the patient working.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django.utils.html import escape

from ketacare.core import outcomes as core_outcomes
from ketacare.core import scales as core_scales
from ketacare.core.errors import InputError
from ketacare.web.measures import services as measure_services
from ketacare.web.measures.models import Measure


def answers(scale: Any, end: str) -> tuple[list[int | str | None], dict[str, str]]:
    """Every item at its lowest (``end="min"``) or highest answer, skipped items left blank as the
    scale's skip logic asks; each option at its default (or first value)."""
    if scale.answers == "yes-no":
        items: list[int | str | None] = ["n" if end == "min" else "y" for _ in scale.items]
        for rule in scale.skip_rules:
            if items[rule.when_item - 1] == rule.equals:
                for n in rule.skip:
                    items[n - 1] = None
    else:
        items = [getattr(item, end) for item in scale.items]
    options = {o.key: o.default or o.values[0] for o in scale.options}
    return items, options


def has_outcome_rules(scale_id: str) -> bool:
    try:
        core_outcomes.get_scale_rules(scale_id)
    except InputError:
        return False
    return True


def pages_of(patient: Any, course: Any) -> list[str]:
    return [
        f"/patients/{patient.uuid}/",
        f"/patients/{patient.uuid}/edit/",
        f"/patients/{patient.uuid}/intake/",
        f"/measures/new/{patient.uuid}/",
        "/measures/alerts/",
        f"/courses/{course.uuid}/",
        "/dashboard/",
    ]


@pytest.mark.django_db
def test_a_cssrs_screen_entered_through_the_form_leaves_the_chart_working(
    nurse: Any, prescriber: Any, patient: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    data = {"scale": "cssrs-screen", "taken_at": "2026-01-05T09:00", "course": ""}
    data.update({f"item_{n}": "n" for n in range(1, 8)})
    for skipped in (3, 4, 5, 7):  # skip logic: asked only after a yes to 2 (or 6)
        data[f"item_{skipped}"] = "-"
    response = client.post(f"/measures/new/{patient.uuid}/", data, follow=True)
    assert response.redirect_chain and response.status_code == 200
    said = [str(m) for m in response.context["messages"]]
    assert said[0].endswith("recorded: triage none"), said  # not "total None"
    measure = Measure.objects.get(patient=patient)
    assert measure.scale_id == "cssrs-screen" and measure.total is None

    for who in (nurse, prescriber):
        page = client_for(who).get(f"/patients/{patient.uuid}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert escape(core_scales.get_scale("cssrs-screen").name) in text
        assert "triage <span" in text  # the screen's level, where a line chart cannot be
        assert f"/measures/{measure.uuid}/withdraw/" in text  # the way out is on a working page


@pytest.mark.django_db
@pytest.mark.parametrize("scale_id", [s.id for s in core_scales.list_scales()])
def test_every_scale_at_its_lowest_and_highest_leaves_every_page_working(
    scale_id: str, prescriber: Any, patient: Any, client_for: Any
) -> None:
    from ketacare.web.courses.services import start_course

    scale = core_scales.get_scale(scale_id)
    course = start_course(
        prescriber,
        patient,
        protocol_id="iv-racemic",
        start_date=timezone.localdate(),
        weight_kg=70.0,
    )
    now = timezone.now()
    # a course baseline only for a scale with outcome rules (a baseline on the Aldrete score is
    # no clinical question; the follow-up would be refused by the core's outcome lookup)
    as_baseline = has_outcome_rules(scale_id)
    for k, end in enumerate(("max", "min")):
        items, options = answers(scale, end)
        measure_services.record_measure(
            prescriber,
            patient,
            scale_id=scale_id,
            items=items,
            options=options,
            taken_at=now - dt.timedelta(days=7 - k),
            course=course,
            baseline=as_baseline and k == 0,
        )
    assert Measure.objects.filter(patient=patient, scale_id=scale_id).count() == 2
    client = client_for(prescriber)
    for url in pages_of(patient, course):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    chart = client.get(f"/patients/{patient.uuid}/").content.decode()
    assert escape(scale.name) in chart, f"{scale.name} not on the chart"
    entry = client.get(f"/measures/new/{patient.uuid}/?scale={scale_id}").content.decode()
    assert escape(scale.name) in entry
