"""A small cohort worked by hand (see test_cohort.py for the expected figures)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

NAN = math.nan
D = 20000  # day 0 of every course (days since 1970-01-01)


def frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    courses = pd.DataFrame(
        [
            (1, 101, "racemic", "iv", "iv-racemic", "phq9"),
            (2, 102, "racemic", "iv", "iv-racemic", "phq9"),
            (3, 103, "esketamine", "in", "esketamine-trd", "phq9"),
            (4, 104, "racemic", "iv", "iv-racemic", "phq9"),
            (5, 105, "racemic", "iv", "iv-racemic", "phq9"),
        ],
        columns=["course_id", "patient_id", "drug", "route", "protocol_id", "primary_scale"],
    )
    days = {
        1: [0, 2, 4, 7, 9, 11, 35],
        2: [0, 3, 7, 10, 14],
        3: [0, 3, 7],
        4: [2 * i for i in range(12)],
        5: [0, 2, 4, 7],
    }
    sessions = pd.DataFrame(
        [(c, D + d) for c, ds in days.items() for d in ds], columns=["course_id", "day"]
    )
    rows = [
        # course, scale, day, total, si, is_baseline, withdrawn
        (1, "phq9", 0, 20, 2, True, False),
        (1, "phq9", 7, 12, 1, False, False),
        (1, "phq9", 16, 8, 0, False, False),
        (1, "phq9", 40, 14, 1, False, False),
        (1, "madrs", 0, 30, NAN, True, False),
        (1, "madrs", 16, 14, NAN, False, False),
        (2, "phq9", 0, 24, 0, True, False),
        (2, "phq9", 20, 4, 0, False, False),
        (2, "phq9", 30, 3, 0, False, False),
        (3, "phq9", 0, 18, 0, True, False),
        (3, "phq9", 20, 9, 0, False, False),
        (4, "phq9", -3, 17, NAN, False, False),
        (4, "phq9", -1, 16, NAN, False, False),
        (4, "phq9", 18, 15, NAN, False, False),
        (4, "phq9", 23, 6, NAN, False, False),
        (5, "phq9", 0, 10, 1, True, False),
        (5, "phq9", 15, 2, 0, False, True),
        (5, "phq9", 20, 12, 1, False, False),
    ]
    measures = pd.DataFrame(
        [(c, s, D + d + 0.4, float(t), float(si), b, w) for c, s, d, t, si, b, w in rows],
        columns=["course_id", "scale_id", "t", "total", "si", "is_baseline", "withdrawn"],
    )
    return courses, sessions, measures


@pytest.fixture
def cohort() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return frames()
