"""The REMS form's vital-sign answers and its due date (core.safety.rems): no database."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.core.errors import InputError
from ketacare.core.safety import (
    DEFAULT_THRESHOLDS,
    check_rems_submission,
    rems_form_status,
    rems_vital_answers,
    vitals_acceptable_before_dosing,
)
from ketacare.core.safety.rems import BP_40_WINDOW_MIN

FIRST = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
END = FIRST + dt.timedelta(minutes=125)


def at(minutes: float) -> dt.datetime:
    return FIRST + dt.timedelta(minutes=minutes)


def answers(readings: list[tuple[dt.datetime, float | None, float | None]], **kw: object) -> dict:
    values: dict = {
        "bp_gate_decision": "pass",
        "prescriber_decision": "",
        "readings": readings,
        "first_device_at": FIRST,
        "monitoring_end_at": END,
    }
    values.update(kw)
    return rems_vital_answers(**values)


# --- vitals acceptable before dosing --------------------------------------------------------


def test_vitals_are_acceptable_only_when_the_bp_gate_passed_outright() -> None:
    assert vitals_acceptable_before_dosing("pass").value is True


def test_a_bp_that_needed_the_prescriber_is_not_a_plain_yes() -> None:
    # the old page printed "Yes" whenever the overall gate was pass/warn or any note existed
    undecided = vitals_acceptable_before_dosing("needs_prescriber", "")
    assert undecided.value is None and "staff to complete" in undecided.note
    decided = vitals_acceptable_before_dosing("needs_prescriber", "BP rechecked 138/88, dose")
    assert decided.value is True
    assert decided.note.startswith("Yes, after the prescriber's decision")
    assert "BP rechecked 138/88, dose" in decided.note


def test_a_blocking_bp_gate_answers_no() -> None:
    assert vitals_acceptable_before_dosing("block").value is False


def test_no_checklist_or_a_warning_leaves_the_answer_for_staff() -> None:
    assert vitals_acceptable_before_dosing(None).value is None
    assert vitals_acceptable_before_dosing("warn").value is None


def test_an_unknown_gate_decision_is_refused() -> None:
    with pytest.raises(InputError):
        vitals_acceptable_before_dosing("fine")


# --- BP about 40 min ------------------------------------------------------------------------


def test_bp_40_is_the_reading_nearest_40_minutes() -> None:
    got = answers([(at(20), 150, 95), (at(37), 144, 90), (at(44), 140, 88)])["bp_40_min"]
    assert got.value == (144, 90) and got.taken_at == at(37)


def test_bp_40_ties_go_to_the_earlier_reading() -> None:
    got = answers([(at(35), 144, 90), (at(45), 140, 88)])["bp_40_min"]
    assert got.value == (144, 90)


def test_bp_40_outside_the_window_is_left_blank() -> None:
    got = answers([(at(40 - BP_40_WINDOW_MIN - 1), 144, 90), (at(60), 130, 80)])["bp_40_min"]
    assert got.value is None and "30-50 min" in got.note


def test_rows_without_a_bp_pair_are_skipped() -> None:
    got = answers([(at(40), None, None), (at(42), 132, 84)])["bp_40_min"]
    assert got.value == (132, 84)


# --- BP before monitoring ended -------------------------------------------------------------


def test_bp_before_completion_is_never_a_reading_after_the_end_of_monitoring() -> None:
    # the old page took the last row whatever its time: here the 130-min reading
    readings = [(at(-5), 128, 82), (at(40), 150, 90), (at(110), 136, 84), (at(130), 170, 100)]
    got = answers(readings)["bp_before_completion"]
    assert got.value == (136, 84) and got.taken_at == at(110)


def test_bp_before_completion_may_be_taken_at_the_end_itself() -> None:
    got = answers([(at(40), 150, 90), (END, 132, 80)])["bp_before_completion"]
    assert got.value == (132, 80)


def test_bp_before_completion_is_not_the_40_minute_or_a_pre_dose_reading() -> None:
    got = answers([(at(-5), 128, 82), (at(40), 150, 90), (at(140), 130, 80)])
    assert got["bp_before_completion"].value is None
    assert "1 reading(s) after the end of monitoring not used" in got["bp_before_completion"].note


def test_bp_before_completion_needs_the_end_of_monitoring() -> None:
    got = answers([(at(40), 150, 90), (at(110), 130, 80)], monitoring_end_at=None)
    assert got["bp_before_completion"].value is None
    assert "end-of-monitoring" in got["bp_before_completion"].note


def test_times_must_be_timezone_aware_and_in_order() -> None:
    with pytest.raises(InputError):
        answers([(dt.datetime(2026, 1, 5, 9, 40), 140, 90)])
    with pytest.raises(InputError):
        answers([], monitoring_end_at=at(-1))


# --- due / overdue --------------------------------------------------------------------------

TREATED = dt.date(2026, 1, 5)


def test_the_form_is_due_through_the_seventh_calendar_day() -> None:
    # thresholds.toml [rems_form_due_days]: "submit within 7 days; calendar days"
    assert DEFAULT_THRESHOLDS.rems_form_due_days == 7
    status = rems_form_status(TREATED, None, dt.date(2026, 1, 12))
    assert status.status == "due" and status.due_date == dt.date(2026, 1, 12)
    assert "rems-filing-deadline" in status.source


def test_the_form_is_overdue_from_the_eighth_day() -> None:
    status = rems_form_status(TREATED, None, dt.date(2026, 1, 14))
    assert status.status == "overdue" and status.days_overdue == 2


def test_a_submitted_form_is_submitted_even_if_late() -> None:
    on_time = rems_form_status(TREATED, dt.date(2026, 1, 6), dt.date(2026, 3, 1))
    assert on_time.status == "submitted" and not on_time.late
    late = rems_form_status(TREATED, dt.date(2026, 1, 20), dt.date(2026, 3, 1))
    assert late.status == "submitted" and late.late


def test_a_clinic_setting_moves_the_due_date() -> None:
    t = DEFAULT_THRESHOLDS.with_overrides({"rems_form_due_days": 3})
    status = rems_form_status(TREATED, None, dt.date(2026, 1, 9), thresholds=t)
    assert status.status == "overdue" and status.source.startswith("clinic setting")


def test_a_submission_date_must_lie_between_the_session_and_today() -> None:
    today = dt.date(2026, 1, 10)
    assert check_rems_submission(TREATED, dt.date(2026, 1, 6), today, " R-1234 ") == (
        dt.date(2026, 1, 6),
        "R-1234",
    )
    with pytest.raises(InputError, match="on or after the session"):
        check_rems_submission(TREATED, dt.date(2026, 1, 4), today, "R-1")
    with pytest.raises(InputError, match="or earlier"):
        check_rems_submission(TREATED, dt.date(2026, 1, 11), today, "R-1")
    with pytest.raises(InputError):
        check_rems_submission(TREATED, dt.date(2026, 1, 6), today, "   ")
