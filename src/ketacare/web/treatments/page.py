"""What the session page shows, in words: the core's state (stage, each step's blockers and the
warnings), the dose overrides, the amendments, the vitals trend chart and the headline.

Display only. Every rule is the core's: the blockers and warnings are printed from
``workflow.state_for`` (never re-derived), the labels come from ``core.vocabulary`` and the
scale definitions, the chart's threshold lines from the core's thresholds; times are shown in the
clinic's time zone (``clinic_time``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ketacare.core import protocols as core_protocols
from ketacare.core import safety as core_safety
from ketacare.core import scales as core_scales
from ketacare.core import vocabulary as v
from ketacare.core.treatment import SessionState
from ketacare.web.accounts.models import User
from ketacare.web.lib.zone import clinic_time
from ketacare.web.treatments.models import TreatmentSession

#: the steps of the session in its order, with the page section each one belongs to
STEPS: tuple[tuple[str, str], ...] = (
    ("checklist", "checklist"),
    ("gate_decision", "checklist"),
    ("dose", "dose"),
    ("administration", "administration"),
    ("discharge", "discharge"),
    ("early_discharge", "discharge"),
    ("sign", "sign"),
)
#: actions that are open at any time of the session (listed apart from the next steps)
ANY_TIME = ("vitals", "rating", "adverse_event")
#: the scales rated at the chair, item by item
CHAIR_SCALES = ("moaas", "cadss")


def _parse(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else None
    return None


def recorded_steps(session: TreatmentSession) -> set[str]:
    """The steps already on the record (they stay open to a correction, but are not "next")."""
    done = set()
    if session.gate_report:
        done.add("checklist")
    if session.gate_note:
        done.add("gate_decision")
    if session.dose_mg is not None and session.dose_cleared:
        done.add("dose")
    if session.started_at or session.first_device_at:
        done.add("administration")
    if session.discharge:
        done.add("discharge")
    if session.early_discharge_reason:
        done.add("early_discharge")
    return done


def state_panel(
    state: SessionState, user_may: dict[str, bool], done: set[str] | None = None
) -> dict[str, Any]:
    """The "What happens next" panel: the stage in words, the next allowed steps not yet on the
    record (each with who may take it), what blocks signing, and the warnings; all from the
    core's state. A signed session has no next step: every change is an amendment."""
    signed = state.stage == "signed"
    steps = []
    for action, anchor in STEPS:
        verdict = state.verdict(action)
        if signed or not verdict.allowed or action in (done or set()):
            continue
        role = verdict.requires_role
        steps.append(
            {
                "action": action,
                "label": v.label(v.SESSION_ACTION_LABELS, action),
                "anchor": anchor,
                "role": role,
                "yours": not role or user_may.get(role, False),
            }
        )
    sign = state.verdict("sign")
    return {
        "stage": state.stage,
        "stage_label": v.label(v.SESSION_STAGE_LABELS, state.stage),
        "next": steps,
        "any_time": [v.label(v.SESSION_ACTION_LABELS, a) for a in ANY_TIME if state.allowed(a)],
        "signed": signed,
        "sign_blocker": sign.blockers[0] if sign.blockers and not signed else None,
        "sign_more": len(sign.blockers) - 1 if sign.blockers and not signed else 0,
        "warnings": list(state.warnings),
    }


def blockers_by_step(state: SessionState) -> dict[str, list[Any]]:
    """Each step's blockers as the core gave them (reason and source), keyed by action."""
    return {action: list(state.verdict(action).blockers) for action, _ in STEPS}


def gate_rows(session: TreatmentSession) -> list[dict[str, Any]]:
    report = session.gate_report or {}
    return [
        {
            "gate": d.get("gate", ""),
            "label": v.label(v.GATE_LABELS, d.get("gate", "")),
            "decision": d.get("decision", ""),
            "decision_label": v.label(v.DECISION_LABELS, d.get("decision", "")),
            "reason": d.get("reason", ""),
            "source": d.get("source", ""),
        }
        for d in report.get("decisions", [])
    ]


def criterion_rows(discharge: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [
        {
            "name": c.get("name", ""),
            "label": v.label(v.DISCHARGE_CRITERION_LABELS, c.get("name", "")),
            "status": c.get("status", ""),
            "status_label": v.label(v.CRITERION_STATUS_LABELS, c.get("status", "")),
            "reason": c.get("reason", ""),
        }
        for c in (discharge or {}).get("criteria", [])
    ]


def dose_overrides(session: TreatmentSession) -> list[dict[str, Any]]:
    """Every dose override of the session (not only the last), oldest first."""
    rows = []
    for o in session.dose_overrides or []:
        rows.append(
            {
                "dose_mg": o.get("dose_mg"),
                "dose_mg_per_kg": o.get("dose_mg_per_kg"),
                "reason": o.get("reason", ""),
                "by": o.get("by", ""),
                "at": clinic_time(_parse(o.get("at")), session.clinic),
            }
        )
    return rows


def scale_name(scale_id: str) -> tuple[str, str]:
    """(short name, full name) of a scale from its definition: ``("CADSS", "Clinician-...")``."""
    try:
        name = core_scales.get_scale(scale_id).name
    except Exception:  # an unknown id is shown as itself
        return scale_id, scale_id
    short = name.rsplit("(", 1)[-1].rstrip(")") if name.endswith(")") else name
    return short, name


def protocol_name(protocol_id: str) -> str:
    try:
        return core_protocols.get_protocol(protocol_id).name
    except Exception:  # a protocol no longer shipped is shown by its id
        return protocol_id


# --- amendments -------------------------------------------------------------------------------

_SUMMARISED = {"gate_report", "dose_result", "discharge", "dose_overrides"}


def _field_label(name: str) -> str:
    base = name[:-3] if name.endswith("_id") else name
    try:
        return str(TreatmentSession._meta.get_field(base).verbose_name)  # type: ignore[union-attr]  # base names a concrete field of the model
    except Exception:
        return base.replace("_", " ")


def _value(name: str, value: Any, clinic: Any, users: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if name.endswith("_id") and isinstance(value, int):
        return users.get(value, "another user")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    when = _parse(value)
    if when is not None:
        return clinic_time(when, clinic)
    return str(value)


def amendment_lines(amendments: list[Any], clinic: Any) -> list[dict[str, Any]]:
    """Each amendment as "field: before → after", with who, when (clinic time) and why; ids of
    people become their names, large records (the gate report, the dose result) are named as
    recalculated by the core."""
    ids: set[int] = set()
    for a in amendments:
        for record in (a.before or {}, a.after or {}):
            ids |= {val for k, val in record.items() if k.endswith("_id") and isinstance(val, int)}
    users = {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)} if ids else {}
    out = []
    for a in amendments:
        before, after = a.before or {}, a.after or {}
        changes = []
        for name in list(dict.fromkeys([*before, *after])):
            old, new = before.get(name), after.get(name)
            if old == new or name in ("version", "id"):
                continue
            if name in _SUMMARISED:
                changes.append({"field": _field_label(name), "summary": "recalculated by the core"})
                continue
            changes.append(
                {
                    "field": _field_label(name),
                    "before": _value(name, old, clinic, users),
                    "after": _value(name, new, clinic, users),
                }
            )
        out.append(
            {
                "what": a.action.replace("session.", "").replace("_", " "),
                "changes": changes,
                "by": a.actor.display_name,
                "at": clinic_time(a.at, clinic),
                "reason": a.reason,
            }
        )
    return out


# --- vitals trend chart -----------------------------------------------------------------------

CHART_W, CHART_H = 640, 220
PAD_L, PAD_R, PAD_T, PAD_B = 44, 12, 12, 28
Y_MIN, Y_MAX = 40.0, 220.0


def vitals_chart(session: TreatmentSession, vitals: list[Any]) -> dict[str, Any] | None:
    """Coordinates of an inline SVG: systolic, diastolic and heart rate against minutes from the
    start of dosing (or the first reading), with the core's alert thresholds as dashed lines."""
    rows = [r for r in vitals if r.systolic is not None or r.heart_rate is not None]
    if not rows:
        return None
    origin = session.first_device_at or session.started_at or rows[0].taken_at
    minutes = [(r.taken_at - origin).total_seconds() / 60.0 for r in rows]
    lo, hi = min(0.0, min(minutes)), max(max(minutes), 60.0)
    span = hi - lo or 1.0
    plot_w, plot_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B

    def x(m: float) -> float:
        return round(PAD_L + (m - lo) / span * plot_w, 1)

    def y(value: float) -> float:
        value = max(Y_MIN, min(Y_MAX, value))
        return round(PAD_T + (Y_MAX - value) / (Y_MAX - Y_MIN) * plot_h, 1)

    series = []
    for key, label, css in (
        ("systolic", "Systolic BP", "sys"),
        ("diastolic", "Diastolic BP", "dia"),
        ("heart_rate", "Heart rate", "hr"),
    ):
        pts = [
            {
                "x": x(m),
                "y": y(getattr(r, key)),
                "value": f"{getattr(r, key):g}",
                "out": r.out_of_range,
            }
            for r, m in zip(rows, minutes, strict=True)
            if getattr(r, key) is not None
        ]
        if pts:
            series.append(
                {
                    "key": css,
                    "label": label,
                    "points": pts,
                    "path": " ".join(f"{p['x']},{p['y']}" for p in pts),
                }
            )
    t = core_safety.DEFAULT_THRESHOLDS
    lines = []
    for value, label, at_end in (
        (t.systolic_high, "systolic alert", True),
        (t.diastolic_high, "diastolic alert", True),
        (t.systolic_low, "systolic low", False),  # labelled at the start: no overlap
    ):
        if value is not None and Y_MIN <= value <= Y_MAX:
            lines.append(
                {
                    "y": y(value),
                    "label": f"{label} {value:g}",
                    "x2": CHART_W - PAD_R,
                    "label_x": CHART_W - PAD_R if at_end else PAD_L + 4,
                    "anchor": "end" if at_end else "start",
                    "dy": -3 if at_end else 11,
                }
            )
    step = 30 if span > 90 else 15
    ticks = [
        {"x": x(m), "label": f"{m:g}"}
        for m in range(int(lo // step * step), int(hi) + 1, step)
        if lo <= m <= hi
    ]
    y_ticks = [{"y": y(val), "label": f"{val:g}"} for val in (60, 100, 140, 180, 220)]
    return {
        "w": CHART_W,
        "h": CHART_H,
        "left": PAD_L,
        "bottom": CHART_H - PAD_B,
        "right": CHART_W - PAD_R,
        "series": series,
        "lines": lines,
        "ticks": ticks,
        "y_ticks": y_ticks,
        "origin": "the first device"
        if session.first_device_at
        else "the start of dosing"
        if session.started_at
        else "the first reading",
        "source": "alert thresholds: core.safety thresholds (" + t.origin + ")",
    }
