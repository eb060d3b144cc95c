"""Each clinic works in its own time zone (``Clinic.time_zone``, else ``TIME_ZONE``).

``ClinicTimezoneMiddleware`` activates the signed-in user's clinic zone for the request, so forms
read a ``datetime-local`` value, templates print times and ``timezone.localdate()`` gives "today"
in the clinic's zone; stored times stay timezone-aware UTC. The API activates it in ``api_user``
for token holders too, so a date-time without a zone is read in the clinic's zone (documented in
docs/web.md).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
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


def activate_for(user: Any) -> None:
    clinic = getattr(user, "clinic", None) if getattr(user, "is_authenticated", False) else None
    if clinic is not None:
        timezone.activate(clinic_zone(clinic))
    else:
        timezone.deactivate()


class ClinicTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        activate_for(request.user)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
