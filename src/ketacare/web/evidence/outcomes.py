"""The cohort report and the clinic's outcome counts, from ``core.analytics`` (one definition)."""

from __future__ import annotations

from typing import Any

from ketacare.core.analytics import (
    DEFAULT_SMALL_CELL,
    ORKA_DEFINITION,
    WHOLE_COURSE,
    OutcomeDefinition,
    clean,
    cohort_report,
    course_counts,
)
from ketacare.web.evidence.frames import load_frames

#: the clinic's small-cell threshold (the /outcomes/ page's 5, now one constant)
SMALL_CELL = DEFAULT_SMALL_CELL


def clinic_cohort_report(
    clinic: Any,
    *,
    definition: OutcomeDefinition = ORKA_DEFINITION,
    small_cell: int = SMALL_CELL,
) -> dict[str, Any]:
    courses, sessions, measures = load_frames(clinic)
    report = cohort_report(
        courses, sessions, measures, definition=definition, small_cell=small_cell
    )
    report["clinic"] = clinic.name
    return clean(report)


def clinic_course_outcomes(clinic: Any, *, basis: str = "last") -> list[dict[str, Any]]:
    """Per course of ``clinic``: drug, route, protocol, primary scale, followed, response,
    remission, remission_judged, by the whole-course definition (``basis`` last or any)."""
    from dataclasses import replace

    definition = replace(WHOLE_COURSE, basis=basis)
    courses, sessions, measures = load_frames(clinic)
    frame = course_counts(courses, sessions, measures, definition=definition)
    return frame.to_dict("records")
