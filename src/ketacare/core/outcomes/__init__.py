"""Outcomes: percent change, response, remission, relapse, reliable change and SI signals.

Per-scale rules are data (``core/outcomes/data/*.toml``), each with its published source.
"""

from ketacare.core.outcomes.assess import (
    OutcomeResult,
    OutcomeThresholds,
    SeriesEvent,
    SeriesPoint,
    SeriesResult,
    assess,
    assess_series,
    outcome_thresholds,
)
from ketacare.core.outcomes.change import improvement_fraction, percent_change
from ketacare.core.outcomes.reliable import ReliableChange, reliable_change
from ketacare.core.outcomes.rules import (
    RelapseRule,
    RemissionDefinition,
    ScaleRules,
    get_scale_rules,
    list_scale_rules,
)
from ketacare.core.outcomes.suicide import (
    SIInput,
    SIObservation,
    SISignal,
    suicidal_ideation_signal,
)

__all__ = [
    "OutcomeResult",
    "OutcomeThresholds",
    "RelapseRule",
    "ReliableChange",
    "RemissionDefinition",
    "SIInput",
    "SIObservation",
    "SISignal",
    "ScaleRules",
    "SeriesEvent",
    "SeriesPoint",
    "SeriesResult",
    "assess",
    "assess_series",
    "get_scale_rules",
    "improvement_fraction",
    "list_scale_rules",
    "outcome_thresholds",
    "percent_change",
    "reliable_change",
    "suicidal_ideation_signal",
]
