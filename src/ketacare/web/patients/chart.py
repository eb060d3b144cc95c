"""The clinical part of the patient chart (filled as the courses and measures pages land)."""

from __future__ import annotations

from typing import Any

from ketacare.web.patients.models import Patient


def chart_context(patient: Patient) -> dict[str, Any]:
    return {
        "trials": list(patient.trials.filter(withdrawn=False)),
        "screens": list(patient.screens.all()[:1]),
        "consents": list(patient.consents.select_related("course")),
        "courses": list(patient.courses.all()),
    }
