"""The clinic's rate beside the published pooled rate as a small inline SVG (no external
resources). Positions only: the rates, intervals and their sources are the core's
(``core.evidence.clinic_vs_literature``)."""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH, LEFT, RIGHT, ROW = 560, 130, 20, 26
COLOURS = {"clinic": "#1f4e79", "published": "#9a3412"}
AXIS = 'stroke="#888" stroke-width="1"'


def _x(p: float) -> float:
    return LEFT + max(0.0, min(1.0, p)) * (WIDTH - LEFT - RIGHT)


def comparison_svg(comparison: dict[str, Any], label: str) -> str:
    """Two rows on a 0-100% axis: the clinic (rate, Wilson CI) and the published pooled rate
    (rate, CI, and the prediction interval dashed). Rows without a number are left out."""
    rows: list[tuple[str, str, float, float, float, tuple[float, float] | None]] = []
    clinic = comparison.get("clinic", {})
    if not clinic.get("suppressed") and clinic.get("rate") is not None:
        rows.append(
            ("This clinic", "clinic", clinic["rate"], clinic["ci_low"], clinic["ci_high"], None)
        )
    lit = comparison.get("literature", {})
    if lit.get("rate") is not None:
        pi = (lit["pi_low"], lit["pi_high"]) if lit.get("pi_low") is not None else None
        name = f"Published (k={lit['k']})"
        rows.append((name, "published", lit["rate"], lit["ci_low"], lit["ci_high"], pi))
    if not rows:
        return ""
    height = 30 + ROW * len(rows)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" '
        'class="comparison-chart" font-family="sans-serif" font-size="12">',
        f"<title>{escape(label)}: the clinic beside the published pooled rate</title>",
    ]
    axis_y = height - 18
    out.append(f'<line x1="{LEFT}" y1="{axis_y}" x2="{_x(1)}" y2="{axis_y}" {AXIS}/>')
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = _x(tick)
        out.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" {AXIS}/>')
        out.append(
            f'<text x="{x:.1f}" y="{axis_y + 15}" text-anchor="middle">{round(tick * 100)}%</text>'
        )
    for i, (name, cls, rate, lo, hi, pi) in enumerate(rows):
        y = 16 + ROW * i
        colour = COLOURS[cls]
        out.append(f'<text x="4" y="{y + 4}">{escape(name)}</text>')
        if pi is not None:
            out.append(
                f'<line x1="{_x(pi[0]):.1f}" y1="{y}" x2="{_x(pi[1]):.1f}" y2="{y}" '
                f'stroke="{colour}" stroke-opacity="0.5" stroke-width="2" stroke-dasharray="4 3"/>'
            )
        out.append(
            f'<line x1="{_x(lo):.1f}" y1="{y}" x2="{_x(hi):.1f}" y2="{y}" '
            f'stroke="{colour}" stroke-width="3"/>'
        )
        out.append(
            f'<circle cx="{_x(rate):.1f}" cy="{y}" r="5" fill="{colour}">'
            f"<title>{escape(name)}: {100 * rate:.1f}% ({100 * lo:.1f}% to {100 * hi:.1f}%)"
            "</title></circle>"
        )
    out.append("</svg>")
    return "\n".join(out)
