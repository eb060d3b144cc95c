"""The patient chart: timeline, one SVG chart per scale with the baseline and the core's response
and remission lines, clinical parts only for clinical roles, a constant number of queries."""

from __future__ import annotations

from typing import Any

import pytest

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
    with django_assert_max_num_queries(16):
        response = client.get(f"/patients/{patient.uuid}/")
    assert response.status_code == 200
