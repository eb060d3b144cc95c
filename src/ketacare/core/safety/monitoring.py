"""In-session monitoring: vital-sign schedules, the esketamine 2-hour rule, the REMS form.

``monitoring_schedule`` lists what to record and when (minutes after the start of the dose;
``None`` for "before discharge"). ``observation_window`` gives the earliest discharge time under
the esketamine label: at least 2 hours from the first device. ``rems_monitoring_form`` assembles
the fields of the Spravato REMS Patient Monitoring Form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.safety._common import (
    check_aware,
    check_bool,
    check_drug_route,
    check_int,
    check_number,
)
from ketacare.core.safety.thresholds import DEFAULT_THRESHOLDS, Thresholds

ESKETAMINE_BP_SOURCE = (
    "Spravato US label: BP before the dose and about 40 min after, then as warranted, "
    "https://www.spravatohcp.com/dosing-spravato-trd ; REMS form BP pre-dose, 40 min and before "
    "completion: https://lucido-go.com/learn/spravato-monitoring-window"
)
ESKETAMINE_SPO2_SOURCE = (
    "Spravato label: monitor respiratory status including pulse oximetry, "
    "https://www.spravatohcp.com/dosing-spravato-trd"
)
ESKETAMINE_CADSS_SOURCE = (
    "Esketamine trials rated CADSS pre-dose and at +40 min, "
    "https://inclinicaltrials.com/major-depressive-disorder/NCT04226963/details"
)
MOAAS_TIMECOURSE_SOURCE = (
    "Esketamine sedation: onset about 15 min after the first device, peak at 30-45 min, back to "
    "MOAA/S 5 by 1-1.5 h, https://jnjmedicalconnect.com/products/spravato/medical-content/"
    "adverse-event-of-spravato-sedation-and-somnolence"
)
EMORY_SOURCE = (
    "Emory IV protocol: BP every 10 min during and every 15 min after the infusion, "
    "https://moreblossom.com/papers/blood-pressure-safety-of-subanesthetic-ketamine-for-"
    "depression-a-report-on-684-i"
)
IV_SCALES_SOURCE = (
    "Academic IV trial: CADSS and BPRS at 0, 40, 120 and 240 min, "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC6727003/table/tbl2"
)
IV_RECOVERY_SOURCE = (
    "Community IV practice: 30-60 min recovery after the infusion, "
    "https://www.floridaregionalpain.com/when-to-consider-ketamine-for-depression/"
)
TIMED_TEMPLATE_SOURCE = (
    "Timed vitals template: pre, 15, 30, 45 min, 1 h with BP, HR and SpO2, "
    "https://ketaminesoftware.com/guides/iv-therapy-ehr-requirements"
)

DEFAULT_INFUSION_MIN = 40
IV_RECOVERY_MIN = 60


@dataclass(frozen=True)
class Timepoint:
    minute: int | None  # minutes after the start of dosing; None = before discharge
    label: str
    record: tuple[str, ...]
    note: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "minute": self.minute,
            "label": self.label,
            "record": list(self.record),
            "note": self.note,
            "source": self.source,
        }


def monitoring_schedule(
    drug: str,
    route: str,
    *,
    infusion_min: int | None = None,
    thresholds: Thresholds | None = None,
) -> list[Timepoint]:
    """Timepoints to record for one session of ``drug`` by ``route``.

    ``infusion_min`` applies to IV only (default 40 min, the standard 0.5 mg/kg infusion).
    """
    drug, route = check_drug_route(drug, route)
    t = thresholds if thresholds is not None else DEFAULT_THRESHOLDS
    if infusion_min is not None and route != "iv":
        raise InputError("infusion_min", infusion_min, "only with route iv")
    if drug == "esketamine":
        return _esketamine_schedule(t)
    if route == "iv":
        length = check_int("infusion_min", infusion_min, 5, 240, optional=True)
        return _iv_schedule(length if length is not None else DEFAULT_INFUSION_MIN)
    return _timed_template()


def _esketamine_schedule(t: Thresholds) -> list[Timepoint]:
    obs = int(t.esketamine_observation_min)
    return [
        Timepoint(
            0,
            "pre-dose",
            ("blood_pressure", "spo2", "cadss"),
            "Pre-dose BP is the gate (see gates); CADSS baseline.",
            f"{ESKETAMINE_BP_SOURCE}; {ESKETAMINE_SPO2_SOURCE}; {ESKETAMINE_CADSS_SOURCE}",
        ),
        Timepoint(
            40,
            "+40 min",
            ("blood_pressure", "spo2", "cadss", "moaas"),
            "BP rise peaks about 40 min after dosing; then re-check as warranted until stable.",
            f"{ESKETAMINE_BP_SOURCE}; {ESKETAMINE_CADSS_SOURCE}; {MOAAS_TIMECOURSE_SOURCE}",
        ),
        Timepoint(
            obs,
            f"+{obs} min (end of the 2-hour observation)",
            ("blood_pressure", "spo2", "moaas", "cadss"),
            "Earliest end of monitoring, counted from the first device; sedation, dissociation "
            "and respiratory depression must have resolved.",
            t.source_of("esketamine_observation_min"),
        ),
        Timepoint(
            None,
            "before discharge",
            ("blood_pressure",),
            "REMS form: BP before session completion.",
            ESKETAMINE_BP_SOURCE,
        ),
    ]


def _iv_schedule(length: int) -> list[Timepoint]:
    points: list[Timepoint] = [
        Timepoint(
            0,
            "pre-infusion",
            ("blood_pressure", "heart_rate", "spo2", "cadss", "bprs"),
            "Baseline vitals and ratings.",
            f"{EMORY_SOURCE}; {IV_SCALES_SOURCE}",
        ),
    ]
    for minute in range(10, length, 10):
        points.append(
            Timepoint(
                minute,
                f"+{minute} min (infusion)",
                ("blood_pressure", "heart_rate", "spo2"),
                "During the infusion: every 10 min.",
                EMORY_SOURCE,
            )
        )
    end_record: tuple[str, ...] = ("blood_pressure", "heart_rate", "spo2")
    if length == 40:
        end_record = (*end_record, "cadss", "bprs")
    points.append(
        Timepoint(
            length,
            f"+{length} min (end of infusion)",
            end_record,
            "End of the infusion.",
            f"{EMORY_SOURCE}; {IV_SCALES_SOURCE}",
        )
    )
    for minute in range(length + 15, length + IV_RECOVERY_MIN + 1, 15):
        points.append(
            Timepoint(
                minute,
                f"+{minute} min (recovery)",
                ("blood_pressure", "heart_rate", "spo2"),
                "After the infusion: every 15 min.",
                f"{EMORY_SOURCE}; {IV_RECOVERY_SOURCE}",
            )
        )
    points.append(
        Timepoint(
            None,
            "before discharge",
            ("blood_pressure", "heart_rate", "spo2", "aldrete"),
            "Discharge assessment (modified Aldrete).",
            IV_RECOVERY_SOURCE,
        )
    )
    return points


def _timed_template() -> list[Timepoint]:
    vitals = ("blood_pressure", "heart_rate", "spo2")
    points = [Timepoint(0, "pre-dose", vitals, "Baseline vitals.", TIMED_TEMPLATE_SOURCE)]
    for minute in (15, 30, 45, 60):
        points.append(
            Timepoint(minute, f"+{minute} min", vitals, "Timed vitals.", TIMED_TEMPLATE_SOURCE)
        )
    points.append(
        Timepoint(
            None,
            "before discharge",
            (*vitals, "aldrete"),
            "Then hourly until discharge; discharge assessment.",
            TIMED_TEMPLATE_SOURCE,
        )
    )
    return points


def observation_window(
    first_device_at: datetime,
    *,
    drug: str,
    route: str,
    thresholds: Thresholds | None = None,
) -> datetime:
    """Earliest end of observation: first device + 2 h (esketamine label and REMS).

    Only esketamine has a fixed minimum observation time in the sources; other drugs raise
    InputError (use ``discharge_readiness`` for them).
    """
    drug, route = check_drug_route(drug, route)
    start = check_aware("first_device_at", first_device_at)
    if drug != "esketamine":
        raise InputError(
            "drug",
            drug,
            "esketamine (no fixed minimum observation time is sourced for other drugs)",
        )
    t = thresholds if thresholds is not None else DEFAULT_THRESHOLDS
    return start + timedelta(minutes=t.esketamine_observation_min)


# --- REMS Patient Monitoring Form ------------------------------------------------------------

REMS_FORM_SOURCE = (
    "SPRAVATO REMS Patient Monitoring Form (11/2021): "
    "https://manualspro.net/445029-spravato-patient-monitoring-form-instructions ; fields after "
    "the BP block from summaries (secondary source): "
    "https://support.care.osmind.org/articles/1696117798-spravato-rems-workflow"
)

#: (field, required on the form, from the secondary-source part of the form)
REMS_FIELDS: tuple[tuple[str, bool, bool], ...] = (
    ("patient_first_name", True, False),
    ("patient_middle_initial", False, False),
    ("patient_last_name", True, False),
    ("patient_birthdate", True, False),
    ("patient_sex", True, False),
    ("benzodiazepines", True, False),
    ("non_benzodiazepine_sedative_hypnotics", True, False),
    ("psychostimulants", True, False),
    ("maois", True, False),
    ("hcp_first_name", True, False),
    ("hcp_last_name", True, False),
    ("hcp_telephone", True, False),
    ("hcp_email", True, False),
    ("setting_name", True, False),
    ("setting_address_1", True, False),
    ("setting_address_2", False, False),
    ("setting_city", True, False),
    ("setting_state", True, False),
    ("setting_zip", True, False),
    ("treatment_date", True, False),
    ("dose_mg", True, False),
    ("lot_number", False, False),
    ("first_device_at", False, False),
    ("monitoring_end_at", False, False),
    ("ready_without_rule_minutes", False, False),
    ("vitals_acceptable_before", False, False),
    ("vitals_acceptable_before_completion", False, False),
    ("bp_pre_dose", False, False),
    ("bp_40_min", False, False),
    ("bp_before_completion", False, False),
    ("sedation", False, True),
    ("dissociation", False, True),
    ("respiratory_depression", False, True),
    ("serious_adverse_event", False, True),
    ("serious_adverse_event_details", False, True),
)
_YES_NO = {
    "benzodiazepines",
    "non_benzodiazepine_sedative_hypnotics",
    "psychostimulants",
    "maois",
    "vitals_acceptable_before",
    "vitals_acceptable_before_completion",
    "sedation",
    "dissociation",
    "respiratory_depression",
    "serious_adverse_event",
}


def rems_monitoring_form(
    fields: Mapping[str, Any] | None = None,
    /,
    *,
    thresholds: Thresholds | None = None,
    **values: Any,
) -> dict[str, Any]:
    """The REMS Patient Monitoring Form fields for one session, with the checks it implies.

    Fields come as a mapping, as keyword arguments, or both (keywords win). Returns
    ``{"form", "fields", "missing_required", "secondary_source_fields", "total_minutes",
    "checks", "due_date", "due_date_source", "source"}``. ``first_device_at`` and
    ``monitoring_end_at`` are timezone-aware datetimes, ``treatment_date`` a date, BP values
    ``(systolic, diastolic)`` pairs; yes/no fields are booleans.
    """
    if fields is not None and not isinstance(fields, Mapping):
        raise InputError("fields", fields, "a mapping of REMS form field to value")
    fields = {**(fields or {}), **values}
    t = thresholds if thresholds is not None else DEFAULT_THRESHOLDS
    known = {name for name, _, _ in REMS_FIELDS}
    for name in fields:
        if name not in known:
            raise InputError("rems field", name, "one of " + ", ".join(sorted(known)))
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name in _YES_NO:
            check_bool(name, value)
        elif name == "dose_mg":
            check_number(name, value, 28, 84, "mg", optional=True)
        elif name in ("first_device_at", "monitoring_end_at") and value is not None:
            check_aware(name, value)
            value = value.isoformat()
        elif name == "treatment_date" and value is not None:
            if not isinstance(value, date) or isinstance(value, datetime):
                raise InputError(name, value, "a date, e.g. 2026-11-30")
            value = value.isoformat()
        elif name.startswith("bp_") and value is not None:
            value = list(_check_bp_pair(name, value))
        out[name] = value
    missing = [
        name for name, required, _ in REMS_FIELDS if required and out.get(name) in (None, "")
    ]
    checks: list[dict[str, Any]] = []
    total: int | None = None
    start, end = fields.get("first_device_at"), fields.get("monitoring_end_at")
    if start is not None and end is not None:
        if end < start:
            raise InputError("monitoring_end_at", end.isoformat(), "not before first_device_at")
        total = int((end - start).total_seconds() // 60)
        need = t.esketamine_observation_min
        checks.append(
            {
                "check": "monitoring_duration",
                "ok": total >= need,
                "reason": f"{total} min from the first device to the end of monitoring "
                f"(at least {need:g} min required).",
                "source": t.source_of("esketamine_observation_min"),
            }
        )
    due: str | None = None
    treatment = fields.get("treatment_date")
    if isinstance(treatment, date):
        due = (treatment + timedelta(days=t.rems_form_due_days)).isoformat()
    return {
        "form": "SPRAVATO REMS Patient Monitoring Form",
        "fields": out,
        "missing_required": missing,
        "secondary_source_fields": [name for name, _, sec in REMS_FIELDS if sec],
        "total_minutes": total,
        "checks": checks,
        "due_date": due,
        "due_date_source": t.source_of("rems_form_due_days"),
        "source": REMS_FORM_SOURCE,
    }


def _check_bp_pair(name: str, value: Any) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise InputError(name, value, "a (systolic, diastolic) pair in mmHg")
    sbp = check_number(f"{name} systolic", value[0], 40, 300, "mmHg")
    dbp = check_number(f"{name} diastolic", value[1], 20, 200, "mmHg")
    assert sbp is not None and dbp is not None
    return sbp, dbp
