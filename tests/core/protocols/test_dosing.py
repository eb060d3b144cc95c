"""Dose calculator: mg from mg/kg and weight, volume, rate, hard limits, impossible input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.protocols import DoseLimitError, calculate_dose, get_protocol, list_protocols


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
    # Hong Kong label: "Elderly >=65 yr ... Starting day 1 dose: 28 mg."
    result = calculate_dose("esketamine-trd", 70, dose_mg=28)
    assert result.devices == 1
    assert any("28 mg" in w for w in result.warnings)


def test_esketamine_refuses_a_mg_per_kg_dose_and_a_concentration() -> None:
    with pytest.raises(InputError, match="dosed in mg"):
        calculate_dose("esketamine-trd", 70, dose_mg_per_kg=0.8)
    with pytest.raises(InputError, match="devices"):
        calculate_dose("esketamine-trd", 70, concentration_mg_per_ml=10)


def test_esketamine_above_84_mg_is_refused_without_override() -> None:
    with pytest.raises(DoseLimitError) as exc:
        calculate_dose("esketamine-trd", 70, dose_mg=112)
    assert exc.value.field == "dose_mg"
    assert "84" in exc.value.allowed


def test_intranasal_racemic_peters_doses_are_50_or_75_mg() -> None:
    # Peters 2023: "compounded intranasal racemic ketamine (50 mg or 75 mg)".
    assert calculate_dose("in-racemic", 70).dose_mg == pytest.approx(50, abs=1e-9)
    assert calculate_dose("in-racemic", 70, step=1).dose_mg == pytest.approx(75, abs=1e-9)
    with pytest.raises(DoseLimitError):
        calculate_dose("in-racemic", 70, dose_mg=100)


def test_oral_oktos_starts_at_0_5_and_caps_at_3_mg_per_kg() -> None:
    # OKTOS: "Participants commenced with 0.5 mg/kg of ketamine, which was titrated to a maximum
    # 3.0 mg/kg."
    assert calculate_dose("oral-oktos", 70).dose_mg == pytest.approx(35.0, abs=0.01)
    assert calculate_dose("oral-oktos", 70, dose_mg_per_kg=3.0).dose_mg == pytest.approx(
        210.0, abs=0.01
    )  # blossom summary of OKTOS: "(35-210mg/70kg)"
    with pytest.raises(DoseLimitError):
        calculate_dose("oral-oktos", 70, dose_mg_per_kg=3.1)


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
    except InputError:
        return  # e.g. not a whole number of esketamine devices
    in_unit = result.dose_mg_per_kg if protocol.weight_based else result.dose_mg
    assert in_unit <= protocol.max_dose + 1e-6
    assert result.override is False
