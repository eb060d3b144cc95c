"""The course as one pure rule: may it start, may it move to a status, may a session be planned.

- A course starts only when the applicable contraindication screen (the latest for the
  protocol's drug and route) is on file and does not block, or a prescriber records an override
  with a reason (:func:`ketacare.core.intake.eligibility`).
- A second concurrently active course for the same patient needs a prescriber's reason.
- Status moves follow :data:`COURSE_TRANSITIONS`; every move needs a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.treatment.session import Problem, Verdict, eligibility_problem

COURSE_STATUSES: tuple[str, ...] = ("induction", "review", "maintenance", "ended")
#: the allowed moves of a course (induction -> review at the end of induction -> maintenance,
#: back to induction, or ended); anything else is refused
COURSE_TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "induction": ("review", "ended"),
    "review": ("maintenance", "induction", "ended"),
    "maintenance": ("review", "ended"),
    "ended": (),
}
ACTIVE_STATUSES: tuple[str, ...] = ("induction", "review", "maintenance")
TRANSITION_SOURCE = (
    "SPRAVATO US prescribing information section 2: evaluate therapeutic benefit at the end of "
    "the induction phase to determine the need for continued treatment; KetaCare course states"
)
CONCURRENT_SOURCE = "KetaCare rule: one active course per patient unless a prescriber says why"


@dataclass(frozen=True)
class CourseFacts:
    """Plain values for one course (or one about to start)."""

    drug: str
    route: str
    status: str | None = None  # None: not started yet
    eligibility: str = "eligible"
    eligibility_reason: str = ""
    eligibility_source: str = ""
    eligibility_override: bool = False
    other_active_courses: int = 0
    concurrent_reason: bool = False

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in COURSE_STATUSES:
            raise InputError("status", self.status, "one of " + ", ".join(COURSE_STATUSES))
        if self.other_active_courses < 0:
            raise InputError("other_active_courses", self.other_active_courses, "0 or more")


@dataclass(frozen=True)
class CourseState:
    status: str | None
    actions: Mapping[str, Verdict]
    transitions: tuple[str, ...]
    warnings: tuple[Problem, ...]

    def verdict(self, action: str) -> Verdict:
        if action not in self.actions:
            raise InputError("action", action, "one of " + ", ".join(self.actions))
        return self.actions[action]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "actions": {k: v.to_dict() for k, v in self.actions.items()},
            "transitions": list(self.transitions),
            "warnings": [w.to_dict() for w in self.warnings],
        }


def _eligibility_blocker(f: CourseFacts) -> Problem | None:
    if f.eligibility == "eligible" or f.eligibility_override:
        return None
    return eligibility_problem(
        f.eligibility, f.eligibility_reason, f.eligibility_source, "before the course starts"
    )


def course_state(f: CourseFacts) -> CourseState:
    """Start, each status move, and planning the next session: allowed or refused, and why."""
    actions: dict[str, Verdict] = {}
    start: list[Problem] = []
    if f.status is not None:
        start.append(
            Problem("status", "The course has already started.", TRANSITION_SOURCE, "started")
        )
    blocker = _eligibility_blocker(f)
    if blocker is not None:
        start.append(blocker)
    if f.other_active_courses and not f.concurrent_reason:
        start.append(
            Problem(
                "concurrent_reason",
                f"The patient already has {f.other_active_courses} active course(s): a "
                "prescriber must give a reason for a second concurrent course.",
                CONCURRENT_SOURCE,
                "concurrent",
            )
        )
    actions["start"] = Verdict("start", not start, tuple(start), requires_role="prescriber")
    transitions = COURSE_TRANSITIONS.get(f.status or "", ())
    for status in COURSE_STATUSES:
        refusal: list[Problem] = []
        if status not in transitions:
            names = ", ".join(transitions) or "none (the course has ended)"
            refusal.append(
                Problem(
                    "to_status",
                    f"From {f.status or 'not started'} the course may move to: {names}.",
                    TRANSITION_SOURCE,
                    status,
                )
            )
        actions[f"status:{status}"] = Verdict(
            f"status:{status}",
            not refusal,
            tuple(refusal),
            needs_reason=True,
            requires_role="prescriber",
        )
    plan: list[Problem] = []
    if f.status is None or f.status == "ended":
        plan.append(
            Problem(
                "course", "Sessions are planned on an active course.", TRANSITION_SOURCE, "inactive"
            )
        )
    actions["plan_session"] = Verdict("plan_session", not plan, tuple(plan))
    warnings: list[Problem] = []
    if f.eligibility != "eligible" and f.eligibility_override:
        warnings.append(
            Problem(
                "screen",
                "Started under a prescriber's override of the contraindication screen.",
                f.eligibility_source or "core.intake.eligibility",
                "override",
            )
        )
    if f.other_active_courses and f.concurrent_reason:
        warnings.append(
            Problem(
                "concurrent_reason",
                "A concurrent active course, with the prescriber's reason.",
                CONCURRENT_SOURCE,
                "concurrent",
            )
        )
    return CourseState(
        status=f.status, actions=actions, transitions=tuple(transitions), warnings=tuple(warnings)
    )


def refuse_course(state: CourseState, action: str, *, reason: str = "") -> None:
    """Raise :class:`InputError` when ``action`` is refused or needs a reason not given."""
    verdict = state.verdict(action)
    if not verdict.allowed:
        first = verdict.blockers[0]
        others = " ".join(b.reason for b in verdict.blockers[1:])
        raise InputError(
            first.field,
            first.code,
            first.reason + (f" Also: {others}" if others else ""),
        )
    if verdict.needs_reason and not (reason or "").strip():
        raise InputError("reason", reason, "a reason for the change (who decided and why)")


#: an unlinked consent (recorded before its course existed) covers a course that starts within
#: this many days after it (KetaCare rule: consent is per treatment series)
UNLINKED_CONSENT_DAYS = 30


def consent_covers(
    *,
    for_this_course: bool,
    unlinked: bool,
    given_on: date,
    withdrawn_on: date | None,
    course_start: date,
    on: date,
) -> bool:
    """Whether one consent record covers a dose of the course on ``on``: given on or before
    ``on``, not withdrawn by then, and either recorded for this course or recorded unlinked at
    most :data:`UNLINKED_CONSENT_DAYS` before the course started."""
    if given_on > on or (withdrawn_on is not None and withdrawn_on <= on):
        return False
    if for_this_course:
        return True
    return unlinked and given_on >= course_start - timedelta(days=UNLINKED_CONSENT_DAYS)


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on ``on`` (for the label's age-based starting dose)."""
    if on < date_of_birth:
        raise InputError("date_of_birth", date_of_birth.isoformat(), f"a date on or before {on}")
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
