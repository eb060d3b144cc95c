"""The pooled-analysis page shows, beside the forest plot, the funnel plot (inline SVG drawn from
``core.evidence.plots.funnel_geometry``: one marker per study) and Egger's test as the core
computes it (``TrialPool.egger()``): intercept, its CI, p and k, with the source and, below ten
studies, the caveat."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.evidence import pool
from ketacare.core.evidence.plots import funnel_geometry

URL = reverse("evidence:pool")
NS = "{http://www.w3.org/2000/svg}"
#: TRD response with active comparators and reconstructed counts: the one analysis over the
#: records with k >= 3 (7 studies), so Egger's test runs
SEVEN = {
    "outcome": "response",
    "measure": "RR",
    "method": "REML",
    "condition": "trd",
    "include_active": "on",
    "include_reconstructed": "on",
}
CORE_SEVEN = {
    "condition": "trd",
    "comparator_types": ("placebo", "active-placebo", "active-treatment"),
    "include_reconstructed": True,
}


def _page(client: Any, query: dict[str, str]) -> str:
    response = client.get(URL, query)
    assert response.status_code == 200
    return str(response.content.decode())


def _svg(text: str, figure_id: str) -> ET.Element:
    match = re.search(rf'<figure[^>]*id="{figure_id}".*?(<svg .*?</svg>)', text, re.S)
    assert match, f"no inline SVG in #{figure_id}"
    return ET.fromstring(match.group(1))


@pytest.mark.django_db
def test_the_funnel_plot_has_one_marker_per_pooled_study(nurse: Any, client_for: Any) -> None:
    text = _page(client_for(nurse), SEVEN)
    tp = pool(**CORE_SEVEN)
    root = _svg(text, "funnel-plot")
    circles = list(root.iter(f"{NS}circle"))
    assert len(circles) == tp.result.k == 7
    # the markers sit where the core's geometry puts them, each named in its tooltip
    geometry = funnel_geometry(tp.result)
    for circle, point in zip(circles, geometry.points, strict=True):
        assert float(circle.get("cx", "")) == pytest.approx(point.x, abs=0.05)
        assert float(circle.get("cy", "")) == pytest.approx(point.y, abs=0.05)
        title = circle.find(f"{NS}title")
        assert title is not None and (title.text or "").startswith(point.study)
    assert len(list(root.iter(f"{NS}polygon"))) == 1  # the pseudo-confidence triangle


@pytest.mark.django_db
def test_the_forest_plot_has_a_row_per_study_beside_the_funnel(
    prescriber: Any, client_for: Any
) -> None:
    text = _page(client_for(prescriber), SEVEN)
    root = _svg(text, "forest-plot")
    squares = [r for r in root.iter(f"{NS}rect")]
    assert len(squares) == 7
    assert len(list(root.iter(f"{NS}polygon"))) == 1  # the pooled diamond
    assert text.index('id="forest-plot"') < text.index('id="funnel-plot"')


@pytest.mark.django_db
def test_eggers_numbers_are_the_cores(researcher: Any, client_for: Any) -> None:
    # The core's Egger test is checked against metafor's README, regtest(res) on dat.bcg with
    # REML + knha: "t = -0.7812, df = 11, p = 0.4512; Limit Estimate b = -0.5104 (CI: -1.2123,
    # 0.1915)" (tests/core/evidence/test_pooling.py::test_egger_regression_matches_metafor_regtest)
    # and its intercept CI against statsmodels WLS. Here the page must print those same numbers
    # for the records' analysis, to the page's 4 decimals.
    text = _page(client_for(researcher), SEVEN)
    egger = pool(**CORE_SEVEN).egger()
    assert re.search(rf'data-egger="k">{egger.k}<', text)
    assert f'data-egger="intercept">{egger.slope:.4f}<' in text
    assert f'data-egger="ci">{egger.slope_ci[0]:.4f} to {egger.slope_ci[1]:.4f}<' in text
    assert f'data-egger="p">{egger.p:.4f}<' in text
    assert f"z = {egger.statistic:.4f}" in text
    assert "Egger M, Davey Smith G, Schneider M, Minder C. BMJ 1997;315:629" in text


@pytest.mark.django_db
def test_with_hksj_the_test_is_t_based_with_k_minus_2_df(nurse: Any, client_for: Any) -> None:
    text = _page(client_for(nurse), {**SEVEN, "hksj": "on"})
    egger = pool(**CORE_SEVEN, hksj=True).egger()
    assert egger.df == 5
    assert f"t = {egger.statistic:.4f}, df 5, p = " in text
    assert f'data-egger="p">{egger.p:.4f}<' in text


@pytest.mark.django_db
def test_below_ten_studies_the_cores_caveat_is_shown(nurse: Any, client_for: Any) -> None:
    text = _page(client_for(nurse), SEVEN)
    caveat = pool(**CORE_SEVEN).egger().caveat
    assert caveat.startswith("Only 7 studies")
    assert caveat.replace("'", "&#x27;") in text
    assert "k &lt; 10" in text


@pytest.mark.django_db
def test_with_two_studies_the_page_says_why_there_is_no_egger_test(
    front_desk: Any, client_for: Any
) -> None:
    text = _page(
        client_for(front_desk),
        {"outcome": "response", "measure": "RR", "method": "REML", "condition": "trd"},
    )
    assert pool(condition="trd").result.k == 2
    assert "Not run (k = 2): the core needs at least 3 studies for Egger&#x27;s test." in text
    assert 'data-egger="p"' not in text
    # the funnel is still drawn, with its two studies
    assert len(list(_svg(text, "funnel-plot").iter(f"{NS}circle"))) == 2
