"""Dose calculator: mg from mg/kg and weight, volume from concentration, infusion rate.

Hard limits, in the order they are checked:

- impossible input (a weight of 0, negative, absurd; a concentration, volume or rate outside its
  plausible range) raises :class:`InputError` saying what is allowed;
- a dose above the protocol's absolute **ceiling** (``ceiling_mg_per_kg`` and/or the absolute mg
  cap ``ceiling_mg``) raises :class:`DoseCeilingError` whatever the override reason;
- a dose above the protocol maximum and within the ceiling raises :class:`DoseLimitError` unless an
  override reason is given; with one the result says ``override=True`` and
  ``requires_role="prescriber"`` (the role itself is checked by the caller);
- session rules from the protocol file (esketamine: day-1 dose, the age-based start, 84 mg only
  after 56 mg) raise :class:`InputError` when ``session_number`` is given, and only warn when it
  is not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.protocols.definitions import Protocol, get_protocol

#: Weights outside this range are refused as impossible for an adult course (an input check,
#: not a clinical rule).
WEIGHT_RANGE_KG = (20.0, 300.0)
#: Every shipped protocol is an adult course (the SPRAVATO label: not approved in paediatric
#: patients); an age outside this range is refused as an input error.
AGE_RANGE_YEARS = (18.0, 120.0)
#: Plausible solution strengths. Upper: 100 mg/mL, the strongest ketamine presentation (KETALAR
#: label strengths 10, 50 and 100 mg/mL; KADS and Lara 2013 dose from 100 mg/mL). Lower: 0.1
#: mg/mL, a KetaCare plausibility bound (derived, not published): the smallest sourced dose (0.5
#: mg/kg x 20 kg = 10 mg) in a 100 mL bag. A smaller value is almost surely a unit slip (ug/mL or
#: g typed as mg/mL); 0.0001 mg/mL once gave 525,000 mL at 787,500 mL/h.
CONCENTRATION_RANGE_MG_PER_ML = (0.1, 100.0)
CONCENTRATION_MAX_MG_PER_ML = CONCENTRATION_RANGE_MG_PER_ML[1]
#: Largest volume one session may come to: 500 mL, a KetaCare plausibility bound (the KETALAR
#: label's infusion dilution is 500 mg in 500 mL at 1 mg/mL or in 250 mL at 2 mg/mL, as quoted by
#: the Handbook on Injectable Drugs, a secondary source); 35 mg in a 100-250 mL bag is far below.
VOLUME_MAX_ML = 500.0
#: Fastest plausible pump rate: 1000 mL/h, a KetaCare plausibility bound (500 mL over 30 min).
#: With the 40-minute IV protocols and VOLUME_MAX_ML a rate cannot pass 750 mL/h; the bound guards a
#: future protocol with a shorter infusion.
RATE_MAX_ML_PER_H = 1000.0
#: Tolerance for comparing doses with limits (doses are printed to 0.01 mg).
_EPS = 1e-9


class DoseLimitError(InputError):
    """A dose above the protocol maximum without an override reason."""


class DoseCeilingError(InputError):
    """A dose above the protocol's absolute ceiling: refused whatever the override reason."""


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
    ceiling_mg_per_kg: float | None = None
    ceiling_mg: float | None = None
    ceiling_source: str = ""
    requires_role: str | None = None
    session_number: int | None = None

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
    low, high = CONCENTRATION_RANGE_MG_PER_ML
    allowed = (
        f"a concentration from {low:g} to {high:g} mg/mL (the labels' strengths are 10, 50 and "
        f"100 mg/mL; below {low:g} mg/mL is taken as a unit slip)"
    )
    conc = _number("concentration_mg_per_ml", value, allowed)
    if not low <= conc <= high:
        raise InputError("concentration_mg_per_ml", value, allowed)
    return conc


def _check_session_number(value: Any) -> int | None:
    if value is None:
        return None
    allowed = "a whole number of 1 or more (1 = the first session of the course), or not given"
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError("session_number", value, allowed)
    return int(value)


def _check_age(value: Any) -> float | None:
    if value is None:
        return None
    low, high = AGE_RANGE_YEARS
    allowed = f"an age from {low:g} to {high:g} years (every protocol is an adult course)"
    age = _number("age_years", value, allowed)
    if not low <= age <= high:
        raise InputError("age_years", value, allowed)
    return age


def _check_previous(
    value: Any, session_number: int | None, protocol: Protocol
) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InputError("previous_doses_mg", value, "a list of earlier doses in mg, oldest first")
    allowed = (
        f"earlier doses of this course in mg, each above 0 and at most the "
        f"{protocol.ceiling_mg:g} mg ceiling of {protocol.id}"
    )
    doses: list[float] = []
    for dose in value:
        number = _number("previous_doses_mg", dose, allowed)
        if not 0 < number <= (protocol.ceiling_mg or math.inf) + _EPS:
            raise InputError("previous_doses_mg", dose, allowed)
        doses.append(number)
    if session_number is not None and len(doses) > session_number - 1:
        raise InputError(
            "previous_doses_mg",
            list(value),
            f"at most {session_number - 1} earlier dose(s) before session {session_number}",
        )
    return tuple(doses)


def _step_dose(protocol: Protocol, step: Any) -> float:
    allowed = f"a step from 0 to {len(protocol.steps) - 1} (doses {list(protocol.steps)})"
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < len(protocol.steps):
        raise InputError("step", step, allowed)
    return float(protocol.steps[step])


def _r(value: float, places: int = 2) -> float:
    return round(value, places)


def _check_ceiling(protocol: Protocol, mg: float, per_kg: float, weight: float) -> None:
    """Refuse a dose above the absolute ceiling, whatever the override reason."""
    if protocol.weight_based:
        ceiling = protocol.ceiling_mg_per_kg
        assert ceiling is not None  # checked by the definition
        if per_kg > ceiling + _EPS:
            raise DoseCeilingError(
                "dose_mg_per_kg",
                _r(per_kg, 4),
                f"at most {ceiling:g} mg/kg for {protocol.id}, its absolute ceiling "
                f"({protocol.ceiling_source}); no override reason passes the ceiling",
            )
    cap = protocol.ceiling_mg
    assert cap is not None  # checked by the definition
    if mg > cap + _EPS:
        source = protocol.ceiling_mg_source or protocol.ceiling_source
        raise DoseCeilingError(
            "dose_mg",
            _r(mg),
            f"at most {cap:g} mg for {protocol.id} whatever the weight "
            f"({cap / weight:.4g} mg/kg at {weight:g} kg), its absolute ceiling ({source}); "
            "no override reason passes the ceiling",
        )


def _session_rules(
    protocol: Protocol,
    mg: float,
    session_number: int | None,
    previous: tuple[float, ...],
    age: float | None,
    warnings: list[str],
) -> None:
    """The protocol's first-session, age-based start and step rules (esketamine label)."""
    first = protocol.first_dose_mg
    if first is None and not protocol.age_start and not protocol.requires_previous:
        return
    if session_number is None:
        parts = []
        if first is not None:
            parts.append(f"session 1 is {first:g} mg")
        parts += [
            f"{a.dose_mg:g} mg at session 1 from age {a.min_age_years:g}"
            for a in protocol.age_start
        ]
        parts += [
            f"{r.dose_mg:g} mg only after {r.previous_dose_mg:g} mg"
            for r in protocol.requires_previous
        ]
        warnings.append(
            f"session number not given: the session rules of {protocol.id} were not checked "
            f"({'; '.join(parts)}); give session_number to apply them"
        )
        return
    if session_number == 1:
        by_age = [a for a in protocol.age_start if age is not None and age >= a.min_age_years]
        allowed = {a.dose_mg for a in by_age}
        if first is not None:
            allowed.add(first)
        if allowed and not any(abs(mg - d) <= _EPS for d in allowed):
            reasons = []
            if first is not None:
                reasons.append(f"{first:g} mg ({protocol.first_dose_source})")
            for a in protocol.age_start:
                applies = (
                    "applies"
                    if a in by_age
                    else "age not given"
                    if age is None
                    else f"not at age {age:g}"
                )
                reasons.append(
                    f"{a.dose_mg:g} mg from age {a.min_age_years:g} ({applies}; {a.source})"
                )
            raise InputError(
                "dose_mg",
                _r(mg),
                f"at session 1 of {protocol.id}: " + " or ".join(reasons),
            )
        if age is None:
            warnings.extend(
                f"age not given: from age {a.min_age_years:g} the starting dose is "
                f"{a.dose_mg:g} mg ({a.source})"
                for a in protocol.age_start
            )
        for a in by_age:
            if first is not None and abs(mg - first) <= _EPS and abs(mg - a.dose_mg) > _EPS:
                warnings.append(
                    f"patient aged {age:g}: the starting dose from age {a.min_age_years:g} is "
                    f"{a.dose_mg:g} mg ({a.source}); {first:g} mg follows "
                    f"{protocol.first_dose_source}"
                )
        return
    for req in protocol.requires_previous:
        if abs(mg - req.dose_mg) > _EPS:
            continue
        if not any(abs(d - req.previous_dose_mg) <= _EPS for d in previous):
            given = ", ".join(f"{d:g} mg" for d in previous) or "none"
            raise InputError(
                "dose_mg",
                _r(mg),
                f"{req.dose_mg:g} mg at session {session_number} only after a "
                f"{req.previous_dose_mg:g} mg dose earlier in this course ({req.source}); "
                f"previous doses given: {given} (give previous_doses_mg)",
            )


def calculate_dose(
    protocol_id: str,
    weight_kg: float,
    *,
    step: int = 0,
    dose_mg_per_kg: float | None = None,
    dose_mg: float | None = None,
    concentration_mg_per_ml: float | None = None,
    override_reason: str | None = None,
    session_number: int | None = None,
    previous_doses_mg: Sequence[float] = (),
    age_years: float | None = None,
) -> DoseResult:
    """Dose for one session of ``protocol_id``.

    The dose is the protocol's ``step`` (its dose ladder, step 0 = starting dose) unless
    ``dose_mg_per_kg`` or ``dose_mg`` is given. Volume needs a concentration (given, or the
    protocol's preparation); an IV infusion also gets its rates in mg/h and, with a volume, mL/h.

    ``session_number`` (1 = the first session of the course), ``previous_doses_mg`` (the doses
    given earlier in this course, oldest first) and ``age_years`` apply the protocol's session
    rules; without ``session_number`` they are not applied and a warning says so.
    """
    protocol = get_protocol(protocol_id)
    weight = check_weight(weight_kg)
    session = _check_session_number(session_number)
    age = _check_age(age_years)
    previous = _check_previous(previous_doses_mg, session, protocol)
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

    # Absolute ceiling: no override passes it.
    _check_ceiling(protocol, mg, per_kg, weight)

    # Protocol maximum: passed only with an override reason (and the prescriber's role).
    dose_in_unit = per_kg if protocol.weight_based else mg
    maximum = protocol.max_dose
    reason = (override_reason or "").strip()
    override = False
    if dose_in_unit > maximum + _EPS:
        if not reason:
            raise DoseLimitError(
                "dose_mg_per_kg" if protocol.weight_based else "dose_mg",
                _r(dose_in_unit, 4),
                f"at most {maximum:g} {protocol.dose_unit} for {protocol.id} ({protocol.source}); "
                f"a higher dose up to the ceiling of {protocol.ceiling:g} {protocol.dose_unit} "
                "needs an override reason and the prescriber's role",
            )
        override = True
        warnings.append(
            f"above the protocol maximum of {maximum:g} {protocol.dose_unit} (ceiling "
            f"{protocol.ceiling:g} {protocol.dose_unit}); override reason: {reason}; "
            "requires the prescriber's role"
        )
    elif override_reason is not None and not reason:
        raise InputError("override_reason", override_reason, "a non-empty reason")

    # Session rules (esketamine: day-1 dose, age-based start, 84 mg only after 56 mg).
    _session_rules(protocol, mg, session, previous, age, warnings)
    if devices is not None and mg < protocol.steps[0]:
        by_age = [a for a in protocol.age_start if age is not None and age >= a.min_age_years]
        if not any(abs(mg - a.dose_mg) <= _EPS for a in by_age):
            note = "; ".join(
                f"{a.dose_mg:g} mg is a label dose from age {a.min_age_years:g} ({a.source})"
                for a in protocol.age_start
            )
            warnings.append(
                f"{mg:g} mg is below the {protocol.steps[0]:g} mg adult dose of {protocol.id}"
                + (f" ({note})" if note else "")
            )

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
    if volume is not None and volume > VOLUME_MAX_ML + _EPS:
        raise InputError(
            "concentration_mg_per_ml",
            conc,
            f"a concentration of at least {mg / VOLUME_MAX_ML:.3g} mg/mL for {mg:g} mg: the "
            f"volume would be {volume:.4g} mL and at most {VOLUME_MAX_ML:g} mL is plausible "
            "(a KetaCare plausibility bound)",
        )
    rate_mg_h = rate_ml_h = None
    if protocol.route == "iv" and protocol.duration_min:
        hours = protocol.duration_min / 60.0
        rate_mg_h = mg / hours
        rate_ml_h = None if volume is None else volume / hours
        if rate_ml_h is not None and rate_ml_h > RATE_MAX_ML_PER_H + _EPS:
            raise InputError(
                "concentration_mg_per_ml",
                conc,
                f"a concentration that keeps the rate at most {RATE_MAX_ML_PER_H:g} mL/h: "
                f"{volume:.4g} mL over {protocol.duration_min:g} min is {rate_ml_h:.4g} mL/h",
            )

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
        ceiling_mg_per_kg=protocol.ceiling_mg_per_kg,
        ceiling_mg=protocol.ceiling_mg,
        ceiling_source=protocol.ceiling_source,
        requires_role="prescriber" if override else None,
        session_number=session,
    )
