"""The PK curve on the session page: ``ketacare.core.pk.curve`` for the dose recorded.

Drawn by the courses app's helper (``courses.pk.curve_for``, which picks the core's parameter set
for the drug and route and renders the core's result as inline SVG) and shown by the shared
partial ``courses/_pk_curve.html`` with the effect band and the two-hour mark. None before a dose
is recorded; the partial then says so.
"""

from __future__ import annotations

from typing import Any

from ketacare.web.courses import pk as course_pk
from ketacare.web.treatments.models import TreatmentSession


def curve_for_session(
    session: TreatmentSession, model_id: str | None = None
) -> dict[str, Any] | None:
    if session.dose_mg is None:
        return None
    course = session.course
    duration = (session.dose_result or {}).get("duration_min")
    return course_pk.curve_for(
        course.drug,
        course.route,
        dose_mg=session.dose_mg,
        weight_kg=session.weight_kg,
        infusion_min=duration if course.route == "iv" else None,
        model_id=model_id,
    )
