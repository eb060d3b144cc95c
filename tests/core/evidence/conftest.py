"""Reference datasets of metafor (R), used as test oracles.

dat.bcg (Colditz et al. 1994, JAMA 271:698) as printed in the metafor README
(github.com/wviechtb/metafor, README.md, "Example"): trial, tpos, tneg, cpos, cneg.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ketacare.core.evidence.effects import BinaryRow

BCG = [
    ("Aronson 1948", 4, 119, 11, 128),
    ("Ferguson & Simes 1949", 6, 300, 29, 274),
    ("Rosenthal et al 1960", 3, 228, 11, 209),
    ("Hart & Sutherland 1977", 62, 13536, 248, 12619),
    ("Frimodt-Moller et al 1973", 33, 5036, 47, 5761),
    ("Stein & Aronson 1953", 180, 1361, 372, 1079),
    ("Vandiviere et al 1973", 8, 2537, 10, 619),
    ("TPT Madras 1980", 505, 87886, 499, 87892),
    ("Coetzee & Berjak 1968", 29, 7470, 45, 7232),
    ("Rosenthal et al 1961", 17, 1699, 65, 1600),
    ("Comstock et al 1974", 186, 50448, 141, 27197),
    ("Comstock & Webster 1969", 5, 2493, 3, 2338),
    ("Comstock et al 1976", 27, 16886, 29, 17825),
]


@pytest.fixture
def bcg_rows() -> list[BinaryRow]:
    return [BinaryRow(s, tp, tp + tn, cp, cp + cn) for s, tp, tn, cp, cn in BCG]


@pytest.fixture
def bcg_csv(tmp_path: Path) -> Path:
    """dat.bcg as a `ketacare pool` CSV (events and totals per arm)."""
    path = tmp_path / "bcg.csv"
    lines = ["study,events_treat,n_treat,events_ctrl,n_ctrl"]
    lines += [f"{s},{tp},{tp + tn},{cp},{cp + cn}" for s, tp, tn, cp, cn in BCG]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
