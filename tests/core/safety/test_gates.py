"""Pre-dose gates: each decision with its reason and source."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.safety import DEFAULT_THRESHOLDS, GateDecision, GateReport, evaluate_gates


def _gate(report: GateReport, name: str) -> GateDecision:
    return next(d for d in report.decisions if d.gate == name)


def _ok_esketamine(**kw: object) -> GateReport:
    base: dict[str, object] = dict(
        systolic=130,
        diastolic=80,
        fasting_hours=3,
        liquids_minutes=45,
        ride_home=True,
        rems_enrolled=True,
    )
    base.update(kw)
    return evaluate_gates("esketamine", "in", **base)  # type: ignore[arg-type]


def test_all_esketamine_gates_pass_when_everything_is_in_order() -> None:
    report = _ok_esketamine()
    assert report.overall == "pass"
    assert {d.gate for d in report.decisions} == {
        "blood_pressure",
        "fasting",
        "nasal_medicine",
        "rems_enrolment",
        "ride_home",
    }


@pytest.mark.parametrize(("sbp", "dbp"), [(141, 80), (130, 91), (150, 95)])
def test_esketamine_bp_above_140_90_needs_the_prescriber(sbp: int, dbp: int) -> None:
    # Spravato label §2 (secondary source): "> 140 mmHg systolic or > 90 mmHg diastolic":
    # the prescriber decides (lucido-go).
    report = _ok_esketamine(systolic=sbp, diastolic=dbp)
    gate = _gate(report, "blood_pressure")
    assert gate.decision == "needs_prescriber"
    assert "prescriber" in gate.reason
    assert "lucido-go" in gate.source
    assert report.overall == "needs_prescriber"


def test_esketamine_bp_of_exactly_140_90_passes() -> None:
    # the label's example is "> 140" and "> 90": equal values are not elevated
    assert _gate(_ok_esketamine(systolic=140, diastolic=90), "blood_pressure").decision == "pass"


def test_no_ride_home_blocks_the_session() -> None:
    # LA County SOP: "a ride home (reschedule if none)"
    report = _ok_esketamine(ride_home=False)
    assert _gate(report, "ride_home").decision == "block"
    assert report.overall == "block"


def test_not_enrolled_in_rems_blocks_esketamine() -> None:
    report = _ok_esketamine(rems_enrolled=False)
    assert _gate(report, "rems_enrolment").decision == "block"


def test_unrecorded_answers_warn() -> None:
    report = evaluate_gates("esketamine", "in", systolic=120, diastolic=70)
    decisions = {d.gate: d.decision for d in report.decisions}
    assert decisions["fasting"] == "warn"
    assert decisions["ride_home"] == "warn"
    assert decisions["rems_enrolment"] == "warn"
    assert report.overall == "warn"


@pytest.mark.parametrize(("food", "liquids"), [(1.5, 45), (3, 20)])
def test_esketamine_short_fast_warns(food: float, liquids: float) -> None:
    # spravato.com: "avoid eating two hours before and drinking liquids 30 minutes before"
    gate = _gate(_ok_esketamine(fasting_hours=food, liquids_minutes=liquids), "fasting")
    assert gate.decision == "warn"


def test_nasal_medicine_less_than_an_hour_before_warns() -> None:
    # spravato.com: nasal corticosteroid or decongestant "at least one hour before"
    assert _gate(_ok_esketamine(nasal_medicine_minutes=30), "nasal_medicine").decision == "warn"
    assert _gate(_ok_esketamine(nasal_medicine_minutes=60), "nasal_medicine").decision == "pass"


def test_racemic_has_no_rems_gate_and_falls_back_on_alert_limits() -> None:
    report = evaluate_gates(
        "racemic", "iv", systolic=150, diastolic=95, ride_home=True, fasting_hours=6
    )
    gates = {d.gate: d for d in report.decisions}
    assert "rems_enrolment" not in gates
    assert gates["blood_pressure"].decision == "pass"
    high = evaluate_gates("racemic", "iv", systolic=185, diastolic=95, ride_home=True)
    assert _gate(high, "blood_pressure").decision == "needs_prescriber"


def test_racemic_diastolic_above_100_needs_the_prescriber_citing_the_diastolic_limit() -> None:
    # no racemic pre-dose cut-off: the gate falls back on the alert limits, whose diastolic is
    # the ketamine label's "über 180/100 mmHg in Ruhe" (Swiss product information)
    gate = _gate(evaluate_gates("racemic", "iv", systolic=130, diastolic=114), "blood_pressure")
    assert gate.decision == "needs_prescriber"
    assert "diastolic 114 > 100" in gate.reason
    assert "ch.oddb.org" in gate.source


def test_a_clinic_predose_limit_for_racemic_is_used_and_cited_as_clinic_setting() -> None:
    clinic = DEFAULT_THRESHOLDS.with_overrides(
        {"ketamine_predose_systolic_max": 140, "ketamine_predose_diastolic_max": 90}
    )
    report = evaluate_gates("racemic", "iv", systolic=150, diastolic=85, thresholds=clinic)
    gate = _gate(report, "blood_pressure")
    assert gate.decision == "needs_prescriber"
    assert gate.source.startswith("clinic setting")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"drug": "ketamine"}, "drug"),
        ({"route": "iv"}, "route"),
        ({"systolic": 400}, "systolic"),
        ({"diastolic": 140, "systolic": 130}, "diastolic"),
        ({"ride_home": "yes"}, "ride_home"),
        ({"fasting_hours": -1}, "fasting_hours"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "drug": "esketamine",
        "route": "in",
        "systolic": 120,
        "diastolic": 80,
    }
    args.update(kwargs)
    drug, route = args.pop("drug"), args.pop("route")
    with pytest.raises(InputError) as exc:
        evaluate_gates(drug, route, **args)  # type: ignore[arg-type]
    assert exc.value.field == field


@given(sbp=st.integers(90, 140), dbp=st.integers(40, 89))
def test_esketamine_bp_at_or_below_140_90_never_needs_the_prescriber(sbp: int, dbp: int) -> None:
    gate = _gate(_ok_esketamine(systolic=sbp, diastolic=dbp), "blood_pressure")
    assert gate.decision == "pass"


@given(sbp=st.integers(141, 260), dbp=st.integers(40, 89))
def test_esketamine_systolic_above_140_always_needs_the_prescriber(sbp: int, dbp: int) -> None:
    gate = _gate(_ok_esketamine(systolic=sbp, diastolic=dbp), "blood_pressure")
    assert gate.decision == "needs_prescriber"


def test_to_dict_is_json_ready() -> None:
    import json

    data = _ok_esketamine().to_dict()
    assert json.loads(json.dumps(data))["overall"] == "pass"
