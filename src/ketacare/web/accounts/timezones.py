"""Each clinic works in its own time zone (``Clinic.time_zone``, else ``TIME_ZONE``).

``ClinicTimezoneMiddleware`` activates the signed-in user's clinic zone for the request, so forms
read a ``datetime-local`` value, templates print times and ``timezone.localdate()`` gives "today"
in the clinic's zone; stored times stay timezone-aware UTC. The API activates it in ``api_user``
for token holders too, so a date-time without a zone is read in the clinic's zone (documented in
docs/web.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ketacare.web.lib.zone import clinic_zone

__all__ = ["ClinicTimezoneMiddleware", "activate_for", "clinic_zone"]


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
