"""Escalation advice: the next dose step from the scores, and why."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.protocols import advise_escalation, get_protocol, list_protocols


def test_iv_escalates_to_0_75_after_three_infusions_under_50_percent() -> None:
    # Droracle summary (secondary): "After 3 infusions at 0.5 mg/kg with < 50% improvement:
    # 0.5 -> 0.75 mg/kg". MADRS 30 -> 22 is a 26.7% fall.
    advice = advise_escalation(
        "iv-racemic", baseline=30, scores=[28, 25, 22], doses_given=[0.5, 0.5, 0.5]
    )
    assert advice.action == "escalate"
    assert advice.next_dose_mg_per_kg == pytest.approx(0.75, abs=1e-9)
    assert advice.improvement_fraction == pytest.approx(0.2667, abs=1e-4)
    assert advice.secondary_source is True
    assert any("psychotomimetic" in n for n in advice.notes)


def test_iv_waits_for_three_infusions_at_the_dose() -> None:
    advice = advise_escalation("iv-racemic", baseline=30, scores=[28, 26], doses_given=[0.5, 0.5])
    assert advice.action == "continue"
    assert advice.next_dose_mg_per_kg == pytest.approx(0.5, abs=1e-9)


def test_iv_keeps_the_dose_at_a_50_percent_improvement() -> None:
    # 30 -> 15 is exactly a 50% fall: a response, so no escalation.
    advice = advise_escalation(
        "iv-racemic", baseline=30, scores=[25, 20, 15], doses_given=[0.5, 0.5, 0.5]
    )
    assert advice.action == "continue"
    assert advice.response is True


def test_iv_holds_at_max_then_asks_for_review_after_the_course() -> None:
    held = advise_escalation(
        "iv-racemic", baseline=30, scores=[28, 25, 22, 21], doses_given=[0.5, 0.5, 0.5, 0.75]
    )
    assert held.action == "hold_at_max"
    done = advise_escalation(
        "iv-racemic",
        baseline=30,
        scores=[28, 25, 22, 21, 20, 19],
        doses_given=[0.5, 0.5, 0.5, 0.75, 0.75, 0.75],
    )
    # Sanacora 2017: few reports of response after more than 3 infusions in non-responders.
    assert done.action == "review"


def test_not_tolerated_never_escalates() -> None:
    advice = advise_escalation(
        "iv-racemic", baseline=30, scores=[28, 25, 22], doses_given=[0.5] * 3, tolerated=False
    )
    assert advice.action == "hold"


@pytest.mark.parametrize(("current", "expected"), [(0.5, 0.6), (0.6, 0.75), (0.75, 0.9)])
def test_kads_steps_through_its_ladder(current: float, expected: float) -> None:
    # KADS cohort 2: "escalation steps 0.6, 0.75, and 0.9 mg/kg if not improved by 50%".
    advice = advise_escalation("sc-kads", baseline=30, scores=[25], doses_given=[current])
    assert advice.action == "escalate"
    assert advice.next_dose_mg_per_kg == pytest.approx(expected, abs=1e-9)
    assert any("unverified" in n for n in advice.notes)


def test_kads_holds_at_0_9() -> None:
    advice = advise_escalation("sc-kads", baseline=30, scores=[25, 24], doses_given=[0.9, 0.9])
    assert advice.action == "hold_at_max"


def test_oktos_titrates_by_0_1_to_0_5_and_caps_at_3() -> None:
    # OKTOS: "titrate 0.1-0.5 mg/kg weekly to 3.0 mg/kg per psychiatrist".
    advice = advise_escalation("oral-oktos", baseline=20, scores=[18], doses_given=[1.0])
    assert advice.action == "escalate"
    assert advice.next_dose_range == pytest.approx((1.1, 1.5), abs=1e-9)
    capped = advise_escalation("oral-oktos", baseline=20, scores=[18], doses_given=[2.8])
    assert capped.next_dose_range == pytest.approx((2.9, 3.0), abs=1e-9)
    at_max = advise_escalation("oral-oktos", baseline=20, scores=[18], doses_given=[3.0])
    assert at_max.action == "hold_at_max"


def test_esketamine_goes_from_56_to_84_mg() -> None:
    # Label: "Subsequent doses: 56 mg or 84 mg".
    advice = advise_escalation("esketamine-trd", baseline=30, scores=[28], doses_given=[56])
    assert advice.action == "escalate"
    assert advice.next_dose_mg == pytest.approx(84, abs=1e-9)
    assert advice.next_dose_mg_per_kg is None


def test_esketamine_end_of_induction_without_response_asks_for_review() -> None:
    # Label: evaluate therapeutic benefit at the end of the induction phase.
    advice = advise_escalation(
        "esketamine-trd", baseline=30, scores=[28] * 8, doses_given=[56] + [84] * 7
    )
    assert advice.action == "review"


@pytest.mark.parametrize("protocol_id", ["iv-ptsd", "in-racemic", "sl-racemic"])
def test_fixed_dose_protocols_continue(protocol_id: str) -> None:
    advice = advise_escalation(protocol_id, baseline=30, scores=[29])
    assert advice.action == "continue"
    assert any("assumed" in n for n in advice.notes)


def test_a_dose_above_max_is_not_raised_further() -> None:
    advice = advise_escalation("iv-racemic", baseline=30, scores=[28], doses_given=[1.0])
    assert advice.action == "hold_at_max"
    assert advice.next_dose_mg_per_kg == pytest.approx(0.75, abs=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"baseline": 0, "scores": [10]}, "baseline"),
        ({"baseline": 30, "scores": []}, "scores"),
        ({"baseline": 30, "scores": [-1]}, "score"),
        ({"baseline": 30, "scores": [10], "doses_given": [0]}, "doses_given"),
        ({"baseline": 30, "scores": [10], "doses_given": []}, "doses_given"),
    ],
)
def test_bad_escalation_input_is_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as exc:
        advise_escalation("iv-racemic", **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field


@given(
    st.sampled_from([p.id for p in list_protocols()]),
    st.integers(min_value=1, max_value=60),
    st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=10),
    st.integers(min_value=0, max_value=3),
)
def test_advice_never_goes_above_the_protocol_max(
    protocol_id: str, baseline: int, scores: list[int], rung: int
) -> None:
    protocol = get_protocol(protocol_id)
    dose = protocol.steps[min(rung, len(protocol.steps) - 1)]
    advice = advise_escalation(
        protocol_id, baseline=baseline, scores=scores, doses_given=[dose] * len(scores)
    )
    nxt = advice.next_dose_mg_per_kg if protocol.weight_based else advice.next_dose_mg
    assert nxt is not None
    assert nxt <= protocol.max_dose + 1e-9
    assert nxt >= dose - 1e-9  # advice never lowers the dose by itself
