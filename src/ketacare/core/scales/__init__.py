"""Rating scales: definitions as data files (``data/*.toml``) and scoring.

Public API (see docs/scales.md): :func:`list_scales`, :func:`get_scale`, :func:`score`.
"""

from __future__ import annotations

from ketacare.core.scales.definitions import (
    Band,
    BandSet,
    ItemDefinition,
    OptionDefinition,
    ScaleDefinition,
    build_scale,
    get_scale,
    list_scales,
)
from ketacare.core.scales.scoring import ScoreResult, score

__all__ = [
    "Band",
    "BandSet",
    "ItemDefinition",
    "OptionDefinition",
    "ScaleDefinition",
    "ScoreResult",
    "build_scale",
    "get_scale",
    "list_scales",
    "score",
]
