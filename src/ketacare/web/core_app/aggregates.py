"""De-identified clinic aggregates for researchers: counts only, no patient-level rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from ketacare.web.core_app.records import for_clinic
from ketacare.web.courses.models import Course


def aggregates_context(user: Any) -> dict[str, Any]:
    courses = for_clinic(Course.objects.all(), user)
    by_route = list(
        courses.values("drug", "route", "status").annotate(n=Count("id")).order_by("drug", "route")
    )
    return {"by_route": by_route, "n_courses": sum(row["n"] for row in by_route)}
