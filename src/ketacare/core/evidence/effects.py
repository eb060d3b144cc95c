"""Study-level effect sizes: RR, OR, RD, SMD (Hedges' g), MD and generic inverse-variance rows.

Conventions follow metafor's ``escalc()`` (Viechtbauer 2010, J Stat Softw 36(3), doi
10.18637/jss.v036.i03) so that pooled results can be checked against its published outputs:

* RR and OR are analysed on the log scale; the treatment arm is the first arm.
* Zero cells: 1/2 is added to every cell of a study that has a zero cell, and only to that study
  (metafor ``add=1/2, to="only0"``), for RR, OR and RD. A study with no events in either arm, or
  events in every patient of both arms, carries no information on a ratio scale and is excluded
  from RR/OR (reported as dropped, never silently); for RD it stays in (metafor ``drop00=FALSE``).
* SMD is Hedges' g with the exact small-sample factor J(m) = Γ(m/2) / (√(m/2) Γ((m−1)/2)),
  m = n1 + n2 − 2, and variance 1/n1 + 1/n2 + g²/(2(n1 + n2)) (metafor ``measure="SMD"``).
* MD uses the unpooled variance sd1²/n1 + sd2²/n2 (metafor ``measure="MD"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ketacare.core.errors import InputError

BINARY_MEASURES = ("RR", "OR", "RD")
CONTINUOUS_MEASURES = ("SMD", "MD")
MEASURES = (*BINARY_MEASURES, *CONTINUOUS_MEASURES, "GEN")
RATIO_MEASURES = ("RR", "OR")


@dataclass(frozen=True)
class BinaryRow:
    """One two-arm study with a binary outcome: events and patients per arm."""

    study: str
    events_treat: int
    n_treat: int
    events_ctrl: int
    n_ctrl: int

    def __post_init__(self) -> None:
        for name in ("events_treat", "n_treat", "events_ctrl", "n_ctrl"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(f"{self.study}: {name}", value, "a whole number of patients >= 0")
        for events, n, arm in (
            (self.events_treat, self.n_treat, "treat"),
            (self.events_ctrl, self.n_ctrl, "ctrl"),
        ):
            if n == 0:
                raise InputError(f"{self.study}: n_{arm}", n, "at least 1 patient")
            if events > n:
                raise InputError(
                    f"{self.study}: events_{arm}", events, f"0 to n_{arm} ({n}) events"
                )


@dataclass(frozen=True)
class ContinuousRow:
    """One two-arm study with a continuous outcome: mean, SD and n per arm."""

    study: str
    mean_treat: float
    sd_treat: float
    n_treat: int
    mean_ctrl: float
    sd_ctrl: float
    n_ctrl: int

    def __post_init__(self) -> None:
        for name in ("mean_treat", "mean_ctrl", "sd_treat", "sd_ctrl"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(f"{self.study}: {name}", value, "a finite number")
        for name in ("sd_treat", "sd_ctrl"):
            if getattr(self, name) <= 0:
                raise InputError(f"{self.study}: {name}", getattr(self, name), "an SD above 0")
        for name in ("n_treat", "n_ctrl"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                raise InputError(f"{self.study}: {name}", value, "a whole number of patients >= 2")


@dataclass(frozen=True)
class Effect:
    """One study's effect on the analysis scale (log for RR/OR) and its sampling variance."""

    study: str
    measure: str
    yi: float
    vi: float
    corrected: bool = False
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sei(self) -> float:
        return math.sqrt(self.vi)

    def to_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "measure": self.measure,
            "yi": self.yi,
            "vi": self.vi,
            "sei": self.sei,
            "corrected": self.corrected,
            "note": self.note,
            **self.extra,
        }


def check_measure(measure: str) -> str:
    m = measure.upper() if isinstance(measure, str) else measure
    if m not in MEASURES:
        raise InputError("measure", measure, "one of " + ", ".join(MEASURES))
    return str(m)


def binary_effect(row: BinaryRow, measure: str, *, add: float = 0.5) -> Effect | None:
    """Effect of one 2x2 table; ``None`` when the study carries no information for the measure.

    ``add`` is the continuity correction added to all four cells of a study with a zero cell.
    """
    measure = check_measure(measure)
    if measure not in BINARY_MEASURES:
        raise InputError("measure", measure, "RR, OR or RD for event counts")
    a = float(row.events_treat)
    b = float(row.n_treat - row.events_treat)
    c = float(row.events_ctrl)
    d = float(row.n_ctrl - row.events_ctrl)
    n1 = a + b
    n2 = c + d
    double_zero = (a == 0 and c == 0) or (b == 0 and d == 0)
    if double_zero and measure != "RD":
        return None
    corrected = min(a, b, c, d) == 0
    if corrected:
        a, b, c, d = a + add, b + add, c + add, d + add
        n1, n2 = a + b, c + d
    if measure == "RD":
        p1, p2 = a / n1, c / n2
        yi = p1 - p2
        vi = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    elif measure == "RR":
        yi = math.log((a / n1) / (c / n2))
        vi = 1 / a - 1 / n1 + 1 / c - 1 / n2
    else:
        yi = math.log((a * d) / (b * c))
        vi = 1 / a + 1 / b + 1 / c + 1 / d
    note = f"{add} added to each cell (zero cell)" if corrected else ""
    return Effect(row.study, measure, yi, vi, corrected=corrected, note=note)


def hedges_j(m: float) -> float:
    """Exact small-sample bias factor of Hedges (1981): Γ(m/2) / (√(m/2) Γ((m−1)/2))."""
    return math.exp(math.lgamma(m / 2) - 0.5 * math.log(m / 2) - math.lgamma((m - 1) / 2))


def continuous_effect(row: ContinuousRow, measure: str) -> Effect:
    measure = check_measure(measure)
    n1, n2 = row.n_treat, row.n_ctrl
    if measure == "MD":
        yi = row.mean_treat - row.mean_ctrl
        vi = row.sd_treat**2 / n1 + row.sd_ctrl**2 / n2
        return Effect(row.study, measure, yi, vi)
    if measure != "SMD":
        raise InputError("measure", measure, "SMD or MD for means and SDs")
    m = n1 + n2 - 2
    sdp = math.sqrt(((n1 - 1) * row.sd_treat**2 + (n2 - 1) * row.sd_ctrl**2) / m)
    g = hedges_j(m) * (row.mean_treat - row.mean_ctrl) / sdp
    vi = 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))
    return Effect(row.study, measure, g, vi)


def generic_effect(study: str, yi: float, vi: float, measure: str = "GEN") -> Effect:
    """A precomputed effect (e.g. a log hazard ratio or a published mean difference and SE²)."""
    if not isinstance(yi, (int, float)) or not math.isfinite(yi):
        raise InputError(f"{study}: yi", yi, "a finite number")
    if not isinstance(vi, (int, float)) or not math.isfinite(vi) or vi <= 0:
        raise InputError(f"{study}: vi", vi, "a sampling variance above 0")
    return Effect(study, measure, float(yi), float(vi))


def binary_effects(
    rows: Sequence[BinaryRow], measure: str, *, add: float = 0.5
) -> tuple[list[Effect], list[str]]:
    """Effects of many 2x2 tables, plus the studies dropped as uninformative (double zero)."""
    effects: list[Effect] = []
    dropped: list[str] = []
    for row in rows:
        eff = binary_effect(row, measure, add=add)
        if eff is None:
            dropped.append(row.study)
        else:
            effects.append(eff)
    return effects, dropped


def continuous_effects(rows: Sequence[ContinuousRow], measure: str) -> list[Effect]:
    return [continuous_effect(row, measure) for row in rows]
