"""Schedule generator: phases, doses and windows per source; closures; missed-session rule."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.core.errors import InputError, UnknownIdError
from ketacare.core.protocols import list_protocols, missed_session_advice, plan_schedule

MONDAY = date(2026, 1, 5)
NO_CLOSURES: tuple[int, ...] = ()


def _days(sessions: list) -> list[int]:  # type: ignore[type-arg]
    return [(s.date - sessions[0].date).days for s in sessions]


def test_iv_racemic_induction_is_six_infusions_three_a_week_over_12_days() -> None:
    # Murrough 2013: "Up to 6 infusions, 3x/week over 12 days"; community practice: "6 infusions
    # over 2-3 weeks (2-3x/week)".
    plan = [s for s in plan_schedule("iv-racemic", MONDAY) if s.phase == "induction"]
    assert len(plan) == 6
    assert _days(plan) == [0, 2, 4, 7, 9, 11]
    assert all(s.dose_mg_per_kg == pytest.approx(0.5, abs=1e-9) for s in plan)


def test_iv_racemic_boosters_are_four_to_six_weeks_apart() -> None:
    # Clinic practice: "Single 'booster' infusions as needed; mean interval 4-6 weeks".
    plan = plan_schedule("iv-racemic", MONDAY)
    last_induction = [s for s in plan if s.phase == "induction"][-1]
    boosters = [s for s in plan if s.phase == "maintenance"]
    assert boosters
    assert (boosters[0].date - last_induction.date).days == 28  # 4 weeks, tolerance 0 days
    for booster in boosters:
        assert (booster.window_end - booster.window_start).days == 14  # 4 to 6 weeks
        assert "as needed" in booster.note


def test_iv_racemic_doses_in_mg_need_the_weight() -> None:
    with_weight = plan_schedule("iv-racemic", MONDAY, weight_kg=80)
    assert with_weight[0].dose_mg == pytest.approx(40.0, abs=0.01)  # 0.5 mg/kg x 80 kg
    assert plan_schedule("iv-racemic", MONDAY)[0].dose_mg is None


def test_esketamine_follows_the_label_phases() -> None:
    # Label: "Induction phase Wk 1-4: Starting day 1 dose: 56 mg. Subsequent doses: 56 mg or
    # 84 mg twice a wk. Maintenance phase Wk 5-8: 56 mg or 84 mg once wkly. From wk 9: 56 mg or
    # 84 mg every 2 wk or once wkly."
    plan = plan_schedule("esketamine-trd", MONDAY, closed_weekdays=NO_CLOSURES)
    phases = [s.phase for s in plan]
    assert phases.count("induction") == 8  # twice weekly x 4 weeks
    assert phases.count("maintenance-weekly") == 4  # weekly, weeks 5-8
    induction = [s for s in plan if s.phase == "induction"]
    assert all((s.date - MONDAY).days < 28 for s in induction)  # weeks 1-4
    weekly = [s for s in plan if s.phase == "maintenance-weekly"]
    assert _days([induction[0], *weekly])[1:] == [28, 35, 42, 49]  # weeks 5-8
    later = [s for s in plan if s.phase == "maintenance-every-2-weeks"]
    assert (later[0].date - MONDAY).days == 56  # week 9 starts on day 57 = offset 56
    assert [(b.date - a.date).days for a, b in itertools.pairwise(later)] == [14] * (len(later) - 1)
    assert plan[0].dose_mg == pytest.approx(56, abs=1e-9)
    assert "day 1 dose 56 mg" in plan[0].note
    assert all(s.dose_mg in (56, 84) for s in plan)


def test_esketamine_open_ended_maintenance_extends_on_request() -> None:
    plan = plan_schedule("esketamine-trd", MONDAY, sessions=30)
    assert len(plan) == 30
    assert plan[-1].phase == "maintenance-every-2-weeks"


def test_in_racemic_never_has_more_than_four_doses_in_seven_days() -> None:
    # Peters 2023: "up to four doses ... Treatment courses lasted up to 7 days."
    plan = plan_schedule("in-racemic", MONDAY, closed_weekdays=NO_CLOSURES)
    assert len(plan) == 4
    assert (plan[-1].date - plan[0].date).days <= 6
    assert all(s.dose_mg == pytest.approx(50, abs=1e-9) for s in plan)


@pytest.mark.parametrize("start_offset", range(7))
def test_in_racemic_fits_its_seven_days_with_weekends_closed(start_offset: int) -> None:
    # Peters 2023 abstract: "up to four doses ... Treatment courses lasted up to 7 days."
    # With the default closures (Saturday, Sunday) a Monday start once put dose 4 on day 7.
    plan = plan_schedule("in-racemic", MONDAY + timedelta(days=start_offset))
    assert len(plan) == 4
    assert (plan[-1].date - plan[0].date).days <= 6  # days 0..6 = 7 days, exact
    assert all(s.date.weekday() < 5 for s in plan)
    assert not any("beyond" in s.note for s in plan)


def test_in_racemic_fits_its_seven_days_around_a_holiday() -> None:
    # Monday start, weekends closed, Wednesday closed: Mon, Tue, Thu, Fri (4 doses, days 0-4).
    plan = plan_schedule("in-racemic", MONDAY, closed_dates=[MONDAY + timedelta(days=2)])
    assert _days(plan) == [0, 1, 3, 4]


def test_kads_is_twice_weekly_for_four_weeks() -> None:
    # KADS: "Participants received twice-weekly subcutaneous racemic ketamine ... for 4 weeks."
    plan = plan_schedule("sc-kads", MONDAY)
    assert len(plan) == 8
    assert (plan[-1].date - plan[0].date).days < 28
    for week in range(4):
        in_week = [s for s in plan if (s.date - MONDAY).days // 7 == week]
        assert len(in_week) == 2


def test_oktos_is_weekly_for_six_weeks_from_0_5_mg_per_kg() -> None:
    # OKTOS: "weekly supervised oral ketamine ... over six weeks"; "commenced with 0.5 mg/kg".
    plan = plan_schedule("oral-oktos", MONDAY, weight_kg=70)
    assert _days(plan) == [0, 7, 14, 21, 28, 35]
    assert plan[0].dose_mg == pytest.approx(35.0, abs=0.01)


def test_feder_ptsd_is_six_infusions_over_two_weeks() -> None:
    # Feder 2021: "six infusions of ketamine (0.5 mg/kg) ... over 2 consecutive weeks".
    plan = plan_schedule("iv-ptsd", MONDAY)
    assert len(plan) == 6
    assert (plan[-1].date - plan[0].date).days < 14


def test_sublingual_is_every_two_to_three_days() -> None:
    # Lara 2013: "10 mg ... every 2-3 days or weekly".
    plan = plan_schedule("sl-racemic", MONDAY)
    gaps = {(b.date - a.date).days for a, b in itertools.pairwise(plan)}
    assert gaps <= {2, 3}
    assert all(s.dose_mg == pytest.approx(10, abs=1e-9) for s in plan)


def test_a_start_on_a_weekend_moves_to_monday() -> None:
    plan = plan_schedule("iv-racemic", date(2026, 1, 3))  # a Saturday
    assert plan[0].date == MONDAY


def test_a_closed_date_moves_the_session_and_says_so_when_outside_its_window() -> None:
    christmas = date(2026, 12, 25)  # a Friday
    plan = plan_schedule("iv-racemic", date(2026, 12, 21), closed_dates=[christmas])
    assert christmas not in [s.date for s in plan]
    third = plan[2]
    assert third.date == date(2026, 12, 28)
    assert "outside its window" in third.note


def test_sessions_cuts_a_fixed_course_and_refuses_more_than_it_has() -> None:
    assert len(plan_schedule("iv-ptsd", MONDAY, sessions=3)) == 3
    with pytest.raises(InputError) as exc:
        plan_schedule("iv-ptsd", MONDAY, sessions=7)
    assert exc.value.field == "sessions"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"closed_weekdays": (7,)}, "closed_weekdays"),
        ({"closed_weekdays": tuple(range(7))}, "closed_weekdays"),
        ({"closed_dates": ["2026-01-06"]}, "closed_dates"),
        ({"weight_kg": 0}, "weight_kg"),
        ({"sessions": 0}, "sessions"),
    ],
)
def test_bad_schedule_input_is_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as exc:
        plan_schedule("iv-racemic", MONDAY, **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field


def test_closures_that_leave_no_open_day_are_refused() -> None:
    closed = [MONDAY + timedelta(days=i) for i in range(90)]
    with pytest.raises(InputError, match="open day"):
        plan_schedule("iv-racemic", MONDAY, closed_dates=closed)


def test_planned_session_to_dict_is_json_ready() -> None:
    data = plan_schedule("esketamine-trd", MONDAY)[0].to_dict()
    assert data["date"] == "2026-01-05"
    assert data["phase"] == "induction"
    assert data["dose_mg"] == 56


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([p.id for p in list_protocols()]),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    st.sets(st.integers(min_value=0, max_value=6), max_size=5),
    st.lists(st.integers(min_value=0, max_value=120), max_size=15),
)
def test_schedule_dates_are_never_on_closed_days_and_strictly_increase(
    protocol_id: str, start: date, weekdays: set[int], closed_offsets: list[int]
) -> None:
    closed = {start + timedelta(days=d) for d in closed_offsets}
    plan = plan_schedule(
        protocol_id, start, closed_weekdays=tuple(weekdays), closed_dates=tuple(closed)
    )
    assert plan
    for session in plan:
        assert session.date >= start
        assert session.date.weekday() not in weekdays
        assert session.date not in closed
    assert all(a.date < b.date for a, b in itertools.pairwise(plan))
    assert [s.index for s in plan] == list(range(1, len(plan) + 1))


@settings(max_examples=40, deadline=None)
@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    st.sets(st.integers(min_value=0, max_value=6), max_size=5),
)
def test_in_racemic_four_in_seven_days_holds_under_any_closures(
    start: date, weekdays: set[int]
) -> None:
    plan = plan_schedule("in-racemic", start, closed_weekdays=tuple(weekdays))
    for s in plan:
        assert sum(1 for t in plan if 0 <= (s.date - t.date).days < 7) <= 4
    if len(weekdays) <= 3:  # at least 4 open days in any 7: the course fits its 7 days
        assert (plan[-1].date - plan[0].date).days <= 6


# Missed sessions: SPRAVATO label, as quoted by the manufacturer's medical information page:
# "If a patient misses treatment session(s) during the first 4 weeks of treatment, the patient
# should continue the current dosing schedule. For patients who miss treatment session(s) during
# maintenance treatment and have worsening of depression symptoms, per clinical judgement,
# consider returning to the previous dosing schedule (e.g., if doses missed during weekly dosing,
# revert to twice weekly dosing)."


@pytest.mark.parametrize("worsened", [True, False, None])
def test_missed_induction_session_continues_the_schedule(worsened: bool | None) -> None:
    advice = missed_session_advice("esketamine-trd", phase="induction", worsened=worsened)
    assert advice.action == "continue_schedule"


def test_missed_weekly_session_with_worsening_goes_back_to_twice_weekly() -> None:
    advice = missed_session_advice("esketamine-trd", phase="maintenance-weekly", worsened=True)
    assert advice.action == "consider_previous_schedule"
    assert advice.to_phase == "induction"


def test_missed_every_2_weeks_session_with_worsening_goes_back_to_weekly() -> None:
    advice = missed_session_advice(
        "esketamine-trd", phase="maintenance-every-2-weeks", worsened=True
    )
    assert advice.to_phase == "maintenance-weekly"


def test_missed_maintenance_session_without_worsening_keeps_the_schedule() -> None:
    advice = missed_session_advice("esketamine-trd", phase="maintenance-weekly", worsened=False)
    assert advice.action == "continue_schedule"


def test_missed_maintenance_session_asks_for_worsening_when_unknown() -> None:
    advice = missed_session_advice("esketamine-trd", phase="maintenance-weekly")
    assert advice.action == "assess_worsening"


def test_protocols_without_a_published_rule_leave_it_to_clinical_judgement() -> None:
    advice = missed_session_advice("iv-racemic", phase="induction", worsened=True)
    assert advice.action == "clinical_judgement"


def test_missed_session_rejects_an_unknown_phase() -> None:
    with pytest.raises(UnknownIdError) as exc:
        missed_session_advice("esketamine-trd", phase="week-9")
    assert exc.value.field == "phase"
