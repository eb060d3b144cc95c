"""Server-rendered inline SVG charts of a scale over time (no scripts, no network).

The response and remission lines come from the core's outcome rule
(``ketacare.core.outcomes.outcome_thresholds``): the response line is the highest whole score
judged a response from the baseline, the remission line the rule's ``remission_max``. This module
only draws.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from ketacare.core import outcomes as core_outcomes
from ketacare.core import scales as core_scales
from ketacare.core.errors import KetaCareError

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 110, 12, 28
LABEL_GAP = 13  # px between two line labels at the right (the font is 11 px high)


def spread(positions: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions moved apart so that no two are closer than ``gap``, kept within
    ``low..high`` where there is room, each as near its line as that allows (input order kept)."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [float(positions[i]) for i in order]
    for k in range(len(placed)):
        floor = low if k == 0 else placed[k - 1] + gap
        placed[k] = max(placed[k], floor)
    overflow = placed[-1] - high if placed else 0.0
    if overflow > 0:  # pushed past the bottom: move the stack up, never above ``low``
        for k in range(len(placed) - 1, -1, -1):
            ceiling = high if k == len(placed) - 1 else placed[k + 1] - gap
            placed[k] = max(min(placed[k], ceiling), low)
    out = [0.0] * len(positions)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


@dataclass(frozen=True)
class Lines:
    baseline: float | None
    response: float | None
    remission: float | None
    response_rule: str
    remission_rule: str


@functools.lru_cache(maxsize=1024)
def outcome_lines(scale_id: str, baseline: float | None) -> Lines:
    """Baseline, response and remission lines for ``scale_id`` from the core's outcome rule
    (``ketacare.core.outcomes.outcome_thresholds``). Cached per scale and baseline."""
    if baseline is None or baseline <= 0:
        return Lines(baseline, None, None, "", "")
    try:
        found = core_outcomes.outcome_thresholds(scale_id, baseline)
    except KetaCareError:
        return Lines(baseline, None, None, "", "")
    response_rule = found.rule["response"]
    remission_rule = found.rule.get("remission") or {}
    return Lines(
        baseline,
        found.response_max,
        found.remission_max,
        f"fall of at least {response_rule['min_fall_fraction']:.0%} ({response_rule['source']})",
        str(remission_rule.get("label", "")) if remission_rule else "",
    )


@functools.lru_cache(maxsize=64)
def scale_range(scale_id: str) -> tuple[float, float] | None:
    """The axis of ``scale_id``: the core's declared total range; for a scale whose range depends
    on an option (the BPRS positive subscale's coding), the span of the core's ranges over the
    option's values; None for a scale with no total (the C-SSRS screener's triage)."""
    scale = core_scales.get_scale(scale_id)
    if scale.scoring == "triage":
        return None
    if scale.total_min is not None and scale.total_max is not None:
        return float(scale.total_min), float(scale.total_max)
    ranges = [
        scale.total_range({option.key: value})
        for option in scale.options
        if option.item_ranges
        for value in option.values
    ] or [scale.total_range()]
    return float(min(r[0] for r in ranges)), float(max(r[1] for r in ranges))


def svg_chart(
    scale_id: str,
    points: Sequence[tuple[dt.datetime, float]],
    lines: Lines,
    *,
    title: str = "",
    self_report: Sequence[bool] | None = None,
) -> str:
    """An SVG line chart of ``points`` with the baseline, response and remission lines. A point
    the patient reported through a check-in (``self_report``) is a hollow dot titled so."""
    found = scale_range(scale_id)
    if found is None:  # no total to draw
        return ""
    low, high = found
    if high <= low:
        high = low + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    times = [p[0] for p in points]
    start = min(times) if times else dt.datetime.now(dt.UTC)
    end = max(times) if times else start
    span = max((end - start).total_seconds(), 1.0)

    inset = 8  # the first and last dots clear the axes

    def x(at: dt.datetime) -> float:
        if len(points) < 2:
            return LEFT + plot_w / 2
        return LEFT + inset + (at - start).total_seconds() / span * (plot_w - 2 * inset)

    def y(value: float) -> float:
        clamped = min(max(value, low), high)
        return TOP + (high - clamped) / (high - low) * plot_h

    label = escape(title or scale_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'font-family="sans-serif" font-size="11" '
        f'aria-label="{label} over time">',
        f"<title>{label} over time</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#d9dee4"/>',
    ]
    for tick in (low, (low + high) / 2, high):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
    drawn = [
        (name, value, text)
        for name, value, text in (
            ("baseline", lines.baseline, "baseline"),
            ("response", lines.response, "response"),
            ("remission", lines.remission, "remission"),
        )
        if value is not None
    ]
    # the labels beside the plot are spread apart so that close lines do not print on each other
    label_ys = spread([y(v) + 4 for _, v, _ in drawn], LABEL_GAP, TOP + 8, TOP + plot_h + 4)
    for (name, value, text), label_y in zip(drawn, label_ys, strict=True):
        yy = y(value)
        parts.append(
            f'<line class="{name}" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}"/>'
        )
        parts.append(
            f'<text class="line-label" x="{LEFT + plot_w + 6}" y="{label_y:.1f}">'
            f"{text} {value:g}</text>"
        )
    if points:
        coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
        parts.append(
            f'<polyline class="series" fill="none" stroke="#2b5d8a" stroke-width="2" '
            f'points="{coords}"/>'
        )
        flags = list(self_report or [False] * len(points))
        for (t, v), own in zip(points, flags, strict=True):
            if own:
                parts.append(
                    f'<circle class="dot self-report" fill="#fff" stroke="#2b5d8a" '
                    f'stroke-width="2" cx="{x(t):.1f}" cy="{y(v):.1f}" r="4">'
                    f"<title>{t:%Y-%m-%d}: {v:g} (self-report)</title></circle>"
                )
            else:
                parts.append(
                    f'<circle class="dot" fill="#2b5d8a" cx="{x(t):.1f}" cy="{y(v):.1f}" r="3">'
                    f"<title>{t:%Y-%m-%d}: {v:g}</title></circle>"
                )
        # date ticks under the plot: the first and last (one, under its dot, for a single
        # score) and the middle one when the three labels have room
        if len(points) == 1:
            ticks = [(x(start), "middle", start)]
        else:
            ticks = [(x(start), "start", start), (x(end), "end", end)]
            if plot_w >= 3 * 90 and (end - start) >= dt.timedelta(days=2):
                middle = start + (end - start) / 2
                ticks.insert(1, (x(middle), "middle", middle))
        for tx, anchor, at in ticks:
            parts.append(
                f'<line class="tick" x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP + plot_h}" '
                f'y2="{TOP + plot_h + 4}" stroke="#9aa5b1"/>'
            )
            parts.append(
                f'<text class="date-tick" x="{tx:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">'
                f"{at:%d %b %Y}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def chart_for(
    scale_id: str, measures: Sequence[Any], baseline_total: float | None
) -> dict[str, Any]:
    """Chart data for the template: the scale's name, the SVG and the rule texts of its lines.

    A scale with no total (the C-SSRS screener) has no SVG: ``levels`` lists each answer's triage
    level, as the core gave it, newest first."""
    name = scale_name(scale_id)
    if scale_range(scale_id) is None:
        levels = [(m.taken_at, getattr(m, "triage", "") or "") for m in measures]
        return {
            "scale": scale_id,
            "name": name,
            "svg": "",
            "levels": sorted(levels, key=lambda level: level[0], reverse=True),
            "lines": Lines(None, None, None, "", ""),
            "n": len(levels),
        }
    scored = [m for m in measures if m.total is not None]
    points = [(m.taken_at, float(m.total)) for m in scored]
    own = [getattr(m, "source", "staff") == "patient" for m in scored]
    lines = outcome_lines(scale_id, baseline_total)
    return {
        "scale": scale_id,
        "name": name,
        "svg": svg_chart(scale_id, points, lines, title=name, self_report=own),
        "n_self_report": sum(own),
        "levels": [],
        "lines": lines,
        "n": len(points),
    }


def scale_name(scale_id: str) -> str:
    """The core's name of ``scale_id`` (the id itself for a scale the core no longer has)."""
    try:
        return core_scales.get_scale(scale_id).name
    except KetaCareError:
        return scale_id
