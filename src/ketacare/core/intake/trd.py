"""TRD staging from the antidepressant trials of the current episode.

A trial counts as *failed adequate* when it was adequate (dose and duration, judged by the
clinician: ``adequate=True``), belongs to the current episode, and the response was ``none`` or
``partial``. Two or more make the depression treatment-resistant (data/trd.toml, with source).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.intake.definitions import TRIAL_RESPONSES, trd_rule

STAGES: tuple[str, ...] = ("no-failed-trial", "one-failed-trial", "trd")


@dataclass(frozen=True)
class AntidepressantTrial:
    drug: str
    dose_mg: float | None
    weeks: float | None
    adequate: bool | None
    response: str
    current_episode: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.drug, str) or not self.drug.strip():
            raise InputError("trial drug", self.drug, "the antidepressant's name")
        for name, top in (("dose_mg", 10000.0), ("weeks", 520.0)):
            value = getattr(self, name)
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or not 0 < value <= top
            ):
                raise InputError(f"trial {name}", value, f"a number above 0, up to {top:g}")
        if self.adequate is not None and not isinstance(self.adequate, bool):
            raise InputError("trial adequate", self.adequate, "true, false or unknown (None)")
        if self.response not in TRIAL_RESPONSES:
            raise InputError(
                "trial response", self.response, "one of " + ", ".join(TRIAL_RESPONSES)
            )
        if not isinstance(self.current_episode, bool):
            raise InputError("trial current_episode", self.current_episode, "true or false")

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "dose_mg": self.dose_mg,
            "weeks": self.weeks,
            "adequate": self.adequate,
            "response": self.response,
            "current_episode": self.current_episode,
        }


@dataclass(frozen=True)
class TRDStage:
    failed_adequate: int
    is_trd: bool
    stage: str
    reason: str
    source: str
    threshold: int
    counted: tuple[str, ...]
    not_assessed: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "failed_adequate": self.failed_adequate,
            "is_trd": self.is_trd,
            "stage": self.stage,
            "threshold": self.threshold,
            "counted": list(self.counted),
            "not_assessed": list(self.not_assessed),
            "reason": self.reason,
            "source": self.source,
        }


def trd_stage(trials: Sequence[AntidepressantTrial]) -> TRDStage:
    """Count failed adequate trials in the current episode and stage the depression."""
    if isinstance(trials, (str, bytes)) or not isinstance(trials, Sequence):
        raise InputError("trials", trials, "a list of antidepressant trials")
    for index, trial in enumerate(trials, start=1):
        if not isinstance(trial, AntidepressantTrial):
            raise InputError(f"trial {index}", trial, "an AntidepressantTrial")
    rule = trd_rule()
    current = [t for t in trials if t.current_episode]
    counted = tuple(
        t.drug for t in current if t.adequate is True and t.response in rule.failure_responses
    )
    not_assessed = tuple(
        t.drug for t in current if t.adequate is None and t.response in rule.failure_responses
    )
    failed = len(counted)
    need = rule.min_failed_adequate
    is_trd = failed >= need
    stage = "trd" if is_trd else ("one-failed-trial" if failed == 1 else "no-failed-trial")
    parts = [
        f"{failed} failed adequate antidepressant trial(s) in the current episode "
        f"({', '.join(counted) or 'none'}); TRD needs {need} or more."
    ]
    if not is_trd and failed + len(not_assessed) >= need:
        parts.append(
            f"Adequacy not yet assessed for {', '.join(not_assessed)}: TRD is possible once "
            "dose and duration are checked."
        )
    excluded = len(trials) - len(current)
    if excluded:
        parts.append(f"{excluded} trial(s) from earlier episodes not counted.")
    return TRDStage(
        failed_adequate=failed,
        is_trd=is_trd,
        stage=stage,
        reason=" ".join(parts),
        source=rule.source,
        threshold=need,
        counted=counted,
        not_assessed=not_assessed,
    )
