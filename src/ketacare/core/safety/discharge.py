"""Discharge readiness: modified Aldrete >= 9 plus the label's criteria for esketamine.

Each criterion is ``met``, ``not_met`` or ``not_recorded``; the patient is ``ready`` only when
every criterion is met. The result supports, and never replaces, the clinician's judgement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.safety._common import check_bool, check_drug_route, check_int, check_number
from ketacare.core.safety.followup import RESOLVE_SOURCE
from ketacare.core.safety.gates import RIDE_HOME_ESKETAMINE, RIDE_HOME_KETAMINE
from ketacare.core.safety.thresholds import DEFAULT_THRESHOLDS, Thresholds

ALDRETE_VARIANT_SOURCE = (
    "Modified Aldrete variant: discharge at >= 8 with no item scored 0, "
    "https://bmcanesthesiol.biomedcentral.com/articles/10.1186/s12871-015-0040-x/tables/1"
)
RCEM_SOURCE = (
    "RCEM post-ketamine sedation discharge: vitals back to baseline, alert and oriented, "
    "https://www.rcemlearning.co.uk/modules/procedural-sedation-in-emergency-medicine-2018/"
    "lessons/safe-practice/topic/recovery-discharge/"
)
ESKETAMINE_STABLE_SOURCE = (
    "Spravato label: after >= 2 h the HCP judges the patient clinically stable and ready to "
    "leave; BP re-checked until stable, https://www.spravatohcp.com/dosing-spravato-trd"
)
ALDRETE_RULES = ("9", "8-no-zero")


@dataclass(frozen=True)
class Criterion:
    name: str
    status: str  # "met" | "not_met" | "not_recorded"
    reason: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "source": self.source,
        }


@dataclass(frozen=True)
class DischargeDecision:
    drug: str
    route: str
    ready: bool
    decision: str  # "ready" | "not_ready"
    criteria: tuple[Criterion, ...]
    note: str

    @property
    def unmet(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.status != "met")

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "route": self.route,
            "ready": self.ready,
            "decision": self.decision,
            "criteria": [c.to_dict() for c in self.criteria],
            "note": self.note,
        }


def discharge_readiness(
    *,
    aldrete_total: int,
    drug: str,
    route: str,
    minutes_since_dose: float,
    moaas: int | None = None,
    cadss_total: int | None = None,
    baseline_moaas: int | None = None,
    baseline_cadss: int | None = None,
    bp_stable: bool | None = None,
    ride_home: bool | None = None,
    aldrete_items: Sequence[int] | None = None,
    aldrete_rule: str = "9",
    thresholds: Thresholds | None = None,
) -> DischargeDecision:
    """Whether the patient meets the discharge criteria.

    ``minutes_since_dose`` counts from the start of dosing (for esketamine: the first device).
    ``aldrete_rule`` is ``"9"`` (total >= 9) or ``"8-no-zero"`` (total >= 8 and no item 0;
    needs ``aldrete_items``).
    """
    drug, route = check_drug_route(drug, route)
    t = thresholds if thresholds is not None else DEFAULT_THRESHOLDS
    total = check_int("aldrete_total", aldrete_total, 0, 10)
    assert total is not None
    minutes = check_number("minutes_since_dose", minutes_since_dose, 0, 1440, "min")
    assert minutes is not None
    sedation = check_int("moaas", moaas, 0, 5, optional=True)
    base_sedation = check_int("baseline_moaas", baseline_moaas, 0, 5, optional=True)
    dissociation = check_int("cadss_total", cadss_total, 0, 92, optional=True)
    base_dissociation = check_int("baseline_cadss", baseline_cadss, 0, 92, optional=True)
    stable = check_bool("bp_stable", bp_stable)
    ride = check_bool("ride_home", ride_home)
    if aldrete_rule not in ALDRETE_RULES:
        raise InputError("aldrete_rule", aldrete_rule, "one of " + ", ".join(ALDRETE_RULES))
    items = _check_items(aldrete_items, total)

    criteria = [_aldrete(total, items, aldrete_rule, t)]
    esketamine = drug == "esketamine"
    if esketamine:
        need = t.esketamine_observation_min
        criteria.append(
            Criterion(
                "two_hour_observation",
                "met" if minutes >= need else "not_met",
                f"{minutes:g} min since the first device (at least {need:g} min required).",
                t.source_of("esketamine_observation_min"),
            )
        )
    criteria.append(_sedation(sedation, base_sedation, esketamine))
    if esketamine:
        criteria.append(_dissociation(dissociation, base_dissociation))
    criteria.append(
        _yes_no(
            "bp_stable",
            stable,
            "Blood pressure stable at a safe level",
            ESKETAMINE_STABLE_SOURCE if esketamine else RCEM_SOURCE,
        )
    )
    criteria.append(
        _yes_no(
            "ride_home",
            ride,
            "Ride home arranged (no driving until the next day)",
            RIDE_HOME_ESKETAMINE if esketamine else RIDE_HOME_KETAMINE,
        )
    )
    ready = all(c.status == "met" for c in criteria)
    return DischargeDecision(
        drug=drug,
        route=route,
        ready=ready,
        decision="ready" if ready else "not_ready",
        criteria=tuple(criteria),
        note="Decision support only: the clinician judges that the patient is clinically stable "
        "and ready to leave.",
    )


def _check_items(items: Sequence[int] | None, total: int) -> tuple[int, ...] | None:
    if items is None:
        return None
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence) or len(items) != 5:
        raise InputError(
            "aldrete_items",
            items,
            "5 item scores (activity, respiration, circulation, consciousness, SpO2), each 0-2",
        )
    out = []
    for index, value in enumerate(items, start=1):
        checked = check_int(f"aldrete item {index}", value, 0, 2)
        assert checked is not None
        out.append(checked)
    if sum(out) != total:
        raise InputError("aldrete_total", total, f"the sum of aldrete_items ({sum(out)})")
    return tuple(out)


def _aldrete(total: int, items: tuple[int, ...] | None, rule: str, t: Thresholds) -> Criterion:
    if rule == "8-no-zero":
        if items is None:
            raise InputError("aldrete_items", None, "the 5 item scores (rule 8-no-zero needs them)")
        ok = total >= 8 and 0 not in items
        return Criterion(
            "aldrete",
            "met" if ok else "not_met",
            f"Modified Aldrete {total}/10 with items {list(items)} (need >= 8 and no item 0).",
            ALDRETE_VARIANT_SOURCE,
        )
    need = t.aldrete_discharge_min
    return Criterion(
        "aldrete",
        "met" if total >= need else "not_met",
        f"Modified Aldrete {total}/10 (need >= {need}).",
        t.source_of("aldrete_discharge_min"),
    )


def _sedation(value: int | None, base: int | None, esketamine: bool) -> Criterion:
    source = RESOLVE_SOURCE if esketamine else RCEM_SOURCE
    if value is None:
        return Criterion("sedation_resolved", "not_recorded", "MOAA/S not recorded.", source)
    reference = base if base is not None else 5
    ok = value >= reference
    return Criterion(
        "sedation_resolved",
        "met" if ok else "not_met",
        f"MOAA/S {value} (resolved when back to {reference}).",
        source,
    )


def _dissociation(value: int | None, base: int | None) -> Criterion:
    if value is None:
        return Criterion(
            "dissociation_resolved", "not_recorded", "CADSS not recorded.", RESOLVE_SOURCE
        )
    reference = base if base is not None else 0
    ok = value <= reference
    return Criterion(
        "dissociation_resolved",
        "met" if ok else "not_met",
        f"CADSS {value} (resolved when back to {reference}).",
        RESOLVE_SOURCE,
    )


def _yes_no(name: str, value: bool | None, words: str, source: str) -> Criterion:
    if value is None:
        return Criterion(name, "not_recorded", f"{words}: not recorded.", source)
    return Criterion(
        name, "met" if value else "not_met", f"{words}: {'yes' if value else 'no'}.", source
    )
