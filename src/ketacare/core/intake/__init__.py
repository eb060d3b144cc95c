"""Intake and eligibility: TRD staging, the contraindication/caution screen, and the eligibility
decision from a patient's history of screens.

Pure functions on plain values; the rules and questions are data files with sources
(``data/trd.toml``, ``data/contraindications.toml``).
"""

from __future__ import annotations

from ketacare.core.intake.definitions import TRIAL_RESPONSES, Question, TRDRule, questions, trd_rule
from ketacare.core.intake.eligibility import (
    STATUSES,
    Eligibility,
    ScreenRecord,
    applicable_screen,
    eligibility,
    screen_record_from_result,
)
from ketacare.core.intake.screen import (
    Finding,
    ScreenResult,
    list_questions,
    screen_contraindications,
)
from ketacare.core.intake.trd import STAGES, AntidepressantTrial, TRDStage, trd_stage

__all__ = [
    "STAGES",
    "STATUSES",
    "TRIAL_RESPONSES",
    "AntidepressantTrial",
    "Eligibility",
    "Finding",
    "Question",
    "ScreenRecord",
    "ScreenResult",
    "TRDRule",
    "TRDStage",
    "applicable_screen",
    "eligibility",
    "list_questions",
    "questions",
    "screen_contraindications",
    "screen_record_from_result",
    "trd_rule",
    "trd_stage",
]
