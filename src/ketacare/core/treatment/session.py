"""The treatment session as one pure rule: facts in, the allowed actions and their blockers out.

Every write to a session (checklist, gate decision, dose, administration times, vitals, ratings,
adverse events, discharge, early discharge, sign, withdraw) asks :func:`session_state` first and
refuses what it refuses; the page prints the same blockers and warnings. The function reads
nothing but the :class:`SessionFacts` it is given, so it is tested without a database and driven
by hypothesis through random action sequences (``tests/core/treatment``).

The rules and their sources (each :class:`Problem` carries its own):

- Dosing needs an applicable contraindication screen that does not block (or a prescriber's
  recorded override), consent for the series on file, a pre-dose checklist, no blocking gate,
  and the prescriber's decision on a gate that needs one.
- Times: none in the future; the start not before the checklist; the first device between the
  start and the end; the end not before the start. A recorded time changed before signing needs a
  reason (who and why are kept by the caller).
- Signing a dosed session needs the end time, the discharge assessment saying ready (or a
  prescriber's early discharge or transfer with a reason), for esketamine at least two hours from
  the first device, and the vitals of the protocol's monitoring schedule (for esketamine the
  label's before dosing, about 40 minutes after and before discharge).
- After signing, every change is an amendment with a reason; nothing is signed twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ketacare.core.errors import InputError

#: the actions on a session, in the order of the session
SESSION_ACTIONS: tuple[str, ...] = (
    "checklist",
    "gate_decision",
    "dose",
    "administration",
    "vitals",
    "rating",
    "adverse_event",
    "discharge",
    "early_discharge",
    "acknowledge_vital",
    "sign",
    "withdraw",
)

#: how far ahead of "now" a recorded time may be (clock skew between a device and the server)
FUTURE_TOLERANCE = timedelta(minutes=2)

ESKETAMINE_LABEL = (
    "SPRAVATO US prescribing information, sections 2.1 and 5.1-5.3 (monitor for at least 2 hours "
    "after administration; assess BP before dosing, at about 40 minutes and subsequently as "
    "warranted; assess readiness to leave), "
    "https://nctr-crs.fda.gov/fdalabel/services/spl/set-ids/"
    "d81a6a79-a74a-44b7-822c-0dfa3036eaed/spl-doc"
)
REMS_BP_SOURCE = (
    "SPRAVATO REMS Patient Monitoring Form: BP pre-dose, approximately 40 minutes post-dose and "
    "prior to discharge"
)
KETALAR_LABEL = (
    "KETALAR (ketamine hydrochloride injection) US prescribing information: vital signs "
    "monitored; resuscitative equipment available, "
    "https://fda.report/DailyMed/46dab560-8ecd-4d92-8c92-6baa2310b09b"
)
CONSENT_SOURCE = (
    "Consent signed before each treatment series (secondary source: a clinic compliance checklist, "
    "https://github.com/Phillymcdee/ketamine-software-directory, and the CPSBC draft standard's "
    "consent discussion before parenteral ketamine); an unlinked consent covering a course that "
    "starts within 30 days is a KetaCare rule"
)
SCREEN_SOURCE = "KetaCare intake screen (core.intake: each question carries its label source)"
SEQUENCE_SOURCE = "KetaCare record rule: times must be coherent and not in the future"
AMEND_SOURCE = "KetaCare record rule: a signed session is locked; changes are amendments"
#: "about 40 minutes" read as 30 to 60 minutes after the first device (KetaCare's reading of the
#: label's "approximately 40 minutes"; stated on every output that uses it)
BP_40_WINDOW_MIN = (30.0, 60.0)
#: "before discharge": a BP taken at least this many minutes after the start of dosing
BEFORE_DISCHARGE_MIN = 60.0
ESKETAMINE_OBSERVATION_MIN = 120.0


@dataclass(frozen=True)
class Problem:
    """A blocker or a warning: the field it concerns, the reason in words, and its source."""

    field: str
    reason: str
    source: str
    code: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "reason": self.reason,
            "source": self.source,
            "code": self.code,
        }


@dataclass(frozen=True)
class Verdict:
    """One action: allowed, or refused with its blockers; ``needs_reason`` when the action is an
    amendment of a signed session (or otherwise needs a reason); ``requires_role`` when only a
    given role may take it."""

    action: str
    allowed: bool
    blockers: tuple[Problem, ...] = ()
    needs_reason: bool = False
    requires_role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "allowed": self.allowed,
            "blockers": [b.to_dict() for b in self.blockers],
            "needs_reason": self.needs_reason,
            "requires_role": self.requires_role,
        }


@dataclass(frozen=True)
class VitalFact:
    taken_at: datetime
    minute: int | None = None
    systolic: float | None = None
    diastolic: float | None = None
    out_of_range: bool = False
    acknowledged: bool = False


@dataclass(frozen=True)
class SessionFacts:
    """Plain values read from the records of one session (the web layer builds them).

    ``eligibility`` is ``"eligible"``, ``"missing"``, ``"incomplete"`` or ``"contraindicated"``
    (:func:`ketacare.core.intake.eligibility`); ``eligibility_override`` is a prescriber's
    recorded reason to treat despite it. ``gates_overall`` is the core's overall gate decision
    (``""`` before the checklist). Datetimes are timezone-aware.
    """

    drug: str
    route: str
    now: datetime
    course_status: str = "induction"
    eligibility: str = "eligible"
    eligibility_reason: str = ""
    eligibility_source: str = SCREEN_SOURCE
    eligibility_override: bool = False
    consent_on_file: bool = True
    checklist_at: datetime | None = None
    gates_overall: str = ""
    gate_blockers: tuple[str, ...] = ()
    gate_decided: bool = False
    dose_mg: float | None = None
    dose_cleared: bool = True
    started_at: datetime | None = None
    first_device_at: datetime | None = None
    ended_at: datetime | None = None
    vitals: tuple[VitalFact, ...] = ()
    discharge_assessed_at: datetime | None = None
    discharge_ready: bool | None = None
    early_discharge: bool = False
    signed: bool = False
    monitoring_bp_minutes: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in (
            "now",
            "checklist_at",
            "started_at",
            "first_device_at",
            "ended_at",
            "discharge_assessed_at",
        ):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise InputError(name, value, "a timezone-aware date and time")

    @property
    def esketamine(self) -> bool:
        return self.drug == "esketamine"

    @property
    def dose_start(self) -> datetime | None:
        return self.first_device_at or self.started_at

    @property
    def dosed(self) -> bool:
        return self.dose_mg is not None


@dataclass(frozen=True)
class SessionState:
    """The session's stage, each action's verdict, and the warnings to show."""

    stage: str
    actions: Mapping[str, Verdict]
    warnings: tuple[Problem, ...]

    def verdict(self, action: str) -> Verdict:
        if action not in self.actions:
            raise InputError("action", action, "one of " + ", ".join(SESSION_ACTIONS))
        return self.actions[action]

    def allowed(self, action: str) -> bool:
        return self.verdict(action).allowed

    @property
    def next_actions(self) -> tuple[str, ...]:
        return tuple(a for a in SESSION_ACTIONS if self.actions[a].allowed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "actions": {k: v.to_dict() for k, v in self.actions.items()},
            "warnings": [w.to_dict() for w in self.warnings],
        }


def refuse(state: SessionState, action: str, *, reason: str = "") -> None:
    """Raise :class:`InputError` for the first blocker of ``action``, or when the action needs a
    reason (an amendment) and none is given. Returns when the action may go ahead."""
    verdict = state.verdict(action)
    if not verdict.allowed:
        first = verdict.blockers[0]
        others = [b.reason for b in verdict.blockers[1:]]
        allowed = first.reason + (" Also: " + " ".join(others) if others else "")
        raise InputError(
            first.field,
            first.code or action,
            allowed,
            message=f"{_ACTION_WORDS[action]} is not allowed yet: {allowed}",
        )
    if verdict.needs_reason and not (reason or "").strip():
        raise InputError(
            "reason",
            reason,
            "a reason for the amendment (the session is signed and locked)",
        )


_ACTION_WORDS = {
    "checklist": "The pre-dose checklist",
    "gate_decision": "The prescriber's gate decision",
    "dose": "Recording the dose",
    "administration": "Recording the administration",
    "vitals": "Recording vital signs",
    "rating": "Recording a rating",
    "adverse_event": "Recording an adverse event",
    "discharge": "The discharge assessment",
    "early_discharge": "An early discharge or transfer",
    "acknowledge_vital": "Acknowledging a vital sign",
    "sign": "Signing the session",
    "withdraw": "Withdrawing an entry",
}


def _stage(f: SessionFacts) -> str:
    if f.signed:
        return "signed"
    if f.discharge_ready or f.early_discharge:
        return "ready_to_sign"
    if f.ended_at is not None or f.discharge_assessed_at is not None:
        return "recovery"
    if f.dose_start is not None:
        return "dosing"
    if f.dosed:
        return "dose_recorded"
    if f.checklist_at is not None:
        return "checked"
    return "open"


def eligibility_problem(status: str, reason: str, source: str, when: str) -> Problem:
    """The blocker of a missing, incomplete or contraindicated screen (field ``screen``)."""
    words = {
        "missing": "No contraindication screen for this drug and route is on file.",
        "incomplete": "The contraindication screen is incomplete.",
        "contraindicated": "The contraindication screen reports a contraindication.",
    }.get(status, f"The screen's status is {status}.")
    if reason and status != "missing":
        words = reason
    return Problem(
        "screen",
        f"{words} Complete the screen, or a prescriber records an override with a reason, {when}.",
        source or SCREEN_SOURCE,
        status,
    )


def _dose_blockers(f: SessionFacts) -> list[Problem]:
    out: list[Problem] = []
    if f.course_status == "ended":
        out.append(
            Problem("course", "The course has ended: no further dose.", AMEND_SOURCE, "ended")
        )
    if f.eligibility != "eligible" and not f.eligibility_override:
        out.append(
            eligibility_problem(
                f.eligibility, f.eligibility_reason, f.eligibility_source, "before the dose"
            )
        )
    if not f.consent_on_file:
        out.append(
            Problem(
                "consent",
                "No consent for this treatment series is on file: record it before the first dose.",
                CONSENT_SOURCE,
                "missing",
            )
        )
    if not f.gates_overall:
        out.append(
            Problem(
                "gates",
                "Record the pre-dose checklist before the dose.",
                SEQUENCE_SOURCE,
                "not_recorded",
            )
        )
    elif f.gates_overall == "block":
        out.append(
            Problem(
                "gates",
                "No dose while a pre-dose gate blocks: " + " ".join(f.gate_blockers),
                "core.safety.evaluate_gates (each gate carries its source)",
                "block",
            )
        )
    elif f.gates_overall == "needs_prescriber" and not f.gate_decided:
        out.append(
            Problem(
                "gates",
                "A pre-dose gate needs the prescriber's decision before the dose is recorded.",
                "core.safety.evaluate_gates (each gate carries its source)",
                "needs_prescriber",
            )
        )
    return out


def _minutes(start: datetime, at: datetime) -> float:
    return (at - start).total_seconds() / 60.0


def _bp_rows(f: SessionFacts) -> list[VitalFact]:
    return [v for v in f.vitals if v.systolic is not None and v.diastolic is not None]


def _monitoring_blockers(f: SessionFacts) -> list[Problem]:
    """The BP readings the monitoring schedule requires before a dosed session is signed."""
    start = f.dose_start
    if start is None:
        return [
            Problem(
                "started_at",
                "Record when dosing started before signing a dosed session.",
                SEQUENCE_SOURCE,
                "not_recorded",
            )
        ]
    out: list[Problem] = []
    rows = [(v, _minutes(start, v.taken_at)) for v in _bp_rows(f)]
    end = f.discharge_assessed_at or f.ended_at or f.now
    if f.esketamine:
        low, high = BP_40_WINDOW_MIN
        if not any(low <= m <= high for _, m in rows):
            out.append(
                Problem(
                    "vitals",
                    "A blood pressure about 40 minutes after the first device (30 to 60 min, "
                    "KetaCare's reading of the label's 'approximately 40 minutes') is required.",
                    f"{ESKETAMINE_LABEL}; {REMS_BP_SOURCE}",
                    "bp_40_min",
                )
            )
    else:
        for minute in f.monitoring_bp_minutes:
            if minute <= 0:
                continue
            tolerance = max(5.0, minute * 0.25)
            if not any(abs(m - minute) <= tolerance for _, m in rows):
                out.append(
                    Problem(
                        "vitals",
                        f"A blood pressure at about +{minute} min (within {tolerance:g} min) is "
                        "required by the monitoring schedule.",
                        f"core.safety.monitoring_schedule; {KETALAR_LABEL}",
                        f"bp_{minute}_min",
                    )
                )
    before = [
        v for v, m in rows if m >= BEFORE_DISCHARGE_MIN and v.taken_at <= end + FUTURE_TOLERANCE
    ]
    if not before:
        out.append(
            Problem(
                "vitals",
                "A blood pressure before discharge (at least "
                f"{BEFORE_DISCHARGE_MIN:g} min after the start of dosing, at or before the "
                "discharge assessment) is required.",
                REMS_BP_SOURCE
                if f.esketamine
                else f"core.safety.monitoring_schedule; {KETALAR_LABEL}",
                "bp_before_discharge",
            )
        )
    return out


def _sign_blockers(f: SessionFacts) -> list[Problem]:
    if f.signed:
        return [
            Problem("status", "The session is already signed.", AMEND_SOURCE, "signed"),
        ]
    out: list[Problem] = []
    out.extend(problem for problem in time_problems(f))
    if not f.dosed:
        return out
    gates = [b for b in _dose_blockers(f) if b.field == "gates"]
    out.extend(gates)  # the dose given must still stand on the latest checklist
    if not gates and not f.dose_cleared:
        out.append(
            Problem(
                "dose",
                "The pre-dose gates changed after the dose was recorded: the dose must be "
                "re-confirmed before the session is signed.",
                "core.safety.evaluate_gates",
                "not_cleared",
            )
        )
    if f.ended_at is None:
        out.append(
            Problem(
                "ended_at",
                "Record the end time before signing a dosed session.",
                SEQUENCE_SOURCE,
                "not_recorded",
            )
        )
    if f.esketamine:
        first = f.first_device_at
        if first is None:
            out.append(
                Problem(
                    "first_device_at",
                    "Record when the first device was used (the 2-hour observation counts from "
                    "it).",
                    ESKETAMINE_LABEL,
                    "not_recorded",
                )
            )
        else:
            waited = _minutes(first, f.now)
            if waited < ESKETAMINE_OBSERVATION_MIN:
                out.append(
                    Problem(
                        "first_device_at",
                        f"Only {max(waited, 0):.0f} min since the first device: esketamine "
                        f"sessions are signed after at least {ESKETAMINE_OBSERVATION_MIN:g} "
                        "minutes of monitoring.",
                        ESKETAMINE_LABEL,
                        "two_hours",
                    )
                )
    if not f.early_discharge:
        if f.discharge_assessed_at is None:
            out.append(
                Problem(
                    "discharge",
                    "Assess discharge readiness before signing (or a prescriber records an early "
                    "discharge or transfer with a reason).",
                    ESKETAMINE_LABEL if f.esketamine else KETALAR_LABEL,
                    "not_assessed",
                )
            )
        elif not f.discharge_ready:
            out.append(
                Problem(
                    "discharge",
                    "The discharge assessment says not ready: reassess when the criteria are "
                    "met, or a prescriber records an early discharge or transfer with a reason.",
                    ESKETAMINE_LABEL if f.esketamine else KETALAR_LABEL,
                    "not_ready",
                )
            )
    out.extend(_monitoring_blockers(f))
    return out


def time_problems(
    f: SessionFacts,
    *,
    started_at: datetime | None = None,
    first_device_at: datetime | None = None,
    ended_at: datetime | None = None,
    proposed: bool = False,
) -> list[Problem]:
    """Incoherent administration times: in the future, the start before the checklist, the first
    device outside start..end, the end before the start. With ``proposed`` the given times are
    checked in place of the recorded ones."""
    start = started_at if proposed else f.started_at
    first = first_device_at if proposed else f.first_device_at
    end = ended_at if proposed else f.ended_at
    out: list[Problem] = []
    limit = f.now + FUTURE_TOLERANCE
    for name, value in (("started_at", start), ("first_device_at", first), ("ended_at", end)):
        if value is not None and value > limit:
            out.append(Problem(name, "A time may not be in the future.", SEQUENCE_SOURCE, "future"))
    for name, value in (("started_at", start), ("first_device_at", first)):
        if value is not None and f.checklist_at is not None and value < f.checklist_at:
            out.append(
                Problem(
                    name,
                    "Dosing may not start before the pre-dose checklist was recorded.",
                    SEQUENCE_SOURCE,
                    "before_checklist",
                )
            )
            break
    if first is not None and start is not None and first < start:
        out.append(
            Problem(
                "first_device_at",
                "The first device may not be before the start of the session.",
                SEQUENCE_SOURCE,
                "before_start",
            )
        )
    if first is not None and end is not None and first > end:
        out.append(
            Problem(
                "first_device_at",
                "The first device may not be after the end.",
                SEQUENCE_SOURCE,
                "after_end",
            )
        )
    begin = first or start
    if end is not None and begin is None:
        out.append(
            Problem("ended_at", "An end time needs a start time.", SEQUENCE_SOURCE, "no_start")
        )
    if end is not None and start is not None and end < start:
        out.append(
            Problem(
                "ended_at", "The end may not be before the start.", SEQUENCE_SOURCE, "before_start"
            )
        )
    return out


def check_administration_times(
    f: SessionFacts,
    *,
    started_at: datetime | None,
    first_device_at: datetime | None,
    ended_at: datetime | None,
    reason: str = "",
) -> None:
    """Refuse incoherent proposed times, a first device for a non-nasal drug, times without a
    dose, and a change to an already recorded time without a reason."""
    for name, value in (
        ("started_at", started_at),
        ("first_device_at", first_device_at),
        ("ended_at", ended_at),
    ):
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise InputError(name, value, "a timezone-aware date and time")
    if first_device_at is not None and not f.esketamine:
        raise InputError("first_device_at", first_device_at, "only for esketamine (nasal devices)")
    if (started_at or first_device_at) and not f.dosed:
        raise InputError(
            "started_at", started_at or first_device_at, "a time once the dose is recorded"
        )
    problems = time_problems(
        f,
        started_at=started_at,
        first_device_at=first_device_at,
        ended_at=ended_at,
        proposed=True,
    )
    if problems:
        p = problems[0]
        value = (
            {"started_at": started_at, "first_device_at": first_device_at, "ended_at": ended_at}[
                p.field
            ]
            if p.field in ("started_at", "first_device_at", "ended_at")
            else None
        )
        raise InputError(p.field, value.isoformat() if value else value, p.reason)
    changed = [
        name
        for name, old, new in (
            ("started_at", f.started_at, started_at),
            ("first_device_at", f.first_device_at, first_device_at),
            ("ended_at", f.ended_at, ended_at),
        )
        if old is not None and new != old
    ]
    if changed and not (reason or "").strip():
        raise InputError(
            "reason",
            reason,
            "a reason for changing a recorded time (" + ", ".join(changed) + "); the old value "
            "is kept",
        )


def check_event_time(f: SessionFacts, field_name: str, value: datetime | None) -> None:
    """A vital sign, rating or adverse event may not be timed in the future."""
    if value is None:
        return
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InputError(field_name, value, "a timezone-aware date and time")
    if value > f.now + FUTURE_TOLERANCE:
        raise InputError(
            field_name, value.isoformat(), f"a time not in the future (now {f.now:%H:%M})"
        )


def session_state(f: SessionFacts) -> SessionState:
    """Every action on the session: allowed or refused with its blockers, and the warnings."""
    amend = f.signed
    actions: dict[str, Verdict] = {}

    def put(
        action: str,
        blockers: Sequence[Problem] = (),
        *,
        role: str | None = None,
        needs_reason: bool | None = None,
    ) -> None:
        actions[action] = Verdict(
            action,
            not blockers,
            tuple(blockers),
            needs_reason=amend if needs_reason is None else needs_reason,
            requires_role=role,
        )

    ended = (
        [Problem("course", "The course has ended.", AMEND_SOURCE, "ended")]
        if f.course_status == "ended" and not f.signed
        else []
    )
    put("checklist", ended)
    gate: list[Problem] = []
    if f.gates_overall != "needs_prescriber":
        gate.append(
            Problem(
                "gate_note",
                "A decision is recorded only when a gate needs the prescriber (the checklist's "
                f"overall decision is {f.gates_overall or 'not recorded'}).",
                "core.safety.evaluate_gates",
                f.gates_overall or "not_recorded",
            )
        )
    put("gate_decision", gate, role="prescriber")
    put("dose", _dose_blockers(f))
    admin: list[Problem] = []
    if not f.dosed:
        admin.append(
            Problem("dose", "Record the dose before its administration.", SEQUENCE_SOURCE, "none")
        )
    elif not f.dose_cleared:
        admin.append(
            Problem(
                "dose",
                "The pre-dose gates changed after the dose was recorded: the dose must be "
                "re-confirmed (record it again once the gates allow it).",
                "core.safety.evaluate_gates",
                "not_cleared",
            )
        )
    put("administration", admin)
    put("vitals")
    put("rating")
    put("adverse_event")
    discharge: list[Problem] = []
    if f.dose_start is None:
        discharge.append(
            Problem(
                "started_at",
                "Record the start of dosing before the discharge assessment.",
                SEQUENCE_SOURCE,
                "not_recorded",
            )
        )
    put("discharge", discharge)
    early: list[Problem] = []
    if f.dose_start is None:
        early.append(
            Problem(
                "started_at",
                "An early discharge or transfer is recorded after dosing started.",
                SEQUENCE_SOURCE,
                "not_recorded",
            )
        )
    put("early_discharge", early, role="prescriber", needs_reason=True)
    put("acknowledge_vital", needs_reason=True)
    put("sign", _sign_blockers(f), needs_reason=False)
    put("withdraw", needs_reason=True)

    warnings: list[Problem] = []
    pending = [v for v in f.vitals if v.out_of_range and not v.acknowledged]
    if pending:
        warnings.append(
            Problem(
                "vitals",
                f"{len(pending)} out-of-range vital sign reading(s) not yet acknowledged.",
                "core.safety.check_vitals (each alert carries its threshold's source)",
                "unacknowledged",
            )
        )
    if f.eligibility != "eligible" and f.eligibility_override:
        warnings.append(
            Problem(
                "screen",
                "Treated under a prescriber's override of the contraindication screen.",
                f.eligibility_source,
                "override",
            )
        )
    if f.early_discharge:
        warnings.append(
            Problem(
                "discharge",
                "Early discharge or transfer recorded by a prescriber.",
                ESKETAMINE_LABEL if f.esketamine else KETALAR_LABEL,
                "early",
            )
        )
    if not f.dosed and not f.signed and f.gates_overall == "block":
        warnings.append(
            Problem(
                "gates",
                "A gate blocks this session: it may be signed without a dose.",
                "core.safety.evaluate_gates",
                "block",
            )
        )
    return SessionState(stage=_stage(f), actions=actions, warnings=tuple(warnings))
