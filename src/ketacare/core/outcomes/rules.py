"""Per-scale outcome rules, loaded from the data files in ``core/outcomes/data``.

Each scale file states its total range, its response default, its remission definitions (with the
default one), its relapse rules, the SD and reliability for the reliable change index (only when
checked against the publication) and how its suicide signal is read. ``_general.toml`` holds the
rules that apply to every scale (partial response, the reliable-change criterion). Every rule
carries its source; the loaders below validate the values and name the file on error.

This module deliberately does not import ``ketacare.core.scales``: the outcome rules are kept
apart from the scoring rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ketacare.core.datafiles import iter_data_files
from ketacare.core.errors import DefinitionError, UnknownIdError

GENERAL_FILE = "_general.toml"
SUICIDE_KINDS = ("item", "total", "triage")
SUICIDE_STATUSES = ("published-convention", "clinic-setting")


def _number(source: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DefinitionError(source, f"{key} must be a finite number, not {value!r}")
    return float(value)


def _text(source: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(source, f"{key} must be a non-empty string, not {value!r}")
    return value


@dataclass(frozen=True)
class RemissionDefinition:
    """Remission when the total is at most ``max``."""

    id: str
    max: float
    label: str
    source: str
    file: str = ""

    def __post_init__(self) -> None:
        where = self.file or f"remission definition {self.id!r}"
        _text(where, "id", self.id)
        object.__setattr__(self, "max", _number(where, "max", self.max))
        _text(where, f"remission {self.id} label", self.label)
        _text(where, f"remission {self.id} source", self.source)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "max": self.max, "label": self.label, "source": self.source}


@dataclass(frozen=True)
class RelapseRule:
    """Relapse when ``consecutive`` assessments in a row score at least ``min`` after response."""

    id: str
    min: float
    consecutive: int
    after: str
    label: str
    source: str
    note: str = ""
    file: str = ""

    def __post_init__(self) -> None:
        where = self.file or f"relapse rule {self.id!r}"
        _text(where, "relapse id", self.id)
        object.__setattr__(self, "min", _number(where, "relapse min", self.min))
        if isinstance(self.consecutive, bool) or not isinstance(self.consecutive, int):
            raise DefinitionError(
                where, f"relapse consecutive must be an integer: {self.consecutive!r}"
            )
        if self.consecutive < 1:
            raise DefinitionError(
                where, f"relapse consecutive must be 1 or more: {self.consecutive}"
            )
        if self.after != "response":
            raise DefinitionError(where, f"relapse after must be 'response', not {self.after!r}")
        _text(where, "relapse label", self.label)
        _text(where, "relapse source", self.source)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "min": self.min,
            "consecutive": self.consecutive,
            "after": self.after,
            "label": self.label,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True)
class RciParameters:
    """Published SD and test-retest reliability of a scale's total, for the RCI."""

    sd: float
    reliability: float
    source: str
    file: str = ""

    def __post_init__(self) -> None:
        where = self.file or "rci"
        if _number(where, "rci sd", self.sd) <= 0:
            raise DefinitionError(where, f"rci sd must be above 0: {self.sd}")
        if not 0 <= _number(where, "rci reliability", self.reliability) < 1:
            raise DefinitionError(where, f"rci reliability must be in [0, 1): {self.reliability}")
        _text(where, "rci source", self.source)


@dataclass(frozen=True)
class SuicideRule:
    """How a scale signals suicidal ideation: an item, the total, or a triage level."""

    kind: str
    status: str
    source: str
    item: int | None = None
    item_min: int | None = None
    item_max: int | None = None
    positive_min: float | None = None
    file: str = ""

    def __post_init__(self) -> None:
        where = self.file or "suicide"
        if self.kind not in SUICIDE_KINDS:
            raise DefinitionError(
                where, f"suicide kind must be one of {SUICIDE_KINDS}: {self.kind!r}"
            )
        if self.status not in SUICIDE_STATUSES:
            raise DefinitionError(
                where, f"suicide status must be one of {SUICIDE_STATUSES}: {self.status!r}"
            )
        _text(where, "suicide source", self.source)
        if self.kind == "item":
            for key in ("item", "item_min", "item_max"):
                value = getattr(self, key)
                if isinstance(value, bool) or not isinstance(value, int):
                    raise DefinitionError(where, f"suicide {key} must be an integer: {value!r}")
            assert self.item_min is not None and self.item_max is not None
            if self.item_min >= self.item_max:
                raise DefinitionError(where, "suicide item_min must be below item_max")
        if self.kind in ("item", "total"):
            if self.positive_min is None:
                raise DefinitionError(
                    where, f"suicide positive_min is required for kind {self.kind}"
                )
            object.__setattr__(
                self, "positive_min", _number(where, "suicide positive_min", self.positive_min)
            )


@dataclass(frozen=True)
class ScaleRules:
    """Everything the outcomes area knows about one scale."""

    id: str
    name: str
    source_file: str
    min: float | None = None
    max: float | None = None
    response_fraction: float | None = None
    response_source: str | None = None
    remission_default: str | None = None
    remission_definitions: tuple[RemissionDefinition, ...] = ()
    relapse_rules: tuple[RelapseRule, ...] = ()
    rci: RciParameters | None = None
    suicide: SuicideRule | None = None
    _by_id: dict[str, RemissionDefinition] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = self.source_file
        _text(where, "id", self.id)
        _text(where, "name", self.name)
        if (self.min is None) != (self.max is None):
            raise DefinitionError(where, "min and max must be given together")
        if (
            self.min is not None
            and self.max is not None
            and _number(where, "min", self.min) >= _number(where, "max", self.max)
        ):
            raise DefinitionError(where, f"min {self.min} must be below max {self.max}")
        if self.min is not None and self.max is not None:
            object.__setattr__(self, "min", float(self.min))
            object.__setattr__(self, "max", float(self.max))
        if self.response_fraction is not None:
            if not 0 < _number(where, "response fraction", self.response_fraction) <= 1:
                raise DefinitionError(where, "response fraction must be in (0, 1]")
            _text(where, "response source", self.response_source)
        seen: dict[str, RemissionDefinition] = {}
        for definition in self.remission_definitions:
            if definition.id in seen:
                raise DefinitionError(where, f"remission definition {definition.id!r} is repeated")
            if self.min is None or self.max is None or not (self.min <= definition.max <= self.max):
                raise DefinitionError(
                    where, f"remission {definition.id} max {definition.max} is outside the range"
                )
            seen[definition.id] = definition
        if self.remission_default is not None and self.remission_default not in seen:
            raise DefinitionError(
                where, f"remission default {self.remission_default!r} is not a definition"
            )
        if seen and self.remission_default is None:
            raise DefinitionError(where, "remission definitions need a default")
        if self.suicide is not None and self.suicide.kind != "triage" and self.min is None:
            raise DefinitionError(where, "a scale with an item or total signal needs a range")
        self._by_id.update(seen)

    def remission(self, definition_id: str) -> RemissionDefinition:
        try:
            return self._by_id[definition_id]
        except KeyError:
            known = list(self._by_id) or ["(none stored for this scale)"]
            raise UnknownIdError(f"{self.id} remission definition", definition_id, known) from None


@dataclass(frozen=True)
class GeneralRules:
    partial_fraction: float
    partial_source: str
    rci_z: float
    rci_source: str

    def __post_init__(self) -> None:
        if not 0 < _number(GENERAL_FILE, "partial fraction", self.partial_fraction) < 1:
            raise DefinitionError(GENERAL_FILE, "partial_response fraction must be in (0, 1)")
        if _number(GENERAL_FILE, "reliable_change z", self.rci_z) <= 0:
            raise DefinitionError(GENERAL_FILE, "reliable_change z must be above 0")
        _text(GENERAL_FILE, "partial source", self.partial_source)
        _text(GENERAL_FILE, "reliable_change source", self.rci_source)


def _table(source: str, data: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise DefinitionError(source, f"[{key}] must be a table")
    return value


def _require(source: str, table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise DefinitionError(source, f"{where}: missing key {key!r}")
    return table[key]


def parse_scale_rules(source: str, data: dict[str, Any]) -> ScaleRules:
    """Build :class:`ScaleRules` from one parsed data file (``source`` names it in errors)."""
    known = {"id", "name", "min", "max", "response", "remission", "relapse", "rci", "suicide"}
    unknown = set(data) - known
    if unknown:
        raise DefinitionError(source, f"unknown keys: {', '.join(sorted(unknown))}")
    response = _table(source, data, "response") or {}
    remission = _table(source, data, "remission") or {}
    definitions = tuple(
        RemissionDefinition(
            id=_require(source, d, "id", "remission definition"),
            max=_require(source, d, "max", "remission definition"),
            label=_require(source, d, "label", "remission definition"),
            source=_require(source, d, "source", "remission definition"),
            file=source,
        )
        for d in remission.get("definitions", [])
    )
    relapse = tuple(
        RelapseRule(
            id=_require(source, r, "id", "relapse"),
            min=_require(source, r, "min", "relapse"),
            consecutive=_require(source, r, "consecutive", "relapse"),
            after=_require(source, r, "after", "relapse"),
            label=_require(source, r, "label", "relapse"),
            source=_require(source, r, "source", "relapse"),
            note=r.get("note", ""),
            file=source,
        )
        for r in data.get("relapse", [])
    )
    rci_table = _table(source, data, "rci")
    rci = (
        RciParameters(
            sd=_require(source, rci_table, "sd", "rci"),
            reliability=_require(source, rci_table, "reliability", "rci"),
            source=_require(source, rci_table, "source", "rci"),
            file=source,
        )
        if rci_table is not None
        else None
    )
    suicide_table = _table(source, data, "suicide")
    suicide = (
        SuicideRule(
            kind=_require(source, suicide_table, "kind", "suicide"),
            status=_require(source, suicide_table, "status", "suicide"),
            source=_require(source, suicide_table, "source", "suicide"),
            item=suicide_table.get("item"),
            item_min=suicide_table.get("item_min"),
            item_max=suicide_table.get("item_max"),
            positive_min=suicide_table.get("positive_min"),
            file=source,
        )
        if suicide_table is not None
        else None
    )
    return ScaleRules(
        id=_require(source, data, "id", "scale"),
        name=_require(source, data, "name", "scale"),
        source_file=source,
        min=data.get("min"),
        max=data.get("max"),
        response_fraction=response.get("fraction"),
        response_source=response.get("source"),
        remission_default=remission.get("default"),
        remission_definitions=definitions,
        relapse_rules=relapse,
        rci=rci,
        suicide=suicide,
    )


def parse_general_rules(data: dict[str, Any]) -> GeneralRules:
    partial = _table(GENERAL_FILE, data, "partial_response") or {}
    rci = _table(GENERAL_FILE, data, "reliable_change") or {}
    return GeneralRules(
        partial_fraction=_require(GENERAL_FILE, partial, "fraction", "partial_response"),
        partial_source=_require(GENERAL_FILE, partial, "source", "partial_response"),
        rci_z=_require(GENERAL_FILE, rci, "z", "reliable_change"),
        rci_source=_require(GENERAL_FILE, rci, "source", "reliable_change"),
    )


@cache
def _load() -> tuple[GeneralRules, dict[str, ScaleRules]]:
    general: GeneralRules | None = None
    scales: dict[str, ScaleRules] = {}
    for name, data in iter_data_files("ketacare.core.outcomes"):
        if name == GENERAL_FILE:
            general = parse_general_rules(data)
            continue
        rules = parse_scale_rules(name, data)
        if name != f"{rules.id}.toml":
            raise DefinitionError(name, f"file name must be {rules.id}.toml")
        scales[rules.id] = rules
    if general is None:
        raise DefinitionError(GENERAL_FILE, "missing")
    return general, scales


def general_rules() -> GeneralRules:
    """The rules shared by every scale (partial response, reliable-change criterion)."""
    return _load()[0]


def list_scale_rules() -> list[ScaleRules]:
    """Every scale with outcome rules, sorted by id."""
    return [rules for _, rules in sorted(_load()[1].items())]


def get_scale_rules(scale_id: str) -> ScaleRules:
    """The outcome rules of one scale; :class:`UnknownIdError` names the known ids."""
    scales = _load()[1]
    try:
        return scales[scale_id]
    except (KeyError, TypeError):
        raise UnknownIdError("scale", scale_id, list(scales)) from None
