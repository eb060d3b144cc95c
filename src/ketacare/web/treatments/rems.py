"""The Spravato REMS Patient Monitoring Form for one esketamine session.

The fields are gathered from the records and handed to the core's
``ketacare.core.safety.rems_monitoring_form``, which checks them, lists the required fields still
missing, checks the monitoring duration and gives the due date. The web layer judges nothing
clinical itself: each answer is taken from a record and ``notes`` says which one.

- Respiratory depression: *yes* when a SpO2 or respiratory-rate row after the dose carries the
  core's ``check_vitals`` alert below its low limit, or an adverse event of the session names a
  respiratory problem (the event is quoted); *no* when SpO2 or respiratory rate was recorded
  after the dose with no such alert and no such event; otherwise blank for staff.
- Concomitant medicines: from the patient's latest contraindication screen on or before the
  session date (``core.intake`` questions ``psychostimulants``, ``maoi`` and ``cns_depressants``).
  A *no* to CNS depressants answers *no* for benzodiazepines and non-benzodiazepine sedative
  hypnotics (both are CNS depressants); a *yes* does not say which, so those stay blank for staff.
- Vital signs acceptable before dosing, BP about 40 min, BP before monitoring ended: chosen by
  the core's ``rems_vital_answers`` from the stored blood-pressure gate decision, the
  prescriber's decision note and the session's BP readings (each answer carries the core's note).
- Times are shown in the clinic's time zone, to the minute (``clinic_time``).
- Setting name: the clinic's name. The HCP telephone and the setting's address are not held in
  the records: they stay blank, labelled for staff to complete.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ketacare.core import safety as core_safety
from ketacare.core.safety.monitoring import REMS_FIELDS
from ketacare.core.safety.rems import RemsAnswer, rems_form_status, rems_vital_answers
from ketacare.web.lib.zone import clinic_time, clinic_today
from ketacare.web.patients.models import ContraindicationScreen
from ketacare.web.treatments.models import RemsSubmission, TreatmentSession

#: short labels of the form's fields (our own words)
LABELS: dict[str, str] = {
    "patient_first_name": "Patient first name",
    "patient_middle_initial": "Patient middle initial",
    "patient_last_name": "Patient last name",
    "patient_birthdate": "Patient date of birth",
    "patient_sex": "Patient sex",
    "benzodiazepines": "Concomitant: benzodiazepines",
    "non_benzodiazepine_sedative_hypnotics": "Concomitant: non-benzodiazepine sedative hypnotics",
    "psychostimulants": "Concomitant: psychostimulants",
    "maois": "Concomitant: MAOIs",
    "hcp_first_name": "HCP first name",
    "hcp_last_name": "HCP last name",
    "hcp_telephone": "HCP telephone",
    "hcp_email": "HCP email",
    "setting_name": "Healthcare setting name",
    "setting_address_1": "Setting address line 1",
    "setting_address_2": "Setting address line 2",
    "setting_city": "Setting city",
    "setting_state": "Setting state",
    "setting_zip": "Setting ZIP code",
    "treatment_date": "Treatment date",
    "dose_mg": "Dose (mg)",
    "lot_number": "Lot number",
    "first_device_at": "First device administered at",
    "monitoring_end_at": "Monitoring ended at",
    "ready_without_rule_minutes": "Without the 2-hour rule, ready to leave after (min)",
    "vitals_acceptable_before": "Vital signs acceptable before dosing",
    "vitals_acceptable_before_completion": "Vital signs acceptable before monitoring ended",
    "bp_pre_dose": "BP before dosing (mmHg)",
    "bp_40_min": "BP about 40 min after dosing (mmHg)",
    "bp_before_completion": "BP before monitoring ended (mmHg)",
    "sedation": "Sedation",
    "dissociation": "Dissociation",
    "respiratory_depression": "Respiratory depression",
    "serious_adverse_event": "Serious adverse event",
    "serious_adverse_event_details": "Serious adverse event details",
}

#: fields the KetaCare records never hold: always left for staff
NOT_HELD = (
    "patient_middle_initial",
    "hcp_telephone",
    "setting_address_1",
    "setting_address_2",
    "setting_city",
    "setting_state",
    "setting_zip",
)
STAFF_BLANK = "Not held in the KetaCare record: staff to complete."
NO_ENTRY_NEEDED = "No serious adverse event recorded: nothing to detail."

#: words in an adverse event's description that name a respiratory problem
RESPIRATORY_EVENT = re.compile(
    r"respirat|breath|apn(o)?ea|hypoventil|desaturat|hypox|cyanos", re.IGNORECASE
)
RESPIRATORY_VITALS = ("spo2", "resp_rate")

#: REMS form field <- contraindication-screen question (core.intake) answered yes/no
SCREEN_ANSWERS = {"psychostimulants": "psychostimulants", "maois": "maoi"}
CNS_DEPRESSANT_FIELDS = ("benzodiazepines", "non_benzodiazepine_sedative_hypnotics")


def _followed_up(ratings: list[Any], scale_id: str) -> bool | None:
    """Whether the core's follow-up flagged the scale after the dose (None: not rated)."""
    rated = [r for r in ratings if r.scale_id == scale_id and r.followup_decision]
    if not rated:
        return None
    return any(r.followup_decision != "none" for r in rated)


def _after_dose(session: TreatmentSession, row: Any) -> bool:
    start = session.dose_start
    if isinstance(start, dt.datetime):
        return bool(row.taken_at >= start)
    return row.minute is not None and row.minute > 0


def respiratory_status(
    session: TreatmentSession, vitals: list[Any], events: list[Any]
) -> tuple[bool | None, str]:
    """The respiratory-depression answer from the records, and where it comes from."""
    after = [
        v
        for v in vitals
        if _after_dose(session, v) and (v.spo2 is not None or v.resp_rate is not None)
    ]
    low = [
        (v, a)
        for v in after
        for a in v.alerts
        if a["field"] in RESPIRATORY_VITALS and a["severity"] == "alert" and a["value"] < a["limit"]
    ]
    named = [e for e in events if RESPIRATORY_EVENT.search(e.description)]
    if low or named:
        parts = [
            f"{clinic_time(v.taken_at, session.clinic, with_date=False)}: {a['reason']}"
            for v, a in low
        ]
        parts += [f"adverse event: {e.description}" for e in named]
        return True, "Yes from the session record: " + "; ".join(parts)
    if after:
        return False, (
            f"No: SpO2/respiratory rate recorded at {len(after)} time(s) after the dose, none "
            "below the core's alert limits, and no respiratory adverse event."
        )
    return None, (
        "No SpO2 or respiratory rate recorded after the dose and no respiratory adverse event: "
        "staff to complete."
    )


def _latest_screen(session: TreatmentSession) -> ContraindicationScreen | None:
    return (
        ContraindicationScreen.objects.filter(
            patient_id=session.patient_id, screened_at__date__lte=session.date
        )
        .order_by("-screened_at", "-id")
        .first()
    )


def concomitant_medicines(session: TreatmentSession) -> tuple[dict[str, bool], dict[str, str]]:
    """The concomitant-medicine answers held by the latest screen, and where they come from."""
    screen = _latest_screen(session)
    values: dict[str, bool] = {}
    notes: dict[str, str] = {}
    names = (*SCREEN_ANSWERS, *CNS_DEPRESSANT_FIELDS)
    if screen is None:
        for name in names:
            notes[name] = "No contraindication screen on or before the session: staff to complete."
        return values, notes
    answers = screen.answers or {}
    when = f"intake screen of {screen.screened_at:%Y-%m-%d}"
    for name, question in SCREEN_ANSWERS.items():
        answer = answers.get(question)
        if isinstance(answer, bool):
            values[name] = answer
            notes[name] = f"From the {when}."
        else:
            notes[name] = f"Not answered in the {when}: staff to complete."
    cns = answers.get("cns_depressants")
    for name in CNS_DEPRESSANT_FIELDS:
        if cns is False:
            values[name] = False
            notes[name] = f"No CNS depressants in the {when}."
        elif cns is True:
            notes[name] = (
                f"The {when} lists CNS depressants (which ones not held): staff to complete."
            )
        else:
            notes[name] = f"CNS depressants not answered in the {when}: staff to complete."
    return values, notes


def gather(session: TreatmentSession) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's fields from the records, and a note for each field filled by inference or left
    for staff."""
    patient = session.patient
    prescriber = session.course.prescriber
    all_vitals = list(session.vitals.filter(withdrawn=False))
    ratings = list(session.ratings.filter(withdrawn=False))
    events = list(session.adverse_events.filter(withdrawn=False))
    vital_answers = _vital_answers(session, all_vitals)
    serious = [e for e in events if e.serious]
    respiratory, respiratory_note = respiratory_status(session, all_vitals, events)
    medicines, notes = concomitant_medicines(session)
    fields: dict[str, Any] = {
        "patient_first_name": patient.given_name,
        "patient_last_name": patient.family_name,
        "patient_birthdate": patient.date_of_birth.isoformat(),
        "patient_sex": patient.get_sex_display(),
        **medicines,
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
        **{name: _pair(answer.value) for name, answer in vital_answers.items()},
        "sedation": _followed_up(ratings, "moaas"),
        "dissociation": _followed_up(ratings, "cadss"),
        "respiratory_depression": respiratory,
        "serious_adverse_event": bool(serious),
        "serious_adverse_event_details": "; ".join(e.description for e in serious),
    }
    notes["respiratory_depression"] = respiratory_note
    for name, answer in vital_answers.items():
        note = answer.note
        if answer.taken_at is not None:
            note += f" At {clinic_time(answer.taken_at, session.clinic, with_date=False)}."
        notes[name] = note
    notes["setting_name"] = "The clinic's name."
    if not serious:
        notes["serious_adverse_event_details"] = NO_ENTRY_NEEDED
    for name, what in (
        ("hcp_first_name", "first name"),
        ("hcp_last_name", "last name"),
        ("hcp_email", "email"),
    ):
        if not fields[name]:
            notes[name] = f"The prescriber's user account has no {what}: staff to complete."
    for name in NOT_HELD:
        notes[name] = STAFF_BLANK
    return fields, notes


def bp_gate_decision(session: TreatmentSession) -> str | None:
    """The stored decision of the core's blood-pressure gate (None: no checklist recorded)."""
    report = session.gate_report or {}
    for decision in report.get("decisions", []):
        if decision.get("gate") == "blood_pressure":
            return str(decision.get("decision"))
    return None


def _pair(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _vital_answers(session: TreatmentSession, vitals: list[Any]) -> dict[str, RemsAnswer]:
    return rems_vital_answers(
        bp_gate_decision=bp_gate_decision(session),
        prescriber_decision=session.gate_note,
        readings=[(v.taken_at, v.systolic, v.diastolic) for v in vitals],
        first_device_at=session.first_device_at,
        monitoring_end_at=session.discharged_at,
    )


def gather_fields(session: TreatmentSession) -> dict[str, Any]:
    return gather(session)[0]


def rems_page(session: TreatmentSession, submission_form: Any = None) -> dict[str, Any]:
    """The core's form and one row per field of the form (label, value, note, secondary source,
    blank for staff), in the form's order; the submission state and the form to record one."""
    fields, notes = gather(session)
    form = core_safety.rems_monitoring_form(fields)
    times = {
        name: clinic_time(fields.get(name), session.clinic)
        for name in ("first_device_at", "monitoring_end_at")
    }
    secondary = set(form["secondary_source_fields"])
    missing = set(form["missing_required"])
    rows = []
    for name, _required, _sec in REMS_FIELDS:
        value = form["fields"].get(name)
        blank = value is None or value == ""
        if name in times and not blank:
            display = times[name]
        elif name.startswith("bp_") and isinstance(value, list):
            display = f"{value[0]:g}/{value[1]:g}"
        elif value is True or value is False:
            display = "Yes" if value else "No"
        else:
            display = "" if blank else str(value)
        rows.append(
            {
                "name": name,
                "label": LABELS.get(name, name.replace("_", " ")),
                "value": value,
                "display": display,
                "blank": blank,
                "staff": blank and notes.get(name) != NO_ENTRY_NEEDED,
                "required": name in missing,
                "note": notes.get(name, "Not recorded for this session: staff to complete.")
                if blank
                else notes.get(name, ""),
                "secondary": name in secondary,
            }
        )
    overrides = [
        f"Dose override: {o['dose_mg']:g} mg above the protocol maximum, by {o['by']} at "
        f"{clinic_time(dt.datetime.fromisoformat(o['at']), session.clinic)}: {o['reason']}"
        for o in session.dose_overrides or []
    ]
    if overrides:
        for row in rows:
            if row["name"] == "dose_mg":
                row["note"] = " ".join(filter(None, [row["note"], *overrides]))
    from ketacare.web.treatments.rems_forms import RemsSubmissionForm

    state = submission_state(session)
    if submission_form is None:
        submission_form = RemsSubmissionForm(
            correction=state["submission"] is not None,
            initial={"submitted_on": clinic_today(session.clinic)},
        )
    return {"form": form, "rows": rows, "submission_form": submission_form, **state}


def submission_state(session: TreatmentSession) -> dict[str, Any]:
    """The session's active REMS submission, its history (newest first) and the core's
    submitted/due/overdue status, for the form page."""
    history = list(
        RemsSubmission.objects.filter(session=session)
        .select_related("submitted_by")
        .order_by("-recorded_at", "-id")
    )
    for row in history:
        row.recorded_local = clinic_time(row.recorded_at, session.clinic)  # type: ignore[attr-defined]  # a display value set on the row for the template
    active = next((row for row in history if row.is_active), None)
    status = rems_form_status(
        session.date, active.submitted_on if active else None, clinic_today(session.clinic)
    )
    return {
        "submission": active,
        "submissions": history,
        "rems_status": status,
    }
