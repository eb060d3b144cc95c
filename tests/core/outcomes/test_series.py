"""Series events: time to first response, loss of response, relapse (core.outcomes.assess)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError, UnknownIdError
from ketacare.core.outcomes import assess_series


def test_sustain1_relapse_is_madrs_22_or_more_on_two_consecutive_weeks_after_response() -> None:
    # rating-scales.md §3: "Relapse (SUSTAIN-1) | MADRS >= 22 for 2 consecutive weeks, or
    # hospitalisation for worsening depression, or another clinically relevant relapse event".
    start = date(2026, 1, 5)
    weeks = [start + timedelta(weeks=w) for w in range(1, 7)]
    series = assess_series("madrs", 34, [20, 12, 22, 14, 22, 24], dates=weeks, baseline_date=start)
    # The single week at 22 (week 3) is not a relapse; weeks 5 and 6 (22 then 24) are.
    assert series.relapse is not None
    assert (series.relapse.onset_index, series.relapse.index) == (5, 6)
    assert series.relapse.days_from_baseline == 42
    assert series.relapse_rule is not None
    assert series.relapse_rule["id"] == "sustain1"
    assert series.relapse_rule["min"] == pytest.approx(22, abs=0)
    assert series.relapse_rule["consecutive"] == 2
    assert [p.relapse for p in series.points] == [False] * 5 + [True]


def test_a_madrs_of_21_twice_is_not_a_sustain1_relapse() -> None:
    # SUSTAIN-1: the threshold is ">= 22".
    assert assess_series("madrs", 34, [14, 21, 21]).relapse is None


def test_relapse_is_only_counted_after_a_response() -> None:
    # Brief: "relapse after response". Two weeks >= 22 before any response are not a relapse.
    series = assess_series("madrs", 34, [30, 28, 16, 20])
    assert series.relapse is None
    assert series.time_to_first_response is not None
    assert series.time_to_first_response.index == 3


def test_time_to_first_response_counts_days_from_the_baseline_date() -> None:
    base = date(2026, 3, 2)
    dates = [base + timedelta(days=d) for d in (2, 4, 7, 14)]
    series = assess_series("phq9", 20, [18, 12, 10, 6], dates=dates, baseline_date=base)
    first = series.time_to_first_response
    assert first is not None
    # PHQ-9 20 -> 10 is exactly a 50% fall, which counts (rating-scales.md §7).
    assert (first.index, first.date, first.days_from_baseline) == (3, dates[2], 7)
    assert [p.first_response for p in series.points] == [False, False, True, False]


def test_loss_of_response_is_the_first_follow_up_after_response_that_no_longer_meets_it() -> None:
    series = assess_series("qids-sr16", 16, [8, 7, 9, 12, 6])
    assert series.time_to_first_response is not None
    assert series.time_to_first_response.index == 1
    assert series.loss_of_response is not None
    assert series.loss_of_response.index == 3
    assert series.relapse_rule is None  # no relapse rule is stored for QIDS-SR16
    assert series.relapse is None


def test_no_response_means_no_first_response_loss_or_relapse() -> None:
    series = assess_series("hamd17", 20, [18, 17, 16])
    summary = series.summary()
    assert summary["time_to_first_response"] is None
    assert summary["loss_of_response"] is None
    assert summary["relapse"] is None


def test_each_point_stores_the_remission_setting_used() -> None:
    series = assess_series("madrs", 30, [12, 10], remission_definition="zimmerman-10")
    assert [p.outcome.remission for p in series.points] == [False, True]
    assert {p.outcome.remission_definition for p in series.points} == {"zimmerman-10"}


def test_it_refuses_dates_that_do_not_increase() -> None:
    with pytest.raises(InputError) as exc:
        assess_series("madrs", 30, [20, 15], dates=[date(2026, 1, 8), date(2026, 1, 8)])
    assert exc.value.field == "dates[2]"


def test_it_refuses_a_date_count_that_does_not_match_the_scores() -> None:
    with pytest.raises(InputError) as exc:
        assess_series("madrs", 30, [20, 15], dates=[date(2026, 1, 8)])
    assert exc.value.field == "dates"


def test_it_refuses_an_empty_series() -> None:
    with pytest.raises(InputError) as exc:
        assess_series("madrs", 30, [])
    assert exc.value.field == "scores"


def test_it_refuses_an_unknown_relapse_rule() -> None:
    with pytest.raises(UnknownIdError):
        assess_series("madrs", 30, [10], relapse_rule="nope")


def test_the_series_is_json_able() -> None:
    import json

    data = assess_series("madrs", 30, [14, 22, 23], baseline_date=date(2026, 1, 1)).to_dict()
    assert json.loads(json.dumps(data)) == data


@given(
    baseline=st.integers(min_value=1, max_value=60),
    scores=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=12),
)
def test_series_events_come_in_order(baseline: int, scores: list[int]) -> None:
    series = assess_series("madrs", baseline, scores)
    first = series.time_to_first_response
    for later in (series.loss_of_response, series.relapse):
        if later is not None:
            assert first is not None and later.index > first.index
    if series.relapse is not None:
        assert series.relapse.onset_index is not None
        run = scores[series.relapse.onset_index - 1 : series.relapse.index]
        assert len(run) == 2 and min(run) >= 22
