"""Schedule generator and the missed-session rule.

From a start date, each phase of a protocol is laid out as ``periods`` blocks of
``period_days``; inside a block the ``sessions_per_period`` sessions are spread evenly from the
block's first day (3 a week from a Monday: Monday, Wednesday, Friday). A session that falls on a
closed weekday or a closed date moves to the next open day; dates are strictly increasing and a
protocol's "at most N sessions in D days" limit (Peters 2023: 4 in 7) is respected by moving a
session later. In a phase with ``keep_within_span`` and ``max_span_days`` (the course length its
source describes), a phase that closures would push past the course is laid out again on
consecutive open days. A session that ends up outside its planned window
or the course keeps a note saying so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.protocols.definitions import Phase, Protocol, get_protocol
from ketacare.core.protocols.dosing import check_weight

#: How far past its target a session may be pushed before the plan is refused.
MAX_SHIFT_DAYS = 60
#: Upper bound on the number of sessions one call may plan.
MAX_SESSIONS = 200


@dataclass(frozen=True)
class PlannedSession:
    index: int
    date: Date
    phase: str
    step: int
    dose_mg_per_kg: float | None
    dose_mg: float | None
    window_start: Date
    window_end: Date
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "date": self.date.isoformat(),
            "weekday": self.date.strftime("%A"),
            "phase": self.phase,
            "step": self.step,
            "dose_mg_per_kg": self.dose_mg_per_kg,
            "dose_mg": self.dose_mg,
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "note": self.note,
        }


#: the start dates a course may have (an input bound, not a clinical rule: a plan from 9999-12-31
#: would run past the last date the calendar has)
START_RANGE = (Date(2000, 1, 1), Date(2100, 12, 31))


def _check_closed(
    closed_weekdays: Iterable[int], closed_dates: Iterable[Date]
) -> tuple[frozenset[int], frozenset[Date]]:
    weekdays: set[int] = set()
    for day in closed_weekdays:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise InputError("closed_weekdays", day, "weekday numbers 0 (Monday) to 6 (Sunday)")
        weekdays.add(day)
    if len(weekdays) == 7:
        raise InputError("closed_weekdays", sorted(weekdays), "at least one open weekday")
    dates: set[Date] = set()
    for closed_day in closed_dates:
        if not isinstance(closed_day, Date):
            raise InputError("closed_dates", closed_day, "calendar dates (YYYY-MM-DD)")
        dates.add(closed_day)
    return frozenset(weekdays), frozenset(dates)


def _phase_plan(protocol: Protocol, sessions: int | None) -> list[tuple[Phase, int]]:
    """(phase, number of periods) for each phase, cut or extended to ``sessions``."""
    full = sum(p.sessions for p in protocol.phases)
    last = protocol.phases[-1]
    if sessions is None:
        return [(p, p.periods) for p in protocol.phases]
    if isinstance(sessions, bool) or not isinstance(sessions, int) or sessions < 1:
        raise InputError("sessions", sessions, "a whole number of sessions, 1 or more")
    limit = MAX_SESSIONS if last.open_ended else full
    if sessions > limit:
        raise InputError(
            "sessions",
            sessions,
            f"at most {limit} sessions for {protocol.id}"
            + ("" if last.open_ended else " (the protocol is a fixed course)"),
        )
    plan = [(p, p.periods) for p in protocol.phases]
    if sessions > full:
        extra = sessions - full
        extra_periods = -(-extra // last.sessions_per_period)
        plan[-1] = (last, last.periods + extra_periods)
    return plan


def plan_schedule(
    protocol_id: str,
    start: Date,
    *,
    closed_weekdays: Iterable[int] = (5, 6),
    closed_dates: Iterable[Date] = (),
    weight_kg: float | None = None,
    sessions: int | None = None,
) -> list[PlannedSession]:
    """Plan the sessions of ``protocol_id`` from ``start``.

    Each session has its phase, step and planned dose (the phase's step of the dose ladder; in
    mg when ``weight_kg`` is given or the protocol is dosed in mg), the window it should fall in
    and a note. ``sessions`` cuts the plan short or, for an open-ended protocol, extends its last
    phase. Closed weekdays (0 = Monday) and closed dates are never used.
    """
    protocol = get_protocol(protocol_id)
    if not isinstance(start, Date):
        raise InputError("start", start, "a calendar date (YYYY-MM-DD)")
    low, high = START_RANGE
    if not low <= start <= high:
        raise InputError("start", start.isoformat(), f"a start date from {low} to {high}")
    weekdays, dates = _check_closed(closed_weekdays, closed_dates)
    weight = None if weight_kg is None else check_weight(weight_kg)
    plan = _phase_plan(protocol, sessions)

    def is_open(day: Date) -> bool:
        return day.weekday() not in weekdays and day not in dates

    def next_open(day: Date, limit_from: Date) -> Date:
        while not is_open(day):
            day += timedelta(days=1)
            if (day - limit_from).days > MAX_SHIFT_DAYS:
                raise InputError(
                    "closed_dates",
                    sorted(d.isoformat() for d in dates),
                    f"closures that leave an open day within {MAX_SHIFT_DAYS} days",
                )
        return day

    anchor = next_open(start, start)
    window_rule = protocol.max_sessions_in_days
    result: list[PlannedSession] = []

    def place(day: Date, target: Date) -> Date:
        """The first open day on or after ``day``, after the previous session, within limits."""
        if result and day <= result[-1].date:
            day = result[-1].date + timedelta(days=1)
        day = next_open(day, target)
        if window_rule is not None:
            n, span = window_rule
            while sum(1 for s in result if (day - s.date).days < span) >= n:
                day = next_open(day + timedelta(days=1), target)
        return day

    wanted = sessions if sessions is not None else sum(p.sessions for p, _ in plan)

    def lay_out(phase: Phase, periods: int, phase_start: Date, pack: bool) -> None:
        """Append the phase's sessions: spread over each period, or ``pack``ed day after day."""
        for period in range(periods):
            period_start = phase_start + timedelta(days=period * phase.period_days)
            for j in range(phase.sessions_per_period):
                if len(result) >= wanted:
                    return
                offset = (j * phase.period_days) // phase.sessions_per_period
                target = period_start + timedelta(days=offset)
                if phase.window_after_target_days is not None:
                    w_start = target
                    w_end = target + timedelta(days=phase.window_after_target_days)
                else:
                    w_start = period_start
                    w_end = period_start + timedelta(days=phase.period_days - 1)
                day = place(phase_start if pack else target, target)
                result.append(
                    _session(
                        protocol, phase, len(result) + 1, day, w_start, w_end, weight, phase_start
                    )
                )

    phase_start = anchor
    for phase, periods in plan:
        phase_start += timedelta(days=phase.start_offset_days)
        first = len(result)
        lay_out(phase, periods, phase_start, pack=False)
        if phase.keep_within_span and phase.max_span_days is not None:
            # A course its source bounds in days (Peters 2023: up to 7 days): when closures push
            # a session past the bound, the phase is laid out again on consecutive open days.
            limit = phase_start + timedelta(days=phase.max_span_days)
            if any(s.date >= limit for s in result[first:]):
                del result[first:]
                lay_out(phase, periods, phase_start, pack=True)
        if len(result) >= wanted:
            return result
        phase_start += timedelta(days=periods * phase.period_days)
    return result


def _session(
    protocol: Protocol,
    phase: Phase,
    index: int,
    day: Date,
    w_start: Date,
    w_end: Date,
    weight: float | None,
    span_from: Date,
) -> PlannedSession:
    notes = [phase.note] if phase.note else []
    base = protocol.steps[phase.step]
    step = phase.step
    if index == 1 and protocol.first_dose_mg is not None:
        base = protocol.first_dose_mg
        step = protocol.steps.index(base) if base in protocol.steps else step
        notes.insert(0, f"day 1 dose {base:g} mg")
    if protocol.weight_based:
        per_kg: float | None = base
        mg = None if weight is None else round(base * weight, 2)
    else:
        mg = base
        per_kg = None if weight is None else round(base / weight, 4)
    if not w_start <= day <= w_end:
        notes.append(
            f"moved by closures outside its window {w_start.isoformat()} to {w_end.isoformat()}"
        )
    if phase.max_span_days is not None and (day - span_from).days >= phase.max_span_days:
        notes.append(f"beyond the {phase.max_span_days}-day course the source describes")
    return PlannedSession(
        index=index,
        date=day,
        phase=phase.id,
        step=step,
        dose_mg_per_kg=per_kg,
        dose_mg=mg,
        window_start=w_start,
        window_end=w_end,
        note="; ".join(notes),
    )


@dataclass(frozen=True)
class Advice:
    protocol: str
    phase: str
    worsened: bool | None
    action: str
    to_phase: str | None
    reason: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "phase": self.phase,
            "worsened": self.worsened,
            "action": self.action,
            "to_phase": self.to_phase,
            "reason": self.reason,
            "source": self.source,
        }


def missed_session_advice(protocol_id: str, *, phase: str, worsened: bool | None = None) -> Advice:
    """What to do after a missed session in ``phase`` (the esketamine label's rule).

    ``worsened`` says whether depression has worsened since; ``None`` means not yet assessed,
    which the advice asks for when the rule depends on it. Protocols whose source gives no rule
    return ``clinical_judgement``.
    """
    protocol = get_protocol(protocol_id)
    protocol.phase(phase)  # raises UnknownIdError for an unknown phase
    if worsened is not None and not isinstance(worsened, bool):
        raise InputError("worsened", worsened, "true, false or not given")
    rules = [r for r in protocol.missed_session if r.phase == phase]
    if not rules:
        return Advice(
            protocol.id,
            phase,
            worsened,
            "clinical_judgement",
            None,
            f"{protocol.source} gives no rule for missed sessions; decide clinically.",
            protocol.source,
        )
    key = None if worsened is None else ("yes" if worsened else "no")
    for rule in rules:
        if rule.worsened == "any" or rule.worsened == key:
            return Advice(
                protocol.id,
                phase,
                worsened,
                rule.action,
                rule.to_phase,
                rule.reason,
                protocol.source,
            )
    return Advice(
        protocol.id,
        phase,
        worsened,
        "assess_worsening",
        None,
        "The rule depends on whether depression has worsened since the missed session: "
        "assess it first. " + " ".join(r.reason for r in rules),
        protocol.source,
    )


def phase_ids(protocol_id: str) -> Sequence[str]:
    return [p.id for p in get_protocol(protocol_id).phases]
