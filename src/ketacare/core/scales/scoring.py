"""Scoring one administration of a scale, with every rule recorded in the result."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.scales.definitions import ScaleDefinition, get_scale

ItemValue = int | str | None
_INTEGER = re.compile(r"^[+-]?\d+$")
_BLANK = ("-", "")


@dataclass(frozen=True)
class ScoreResult:
    """One scored administration; enough to explain the number later.

    ``version`` is the scale version, ``band_set`` the severity bands used (``"none"`` when the
    scale has no published bands), ``rule`` the scoring rule in words, ``options`` the
    administration options in force (defaults included).
    """

    scale: str
    version: str
    total: int | None
    severity: str | None
    band_set: str
    rule: str
    items: tuple[ItemValue, ...]
    suicide_item_value: int | None = None
    triage: str | None = None
    subscales: dict[str, int | None] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    flags: dict[str, bool] = field(default_factory=dict)
    band_source: str | None = None
    total_range: tuple[int, int] | None = None
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "version": self.version,
            "total": self.total,
            "severity": self.severity,
            "band_set": self.band_set,
            "band_source": self.band_source,
            "rule": self.rule,
            "items": list(self.items),
            "suicide_item_value": self.suicide_item_value,
            "triage": self.triage,
            "subscales": dict(self.subscales),
            "flags": dict(self.flags),
            "options": dict(self.options),
            "notes": list(self.notes),
            "total_range": list(self.total_range) if self.total_range else None,
            "source": self.source,
        }


def score(
    scale_id: str,
    items: Sequence[int | str | None],
    options: Mapping[str, str] | None = None,
) -> ScoreResult:
    """Score one administration of ``scale_id``.

    ``items`` holds one value per item in item order: integers (or their decimal text) for rated
    scales, ``"y"``/``"n"``/``"-"`` for the C-SSRS screener. ``None`` or ``"-"`` marks an item
    left blank, accepted only where the scale's manual gives a rule for it. ``options`` are the
    administration options (``{"item16": "B"}``, ``{"coding": "0-6"}``, ``{"bands": "..."}``).
    Bad input raises :class:`InputError` naming the scale, the item, the value and what is allowed.
    """
    scale = get_scale(scale_id)
    chosen = _resolve_options(scale, options or {})
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise InputError(f"{scale.id} items", items, "a list of item values")
    if len(items) != scale.item_count:
        raise InputError(
            f"{scale.id} items",
            len(items),
            f"exactly {scale.item_count} item values (items 1-{scale.item_count})",
            message=(
                f"{scale.id}: {len(items)} item values given; allowed: exactly "
                f"{scale.item_count} (items 1-{scale.item_count})"
            ),
        )
    if scale.scoring == "triage":
        return _score_triage(scale, items, chosen)
    return _score_sum(scale, items, chosen)


# -- options ------------------------------------------------------------------------------------


def _resolve_options(scale: ScaleDefinition, given: Mapping[str, str]) -> dict[str, str]:
    keys = [o.key for o in scale.options] + (["bands"] if len(scale.band_sets) > 1 else [])
    for key in given:
        if key not in keys:
            allowed = ", ".join(keys) if keys else "none (this scale has no options)"
            raise InputError(f"{scale.id} option", key, allowed)
    chosen: dict[str, str] = {}
    for option in scale.options:
        value = given.get(option.key, option.default)
        if value is None and not option.required:
            continue  # recorded when given, not needed to score (HAM-D item 16 method)
        if value is None:
            raise InputError(
                f"{scale.id} option {option.key}",
                None,
                f"one of {', '.join(option.values)} ({option.help}); this option is required",
                message=(
                    f"{scale.id} option {option.key} is required; allowed: "
                    f"{', '.join(option.values)} ({option.help})"
                ),
            )
        if value not in option.values:
            raise InputError(
                f"{scale.id} option {option.key}",
                value,
                f"one of {', '.join(option.values)} ({option.help})",
            )
        chosen[option.key] = value
    if scale.band_sets:
        default = scale.default_band_set()
        assert default is not None
        band_id = given.get("bands", default.id)
        if scale.band_set(band_id) is None:
            raise InputError(
                f"{scale.id} option bands",
                band_id,
                "one of " + ", ".join(b.id for b in scale.band_sets),
            )
        chosen["bands"] = band_id
    return chosen


# -- rated scales -------------------------------------------------------------------------------


def _parse_integer(
    scale: ScaleDefinition, number: int, raw: object, value_range: tuple[int, int]
) -> int | None:
    field_name = f"{scale.id} item {number}"
    if raw is None or (isinstance(raw, str) and raw.strip() in _BLANK):
        return None
    if isinstance(raw, bool):
        raise InputError(field_name, raw, "an integer (not true/false)")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and _INTEGER.match(raw.strip()):
        return int(raw.strip())
    raise InputError(field_name, raw, _allowed_text(scale, number, value_range))


def _allowed_text(scale: ScaleDefinition, number: int, value_range: tuple[int, int]) -> str:
    item = scale.item(number)
    low, high = value_range
    text = f"an integer {low}-{high}"
    if item.not_scored:
        text += f" ({', '.join(map(str, item.not_scored))} = not assessed, not scored)"
    if item.may_be_blank:
        text += " or blank (-)"
    return text


def _score_sum(
    scale: ScaleDefinition, raw_items: Sequence[object], options: dict[str, str]
) -> ScoreResult:
    values: list[int | None] = []
    for number, raw in enumerate(raw_items, start=1):
        item = scale.item(number)
        value_range = scale.item_range(item, options)
        value = _parse_integer(scale, number, raw, value_range)
        if value is None:
            if not item.may_be_blank:
                raise InputError(
                    f"{scale.id} item {number}",
                    raw,
                    _allowed_text(scale, number, value_range) + "; this item may not be left blank",
                    message=(
                        f"{scale.id} item {number} ({item.label}) is missing; allowed: "
                        f"{_allowed_text(scale, number, value_range)} (the scale has no rule "
                        "for a missing answer to this item)"
                    ),
                )
        elif not value_range[0] <= value <= value_range[1]:
            raise InputError(
                f"{scale.id} item {number}", value, _allowed_text(scale, number, value_range)
            )
        values.append(value)

    notes: list[str] = list(scale.notes)
    for group in scale.at_least_one_of:
        if all(values[n - 1] is None for n in group):
            names = " and ".join(str(n) for n in group)
            raise InputError(
                f"{scale.id} items {names}",
                "all blank",
                f"an answer to at least one of items {names} ({scale.missing_rule})",
            )
    blank = [n for n, v in enumerate(values, start=1) if v is None]
    if blank:
        notes.append(
            f"items {', '.join(map(str, blank))} left blank as the form allows: "
            f"{scale.missing_rule}"
        )

    total = 0
    scored_any = False
    for name, numbers, combine in scale.units():
        scored = []
        for n in numbers:
            v = values[n - 1]
            if v is None:
                continue
            if v in scale.item(n).not_scored:
                notes.append(f"item {n} ({scale.item(n).label}) = {v}: not assessed, not scored")
                continue
            scored.append(v)
        if not scored:
            continue
        scored_any = True
        if combine == "max":
            total += max(scored)
            if len(numbers) > 1:
                notes.append(f"{name}: worst of items {_span(numbers)} = {max(scored)}")
        else:
            total += sum(scored)
    final_total: int | None = total if scored_any else None
    if final_total is None:
        notes.append("no item was assessed: no total")

    severity = None
    band_set_id = "none"
    band_source = None
    if scale.band_sets:
        band_set = scale.band_set(options["bands"])
        assert band_set is not None
        band_set_id, band_source = band_set.id, band_set.source
        if final_total is not None:
            band = band_set.band_for(final_total)
            severity = band.label if band else None

    subscales: dict[str, int | None] = {}
    for sub in scale.subscales:
        parts = [values[n - 1] for n in sub.items]
        subscales[sub.id] = (
            None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
        )

    flags: dict[str, bool] = {}
    for count_rule in scale.count_rules:
        met = True
        for req in count_rule.requirements:
            hits = sum(1 for n in req.items if (values[n - 1] or 0) >= count_rule.threshold)
            met = met and hits >= req.at_least
        flags[count_rule.id] = met

    suicide_value = values[scale.suicide_item - 1] if scale.suicide_item else None
    rule = scale.rule
    described = [f"{k}={v}" for k, v in options.items()]
    if described:
        rule += " [" + ", ".join(described) + "]"
    return ScoreResult(
        scale=scale.id,
        version=scale.version,
        total=final_total,
        severity=severity,
        band_set=band_set_id,
        band_source=band_source,
        rule=rule,
        items=tuple(values),
        suicide_item_value=suicide_value,
        subscales=subscales,
        options=dict(options),
        notes=tuple(notes),
        flags=flags,
        total_range=scale.total_range(options),
        source=scale.source,
    )


def _span(numbers: Sequence[int]) -> str:
    if list(numbers) == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(map(str, numbers))


# -- triage (C-SSRS screener) -------------------------------------------------------------------


def _score_triage(
    scale: ScaleDefinition, raw_items: Sequence[object], options: dict[str, str]
) -> ScoreResult:
    answers: list[str | None] = []
    for number, raw in enumerate(raw_items, start=1):
        if raw is None or raw == "-":
            answers.append(None)
        elif raw in ("y", "n"):
            answers.append(str(raw))
        else:
            raise InputError(f"{scale.id} item {number}", raw, "y (yes), n (no) or - (skipped)")
    skipped: dict[int, str] = {}
    for rule in scale.skip_rules:
        if answers[rule.when_item - 1] == rule.equals:
            for n in rule.skip:
                skipped[n] = f"item {rule.when_item} was {rule.equals!r}"
    for number, answer in enumerate(answers, start=1):
        label = scale.item(number).label
        if number in skipped and answer is not None:
            raise InputError(
                f"{scale.id} item {number}",
                answer,
                f"- (skipped: the screener does not ask it when {skipped[number]})",
            )
        if number not in skipped and answer is None:
            raise InputError(
                f"{scale.id} item {number}",
                "-",
                f"y or n (the screener asks item {number}, {label}, here)",
            )
    yes = [n for n, a in enumerate(answers, start=1) if a == "y"]
    high = [n for n in yes if n in scale.triage_high_if_yes]
    if high:
        triage = "high"
        reason = f"yes to item(s) {', '.join(map(str, high))}"
    elif yes:
        triage = "positive"
        reason = f"yes to item(s) {', '.join(map(str, yes))}, none of them a high-risk answer"
    else:
        triage = "none"
        reason = "no item answered yes"
    return ScoreResult(
        scale=scale.id,
        version=scale.version,
        total=None,
        severity=None,
        band_set="none",
        rule=scale.rule,
        items=tuple(answers),
        triage=triage,
        options=dict(options),
        notes=(*scale.notes, f"triage {triage}: {reason}"),
        band_source=scale.triage_source,
        source=scale.source,
    )
