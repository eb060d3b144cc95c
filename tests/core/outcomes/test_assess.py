"""Response, partial response and remission of one follow-up score (core.outcomes.assess)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError, UnknownIdError
from ketacare.core.outcomes import assess, outcome_thresholds


def test_exactly_a_fifty_percent_fall_is_a_response() -> None:
    # rating-scales.md §7: "response is >= 50% (exactly 50% counts)"; §3: "Response (any scale)
    # >= 50% fall from baseline" (STAR*D; Murrough 2013; esketamine trials; ORKA).
    result = assess("madrs", 30, 15)
    assert result.percent_change == pytest.approx(-50.0, abs=1e-12)
    assert result.response is True
    assert result.partial_response is False


def test_just_under_fifty_percent_is_a_partial_response_not_a_response() -> None:
    # ICSI depression guideline: "Partial response is defined as a 25-50% reduction in symptoms."
    result = assess("madrs", 30, 16)
    assert result.percent_change == pytest.approx(-46.6667, abs=1e-4)
    assert result.response is False
    assert result.partial_response is True


def test_a_twenty_five_percent_fall_is_partial_and_less_is_neither() -> None:
    # ICSI: partial response = "25-50% reduction" (25% inclusive).
    assert assess("hamd17", 20, 15).partial_response is True
    below = assess("hamd17", 20, 16)
    assert (below.response, below.partial_response) == (False, False)


def test_madrs_default_remission_is_at_most_12_from_the_esketamine_programme() -> None:
    # rating-scales.md §2.1: "<= 12 | Esketamine programme: SUSTAIN-1 stable remission, SUSTAIN-3,
    # ASPIRE I/II"; recommendation: "default <= 12 ... store which definition was applied".
    at = assess("madrs", 34, 12)
    above = assess("madrs", 34, 13)
    assert (at.remission, above.remission) == (True, False)
    assert at.remission_max == pytest.approx(12, abs=0)
    assert at.remission_definition == "esketamine-12"
    assert "PMC10439056" in at.rule["remission"]["source"]


def test_madrs_zimmerman_definition_is_at_most_10() -> None:
    # rating-scales.md §2.1: "<= 10 | Zimmerman et al. 2004: MADRS equivalent of HRSD <= 7 ...
    # Also the primary outcome of the ketamine-vs-ECT RCT (KetECT)."
    assert assess("madrs", 34, 10, remission_definition="zimmerman-10").remission is True
    result = assess("madrs", 34, 11, remission_definition="zimmerman-10")
    assert result.remission is False
    assert result.remission_definition == "zimmerman-10"
    assert result.remission_max == pytest.approx(10, abs=0)


def test_madrs_hawley_definition_is_below_10() -> None:
    # rating-scales.md §2.1: "< 10 (i.e. <= 9) | Hawley et al. 2002 ... KADS primary outcome";
    # clinical-protocols.md §5: "Remission | MADRS < 10 | KADS".
    assert assess("madrs", 34, 9, remission_definition="hawley-9").remission is True
    assert assess("madrs", 34, 10, remission_definition="hawley-9").remission is False


def test_every_madrs_remission_definition_is_reported_with_the_result() -> None:
    # rating-scales.md §2.1 recommendation: "store which definition was applied, and also report
    # <= 10".
    result = assess("madrs", 34, 11)
    assert result.rule["remission_by_definition"] == {
        "esketamine-12": True,
        "zimmerman-10": False,
        "hawley-9": False,
    }


def test_hamd17_remission_is_at_most_7() -> None:
    # rating-scales.md §3: "Remission, HAM-D17 | <= 7 | Frank 1991 consensus; STAR*D primary".
    assert assess("hamd17", 22, 7).remission is True
    assert assess("hamd17", 22, 8).remission is False


def test_qids_remission_is_at_most_5() -> None:
    # rating-scales.md §3: "Remission, QIDS-SR16 | <= 5 | STAR*D".
    assert assess("qids-sr16", 16, 5).remission is True
    assert assess("qids-sr16", 16, 6).remission is False


def test_phq9_remission_is_below_5() -> None:
    # rating-scales.md §3: "Remission, PHQ-9 | < 5 | ORKA-1; SUSTAIN-3".
    assert assess("phq9", 18, 4).remission is True
    assert assess("phq9", 18, 5).remission is False


def test_a_custom_remission_maximum_is_stored_as_custom() -> None:
    result = assess("madrs", 30, 11, remission_max=11)
    assert (result.remission, result.remission_definition) == (True, "custom")
    assert result.rule["remission"]["source"] == "user setting"


def test_scales_without_a_remission_rule_report_none() -> None:
    # rating-scales.md §2.5 gives GAD-7 bands but no remission definition.
    result = assess("gad7", 15, 5)
    assert result.remission is None
    assert result.rule["remission"] is None
    assert "unverified" in result.rule["response"]["source"]


def test_a_custom_response_fraction_is_labelled_a_user_setting() -> None:
    result = assess("phq9", 20, 14, response_fraction=0.3)
    assert result.response is True
    assert result.rule["response"]["source"].startswith("user setting")


def test_it_refuses_a_score_outside_the_scale_range() -> None:
    # rating-scales.md §1: MADRS total 0-60.
    with pytest.raises(InputError) as exc:
        assess("madrs", 30, 61)
    assert exc.value.field == "score"
    assert "0 to 60" in str(exc.value)


def test_it_refuses_a_zero_baseline() -> None:
    # rating-scales.md §7: "Percent change from a baseline of 0 is undefined".
    with pytest.raises(InputError) as exc:
        assess("phq9", 0, 0)
    assert exc.value.field == "baseline"


def test_it_refuses_both_a_remission_maximum_and_a_definition() -> None:
    with pytest.raises(InputError):
        assess("madrs", 30, 10, remission_max=10, remission_definition="hawley-9")


def test_it_names_the_known_remission_definitions_for_an_unknown_one() -> None:
    with pytest.raises(UnknownIdError) as exc:
        assess("madrs", 30, 10, remission_definition="nope")
    assert "zimmerman-10" in str(exc.value)


def test_it_names_the_known_scales_for_an_unknown_one() -> None:
    with pytest.raises(UnknownIdError) as exc:
        assess("bdi", 30, 10)
    assert "madrs" in str(exc.value)


def test_it_refuses_a_partial_fraction_at_or_above_the_response_fraction() -> None:
    with pytest.raises(InputError) as exc:
        assess("madrs", 30, 10, response_fraction=0.5, partial_fraction=0.5)
    assert exc.value.field == "partial_fraction"


def test_it_refuses_a_boolean_score() -> None:
    with pytest.raises(InputError):
        assess("madrs", 30, True)


def test_the_result_is_json_able() -> None:
    import json

    data = assess("madrs", 30, 12).to_dict()
    assert json.loads(json.dumps(data)) == data


@given(
    baseline=st.integers(min_value=1, max_value=60),
    a=st.integers(min_value=0, max_value=60),
    b=st.integers(min_value=0, max_value=60),
)
def test_a_lower_score_is_never_a_worse_outcome(baseline: int, a: int, b: int) -> None:
    low, high = sorted((a, b))
    better, worse = assess("madrs", baseline, low), assess("madrs", baseline, high)
    assert better.percent_change <= worse.percent_change
    assert better.response or not worse.response
    assert bool(better.remission) or not worse.remission


@given(
    baseline=st.integers(min_value=1, max_value=27), score=st.integers(min_value=0, max_value=27)
)
def test_response_and_partial_response_never_both_hold(baseline: int, score: int) -> None:
    result = assess("phq9", baseline, score)
    assert not (result.response and result.partial_response)
    assert result.response == (score * 2 <= baseline)  # a fall of >= 50%, in exact integers


@given(baseline=st.integers(min_value=1, max_value=60))
def test_the_response_line_is_the_highest_total_assess_calls_a_response(baseline: int) -> None:
    # The chart's line must agree with assess(): "MADRS fall >= 50%" (Murrough 2013) counts,
    # one point more does not; exact integers, no tolerance.
    lines = outcome_thresholds("madrs", baseline)
    assert lines.response_max is not None
    assert assess("madrs", baseline, lines.response_max).response
    if lines.response_max + 1 <= 60:
        assert not assess("madrs", baseline, lines.response_max + 1).response
    assert lines.remission_max == 12  # MADRS default: <= 12 (esketamine programme)
