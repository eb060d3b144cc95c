"""Times shown to staff, in the clinic's time zone (``Clinic.time_zone``, else ``TIME_ZONE``, else
UTC), to the minute; stored times stay timezone-aware UTC. One rule for every app (the accounts
app's ``ClinicTimezoneMiddleware`` activates the same zone for a request)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.utils import timezone


def clinic_zone(clinic: Any) -> dt.tzinfo:
    """The clinic's time zone; an unknown name falls back to the site's ``TIME_ZONE``."""
    for name in (getattr(clinic, "time_zone", None), settings.TIME_ZONE, "UTC"):
        if not name:
            continue
        try:
            return zoneinfo.ZoneInfo(str(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return dt.UTC


def clinic_time(value: dt.datetime | None, clinic: Any, *, with_date: bool = True) -> str:
    """``2026-01-05 09:40 CET`` in the clinic's zone; "" for no time. A string, because a
    template's ``|date`` would turn an aware datetime back to the site's zone."""
    if value is None:
        return ""
    shown = timezone.localtime(value, clinic_zone(clinic))
    return shown.strftime("%Y-%m-%d %H:%M %Z" if with_date else "%H:%M %Z")


def clinic_today(clinic: Any) -> dt.date:
    """Today's date in the clinic's zone."""
    return timezone.localtime(timezone.now(), clinic_zone(clinic)).date()
