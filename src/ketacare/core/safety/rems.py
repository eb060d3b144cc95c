"""The Spravato REMS Patient Monitoring Form: the vital-sign answers and the form's due date.

Pure functions on plain values; the web layer reads the records, asks these, and prints the
answers with their notes.

- :func:`rems_vital_answers` chooses "vital signs acceptable before dosing", the BP about 40 min
  after the first device and the BP before monitoring ended, each with a note saying why:

  - *acceptable before dosing* is about the pre-dose blood pressure gate only (the other gates,
    fasting, ride home, REMS enrolment, are not vital signs). ``pass`` -> Yes;
    ``needs_prescriber`` with the prescriber's decision recorded -> Yes, and the note quotes the
    decision (the form's box is yes/no; a prescriber who decided to dose judged the vitals
    acceptable, and the note says so instead of hiding it); ``needs_prescriber`` with no decision
    -> blank for staff; ``block`` -> No; ``warn`` or no BP gate -> blank for staff.
  - *BP about 40 min*: the reading whose time is nearest to first device + 40 min, within
    :data:`BP_40_WINDOW_MIN` minutes either side (ties: the earlier reading).
  - *BP before monitoring ended*: the last reading after the first device and at or before the
    end of monitoring (never one after it), other than the one chosen for 40 min.
- :func:`rems_form_status` says whether a session's form is submitted, due or overdue.
- :func:`check_rems_submission` checks a recorded submission's date and confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.safety._common import check_aware
from ketacare.core.safety.gates import DECISIONS
from ketacare.core.safety.monitoring import ESKETAMINE_BP_SOURCE
from ketacare.core.safety.thresholds import DEFAULT_THRESHOLDS, Thresholds

#: the label's BP timepoint after the first device (minutes)
BP_40_MIN = 40
#: how far from 40 min a reading may be and still answer "BP about 40 min" (minutes, either side)
BP_40_WINDOW_MIN = 10
BP_40_WINDOW_SOURCE = (
    "Spravato label: BP about 40 min after dosing (" + ESKETAMINE_BP_SOURCE + "); the window of "
    f"{BP_40_WINDOW_MIN} min either side is KetaCare's reading of 'about', not a published limit"
)
VITALS_BEFORE_SOURCE = (
    "REMS form 'vital signs acceptable before dosing' answered from the pre-dose blood pressure "
    "gate (ketacare.core.safety.evaluate_gates) and the prescriber's recorded decision"
)
CONFIRMATION_MAX = 100

Reading = tuple[datetime, float | None, float | None]


@dataclass(frozen=True)
class RemsAnswer:
    """One answer of the form: its value (``None``: blank for staff), why, and the source."""

    value: Any
    note: str
    source: str
    taken_at: datetime | None = None

    @property
    def blank(self) -> bool:
        return self.value is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "note": self.note,
            "source": self.source,
            "taken_at": self.taken_at.isoformat() if self.taken_at is not None else None,
        }


def vitals_acceptable_before_dosing(
    bp_gate_decision: str | None, prescriber_decision: str = ""
) -> RemsAnswer:
    """The answer to "vital signs acceptable before dosing" from the pre-dose BP gate."""
    if bp_gate_decision is not None and bp_gate_decision not in DECISIONS:
        raise InputError("bp_gate_decision", bp_gate_decision, "one of " + ", ".join(DECISIONS))
    decision_text = (prescriber_decision or "").strip()
    src = VITALS_BEFORE_SOURCE
    if bp_gate_decision == "pass":
        return RemsAnswer(True, "The pre-dose blood pressure passed the gate.", src)
    if bp_gate_decision == "block":
        return RemsAnswer(False, "The pre-dose blood pressure gate blocked dosing.", src)
    if bp_gate_decision == "needs_prescriber":
        if decision_text:
            return RemsAnswer(
                True,
                "Yes, after the prescriber's decision: the pre-dose blood pressure needed the "
                f"prescriber, who decided: {decision_text}",
                src,
            )
        return RemsAnswer(
            None,
            "The pre-dose blood pressure needed the prescriber and no decision is recorded: "
            "staff to complete.",
            src,
        )
    if bp_gate_decision == "warn":
        return RemsAnswer(
            None, "The pre-dose blood pressure gate asked staff to look: staff to complete.", src
        )
    return RemsAnswer(None, "No pre-dose checklist recorded: staff to complete.", src)


def _bp_readings(readings: Sequence[Reading]) -> list[tuple[datetime, float, float]]:
    out = []
    for i, reading in enumerate(readings):
        if not isinstance(reading, (tuple, list)) or len(reading) != 3:
            raise InputError(f"readings[{i}]", reading, "a (taken_at, systolic, diastolic) triple")
        taken_at, sbp, dbp = reading
        check_aware(f"readings[{i}] taken_at", taken_at)
        if sbp is None or dbp is None:
            continue
        out.append((taken_at, float(sbp), float(dbp)))
    return sorted(out, key=lambda r: r[0])


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


def _show(sbp: float, dbp: float) -> str:
    return f"{sbp:g}/{dbp:g}"


def rems_vital_answers(
    *,
    bp_gate_decision: str | None,
    prescriber_decision: str = "",
    readings: Sequence[Reading] = (),
    first_device_at: datetime | None,
    monitoring_end_at: datetime | None,
) -> dict[str, RemsAnswer]:
    """The form's ``vitals_acceptable_before``, ``bp_40_min`` and ``bp_before_completion``.

    ``readings`` are ``(taken_at, systolic, diastolic)`` of the session's vital-sign rows (rows
    without a BP pair are skipped); times are timezone-aware.
    """
    start = check_aware("first_device_at", first_device_at) if first_device_at else None
    end = check_aware("monitoring_end_at", monitoring_end_at) if monitoring_end_at else None
    if start is not None and end is not None and end < start:
        raise InputError("monitoring_end_at", end.isoformat(), "not before first_device_at")
    bps = _bp_readings(readings)
    answers = {
        "vitals_acceptable_before": vitals_acceptable_before_dosing(
            bp_gate_decision, prescriber_decision
        )
    }
    at_40: tuple[datetime, float, float] | None = None
    if start is None:
        answers["bp_40_min"] = RemsAnswer(
            None, "No first-device time recorded: staff to complete.", BP_40_WINDOW_SOURCE
        )
    else:
        target = start + timedelta(minutes=BP_40_MIN)
        near = [
            r
            for r in bps
            if abs(_minutes(r[0], target)) <= BP_40_WINDOW_MIN and (end is None or r[0] <= end)
        ]
        if near:
            at_40 = min(near, key=lambda r: (abs(_minutes(r[0], target)), r[0]))
            answers["bp_40_min"] = RemsAnswer(
                (at_40[1], at_40[2]),
                f"BP taken {_minutes(at_40[0], start):.0f} min after the first device: the "
                f"reading nearest {BP_40_MIN} min within {BP_40_MIN - BP_40_WINDOW_MIN}-"
                f"{BP_40_MIN + BP_40_WINDOW_MIN} min.",
                BP_40_WINDOW_SOURCE,
                at_40[0],
            )
        else:
            answers["bp_40_min"] = RemsAnswer(
                None,
                f"No BP recorded {BP_40_MIN - BP_40_WINDOW_MIN}-{BP_40_MIN + BP_40_WINDOW_MIN} "
                "min after the first device: staff to complete.",
                BP_40_WINDOW_SOURCE,
            )
    if start is None or end is None:
        missing = "first-device" if start is None else "end-of-monitoring"
        answers["bp_before_completion"] = RemsAnswer(
            None, f"No {missing} time recorded: staff to complete.", ESKETAMINE_BP_SOURCE
        )
    else:
        before_end = [r for r in bps if start < r[0] <= end and r is not at_40]
        if before_end:
            last = before_end[-1]
            answers["bp_before_completion"] = RemsAnswer(
                (last[1], last[2]),
                f"The last BP at or before the end of monitoring, taken "
                f"{_minutes(end, last[0]):.0f} min before it.",
                ESKETAMINE_BP_SOURCE,
                last[0],
            )
        else:
            after = [r for r in bps if r[0] > end]
            tail = (
                f" ({len(after)} reading(s) after the end of monitoring not used)" if after else ""
            )
            answers["bp_before_completion"] = RemsAnswer(
                None,
                "No BP recorded after the dose and before the end of monitoring other than the "
                f"40-minute one{tail}: staff to complete.",
                ESKETAMINE_BP_SOURCE,
            )
    return answers


# --- due date ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemsFormStatus:
    status: str  # "submitted", "due" or "overdue"
    due_date: date
    days_overdue: int
    late: bool  # submitted after the due date
    reason: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "due_date": self.due_date.isoformat(),
            "days_overdue": self.days_overdue,
            "late": self.late,
            "reason": self.reason,
            "source": self.source,
        }


def _check_date(name: str, value: Any, *, optional: bool = False) -> date | None:
    if value is None and optional:
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InputError(name, value, "a date, e.g. 2026-11-30")
    return value


def rems_form_status(
    treatment_date: date,
    submitted_on: date | None,
    today: date,
    *,
    thresholds: Thresholds | None = None,
) -> RemsFormStatus:
    """Whether the session's REMS form is ``submitted``, ``due`` (by treatment date +
    ``rems_form_due_days`` calendar days, inclusive) or ``overdue`` (after that day)."""
    treated = _check_date("treatment_date", treatment_date)
    submitted = _check_date("submitted_on", submitted_on, optional=True)
    now = _check_date("today", today)
    assert treated is not None and now is not None
    t = thresholds if thresholds is not None else DEFAULT_THRESHOLDS
    due = treated + timedelta(days=t.rems_form_due_days)
    source = t.source_of("rems_form_due_days")
    if submitted is not None:
        late = submitted > due
        reason = f"Submitted on {submitted.isoformat()}" + (
            f", {(submitted - due).days} day(s) after the due date {due.isoformat()}."
            if late
            else f" (due by {due.isoformat()})."
        )
        return RemsFormStatus("submitted", due, 0, late, reason, source)
    if now > due:
        days = (now - due).days
        return RemsFormStatus(
            "overdue",
            due,
            days,
            False,
            f"Not submitted; due by {due.isoformat()}, {days} day(s) overdue.",
            source,
        )
    return RemsFormStatus(
        "due",
        due,
        0,
        False,
        f"Not submitted; due by {due.isoformat()} ({(due - now).days} day(s) left).",
        source,
    )


def check_rems_submission(
    treatment_date: date, submitted_on: date, today: date, confirmation: str
) -> tuple[date, str]:
    """A recorded submission's date (not before the session, not in the future) and its
    confirmation text (the REMS portal's confirmation, 1-100 characters), checked."""
    treated = _check_date("treatment_date", treatment_date)
    submitted = _check_date("submitted_on", submitted_on)
    now = _check_date("today", today)
    assert treated is not None and submitted is not None and now is not None
    if submitted < treated:
        raise InputError(
            "submitted_on", submitted.isoformat(), f"on or after the session ({treated})"
        )
    if submitted > now:
        raise InputError("submitted_on", submitted.isoformat(), f"today ({now}) or earlier")
    if not isinstance(confirmation, str) or not confirmation.strip():
        raise InputError(
            "confirmation", confirmation, "the REMS portal's confirmation (e.g. its number)"
        )
    text = confirmation.strip()
    if len(text) > CONFIRMATION_MAX:
        raise InputError("confirmation", text, f"at most {CONFIRMATION_MAX} characters")
    return submitted, text


__all__ = [
    "BP_40_MIN",
    "BP_40_WINDOW_MIN",
    "RemsAnswer",
    "RemsFormStatus",
    "check_rems_submission",
    "rems_form_status",
    "rems_vital_answers",
    "vitals_acceptable_before_dosing",
]
