"""Safety thresholds: published defaults from ``data/thresholds.toml``, configurable per clinic.

``DEFAULT_THRESHOLDS`` holds the published values. A clinic changes one with
``dataclasses.replace(DEFAULT_THRESHOLDS, systolic_high=170)`` or
``DEFAULT_THRESHOLDS.with_overrides({"systolic_high": 170})`` (which names a bad field or value);
both re-run the validation. ``source_of(name)`` says where a value comes from, and says so when
a clinic has changed it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ketacare.core.datafiles import iter_data_files
from ketacare.core.errors import DefinitionError, InputError

DATA_FILE = "thresholds.toml"

#: Fields that may be switched off (value "none" in the data file, ``None`` in Python).
OPTIONAL_FIELDS = frozenset(
    {
        "systolic_high",
        "systolic_low",
        "diastolic_high",
        "diastolic_low",
        "heart_rate_high",
        "heart_rate_low",
        "spo2_low",
        "resp_rate_low",
        "resp_rate_high",
        "ketamine_predose_systolic_max",
        "ketamine_predose_diastolic_max",
        "esketamine_predose_systolic_max",
        "esketamine_predose_diastolic_max",
    }
)

_EMPTY: Mapping[str, str] = MappingProxyType({})
_EMPTY_VALUES: Mapping[str, float | None] = MappingProxyType({})


@dataclass(frozen=True)
class Thresholds:
    """Limits used by the gates, the vital-sign alerts and the discharge rules."""

    systolic_high: float | None
    systolic_low: float | None
    diastolic_high: float | None
    diastolic_low: float | None
    heart_rate_high: float | None
    heart_rate_low: float | None
    spo2_low: float | None
    resp_rate_low: float | None
    resp_rate_high: float | None
    baseline_bp_fraction: float
    esketamine_predose_systolic_max: float | None
    esketamine_predose_diastolic_max: float | None
    ketamine_predose_systolic_max: float | None
    ketamine_predose_diastolic_max: float | None
    esketamine_fasting_food_h: float
    esketamine_fasting_liquid_min: float
    esketamine_nasal_medicine_min: float
    esketamine_observation_min: float
    moaas_mild: int
    moaas_moderate_max: int
    cadss_severe_above: float
    aldrete_discharge_min: int
    rems_form_due_days: int
    sources: Mapping[str, str] = field(default_factory=lambda: _EMPTY, compare=False, repr=False)
    published: Mapping[str, float | None] = field(
        default_factory=lambda: _EMPTY_VALUES, compare=False, repr=False
    )
    origin: str = field(default="thresholds", compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in value_fields():
            value = getattr(self, name)
            if value is None:
                if name not in OPTIONAL_FIELDS:
                    self._fail(name, value, "a number (this threshold cannot be switched off)")
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self._fail(name, value, "a number")
            if not math.isfinite(value) or value < 0:
                self._fail(name, value, "a finite number of 0 or more")
        self._pair("systolic_low", "systolic_high")
        self._pair("diastolic_low", "diastolic_high")
        self._pair("heart_rate_low", "heart_rate_high")
        self._pair("resp_rate_low", "resp_rate_high")
        if self.spo2_low is not None and self.spo2_low > 100:
            self._fail("spo2_low", self.spo2_low, "a percentage 0-100")
        if not 0 < self.baseline_bp_fraction < 1:
            self._fail(
                "baseline_bp_fraction", self.baseline_bp_fraction, "a fraction above 0, below 1"
            )
        for name, top in (("moaas_mild", 5), ("moaas_moderate_max", 5)):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= top:
                self._fail(name, value, f"an integer 0-{top} (MOAA/S)")
        if self.moaas_moderate_max >= self.moaas_mild:
            self._fail("moaas_moderate_max", self.moaas_moderate_max, "below moaas_mild")
        if (
            not isinstance(self.aldrete_discharge_min, int)
            or not 0 <= self.aldrete_discharge_min <= 10
        ):
            self._fail("aldrete_discharge_min", self.aldrete_discharge_min, "an integer 0-10")
        if not isinstance(self.rems_form_due_days, int) or self.rems_form_due_days < 1:
            self._fail("rems_form_due_days", self.rems_form_due_days, "a whole number of days >= 1")
        if self.cadss_severe_above > 92:
            self._fail("cadss_severe_above", self.cadss_severe_above, "a CADSS total 0-92")

    def _pair(self, low_name: str, high_name: str) -> None:
        low, high = getattr(self, low_name), getattr(self, high_name)
        if low is not None and high is not None and low >= high:
            self._fail(low_name, low, f"below {high_name} ({high:g})")

    def _fail(self, name: str, value: Any, allowed: str) -> None:
        if self.origin == DATA_FILE:
            raise DefinitionError(DATA_FILE, f"[{name}] value {value!r}: expected {allowed}")
        raise InputError(f"threshold {name}", value, allowed)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Thresholds:
        """A copy with some values changed (clinic configuration); unknown names are refused."""
        known = value_fields()
        for name in overrides:
            if name not in known:
                raise InputError("threshold", name, "one of " + ", ".join(known))
        return dataclasses.replace(self, origin="clinic", **dict(overrides))

    def source_of(self, name: str) -> str:
        """The published source of a value, or a note that the clinic has changed it."""
        source = self.sources.get(name, "")
        value = getattr(self, name)
        if name in self.published and self.published[name] != value:
            default = self.published[name]
            shown = "none" if default is None else f"{default:g}"
            return f"clinic setting (published default {shown}: {source})"
        return source

    def to_dict(self) -> dict[str, Any]:
        return {
            name: {"value": getattr(self, name), "source": self.source_of(name)}
            for name in value_fields()
        }


def value_fields() -> tuple[str, ...]:
    """Names of the threshold values (not the bookkeeping fields)."""
    return tuple(
        f.name
        for f in dataclasses.fields(Thresholds)
        if f.name not in ("sources", "published", "origin")
    )


_INT_FIELDS = frozenset(
    {"moaas_mild", "moaas_moderate_max", "aldrete_discharge_min", "rems_form_due_days"}
)


_TABLE_KEYS = frozenset({"value", "unit", "rule", "source", "quote", "reason"})


def load_default_thresholds() -> Thresholds:
    """Read ``data/thresholds.toml`` into a validated :class:`Thresholds`."""
    files = dict(iter_data_files("ketacare.core.safety"))
    if DATA_FILE not in files:
        raise DefinitionError(DATA_FILE, "file missing from ketacare.core.safety/data")
    return thresholds_from_data(files[DATA_FILE])


def thresholds_from_data(data: Mapping[str, Any]) -> Thresholds:
    """Validate the parsed tables of ``thresholds.toml`` (errors name the file and the table).

    A value of ``"none"`` switches a rule off, and only with a ``reason`` saying why; the reason is
    added to the source text, so every output that cites the limit also says why it is off.
    """
    names = value_fields()
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise DefinitionError(DATA_FILE, f"unknown tables: {', '.join(unknown)}")
    values: dict[str, float | int | None] = {}
    sources: dict[str, str] = {}
    for name in names:
        table = data.get(name)
        if not isinstance(table, dict):
            raise DefinitionError(DATA_FILE, f"missing table [{name}]")
        extra = sorted(set(table) - _TABLE_KEYS)
        if extra:
            raise DefinitionError(DATA_FILE, f"[{name}] unknown keys: {', '.join(extra)}")
        for key in ("value", "unit", "rule", "source"):
            if key not in table:
                raise DefinitionError(DATA_FILE, f"[{name}] has no {key!r}")
        source = table["source"]
        if not isinstance(source, str) or not source.strip():
            raise DefinitionError(DATA_FILE, f"[{name}] source must be non-empty text")
        raw = table["value"]
        value: float | int | None
        if raw == "none":
            reason = table.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                raise DefinitionError(
                    DATA_FILE, f"[{name}] value 'none' needs a 'reason' saying why the rule is off"
                )
            value = None
            source = f"{source} (off by default: {reason.strip()})"
        elif isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise DefinitionError(DATA_FILE, f"[{name}] value {raw!r}: expected a number or 'none'")
        elif name in _INT_FIELDS:
            if not isinstance(raw, int):
                raise DefinitionError(DATA_FILE, f"[{name}] value {raw!r}: expected an integer")
            value = raw
        else:
            value = float(raw)
        values[name] = value
        sources[name] = source
    published = MappingProxyType(dict(values))
    return Thresholds(
        **values,  # type: ignore[arg-type]
        sources=MappingProxyType(sources),
        published=published,
        origin=DATA_FILE,
    )


DEFAULT_THRESHOLDS: Thresholds = dataclasses.replace(load_default_thresholds(), origin="defaults")
