"""Cohort outcome analysis over columns (pandas), not per-row ORM loops.

One definition of a course's outcome (``definition``), judged over whole tables (``frames``),
with small-cell and complementary suppression (``suppression``), the ORKA-shaped cohort report
(``cohort``), Kaplan-Meier durability of response (``durability``), the de-identified research
extract (``deidentify``) and FHIR R4 resources (``fhir``).
"""

from ketacare.core.analytics.cohort import clean, cohort_report, course_counts
from ketacare.core.analytics.definition import (
    ORKA_DEFINITION,
    WHOLE_COURSE,
    InductionRule,
    OutcomeDefinition,
    response_scales,
)
from ketacare.core.analytics.suppression import (
    DEFAULT_SMALL_CELL,
    SuppressedTable,
    suppress_count,
    suppress_table,
)

__all__ = [
    "DEFAULT_SMALL_CELL",
    "ORKA_DEFINITION",
    "WHOLE_COURSE",
    "InductionRule",
    "OutcomeDefinition",
    "SuppressedTable",
    "clean",
    "cohort_report",
    "course_counts",
    "response_scales",
    "suppress_count",
    "suppress_table",
]
