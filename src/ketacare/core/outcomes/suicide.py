"""Suicidal-ideation signals from the suicide item, a suicide-scale total or the C-SSRS triage.

- Item scales (PHQ-9 item 9, QIDS-SR16 item 12, MADRS item 10, HAM-D item 3): a value at or above
  the scale's threshold is a positive screen; a non-zero value below it, or any rise from the
  previous value, is "watch". Only the PHQ-9 threshold (> 0) is a published convention; the
  others are clinic settings, and the signal says so.
- Total scales (BSS, SSI): the same, on the total.
- C-SSRS screener: "high" is urgent, every other level but "none" a positive screen (the
  cross-area contract).

The input is anything with ``scale``, ``total``, ``suicide_item_value`` and ``triage``: a
``ScoreResult`` of the scales module, or :class:`SIObservation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from ketacare.core.errors import InputError
from ketacare.core.outcomes.rules import SuicideRule, get_scale_rules

TRIAGE_LEVELS = ("none", "low", "moderate", "high", "positive")
_TRIAGE_RANK = {"none": 0, "low": 1, "positive": 1, "moderate": 2, "high": 3}


class SIInput(Protocol):
    """What a suicidal-ideation signal reads from a scored rating."""

    @property
    def scale(self) -> str: ...

    @property
    def total(self) -> int | None: ...

    @property
    def suicide_item_value(self) -> int | None: ...

    @property
    def triage(self) -> str | None: ...


@dataclass(frozen=True)
class SIObservation:
    """A minimal scored rating for :func:`suicidal_ideation_signal` (the CLI builds these)."""

    scale: str
    total: int | None = None
    suicide_item_value: int | None = None
    triage: str | None = None


@dataclass(frozen=True)
class SISignal:
    scale: str
    flag: bool
    level: str  # "none" | "watch" | "positive" | "urgent"
    reason: str
    source: str
    measure: str  # "item N", "total" or "triage"
    value: int | str | None
    previous: int | str | None
    threshold: float | None
    threshold_status: str  # "published-convention" | "clinic-setting"

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "flag": self.flag,
            "level": self.level,
            "reason": self.reason,
            "source": self.source,
            "measure": self.measure,
            "value": self.value,
            "previous": self.previous,
            "threshold": self.threshold,
            "threshold_status": self.threshold_status,
        }


def _read(obs: SIInput, scale_id: str, role: str) -> tuple[str | None, int | None, int | None]:
    for attr in ("scale", "total", "suicide_item_value", "triage"):
        if not hasattr(obs, attr):
            raise InputError(
                role, obs, "a scored rating with scale, total, suicide_item_value, triage"
            )
    if obs.scale != scale_id:
        raise InputError(f"{role}.scale", obs.scale, f"the scale being signalled ({scale_id})")
    return obs.triage, obs.total, obs.suicide_item_value


def _int_in(field: str, value: Any, low: float, high: float) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value != int(value)
        or not low <= value <= high
    ):
        raise InputError(field, value, f"an integer {low:g}-{high:g}")
    return int(value)


def suicidal_ideation_signal(
    scale_id: str,
    current: SIInput,
    previous: SIInput | None = None,
    *,
    threshold: float | None = None,
) -> SISignal:
    """Flag a positive suicide screen or a rise from the previous rating.

    ``threshold`` replaces the scale's stored threshold (a clinic setting); it is ignored for the
    C-SSRS triage.
    """
    rules = get_scale_rules(scale_id)
    rule = rules.suicide
    if rule is None:
        raise InputError(
            "scale",
            scale_id,
            "a scale with a suicide signal: bss, cssrs-screen, hamd17, madrs, phq9, qids-sr16, ssi",
        )
    if rule.kind == "triage":
        return _triage_signal(rules.id, rule, current, previous)
    _, total, item = _read(current, rules.id, "current")
    if rule.kind == "item":
        assert rule.item_min is not None and rule.item_max is not None
        measure = f"item {rule.item}"
        low, high = float(rule.item_min), float(rule.item_max)
        raw, field = item, f"{rules.id} item {rule.item}"
    else:
        assert rules.min is not None and rules.max is not None
        measure, low, high, raw, field = "total", rules.min, rules.max, total, f"{rules.id} total"
    if raw is None:
        raise InputError(field, None, f"an integer {low:g}-{high:g} (the {measure} is required)")
    value = _int_in(field, raw, low, high)
    prev_value: int | None = None
    if previous is not None:
        _, p_total, p_item = _read(previous, rules.id, "previous")
        p_raw = p_item if rule.kind == "item" else p_total
        if p_raw is not None:
            prev_value = _int_in(f"previous {field}", p_raw, low, high)
    if threshold is not None:
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, (int, float))
            or not (low < threshold <= high)
        ):
            raise InputError("threshold", threshold, f"a number above {low:g} and at most {high:g}")
        cut, status = float(threshold), "clinic-setting"
        source = f"threshold set by the clinic; stored rule: {rule.source}"
    else:
        assert rule.positive_min is not None
        cut, status, source = rule.positive_min, rule.status, rule.source
    rise = prev_value is not None and value > prev_value
    rise_text = f"; rose from {prev_value}" if rise else ""
    setting = (
        "" if status == "published-convention" else " (a clinic setting, not a published cut-off)"
    )
    if value >= cut:
        level = "positive"
        reason = f"{rules.name} {measure} = {value}, at or above {cut:g}{setting}{rise_text}"
    elif rise:
        level = "watch"
        reason = f"{rules.name} {measure} rose from {prev_value} to {value}"
    elif value > 0:
        level = "watch"
        reason = f"{rules.name} {measure} = {value}: non-zero, below the threshold {cut:g}{setting}"
    else:
        level = "none"
        reason = f"{rules.name} {measure} = 0" + (
            f" (previous {prev_value})" if prev_value is not None else ""
        )
    return SISignal(
        scale=rules.id,
        flag=level != "none",
        level=level,
        reason=reason,
        source=source,
        measure=measure,
        value=value,
        previous=prev_value,
        threshold=cut,
        threshold_status=status,
    )


def _triage_level(field: str, value: Any) -> str:
    if value not in TRIAGE_LEVELS:
        raise InputError(field, value, "one of " + ", ".join(TRIAGE_LEVELS))
    return str(value)


def _triage_signal(
    scale_id: str, rule: SuicideRule, current: SIInput, previous: SIInput | None
) -> SISignal:
    triage, _, _ = _read(current, scale_id, "current")
    if triage is None:
        raise InputError("triage", None, "one of " + ", ".join(TRIAGE_LEVELS))
    level_now = _triage_level("triage", triage)
    prev_level: str | None = None
    if previous is not None:
        p_triage, _, _ = _read(previous, scale_id, "previous")
        if p_triage is not None:
            prev_level = _triage_level("previous triage", p_triage)
    rise = prev_level is not None and _TRIAGE_RANK[level_now] > _TRIAGE_RANK[prev_level]
    rise_text = f"; rose from {prev_level}" if rise else ""
    if level_now == "high":
        level, reason = "urgent", "C-SSRS screener triage high: urgent review" + rise_text
    elif level_now != "none":
        level, reason = (
            "positive",
            f"C-SSRS screener triage {level_now}: positive screen{rise_text}",
        )
    else:
        level, reason = "none", "C-SSRS screener triage none"
    return SISignal(
        scale=scale_id,
        flag=level != "none",
        level=level,
        reason=reason,
        source=rule.source,
        measure="triage",
        value=level_now,
        previous=prev_level,
        threshold=None,
        threshold_status=rule.status,
    )
