"""The Spravato REMS Patient Monitoring Form for one esketamine session.

The fields are gathered from the session record and handed to the core's
``ketacare.core.safety.rems_monitoring_form``, which checks them, lists the required fields still
missing, checks the monitoring duration and gives the due date. Fields the record does not hold
(concomitant medicines, HCP telephone, the setting's address) stay empty for staff to complete.
"""

from __future__ import annotations

from typing import Any

from ketacare.core import safety as core_safety
from ketacare.web.treatments.models import TreatmentSession


def _bp(row: Any) -> list[float] | None:
    if row is None or row.systolic is None or row.diastolic is None:
        return None
    return [row.systolic, row.diastolic]


def _followed_up(ratings: list[Any], scale_id: str) -> bool | None:
    """Whether the core's follow-up flagged the scale after the dose (None: not rated)."""
    rated = [r for r in ratings if r.scale_id == scale_id and r.followup_decision]
    if not rated:
        return None
    return any(r.followup_decision != "none" for r in rated)


def gather_fields(session: TreatmentSession) -> dict[str, Any]:
    patient = session.patient
    prescriber = session.course.prescriber
    vitals = [v for v in session.vitals.filter(withdrawn=False) if v.systolic is not None]
    ratings = list(session.ratings.filter(withdrawn=False))
    events = list(session.adverse_events.filter(withdrawn=False))
    at_40 = next((v for v in vitals if v.minute == 40), None)
    last = vitals[-1] if vitals else None
    serious = [e for e in events if e.serious]
    fields: dict[str, Any] = {
        "patient_first_name": patient.given_name,
        "patient_last_name": patient.family_name,
        "patient_birthdate": patient.date_of_birth.isoformat(),
        "patient_sex": patient.get_sex_display(),
        "hcp_first_name": prescriber.first_name,
        "hcp_last_name": prescriber.last_name,
        "hcp_email": prescriber.email,
        "setting_name": session.clinic.name,
        "treatment_date": session.date,
        "dose_mg": session.dose_mg,
        "lot_number": session.lot_number,
        "first_device_at": session.first_device_at,
        "monitoring_end_at": session.discharged_at,
        "bp_pre_dose": [session.systolic, session.diastolic]
        if session.systolic is not None and session.diastolic is not None
        else None,
        "bp_40_min": _bp(at_40),
        "bp_before_completion": _bp(last) if last is not None and last is not at_40 else None,
        "sedation": _followed_up(ratings, "moaas"),
        "dissociation": _followed_up(ratings, "cadss"),
        "serious_adverse_event": bool(serious),
        "serious_adverse_event_details": "; ".join(e.description for e in serious),
    }
    if session.gate_report:
        fields["vitals_acceptable_before"] = session.gates_overall in ("pass", "warn") or bool(
            session.gate_note
        )
    return fields


def rems_form_for(session: TreatmentSession, user: Any = None) -> dict[str, Any]:
    return core_safety.rems_monitoring_form(gather_fields(session))
