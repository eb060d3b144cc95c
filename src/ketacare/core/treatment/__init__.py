"""The course and session workflow: what may happen next, what blocks it, and why.

Pure functions over plain values (:class:`SessionFacts`, :class:`CourseFacts`); the web layer,
the API and the CLI ask them before every write and refuse what they refuse.
"""

from ketacare.core.treatment.course import (
    ACTIVE_STATUSES,
    COURSE_STATUSES,
    COURSE_TRANSITIONS,
    CourseFacts,
    CourseState,
    age_on,
    consent_covers,
    course_state,
    refuse_course,
)
from ketacare.core.treatment.session import (
    SESSION_ACTIONS,
    Problem,
    SessionFacts,
    SessionState,
    Verdict,
    VitalFact,
    check_administration_times,
    check_event_time,
    refuse,
    session_state,
    time_problems,
)

__all__ = [
    "ACTIVE_STATUSES",
    "COURSE_STATUSES",
    "COURSE_TRANSITIONS",
    "SESSION_ACTIONS",
    "CourseFacts",
    "CourseState",
    "Problem",
    "SessionFacts",
    "SessionState",
    "Verdict",
    "VitalFact",
    "age_on",
    "check_administration_times",
    "check_event_time",
    "consent_covers",
    "course_state",
    "refuse",
    "refuse_course",
    "session_state",
    "time_problems",
]
