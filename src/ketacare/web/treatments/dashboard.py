"""The treatments rows of the clinic dashboard (called by ``clinic.dashboard``): sessions not
yet signed, REMS forms due or overdue, out-of-range vital signs not yet acknowledged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from ketacare.core.safety import rems_form_status
from ketacare.web.lib.links import link_for
from ketacare.web.lib.records import for_clinic
from ketacare.web.lib.zone import clinic_time, clinic_today
from ketacare.web.treatments.models import (
    RemsSubmission,
    SessionStatus,
    TreatmentSession,
    VitalSign,
)


@dataclass(frozen=True)
class UnsignedSession:
    label: str
    url: str

    def __str__(self) -> str:
        return self.label


def unsigned_sessions(user: Any, limit: int = 50) -> list[UnsignedSession]:
    session_url = link_for("treatments:detail")
    rows = (
        for_clinic(TreatmentSession.objects.filter(status=SessionStatus.OPEN), user)
        .order_by("date", "chair", "id")
        .values_list("uuid", "date", "chair", "patient__given_name", "patient__family_name")[:limit]
    )
    return [
        UnsignedSession(
            label=f"{date:%a %d %b} · {given} {family}" + (f" · chair {chair}" if chair else ""),
            url=session_url(uuid),
        )
        for uuid, date, chair, given, family in rows
    ]


# --- REMS forms due and open vital-sign alerts (called by clinic.dashboard) ----------------


def rems_forms_due(
    user: Any, today: dt.date | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Esketamine sessions dosed or signed with no active REMS submission, each with the core's
    ``rems_form_status`` (due date = treatment date + ``rems_form_due_days``), overdue first."""
    clinic = getattr(user, "clinic", None)
    if clinic is None:
        return []
    today = today or clinic_today(clinic)
    rems_url = link_for("treatments:rems")
    submitted = RemsSubmission.objects.filter(session=OuterRef("pk"), superseded_at__isnull=True)
    rows = (
        for_clinic(TreatmentSession.objects.filter(course__drug="esketamine"), user)
        .filter(Q(status=SessionStatus.SIGNED) | Q(first_device_at__isnull=False))
        .exclude(Exists(submitted))
        .order_by("date", "id")
        .values_list("uuid", "date", "patient__given_name", "patient__family_name")[:limit]
    )
    out = []
    for uuid, date, given, family in rows:
        status = rems_form_status(date, None, today)
        out.append(
            {
                "patient_name": f"{given} {family}",
                "treatment_date": date,
                "due_date": status.due_date,
                "status": status.status,
                "days_overdue": status.days_overdue,
                "reason": status.reason,
                "url": rems_url(uuid),
            }
        )
    out.sort(key=lambda r: (r["status"] != "overdue", r["due_date"]))
    return out


def open_vital_alerts(user: Any, limit: int = 50) -> list[dict[str, Any]]:
    """Out-of-range vital signs of the clinic not yet acknowledged, newest first: patient, what
    the core's ``check_vitals`` said (measure and value), and the time in the clinic's zone."""
    clinic = getattr(user, "clinic", None)
    if clinic is None:
        return []
    session_url = link_for("treatments:detail")
    acknowledge_url = link_for("treatments:acknowledge_vital")
    rows = (
        for_clinic(
            VitalSign.objects.filter(
                out_of_range=True, withdrawn=False, acknowledged_at__isnull=True
            ),
            user,
        )
        .order_by("-taken_at", "-id")
        .values_list(
            "uuid",
            "taken_at",
            "alerts",
            "session__uuid",
            "session__patient__given_name",
            "session__patient__family_name",
        )[:limit]
    )
    return [
        {
            "patient_name": f"{given} {family}",
            "time": clinic_time(taken_at, clinic),
            "alerts": [
                {
                    "field": a.get("field", ""),
                    "value": a.get("value"),
                    "reason": a.get("reason", ""),
                }
                for a in alerts or []
            ],
            "session_url": session_url(session_uuid),
            "acknowledge_url": acknowledge_url(uuid),
        }
        for uuid, taken_at, alerts, session_uuid, given, family in rows
    ]


def gates_waiting(user: Any, today: dt.date | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Today's open sessions whose pre-dose gate the core marked ``needs_prescriber`` and no
    prescriber has decided yet (no gate note), earliest checklist first, each with the core's
    reasons for the gates that need the prescriber and a link to the session."""
    clinic = getattr(user, "clinic", None)
    if clinic is None:
        return []
    today = today or clinic_today(clinic)
    session_url = link_for("treatments:detail")
    rows = (
        for_clinic(
            TreatmentSession.objects.filter(
                status=SessionStatus.OPEN, date=today, gates_overall="needs_prescriber"
            ),
            user,
        )
        .filter(gate_note="")
        .order_by("checklist_at", "id")
        .values_list(
            "uuid",
            "chair",
            "checklist_at",
            "gate_report",
            "patient__given_name",
            "patient__family_name",
        )[:limit]
    )
    out = []
    for uuid, chair, checklist_at, report, given, family in rows:
        decisions = (report or {}).get("decisions", [])
        reasons = [
            d.get("reason", "") for d in decisions if d.get("decision") == "needs_prescriber"
        ]
        out.append(
            {
                "patient_name": f"{given} {family}",
                "chair": chair,
                "time": clinic_time(checklist_at, clinic, with_date=False),
                "reasons": " ".join(r for r in reasons if r),
                "url": session_url(uuid),
            }
        )
    return out
