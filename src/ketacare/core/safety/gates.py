"""Pre-dose gates: blood pressure, fasting, nasal medicines, ride home, REMS enrolment.

Each gate returns a :class:`GateDecision` with one of four decisions, its reason and its source:

- ``pass``: nothing stands in the way;
- ``warn``: not recorded, or advice not followed (e.g. fasting), staff should look;
- ``needs_prescriber``: the prescriber must decide before dosing (e.g. esketamine BP > 140/90);
- ``block``: do not dose this session (no ride home; esketamine without REMS enrolment).

The report's ``overall`` is the most serious decision (block > needs_prescriber > warn > pass).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.safety._common import (
    check_bool,
    check_drug_route,
    check_number,
)
from ketacare.core.safety.thresholds import DEFAULT_THRESHOLDS, Thresholds

DECISIONS: tuple[str, ...] = ("pass", "warn", "needs_prescriber", "block")
_RANK = {name: rank for rank, name in enumerate(DECISIONS)}

LA_COUNTY_SOP = (
    "LA County DMH Spravato SOP: https://secure2.compliancebridge.com/lacdmh/public/index.php?"
    "docID=8c08f0cd-cef9-11f0-96c1-ee84ca69af30&fuseaction=print.preview"
)
RIDE_HOME_ESKETAMINE = (
    "Spravato US label section 17 (someone must drive the patient home; no driving until the next "
    "day after restful sleep), https://www.spravatohcp.com/dosing-spravato-trd ; no ride means "
    "reschedule: " + LA_COUNTY_SOP
)
RIDE_HOME_KETAMINE = (
    "Consent discloses the no-driving rule (ketaminesoftware.com compliance checklist, "
    "https://github.com/Phillymcdee/ketamine-software-directory); post-infusion record "
    "'transport arranged': https://ketaminesoftware.com/guides/iv-therapy-ehr-requirements"
)
REMS_SOURCE = (
    "Spravato REMS: the Patient Enrollment Form is signed by patient and prescriber before the "
    "first dose, https://www.spravatorems.com/patients.html ; hard stop if the patient is not "
    "enrolled: https://ehrsource.com/articles/spravato-rems-ehr-checklist-2026/"
)
FASTING_KETAMINE = (
    "Pre-infusion record 'fasting status' "
    "(https://ketaminesoftware.com/guides/iv-therapy-ehr-requirements); no interval is sourced "
    "for ketamine in the reference"
)

BP_LIMITS = (40.0, 300.0)
DIASTOLIC_LIMITS = (20.0, 200.0)


@dataclass(frozen=True)
class GateDecision:
    gate: str
    decision: str
    reason: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "decision": self.decision,
            "reason": self.reason,
            "source": self.source,
        }


@dataclass(frozen=True)
class GateReport:
    drug: str
    route: str
    decisions: tuple[GateDecision, ...]
    overall: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "route": self.route,
            "overall": self.overall,
            "decisions": [d.to_dict() for d in self.decisions],
        }


def evaluate_gates(
    drug: str,
    route: str,
    *,
    systolic: float,
    diastolic: float,
    fasting_hours: float | None = None,
    liquids_minutes: float | None = None,
    nasal_medicine_minutes: float | None = None,
    ride_home: bool | None = None,
    rems_enrolled: bool | None = None,
    thresholds: Thresholds | None = None,
) -> GateReport:
    """Evaluate the pre-dose gates for one session.

    ``fasting_hours``: hours since the last food; ``liquids_minutes``: minutes since the last
    drink; ``nasal_medicine_minutes``: minutes since a nasal corticosteroid or decongestant
    (``None`` = none taken today). ``None`` for the other answers means "not recorded".
    """
    drug, route = check_drug_route(drug, route)
    t = thresholds if thresholds is not None else DEFAULT_THRESHOLDS
    sbp = check_number("systolic", systolic, *BP_LIMITS, "mmHg")
    dbp = check_number("diastolic", diastolic, *DIASTOLIC_LIMITS, "mmHg")
    assert sbp is not None and dbp is not None
    if dbp >= sbp:
        raise InputError("diastolic", diastolic, f"below the systolic pressure ({systolic:g})")
    food = check_number("fasting_hours", fasting_hours, 0, 168, "h", optional=True)
    liquids = check_number("liquids_minutes", liquids_minutes, 0, 10080, "min", optional=True)
    nasal = check_number(
        "nasal_medicine_minutes", nasal_medicine_minutes, 0, 10080, "min", optional=True
    )
    ride = check_bool("ride_home", ride_home)
    rems = check_bool("rems_enrolled", rems_enrolled)

    decisions = [_bp_gate(drug, sbp, dbp, t)]
    if drug == "esketamine":
        decisions.append(_esketamine_fasting(food, liquids, t))
        decisions.append(_nasal_gate(nasal, t))
        decisions.append(_rems_gate(rems))
    else:
        decisions.append(_ketamine_fasting(food))
    decisions.append(_ride_gate(drug, ride))
    overall = max((d.decision for d in decisions), key=_RANK.__getitem__)
    return GateReport(drug=drug, route=route, decisions=tuple(decisions), overall=overall)


def _bp_gate(drug: str, sbp: float, dbp: float, t: Thresholds) -> GateDecision:
    if drug == "esketamine":
        s_name, d_name = "esketamine_predose_systolic_max", "esketamine_predose_diastolic_max"
    else:
        s_name, d_name = "ketamine_predose_systolic_max", "ketamine_predose_diastolic_max"
    s_max, d_max = getattr(t, s_name), getattr(t, d_name)
    over = []
    if s_max is not None and sbp > s_max:
        over.append(f"systolic {sbp:g} > {s_max:g}")
    if d_max is not None and dbp > d_max:
        over.append(f"diastolic {dbp:g} > {d_max:g}")
    source = "; ".join(dict.fromkeys(t.source_of(n) for n in (s_name, d_name)))
    if over:
        reason = (
            f"Pre-dose BP {sbp:g}/{dbp:g} mmHg is elevated ({', '.join(over)} mmHg): the "
            "prescriber weighs the short-term BP rise against the benefit, and does not dose if "
            "a rise in BP or intracranial pressure poses a serious risk."
        )
        return GateDecision("blood_pressure", "needs_prescriber", reason, source)
    if s_max is None and d_max is None:
        # No pre-dose cut-off for this drug: fall back on the vital-sign alert limits.
        outside = []
        crossed = []
        if t.systolic_high is not None and sbp > t.systolic_high:
            outside.append(f"systolic {sbp:g} > {t.systolic_high:g}")
            crossed.append("systolic_high")
        if t.systolic_low is not None and sbp < t.systolic_low:
            outside.append(f"systolic {sbp:g} < {t.systolic_low:g}")
            crossed.append("systolic_low")
        if t.diastolic_high is not None and dbp > t.diastolic_high:
            outside.append(f"diastolic {dbp:g} > {t.diastolic_high:g}")
            crossed.append("diastolic_high")
        if t.diastolic_low is not None and dbp < t.diastolic_low:
            outside.append(f"diastolic {dbp:g} < {t.diastolic_low:g}")
            crossed.append("diastolic_low")
        # Cite the limits that were crossed (the high limits when none was).
        cited = crossed or ["systolic_high", "diastolic_high"]
        alert_source = "; ".join(dict.fromkeys(t.source_of(n) for n in cited))
        if outside:
            reason = (
                f"Pre-dose BP {sbp:g}/{dbp:g} mmHg is outside the vital-sign alert limits "
                f"({', '.join(outside)} mmHg): the prescriber decides whether to dose."
            )
            return GateDecision("blood_pressure", "needs_prescriber", reason, alert_source)
        reason = (
            f"Pre-dose BP {sbp:g}/{dbp:g} mmHg is within the vital-sign alert limits. No published "
            "pre-dose cut-off is configured for this drug (a clinic may set one)."
        )
        return GateDecision("blood_pressure", "pass", reason, alert_source)
    limits = f"{_show(s_max)}/{_show(d_max)}"
    reason = f"Pre-dose BP {sbp:g}/{dbp:g} mmHg is not above {limits} mmHg."
    return GateDecision("blood_pressure", "pass", reason, source)


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _esketamine_fasting(food: float | None, liquids: float | None, t: Thresholds) -> GateDecision:
    source = t.source_of("esketamine_fasting_food_h")
    need_food, need_liquid = t.esketamine_fasting_food_h, t.esketamine_fasting_liquid_min
    if food is None or liquids is None:
        missing = [n for n, v in (("food", food), ("liquids", liquids)) if v is None]
        reason = (
            f"Time since last {' and '.join(missing)} not recorded; the label advises no food for "
            f"{need_food:g} h and no liquids for {need_liquid:g} min before dosing "
            "(nausea and vomiting)."
        )
        return GateDecision("fasting", "warn", reason, source)
    short = []
    if food < need_food:
        short.append(f"food {food:g} h ago (< {need_food:g} h)")
    if liquids < need_liquid:
        short.append(f"liquids {liquids:g} min ago (< {need_liquid:g} min)")
    if short:
        reason = (
            f"Not fasted as advised: {', '.join(short)}. Higher risk of nausea and vomiting; "
            "staff decide whether to wait or dose."
        )
        return GateDecision("fasting", "warn", reason, source)
    reason = f"Fasted: no food for {food:g} h and no liquids for {liquids:g} min."
    return GateDecision("fasting", "pass", reason, source)


def _ketamine_fasting(food: float | None) -> GateDecision:
    if food is None:
        return GateDecision(
            "fasting",
            "warn",
            "Fasting status not recorded (a pre-infusion record item).",
            FASTING_KETAMINE,
        )
    return GateDecision(
        "fasting",
        "pass",
        f"Fasting status recorded: last food {food:g} h ago (no sourced minimum for ketamine).",
        FASTING_KETAMINE,
    )


def _nasal_gate(nasal: float | None, t: Thresholds) -> GateDecision:
    source = t.source_of("esketamine_nasal_medicine_min")
    need = t.esketamine_nasal_medicine_min
    if nasal is None:
        return GateDecision(
            "nasal_medicine",
            "pass",
            "No nasal corticosteroid or decongestant recorded today.",
            source,
        )
    if nasal < need:
        reason = (
            f"Nasal corticosteroid or decongestant taken {nasal:g} min ago; it should be taken at "
            f"least {need:g} min before the dose."
        )
        return GateDecision("nasal_medicine", "warn", reason, source)
    reason = f"Nasal corticosteroid or decongestant taken {nasal:g} min ago (>= {need:g} min)."
    return GateDecision("nasal_medicine", "pass", reason, source)


def _rems_gate(rems: bool | None) -> GateDecision:
    if rems is None:
        return GateDecision(
            "rems_enrolment",
            "warn",
            "REMS enrolment not confirmed: confirm before dosing (hard stop if not enrolled).",
            REMS_SOURCE,
        )
    if not rems:
        return GateDecision(
            "rems_enrolment",
            "block",
            "Patient not enrolled in the Spravato REMS: submit the Patient Enrollment Form "
            "(signed by patient and prescriber) before any dose.",
            REMS_SOURCE,
        )
    return GateDecision(
        "rems_enrolment", "pass", "Patient enrolled in the Spravato REMS.", REMS_SOURCE
    )


def _ride_gate(drug: str, ride: bool | None) -> GateDecision:
    source = RIDE_HOME_ESKETAMINE if drug == "esketamine" else RIDE_HOME_KETAMINE
    if ride is None:
        return GateDecision(
            "ride_home", "warn", "Ride home not recorded: confirm before dosing.", source
        )
    if not ride:
        return GateDecision(
            "ride_home",
            "block",
            "No ride home: the patient must not drive until the next day after restful sleep; "
            "reschedule the session.",
            source,
        )
    return GateDecision("ride_home", "pass", "Ride home arranged.", source)


__all__ = ["DECISIONS", "GateDecision", "GateReport", "evaluate_gates"]
