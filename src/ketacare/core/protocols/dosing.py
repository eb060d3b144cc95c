"""Dose calculator: mg from mg/kg and weight, volume from concentration, infusion rate.

Hard limits: a dose above the protocol maximum raises :class:`DoseLimitError` unless an override
reason is given; impossible input (a weight of 0, negative, absurd) raises :class:`InputError`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.protocols.definitions import Protocol, get_protocol

#: Weights outside this range are refused as impossible for an adult course (an input check,
#: not a clinical rule).
WEIGHT_RANGE_KG = (20.0, 300.0)
#: The strongest ketamine presentation named by the sources is 100 mg/mL (KADS, Lara 2013).
CONCENTRATION_MAX_MG_PER_ML = 100.0


class DoseLimitError(InputError):
    """A dose above the protocol maximum without an override reason."""


@dataclass(frozen=True)
class DoseResult:
    protocol: str
    dose_mg: float
    dose_mg_per_kg: float
    weight_kg: float
    step: int | None
    duration_min: float | None
    volume_ml: float | None
    concentration_mg_per_ml: float | None
    rate_ml_per_h: float | None
    rate_mg_per_h: float | None
    devices: int | None
    override: bool
    override_reason: str | None
    max_dose_mg_per_kg: float | None
    max_dose_mg: float | None
    warnings: tuple[str, ...]
    source: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["warnings"] = list(self.warnings)
        return data


def _number(field: str, value: Any, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(field, value, allowed)
    return float(value)


def check_weight(weight_kg: Any) -> float:
    low, high = WEIGHT_RANGE_KG
    allowed = f"a body weight from {low:g} to {high:g} kg"
    weight = _number("weight_kg", weight_kg, allowed)
    if not low <= weight <= high:
        raise InputError("weight_kg", weight_kg, allowed)
    return weight


def _check_concentration(value: Any) -> float:
    allowed = f"a concentration above 0 and at most {CONCENTRATION_MAX_MG_PER_ML:g} mg/mL"
    conc = _number("concentration_mg_per_ml", value, allowed)
    if not 0 < conc <= CONCENTRATION_MAX_MG_PER_ML:
        raise InputError("concentration_mg_per_ml", value, allowed)
    return conc


def _step_dose(protocol: Protocol, step: Any) -> float:
    allowed = f"a step from 0 to {len(protocol.steps) - 1} (doses {list(protocol.steps)})"
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < len(protocol.steps):
        raise InputError("step", step, allowed)
    return protocol.steps[step]


def _r(value: float, places: int = 2) -> float:
    return round(value, places)


def calculate_dose(
    protocol_id: str,
    weight_kg: float,
    *,
    step: int = 0,
    dose_mg_per_kg: float | None = None,
    dose_mg: float | None = None,
    concentration_mg_per_ml: float | None = None,
    override_reason: str | None = None,
) -> DoseResult:
    """Dose for one session of ``protocol_id``.

    The dose is the protocol's ``step`` (its dose ladder, step 0 = starting dose) unless
    ``dose_mg_per_kg`` or ``dose_mg`` is given. Volume needs a concentration (given, or the
    protocol's preparation); an IV infusion also gets its rates in mg/h and, with a volume, mL/h.
    """
    protocol = get_protocol(protocol_id)
    weight = check_weight(weight_kg)
    if dose_mg_per_kg is not None and dose_mg is not None:
        raise InputError("dose_mg", dose_mg, "either dose_mg or dose_mg_per_kg, not both")
    warnings: list[str] = []
    used_step: int | None = step
    if dose_mg_per_kg is not None:
        if not protocol.weight_based:
            raise InputError(
                "dose_mg_per_kg",
                dose_mg_per_kg,
                f"no mg/kg dose: {protocol.id} is dosed in mg (give dose_mg)",
            )
        per_kg = _number("dose_mg_per_kg", dose_mg_per_kg, "a dose above 0 mg/kg")
        if per_kg <= 0:
            raise InputError("dose_mg_per_kg", dose_mg_per_kg, "a dose above 0 mg/kg")
        mg = per_kg * weight
        used_step = None
    elif dose_mg is not None:
        mg = _number("dose_mg", dose_mg, "a dose above 0 mg")
        if mg <= 0:
            raise InputError("dose_mg", dose_mg, "a dose above 0 mg")
        per_kg = mg / weight
        used_step = None
    else:
        base = _step_dose(protocol, step)
        if protocol.weight_based:
            per_kg, mg = base, base * weight
        else:
            mg, per_kg = base, base / weight

    devices: int | None = None
    if protocol.device_mg is not None:
        if mg % protocol.device_mg:
            raise InputError(
                "dose_mg",
                dose_mg if dose_mg is not None else mg,
                f"a whole number of {protocol.device_mg:g} mg devices "
                f"(doses change in {protocol.dose_increment_mg:g} mg steps)",
            )
        devices = int(mg // protocol.device_mg)
        if mg < protocol.steps[0]:
            warnings.append(
                f"{mg:g} mg is below the label's {protocol.steps[0]:g} mg adult dose "
                "(the Hong Kong label starts patients aged 65 or more at 28 mg)"
            )

    # Hard limit.
    dose_in_unit = per_kg if protocol.weight_based else mg
    maximum = protocol.max_dose
    reason = (override_reason or "").strip()
    override = False
    if dose_in_unit > maximum + 1e-9:
        if not reason:
            raise DoseLimitError(
                "dose_mg_per_kg" if protocol.weight_based else "dose_mg",
                _r(dose_in_unit, 4),
                f"at most {maximum:g} {protocol.dose_unit} for {protocol.id} ({protocol.source}); "
                "a higher dose needs an override reason",
            )
        override = True
        warnings.append(
            f"above the protocol maximum of {maximum:g} {protocol.dose_unit}; "
            f"override reason: {reason}"
        )
    elif override_reason is not None and not reason:
        raise InputError("override_reason", override_reason, "a non-empty reason")

    # Duration.
    duration: float | None = protocol.duration_min or protocol.administration_min
    if devices is not None and protocol.minutes_between_devices is not None:
        duration = (devices - 1) * protocol.minutes_between_devices

    # Volume and rates.
    conc: float | None = None
    if concentration_mg_per_ml is not None:
        if devices is not None:
            raise InputError(
                "concentration_mg_per_ml",
                concentration_mg_per_ml,
                f"none: {protocol.id} is given as fixed {protocol.device_mg:g} mg devices",
            )
        conc = _check_concentration(concentration_mg_per_ml)
    elif devices is None:
        conc = protocol.default_concentration_mg_per_ml
    volume = None if conc is None else mg / conc
    rate_mg_h = rate_ml_h = None
    if protocol.route == "iv" and protocol.duration_min:
        hours = protocol.duration_min / 60.0
        rate_mg_h = mg / hours
        rate_ml_h = None if volume is None else volume / hours

    return DoseResult(
        protocol=protocol.id,
        dose_mg=_r(mg),
        dose_mg_per_kg=_r(per_kg, 4),
        weight_kg=weight,
        step=used_step,
        duration_min=duration,
        volume_ml=None if volume is None else _r(volume, 3),
        concentration_mg_per_ml=conc,
        rate_ml_per_h=None if rate_ml_h is None else _r(rate_ml_h),
        rate_mg_per_h=None if rate_mg_h is None else _r(rate_mg_h),
        devices=devices,
        override=override,
        override_reason=reason if override else None,
        max_dose_mg_per_kg=protocol.max_dose_mg_per_kg,
        max_dose_mg=protocol.max_dose_mg,
        warnings=tuple(warnings),
        source=protocol.source,
    )
