"""Response, partial response, remission, loss of response, relapse and time to first response.

``assess`` judges one follow-up score against its baseline; ``assess_series`` judges a course of
follow-up scores and finds the first response, the first loss of response after it and the first
relapse (by the scale's relapse rule, e.g. SUSTAIN-1's MADRS >= 22 on two consecutive weeks).
Every result carries the rules it applied, with their sources, so it can be stored and re-read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from ketacare.core.errors import InputError, UnknownIdError
from ketacare.core.outcomes.change import percent_change
from ketacare.core.outcomes.rules import (
    RelapseRule,
    RemissionDefinition,
    ScaleRules,
    general_rules,
    get_scale_rules,
)

NO_SCALE_RESPONSE_SOURCE = (
    "no scale-specific response definition is stored for this scale: the given fraction is applied "
    "by analogy with the >= 50% rule of the depression scales (unverified for this scale)"
)


@dataclass(frozen=True)
class OutcomeResult:
    """One follow-up score judged against its baseline."""

    scale: str
    baseline: float
    score: float
    percent_change: float
    response: bool
    partial_response: bool
    remission: bool | None
    remission_max: float | None
    remission_definition: str | None
    rule: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "baseline": self.baseline,
            "score": self.score,
            "percent_change": self.percent_change,
            "response": self.response,
            "partial_response": self.partial_response,
            "remission": self.remission,
            "remission_max": self.remission_max,
            "remission_definition": self.remission_definition,
            "rule": self.rule,
        }


def check_score(rules: ScaleRules, field: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(field, value, f"a finite number from {_range(rules)}")
    if rules.min is None or rules.max is None:
        raise InputError(
            "scale", rules.id, "a scale with a total score (this one signals by triage only)"
        )
    if not rules.min <= value <= rules.max:
        raise InputError(field, value, f"a {rules.name} total from {_range(rules)}")
    return float(value)


def _range(rules: ScaleRules) -> str:
    if rules.min is None or rules.max is None:
        return "(no total)"
    return f"{rules.min:g} to {rules.max:g}"


def _fraction(field: str, value: float, *, upper_inclusive: bool) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(field, value, "a number above 0 and at most 1")
    if not (0 < value <= 1 if upper_inclusive else 0 < value < 1):
        raise InputError(
            field, value, "a number above 0 and " + ("at most 1" if upper_inclusive else "below 1")
        )
    # Through the decimal text, so 0.3 means exactly 3/10 and the boundary is exact.
    return Fraction(repr(float(value)))


def _fell_by_at_least(baseline: float, score: float, fraction: Fraction) -> bool:
    """True when ``score`` is at least ``fraction`` of ``baseline`` below it (exactly counts)."""
    return Fraction(baseline) - Fraction(score) >= fraction * Fraction(baseline)


def _resolve_remission(
    rules: ScaleRules, remission_max: float | None, remission_definition: str | None
) -> tuple[float | None, str | None, dict[str, Any] | None]:
    if remission_max is not None and remission_definition is not None:
        raise InputError(
            "remission_max",
            remission_max,
            "either a remission maximum or a remission definition, not both",
        )
    if remission_max is not None:
        value = check_score(rules, "remission_max", remission_max)
        return (
            value,
            "custom",
            {
                "definition": "custom",
                "max": value,
                "label": f"{rules.name} <= {value:g} (set by the user)",
                "source": "user setting",
            },
        )
    if remission_definition is not None:
        if not isinstance(remission_definition, str):
            raise InputError("remission_definition", remission_definition, "a definition id")
        definition = rules.remission(remission_definition)
    elif rules.remission_default is not None:
        definition = rules.remission(rules.remission_default)
    else:
        return None, None, None
    return definition.max, definition.id, _definition_rule(definition)


def _definition_rule(definition: RemissionDefinition) -> dict[str, Any]:
    return {
        "definition": definition.id,
        "max": definition.max,
        "label": definition.label,
        "source": definition.source,
    }


def assess(
    scale_id: str,
    baseline: float,
    score: float,
    *,
    remission_max: float | None = None,
    remission_definition: str | None = None,
    response_fraction: float = 0.5,
    partial_fraction: float | None = None,
) -> OutcomeResult:
    """Judge ``score`` against ``baseline`` on ``scale_id``.

    Response is a fall of at least ``response_fraction`` of the baseline (exactly 50% counts);
    partial response a fall of at least ``partial_fraction`` (default 25%, ICSI) but less than
    response. Remission uses ``remission_max`` if given, else the named ``remission_definition``,
    else the scale's default definition (MADRS: <= 12, the esketamine programme). Which one was
    applied, and how every stored definition judges the score, is in ``rule``.
    """
    rules = get_scale_rules(scale_id)
    general = general_rules()
    base = check_score(rules, "baseline", baseline)
    value = check_score(rules, "score", score)
    if partial_fraction is None:
        partial_fraction = general.partial_fraction
    response_f = _fraction("response_fraction", response_fraction, upper_inclusive=True)
    partial_f = _fraction("partial_fraction", partial_fraction, upper_inclusive=False)
    if partial_f >= response_f:
        raise InputError(
            "partial_fraction",
            partial_fraction,
            f"a fraction below the response fraction {response_fraction}",
        )
    pct = percent_change(base, value)  # refuses a baseline of 0
    response = _fell_by_at_least(base, value, response_f)
    partial = not response and _fell_by_at_least(base, value, partial_f)
    rem_max, rem_id, rem_rule = _resolve_remission(rules, remission_max, remission_definition)
    remission = None if rem_max is None else value <= rem_max
    if rules.response_fraction is not None and float(response_f) == rules.response_fraction:
        response_source = str(rules.response_source)
    elif rules.response_source is not None:
        response_source = (
            f"user setting (the published default is a fall of {rules.response_fraction:g}: "
            f"{rules.response_source})"
        )
    else:
        response_source = NO_SCALE_RESPONSE_SOURCE
    rule: dict[str, Any] = {
        "response": {"min_fall_fraction": float(response_f), "source": response_source},
        "partial_response": {
            "min_fall_fraction": float(partial_f),
            "below_fraction": float(response_f),
            "source": general.partial_source
            if float(partial_f) == general.partial_fraction
            else "user setting",
        },
        "remission": rem_rule,
        "remission_by_definition": {d.id: value <= d.max for d in rules.remission_definitions},
    }
    return OutcomeResult(
        scale=rules.id,
        baseline=base,
        score=value,
        percent_change=pct,
        response=response,
        partial_response=partial,
        remission=remission,
        remission_max=rem_max,
        remission_definition=rem_id,
        rule=rule,
    )


@dataclass(frozen=True)
class OutcomeThresholds:
    """Where the outcome rule draws its lines for one baseline: the highest whole total that is
    judged a response (``None`` when no total in the scale's range is), and the remission
    cut-off, with the rule they come from (the same ``rule`` as :func:`assess` gives)."""

    scale: str
    baseline: float
    response_max: float | None
    remission_max: float | None
    remission_definition: str | None
    rule: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "baseline": self.baseline,
            "response_max": self.response_max,
            "remission_max": self.remission_max,
            "remission_definition": self.remission_definition,
            "rule": self.rule,
        }


def outcome_thresholds(
    scale_id: str,
    baseline: float,
    *,
    remission_max: float | None = None,
    remission_definition: str | None = None,
    response_fraction: float = 0.5,
) -> OutcomeThresholds:
    """The response and remission lines of :func:`assess` for ``baseline`` (for charts).

    ``response_max`` is the largest whole total ``s`` with a fall of at least
    ``response_fraction`` of the baseline, found with the same exact comparison as ``assess``,
    so ``assess(scale_id, baseline, response_max).response`` holds and one point more does not.
    """
    rules = get_scale_rules(scale_id)
    base = check_score(rules, "baseline", baseline)
    response_f = _fraction("response_fraction", response_fraction, upper_inclusive=True)
    low = 0 if rules.min is None else rules.min
    # score <= baseline * (1 - f), exactly; the largest whole number at or below that bound.
    bound = Fraction(base) * (1 - response_f)
    top = math.floor(bound)
    response_max = float(top) if top >= low else None
    judged = assess(
        scale_id,
        base,
        base,
        remission_max=remission_max,
        remission_definition=remission_definition,
        response_fraction=response_fraction,
    )
    rule = {k: v for k, v in judged.rule.items() if k != "remission_by_definition"}
    return OutcomeThresholds(
        scale=rules.id,
        baseline=base,
        response_max=response_max,
        remission_max=judged.remission_max,
        remission_definition=judged.remission_definition,
        rule=rule,
    )


@dataclass(frozen=True)
class SeriesPoint:
    """One follow-up in a series: its outcome plus the series events that happen at it."""

    index: int
    date: date | None
    outcome: OutcomeResult
    first_response: bool
    loss_of_response: bool
    relapse: bool

    def to_dict(self) -> dict[str, Any]:
        data = {"index": self.index, "date": self.date.isoformat() if self.date else None}
        data.update(self.outcome.to_dict())
        data.update(
            {
                "first_response": self.first_response,
                "loss_of_response": self.loss_of_response,
                "relapse": self.relapse,
            }
        )
        return data


@dataclass(frozen=True)
class SeriesEvent:
    """Where in the series an event happened (1-based follow-up index, date, days from baseline)."""

    index: int
    date: date | None
    days_from_baseline: int | None
    onset_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "date": self.date.isoformat() if self.date else None,
            "days_from_baseline": self.days_from_baseline,
            "onset_index": self.onset_index,
        }


@dataclass(frozen=True)
class SeriesResult:
    """A course of follow-up scores judged against one baseline."""

    scale: str
    baseline: float
    baseline_date: date | None
    points: tuple[SeriesPoint, ...]
    time_to_first_response: SeriesEvent | None
    loss_of_response: SeriesEvent | None
    relapse: SeriesEvent | None
    relapse_rule: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "baseline": self.baseline,
            "baseline_date": self.baseline_date.isoformat() if self.baseline_date else None,
            "points": [p.to_dict() for p in self.points],
            "summary": self.summary(),
        }

    def summary(self) -> dict[str, Any]:
        """The series events alone (what the CLI prints after the per-score lines)."""
        return {
            "time_to_first_response": _event(self.time_to_first_response),
            "loss_of_response": _event(self.loss_of_response),
            "relapse": _event(self.relapse),
            "relapse_rule": self.relapse_rule,
        }


def _event(event: SeriesEvent | None) -> dict[str, Any] | None:
    return event.to_dict() if event is not None else None


def _check_dates(
    dates: Sequence[date] | None, baseline_date: date | None, n: int
) -> list[date | None]:
    if dates is None:
        if baseline_date is not None and not isinstance(baseline_date, date):
            raise InputError("baseline_date", baseline_date, "a date")
        return [None] * n
    dates = list(dates)
    if len(dates) != n:
        raise InputError("dates", len(dates), f"one date per follow-up score ({n})")
    previous = baseline_date
    if previous is not None and not isinstance(previous, date):
        raise InputError("baseline_date", previous, "a date")
    for i, d in enumerate(dates, start=1):
        if not isinstance(d, date):
            raise InputError(f"dates[{i}]", d, "a date")
        if previous is not None and d <= previous:
            raise InputError(f"dates[{i}]", d.isoformat(), f"a date after {previous.isoformat()}")
        previous = d
    return list(dates)


def _pick_relapse_rule(rules: ScaleRules, relapse_rule: str | None) -> RelapseRule | None:
    if relapse_rule is None:
        return rules.relapse_rules[0] if rules.relapse_rules else None
    for candidate in rules.relapse_rules:
        if candidate.id == relapse_rule:
            return candidate
    known = [r.id for r in rules.relapse_rules] or ["(none stored for this scale)"]
    raise UnknownIdError(f"{rules.id} relapse rule", relapse_rule, known)


def assess_series(
    scale_id: str,
    baseline: float,
    scores: Sequence[float],
    *,
    dates: Sequence[date] | None = None,
    baseline_date: date | None = None,
    remission_max: float | None = None,
    remission_definition: str | None = None,
    response_fraction: float = 0.5,
    partial_fraction: float | None = None,
    relapse_rule: str | None = None,
) -> SeriesResult:
    """Judge each follow-up score and find the series events.

    - time to first response: the first follow-up meeting the response rule (its 1-based index,
      and its date and days from ``baseline_date`` when dates are given);
    - loss of response: the first follow-up after the first response that no longer meets it;
    - relapse: after the first response, the first run of ``consecutive`` follow-ups scoring at
      least the rule's minimum (MADRS: SUSTAIN-1, >= 22 on 2 consecutive assessments); the event
      is dated at the follow-up that completes the run, ``onset_index`` is where it began.
    """
    rules = get_scale_rules(scale_id)
    if isinstance(scores, (str, bytes)) or not isinstance(scores, Sequence) or not scores:
        raise InputError("scores", scores, "one or more follow-up scores")
    when = _check_dates(dates, baseline_date, len(scores))
    outcomes = [
        assess(
            scale_id,
            baseline,
            score,
            remission_max=remission_max,
            remission_definition=remission_definition,
            response_fraction=response_fraction,
            partial_fraction=partial_fraction,
        )
        for score in scores
    ]
    rule = _pick_relapse_rule(rules, relapse_rule)

    def event(i: int, onset: int | None = None) -> SeriesEvent:
        d = when[i]
        days = (d - baseline_date).days if d is not None and baseline_date is not None else None
        return SeriesEvent(index=i + 1, date=d, days_from_baseline=days, onset_index=onset)

    first = next((i for i, o in enumerate(outcomes) if o.response), None)
    loss = relapse = None
    if first is not None:
        loss = next((i for i in range(first + 1, len(outcomes)) if not outcomes[i].response), None)
        if rule is not None:
            run = 0
            for i in range(first + 1, len(outcomes)):
                run = run + 1 if outcomes[i].score >= rule.min else 0
                if run >= rule.consecutive:
                    relapse = i
                    break
    points = tuple(
        SeriesPoint(
            index=i + 1,
            date=when[i],
            outcome=o,
            first_response=i == first,
            loss_of_response=i == loss,
            relapse=i == relapse,
        )
        for i, o in enumerate(outcomes)
    )
    return SeriesResult(
        scale=rules.id,
        baseline=outcomes[0].baseline,
        baseline_date=baseline_date,
        points=points,
        time_to_first_response=event(first) if first is not None else None,
        loss_of_response=event(loss) if loss is not None else None,
        relapse=(
            event(relapse, onset=relapse + 1 - rule.consecutive + 1)
            if relapse is not None and rule is not None
            else None
        ),
        relapse_rule=rule.to_dict() if rule is not None else None,
    )
