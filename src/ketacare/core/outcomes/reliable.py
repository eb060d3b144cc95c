"""The Jacobson-Truax reliable change index (RCI).

RCI = (x2 - x1) / S_diff, with S_diff = sqrt(2) * SEM and SEM = SD * sqrt(1 - r_xx), where SD is
the baseline (or normative) standard deviation of the scale's total and r_xx its test-retest
reliability (Jacobson & Truax 1991; the sqrt(2) of Christensen & Mendoza 1986). Change is reliable
when |RCI| > 1.96. On the symptom scales KetaCare uses, a fall is an improvement.

The SD and reliability come from the scale's data file when a published pair has been checked;
otherwise the caller passes both, with their source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.outcomes.assess import check_score
from ketacare.core.outcomes.rules import general_rules, get_scale_rules


@dataclass(frozen=True)
class ReliableChange:
    scale: str
    baseline: float
    score: float
    change: float
    sd: float
    reliability: float
    sem: float
    s_diff: float
    rci: float
    criterion: float
    reliable_change_points: float
    reliable_improvement: bool
    reliable_deterioration: bool
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "baseline": self.baseline,
            "score": self.score,
            "change": self.change,
            "sd": self.sd,
            "reliability": self.reliability,
            "sem": self.sem,
            "s_diff": self.s_diff,
            "rci": self.rci,
            "criterion": self.criterion,
            "reliable_change_points": self.reliable_change_points,
            "reliable_improvement": self.reliable_improvement,
            "reliable_deterioration": self.reliable_deterioration,
            "source": self.source,
        }


def rci_from(
    baseline: float, score: float, sd: float, reliability: float
) -> tuple[float, float, float]:
    """``(rci, sem, s_diff)`` for a change from ``baseline`` to ``score`` (no range checks)."""
    sem = sd * math.sqrt(1.0 - reliability)
    s_diff = math.sqrt(2.0) * sem
    return (score - baseline) / s_diff, sem, s_diff


def reliable_change(
    scale_id: str,
    baseline: float,
    score: float,
    *,
    sd: float | None = None,
    reliability: float | None = None,
    source: str | None = None,
) -> ReliableChange:
    """The Jacobson-Truax RCI of a change on ``scale_id``.

    Uses the SD and reliability stored for the scale, or ``sd`` and ``reliability`` given together
    with their ``source`` (a citation). Without either, an :class:`InputError` says what to pass.
    """
    rules = get_scale_rules(scale_id)
    general = general_rules()
    base = check_score(rules, "baseline", baseline)
    value = check_score(rules, "score", score)
    if (sd is None) != (reliability is None):
        missing = "reliability" if reliability is None else "sd"
        raise InputError(missing, None, "sd and reliability given together, with their source")
    if sd is not None and reliability is not None:
        if isinstance(sd, bool) or not isinstance(sd, (int, float)) or not math.isfinite(sd):
            raise InputError("sd", sd, "a standard deviation above 0")
        if sd <= 0:
            raise InputError("sd", sd, "a standard deviation above 0")
        if (
            isinstance(reliability, bool)
            or not isinstance(reliability, (int, float))
            or not math.isfinite(reliability)
            or not 0 <= reliability < 1
        ):
            raise InputError(
                "reliability", reliability, "a test-retest reliability from 0 to below 1"
            )
        if not source or not isinstance(source, str):
            raise InputError("source", source, "the citation of the SD and reliability given")
        used_sd, used_r, used_source = float(sd), float(reliability), source
    elif rules.rci is not None:
        used_sd, used_r, used_source = rules.rci.sd, rules.rci.reliability, rules.rci.source
    else:
        raise InputError(
            "sd",
            None,
            f"a published SD and test-retest reliability for {rules.name}: none checked against "
            "a publication is stored, so pass sd, reliability and source",
        )
    rci, sem, s_diff = rci_from(base, value, used_sd, used_r)
    z = general.rci_z
    return ReliableChange(
        scale=rules.id,
        baseline=base,
        score=value,
        change=value - base,
        sd=used_sd,
        reliability=used_r,
        sem=sem,
        s_diff=s_diff,
        rci=rci,
        criterion=z,
        reliable_change_points=z * s_diff,
        reliable_improvement=rci < -z,
        reliable_deterioration=rci > z,
        source=f"{used_source}; formula: {general.rci_source}",
    )
