"""Site-wide views: the health page."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from ketacare import __version__


def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 with ``{"status": "ok"}`` when the database answers; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the page must answer whatever the database does
        return JsonResponse(
            {"status": "error", "database": type(exc).__name__, "version": __version__}, status=503
        )
    return JsonResponse({"status": "ok", "database": connection.vendor, "version": __version__})
