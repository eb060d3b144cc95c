"""TRD staging from failed adequate antidepressant trials in the current episode."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.intake import TRIAL_RESPONSES, AntidepressantTrial, trd_rule, trd_stage


def _trial(
    drug: str = "sertraline",
    adequate: bool | None = True,
    response: str = "none",
    current: bool = True,
) -> AntidepressantTrial:
    return AntidepressantTrial(drug, 150, 8, adequate, response, current_episode=current)


def test_the_threshold_is_two_failed_adequate_trials_with_its_source() -> None:
    # intake.icu triage guide: "TRD threshold at triage: >= 2 failed adequate antidepressant
    # trials"
    rule = trd_rule()
    assert rule.min_failed_adequate == 2
    assert "intake.icu" in rule.source


def test_two_failed_adequate_trials_are_trd() -> None:
    result = trd_stage([_trial("sertraline"), _trial("venlafaxine", response="partial")])
    assert (result.failed_adequate, result.is_trd, result.stage) == (2, True, "trd")
    assert result.counted == ("sertraline", "venlafaxine")
    assert "intake.icu" in result.source


def test_one_failed_trial_is_not_trd() -> None:
    result = trd_stage([_trial()])
    assert (result.is_trd, result.stage) == (False, "one-failed-trial")


def test_no_trials_is_stage_no_failed_trial() -> None:
    assert trd_stage([]).stage == "no-failed-trial"


def test_inadequate_responding_and_earlier_episode_trials_do_not_count() -> None:
    result = trd_stage(
        [
            _trial("a", adequate=False),
            _trial("b", response="response"),
            _trial("c", response="remission"),
            _trial("d", response="not_tolerated"),
            _trial("e", current=False),
            _trial("f"),
        ]
    )
    assert result.counted == ("f",)
    assert not result.is_trd
    assert "earlier episodes" in result.reason


def test_trials_of_unknown_adequacy_are_flagged_as_possible_trd() -> None:
    result = trd_stage([_trial("a"), _trial("b", adequate=None)])
    assert not result.is_trd
    assert result.not_assessed == ("b",)
    assert "TRD is possible" in result.reason


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"drug": ""}, "trial drug"),
        ({"dose_mg": -10}, "trial dose_mg"),
        ({"weeks": 0}, "trial weeks"),
        ({"adequate": "yes"}, "trial adequate"),
        ({"response": "better"}, "trial response"),
    ],
)
def test_bad_trials_name_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = dict(drug="x", dose_mg=100, weeks=8, adequate=True, response="none")
    args.update(kwargs)
    with pytest.raises(InputError) as exc:
        AntidepressantTrial(**args)  # type: ignore[arg-type]
    assert exc.value.field == field


def test_trials_must_be_a_list_of_trials() -> None:
    with pytest.raises(InputError):
        trd_stage("sertraline")  # type: ignore[arg-type]
    with pytest.raises(InputError) as exc:
        trd_stage([{"drug": "x"}])  # type: ignore[list-item]
    assert exc.value.field == "trial 1"


trial_strategy = st.builds(
    AntidepressantTrial,
    drug=st.sampled_from(["a", "b", "c"]),
    dose_mg=st.none() | st.floats(1, 500),
    weeks=st.none() | st.floats(1, 52),
    adequate=st.none() | st.booleans(),
    response=st.sampled_from(TRIAL_RESPONSES),
    current_episode=st.booleans(),
)


@given(trials=st.lists(trial_strategy, max_size=8))
def test_is_trd_exactly_when_two_or_more_failed_adequate_trials(
    trials: list[AntidepressantTrial],
) -> None:
    result = trd_stage(trials)
    failed = sum(
        1
        for t in trials
        if t.current_episode and t.adequate is True and t.response in ("none", "partial")
    )
    assert result.failed_adequate == failed
    assert result.is_trd == (failed >= 2)


@given(trials=st.lists(trial_strategy, max_size=6), extra=trial_strategy)
def test_adding_a_trial_never_lowers_the_count(
    trials: list[AntidepressantTrial], extra: AntidepressantTrial
) -> None:
    assert trd_stage([*trials, extra]).failed_adequate >= trd_stage(trials).failed_adequate
