"""Pooled analyses: choose outcome, measure, method and HKSJ; the page shows the core's result
table (estimate, CI, τ², I², Q and its p, prediction interval), the included and excluded studies
with reasons, the forest plot as inline SVG, and subgroups by drug and route where the included
trials span more than one. Nothing is fetched from another host."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.evidence import pool

URL = reverse("evidence:pool")

#: the one analysis over the records that spans two drug-route groups: TRD response with active
#: comparators and reconstructed counts (Daly 2018, esketamine nasal; ELEKT-D, racemic IV vs ECT)
SUBGROUP_QUERY = {
    "outcome": "response",
    "measure": "RR",
    "method": "REML",
    "condition": "trd",
    "include_active": "on",
    "include_reconstructed": "on",
    "subgroups": "on",
}


def _get(client: Any, query: dict[str, str] | None = None) -> str:
    response = client.get(URL, query or {})
    assert response.status_code == 200
    return str(response.content.decode())


@pytest.mark.django_db
def test_the_first_analysis_pools_daly_2018_with_the_cores_numbers(
    front_desk: Any, client_for: Any
) -> None:
    text = _get(client_for(front_desk))
    # Daly 2018 (JAMA Psychiatry, Table 1, period 1): esketamine 28/56/84 mg arms merged against
    # the shared placebo arm, 8/34 vs 2/33. metafor escalc RR: yi = log((8/34)/(2/33)),
    # vi = 1/8 - 1/34 + 1/2 - 1/33 = 0.5653 -> RR 3.88, 95% CI exp(yi ± 1.96·0.7519) = 0.89 to
    # 16.95 (tolerance: the page's 2 decimals)
    assert "Daly 2018" in text
    assert "<strong>3.88</strong>" in text and "0.89 to 16.95" in text
    assert "8 / 34" in text and "2 / 33" in text
    assert "3 dose arms merged (8/34) against the shared control" in text
    # the excluded trials with the core's reasons
    result = pool(condition="trd")
    for row in result.excluded:
        assert row["reason"] in text
    assert "pooled-post-hoc: not pooled beside trials" in text  # Turkoz 2021


@pytest.mark.django_db
def test_the_forest_plot_is_inline_svg_and_nothing_is_fetched_elsewhere(
    nurse: Any, client_for: Any
) -> None:
    text = _get(client_for(nurse))
    assert re.search(
        r'<figure class="chart forest" id="forest-plot"><figcaption>Forest plot</figcaption>'
        r'<svg xmlns="http://www.w3.org/2000/svg"',
        text,
    )
    assert "&lt;svg" not in text
    for attr in re.findall(r'(?:src|href)="([^"]+)"', text):
        assert not attr.startswith(("http://", "https://", "//")), attr


@pytest.mark.django_db
def test_measure_method_and_hksj_reach_the_core(prescriber: Any, client_for: Any) -> None:
    query = {**SUBGROUP_QUERY, "measure": "OR", "method": "DL", "hksj": "on"}
    text = _get(client_for(prescriber), query)
    expected = pool(
        outcome="response",
        measure="OR",
        method="DL",
        hksj=True,
        condition="trd",
        comparator_types=("placebo", "active-placebo", "active-treatment"),
        include_reconstructed=True,
    ).to_dict()["pooled"]
    assert "OR for response, DL with HKSJ" in text
    assert f"<strong>{expected['estimate']:.2f}</strong>" in text
    assert f"{expected['ci_low']:.2f} to {expected['ci_high']:.2f}" in text
    assert f"{expected['pi_low']:.2f} to {expected['pi_high']:.2f}" in text
    assert f"{expected['tau2']:.4f}" in text and f"{expected['i2']:.1f}%" in text
    assert f"{expected['q']:.2f}" in text and f"{expected['q_p']:.4f}" in text


@pytest.mark.django_db
def test_subgroups_compare_racemic_iv_with_esketamine_nasal(
    researcher: Any, client_for: Any
) -> None:
    text = _get(client_for(researcher), SUBGROUP_QUERY)
    result = pool(
        condition="trd",
        comparator_types=("placebo", "active-placebo", "active-treatment"),
        include_reconstructed=True,
        subgroup_by_drug_route=True,
    )
    assert result.subgroups is not None
    assert "esketamine in" in text and "racemic iv" in text
    test = result.subgroups.to_dict()["test_for_subgroup_differences"]
    assert f"Q = {test['q']:.2f}, df {test['df']}, p = {test['p']:.4f}" in text
    assert 'class="badge bad">reconstructed' in text  # ELEKT-D's counts are rebuilt


@pytest.mark.django_db
def test_one_drug_route_group_says_why_there_are_no_subgroups(
    admin_user: Any, client_for: Any
) -> None:
    # Esketamine trials alone form a single drug-route group (intranasal).
    text = _get(client_for(admin_user), {**SUBGROUP_QUERY, "drug": "esketamine"})
    assert "No subgroup comparison: the included trials form one drug-route group" in text


@pytest.mark.django_db
def test_filters_with_no_countable_trial_give_the_cores_reason_on_the_form(
    prescriber: Any, client_for: Any
) -> None:
    text = _get(client_for(prescriber), {**SUBGROUP_QUERY, "condition": "palliative"})
    assert 'class="errors"' in text
    assert "filters that match at least one trial with two-arm event counts" in text
    assert "chart forest" not in text


@pytest.mark.django_db
def test_an_unknown_method_is_shown_beside_its_field(prescriber: Any, client_for: Any) -> None:
    text = _get(client_for(prescriber), {**SUBGROUP_QUERY, "method": "BAYES"})
    assert 'class="error"' in text and "BAYES is not one of the available choices" in text
