"""Safety rules: pre-dose gates, vital-sign alerts, monitoring, follow-up and discharge.

Pure functions on plain values (no import of the other areas): every rule returns a decision,
its reason and its published source. Thresholds live in ``data/thresholds.toml`` and load into
the frozen :data:`DEFAULT_THRESHOLDS`, which a clinic may override.
"""

from __future__ import annotations

from ketacare.core.safety._common import DRUGS, ROUTES
from ketacare.core.safety.discharge import Criterion, DischargeDecision, discharge_readiness
from ketacare.core.safety.followup import FollowUp, dissociation_followup, sedation_followup
from ketacare.core.safety.gates import DECISIONS, GateDecision, GateReport, evaluate_gates
from ketacare.core.safety.monitoring import (
    Timepoint,
    monitoring_schedule,
    observation_window,
    rems_monitoring_form,
)
from ketacare.core.safety.rems import (
    RemsAnswer,
    RemsFormStatus,
    check_rems_submission,
    rems_form_status,
    rems_vital_answers,
    vitals_acceptable_before_dosing,
)
from ketacare.core.safety.thresholds import DEFAULT_THRESHOLDS, Thresholds, load_default_thresholds
from ketacare.core.safety.vitals import VitalAlert, check_vitals

__all__ = [
    "DECISIONS",
    "DEFAULT_THRESHOLDS",
    "DRUGS",
    "ROUTES",
    "Criterion",
    "DischargeDecision",
    "FollowUp",
    "GateDecision",
    "GateReport",
    "RemsAnswer",
    "RemsFormStatus",
    "Thresholds",
    "Timepoint",
    "VitalAlert",
    "check_rems_submission",
    "check_vitals",
    "discharge_readiness",
    "dissociation_followup",
    "evaluate_gates",
    "load_default_thresholds",
    "monitoring_schedule",
    "observation_window",
    "rems_form_status",
    "rems_monitoring_form",
    "rems_vital_answers",
    "sedation_followup",
    "vitals_acceptable_before_dosing",
]
