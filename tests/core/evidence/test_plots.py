"""Forest and funnel plots: well-formed SVG with every study, a pooled diamond and a log axis."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ketacare.core.evidence import (
    BinaryRow,
    forest_png,
    forest_svg,
    funnel_png,
    funnel_svg,
    get_trial,
    pool,
    pool_binary,
)

NS = "{http://www.w3.org/2000/svg}"


def test_forest_svg_has_every_study_the_diamond_and_the_prediction_interval(
    bcg_rows: list[BinaryRow],
) -> None:
    r = pool_binary(bcg_rows, "RR", method="REML")
    svg = forest_svg(r, title="BCG <vaccine>")
    root = ET.fromstring(svg)
    texts = [t.text or "" for t in root.iter(f"{NS}text")]
    assert all(any(row.study in t for t in texts) for row in bcg_rows)
    assert len(list(root.iter(f"{NS}polygon"))) == 1
    assert "Prediction interval" in texts
    assert "BCG &lt;vaccine&gt;" in svg  # text is escaped
    # ratio axis: ticks labelled in ratio units, including the null value 1
    assert "1.00" in texts


def test_fixed_effect_forest_has_no_prediction_interval(bcg_rows: list[BinaryRow]) -> None:
    svg = forest_svg(pool_binary(bcg_rows, "RD", method="FE"))
    assert "Prediction interval" not in svg
    ET.fromstring(svg)


def test_funnel_svg_has_one_point_per_study(bcg_rows: list[BinaryRow]) -> None:
    root = ET.fromstring(funnel_svg(pool_binary(bcg_rows, "OR", method="DL")))
    assert len(list(root.iter(f"{NS}circle"))) == len(bcg_rows)


def test_png_plots_are_png_bytes(bcg_rows: list[BinaryRow]) -> None:
    r = pool_binary(bcg_rows, "RR", method="DL")
    assert forest_png(r)[:8] == b"\x89PNG\r\n\x1a\n"
    assert funnel_png(r)[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_pooled_analysis_over_the_records_draws_its_forest() -> None:
    tp = pool(outcome="response", condition="trd")
    svg = tp.forest_svg("TRD response")
    assert get_trial("daly-2018").short in svg
    ET.fromstring(svg)
    ET.fromstring(tp.funnel_svg())
