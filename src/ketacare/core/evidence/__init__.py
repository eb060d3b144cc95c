"""Evidence: trial records, effect sizes, pooling, heterogeneity and plots."""

from ketacare.core.evidence.effects import (
    BinaryRow,
    ContinuousRow,
    Effect,
    binary_effect,
    binary_effects,
    continuous_effect,
    continuous_effects,
    generic_effect,
)
from ketacare.core.evidence.plots import forest_png, forest_svg, funnel_png, funnel_svg
from ketacare.core.evidence.pooling import (
    EggerResult,
    PoolResult,
    SubgroupResult,
    egger_test,
    leave_one_out,
    pool_binary,
    pool_continuous,
    pool_effects,
    pool_yi_vi,
    subgroup_analysis,
)
from ketacare.core.evidence.trials import (
    Outcome,
    Trial,
    TrialPool,
    clinic_vs_literature,
    get_trial,
    list_trials,
    pool_trials,
    wilson_interval,
)

pool = pool_trials
"""``pool(...)``: the contract name of :func:`pool_trials` (pooled analysis over the records)."""

__all__ = [
    "BinaryRow",
    "ContinuousRow",
    "Effect",
    "EggerResult",
    "Outcome",
    "PoolResult",
    "SubgroupResult",
    "Trial",
    "TrialPool",
    "binary_effect",
    "binary_effects",
    "clinic_vs_literature",
    "continuous_effect",
    "continuous_effects",
    "egger_test",
    "forest_png",
    "forest_svg",
    "funnel_png",
    "funnel_svg",
    "generic_effect",
    "get_trial",
    "leave_one_out",
    "list_trials",
    "pool",
    "pool_binary",
    "pool_continuous",
    "pool_effects",
    "pool_trials",
    "pool_yi_vi",
    "subgroup_analysis",
    "wilson_interval",
]
