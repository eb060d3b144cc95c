"""Who may open the evidence pages (actions of the one table in ``accounts.permissions``).

- ``view_evidence`` (every role): the trial records, study pages and pooled analyses. They hold
  published data only, no patient data.
- ``view_aggregates`` (clinic admins, prescribers, researchers; not front desk or nurses): the
  clinic beside the literature, which shows the clinic's own aggregate response and remission
  rates (never a patient-level row, never another clinic's data; groups of fewer than
  ``SMALL_CELL`` followed courses are suppressed).
"""

from __future__ import annotations

VIEW_EVIDENCE = "view_evidence"
VIEW_CLINIC_VS_LITERATURE = "view_aggregates"
