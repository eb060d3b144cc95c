"""Dose calculator: mg from mg/kg and weight, volume, rate, hard limits, impossible input."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.protocols import (
    DoseCeilingError,
    DoseLimitError,
    calculate_dose,
    get_protocol,
    list_protocols,
)


def test_iv_racemic_standard_dose_is_half_a_mg_per_kg_over_40_minutes() -> None:
    # Sanacora 2017: "0.5 mg/kg IV over 40 min is the most studied regimen".
    result = calculate_dose("iv-racemic", 70)
    assert result.dose_mg == pytest.approx(35.0, abs=0.01)  # 0.5 mg/kg x 70 kg
    assert result.dose_mg_per_kg == pytest.approx(0.5, abs=1e-9)
    assert result.duration_min == pytest.approx(40, abs=1e-9)
    # 35 mg over 40 min = 52.5 mg/h
    assert result.rate_mg_per_h == pytest.approx(52.5, abs=0.01)


def test_iv_rate_in_ml_per_hour_follows_the_concentration() -> None:
    # 0.5 mg/kg x 80 kg = 40 mg; at 1 mg/mL that is 40 mL over 40 min = 60 mL/h.
    result = calculate_dose("iv-racemic", 80, concentration_mg_per_ml=1)
    assert result.volume_ml == pytest.approx(40.0, abs=0.001)
    assert result.rate_ml_per_h == pytest.approx(60.0, abs=0.01)


def test_iv_racemic_step_one_is_the_escalated_dose() -> None:
    # Droracle summary (secondary): "0.5 -> 0.75 mg/kg".
    assert calculate_dose("iv-racemic", 60, step=1).dose_mg == pytest.approx(45.0, abs=0.01)


def test_iv_ptsd_dose_is_feder_0_5_mg_per_kg_over_40_minutes() -> None:
    # Feder 2021: "six infusions of ketamine (0.5 mg/kg)"; Abdallah 2022 on Feder: "(0.5 mg/kg
    # intravenously over 40 min)".
    result = calculate_dose("iv-ptsd", 90)
    assert result.dose_mg == pytest.approx(45.0, abs=0.01)
    assert result.duration_min == pytest.approx(40, abs=1e-9)


def test_kads_volume_is_from_the_100_mg_per_ml_solution() -> None:
    # KADS: "subcutaneous ketamine (100 mg/mL)"; 0.5 mg/kg x 70 kg = 35 mg = 0.35 mL.
    result = calculate_dose("sc-kads", 70)
    assert result.dose_mg == pytest.approx(35.0, abs=0.01)
    assert result.volume_ml == pytest.approx(0.35, abs=0.001)
    assert result.rate_mg_per_h is None  # a bolus injection, not an infusion


def test_kads_top_step_is_0_9_mg_per_kg() -> None:
    # KADS: "flexible-dose ketamine 0.5-0.9 mg/kg"; 0.9 x 100 kg = 90 mg = 0.9 mL.
    result = calculate_dose("sc-kads", 100, step=3)
    assert result.dose_mg == pytest.approx(90.0, abs=0.01)
    assert result.volume_ml == pytest.approx(0.9, abs=0.001)


def test_esketamine_56_mg_is_two_devices_five_minutes_apart() -> None:
    # Label: "Use 2 devices (for a 56 mg dose) or 3 devices (for an 84 mg dose), with a 5 minute
    # rest between use of each device".
    result = calculate_dose("esketamine-trd", 70)
    assert result.dose_mg == pytest.approx(56, abs=1e-9)
    assert result.devices == 2
    assert result.duration_min == pytest.approx(5, abs=1e-9)


def test_esketamine_84_mg_is_three_devices_ten_minutes() -> None:
    result = calculate_dose("esketamine-trd", 70, step=1)
    assert result.dose_mg == pytest.approx(84, abs=1e-9)
    assert result.devices == 3
    assert result.duration_min == pytest.approx(10, abs=1e-9)


def test_esketamine_dose_must_be_whole_28_mg_devices() -> None:
    # Label: "All dose changes should be in 28-mg increments."
    with pytest.raises(InputError, match="28 mg devices"):
        calculate_dose("esketamine-trd", 70, dose_mg=70)


def test_esketamine_28_mg_is_allowed_with_a_warning() -> None:
    # EU SmPC 4.2 Table 2 (adults >= 65 years): "Starting day 1 dose: 28 mg"; below 65 the
    # label's doses are 56 or 84 mg, so 28 mg without an age is accepted with a warning.
    result = calculate_dose("esketamine-trd", 70, dose_mg=28)
    assert result.devices == 1
    assert any("28 mg" in w and "65" in w for w in result.warnings)


def test_esketamine_refuses_a_mg_per_kg_dose_and_a_concentration() -> None:
    with pytest.raises(InputError, match="dosed in mg"):
        calculate_dose("esketamine-trd", 70, dose_mg_per_kg=0.8)
    with pytest.raises(InputError, match="devices"):
        calculate_dose("esketamine-trd", 70, concentration_mg_per_ml=10)


def test_esketamine_above_84_mg_is_refused_with_or_without_override() -> None:
    # Label maximum 84 mg ("Subsequent doses: 56 mg or 84 mg"): the ceiling is the maximum.
    for reason in (None, "prescriber decision"):
        with pytest.raises(DoseCeilingError) as exc:
            calculate_dose("esketamine-trd", 70, dose_mg=112, override_reason=reason)
        assert exc.value.field == "dose_mg"
        assert "84" in exc.value.allowed and "label maximum" in exc.value.allowed


def test_intranasal_racemic_peters_doses_are_50_or_75_mg() -> None:
    # Peters 2023: "compounded intranasal racemic ketamine (50 mg or 75 mg)".
    assert calculate_dose("in-racemic", 70).dose_mg == pytest.approx(50, abs=1e-9)
    assert calculate_dose("in-racemic", 70, step=1).dose_mg == pytest.approx(75, abs=1e-9)
    # No higher dose sourced: the ceiling is the 75 mg maximum itself.
    with pytest.raises(DoseCeilingError):
        calculate_dose("in-racemic", 70, dose_mg=100)


def test_oral_oktos_starts_at_0_5_and_caps_at_3_mg_per_kg() -> None:
    # OKTOS: "Participants commenced with 0.5 mg/kg of ketamine, which was titrated to a maximum
    # 3.0 mg/kg."
    assert calculate_dose("oral-oktos", 70).dose_mg == pytest.approx(35.0, abs=0.01)
    assert calculate_dose("oral-oktos", 70, dose_mg_per_kg=3.0).dose_mg == pytest.approx(
        210.0, abs=0.01
    )  # blossom summary of OKTOS: "(35-210mg/70kg)"
    with pytest.raises(DoseCeilingError):
        calculate_dose("oral-oktos", 70, dose_mg_per_kg=3.1, override_reason="no higher dose")


def test_sublingual_is_10_mg_held_5_minutes_as_0_1_ml() -> None:
    # Lara 2013: "10 mg (100 mg/mL held under the tongue for 5 min, then swallowed)".
    result = calculate_dose("sl-racemic", 70)
    assert result.dose_mg == pytest.approx(10, abs=1e-9)
    assert result.duration_min == pytest.approx(5, abs=1e-9)
    assert result.volume_ml == pytest.approx(0.1, abs=0.001)


def test_it_rejects_dose_above_protocol_max() -> None:
    with pytest.raises(DoseLimitError) as exc:
        calculate_dose("iv-racemic", 70, dose_mg_per_kg=1.0)
    assert exc.value.field == "dose_mg_per_kg"
    assert "0.75" in exc.value.allowed
    assert "override" in exc.value.allowed


def test_an_override_with_a_reason_allows_the_dose_and_is_recorded() -> None:
    result = calculate_dose(
        "iv-racemic", 70, dose_mg_per_kg=1.0, override_reason="partial response at 0.75"
    )
    assert result.override is True
    assert result.override_reason == "partial response at 0.75"
    assert result.dose_mg == pytest.approx(70.0, abs=0.01)
    assert any("override" in w for w in result.warnings)


def test_a_blank_override_reason_does_not_count() -> None:
    with pytest.raises(DoseLimitError):
        calculate_dose("iv-racemic", 70, dose_mg_per_kg=1.0, override_reason="   ")


def test_a_dose_in_mg_is_checked_against_the_mg_per_kg_maximum() -> None:
    # 60 mg for 70 kg = 0.857 mg/kg, above 0.75.
    with pytest.raises(DoseLimitError):
        calculate_dose("iv-racemic", 70, dose_mg=60)
    assert calculate_dose("iv-racemic", 70, dose_mg=49).dose_mg_per_kg == pytest.approx(
        0.7, abs=1e-4
    )


@pytest.mark.parametrize("weight", [0, -70, 1000, 5, float("nan"), float("inf"), True, "70"])
def test_impossible_weights_are_refused_naming_the_field(weight: object) -> None:
    with pytest.raises(InputError) as exc:
        calculate_dose("iv-racemic", weight)  # type: ignore[arg-type]
    assert exc.value.field == "weight_kg"
    assert "20 to 300 kg" in exc.value.allowed


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"step": 2}, "step"),
        ({"step": -1}, "step"),
        ({"dose_mg_per_kg": 0}, "dose_mg_per_kg"),
        ({"dose_mg_per_kg": -0.5}, "dose_mg_per_kg"),
        ({"dose_mg": 0}, "dose_mg"),
        ({"dose_mg": 10, "dose_mg_per_kg": 0.5}, "dose_mg"),
        ({"concentration_mg_per_ml": 0}, "concentration_mg_per_ml"),
        ({"concentration_mg_per_ml": 500}, "concentration_mg_per_ml"),
        ({"concentration_mg_per_ml": 0.0001}, "concentration_mg_per_ml"),
        ({"concentration_mg_per_ml": 1e-308}, "concentration_mg_per_ml"),
        ({"concentration_mg_per_ml": float("nan")}, "concentration_mg_per_ml"),
        ({"session_number": 0}, "session_number"),
        ({"session_number": True}, "session_number"),
        ({"session_number": 1.0}, "session_number"),
        ({"age_years": 12}, "age_years"),
        ({"age_years": float("inf")}, "age_years"),
        ({"previous_doses_mg": [35, -1], "session_number": 3}, "previous_doses_mg"),
        ({"previous_doses_mg": "56"}, "previous_doses_mg"),
        ({"previous_doses_mg": [35], "session_number": 1}, "previous_doses_mg"),
    ],
)
def test_impossible_dose_input_is_refused(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(InputError) as exc:
        calculate_dose("iv-racemic", 70, **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field


weights = st.floats(min_value=20, max_value=300, allow_nan=False)
weight_based = [p.id for p in list_protocols() if p.weight_based]


@given(st.sampled_from(weight_based), weights, st.floats(min_value=0.01, max_value=1.0))
def test_dose_is_linear_in_weight(protocol_id: str, weight: float, fraction: float) -> None:
    protocol = get_protocol(protocol_id)
    per_kg = protocol.max_dose * fraction
    assume(per_kg * weight <= (protocol.ceiling_mg or 0) - 0.01)  # above it: the mg cap refuses
    result = calculate_dose(protocol_id, weight, dose_mg_per_kg=per_kg)
    assert result.dose_mg == pytest.approx(per_kg * weight, abs=0.006)  # rounded to 0.01 mg
    doubled = (
        calculate_dose(protocol_id, weight / 2, dose_mg_per_kg=per_kg) if weight >= 40 else None
    )
    if doubled is not None:
        assert result.dose_mg == pytest.approx(2 * doubled.dose_mg, abs=0.02)


@given(
    st.sampled_from([p.id for p in list_protocols()]),
    weights,
    st.floats(min_value=0.01, max_value=10.0),
)
def test_dose_is_never_above_max_without_override(
    protocol_id: str, weight: float, fraction: float
) -> None:
    protocol = get_protocol(protocol_id)
    dose = protocol.max_dose * fraction
    kwargs = {"dose_mg_per_kg": dose} if protocol.weight_based else {"dose_mg": dose}
    try:
        result = calculate_dose(protocol_id, weight, **kwargs)
    except DoseLimitError:
        assert fraction > 1
        return
    except DoseCeilingError:
        mg = dose * weight if protocol.weight_based else dose
        assert dose > protocol.ceiling or mg > (protocol.ceiling_mg or 0)
        return
    except InputError:
        return  # e.g. not a whole number of esketamine devices
    in_unit = result.dose_mg_per_kg if protocol.weight_based else result.dose_mg
    assert in_unit <= protocol.max_dose + 1e-6
    assert result.override is False


# -- absolute ceilings ---------------------------------------------------------------------


def test_3500_mg_iv_racemic_is_refused_whatever_the_override_reason() -> None:
    # Fava 2020 (PMC6447473): arms 0.1, 0.2, 0.5 and 1.0 mg/kg; 3500 mg at 70 kg is 50 mg/kg,
    # fifty times the highest dose studied for TRD.
    with pytest.raises(DoseCeilingError) as exc:
        calculate_dose("iv-racemic", 70, dose_mg=3500, override_reason="typo test")
    err = exc.value
    assert err.field == "dose_mg_per_kg"
    assert err.value == pytest.approx(50.0, abs=1e-4)  # 3500 / 70
    assert "1 mg/kg" in err.allowed and "Fava 2020" in err.allowed
    assert "no override" in err.allowed
    assert "50" in str(err) and "Fava 2020" in str(err)
    assert isinstance(err, InputError) and isinstance(err, ValueError)
    assert not isinstance(err, DoseLimitError)  # not something an override can pass


def test_a_dose_between_maximum_and_ceiling_needs_a_reason_and_the_prescriber() -> None:
    # Andrade 2017: "up to 0.75 mg/kg" (protocol maximum); Fava 2020: 1.0 mg/kg arm (ceiling).
    with pytest.raises(DoseLimitError) as exc:
        calculate_dose("iv-racemic", 70, dose_mg_per_kg=0.9)
    assert "override" in exc.value.allowed and "prescriber" in exc.value.allowed
    result = calculate_dose("iv-racemic", 70, dose_mg_per_kg=0.9, override_reason="partial")
    assert result.override is True
    assert result.override_reason == "partial"
    assert result.requires_role == "prescriber"
    assert result.dose_mg == pytest.approx(63.0, abs=0.01)  # 0.9 x 70
    assert result.ceiling_mg_per_kg == pytest.approx(1.0, abs=1e-9)
    assert result.ceiling_mg == pytest.approx(150, abs=1e-9)


def test_exactly_the_ceiling_is_allowed_with_a_reason_and_just_above_is_not() -> None:
    # Fava 2020: 1.0 mg/kg; 1.0 x 70 = 70 mg.
    at = calculate_dose("iv-racemic", 70, dose_mg_per_kg=1.0, override_reason="r")
    assert at.dose_mg == pytest.approx(70.0, abs=0.01)
    with pytest.raises(DoseCeilingError):
        calculate_dose("iv-racemic", 70, dose_mg_per_kg=1.001, override_reason="r")


def test_a_dose_within_the_maximum_needs_no_role() -> None:
    result = calculate_dose("iv-racemic", 70)
    assert result.override is False and result.requires_role is None
    assert result.session_number is None


def test_the_absolute_mg_cap_binds_for_heavy_patients() -> None:
    # Derived cap 1.0 mg/kg x 150 kg = 150 mg: 0.75 mg/kg x 250 kg = 187.5 mg is refused even
    # with a reason, though 0.75 mg/kg is within the protocol maximum.
    with pytest.raises(DoseCeilingError) as exc:
        calculate_dose("iv-racemic", 250, step=1, override_reason="r")
    assert exc.value.field == "dose_mg"
    assert exc.value.value == pytest.approx(187.5, abs=0.01)
    assert "150 mg" in exc.value.allowed and "0.6 mg/kg at 250 kg" in exc.value.allowed
    # 150 mg for 250 kg (0.6 mg/kg) is within the cap and the maximum.
    assert calculate_dose("iv-racemic", 250, dose_mg=150).dose_mg == pytest.approx(150, abs=0.01)


@pytest.mark.parametrize("pid", [p.id for p in list_protocols()])
def test_no_override_passes_any_protocols_ceiling(pid: str) -> None:
    protocol = get_protocol(pid)
    above = protocol.ceiling * 1.5
    if protocol.device_mg:
        above = protocol.ceiling + protocol.device_mg  # whole devices, one above the ceiling
    kwargs = {"dose_mg_per_kg": above} if protocol.weight_based else {"dose_mg": above}
    with pytest.raises(DoseCeilingError):
        calculate_dose(pid, 70, override_reason="any reason at all", **kwargs)  # type: ignore[arg-type]


def test_the_result_with_its_new_fields_is_json_safe() -> None:
    result = calculate_dose(
        "esketamine-trd", 70, step=1, session_number=2, previous_doses_mg=[56], age_years=40
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert data["ceiling_mg"] == 84 and data["ceiling_mg_per_kg"] is None
    assert data["session_number"] == 2 and data["requires_role"] is None
    assert "label maximum" in data["ceiling_source"]


# -- concentration, volume and rate ---------------------------------------------------------


@pytest.mark.parametrize("conc", [0.0001, 1e-308, 0.09, 100.5])
def test_implausible_concentrations_are_refused_saying_what_is_allowed(conc: float) -> None:
    # KETALAR label strengths 10, 50 and 100 mg/mL; 0.1 mg/mL is KetaCare's lower bound.
    with pytest.raises(InputError) as exc:
        calculate_dose("iv-racemic", 70, concentration_mg_per_ml=conc)
    assert exc.value.field == "concentration_mg_per_ml"
    assert "0.1 to 100 mg/mL" in exc.value.allowed


def test_a_concentration_giving_more_than_500_ml_is_refused() -> None:
    # 0.5 mg/kg x 120 kg = 60 mg at 0.1 mg/mL = 600 mL, above the 500 mL bound.
    with pytest.raises(InputError) as exc:
        calculate_dose("iv-racemic", 120, concentration_mg_per_ml=0.1)
    assert exc.value.field == "concentration_mg_per_ml"
    assert "at most 500 mL" in exc.value.allowed and "0.12 mg/mL" in exc.value.allowed
    # 35 mg at 0.1 mg/mL = 350 mL over 40 min = 525 mL/h: plausible, allowed.
    ok = calculate_dose("iv-racemic", 70, concentration_mg_per_ml=0.1)
    assert ok.volume_ml == pytest.approx(350.0, abs=0.001)
    assert ok.rate_ml_per_h == pytest.approx(525.0, abs=0.01)


# -- esketamine session rules ----------------------------------------------------------------


def test_esketamine_84_mg_at_the_first_session_is_refused() -> None:
    # HCP page quoting the US PI: "The Day 1 starting dose of SPRAVATO is 56 mg (2 devices)."
    with pytest.raises(InputError) as exc:
        calculate_dose("esketamine-trd", 70, step=1, session_number=1)
    assert exc.value.field == "dose_mg"
    assert exc.value.value == pytest.approx(84, abs=1e-9)
    assert "session 1" in exc.value.allowed and "56 mg" in exc.value.allowed


def test_esketamine_56_mg_at_the_first_session_is_allowed() -> None:
    result = calculate_dose("esketamine-trd", 70, session_number=1, age_years=40)
    assert result.dose_mg == pytest.approx(56, abs=1e-9)
    assert result.session_number == 1
    assert not any("session" in w for w in result.warnings)


def test_esketamine_84_mg_at_session_two_after_56_is_allowed() -> None:
    # US PI via the HCP page: 84 mg is "taken only after an initial starting dose of 56 mg".
    result = calculate_dose("esketamine-trd", 70, step=1, session_number=2, previous_doses_mg=[56])
    assert result.dose_mg == pytest.approx(84, abs=1e-9)
    assert result.devices == 3
    assert result.override is False


def test_esketamine_84_mg_at_session_two_without_a_56_mg_dose_is_refused() -> None:
    for previous in ((), (28,)):
        with pytest.raises(InputError) as exc:
            calculate_dose(
                "esketamine-trd", 70, dose_mg=84, session_number=2, previous_doses_mg=previous
            )
        assert exc.value.field == "dose_mg"
        assert "only after a 56 mg dose" in exc.value.allowed
        assert "previous_doses_mg" in exc.value.allowed


def test_esketamine_28_mg_at_the_first_session_from_age_65() -> None:
    # EU SmPC 4.2 Table 2, adults >= 65 years: "Starting day 1 dose: 28 mg".
    result = calculate_dose("esketamine-trd", 70, dose_mg=28, session_number=1, age_years=65)
    assert result.dose_mg == pytest.approx(28, abs=1e-9)
    assert result.devices == 1
    assert result.duration_min == pytest.approx(0, abs=1e-9)  # one device, no rest
    assert not any("below" in w for w in result.warnings)


def test_esketamine_28_mg_at_the_first_session_under_65_or_age_unknown_is_refused() -> None:
    for age in (64.9, None):
        with pytest.raises(InputError) as exc:
            calculate_dose("esketamine-trd", 70, dose_mg=28, session_number=1, age_years=age)
        assert exc.value.field == "dose_mg"
        assert "28 mg from age 65" in exc.value.allowed


def test_esketamine_56_mg_at_65_warns_that_the_eu_smpc_starts_at_28() -> None:
    result = calculate_dose("esketamine-trd", 70, session_number=1, age_years=70)
    assert result.dose_mg == pytest.approx(56, abs=1e-9)
    assert any("starting dose from age 65 is 28 mg" in w for w in result.warnings)


def test_esketamine_after_a_28_mg_start_at_65_may_step_to_56_then_84() -> None:
    # EU SmPC Table 2 (>= 65): "subsequent doses 28 mg, 56 mg or 84 mg"; US PI: 84 after 56.
    second = calculate_dose(
        "esketamine-trd", 70, dose_mg=56, session_number=2, previous_doses_mg=[28], age_years=70
    )
    assert second.dose_mg == pytest.approx(56, abs=1e-9)
    third = calculate_dose(
        "esketamine-trd", 70, dose_mg=84, session_number=3, previous_doses_mg=[28, 56], age_years=70
    )
    assert third.dose_mg == pytest.approx(84, abs=1e-9)


def test_without_a_session_number_the_session_rules_only_warn() -> None:
    result = calculate_dose("esketamine-trd", 70, step=1)
    assert result.dose_mg == pytest.approx(84, abs=1e-9)
    assert any("session number not given" in w for w in result.warnings)


def test_protocols_without_session_rules_do_not_warn_about_them() -> None:
    result = calculate_dose("iv-racemic", 70, session_number=None)
    assert not any("session" in w for w in result.warnings)
    assert calculate_dose("iv-racemic", 70, session_number=1).session_number == 1


@given(
    st.sampled_from([28, 56, 84]),
    st.integers(min_value=1, max_value=12),
    st.lists(st.sampled_from([28, 56, 84]), max_size=11),
    st.one_of(st.none(), st.floats(min_value=18, max_value=100)),
)
def test_esketamine_session_rules_hold_for_any_course(
    dose: int, session: int, previous: list[int], age: float | None
) -> None:
    # Label rules: day 1 is 56 mg (28 mg from 65, EU SmPC); 84 mg only after 56 mg (US PI).
    assume(len(previous) <= session - 1)
    try:
        result = calculate_dose(
            "esketamine-trd",
            70,
            dose_mg=dose,
            session_number=session,
            previous_doses_mg=previous,
            age_years=age,
        )
    except InputError as exc:
        assert exc.field == "dose_mg"
        return
    if session == 1:
        assert result.dose_mg == 56 or (result.dose_mg == 28 and age is not None and age >= 65)
    if result.dose_mg == 84:
        assert 56 in previous
    assert result.dose_mg <= 84 and result.override is False
