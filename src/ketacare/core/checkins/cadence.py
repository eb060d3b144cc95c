"""Cadence rules (data files with their sources) and the due date of the next self-report check-in.

A rule is a chain of steps per course phase ("every 7 days for 28 days, then every 14 days"),
anchored at the enrolment date or, when the rule says each treatment resets the clock, at the last
recorded treatment (MoodMonitor). A rule may also ask for a pre-session check-in N days before each
planned session. The first check-in is due on the day of enrolment (MoodMonitor: a baseline PHQ-9
at sign-up). Everything here works on plain dates; the web layer stores the inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from ketacare.core.datafiles import iter_data_files
from ketacare.core.errors import DefinitionError, InputError, UnknownIdError

STATUSES = ("published", "clinic-setting")
MAX_DAYS = 366


@dataclass(frozen=True)
class Step:
    """Every ``every_days`` days, for ``for_days`` days (None: for ever; only the last step)."""

    every_days: int
    for_days: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.every_days, int) or not 1 <= self.every_days <= MAX_DAYS:
            raise InputError("every_days", self.every_days, f"a whole number of days 1-{MAX_DAYS}")
        if self.for_days is not None and (
            not isinstance(self.for_days, int) or not self.every_days <= self.for_days <= 3660
        ):
            raise InputError(
                "for_days", self.for_days, f"a whole number of days from {self.every_days} to 3660"
            )

    def to_dict(self) -> dict[str, Any]:
        return {"every_days": self.every_days, "for_days": self.for_days}


@dataclass(frozen=True)
class CadenceRule:
    id: str
    name: str
    source: str
    status: str
    scales: tuple[str, ...]
    chains: dict[str, tuple[Step, ...]] = field(hash=False)
    reset_on_treatment: bool = False
    pre_session_days: int = 0

    def __post_init__(self) -> None:
        where = f"cadence rule {self.id!r}"
        if not self.id or not self.name or not self.source:
            raise DefinitionError(where, "id, name and source are required")
        if self.status not in STATUSES:
            raise DefinitionError(where, f"status must be one of {', '.join(STATUSES)}")
        if not self.scales:
            raise DefinitionError(where, "scales: at least one scale id")
        if "default" not in self.chains:
            raise DefinitionError(where, "chains: a 'default' chain is required")
        for phase, steps in self.chains.items():
            if not steps:
                raise DefinitionError(where, f"chain {phase!r} has no steps")
            for i, step in enumerate(steps):
                last = i == len(steps) - 1
                if last and step.for_days is not None:
                    raise DefinitionError(where, f"chain {phase!r}: the last step runs for ever")
                if not last and step.for_days is None:
                    raise DefinitionError(where, f"chain {phase!r}: step {i + 1} needs for_days")
        if not isinstance(self.pre_session_days, int) or not 0 <= self.pre_session_days <= 14:
            raise DefinitionError(where, "pre_session_days must be a whole number 0-14")

    def chain(self, phase: str | None) -> tuple[Step, ...]:
        """The chain for a course phase; the default one for any phase the rule does not name."""
        return self.chains.get(phase or "default", self.chains["default"])

    def describe(self, phase: str | None = None) -> str:
        parts = []
        for step in self.chain(phase):
            every = "every day" if step.every_days == 1 else f"every {step.every_days} days"
            parts.append(every + (f" for {step.for_days} days" if step.for_days else ""))
        text = ", then ".join(parts)
        if self.reset_on_treatment:
            text += "; each treatment resets the clock"
        if self.pre_session_days:
            days = "day" if self.pre_session_days == 1 else f"{self.pre_session_days} days"
            text += f"; and the {days} before each session"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "status": self.status,
            "scales": list(self.scales),
            "chains": {k: [s.to_dict() for s in v] for k, v in self.chains.items()},
            "reset_on_treatment": self.reset_on_treatment,
            "pre_session_days": self.pre_session_days,
        }


@dataclass(frozen=True)
class Due:
    """When the next check-in is due, why, and on which rule (with its source)."""

    date: dt.date
    kind: str  # "baseline" | "cadence" | "pre-session"
    reason: str
    rule: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "reason": self.reason,
            "rule": self.rule,
            "source": self.source,
        }


def _parse_rule(name: str, data: dict[str, Any]) -> CadenceRule:
    try:
        chains = {
            str(phase): tuple(Step(int(s["every_days"]), s.get("for_days")) for s in steps)
            for phase, steps in dict(data.get("chains", {})).items()
        }
        return CadenceRule(
            id=str(data["id"]),
            name=str(data["name"]),
            source=str(data["source"]),
            status=str(data.get("status", "")),
            scales=tuple(str(s) for s in data.get("scales", ())),
            chains=chains,
            reset_on_treatment=bool(data.get("reset_on_treatment", False)),
            pre_session_days=int(data.get("pre_session_days", 0)),
        )
    except (KeyError, TypeError, InputError) as exc:
        raise DefinitionError(name, f"cadence rule {data.get('id')!r}: {exc}") from exc


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, CadenceRule], dict[str, Any]]:
    rules: dict[str, CadenceRule] = {}
    worsening: dict[str, Any] = {}
    for name, data in iter_data_files("ketacare.core.checkins"):
        for raw in data.get("rules", []):
            rule = _parse_rule(name, raw)
            if rule.id in rules:
                raise DefinitionError(name, f"cadence rule {rule.id!r} defined twice")
            rules[rule.id] = rule
        for raw in data.get("worsening", []):
            worsening[str(raw["scale"])] = raw
    return rules, worsening


def list_rules() -> list[CadenceRule]:
    return list(_load()[0].values())


def get_rule(rule_id: str) -> CadenceRule:
    rules = _load()[0]
    if rule_id not in rules:
        raise UnknownIdError("cadence rule", rule_id, sorted(rules))
    return rules[rule_id]


def with_interval(rule: CadenceRule, every_days: int) -> CadenceRule:
    """The rule with every chain replaced by "every ``every_days`` days" (a prescriber's change
    for one patient: a clinic setting, whatever the rule's own status)."""
    step = Step(every_days)
    return replace(
        rule,
        id=f"{rule.id}+every-{every_days}",
        name=f"Every {every_days} days (changed by the prescriber)",
        status="clinic-setting",
        source=f"interval set for this patient by the prescriber; based on: {rule.source}",
        chains={"default": (step,)},
    )


def chain_dates(steps: tuple[Step, ...], anchor: dt.date, until: dt.date) -> list[dt.date]:
    """The dates of a chain after ``anchor`` (excluded) up to ``until`` (included).

    Worked example (MoodMonitor's "every 7 days for 28 days, then every 14 days", anchored on
    1 March): 8, 15, 22, 29 March, then 12 and 26 April..."""
    _date("anchor", anchor)
    _date("until", until)
    dates: list[dt.date] = []
    start = anchor
    for step in steps:
        end = None if step.for_days is None else start + dt.timedelta(days=step.for_days)
        day = start + dt.timedelta(days=step.every_days)
        while day <= until and (end is None or day <= end):
            dates.append(day)
            day += dt.timedelta(days=step.every_days)
        if end is None or end > until:
            break
        start = end
    return dates


def _date(field_name: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InputError(field_name, value, "a date (not a date-time)")
    return value


def next_due(
    rule: CadenceRule,
    *,
    enrolled_on: dt.date,
    phase: str | None = None,
    last_checkin: dt.date | None = None,
    last_treatment: dt.date | None = None,
    next_session: dt.date | None = None,
) -> Due:
    """The date the next check-in is due.

    - no check-in yet: due on the enrolment date (a baseline at sign-up, MoodMonitor);
    - the chain's next date after the anchor and after the last check-in; the anchor is the
      enrolment date, or the last treatment when the rule resets the clock on each treatment;
    - a pre-session check-in ``pre_session_days`` before ``next_session`` when no check-in was
      sent on or after that day; the earlier of the two is due.
    """
    _date("enrolled_on", enrolled_on)
    if last_checkin is None:
        return Due(
            enrolled_on,
            "baseline",
            "first check-in, at enrolment (a baseline at sign-up)",
            rule.id,
            rule.source,
        )
    _date("last_checkin", last_checkin)
    anchor = enrolled_on
    if rule.reset_on_treatment and last_treatment is not None:
        anchor = max(anchor, _date("last_treatment", last_treatment))
    after = max(anchor, last_checkin)
    steps = rule.chain(phase)
    horizon = after + dt.timedelta(days=max(s.for_days or s.every_days for s in steps) + 400)
    candidates = [d for d in chain_dates(steps, anchor, horizon) if d > after]
    due = Due(
        candidates[0] if candidates else after + dt.timedelta(days=steps[-1].every_days),
        "cadence",
        rule.describe(phase)
        + (
            f" (clock reset by the treatment on {anchor.isoformat()})"
            if anchor != enrolled_on
            else ""
        ),
        rule.id,
        rule.source,
    )
    if rule.pre_session_days and next_session is not None:
        pre = _date("next_session", next_session) - dt.timedelta(days=rule.pre_session_days)
        if last_checkin < pre and pre < due.date:
            days = "day" if rule.pre_session_days == 1 else f"{rule.pre_session_days} days"
            due = Due(
                pre,
                "pre-session",
                f"the {days} before the session on {next_session.isoformat()}",
                rule.id,
                rule.source,
            )
    return due


def schedule(
    rule: CadenceRule,
    *,
    enrolled_on: dt.date,
    until: dt.date,
    phase: str | None = None,
    sessions: tuple[dt.date, ...] = (),
) -> list[Due]:
    """The check-ins a rule asks for from enrolment to ``until`` if each is sent on its due date
    and the sessions happen as planned (for the schedule page and the tests' worked schedules)."""
    out: list[Due] = []
    last: dt.date | None = None
    done = sorted(sessions)
    while len(out) < 500:
        treated = [s for s in done if last is not None and s <= last]
        upcoming = [s for s in done if last is None or s > last]
        lt = treated[-1] if treated else None

        nxt = upcoming[0] if upcoming else None

        def ask(lt: dt.date | None, last: dt.date | None = last, nxt: dt.date | None = nxt) -> Due:
            return next_due(
                rule,
                enrolled_on=enrolled_on,
                phase=phase,
                last_checkin=last,
                last_treatment=lt,
                next_session=nxt,
            )

        due = ask(lt)
        # a treatment before the due date restarts the clock (the rule's reset), again and again
        while rule.reset_on_treatment and last is not None:
            later = [s for s in upcoming if s < due.date and (lt is None or s > lt)]
            if not later:
                break
            lt = later[-1]
            due = ask(lt)
        if due.date > until:
            break
        out.append(due)
        last = due.date
    return out


def worsening_rise(scale_id: str) -> tuple[float | None, str]:
    """The stored rise (points above the previous score) that raises a worsening alert, and its
    source; ``(None, "")`` for a scale without one."""
    raw = _load()[1].get(scale_id)
    if raw is None:
        return None, ""
    return float(raw["rise"]), str(raw["source"])
