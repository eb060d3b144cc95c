"""The PK curve on the course plan (and the session page): ``ketacare.core.pk.curve``.

The web layer only chooses which of the core's parameter sets to draw (a display choice: the
first set, by id, that is not flagged, models the course's drug and route, and preferably samples
venous plasma so that the Bowdle effect band applies; ``?pk_model=`` picks another) and draws the
core's result as inline SVG: the concentration, the effect band levels, the two-hour mark, and
every assumption sentence the core returns.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ketacare.core import pk as core_pk
from ketacare.core.errors import KetaCareError

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 90, 12, 30


def models_for(drug: str, route: str) -> list[Any]:
    models = [m for m in core_pk.list_models(include_flagged=False) if m.drug == drug]
    models = [m for m in models if route in m.routes]
    return sorted(models, key=lambda m: (m.sampling != "venous", m.id))


def curve_for(
    drug: str,
    route: str,
    *,
    dose_mg: float | None,
    weight_kg: float,
    infusion_min: float | None = None,
    model_id: str | None = None,
) -> dict[str, Any] | None:
    """The core's curve for one dose with its SVG, or None (with no model or no dose)."""
    choices = models_for(drug, route)
    if not choices or dose_mg is None:
        return None
    ids = [m.id for m in choices]
    chosen = model_id if model_id in ids else ids[0]
    try:
        result = core_pk.curve(
            chosen,
            route=route,
            dose_mg=dose_mg,
            weight_kg=weight_kg,
            infusion_min=infusion_min if route == "iv" else None,
            end_min=240,
            step_min=2,
        )
    except KetaCareError as exc:
        return {"error": str(exc), "model_ids": ids, "model": chosen}
    result = dict(result)
    result["svg"] = svg_curve(result)
    result["model_ids"] = ids
    return result


def course_curve(course: Any, protocol: Any, model_id: str | None = None) -> dict[str, Any] | None:
    """The curve of the course's first planned dose."""
    first = course.planned_sessions.order_by("index").first()
    if first is None:
        return None
    return curve_for(
        course.drug,
        course.route,
        dose_mg=first.dose_mg,
        weight_kg=course.weight_kg,
        infusion_min=protocol.duration_min,
        model_id=model_id,
    )


def svg_curve(result: dict[str, Any]) -> str:
    times = [float(t) for t in result["times_min"]]
    conc = [float(c) for c in result["plasma_ng_per_ml"]]
    band = result.get("band") or {}
    levels = (
        [float(v) for v in band.get("thresholds_ng_per_ml") or []] if band.get("applies") else []
    )
    peak = max([*conc, 1.0])
    # scale to the curve; show at least the lowest band level for context
    top = max(peak * 1.15, levels[0] * 1.1 if levels else 0.0)
    levels = [level for level in levels if level <= top]
    end = max(times[-1] if times else 1.0, 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: float) -> float:
        return LEFT + t / end * plot_w

    def y(c: float) -> float:
        return TOP + (1 - c / top) * plot_h

    title = escape(f"{result.get('model_name', '')}: plasma concentration over time")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'font-family="sans-serif" font-size="11" '
        f'aria-label="{title}"><title>{title}</title>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#d9dee4"/>',
    ]
    if levels:
        parts.append(
            f'<rect class="band" x="{LEFT}" y="{TOP}" width="{plot_w}" '
            f'height="{y(levels[0]) - TOP:.1f}" fill="#fff4e0"/>'
        )
    for level in levels:
        parts.append(
            f'<line class="response" stroke="#a15c00" stroke-dasharray="5 3" x1="{LEFT}" '
            f'x2="{LEFT + plot_w}" y1="{y(level):.1f}" '
            f'y2="{y(level):.1f}"/><text x="{LEFT + plot_w + 4}" y="{y(level) + 4:.1f}">'
            f"{level:g} ng/mL</text>"
        )
    mark = result.get("two_hour_mark_min")
    if mark is not None and float(mark) <= end:
        xm = x(float(mark))
        parts.append(
            f'<line class="baseline" stroke="#5d6b7a" stroke-dasharray="4 3" x1="{xm:.1f}" '
            f'x2="{xm:.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>'
            f'<text x="{xm + 3:.1f}" y="{TOP + 12}">2 h</text>'
        )
    if times:
        coords = " ".join(f"{x(t):.1f},{y(c):.1f}" for t, c in zip(times, conc, strict=False))
        parts.append(
            f'<polyline class="series" fill="none" stroke="#2b5d8a" stroke-width="2" '
            f'points="{coords}"/>'
        )
    for tick in (0.0, top / 2, top):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.0f}</text>'
        )
    for t in range(0, int(end) + 1, 60):
        parts.append(f'<text x="{x(t):.1f}" y="{HEIGHT - 10}" text-anchor="middle">{t} min</text>')
    parts.append(f'<text x="{LEFT}" y="{TOP - 2}">ng/mL</text></svg>')
    return "".join(parts)
