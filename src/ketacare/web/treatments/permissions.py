"""Who may do what at the chair. The rules live in the one role table
(``ketacare.web.accounts.permissions.PERMISSIONS``); this module names the actions this app uses.

- ``view_clinical``: open a session page, the REMS form, read the API (prescriber, nurse)
- ``record_session``: open a session, checklist, dose within limits, times, vitals, ratings,
  adverse events, discharge (prescriber, nurse)
- ``sign_session``: sign and lock; amend a signed session with a reason (prescriber, nurse)
- ``override_dose``: a dose above the protocol maximum, with a reason (prescriber only)
- ``prescribe``: the prescriber's decision on a gate that needs one (prescriber only)
- ``acknowledge_alert``: acknowledge an out-of-range vital sign with a note (prescriber, nurse)
"""

from __future__ import annotations

from ketacare.web.accounts.permissions import can, permission_required, require

VIEW = "view_clinical"
RECORD = "record_session"
SIGN = "sign_session"
OVERRIDE = "override_dose"
DECIDE_GATE = "prescribe"
ACKNOWLEDGE_VITAL = "acknowledge_alert"

__all__ = [
    "ACKNOWLEDGE_VITAL",
    "DECIDE_GATE",
    "OVERRIDE",
    "RECORD",
    "SIGN",
    "VIEW",
    "can",
    "permission_required",
    "require",
]
