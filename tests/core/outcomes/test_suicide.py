"""Suicidal-ideation signals (core.outcomes.suicide)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.outcomes import SIObservation, suicidal_ideation_signal


@dataclass(frozen=True)
class FakeScoreResult:
    """Shaped like ketacare.core.scales.ScoreResult, with more fields than the signal reads."""

    scale: str
    version: str
    total: int | None
    severity: str | None
    suicide_item_value: int | None
    triage: str | None


def test_phq9_item_9_above_zero_is_a_positive_screen() -> None:
    # rating-scales.md §2.4: "Item 9: flag any value > 0 for same-day clinician review".
    signal = suicidal_ideation_signal("phq9", SIObservation("phq9", suicide_item_value=1))
    assert (signal.flag, signal.level) == (True, "positive")
    assert signal.threshold_status == "published-convention"
    zero = suicidal_ideation_signal("phq9", SIObservation("phq9", suicide_item_value=0))
    assert (zero.flag, zero.level) == (False, "none")


def test_a_score_result_of_the_scales_module_fits() -> None:
    current = FakeScoreResult("phq9", "1", 14, "moderate", 2, None)
    assert suicidal_ideation_signal("phq9", current).level == "positive"


def test_cssrs_high_is_urgent_and_other_levels_are_positive() -> None:
    # contracts.md: "consumers must treat every level other than 'none' as a positive screen and
    # 'high' as urgent".
    levels = {
        t: suicidal_ideation_signal("cssrs-screen", SIObservation("cssrs-screen", triage=t)).level
        for t in ("none", "low", "moderate", "positive", "high")
    }
    assert levels == {
        "none": "none",
        "low": "positive",
        "moderate": "positive",
        "positive": "positive",
        "high": "urgent",
    }


def test_a_rise_in_the_suicide_item_is_flagged_even_below_the_threshold() -> None:
    # Brief: "a rise from the previous value or a positive screen is flagged". MADRS item 10
    # from 1 to 2 is below the clinic threshold of 4 (rating-scales.md §7 suggestion).
    signal = suicidal_ideation_signal(
        "madrs",
        SIObservation("madrs", suicide_item_value=2),
        SIObservation("madrs", suicide_item_value=1),
    )
    assert (signal.flag, signal.level) == (True, "watch")
    assert "rose from 1 to 2" in signal.reason


def test_clinic_set_thresholds_say_they_are_not_published() -> None:
    # rating-scales.md §7: "the others (QIDS, MADRS, HAM-D, BSS) are suggestions for the clinical
    # lead to set."
    for scale, value in (("madrs", 4), ("hamd17", 2), ("qids-sr16", 1)):
        signal = suicidal_ideation_signal(scale, SIObservation(scale, suicide_item_value=value))
        assert signal.level == "positive"
        assert signal.threshold_status == "clinic-setting"
        assert "not a published cut-off" in signal.reason


def test_a_clinic_can_set_its_own_threshold() -> None:
    obs = SIObservation("madrs", suicide_item_value=3)
    assert suicidal_ideation_signal("madrs", obs).level == "watch"
    assert suicidal_ideation_signal("madrs", obs, threshold=2).level == "positive"


def test_bss_and_ssi_signal_on_the_total() -> None:
    bss = suicidal_ideation_signal("bss", SIObservation("bss", total=3))
    assert (bss.measure, bss.level) == ("total", "positive")
    ssi = suicidal_ideation_signal(
        "ssi", SIObservation("ssi", total=0), SIObservation("ssi", total=0)
    )
    assert ssi.level == "none"


def test_a_fall_is_not_flagged() -> None:
    signal = suicidal_ideation_signal(
        "hamd17",
        SIObservation("hamd17", suicide_item_value=0),
        SIObservation("hamd17", suicide_item_value=2),
    )
    assert signal.flag is False


def test_it_refuses_an_item_value_out_of_range() -> None:
    # rating-scales.md §1: PHQ-9 items 0-3.
    with pytest.raises(InputError) as exc:
        suicidal_ideation_signal("phq9", SIObservation("phq9", suicide_item_value=4))
    assert exc.value.field == "phq9 item 9"
    assert "0-3" in str(exc.value)


def test_it_refuses_a_missing_item_value() -> None:
    with pytest.raises(InputError):
        suicidal_ideation_signal("madrs", SIObservation("madrs", total=20))


def test_it_refuses_a_rating_of_another_scale() -> None:
    with pytest.raises(InputError) as exc:
        suicidal_ideation_signal("phq9", SIObservation("madrs", suicide_item_value=1))
    assert exc.value.field == "current.scale"


def test_it_refuses_an_unknown_triage_level() -> None:
    with pytest.raises(InputError):
        suicidal_ideation_signal("cssrs-screen", SIObservation("cssrs-screen", triage="red"))


def test_it_refuses_a_scale_without_a_suicide_signal() -> None:
    with pytest.raises(InputError):
        suicidal_ideation_signal("gad7", SIObservation("gad7", total=3))


@given(now=st.integers(min_value=0, max_value=3), before=st.integers(min_value=0, max_value=3))
def test_qids_flag_is_a_positive_item_or_a_rise(now: int, before: int) -> None:
    signal = suicidal_ideation_signal(
        "qids-sr16",
        SIObservation("qids-sr16", suicide_item_value=now),
        SIObservation("qids-sr16", suicide_item_value=before),
    )
    assert signal.flag == (now >= 1 or now > before)
