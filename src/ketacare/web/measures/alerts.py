"""Alerts as staff read them: each with its measure (the scale's name from the core, not its id),
when the measure was taken and the alert raised (in the clinic's time zone) and its patient;
grouped per patient, each still acknowledged on its own with its own note."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ketacare.core import scales as core_scales
from ketacare.web.lib.links import link_for
from ketacare.web.lib.zone import clinic_time
from ketacare.web.measures.models import Alert, AlertLevel

KIND_LABELS = {"suicidal_ideation": "Suicidal ideation", "worsening": "Worsening"}

COLUMNS = (
    "uuid",
    "kind",
    "level",
    "reason",
    "source",
    "raised_at",
    "acknowledged_at",
    "acknowledgement_note",
    "acknowledged_by__first_name",
    "acknowledged_by__last_name",
    "acknowledged_by__username",
    "patient__uuid",
    "patient__given_name",
    "patient__family_name",
    "measure__scale_id",
    "measure__taken_at",
    "measure__total",
    "measure__source",
)


@lru_cache(maxsize=64)
def scale_name(scale_id: str) -> str:
    """The core's name of a scale; the id itself for one the core no longer has."""
    try:
        return core_scales.get_scale(scale_id).name
    except (ValueError, LookupError):  # UnknownIdError is a ValueError
        return scale_id


def alert_rows(alerts: Iterable[Alert] | Any, clinic: Any) -> list[dict[str, Any]]:
    """Plain rows for the alert list and the dashboard card, from a queryset of alerts."""
    patient_url = link_for("patients:detail")
    acknowledge_url = link_for("measures:acknowledge")
    levels = dict(AlertLevel.choices)
    rows = []
    for a in alerts.values(*COLUMNS):  # type: ignore[union-attr]  # the caller passes a QuerySet
        scale_id = a["measure__scale_id"]
        by = " ".join(
            x for x in (a["acknowledged_by__first_name"], a["acknowledged_by__last_name"]) if x
        )
        rows.append(
            {
                "uuid": a["uuid"],
                "kind": KIND_LABELS.get(a["kind"], a["kind"].replace("_", " ")),
                "level": levels.get(a["level"], a["level"]),
                "level_id": a["level"],
                "reason": a["reason"],
                "source": a["source"],
                "measure": scale_name(scale_id) if scale_id else "",
                "measure_total": a["measure__total"],
                "self_report": a["measure__source"] == "patient",
                "taken_at": clinic_time(a["measure__taken_at"], clinic),
                "raised_at": clinic_time(a["raised_at"], clinic),
                "is_open": a["acknowledged_at"] is None,
                "acknowledged_at": clinic_time(a["acknowledged_at"], clinic),
                "acknowledged_by": by or (a["acknowledged_by__username"] or ""),
                "acknowledgement_note": a["acknowledgement_note"],
                "patient_uuid": a["patient__uuid"],
                "patient_name": f"{a['patient__given_name']} {a['patient__family_name']}",
                "patient_url": patient_url(a["patient__uuid"]),
                "acknowledge_url": acknowledge_url(a["uuid"]),
            }
        )
    return rows


def group_by_patient(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One group per patient, in the order of each patient's first row (newest first)."""
    groups: dict[Any, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(
            row["patient_uuid"],
            {"patient_name": row["patient_name"], "patient_url": row["patient_url"], "alerts": []},
        )
        group["alerts"].append(row)
    for group in groups.values():
        group["n_open"] = sum(1 for r in group["alerts"] if r["is_open"])
    return list(groups.values())
