"""Rating-scale definitions: frozen dataclasses loaded from the TOML files in ``data/``.

Each file describes one scale (grammar in docs/scales.md, "Data file grammar"). The dataclasses
check themselves in ``__post_init__`` and raise :class:`DefinitionError` naming the file, so a
malformed file fails when the library loads, not when a patient's score is computed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ketacare.core.datafiles import iter_data_files
from ketacare.core.errors import DefinitionError, UnknownIdError

SCORING_KINDS = ("sum", "triage")
ANSWER_KINDS = ("integer", "yes-no")
COMBINE_KINDS = ("sum", "max")


@dataclass(frozen=True)
class ItemDefinition:
    """One item: its number, a short label, the allowed integer range (or yes/no)."""

    number: int
    label: str
    min: int
    max: int
    text: str | None = None
    loinc: str | None = None
    not_scored: tuple[int, ...] = ()
    may_be_blank: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "label": self.label,
            "min": self.min,
            "max": self.max,
            "text": self.text,
            "loinc": self.loinc,
            "not_scored": list(self.not_scored),
            "may_be_blank": self.may_be_blank,
        }


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    label: str


@dataclass(frozen=True)
class BandSet:
    """Severity bands covering the whole total range, with their published source."""

    id: str
    source: str
    bands: tuple[Band, ...]
    default: bool = False

    def band_for(self, total: int) -> Band | None:
        for band in self.bands:
            if band.min <= total <= band.max:
                return band
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "default": self.default,
            "bands": [{"min": b.min, "max": b.max, "label": b.label} for b in self.bands],
        }


@dataclass(frozen=True)
class OptionDefinition:
    """An administration option (``--option key=value``), e.g. HAM-D item 16 method A or B.

    ``default`` None means the option must be given, unless ``required`` is false: then it is
    recorded when given and left out when not (HAM-D item 16 scores the same by method A or B).
    ``item_ranges`` maps a value to the range every item takes under it (BPRS coding 1-7 or 0-6).
    """

    key: str
    values: tuple[str, ...]
    help: str
    default: str | None = None
    required: bool = True
    item_ranges: Mapping[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Domain:
    """Items combined into one scoring unit (QIDS-SR16: the worst of the sleep items)."""

    name: str
    items: tuple[int, ...]
    combine: str


@dataclass(frozen=True)
class Subscale:
    id: str
    name: str
    items: tuple[int, ...]
    source: str


@dataclass(frozen=True)
class CountRequirement:
    items: tuple[int, ...]
    at_least: int


@dataclass(frozen=True)
class CountRule:
    """A flag set when enough items reach a threshold in each group (PCL-5 DSM-5 rule)."""

    id: str
    threshold: int
    requirements: tuple[CountRequirement, ...]
    source: str


@dataclass(frozen=True)
class SkipRule:
    """If item ``when_item`` is answered ``equals``, the items in ``skip`` are not asked."""

    when_item: int
    equals: str
    skip: tuple[int, ...]


@dataclass(frozen=True)
class ScaleDefinition:
    """A rating scale as published, with everything needed to score and explain a result."""

    id: str
    name: str
    version: str
    source: str
    rater: str
    recall: str
    text_status: str
    scoring: str
    rule: str
    items: tuple[ItemDefinition, ...]
    file: str = ""
    answers: str = "integer"
    total_min: int | None = None
    total_max: int | None = None
    band_sets: tuple[BandSet, ...] = ()
    options: tuple[OptionDefinition, ...] = ()
    domains: tuple[Domain, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    count_rules: tuple[CountRule, ...] = ()
    skip_rules: tuple[SkipRule, ...] = ()
    at_least_one_of: tuple[tuple[int, ...], ...] = ()
    missing_rule: str | None = None
    suicide_item: int | None = None
    triage_high_if_yes: tuple[int, ...] = ()
    triage_source: str | None = None
    loinc_panel: str | None = None
    loinc_total: str | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        src = self.file or self.id
        if self.scoring not in SCORING_KINDS:
            raise DefinitionError(src, f"scoring {self.scoring!r} is not one of {SCORING_KINDS}")
        if self.answers not in ANSWER_KINDS:
            raise DefinitionError(src, f"answers {self.answers!r} is not one of {ANSWER_KINDS}")
        for name in ("id", "name", "version", "source", "rule", "text_status"):
            if not getattr(self, name):
                raise DefinitionError(src, f"{name} is required")
        numbers = [item.number for item in self.items]
        if numbers != list(range(1, len(numbers) + 1)):
            raise DefinitionError(src, f"items must be numbered 1..n in order, got {numbers}")
        for item in self.items:
            if item.min > item.max:
                raise DefinitionError(src, f"item {item.number}: min {item.min} > max {item.max}")
            if not item.label:
                raise DefinitionError(src, f"item {item.number}: a short label is required")
            for value in item.not_scored:
                if not item.min <= value <= item.max:
                    raise DefinitionError(src, f"item {item.number}: not_scored {value} outside")
        known = set(numbers)

        def check_items(where: str, items: Sequence[int]) -> None:
            unknown = [n for n in items if n not in known]
            if unknown or not items:
                raise DefinitionError(src, f"{where}: unknown or empty item numbers {list(items)}")

        seen: set[int] = set()
        for domain in self.domains:
            check_items(f"domain {domain.name}", domain.items)
            if domain.combine not in COMBINE_KINDS:
                raise DefinitionError(src, f"domain {domain.name}: combine {domain.combine!r}")
            if seen & set(domain.items):
                raise DefinitionError(src, f"domain {domain.name} overlaps another domain")
            seen |= set(domain.items)
        for sub in self.subscales:
            check_items(f"subscale {sub.id}", sub.items)
        for rule in self.count_rules:
            for req in rule.requirements:
                check_items(f"count rule {rule.id}", req.items)
        for skip in self.skip_rules:
            check_items("skip rule", (skip.when_item, *skip.skip))
        for group in self.at_least_one_of:
            check_items("at_least_one_of", group)
        if self.triage_high_if_yes:
            check_items("triage", self.triage_high_if_yes)
        if self.scoring == "triage" and (self.answers != "yes-no" or not self.triage_source):
            raise DefinitionError(src, "triage scoring needs yes-no answers and triage_source")
        if self.suicide_item is not None and self.suicide_item not in known:
            raise DefinitionError(src, f"suicide_item {self.suicide_item} is not an item")
        blank = [i.number for i in self.items if i.may_be_blank]
        if blank and not self.missing_rule:
            raise DefinitionError(src, "items that may be blank need a missing_rule with a source")
        for option in self.options:
            if option.default is not None and option.default not in option.values:
                raise DefinitionError(src, f"option {option.key}: default not in values")
            if not option.required and option.item_ranges:
                raise DefinitionError(src, f"option {option.key}: item ranges need a value")
            for coded in option.item_ranges:
                if coded not in option.values:
                    raise DefinitionError(src, f"option {option.key}: range for unknown {coded}")
        self._check_totals_and_bands(src)

    def _check_totals_and_bands(self, src: str) -> None:
        if self.scoring == "triage":
            if self.band_sets or self.total_min is not None:
                raise DefinitionError(src, "a triage scale has no total and no bands")
            return
        if any(o.item_ranges and o.default is None for o in self.options):
            # The range depends on a required option (bprs-positive coding): no declared total.
            if self.total_min is not None or self.total_max is not None or self.band_sets:
                raise DefinitionError(
                    src, "a scale whose range depends on a required option declares no total"
                )
            return
        low, high = self.total_range()
        if (self.total_min, self.total_max) != (low, high):
            raise DefinitionError(
                src,
                f"declared total range {self.total_min}-{self.total_max} does not match the "
                f"range computed from the items, {low}-{high}",
            )
        if self.band_sets and sum(1 for b in self.band_sets if b.default) != 1:
            raise DefinitionError(src, "exactly one band set must be the default")
        for band_set in self.band_sets:
            expected = low
            for band in band_set.bands:
                if band.min != expected or band.max < band.min:
                    raise DefinitionError(
                        src, f"band set {band_set.id}: bands must be contiguous from {low}"
                    )
                expected = band.max + 1
            if expected != high + 1:
                raise DefinitionError(src, f"band set {band_set.id}: bands must end at {high}")

    # -- derived facts -------------------------------------------------------------------------

    @property
    def item_count(self) -> int:
        return len(self.items)

    def item(self, number: int) -> ItemDefinition:
        return self.items[number - 1]

    def option(self, key: str) -> OptionDefinition | None:
        for option in self.options:
            if option.key == key:
                return option
        return None

    def default_band_set(self) -> BandSet | None:
        for band_set in self.band_sets:
            if band_set.default:
                return band_set
        return None

    def band_set(self, band_set_id: str) -> BandSet | None:
        for band_set in self.band_sets:
            if band_set.id == band_set_id:
                return band_set
        return None

    def item_range(self, item: ItemDefinition, options: Mapping[str, str]) -> tuple[int, int]:
        """The range of ``item`` under the chosen options (BPRS coding changes every item)."""
        for option in self.options:
            chosen = options.get(option.key, option.default)
            if chosen is not None and chosen in option.item_ranges:
                return option.item_ranges[chosen]
        return (item.min, item.max)

    def units(self) -> list[tuple[str, tuple[int, ...], str]]:
        """Scoring units in item order: (name, item numbers, combine)."""
        in_domain = {n for d in self.domains for n in d.items}
        units: list[tuple[str, tuple[int, ...], str]] = []
        for item in self.items:
            if item.number in in_domain:
                for domain in self.domains:
                    if domain.items[0] == item.number:
                        units.append((domain.name, domain.items, domain.combine))
            else:
                units.append((f"item {item.number}", (item.number,), "sum"))
        return units

    def total_range(self, options: Mapping[str, str] | None = None) -> tuple[int, int]:
        """The lowest and highest total the scoring rule can give (derived from the items)."""
        opts = options or {}
        low = high = 0
        for _name, numbers, combine in self.units():
            lows: list[int] = []
            highs: list[int] = []
            for n in numbers:
                item = self.item(n)
                a, b = self.item_range(item, opts)
                scored = [v for v in range(a, b + 1) if v not in item.not_scored]
                lows.append(min(scored))
                highs.append(max(scored))
            if combine == "max":
                low += max(lows)
                high += max(highs)
            else:
                low += sum(lows)
                high += sum(highs)
        return low, high

    def range_text(self) -> str:
        if self.scoring == "triage":
            return "triage level (no total)"
        ranged = [o for o in self.options if o.item_ranges]
        if not ranged:
            low, high = self.total_range()
            return f"{low}-{high}"
        parts = []
        for option in ranged:
            for value in option.values:
                low, high = self.total_range({option.key: value})
                parts.append(f"{low}-{high} ({option.key} {value})")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "rater": self.rater,
            "recall": self.recall,
            "text_status": self.text_status,
            "scoring": self.scoring,
            "rule": self.rule,
            "answers": self.answers,
            "items": [item.to_dict() for item in self.items],
            "item_count": self.item_count,
            "range": self.range_text(),
            "total_min": self.total_min,
            "total_max": self.total_max,
            "band_sets": [b.to_dict() for b in self.band_sets],
            "options": [
                {
                    "key": o.key,
                    "values": list(o.values),
                    "default": o.default,
                    "required": o.required,
                    "help": o.help,
                    "item_ranges": {k: list(v) for k, v in o.item_ranges.items()},
                }
                for o in self.options
            ],
            "domains": [
                {"name": d.name, "items": list(d.items), "combine": d.combine} for d in self.domains
            ],
            "subscales": [
                {"id": s.id, "name": s.name, "items": list(s.items), "source": s.source}
                for s in self.subscales
            ],
            "missing_rule": self.missing_rule,
            "suicide_item": self.suicide_item,
            "triage_high_if_yes": list(self.triage_high_if_yes),
            "triage_source": self.triage_source,
            "loinc_panel": self.loinc_panel,
            "loinc_total": self.loinc_total,
            "notes": list(self.notes),
        }


# -- loading ------------------------------------------------------------------------------------


def _ints(src: str, where: str, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise DefinitionError(src, f"{where} must be a list of integers")
    return tuple(value)


def _pair(src: str, where: str, value: Any) -> tuple[int, int]:
    pair = _ints(src, where, value)
    if len(pair) != 2:
        raise DefinitionError(src, f"{where} must be [min, max]")
    return pair[0], pair[1]


def build_scale(raw: Mapping[str, Any], file: str) -> ScaleDefinition:
    """Turn one parsed TOML file into a :class:`ScaleDefinition` (raises DefinitionError)."""
    data = dict(raw)
    try:
        default_range = data.pop("items_range", None)
        items = []
        for entry in data.pop("items"):
            entry = dict(entry)
            if "min" not in entry and "max" not in entry:
                if default_range is None and data.get("answers") != "yes-no":
                    raise DefinitionError(file, f"item {entry.get('number')}: no range")
                low, high = _pair(file, "items_range", default_range or [0, 1])
                entry["min"], entry["max"] = low, high
            entry["not_scored"] = _ints(file, "not_scored", entry.get("not_scored", []))
            items.append(ItemDefinition(**entry))
        band_sets = tuple(
            BandSet(
                id=b["id"],
                source=b["source"],
                default=bool(b.get("default", False)),
                bands=tuple(Band(**band) for band in b["bands"]),
            )
            for b in data.pop("band_sets", [])
        )
        options = tuple(
            OptionDefinition(
                key=o["key"],
                values=tuple(o["values"]),
                help=o["help"],
                default=o.get("default"),
                required=bool(o.get("required", True)),
                item_ranges={
                    k: _pair(file, f"option {o['key']} range", v)
                    for k, v in o.get("item_ranges", {}).items()
                },
            )
            for o in data.pop("options", [])
        )
        domains = tuple(
            Domain(name=d["name"], items=_ints(file, "domain", d["items"]), combine=d["combine"])
            for d in data.pop("domains", [])
        )
        subscales = tuple(
            Subscale(
                id=s["id"],
                name=s["name"],
                items=_ints(file, "subscale", s["items"]),
                source=s["source"],
            )
            for s in data.pop("subscales", [])
        )
        count_rules = tuple(
            CountRule(
                id=c["id"],
                threshold=c["threshold"],
                source=c["source"],
                requirements=tuple(
                    CountRequirement(
                        items=_ints(file, "requirement", r["items"]), at_least=r["at_least"]
                    )
                    for r in c["requirements"]
                ),
            )
            for c in data.pop("count_rules", [])
        )
        skip_rules = tuple(
            SkipRule(
                when_item=s["when_item"], equals=s["equals"], skip=_ints(file, "skip", s["skip"])
            )
            for s in data.pop("skip_rules", [])
        )
        at_least_one_of = tuple(
            _ints(file, "at_least_one_of", g) for g in data.pop("at_least_one_of", [])
        )
        triage_high = _ints(file, "triage_high_if_yes", data.pop("triage_high_if_yes", []))
        notes = tuple(data.pop("notes", []))
        return ScaleDefinition(
            items=tuple(items),
            band_sets=band_sets,
            options=options,
            domains=domains,
            subscales=subscales,
            count_rules=count_rules,
            skip_rules=skip_rules,
            at_least_one_of=at_least_one_of,
            triage_high_if_yes=triage_high,
            notes=notes,
            file=file,
            **data,
        )
    except DefinitionError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise DefinitionError(file, f"malformed scale definition: {exc!r}") from exc


@functools.cache
def _library() -> dict[str, ScaleDefinition]:
    scales: dict[str, ScaleDefinition] = {}
    for name, raw in iter_data_files("ketacare.core.scales"):
        scale = build_scale(raw, name)
        if name != f"{scale.id}.toml":
            raise DefinitionError(name, f"file name must be {scale.id}.toml")
        scales[scale.id] = scale
    return scales


def list_scales() -> list[ScaleDefinition]:
    """Every shipped scale, sorted by id."""
    return [scale for _id, scale in sorted(_library().items())]


def get_scale(scale_id: str) -> ScaleDefinition:
    """The scale with this id; raises UnknownIdError listing the known ids."""
    library = _library()
    if scale_id not in library:
        raise UnknownIdError("scale", scale_id, list(library))
    return library[scale_id]
