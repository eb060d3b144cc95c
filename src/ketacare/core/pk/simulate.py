"""Doses in, plasma concentrations out: routes, variability, the Bowdle effect band, ``curve``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ketacare.core.errors import InputError
from ketacare.core.pk.models import ROUTES, PKModel, get_model, route_info
from ketacare.core.pk.solver import FloatArray, Input, solve

WEIGHT_RANGE_KG = (20.0, 250.0)
MAX_TIME_MIN = 14 * 24 * 60.0
BAND_THRESHOLDS_NG_PER_ML = (50.0, 100.0, 150.0, 200.0)
BAND_SOURCE = (
    "Bowdle TA et al. Anesthesiology 1998;88:82: psychedelic VAS ratings rose linearly with "
    "steady-state venous racemic ketamine concentrations held at 50, 100, 150 and 200 ng/mL"
)
BAND_LABEL = "Racemic ketamine, venous plasma, at steady state (Bowdle 1998)"
TWO_HOUR_MARK_MIN = 120.0
DEFAULT_VIRTUAL_PATIENTS = 500
DEFAULT_SEED = 20260101


@dataclass(frozen=True)
class Dose:
    """One administration: ``amount_mg`` by ``route`` at ``start_min`` over ``duration_min``.

    ``duration_min`` 0 is a bolus (IV push, IM/SC injection, a tablet, a nasal spray session).
    For intranasal esketamine the amount is split into 28-mg devices given 5 min apart.
    """

    route: str
    amount_mg: float
    start_min: float = 0.0
    duration_min: float = 0.0

    def __post_init__(self) -> None:
        if self.route not in ROUTES:
            raise InputError("route", self.route, "one of " + ", ".join(ROUTES))
        _finite("dose_mg", self.amount_mg, low=0.0, exclusive=True, allowed="a dose above 0 mg")
        _finite("start_min", self.start_min, low=0.0, allowed="a start time of 0 min or later")
        _finite("infusion_min", self.duration_min, low=0.0, allowed="a duration of 0 min or more")

    def to_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "amount_mg": self.amount_mg,
            "start_min": self.start_min,
            "duration_min": self.duration_min,
        }


def _finite(
    field_name: str, value: Any, *, low: float, allowed: str, exclusive: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(field_name, value, allowed)
    if value < low or (exclusive and value == low):
        raise InputError(field_name, value, allowed)
    return float(value)


def check_weight(weight_kg: Any) -> FloatArray:
    lo, hi = WEIGHT_RANGE_KG
    allowed = f"a body weight from {lo:g} to {hi:g} kg"
    arr = np.atleast_1d(np.asarray(weight_kg, dtype=np.float64))
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise InputError("weight_kg", weight_kg, allowed)
    bad = arr[(arr < lo) | (arr > hi)]
    if bad.size:
        raise InputError("weight_kg", float(bad[0]), allowed)
    return arr


def check_times(times_min: Any) -> FloatArray:
    allowed = f"times from 0 to {MAX_TIME_MIN:g} min"
    try:
        arr = np.atleast_1d(np.asarray(times_min, dtype=np.float64))
    except (TypeError, ValueError):
        raise InputError("times_min", times_min, allowed) from None
    if arr.ndim != 1 or arr.size == 0:
        raise InputError("times_min", times_min, allowed)
    bad = arr[~np.isfinite(arr) | (arr < 0) | (arr > MAX_TIME_MIN)]
    if bad.size:
        raise InputError("times_min", float(bad[0]), allowed)
    return arr


@dataclass(frozen=True)
class Plan:
    """A model made ready for given doses: matrix, inputs, sampled compartment and assumptions."""

    a: FloatArray
    inputs: tuple[Input, ...]
    central: int
    central_volume_l: FloatArray
    assumptions: tuple[str, ...]


def prepare(
    model: PKModel,
    doses: Sequence[Dose],
    weight_kg: FloatArray,
    factors: dict[str, FloatArray] | None = None,
    frn: FloatArray | None = None,
) -> Plan:
    """Translate doses into solver inputs (adding an absorption depot where the route needs one)."""
    factors = factors or {}
    a, vols = model.build(weight_kg, factors)
    p = a.shape[0]
    central = model.index(model.central)
    inputs: list[Input] = []
    assumptions: list[str] = []
    depots: dict[str, int] = {}
    if not doses:
        raise InputError("doses", [], "at least one dose")
    for dose in doses:
        if dose.route not in model.routes:
            raise InputError(
                "route",
                dose.route,
                f"a route model {model.id} can take: {', '.join(model.routes)}",
            )
        if dose.route == "in" and model.nasal is not None:
            inputs.extend(_nasal_inputs(model, dose, p, frn))
            continue
        info = route_info(model.drug, dose.route)
        assert info is not None  # checked when the data files load
        amount = np.full(p, dose.amount_mg * info.bioavailability)
        for text in info.assumptions():
            if text not in assumptions:
                assumptions.append(text)
        if dose.route == "iv":
            inputs.append(Input(central, amount, dose.start_min, dose.duration_min))
            continue
        if dose.route not in depots:
            ka = math.log(2.0) / info.absorption_halflife_min
            n = a.shape[1]
            grown = np.zeros((p, n + 1, n + 1))
            grown[:, :n, :n] = a
            grown[:, n, n] = -ka
            grown[:, central, n] = ka
            a = grown
            depots[dose.route] = n
        inputs.append(
            Input(depots[dose.route], amount, dose.start_min + info.lag_min, dose.duration_min)
        )
    return Plan(a, tuple(inputs), central, vols[:, central], tuple(assumptions))


def _nasal_inputs(model: PKModel, dose: Dose, p: int, frn: FloatArray | None) -> list[Input]:
    nasal = model.nasal
    assert nasal is not None
    devices = dose.amount_mg / nasal.device_mg
    if abs(devices - round(devices)) > 1e-9 or round(devices) < 1:
        raise InputError(
            "dose_mg",
            dose.amount_mg,
            f"a whole number of {nasal.device_mg:g}-mg devices (e.g. 56 or 84 mg)",
        )
    first = np.full(p, nasal.frn_first) if frn is None else frn
    nasal_idx = model.index(nasal.nasal_depot)
    gut_idx = model.index(nasal.gut_depot)
    out: list[Input] = []
    for d in range(round(devices)):
        frn_d = first if d == 0 else first * nasal.later_device_factor
        t = dose.start_min + d * nasal.device_interval_min
        out.append(Input(nasal_idx, nasal.device_mg * frn_d, t))
        swallowed = nasal.device_mg * (1.0 - frn_d) * nasal.fgut
        out.append(Input(gut_idx, swallowed, t, nasal.swallow_duration_min))
    return out


def model_assumptions(model: PKModel, doses: Sequence[Dose]) -> list[str]:
    out = model.notes()
    if model.nasal is not None and any(d.route == "in" for d in doses):
        n = model.nasal
        out.append(
            f"Intranasal: {n.device_mg:g}-mg devices {n.device_interval_min:g} min apart; the "
            f"first device's nasal fraction is {n.frn_first:.0%}, each later device "
            f"{n.later_device_factor:g} times that; the swallowed rest passes the gut "
            f"(fraction {n.fgut:g}) and the liver (Perez-Ruixo 2021)."
        )
    return out


def _concentrations(plan: Plan, times: FloatArray) -> FloatArray:
    amounts = solve(plan.a, plan.inputs, times, plan.central)
    out: FloatArray = amounts / plan.central_volume_l[:, None] * 1000.0
    return out


@dataclass(frozen=True)
class SimulationResult:
    model: str
    times_min: tuple[float, ...]
    plasma_ng_per_ml: FloatArray  # (T,) for one weight, (P, T) for several
    weight_kg: tuple[float, ...]
    doses: tuple[Dose, ...]
    assumptions: tuple[str, ...]
    source: str
    sampling: str
    drug: str
    parameter_status: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "drug": self.drug,
            "sampling": self.sampling,
            "times_min": list(self.times_min),
            "plasma_ng_per_ml": np.round(self.plasma_ng_per_ml, 6).tolist(),
            "weight_kg": list(self.weight_kg) if len(self.weight_kg) > 1 else self.weight_kg[0],
            "doses": [d.to_dict() for d in self.doses],
            "assumptions": list(self.assumptions),
            "parameter_status": self.parameter_status,
            "source": self.source,
        }


def simulate(
    model_id: str,
    doses: Sequence[Dose],
    times_min: Sequence[float] | FloatArray,
    weight_kg: float | Sequence[float] | FloatArray,
) -> SimulationResult:
    """Typical plasma concentrations (ng/mL) at ``times_min`` after ``doses``.

    With one weight the concentrations have shape (T,); with several weights (a vector of
    patients) shape (P, T). The solution is exact (eigen-decomposition superposition).
    """
    model = get_model(model_id)
    times = check_times(times_min)
    weights = check_weight(weight_kg)
    plan = prepare(model, doses, weights)
    conc = _concentrations(plan, times)
    scalar = np.ndim(weight_kg) == 0
    return SimulationResult(
        model=model.id,
        times_min=tuple(float(t) for t in times),
        plasma_ng_per_ml=conc[0] if scalar else conc,
        weight_kg=tuple(float(w) for w in weights),
        doses=tuple(doses),
        assumptions=tuple(model_assumptions(model, doses) + list(plan.assumptions)),
        source=model.source,
        sampling=model.sampling,
        drug=model.drug,
        parameter_status=model.parameter_status,
    )


def sample_variability(
    model: PKModel, n: int, seed: int = DEFAULT_SEED
) -> tuple[dict[str, FloatArray], FloatArray | None]:
    """Per-patient parameter multipliers (log-normal) and nasal fractions (logit-normal)."""
    rng = np.random.default_rng(seed)
    factors: dict[str, FloatArray] = {}
    frn: FloatArray | None = None
    for v in model.variability:
        if v.param == "frn":
            assert model.nasal is not None and v.logit_sd is not None
            base = model.nasal.frn_first
            logit = math.log(base / (1 - base)) + rng.normal(0.0, v.logit_sd, n)
            frn = 1.0 / (1.0 + np.exp(-logit))
        else:
            assert v.cv is not None
            omega = math.sqrt(math.log(1.0 + v.cv**2))
            factors[v.param] = np.exp(rng.normal(0.0, omega, n))
    return factors, frn


def percentile_band(
    model: PKModel,
    doses: Sequence[Dose],
    times: FloatArray,
    weight_kg: float,
    n: int = DEFAULT_VIRTUAL_PATIENTS,
    seed: int = DEFAULT_SEED,
) -> tuple[FloatArray, FloatArray]:
    """5th and 95th percentile concentrations of ``n`` virtual patients (fixed seed)."""
    factors, frn = sample_variability(model, n, seed)
    plan = prepare(model, doses, np.full(n, weight_kg), factors, frn)
    conc = _concentrations(plan, times)
    p5, p95 = np.percentile(conc, [5.0, 95.0], axis=0)
    return p5, p95


def minutes_above(times: FloatArray, conc: FloatArray, threshold: float) -> float:
    """Minutes with ``conc`` above ``threshold``, linear between the sample times."""
    t0, t1 = times[:-1], times[1:]
    c0, c1 = conc[:-1] - threshold, conc[1:] - threshold
    dt = t1 - t0
    both = (c0 > 0) & (c1 > 0)
    cross = (c0 > 0) != (c1 > 0)
    span = np.abs(c1 - c0)
    frac = np.where(cross, np.where(c0 > 0, c0, c1) / np.where(span > 0, span, 1.0), 0.0)
    return float(np.sum(np.where(both, dt, 0.0) + np.where(cross, frac * dt, 0.0)))


def effect_band(
    model: PKModel,
    times: FloatArray,
    conc: FloatArray,
    racemic_equivalent_factor: float | None = None,
) -> dict[str, Any]:
    """Time above 50/100/150/200 ng/mL on the Bowdle 1998 racemic venous steady-state scale."""
    reasons: list[str] = []
    scale = 1.0
    potency: str | None = None
    if model.drug != "racemic":
        if racemic_equivalent_factor is None:
            reasons.append(
                f"{model.drug} concentrations are not placed on the racemic scale without an "
                "explicit, stated potency assumption (racemic_equivalent_factor)"
            )
        else:
            scale = racemic_equivalent_factor
            potency = (
                f"ASSUMPTION stated by the caller: 1 ng/mL {model.drug} is treated as "
                f"{racemic_equivalent_factor:g} ng/mL racemic ketamine"
            )
    if model.sampling != "venous":
        reasons.append(f"{model.id} predicts {model.sampling} concentrations; Bowdle's were venous")
    applies = not reasons
    minutes: dict[str, float] | None = None
    if applies:  # never a number on a scale that does not apply
        minutes = {
            f"{t:g}": round(minutes_above(times, conc * scale, t), 3)
            for t in BAND_THRESHOLDS_NG_PER_ML
        }
    return {
        "label": BAND_LABEL,
        "source": BAND_SOURCE,
        "thresholds_ng_per_ml": list(BAND_THRESHOLDS_NG_PER_ML),
        "minutes_above": minutes,
        "applies": applies,
        "reason": "; ".join(reasons) if reasons else "racemic, venous model",
        "potency_assumption": potency,
        "note": "Effects were measured at steady state; during a rising infusion they lag plasma.",
    }


def curve(
    model_id: str,
    *,
    route: str,
    dose_mg: float,
    weight_kg: float,
    infusion_min: float | None = None,
    end_min: float = 240,
    step_min: float = 1,
    racemic_equivalent_factor: float | None = None,
) -> dict[str, Any]:
    """A JSON-able concentration curve for the web: times, typical plasma ng/mL, band, marks."""
    model = get_model(model_id)
    _finite("end_min", end_min, low=0.0, exclusive=True, allowed=f"0 < end_min <= {MAX_TIME_MIN}")
    if end_min > MAX_TIME_MIN:
        raise InputError("end_min", end_min, f"0 < end_min <= {MAX_TIME_MIN:g}")
    _finite("step_min", step_min, low=0.0, exclusive=True, allowed="a step above 0 min")
    if end_min / step_min > 20000:
        raise InputError("step_min", step_min, "a step giving at most 20000 points")
    if racemic_equivalent_factor is not None:
        _finite(
            "racemic_equivalent_factor",
            racemic_equivalent_factor,
            low=0.0,
            exclusive=True,
            allowed="a factor above 0",
        )
    if infusion_min is not None and route != "iv":
        raise InputError("infusion_min", infusion_min, "an infusion duration for route iv only")
    dose = Dose(route, dose_mg, 0.0, float(infusion_min or 0.0))
    times = np.arange(0.0, end_min + step_min / 2, step_min)
    result = simulate(model.id, [dose], times, weight_kg)
    conc = result.plasma_ng_per_ml
    peak = int(np.argmax(conc))
    out: dict[str, Any] = {
        "model": model.id,
        "model_name": model.name,
        "drug": model.drug,
        "route": route,
        "dose_mg": dose_mg,
        "weight_kg": weight_kg,
        "infusion_min": infusion_min,
        "sampling": model.sampling,
        "times_min": times.tolist(),
        "plasma_ng_per_ml": np.round(conc, 4).tolist(),
        "peak_ng_per_ml": round(float(conc[peak]), 4),
        "peak_min": float(times[peak]),
        "two_hour_mark_min": TWO_HOUR_MARK_MIN,
        "band": effect_band(model, times, conc, racemic_equivalent_factor),
        "assumptions": list(result.assumptions),
        "parameter_status": model.parameter_status,
        "flagged": model.flagged,
        "source": model.source,
        "variability": None,
    }
    if model.variability:
        p5, p95 = percentile_band(model, [dose], times, weight_kg)
        out["variability"] = {
            "p5_ng_per_ml": np.round(p5, 4).tolist(),
            "p95_ng_per_ml": np.round(p95, 4).tolist(),
            "virtual_patients": DEFAULT_VIRTUAL_PATIENTS,
            "seed": DEFAULT_SEED,
            "note": "5th-95th percentile of virtual patients drawn from the source's "
            "inter-individual variability (log-normal, omega^2 = ln(1 + CV^2)).",
            "parameter_status": model.parameter_status,
        }
    return out
