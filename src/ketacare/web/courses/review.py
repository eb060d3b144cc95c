"""The end-of-induction review: the outcome so far and the core's escalation advice.

Scores come from the course's measures of the baseline's scale; doses from the sessions given.
Every number is the core's (``ketacare.core.protocols.advise_escalation``).
"""

from __future__ import annotations

from typing import Any

from ketacare.core import outcomes as core_outcomes
from ketacare.core import protocols as core_protocols
from ketacare.core.errors import KetaCareError
from ketacare.web.courses.models import Course, PlannedSession, PlannedStatus


def doses_given(course: Course, sessions: list[PlannedSession]) -> list[float]:
    """Doses of the sessions given, in the protocol's unit (mg/kg or mg)."""
    unit = core_protocols.get_protocol(course.protocol_id).dose_unit
    doses: list[float] = []
    for session in sessions:
        if session.status != PlannedStatus.DONE:
            continue
        value = session.dose_mg_per_kg if unit == "mg/kg" else session.dose_mg
        if value is not None:
            doses.append(value)
    return doses


def review_context(course: Course, sessions: list[PlannedSession]) -> dict[str, Any]:
    baseline = course.baseline_measure
    if baseline is None or baseline.total is None:
        return {"review_missing": "No baseline measure on this course yet."}
    later = [
        m
        for m in course.measures.filter(
            scale_id=baseline.scale_id, withdrawn=False, taken_at__gt=baseline.taken_at
        ).order_by("taken_at")
        if m.total is not None
    ]
    if not later:
        return {"review_missing": f"No {baseline.scale_id} score after the baseline yet."}
    context: dict[str, Any] = {"review_scores": later, "review_baseline": baseline}
    try:
        series = core_outcomes.assess_series(
            baseline.scale_id,
            baseline.total,
            [m.total for m in later],  # type: ignore[misc]  # follow-ups are scored measures: total is set
            dates=[m.taken_at.date() for m in later],
            baseline_date=baseline.taken_at.date(),
        )
        context["series"] = series.summary()
        context["latest_outcome"] = series.points[-1].outcome.to_dict()
    except KetaCareError as exc:
        context["series_error"] = str(exc)
    if course.status not in ("induction", "review"):
        return context
    doses = doses_given(course, sessions)
    try:
        advice = core_protocols.advise_escalation(
            course.protocol_id,
            baseline=baseline.total,
            scores=[m.total for m in later],  # type: ignore[misc]  # follow-ups are scored measures: total is set
            doses_given=doses or None,
            scale_id=baseline.scale_id,
        )
    except KetaCareError as exc:
        context["review_missing"] = f"The core could not advise: {exc}"
        return context
    context["advice"] = advice.to_dict()
    return context
