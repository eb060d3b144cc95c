"""Cadence rules against worked schedules.

Source of the rules (clinical-protocols.md §5.3): MoodMonitor, "Setting a schedule for when PHQ-9s
are sent out": "Baseline PHQ-9 at sign-up. Separate pre-treatment and post-treatment survey
schedules, both defaulting to every 14 days. Each recorded treatment resets the clock. Rule chains
allowed, e.g. every 7 days for 28 days, then every 14 days."
Dates are exact (tolerance: none).
"""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.core.checkins.cadence import (
    Step,
    chain_dates,
    get_rule,
    list_rules,
    next_due,
    schedule,
    with_interval,
)
from ketacare.core.errors import DefinitionError, InputError, UnknownIdError

D = dt.date


def test_every_shipped_rule_names_its_source() -> None:
    rules = list_rules()
    assert {r.id for r in rules} >= {
        "moodmonitor-14",
        "moodmonitor-chain-7x28-then-14",
        "induction-weekly-maintenance-14",
    }
    for rule in rules:
        assert "http" in rule.source
        assert rule.status in ("published", "clinic-setting")


def test_the_chain_runs_every_7_days_for_28_days_then_every_14() -> None:
    # "every 7 days for 28 days, then every 14 days" anchored on 1 March 2027
    steps = get_rule("moodmonitor-chain-7x28-then-14").chain(None)
    got = chain_dates(steps, D(2027, 3, 1), D(2027, 5, 10))
    assert got == [
        D(2027, 3, 8),
        D(2027, 3, 15),
        D(2027, 3, 22),
        D(2027, 3, 29),  # day 28: the last weekly one
        D(2027, 4, 12),  # then every 14 days
        D(2027, 4, 26),
        D(2027, 5, 10),
    ]


def test_the_first_check_in_is_due_at_enrolment() -> None:
    # "Baseline PHQ-9 at sign-up"
    due = next_due(get_rule("moodmonitor-14"), enrolled_on=D(2027, 3, 1))
    assert (due.date, due.kind) == (D(2027, 3, 1), "baseline")


def test_the_default_is_every_14_days() -> None:
    # "both defaulting to every 14 days"
    rule = get_rule("moodmonitor-14")
    due = next_due(rule, enrolled_on=D(2027, 3, 1), last_checkin=D(2027, 3, 1))
    assert (due.date, due.kind) == (D(2027, 3, 15), "cadence")


def test_each_treatment_resets_the_clock() -> None:
    # "Each recorded treatment resets the clock": a treatment on 10 March moves the next
    # check-in from 15 March to 24 March (10 + 14)
    rule = get_rule("moodmonitor-14")
    due = next_due(
        rule, enrolled_on=D(2027, 3, 1), last_checkin=D(2027, 3, 1), last_treatment=D(2027, 3, 10)
    )
    assert due.date == D(2027, 3, 24)
    assert "clock reset by the treatment on 2027-03-10" in due.reason


def test_a_rule_without_reset_ignores_treatments() -> None:
    rule = get_rule("moodmonitor-chain-7x28-then-14")
    due = next_due(
        rule, enrolled_on=D(2027, 3, 1), last_checkin=D(2027, 3, 8), last_treatment=D(2027, 3, 10)
    )
    assert due.date == D(2027, 3, 15)


def test_a_late_check_in_keeps_the_grid() -> None:
    # sent two days late on 10 March: the next is still the grid's 15 March
    rule = get_rule("moodmonitor-chain-7x28-then-14")
    assert next_due(rule, enrolled_on=D(2027, 3, 1), last_checkin=D(2027, 3, 10)).date == D(
        2027, 3, 15
    )


def test_induction_is_weekly_and_maintenance_every_14_days() -> None:
    rule = get_rule("induction-weekly-maintenance-14")
    base = {"enrolled_on": D(2027, 3, 1), "last_checkin": D(2027, 3, 1)}
    assert next_due(rule, phase="induction", **base).date == D(2027, 3, 8)
    assert next_due(rule, phase="maintenance", **base).date == D(2027, 3, 15)
    assert next_due(rule, phase="review", **base).date == D(2027, 3, 15)  # the default chain


def test_a_pre_session_check_in_is_due_the_day_before_a_session() -> None:
    rule = get_rule("induction-weekly-maintenance-14")
    due = next_due(
        rule,
        phase="maintenance",
        enrolled_on=D(2027, 3, 1),
        last_checkin=D(2027, 3, 1),
        next_session=D(2027, 3, 11),
    )
    assert (due.date, due.kind) == (D(2027, 3, 10), "pre-session")
    # already sent on or after the day before: the cadence date
    due = next_due(
        rule,
        phase="maintenance",
        enrolled_on=D(2027, 3, 1),
        last_checkin=D(2027, 3, 10),
        next_session=D(2027, 3, 11),
    )
    assert (due.date, due.kind) == (D(2027, 3, 15), "cadence")


def test_a_worked_schedule_with_treatments_resetting_the_clock() -> None:
    # enrolment 1 March, treatments 3 and 20 March: baseline 1 March; the 3 March treatment
    # resets the 14-day clock to 17 March; the next, after the 20 March treatment, 3 April
    rule = get_rule("moodmonitor-14")
    got = schedule(
        rule,
        enrolled_on=D(2027, 3, 1),
        until=D(2027, 4, 30),
        sessions=(D(2027, 3, 3), D(2027, 3, 20)),
    )
    assert [d.date for d in got] == [
        D(2027, 3, 1),
        D(2027, 3, 17),
        D(2027, 4, 3),
        D(2027, 4, 17),
    ]


def test_a_prescriber_can_change_the_interval() -> None:
    rule = with_interval(get_rule("moodmonitor-14"), 10)
    assert rule.status == "clinic-setting"
    assert next_due(rule, enrolled_on=D(2027, 3, 1), last_checkin=D(2027, 3, 1)).date == D(
        2027, 3, 11
    )


def test_bad_values_name_the_field() -> None:
    with pytest.raises(InputError, match="every_days"):
        Step(0)
    with pytest.raises(InputError, match="enrolled_on"):
        next_due(get_rule("moodmonitor-14"), enrolled_on=dt.datetime(2027, 3, 1))  # type: ignore[arg-type]
    with pytest.raises(UnknownIdError):
        get_rule("weekly-forever")


def test_a_chain_whose_last_step_ends_is_refused() -> None:
    from ketacare.core.checkins.cadence import CadenceRule

    with pytest.raises(DefinitionError, match="last step"):
        CadenceRule(
            id="x",
            name="x",
            source="x",
            status="published",
            scales=("phq9",),
            chains={"default": (Step(7, 28),)},
        )
