"""The PK curve on the course plan (and the session page): ``ketacare.core.pk.curve``.

The web layer only chooses which of the core's parameter sets to draw (a display choice: the
first set, by id, that is not flagged, models the course's drug and route, and preferably samples
venous plasma so that the Bowdle effect band applies; ``?pk_model=`` picks another) and draws the
core's result as inline SVG: the concentration, the effect band levels, the two-hour mark, and
every assumption sentence the core returns.

Below it, the target-concentration infusion plan (``ketacare.core.pk.plan_target``) for IV
courses: a form (model, target, duration, step; the weight is the course's), the core's bolus and
stepped rates as a table and as bars over time, the core's errors beside their fields, and the
UNVERIFIED-parameters note the core attaches.
"""

from __future__ import annotations

from html import escape
from typing import Any, cast

from django import forms

from ketacare.core import pk as core_pk
from ketacare.core.errors import InputError, KetaCareError
from ketacare.web.lib.forms import plain_words

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
            chosen,  # type: ignore[arg-type]  # a default model id is chosen above when none is given
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


# --- target-concentration infusion plan (core.pk.plan_target) -------------------------------

#: the core's field names -> the form's fields, so its errors sit beside the right input
TARGET_FIELDS = {
    "model": "model",
    "target_ng_per_ml": "target_ng_per_ml",
    "hold_min": "hold_min",
    "step_min": "step_min",
}
ROUTE_NAMES = {
    "in": "intranasal",
    "im": "intramuscular",
    "sc": "subcutaneous",
    "po": "oral",
    "sl": "sublingual",
}
TGT_W, TGT_H = 640, 220
TGT_LEFT, TGT_RIGHT, TGT_TOP, TGT_BOTTOM = 56, 20, 24, 30


class TargetForm(forms.Form):
    """What a clinician chooses; the weight is the course's and every bound is the core's."""

    model = forms.ChoiceField(label="Model (parameter set)")
    target_ng_per_ml = forms.FloatField(
        label="Target plasma concentration (ng/mL)",
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    hold_min = forms.FloatField(
        label="Duration to hold it (min)", widget=forms.NumberInput(attrs={"step": "any"})
    )
    step_min = forms.FloatField(
        label="Rate step (min)",
        initial=5.0,
        required=False,
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text="the rate changes every step (default 5 min)",
    )

    def __init__(self, *args: Any, models: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, prefix="tci", **kwargs)  # type: ignore[misc]  # callers never pass prefix: the form's prefix is fixed
        unverified = " (parameters unverified)"
        cast(forms.ChoiceField, self.fields["model"]).choices = [
            (m.id, m.name + (unverified if m.parameter_status == "unverified" else ""))
            for m in models
        ]


def course_target(course: Any, protocol: Any, query: Any) -> dict[str, Any]:
    """The target-concentration plan section of the course page: the form and, once it is sent
    and valid, the core's plan with its table rows and SVG (IV courses only)."""
    if course.route != "iv":
        return {"applies": False, "route": ROUTE_NAMES.get(course.route, course.route)}
    models = [m for m in core_pk.list_models(include_flagged=False) if m.drug == course.drug]
    models = sorted((m for m in models if "iv" in m.routes), key=lambda m: m.id)
    if not models:
        return {"applies": False, "route": course.route, "no_model": True}
    sent = any(key.startswith("tci-") for key in query)
    initial = {"model": models[0].id, "hold_min": protocol.duration_min, "step_min": 5.0}
    form = TargetForm(query if sent else None, models=models, initial=initial)
    out: dict[str, Any] = {"applies": True, "form": form, "weight_kg": course.weight_kg}
    if not sent or not form.is_valid():
        return out
    data = form.cleaned_data
    try:
        plan = core_pk.plan_target(
            data["model"],
            data["target_ng_per_ml"],
            data["hold_min"],
            float(course.weight_kg),
            step_min=data["step_min"] if data.get("step_min") is not None else 5.0,
        )
    except InputError as exc:
        name = TARGET_FIELDS.get(exc.field)
        if name:
            form.add_error(name, plain_words(exc))
        else:  # the weight is the course's, not a field of this form
            form.add_error(None, f"The course's weight: {plain_words(exc)}")
        return out
    model = core_pk.get_model(plan.model)
    out["plan"] = plan.to_dict()
    out["model_name"] = model.name
    out["parameter_status"] = model.parameter_status
    out["unverified"] = [a for a in plan.assumptions if a.startswith("UNVERIFIED")]
    out["other_assumptions"] = [a for a in plan.assumptions if not a.startswith("UNVERIFIED")]
    out["svg"] = svg_target(out["plan"])
    return out


def svg_target(plan: dict[str, Any]) -> str:
    """The core's plan as rates over time: one bar per step (mg/h), the bolus marked at 0."""
    steps = plan["steps"]
    end = max(float(plan["hold_min"]), 1.0)
    top = max([float(s["rate_mg_per_h"]) for s in steps] + [1.0]) * 1.15
    plot_w = TGT_W - TGT_LEFT - TGT_RIGHT
    plot_h = TGT_H - TGT_TOP - TGT_BOTTOM

    def x(t: float) -> float:
        return TGT_LEFT + t / end * plot_w

    def y(rate: float) -> float:
        return TGT_TOP + (1 - rate / top) * plot_h

    title = escape(
        f"Infusion rates to hold {plan['target_ng_per_ml']:g} ng/mL for {plan['hold_min']:g} min"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {TGT_W} {TGT_H}" role="img" '
        f'font-family="sans-serif" font-size="11" class="tci-plan" aria-label="{title}">'
        f"<title>{title}</title>",
        f'<rect x="{TGT_LEFT}" y="{TGT_TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#d9dee4"/>',
    ]
    for i, s in enumerate(steps, start=1):
        t0, t1, rate = float(s["start_min"]), float(s["end_min"]), float(s["rate_mg_per_h"])
        parts.append(
            f'<rect class="rate-step" x="{x(t0):.1f}" y="{y(rate):.1f}" '
            f'width="{max(x(t1) - x(t0) - 1, 0.5):.1f}" height="{y(0) - y(rate):.1f}" '
            f'fill="#2b5d8a" fill-opacity="0.75"><title>Step {i}: {t0:g}-{t1:g} min, '
            f"{rate:.1f} mg/h ({float(s['amount_mg']):.2f} mg)</title></rect>"
        )
    parts.append(
        f'<circle class="bolus" cx="{x(0):.1f}" cy="{TGT_TOP - 8}" r="5" fill="#a15c00">'
        f"<title>Bolus {float(plan['bolus_mg']):.2f} mg at 0 min</title></circle>"
        f'<text x="{x(0) + 9:.1f}" y="{TGT_TOP - 4}">bolus {float(plan["bolus_mg"]):.2f} mg</text>'
    )
    for tick in (0.0, top / 2, top):
        parts.append(
            f'<text x="{TGT_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.0f}</text>'
        )
    every = 5 if end <= 40 else 10 if end <= 90 else 30 if end <= 240 else 60
    t = 0
    while t <= end + 1e-9:
        parts.append(f'<text x="{x(t):.1f}" y="{TGT_H - 10}" text-anchor="middle">{t} min</text>')
        t += every
    parts.append(
        f'<text x="{TGT_LEFT}" y="{TGT_TOP - 12}" text-anchor="end" dx="-6">mg/h</text></svg>'
    )
    return "".join(parts)
