"""Protocol definitions: frozen dataclasses loaded from the TOML files in ``data/``.

Each data file describes one route protocol (drug, route, dose ladder, maximum, phases of the
schedule, escalation rule, missed-session rules) and states its published source. The dataclasses
validate themselves in ``__post_init__`` and raise :class:`DefinitionError` naming the file, so a
malformed protocol fails at import time rather than at the bedside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ketacare.core.datafiles import iter_data_files
from ketacare.core.errors import DefinitionError, UnknownIdError
from ketacare.core.vocabulary import CONDITIONS, DRUGS, ROUTES

DOSE_UNITS = ("mg/kg", "mg")
ESCALATION_KINDS = ("ladder", "titrate", "fixed")
MISSED_ACTIONS = ("continue_schedule", "consider_previous_schedule")


@dataclass(frozen=True)
class Phase:
    """One phase of a schedule: ``periods`` blocks of ``period_days`` with N sessions each."""

    id: str
    period_days: int
    sessions_per_period: int
    periods: int
    step: int
    note: str
    open_ended: bool = False
    max_span_days: int | None = None
    keep_within_span: bool = False
    window_after_target_days: int | None = None
    start_offset_days: int = 0
    source: str = ""

    def __post_init__(self) -> None:
        src = self.source or self.id
        if not self.id:
            raise DefinitionError(src, "a phase needs an id")
        for name in ("period_days", "sessions_per_period", "periods"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise DefinitionError(src, f"phase {self.id}: {name} must be an integer >= 1")
        if self.sessions_per_period > self.period_days:
            raise DefinitionError(src, f"phase {self.id}: more sessions than days in a period")
        if not isinstance(self.start_offset_days, int) or self.start_offset_days < 0:
            raise DefinitionError(src, f"phase {self.id}: start_offset_days must be >= 0")
        if not isinstance(self.step, int) or self.step < 0:
            raise DefinitionError(src, f"phase {self.id}: step must be an integer >= 0")
        if self.keep_within_span and self.max_span_days is None:
            raise DefinitionError(src, f"phase {self.id}: keep_within_span needs max_span_days")
        if self.max_span_days is not None and self.max_span_days < 1:
            raise DefinitionError(src, f"phase {self.id}: max_span_days must be >= 1")

    @property
    def sessions(self) -> int:
        return self.sessions_per_period * self.periods


@dataclass(frozen=True)
class Escalation:
    """How the next dose is chosen from the response so far."""

    kind: str
    source: str
    response_fraction: float = 0.5
    min_sessions_at_dose: int = 1
    course_sessions: int | None = None
    increment_min: float | None = None
    increment_max: float | None = None
    secondary_source: bool = False
    caution: str = ""
    threshold_note: str = ""
    timing_note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ESCALATION_KINDS:
            raise DefinitionError(self.source, f"escalation kind {self.kind!r} unknown")
        if not 0 < self.response_fraction <= 1:
            raise DefinitionError(self.source, "response_fraction must be in (0, 1]")
        if self.min_sessions_at_dose < 1:
            raise DefinitionError(self.source, "min_sessions_at_dose must be >= 1")
        if self.kind == "titrate" and (
            self.increment_min is None
            or self.increment_max is None
            or not 0 < self.increment_min <= self.increment_max
        ):
            raise DefinitionError(self.source, "titrate needs 0 < increment_min <= increment_max")


@dataclass(frozen=True)
class MissedSessionRule:
    phase: str
    worsened: str  # "yes", "no" or "any"
    action: str
    reason: str
    to_phase: str | None = None


@dataclass(frozen=True)
class AgeStart:
    """A label's starting dose for patients of at least ``min_age_years`` (session 1 only)."""

    min_age_years: float
    dose_mg: float
    source: str


@dataclass(frozen=True)
class RequiresPrevious:
    """``dose_mg`` may be given only after ``previous_dose_mg`` earlier in the same course."""

    dose_mg: float
    previous_dose_mg: float
    source: str


@dataclass(frozen=True)
class Protocol:
    """A route protocol with its published source (see docs/protocols.md)."""

    id: str
    name: str
    drug: str
    route: str
    indication: str
    condition: str
    dose_unit: str
    steps: tuple[float, ...]
    phases: tuple[Phase, ...]
    escalation: Escalation
    source: str
    source_urls: tuple[str, ...]
    quotes: tuple[str, ...]
    filename: str
    max_dose_mg_per_kg: float | None = None
    max_dose_mg: float | None = None
    ceiling_mg_per_kg: float | None = None
    ceiling_mg: float | None = None
    ceiling_source: str = ""
    ceiling_mg_source: str = ""
    duration_min: float | None = None
    administration_min: float | None = None
    first_dose_mg: float | None = None
    first_dose_source: str = ""
    age_start: tuple[AgeStart, ...] = field(default=())
    requires_previous: tuple[RequiresPrevious, ...] = field(default=())
    device_mg: float | None = None
    dose_increment_mg: float | None = None
    minutes_between_devices: float | None = None
    default_concentration_mg_per_ml: float | None = None
    max_sessions_in_days: tuple[int, int] | None = None
    missed_session: tuple[MissedSessionRule, ...] = field(default=())

    def __post_init__(self) -> None:
        f = self.filename
        if self.condition not in CONDITIONS:
            raise DefinitionError(
                f, f"condition {self.condition!r} is not one of {', '.join(CONDITIONS)}"
            )
        if f"{self.id}.toml" != f:
            raise DefinitionError(f, f"id {self.id!r} must match the file name")
        if self.route not in ROUTES:
            raise DefinitionError(f, f"route {self.route!r} not one of {ROUTES}")
        if self.drug not in DRUGS:
            raise DefinitionError(f, f"drug {self.drug!r} not one of {DRUGS}")
        if self.dose_unit not in DOSE_UNITS:
            raise DefinitionError(f, f"dose_unit {self.dose_unit!r} not one of {DOSE_UNITS}")
        if not self.source or not self.source_urls:
            raise DefinitionError(f, "a protocol needs a source and at least one source URL")
        if not self.steps or any(not math.isfinite(s) or s <= 0 for s in self.steps):
            raise DefinitionError(f, "steps must be a non-empty list of positive doses")
        if list(self.steps) != sorted(set(self.steps)):
            raise DefinitionError(f, "steps must be strictly increasing")
        maximum = self.max_dose
        if self.dose_unit == "mg/kg" and self.max_dose_mg_per_kg is None:
            raise DefinitionError(f, "a mg/kg protocol needs max_dose_mg_per_kg")
        if self.dose_unit == "mg" and self.max_dose_mg is None:
            raise DefinitionError(f, "a mg protocol needs max_dose_mg")
        if self.steps[-1] > maximum:
            raise DefinitionError(f, "a step is above the protocol maximum")
        self._check_ceiling()
        self._check_session_rules()
        if not self.phases:
            raise DefinitionError(f, "a protocol needs at least one phase")
        ids = [p.id for p in self.phases]
        if len(set(ids)) != len(ids):
            raise DefinitionError(f, "phase ids must be unique")
        for phase in self.phases:
            if phase.step >= len(self.steps):
                raise DefinitionError(f, f"phase {phase.id}: step {phase.step} not in steps")
        if any(p.open_ended for p in self.phases[:-1]):
            raise DefinitionError(f, "only the last phase may be open-ended")
        if self.device_mg is not None:
            extra = [r.dose_mg for r in self.requires_previous]
            extra += [a.dose_mg for a in self.age_start]
            if self.first_dose_mg is not None:
                extra.append(self.first_dose_mg)
            for dose in (*self.steps, maximum, self.ceiling, *extra):
                if dose % self.device_mg:
                    raise DefinitionError(f, f"dose {dose} is not a whole number of devices")
        for rule in self.missed_session:
            if rule.phase not in ids or (rule.to_phase is not None and rule.to_phase not in ids):
                raise DefinitionError(f, f"missed_session rule names an unknown phase: {rule}")
            if rule.action not in MISSED_ACTIONS or rule.worsened not in ("yes", "no", "any"):
                raise DefinitionError(f, f"missed_session rule not understood: {rule}")
        if self.max_sessions_in_days is not None:
            n, days = self.max_sessions_in_days
            if n < 1 or days < 1:
                raise DefinitionError(f, "max_sessions_in_days must be two integers >= 1")

    def _check_ceiling(self) -> None:
        f = self.filename
        if not self.ceiling_source:
            raise DefinitionError(f, "a protocol needs a ceiling_source (why the ceiling holds)")
        if self.ceiling_mg is None or not math.isfinite(self.ceiling_mg) or self.ceiling_mg <= 0:
            raise DefinitionError(f, "a protocol needs ceiling_mg, an absolute mg cap above 0")
        if self.dose_unit == "mg/kg":
            per_kg = self.ceiling_mg_per_kg
            if per_kg is None or not math.isfinite(per_kg):
                raise DefinitionError(f, "a mg/kg protocol needs ceiling_mg_per_kg")
            if per_kg < self.max_dose:
                raise DefinitionError(f, "ceiling_mg_per_kg is below the protocol maximum")
            if not self.ceiling_mg_source:
                raise DefinitionError(f, "a mg/kg protocol needs ceiling_mg_source for its mg cap")
        else:
            if self.ceiling_mg_per_kg is not None:
                raise DefinitionError(f, "a mg protocol has no ceiling_mg_per_kg (use ceiling_mg)")
            if self.ceiling_mg < self.max_dose:
                raise DefinitionError(f, "ceiling_mg is below the protocol maximum")

    def _check_session_rules(self) -> None:
        f = self.filename
        if (self.age_start or self.requires_previous) and self.dose_unit != "mg":
            raise DefinitionError(f, "age_start and requires_previous are for mg protocols")
        if self.first_dose_mg is not None and not self.first_dose_source:
            raise DefinitionError(f, "first_dose_mg needs a first_dose_source")
        for rule in self.age_start:
            if not 0 < rule.min_age_years < 130 or rule.dose_mg <= 0 or not rule.source:
                raise DefinitionError(f, f"age_start rule not understood: {rule}")
            if rule.dose_mg > self.max_dose:
                raise DefinitionError(f, f"age_start dose {rule.dose_mg:g} mg is above the maximum")
        for req in self.requires_previous:
            if req.dose_mg <= 0 or req.previous_dose_mg <= 0 or not req.source:
                raise DefinitionError(f, f"requires_previous rule not understood: {req}")

    @property
    def ceiling(self) -> float:
        """The absolute ceiling in the protocol's own unit: no override passes it."""
        value = self.ceiling_mg_per_kg if self.dose_unit == "mg/kg" else self.ceiling_mg
        assert value is not None  # checked in __post_init__
        return value

    @property
    def max_dose(self) -> float:
        """The protocol maximum in the protocol's own unit (``dose_unit``)."""
        value = self.max_dose_mg_per_kg if self.dose_unit == "mg/kg" else self.max_dose_mg
        assert value is not None  # checked in __post_init__
        return value

    @property
    def weight_based(self) -> bool:
        return self.dose_unit == "mg/kg"

    def phase(self, phase_id: str) -> Phase:
        for phase in self.phases:
            if phase.id == phase_id:
                return phase
        raise UnknownIdError("phase", phase_id, [p.id for p in self.phases])

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "drug": self.drug,
            "route": self.route,
            "indication": self.indication,
            "condition": self.condition,
            "dose_unit": self.dose_unit,
            "steps": list(self.steps),
            "max_dose_mg_per_kg": self.max_dose_mg_per_kg,
            "max_dose_mg": self.max_dose_mg,
            "ceiling_mg_per_kg": self.ceiling_mg_per_kg,
            "ceiling_mg": self.ceiling_mg,
            "ceiling_source": self.ceiling_source,
            "ceiling_mg_source": self.ceiling_mg_source or None,
            "first_dose_mg": self.first_dose_mg,
            "age_start": [
                {"min_age_years": a.min_age_years, "dose_mg": a.dose_mg, "source": a.source}
                for a in self.age_start
            ],
            "requires_previous": [
                {"dose_mg": r.dose_mg, "previous_dose_mg": r.previous_dose_mg, "source": r.source}
                for r in self.requires_previous
            ],
            "duration_min": self.duration_min,
            "phases": [
                {
                    "id": p.id,
                    "sessions": p.sessions,
                    "period_days": p.period_days,
                    "sessions_per_period": p.sessions_per_period,
                    "open_ended": p.open_ended,
                    "note": p.note,
                }
                for p in self.phases
            ],
            "escalation": self.escalation.kind,
            "source": self.source,
            "source_urls": list(self.source_urls),
            "quotes": list(self.quotes),
        }


_PROTOCOL_KEYS = {
    "id",
    "name",
    "drug",
    "route",
    "indication",
    "condition",
    "dose_unit",
    "steps",
    "max_dose_mg_per_kg",
    "max_dose_mg",
    "ceiling_mg_per_kg",
    "ceiling_mg",
    "ceiling_source",
    "ceiling_mg_source",
    "duration_min",
    "administration_min",
    "first_dose_mg",
    "first_dose_source",
    "age_start",
    "requires_previous",
    "device_mg",
    "dose_increment_mg",
    "minutes_between_devices",
    "default_concentration_mg_per_ml",
    "max_sessions_in_days",
    "source",
    "source_urls",
    "quotes",
    "phases",
    "escalation",
    "missed_session",
}


def _float_or_none(raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    return None if value is None else float(value)


def protocol_from_toml(filename: str, raw: dict[str, Any]) -> Protocol:
    """Build a :class:`Protocol` from one parsed TOML file (raises DefinitionError)."""
    unknown = set(raw) - _PROTOCOL_KEYS
    if unknown:
        raise DefinitionError(filename, f"unknown keys {sorted(unknown)}")
    try:
        phases = tuple(
            Phase(
                id=str(p["id"]),
                period_days=p["period_days"],
                sessions_per_period=p["sessions_per_period"],
                periods=p["periods"],
                step=p.get("step", 0),
                note=str(p.get("note", "")),
                open_ended=bool(p.get("open_ended", False)),
                max_span_days=p.get("max_span_days"),
                keep_within_span=bool(p.get("keep_within_span", False)),
                window_after_target_days=p.get("window_after_target_days"),
                start_offset_days=p.get("start_offset_days", 0),
                source=filename,
            )
            for p in raw.get("phases", [])
        )
        esc = dict(raw.get("escalation", {"kind": "fixed", "source": raw.get("source", "")}))
        escalation = Escalation(
            kind=str(esc.pop("kind")),
            source=str(esc.pop("source", raw.get("source", ""))),
            **esc,
        )
        missed = tuple(MissedSessionRule(**m) for m in raw.get("missed_session", []))
        age_start = tuple(
            AgeStart(
                min_age_years=float(a["min_age_years"]),
                dose_mg=float(a["dose_mg"]),
                source=str(a["source"]),
            )
            for a in raw.get("age_start", [])
        )
        requires_previous = tuple(
            RequiresPrevious(
                dose_mg=float(r["dose_mg"]),
                previous_dose_mg=float(r["previous_dose_mg"]),
                source=str(r["source"]),
            )
            for r in raw.get("requires_previous", [])
        )
        window = raw.get("max_sessions_in_days")
        return Protocol(
            id=str(raw["id"]),
            name=str(raw["name"]),
            drug=str(raw["drug"]),
            route=str(raw["route"]),
            indication=str(raw.get("indication", "")),
            condition=str(raw.get("condition", "")),
            dose_unit=str(raw["dose_unit"]),
            steps=tuple(float(s) for s in raw["steps"]),
            phases=phases,
            escalation=escalation,
            source=str(raw["source"]),
            source_urls=tuple(str(u) for u in raw.get("source_urls", [])),
            quotes=tuple(str(q) for q in raw.get("quotes", [])),
            filename=filename,
            max_dose_mg_per_kg=_float_or_none(raw, "max_dose_mg_per_kg"),
            max_dose_mg=_float_or_none(raw, "max_dose_mg"),
            ceiling_mg_per_kg=_float_or_none(raw, "ceiling_mg_per_kg"),
            ceiling_mg=_float_or_none(raw, "ceiling_mg"),
            ceiling_source=str(raw.get("ceiling_source", "")),
            ceiling_mg_source=str(raw.get("ceiling_mg_source", "")),
            duration_min=_float_or_none(raw, "duration_min"),
            administration_min=_float_or_none(raw, "administration_min"),
            first_dose_mg=_float_or_none(raw, "first_dose_mg"),
            first_dose_source=str(raw.get("first_dose_source", "")),
            age_start=age_start,
            requires_previous=requires_previous,
            device_mg=_float_or_none(raw, "device_mg"),
            dose_increment_mg=_float_or_none(raw, "dose_increment_mg"),
            minutes_between_devices=_float_or_none(raw, "minutes_between_devices"),
            default_concentration_mg_per_ml=_float_or_none(raw, "default_concentration_mg_per_ml"),
            max_sessions_in_days=None if window is None else (int(window[0]), int(window[1])),
            missed_session=missed,
        )
    except DefinitionError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise DefinitionError(filename, f"malformed protocol: {exc!r}") from exc


@cache
def _library() -> dict[str, Protocol]:
    protocols: dict[str, Protocol] = {}
    for filename, raw in iter_data_files("ketacare.core.protocols"):
        protocol = protocol_from_toml(filename, raw)
        protocols[protocol.id] = protocol
    return protocols


def list_protocols() -> list[Protocol]:
    """Every shipped protocol, sorted by id."""
    return [p for _, p in sorted(_library().items())]


def get_protocol(protocol_id: str) -> Protocol:
    """The protocol with this id; :class:`UnknownIdError` names the known ids otherwise."""
    library = _library()
    if protocol_id not in library:
        raise UnknownIdError("protocol", protocol_id, list(library))
    return library[protocol_id]
