"""Eligibility from a patient's history of screens (plain values, no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.intake import (
    Eligibility,
    ScreenRecord,
    eligibility,
    list_questions,
    screen_contraindications,
    screen_record_from_result,
)

JAN_2 = dt.datetime(2026, 1, 2, 9, 0, tzinfo=dt.UTC)
FEB_3 = dt.datetime(2026, 2, 3, 9, 0, tzinfo=dt.UTC)
MAR_4 = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)


def _record(
    drug: str | None = "racemic",
    route: str | None = "iv",
    *,
    yes: tuple[str, ...] = (),
    unanswered: tuple[str, ...] = (),
    at: dt.datetime = JAN_2,
) -> ScreenRecord:
    answers = {q.id: q.id in yes for q in list_questions(drug, route) if q.id not in unanswered}
    result = screen_contraindications(answers, drug=drug, route=route)
    return screen_record_from_result(result, at)


def test_no_screen_is_missing_and_blocks() -> None:
    answer = eligibility([], drug="racemic", route="iv")
    assert answer.status == "missing"
    assert answer.blocks
    assert answer.screen is None
    assert "No contraindication screen" in answer.reason


def test_a_clean_screen_is_eligible_and_names_its_date() -> None:
    answer = eligibility([_record()], drug="racemic", route="iv")
    assert answer.status == "eligible"
    assert not answer.blocks
    assert "2026-01-02" in answer.reason
    assert "racemic ketamine by the intravenous route" in answer.reason


def test_pregnancy_blocks_iv_racemic_and_the_psychosis_caution_is_named_in_words() -> None:
    record = _record(yes=("pregnancy", "psychosis_history"))
    answer = eligibility([record], drug="racemic", route="iv")
    assert answer.status == "contraindicated"
    assert answer.blocks
    assert "Pregnant or planning pregnancy" in answer.reason
    assert answer.cautions == ("History of psychosis",)
    assert "History of psychosis" in answer.reason
    assert "Sanacora" in answer.source and "secondary source" in answer.source


def test_the_latest_screen_decides_and_older_ones_stay_in_the_history() -> None:
    old_contraindicated = _record(yes=("pregnancy",), at=JAN_2)
    new_clean = _record(at=FEB_3)
    history = [new_clean, old_contraindicated]  # order of the list does not matter, time does
    answer = eligibility(history, drug="racemic", route="iv")
    assert answer.status == "eligible"
    assert answer.screen is new_clean
    assert "2026-02-03" in answer.reason
    again = eligibility(
        [*history, _record(yes=("pregnancy",), at=MAR_4)], drug="racemic", route="iv"
    )
    assert again.status == "contraindicated"
    assert "2026-03-04" in again.reason


def test_a_screen_for_another_drug_or_route_does_not_apply() -> None:
    esketamine = _record("esketamine", "in")
    assert eligibility([esketamine], drug="racemic", route="iv").status == "missing"
    oral = _record("racemic", "po")
    assert eligibility([oral], drug="racemic", route="iv").status == "missing"


def test_a_screen_naming_no_route_applies_to_every_route_of_its_drug() -> None:
    any_route = _record("racemic", None, yes=("active_psychosis",))
    answer = eligibility([any_route], drug="racemic", route="im")
    assert answer.status == "contraindicated"
    assert answer.screen is any_route


def test_a_drugless_screen_applies_only_when_no_screen_names_the_drug() -> None:
    general_later = _record(None, None, at=FEB_3)
    specific_earlier = _record("esketamine", "in", yes=("arteriovenous_malformation",), at=JAN_2)
    assert eligibility([general_later], drug="esketamine", route="in").status == "eligible"
    answer = eligibility([general_later, specific_earlier], drug="esketamine", route="in")
    assert answer.screen is specific_earlier
    assert answer.status == "contraindicated"


def test_unanswered_contraindication_questions_make_the_screen_incomplete() -> None:
    record = _record(unanswered=("bp_rise_serious_hazard",))
    answer = eligibility([record], drug="racemic", route="iv")
    assert answer.status == "incomplete"
    assert answer.blocks
    assert "significant rise in blood pressure" in answer.reason
    assert "2026-01-02" in answer.reason


def test_a_screen_that_did_not_ask_a_question_added_since_is_incomplete() -> None:
    record = _record()
    assert record.asked is not None
    older = dataclasses.replace(record, asked=tuple(q for q in record.asked if q != "pregnancy"))
    answer = eligibility([older], drug="racemic", route="iv")
    assert answer.status == "incomplete"
    assert "did not ask" in answer.reason and "Pregnant" in answer.reason


def test_a_record_without_the_asked_list_is_judged_on_what_it_reports() -> None:
    legacy = ScreenRecord("esketamine", "in", True, (), ("maoi",), (), JAN_2)
    answer = eligibility([legacy], drug="esketamine", route="in")
    assert answer.status == "eligible"
    assert answer.cautions == ("Takes a monoamine oxidase inhibitor (MAOI)",)


def test_an_id_no_longer_in_the_screen_is_still_shown() -> None:
    legacy = ScreenRecord("racemic", "iv", False, ("retired_question",), (), (), JAN_2)
    answer = eligibility([legacy], drug="racemic", route="iv")
    assert answer.status == "contraindicated"
    assert "retired_question (no longer asked)" in answer.reason


def test_a_naive_time_or_a_self_contradicting_record_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        ScreenRecord("racemic", "iv", True, (), (), (), dt.datetime(2026, 1, 2))
    assert exc.value.field == "screened_at"
    with pytest.raises(InputError) as exc:
        ScreenRecord("racemic", "iv", True, ("pregnancy",), (), (), JAN_2)
    assert exc.value.field == "eligible"


def test_bad_drug_route_and_history_are_refused_naming_the_field() -> None:
    with pytest.raises(InputError) as exc:
        eligibility([], drug="esketamine", route="iv")
    assert exc.value.field == "route"
    with pytest.raises(InputError) as exc:
        eligibility(["screen"], drug="racemic", route="iv")  # type: ignore[list-item]
    assert exc.value.field == "screens"


def test_to_dict_is_plain_and_the_answer_survives_pickling() -> None:
    answer = eligibility([_record(yes=("cns_depressants",))], drug="racemic", route="iv")
    data = answer.to_dict()
    assert data["status"] == "eligible" and data["blocks"] is False
    assert data["cautions"] == ["Takes CNS depressants (e.g. benzodiazepines, opioids, alcohol)"]
    assert data["screen"]["screened_at"] == "2026-01-02T09:00:00+00:00"
    assert pickle.loads(pickle.dumps(answer)) == answer
    assert isinstance(answer, Eligibility)


@given(
    days=st.lists(st.integers(0, 365), min_size=1, max_size=6),
    flags=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_it_blocks_exactly_when_the_latest_applicable_screen_is_not_clean(
    days: list[int], flags: list[bool]
) -> None:
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    history = [
        _record(yes=("pregnancy",) if flag else (), at=base + dt.timedelta(days=d))
        for d, flag in zip(days, flags, strict=False)
    ]
    latest = max(range(len(history)), key=lambda i: (history[i].screened_at, i))
    answer = eligibility(history, drug="racemic", route="iv")
    assert answer.blocks == flags[latest]
    assert answer.screen is history[latest]
