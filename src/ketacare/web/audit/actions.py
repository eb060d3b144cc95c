"""What each audit action means, in words: the one place its label is written.

``ACTION_LABELS`` maps every action string passed to ``audit.services.record`` (and every
``action=`` of a session amendment) to the label staff read on the audit trail and in its CSV.
A test (``tests/web/test_audit_actions.py``) walks ``src/`` and fails when an action has no label
here. Actions are grouped by the word before the first dot (``session.sign`` is in "session").
"""

from __future__ import annotations

#: action -> what staff read. Keep it in the order of the groups below.
ACTION_LABELS: dict[str, str] = {
    # patients
    "patient.create": "Patient registered",
    "patient.update": "Demographics changed",
    "patient.trd_stage": "TRD stage recalculated",
    "trial.add": "Antidepressant trial added",
    "trial.withdraw": "Antidepressant trial withdrawn",
    "screen.record": "Contraindication screen recorded",
    "consent.record": "Consent recorded",
    "consent.withdraw": "Consent withdrawn",
    # reading a chart (one entry each time a patient's page is opened)
    "chart.open": "Chart opened",
    # courses
    "course.start": "Course started",
    "course.status": "Course status changed",
    "course.baseline": "Course baseline measure set",
    "planned.missed": "Planned session marked missed",
    # measures and alerts
    "measure.record": "Measure recorded",
    "measure.withdraw": "Measure withdrawn (entered in error)",
    "alert.raise": "Alert raised",
    "alert.acknowledge": "Alert acknowledged",
    # self-report check-ins (checkin.* are by the patient's link or the schedule when no actor)
    "checkin.enrol": "Enrolled for check-ins",
    "checkin.change": "Check-in schedule, channel or opt-out changed",
    "checkin.create": "Check-in created",
    "checkin.send": "Check-in sent",
    "checkin.remind": "Check-in reminder sent (new link)",
    "checkin.cancel": "Check-in cancelled (link stopped)",
    "checkin.missed": "Check-in missed (no answer)",
    "checkin.open": "Check-in link opened",
    "checkin.dob_failed": "Check-in date of birth did not match",
    "checkin.submit": "Check-in answered by the patient",
    "checkin.link_request": "Patient asked for a new check-in link",
    "checkin.notify": "Alert emailed to the on-call address",
    "checkin.escalate": "Unacknowledged alert escalated to the clinic admin",
    # sessions at the chair
    "session.open": "Session opened",
    "session.checklist": "Pre-dose checklist recorded",
    "session.gate_decision": "Gate decided by the prescriber",
    "session.dose": "Dose recorded",
    "session.dose_override": "Dose recorded above the protocol maximum",
    "session.administration": "Administration times recorded",
    "session.time_change": "Recorded time changed before signing",
    "session.vitals": "Vital signs recorded",
    "session.rating": "Sedation or dissociation rating recorded",
    "session.adverse_event": "Adverse event recorded",
    "session.discharge": "Discharge assessed",
    "session.early_discharge": "Early discharge or transfer",
    "session.sign": "Session signed",
    "session.withdraw": "Session entry withdrawn (entered in error)",
    "vital.acknowledge": "Out-of-range vital sign acknowledged",
    "rems.submission": "REMS form submitted",
    "rems.submission.supersede": "REMS submission corrected (the earlier one superseded)",
    # staff
    "staff.add": "Staff account added",
    "staff.active": "Staff account activated or deactivated",
    "staff.role": "Staff role changed",
    # sign-in and accounts
    "auth.login": "Signed in",
    "auth.logout": "Signed out",
    "auth.login_failed": "Sign-in failed (wrong password)",
    "auth.lockout": "Sign-in locked after repeated failures",
    "mfa.enrol": "Second factor set up",
    "mfa.verify": "Second factor code accepted",
    "mfa.failure": "Second factor code refused",
    "mfa.recovery_code": "Recovery code used",
    "mfa.recovery_codes_new": "New recovery codes issued",
    "mfa.reset": "Second factor removed by a clinic admin",
    "clinic.mfa": "Clinic rule for a second factor changed",
    "password.change": "Password changed",
    "password.reset": "Password reset by email",
    "password.set_by_admin": "Password set in the admin site",
    "token.issue": "API token issued",
    "token.revoke": "API token revoked",
    # the admin site
    "admin.clinic.add": "Clinic added (admin site)",
    "admin.clinic.change": "Clinic changed (admin site)",
    "admin.checkin_settings.change": "Check-in settings changed (admin site)",
    "admin.user.add": "User added (admin site)",
    "admin.user.change": "User changed (admin site)",
    "admin.user.deactivate": "User deactivated (admin site)",
    "admin.user.move_out": "User moved to another clinic (admin site)",
    "admin.token.change": "API token changed (admin site)",
}

#: group (the word before the first dot) -> its heading in the action filter.
GROUP_LABELS: dict[str, str] = {
    "patient": "Patients",
    "trial": "Antidepressant trials",
    "screen": "Contraindication screens",
    "consent": "Consent",
    "chart": "Charts opened",
    "course": "Courses",
    "planned": "Planned sessions",
    "measure": "Measures",
    "alert": "Alerts",
    "checkin": "Self-report check-ins",
    "session": "Sessions at the chair",
    "vital": "Vital signs",
    "rems": "REMS forms",
    "staff": "Staff accounts",
    "auth": "Sign-in",
    "mfa": "Second factor",
    "clinic": "Clinic settings",
    "password": "Passwords",
    "token": "API tokens",
    "admin": "Admin site",
}


def group_of(action: str) -> str:
    return action.split(".", 1)[0]


def action_label(action: str) -> str:
    """The label of ``action``; an unknown one (an old row) reads as its own name."""
    return ACTION_LABELS.get(action, action.replace("_", " ").replace(".", ": "))


def grouped_actions() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """``[(group, heading, [(action, label), ...]), ...]`` in the order above, for the filter."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action, label in ACTION_LABELS.items():
        groups.setdefault(group_of(action), []).append((action, label))
    return [(g, GROUP_LABELS.get(g, g.capitalize()), items) for g, items in groups.items()]
