"""The patient chart: timeline, one SVG chart per scale with the baseline and the core's response
and remission lines, clinical parts only for clinical roles, a constant number of queries."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection

from ketacare.core import outcomes as core_outcomes
from ketacare.web.measures.charts import outcome_lines


@pytest.mark.django_db
def test_the_chart_draws_each_scale_with_the_cores_lines(
    prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    (patient,) = grow(clinic, prescriber, 1)
    page = client_for(prescriber).get(f"/patients/{patient.uuid}/").content.decode()
    assert page.count("<svg") == 2  # madrs and phq9
    assert "https://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # no external refs
    lines = outcome_lines("madrs", 30)
    # the response line is the highest whole score the core judges a response from 30
    assert core_outcomes.assess("madrs", 30, lines.response).response
    assert not core_outcomes.assess("madrs", 30, lines.response + 1).response
    assert lines.remission == core_outcomes.assess("madrs", 30, 0).remission_max
    assert f"response {lines.response:g}" in page
    assert f"remission {lines.remission:g}" in page
    assert "baseline 30" in page


@pytest.mark.django_db
def test_front_desk_sees_demographics_and_appointments_only(
    front_desk: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    (patient,) = grow(clinic, prescriber, 1)
    page = client_for(front_desk).get(f"/patients/{patient.uuid}/").content.decode()
    assert patient.family_name in page
    assert "<svg" not in page and "madrs" not in page and "grown" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("measures_each", [2, 12])
def test_the_chart_uses_a_constant_number_of_queries(
    measures_each: int,
    prescriber: Any,
    clinic: Any,
    grow: Any,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    (patient,) = grow(clinic, prescriber, 1, measures_each=measures_each)
    client = client_for(prescriber)
    client.get(f"/patients/{patient.uuid}/")  # warm the session
    # the opening is an audit entry: the chain's head and the insert (in the 18), and on
    # PostgreSQL the clinic's append lock; the demographics history (its entries and their
    # actors) is 2 of the 18. None of them grows with the measures (2 or 12 per scale).
    lock = 1 if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(18 + lock):
        response = client.get(f"/patients/{patient.uuid}/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_each_session_given_appears_once_in_the_timeline(
    prescriber: Any, nurse: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    from ketacare.web.courses.models import PlannedSession
    from ketacare.web.treatments.models import SessionStatus, TreatmentSession

    (patient,) = grow(clinic, prescriber, 1)
    done = list(PlannedSession.objects.filter(course__patient=patient, status="done"))
    assert len(done) == 3
    for p in done[:2]:  # two given with a session record, one without (an older import)
        TreatmentSession.objects.create(
            clinic=clinic,
            patient=patient,
            course=p.course,
            planned=p,
            date=p.date,
            weight_kg=70,
            dose_mg=35,
            status=SessionStatus.SIGNED,
            created_by=nurse,
        )
    response = client_for(prescriber).get(f"/patients/{patient.uuid}/")
    sessions = [e for e in response.context["timeline"] if e["kind"] == "session"]
    assert len(sessions) == 3, [e["text"] for e in sessions]
    assert sum(1 for e in sessions if e.get("url")) == 2  # the recorded ones link to the record


def test_line_labels_beside_the_chart_never_print_on_each_other() -> None:
    import re

    from ketacare.web.measures.charts import LABEL_GAP, spread, svg_chart

    # MADRS from 22: response at 11 and remission at 10 are one point (3 px) apart
    lines = outcome_lines("madrs", 22)
    assert lines.response is not None and lines.remission is not None
    assert abs(lines.response - lines.remission) <= 2
    svg = svg_chart("madrs", [], lines)
    ys = sorted(float(y) for y in re.findall(r'class="line-label" x="[\d.]+" y="([\d.]+)"', svg))
    assert len(ys) == 3
    assert all(b - a >= LABEL_GAP - 0.01 for a, b in itertools.pairwise(ys)), ys
    # the stack stays inside the plot when lines sit at the bottom
    assert spread([100, 100, 100], 13, 0, 100) == [74, 87, 100]
    assert spread([5, 50], 13, 10, 100) == [10, 50]
