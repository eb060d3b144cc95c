"""What each role may do: one table, read by every view, API endpoint and template.

Two rules apply on top of the table:

1. Tenancy: a user sees only their own clinic's records. Views fetch records through
   ``ketacare.web.clinic.scoping`` which filters by ``clinic`` and answers 404 for another
   clinic's record (its existence is not revealed).
2. Least privilege: an action not listed for a role is refused (403).

Roles (``accounts.models.Role``):
- clinic_admin: manages staff accounts, reads the audit trail, sees schedules and demographics;
  no clinical data.
- prescriber: everything clinical, including prescribing (courses, dose override, course status).
- nurse: records sessions, vitals and measures, acknowledges alerts; cannot prescribe or override
  a dose limit.
- front_desk: schedules and demographics only; no clinical data.
- researcher: de-identified aggregates only; no patient-level pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

ADMIN = "clinic_admin"
PRESCRIBER = "prescriber"
NURSE = "nurse"
FRONT_DESK = "front_desk"
RESEARCHER = "researcher"
ALL_ROLES = (ADMIN, PRESCRIBER, NURSE, FRONT_DESK, RESEARCHER)

#: action -> roles allowed. The single source of truth for authorisation.
PERMISSIONS: dict[str, frozenset[str]] = {
    # patients
    "view_patient_list": frozenset({ADMIN, PRESCRIBER, NURSE, FRONT_DESK}),
    "view_demographics": frozenset({ADMIN, PRESCRIBER, NURSE, FRONT_DESK}),
    "edit_demographics": frozenset({ADMIN, PRESCRIBER, NURSE, FRONT_DESK}),
    "view_schedule": frozenset({ADMIN, PRESCRIBER, NURSE, FRONT_DESK}),
    "view_clinical": frozenset({PRESCRIBER, NURSE}),
    "record_intake": frozenset({PRESCRIBER, NURSE}),  # trials, contraindication screen
    "record_consent": frozenset({PRESCRIBER, NURSE}),
    # courses
    "prescribe": frozenset({PRESCRIBER}),  # start a course, change its status, escalate
    "override_dose": frozenset({PRESCRIBER}),
    # sessions at the chair (treatments app)
    "record_session": frozenset({PRESCRIBER, NURSE}),
    "sign_session": frozenset({PRESCRIBER, NURSE}),
    # measures and alerts
    "record_measure": frozenset({PRESCRIBER, NURSE}),
    "acknowledge_alert": frozenset({PRESCRIBER, NURSE}),
    # self-report check-ins: enrolment and schedule are the prescriber's; the care team sees
    # them and sends or resends a check-in
    "manage_checkins": frozenset({PRESCRIBER}),
    "send_checkin": frozenset({PRESCRIBER, NURSE}),
    # clinic-wide
    "view_dashboard": frozenset({ADMIN, PRESCRIBER, NURSE, FRONT_DESK}),
    "view_aggregates": frozenset({ADMIN, PRESCRIBER, RESEARCHER}),
    # reports and data exchange (clinic.reports): the research extract is de-identified
    # (HIPAA Safe Harbor) and is all a researcher gets; FHIR holds identified clinical records
    "export_deidentified": frozenset({ADMIN, RESEARCHER}),
    "export_fhir": frozenset({ADMIN, PRESCRIBER}),
    # the published evidence (trial records, pooled analyses): no patient data
    "view_evidence": frozenset(ALL_ROLES),
    "view_audit": frozenset({ADMIN}),
    "manage_staff": frozenset({ADMIN}),
    "use_api": frozenset({ADMIN, PRESCRIBER, NURSE, FRONT_DESK, RESEARCHER}),
}


def role_of(user: Any) -> str:
    """The user's role, or "" for anonymous users and users without a clinic."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "clinic_id", None) is None:
        return ""
    return str(getattr(user, "role", "") or "")


def can(user: Any, action: str) -> bool:
    """Whether ``user`` may perform ``action`` (an unknown action is a programming error)."""
    try:
        allowed = PERMISSIONS[action]
    except KeyError:
        raise KeyError(
            f"unknown permission action {action!r}; known: {sorted(PERMISSIONS)}"
        ) from None
    return role_of(user) in allowed


def require(user: Any, action: str) -> None:
    """Raise PermissionDenied (403) unless ``user`` may perform ``action``."""
    if not can(user, action):
        raise PermissionDenied(f"Your role may not {action.replace('_', ' ')}.")


def allowed_actions(user: Any) -> frozenset[str]:
    role = role_of(user)
    return frozenset(action for action, roles in PERMISSIONS.items() if role in roles)


F = TypeVar("F", bound=Callable[..., Any])


def permission_required(action: str) -> Callable[[F], F]:
    """View decorator: 403 unless the signed-in user's role allows ``action``."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown permission action {action!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            require(request.user, action)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]  # the wrapper keeps the view's signature (functools.wraps)

    return decorate
