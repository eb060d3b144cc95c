"""Times shown to staff: in the clinic's time zone (``Clinic.time_zone``, else ``TIME_ZONE``), to
the minute. Stored times stay timezone-aware UTC; this is display only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ketacare.web.accounts.timezones import clinic_zone

__all__ = ["clinic_time", "clinic_today", "clinic_zone"]


def clinic_today(clinic: Any) -> dt.date:
    return timezone.localtime(timezone.now(), clinic_zone(clinic)).date()


def clinic_time(value: dt.datetime | None, clinic: Any, *, with_date: bool = True) -> str:
    """``2026-01-05 09:40 UTC`` (or ``09:40 UTC``) in the clinic's zone; "" for no time."""
    if value is None:
        return ""
    local = timezone.localtime(value, clinic_zone(clinic))
    return local.strftime("%Y-%m-%d %H:%M %Z" if with_date else "%H:%M %Z")
