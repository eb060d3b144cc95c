"""Target-concentration planning: a loading bolus and stepped IV infusion rates.

The bolus fills the central volume to the target (``C * V1``). Each following step gets the
constant rate that makes the step's mean plasma concentration equal the target, given everything
already planned; because the model is linear, that rate is ``(C - mean free response) / mean unit
response``. This is the classic BET-style step-down scheme (bolus, elimination, transfer), solved
exactly rather than from the textbook approximation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ketacare.core.errors import InputError
from ketacare.core.pk.models import get_model
from ketacare.core.pk.simulate import Dose, _finite, check_weight, model_assumptions, prepare
from ketacare.core.pk.solver import FloatArray, Input, solve

MAX_TARGET_NG_PER_ML = 5000.0
MAX_HOLD_MIN = 24 * 60.0
_POINTS_PER_STEP = 41


@dataclass(frozen=True)
class TargetStep:
    start_min: float
    end_min: float
    rate_mg_per_h: float
    amount_mg: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_min": self.start_min,
            "end_min": self.end_min,
            "rate_mg_per_h": round(self.rate_mg_per_h, 4),
            "amount_mg": round(self.amount_mg, 4),
        }


@dataclass(frozen=True)
class TargetPlan:
    model: str
    target_ng_per_ml: float
    hold_min: float
    weight_kg: float
    bolus_mg: float
    steps: tuple[TargetStep, ...]
    total_mg: float
    predicted_min_ng_per_ml: float
    predicted_max_ng_per_ml: float
    predicted_end_ng_per_ml: float
    assumptions: tuple[str, ...]
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "target_ng_per_ml": self.target_ng_per_ml,
            "hold_min": self.hold_min,
            "weight_kg": self.weight_kg,
            "bolus_mg": round(self.bolus_mg, 4),
            "steps": [s.to_dict() for s in self.steps],
            "total_mg": round(self.total_mg, 4),
            "total_mg_per_kg": round(self.total_mg / self.weight_kg, 5),
            "predicted_min_ng_per_ml": round(self.predicted_min_ng_per_ml, 3),
            "predicted_max_ng_per_ml": round(self.predicted_max_ng_per_ml, 3),
            "predicted_end_ng_per_ml": round(self.predicted_end_ng_per_ml, 3),
            "assumptions": list(self.assumptions),
            "source": self.source,
        }


def plan_target(
    model_id: str,
    target_ng_per_ml: float,
    hold_min: float,
    weight_kg: float,
    *,
    step_min: float = 5.0,
) -> TargetPlan:
    """A bolus and stepped rates that reach ``target_ng_per_ml`` and hold it for ``hold_min``."""
    model = get_model(model_id)
    target = _finite(
        "target_ng_per_ml",
        target_ng_per_ml,
        low=0.0,
        exclusive=True,
        allowed=f"a target above 0 and at most {MAX_TARGET_NG_PER_ML:g} ng/mL",
    )
    if target > MAX_TARGET_NG_PER_ML:
        raise InputError(
            "target_ng_per_ml",
            target,
            f"a target above 0 and at most {MAX_TARGET_NG_PER_ML:g} ng/mL",
        )
    hold_allowed = f"a duration above 0 and at most {MAX_HOLD_MIN:g} min"
    hold = _finite("hold_min", hold_min, low=0.0, exclusive=True, allowed=hold_allowed)
    if hold > MAX_HOLD_MIN:
        raise InputError("hold_min", hold, hold_allowed)
    step = _finite("step_min", step_min, low=0.5, allowed="a step of at least 0.5 min")
    weight = float(check_weight(weight_kg)[0])

    plan = prepare(model, [Dose("iv", 1.0)], np.array([weight]))
    a, central = plan.a, plan.central
    v1 = float(plan.central_volume_l[0])
    bolus_mg = target * v1 / 1000.0
    inputs: list[Input] = [Input(central, np.array([bolus_mg]), 0.0)]
    steps: list[TargetStep] = []
    notes: list[str] = []
    n_steps = max(1, math.ceil(hold / step - 1e-9))
    for i in range(n_steps):
        t0, t1 = i * step, min((i + 1) * step, hold)
        grid = np.linspace(t0, t1, _POINTS_PER_STEP)
        free = _conc(a, inputs, grid, central, v1)
        unit = _conc(a, [Input(central, np.array([t1 - t0]), t0, t1 - t0)], grid, central, v1)
        rate = (target - _mean(grid, free)) / _mean(grid, unit)  # mg/min
        if rate < 0:
            notes.append(f"Step {i + 1}: the concentration is above target; the rate is 0.")
            rate = 0.0
        amount = rate * (t1 - t0)
        inputs.append(Input(central, np.array([amount]), t0, t1 - t0))
        steps.append(TargetStep(t0, t1, rate * 60.0, amount))
    check = np.linspace(0.0, hold, max(200, int(hold * 4) + 1))
    conc = _conc(a, inputs, check, central, v1)
    total = bolus_mg + sum(s.amount_mg for s in steps)
    assumptions = model_assumptions(model, [Dose("iv", 1.0)]) + notes
    assumptions.append(
        f"Typical patient of {weight:g} kg; rates hold the mean of each {step:g}-min step at the "
        "target; real concentrations vary between patients."
    )
    return TargetPlan(
        model=model.id,
        target_ng_per_ml=target,
        hold_min=hold,
        weight_kg=weight,
        bolus_mg=bolus_mg,
        steps=tuple(steps),
        total_mg=total,
        predicted_min_ng_per_ml=float(conc.min()),
        predicted_max_ng_per_ml=float(conc.max()),
        predicted_end_ng_per_ml=float(conc[-1]),
        assumptions=tuple(assumptions),
        source=model.source,
    )


def _conc(
    a: FloatArray, inputs: list[Input], times: FloatArray, central: int, v1: float
) -> FloatArray:
    out: FloatArray = solve(a, inputs, times, central)[0] / v1 * 1000.0
    return out


def _mean(grid: FloatArray, values: FloatArray) -> float:
    return float(np.trapezoid(values, grid) / (grid[-1] - grid[0]))
