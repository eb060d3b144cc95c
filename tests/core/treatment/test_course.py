"""The course as one pure rule (``core.treatment.course``): start, status moves, planning, consent.

Sources quoted beside the assertions:

- SPRAVATO US prescribing information, section 2.2, Table 1 footnote: "Evaluate therapeutic
  benefit at the end of the induction phase to determine need for continued treatment" (the
  review step between induction and maintenance).
- Sanacora G et al. JAMA Psychiatry 2017;74(4):399-405 (consensus statement on ketamine for mood
  disorders): contraindications are screened before treatment; informed consent before the series.
- KetaCare rules (stated as such on every output): one active course per patient unless a
  prescriber says why; an unlinked consent covers a course starting within 30 days.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.treatment import (
    ACTIVE_STATUSES,
    COURSE_STATUSES,
    COURSE_TRANSITIONS,
    CourseFacts,
    age_on,
    consent_covers,
    course_state,
    refuse_course,
)


def test_a_course_with_a_clear_screen_starts_and_plans_nothing_yet() -> None:
    state = course_state(CourseFacts(drug="racemic", route="iv"))
    assert state.verdict("start").allowed
    assert state.verdict("start").requires_role == "prescriber"
    # not started: no session may be planned, no status move is open
    assert not state.verdict("plan_session").allowed
    assert state.transitions == ()


@pytest.mark.parametrize("status", ["missing", "incomplete", "contraindicated"])
def test_a_screen_that_does_not_clear_blocks_the_start_in_words(status: str) -> None:
    state = course_state(
        CourseFacts(drug="esketamine", route="in", eligibility=status, eligibility_source="label")
    )
    verdict = state.verdict("start")
    assert not verdict.allowed
    (problem,) = verdict.blockers
    assert problem.field == "screen" and problem.code == status
    assert "a prescriber records an override with a reason" in problem.reason
    with pytest.raises(InputError) as caught:
        refuse_course(state, "start")
    assert caught.value.field == "screen"


def test_the_prescribers_override_lets_the_course_start_and_stays_as_a_warning() -> None:
    state = course_state(
        CourseFacts(
            drug="esketamine",
            route="in",
            eligibility="contraindicated",
            eligibility_override=True,
            eligibility_source="SPRAVATO USPI section 4",
        )
    )
    assert state.verdict("start").allowed
    (warning,) = state.warnings
    assert warning.code == "override" and warning.source == "SPRAVATO USPI section 4"


def test_a_second_active_course_needs_a_reason() -> None:
    refused = course_state(CourseFacts(drug="racemic", route="iv", other_active_courses=2))
    (problem,) = refused.verdict("start").blockers
    assert problem.field == "concurrent_reason"
    assert "2 active course(s)" in problem.reason
    allowed = course_state(
        CourseFacts(drug="racemic", route="iv", other_active_courses=1, concurrent_reason=True)
    )
    assert allowed.verdict("start").allowed
    assert [w.code for w in allowed.warnings] == ["concurrent"]


def test_the_status_moves_follow_the_label_review_step() -> None:
    # USPI 2.2: evaluate benefit at the end of induction, so induction -> review -> maintenance
    state = course_state(CourseFacts(drug="esketamine", route="in", status="induction"))
    assert state.verdict("status:review").allowed
    assert not state.verdict("status:maintenance").allowed
    (problem,) = state.verdict("status:maintenance").blockers
    assert problem.reason == "From induction the course may move to: review, ended."
    with pytest.raises(InputError) as caught:
        refuse_course(state, "status:review", reason="  ")
    assert caught.value.field == "reason"
    refuse_course(state, "status:review", reason="end of induction: PHQ-9 fell 60%")


def test_an_ended_course_moves_nowhere_and_plans_nothing() -> None:
    state = course_state(CourseFacts(drug="racemic", route="iv", status="ended"))
    assert not any(state.verdict(f"status:{s}").allowed for s in COURSE_STATUSES)
    assert "none (the course has ended)" in state.verdict("status:review").blockers[0].reason
    assert not state.verdict("plan_session").allowed
    assert not state.verdict("start").allowed


def test_an_unknown_status_or_action_is_named() -> None:
    with pytest.raises(InputError) as caught:
        CourseFacts(drug="racemic", route="iv", status="paused")
    assert caught.value.field == "status"
    with pytest.raises(InputError):
        course_state(CourseFacts(drug="racemic", route="iv")).verdict("teleport")


def test_consent_covers_its_own_course_and_a_recent_unlinked_one() -> None:
    start = dt.date(2026, 12, 1)
    common = {"withdrawn_on": None, "course_start": start}
    assert consent_covers(for_this_course=True, unlinked=False, given_on=start, on=start, **common)
    # given after the dose day: it does not cover that dose
    assert not consent_covers(
        for_this_course=True,
        unlinked=False,
        given_on=start + dt.timedelta(days=1),
        on=start,
        **common,
    )
    # withdrawn on or before the day: no longer covers
    assert not consent_covers(
        for_this_course=True,
        unlinked=False,
        given_on=start,
        withdrawn_on=start,
        course_start=start,
        on=start,
    )
    # an unlinked consent 30 days before the start covers it; 31 days does not
    for days, covers in ((30, True), (31, False)):
        assert (
            consent_covers(
                for_this_course=False,
                unlinked=True,
                given_on=start - dt.timedelta(days=days),
                on=start,
                **common,
            )
            is covers
        )
    # another course's consent never covers this one
    assert not consent_covers(
        for_this_course=False, unlinked=False, given_on=start, on=start, **common
    )


def test_age_on_counts_whole_years_and_refuses_a_birth_after_the_day() -> None:
    assert age_on(dt.date(1961, 12, 5), dt.date(2026, 12, 4)) == 64
    assert age_on(dt.date(1961, 12, 4), dt.date(2026, 12, 4)) == 65
    with pytest.raises(InputError):
        age_on(dt.date(2027, 1, 1), dt.date(2026, 12, 4))


STATUS_MOVES = st.lists(st.sampled_from(COURSE_STATUSES), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    eligibility=st.sampled_from(["eligible", "missing", "incomplete", "contraindicated"]),
    override=st.booleans(),
    others=st.integers(min_value=0, max_value=3),
    concurrent_reason=st.booleans(),
    moves=STATUS_MOVES,
)
def test_invariants_over_random_courses(
    eligibility: str, override: bool, others: int, concurrent_reason: bool, moves: list[str]
) -> None:
    """Whatever the facts: a course starts only over a clearing (or overridden) screen and, when
    another course is active, with a reason; a status is reached only through
    COURSE_TRANSITIONS; an ended course is final; sessions are planned only on an active one."""
    facts = {
        "drug": "racemic",
        "route": "iv",
        "eligibility": eligibility,
        "eligibility_override": override,
        "other_active_courses": others,
        "concurrent_reason": concurrent_reason,
    }
    start = course_state(CourseFacts(**facts)).verdict("start")  # type: ignore[arg-type]
    assert start.allowed == (
        (eligibility == "eligible" or override) and (others == 0 or concurrent_reason)
    )
    if not start.allowed:
        return
    status = "induction"
    seen = [status]
    for target in moves:
        state = course_state(CourseFacts(**{**facts, "status": status}))  # type: ignore[arg-type]
        assert state.verdict("plan_session").allowed == (status in ACTIVE_STATUSES)
        verdict = state.verdict(f"status:{target}")
        if verdict.allowed:
            refuse_course(state, f"status:{target}", reason="the prescriber's reason")
            status = target
            seen.append(status)
        else:
            with pytest.raises(InputError):
                refuse_course(state, f"status:{target}", reason="the prescriber's reason")
    for before, after in itertools.pairwise(seen):
        assert after in COURSE_TRANSITIONS[before]
    if "ended" in seen:
        assert seen[-1] == "ended"
