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

__all__ = [
    "BinaryRow",
    "ContinuousRow",
    "Effect",
    "EggerResult",
    "PoolResult",
    "SubgroupResult",
    "binary_effect",
    "binary_effects",
    "continuous_effect",
    "continuous_effects",
    "egger_test",
    "generic_effect",
    "leave_one_out",
    "pool_binary",
    "pool_continuous",
    "pool_effects",
    "pool_yi_vi",
    "subgroup_analysis",
]
