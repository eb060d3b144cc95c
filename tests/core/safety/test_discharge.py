"""Discharge readiness: modified Aldrete >= 9 and the esketamine label's criteria."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.safety import DischargeDecision, discharge_readiness


def _esketamine(**kw: object) -> DischargeDecision:
    args: dict[str, object] = dict(
        aldrete_total=10,
        drug="esketamine",
        route="in",
        minutes_since_dose=125,
        moaas=5,
        cadss_total=0,
        bp_stable=True,
        ride_home=True,
    )
    args.update(kw)
    return discharge_readiness(**args)  # type: ignore[arg-type]


def _status(decision: DischargeDecision, name: str) -> str:
    return next(c.status for c in decision.criteria if c.name == name)


def test_esketamine_patient_meeting_every_criterion_is_ready() -> None:
    decision = _esketamine()
    assert decision.ready and decision.decision == "ready"
    assert decision.unmet == ()


def test_aldrete_below_9_is_not_ready() -> None:
    # Modified Aldrete (1995): "A total >= 9 allows leaving the PACU"
    assert _status(_esketamine(aldrete_total=8), "aldrete") == "not_met"
    assert _status(_esketamine(aldrete_total=9), "aldrete") == "met"


def test_esketamine_needs_two_hours_from_the_first_device() -> None:
    # label: "monitored for at least 2 hours"
    assert _status(_esketamine(minutes_since_dose=119), "two_hour_observation") == "not_met"
    assert _status(_esketamine(minutes_since_dose=120), "two_hour_observation") == "met"


def test_sedation_and_dissociation_must_have_resolved() -> None:
    # REMS: monitor "until sedation, dissociation and respiratory depression resolve"
    decision = _esketamine(moaas=4, cadss_total=2)
    assert _status(decision, "sedation_resolved") == "not_met"
    assert _status(decision, "dissociation_resolved") == "not_met"
    assert not decision.ready


def test_unrecorded_criteria_are_not_ready() -> None:
    decision = _esketamine(bp_stable=None, moaas=None)
    assert _status(decision, "bp_stable") == "not_recorded"
    assert not decision.ready


def test_racemic_has_no_two_hour_rule_or_cadss_criterion() -> None:
    decision = discharge_readiness(
        aldrete_total=9,
        drug="racemic",
        route="iv",
        minutes_since_dose=70,
        moaas=5,
        bp_stable=True,
        ride_home=True,
    )
    names = {c.name for c in decision.criteria}
    assert "two_hour_observation" not in names and "dissociation_resolved" not in names
    assert decision.ready


def test_the_8_with_no_zero_variant() -> None:
    # variant (BMC Anesthesiol 2015 table): "discharges at >= 8 with no item scored 0"
    ok = _esketamine(aldrete_total=8, aldrete_items=[2, 2, 1, 1, 2], aldrete_rule="8-no-zero")
    assert _status(ok, "aldrete") == "met"
    zero = _esketamine(aldrete_total=8, aldrete_items=[2, 2, 2, 0, 2], aldrete_rule="8-no-zero")
    assert _status(zero, "aldrete") == "not_met"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"aldrete_total": 11}, "aldrete_total"),
        ({"aldrete_total": 9, "aldrete_items": [2, 2, 2, 2, 2]}, "aldrete_total"),
        ({"aldrete_items": [2, 2, 3, 2, 1]}, "aldrete item 3"),
        ({"aldrete_rule": "7"}, "aldrete_rule"),
        ({"minutes_since_dose": -5}, "minutes_since_dose"),
        ({"ride_home": "yes"}, "ride_home"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as exc:
        _esketamine(**kwargs)
    assert exc.value.field == field


@given(minutes=st.floats(0, 119.99), total=st.integers(0, 10))
def test_esketamine_is_never_ready_before_two_hours(minutes: float, total: int) -> None:
    assert not _esketamine(minutes_since_dose=minutes, aldrete_total=total).ready


@given(total=st.integers(0, 8))
def test_aldrete_below_9_is_never_ready(total: int) -> None:
    assert not _esketamine(aldrete_total=total).ready
