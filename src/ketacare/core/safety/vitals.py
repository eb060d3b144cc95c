"""Vital-sign alerts against configurable limits (defaults in ``data/thresholds.toml``).

An absolute limit crossed gives severity ``"alert"``; a blood pressure more than
``baseline_bp_fraction`` (20%) away from the pre-dose baseline gives ``"warn"``. A value inside
every limit, with no baseline given, never alerts. Every limit is on by default, the diastolic
180/100 pair included; only ``diastolic_low`` is off, with its reason in the data file (a clinic
may set it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.safety._common import check_number
from ketacare.core.safety.thresholds import DEFAULT_THRESHOLDS, Thresholds

#: Plausible input ranges: outside them the value is refused as a typing error, not alerted on.
RANGES: dict[str, tuple[float, float, str]] = {
    "systolic": (40.0, 300.0, "mmHg"),
    "diastolic": (20.0, 200.0, "mmHg"),
    "heart_rate": (20.0, 250.0, "/min"),
    "spo2": (50.0, 100.0, "%"),
    "resp_rate": (0.0, 80.0, "/min"),
}

_LIMITS: dict[str, tuple[str | None, str | None]] = {
    "systolic": ("systolic_low", "systolic_high"),
    "diastolic": ("diastolic_low", "diastolic_high"),
    "heart_rate": ("heart_rate_low", "heart_rate_high"),
    "spo2": ("spo2_low", None),
    "resp_rate": ("resp_rate_low", "resp_rate_high"),
}

_LABELS = {
    "systolic": "Systolic BP",
    "diastolic": "Diastolic BP",
    "heart_rate": "Heart rate",
    "spo2": "SpO2",
    "resp_rate": "Respiratory rate",
}


@dataclass(frozen=True)
class VitalAlert:
    field: str
    value: float
    limit: float
    severity: str  # "alert" (absolute limit) or "warn" (change from baseline)
    reason: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "value": self.value,
            "limit": self.limit,
            "severity": self.severity,
            "reason": self.reason,
            "source": self.source,
        }


def check_vitals(
    systolic: float | None = None,
    diastolic: float | None = None,
    heart_rate: float | None = None,
    spo2: float | None = None,
    resp_rate: float | None = None,
    *,
    baseline: Mapping[str, float] | None = None,
    thresholds: Thresholds | None = None,
) -> list[VitalAlert]:
    """Alerts for one set of vital signs; an empty list means every given value is in range.

    ``baseline`` may hold the pre-dose ``systolic`` and/or ``diastolic``; a change of more than
    ``thresholds.baseline_bp_fraction`` of it gives a ``"warn"`` alert.
    """
    t = thresholds if thresholds is not None else DEFAULT_THRESHOLDS
    given = {
        "systolic": systolic,
        "diastolic": diastolic,
        "heart_rate": heart_rate,
        "spo2": spo2,
        "resp_rate": resp_rate,
    }
    values: dict[str, float] = {}
    for name, raw in given.items():
        low, high, unit = RANGES[name]
        value = check_number(name, raw, low, high, unit, optional=True)
        if value is not None:
            values[name] = value
    if "systolic" in values and "diastolic" in values and values["diastolic"] >= values["systolic"]:
        raise InputError("diastolic", diastolic, f"below the systolic pressure ({systolic:g})")
    base = _check_baseline(baseline)

    alerts: list[VitalAlert] = []
    for name, value in values.items():
        low_name, high_name = _LIMITS[name]
        unit = RANGES[name][2]
        if low_name is not None:
            low = getattr(t, low_name)
            if low is not None and value < low:
                alerts.append(
                    VitalAlert(
                        name,
                        value,
                        low,
                        "alert",
                        f"{_LABELS[name]} {value:g} {unit} is below {low:g} {unit}.",
                        t.source_of(low_name),
                    )
                )
        if high_name is not None:
            high = getattr(t, high_name)
            if high is not None and value > high:
                alerts.append(
                    VitalAlert(
                        name,
                        value,
                        high,
                        "alert",
                        f"{_LABELS[name]} {value:g} {unit} is above {high:g} {unit}.",
                        t.source_of(high_name),
                    )
                )
        if name in base:
            ref = base[name]
            fraction = t.baseline_bp_fraction
            change = (value - ref) / ref
            if abs(change) > fraction:
                limit = ref * (1 + fraction) if change > 0 else ref * (1 - fraction)
                alerts.append(
                    VitalAlert(
                        name,
                        value,
                        round(limit, 1),
                        "warn",
                        f"{_LABELS[name]} {value:g} mmHg is {change * 100:+.0f}% from the "
                        f"pre-dose {ref:g} mmHg (more than {fraction * 100:g}%).",
                        t.source_of("baseline_bp_fraction"),
                    )
                )
    return alerts


def _check_baseline(baseline: Mapping[str, float] | None) -> dict[str, float]:
    if baseline is None:
        return {}
    if not isinstance(baseline, Mapping):
        raise InputError("baseline", baseline, "a mapping of systolic and/or diastolic to mmHg")
    out: dict[str, float] = {}
    for key, raw in baseline.items():
        if key not in ("systolic", "diastolic"):
            raise InputError("baseline", key, "systolic or diastolic")
        low, high, unit = RANGES[key]
        value = check_number(f"baseline {key}", raw, low, high, unit)
        assert value is not None
        out[key] = value
    return out
