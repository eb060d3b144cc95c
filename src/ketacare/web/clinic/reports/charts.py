"""The Kaplan-Meier curve of the cohort report as inline SVG (positions only: the survival and
its confidence band are the core's, ``core.analytics.durability``)."""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 560, 240, 50, 20, 20, 40


def km_svg(km: dict[str, Any] | None, label: str) -> str:
    """A step curve (survival) with its 95% band, days on x, 0-100% on y; "" without a curve."""
    if not km or not km.get("curve"):
        return ""
    curve = km["curve"]
    last_day = max(max(p["day"] for p in curve), 7.0 * 12)
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: float) -> float:
        return LEFT + w * day / last_day

    def y(s: float) -> float:
        return TOP + h * (1 - max(0.0, min(1.0, s)))

    line, upper, lower = [], [], []
    prev = None
    for p in curve:
        if prev is not None:
            line.append(f"{x(p['day']):.1f},{y(prev['survival']):.1f}")
            upper.append(f"{x(p['day']):.1f},{y(prev['ci_high']):.1f}")
            lower.append(f"{x(p['day']):.1f},{y(prev['ci_low']):.1f}")
        line.append(f"{x(p['day']):.1f},{y(p['survival']):.1f}")
        upper.append(f"{x(p['day']):.1f},{y(p['ci_high']):.1f}")
        lower.append(f"{x(p['day']):.1f},{y(p['ci_low']):.1f}")
        prev = p
    end = f"{x(last_day):.1f}"
    assert prev is not None
    line.append(f"{end},{y(prev['survival']):.1f}")
    band = " ".join(
        [
            *upper,
            f"{end},{y(prev['ci_high']):.1f}",
            f"{end},{y(prev['ci_low']):.1f}",
            *list(reversed(lower)),
        ]
    )
    ticks = []
    for week in range(0, int(last_day // 7) + 1, 4):
        tx = x(7.0 * week)
        ticks.append(
            f'<line x1="{tx:.1f}" y1="{TOP + h}" x2="{tx:.1f}" y2="{TOP + h + 4}" stroke="#888"/>'
            f'<text x="{tx:.1f}" y="{TOP + h + 16}" text-anchor="middle">{week}</text>'
        )
    for pct in (0, 50, 100):
        ty = y(pct / 100)
        ticks.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{pct}%</text>'
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{LEFT + w}" y2="{ty:.1f}" stroke="#eee"/>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" class="km-chart" font-family="sans-serif" font-size="11">'
        f"<title>{escape(label)}</title>"
        + "".join(ticks)
        + f'<polygon points="{band}" fill="#1f4e79" fill-opacity="0.15" stroke="none"/>'
        f'<polyline points="{" ".join(line)}" fill="none" stroke="#1f4e79" stroke-width="2"/>'
        f'<line x1="{LEFT}" y1="{TOP + h}" x2="{LEFT + w}" y2="{TOP + h}" stroke="#888"/>'
        f'<text x="{LEFT + w / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle">weeks since first '
        "response</text></svg>"
    )
