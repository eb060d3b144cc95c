"""The one definition of a course's outcome, as data: what the cohort report, the /outcomes/ page,
the clinic-beside-the-literature page, the API and the CLI all apply.

A course's outcome on a scale is judged between two values of that scale's total:

- **baseline**: the course's measure flagged as baseline on that scale (not withdrawn); when none
  is flagged, the latest measure of the scale taken on or before the day of the first session;
- **endpoint**: the follow-ups are the later measures of the scale that are not withdrawn. With a
  ``window`` the follow-ups are those whose day (counted from the ``anchor``: the first session
  of the induction, or its last) falls inside it, both ends included. ``basis="last"`` judges the
  latest follow-up; ``basis="any"`` counts a response (remission) at any follow-up.

Response is a fall of at least the scale's response fraction of the baseline (exactly the
fraction counts), remission a total at most the scale's default remission maximum: both read from
``core.outcomes`` rules, never restated here. Induction is also data: ``InductionRule``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.outcomes.rules import get_scale_rules, list_scale_rules

BASES = ("last", "any")
ANCHORS = ("induction_start", "induction_end")
ORKA_SOURCE = (
    "ORKA-1 (J Affect Disord 2022): induction = 4-8 infusions over 7-28 days; response = PHQ-9 "
    "fall >= 50% measured 14-31 days after induction; remission = PHQ-9 < 5. "
    "https://blossomanalysis.com/papers/a-retrospective-analysis-of-ketamine-intravenous-therapy-"
    "for-depression-in-real-world-care-settings/ (clinical-protocols.md section 5.2)"
)


@dataclass(frozen=True)
class InductionRule:
    """Induction = the first ``min_sessions``..``max_sessions`` sessions given within
    ``max_days`` of the first one (inclusive span); the course has an induction when that span
    is at least ``min_days``. Defaults: ORKA-1's 4-8 infusions over 7-28 days."""

    min_sessions: int = 4
    max_sessions: int = 8
    min_days: int = 7
    max_days: int = 28
    source: str = ORKA_SOURCE

    def __post_init__(self) -> None:
        for name in ("min_sessions", "max_sessions", "min_days", "max_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"induction.{name}", value, "a whole number of 1 or more")
        if self.min_sessions > self.max_sessions:
            raise InputError("induction.min_sessions", self.min_sessions, "at most max_sessions")
        if self.min_days > self.max_days:
            raise InputError("induction.min_days", self.min_days, "at most max_days")

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_sessions": self.min_sessions,
            "max_sessions": self.max_sessions,
            "min_days": self.min_days,
            "max_days": self.max_days,
            "source": self.source,
        }


@dataclass(frozen=True)
class OutcomeDefinition:
    """How a course's outcome is judged (see the module docstring)."""

    basis: str = "last"
    window: tuple[int, int] | None = None
    anchor: str = "induction_start"
    scales: tuple[str, ...] = ("phq9", "madrs")
    induction: InductionRule = field(default_factory=InductionRule)
    late_response_session: int = 10
    durability_weeks: tuple[int, ...] = (4, 8, 12)

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise InputError("basis", self.basis, "one of " + ", ".join(BASES))
        if self.anchor not in ANCHORS:
            raise InputError("anchor", self.anchor, "one of " + ", ".join(ANCHORS))
        if self.window is not None:
            low, high = self.window
            if low > high:
                raise InputError(
                    "window", self.window, "a (first day, last day) pair, first <= last"
                )
        for scale in self.scales:
            rules = get_scale_rules(scale)
            if rules.response_fraction is None:
                raise InputError("scales", scale, "a scale with a response rule")
        if self.late_response_session < 1:
            raise InputError("late_response_session", self.late_response_session, "1 or more")

    def rules_for(self, scale: str) -> dict[str, Any]:
        """The response and remission rule of ``scale`` from ``core.outcomes`` (with sources)."""
        rules = get_scale_rules(scale)
        assert rules.response_fraction is not None
        remission = rules.remission(rules.remission_default) if rules.remission_default else None
        fraction = Fraction(repr(rules.response_fraction))
        return {
            "scale": scale,
            "name": rules.name,
            "response_fraction": rules.response_fraction,
            "response_fraction_exact": (fraction.numerator, fraction.denominator),
            "response_source": rules.response_source,
            "remission_max": remission.max if remission else None,
            "remission_label": remission.label if remission else None,
            "remission_source": remission.source if remission else None,
            "suicide_item": (
                rules.suicide.item
                if rules.suicide is not None and rules.suicide.kind == "item"
                else None
            ),
            "suicide_positive_min": rules.suicide.positive_min if rules.suicide else None,
        }

    def to_dict(self) -> dict[str, Any]:
        rules = {s: self.rules_for(s) for s in self.scales}
        for r in rules.values():
            r.pop("response_fraction_exact")
        return {
            "baseline": (
                "the course's measure flagged as baseline on the scale (not withdrawn); else the "
                "latest measure of the scale on or before the day of the first session"
            ),
            "endpoint": (
                "latest follow-up in the window"
                if self.basis == "last"
                else "any follow-up in the window"
            )
            if self.window is not None
            else ("latest follow-up" if self.basis == "last" else "any follow-up"),
            "basis": self.basis,
            "window_days": list(self.window) if self.window is not None else None,
            "anchor": self.anchor,
            "withdrawn": "withdrawn measures (entered in error) are left out",
            "scales": rules,
            "induction": self.induction.to_dict(),
            "late_response_session": self.late_response_session,
            "durability_weeks": list(self.durability_weeks),
        }


#: The cohort report's definition (ORKA-1 shape): the latest follow-up 14-31 days after the start
#: of induction, on PHQ-9 and MADRS.
ORKA_DEFINITION = OutcomeDefinition(basis="last", window=(14, 31), anchor="induction_start")


def response_scales() -> tuple[str, ...]:
    """Every scale with a total and a response rule in ``core.outcomes`` (sorted ids)."""
    return tuple(
        r.id for r in list_scale_rules() if r.response_fraction is not None and r.max is not None
    )


#: The whole-course definition of the /outcomes/ page and the clinic-beside-the-literature page:
#: any follow-up after the baseline (``basis`` "last" or "any"), no window.
WHOLE_COURSE = OutcomeDefinition(basis="last", window=None, scales=response_scales())
