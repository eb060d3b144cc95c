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


def test_funnel_geometry_places_one_point_per_study_inside_the_plot(
    bcg_rows: list[BinaryRow],
) -> None:
    from ketacare.core.evidence.plots import funnel_geometry

    r = pool_binary(bcg_rows, "RR", method="REML")
    g = funnel_geometry(r)
    assert [p.study for p in g.points] == list(r.studies)
    for p in g.points:
        assert g.left <= p.x <= g.width - g.right and g.top <= p.y <= g.height - g.bottom
    # SE 0 at the top: the most precise study is the highest point
    assert min(g.points, key=lambda p: p.se).y == min(p.y for p in g.points)
    # effects are given on the reporting (ratio) scale
    assert g.points[0].effect > 0 and "log axis" in g.x_label


def test_tick_labels_on_a_log_axis_are_spread_apart() -> None:
    import itertools
    import math

    from ketacare.core.evidence.plots import _ticks

    lo, hi = math.log(0.2), math.log(6)
    ticks = _ticks(lo, hi, True)
    assert 0.0 in ticks
    assert all(b - a >= (hi - lo) / 9 for a, b in itertools.pairwise(ticks))


def test_long_study_names_wrap_at_spaces_and_are_cut_with_an_ellipsis() -> None:
    from ketacare.core.evidence.plots import wrap_label

    assert wrap_label("Daly 2018") == ("Daly 2018",)
    assert wrap_label("Turkoz 2021 (TRANSFORM-1+2 pooled)") == (
        "Turkoz 2021",
        "(TRANSFORM-1+2 pooled)",
    )
    lines = wrap_label("A very long name of a study " * 4)
    assert len(lines) == 2 and lines[1].endswith("…")
    assert all(len(line) <= 27 for line in lines)


def test_a_wrapped_forest_label_keeps_the_full_name_as_a_tooltip() -> None:
    tp = pool(
        outcome="response",
        condition="trd",
        comparator_types=("placebo", "active-placebo", "active-treatment"),
        include_reconstructed=True,
    )
    root = ET.fromstring(tp.forest_svg("TRD response"))
    wrapped = [t for t in root.iter(f"{NS}text") if t.get("class") == "wrapped"]
    assert wrapped, "Ochs-Ross 2020 (TRANSFORM-3) is longer than the label column"
    for t in wrapped:
        assert t.find(f"{NS}title") is not None
        assert len(list(t.iter(f"{NS}tspan"))) == 2
