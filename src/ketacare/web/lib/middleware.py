"""Site-wide middleware.

- ``LoginRequiredMiddleware``: login required everywhere except the pages marked
  ``login_not_required`` (login, health). The JSON API under /api/ authenticates itself (session
  or bearer token) and answers 401 in the API's error shape instead of redirecting to the login
  page.
- ``ConflictMiddleware``: a conflict no page view caught answers a 409 page, never a 500.
- ``RequestLogMiddleware``: one structured log line per request (``ketacare.request``), with a
  request id that the response carries back in ``X-Request-ID``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as _Base
from django.db import IntegrityError
from django.http import HttpRequest
from django.shortcuts import render

from ketacare.web.lib.records import INTEGRITY_MESSAGE, ConflictError, integrity_fields

logger = logging.getLogger(__name__)

#: a patient's check-in link (/c/<token>/): the token is a secret and is never logged
_CHECKIN_LINK = re.compile(r"^(/c/)[^/]+")


class LoginRequiredMiddleware(_Base):
    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> Any:
        if request.path.startswith("/api/") or request.path.startswith("/static/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ConflictMiddleware:
    """The pages' safety net for conflicts: a ``ConflictError`` or an ``IntegrityError`` that
    escapes a page view answers a 409 page ("nothing was saved; reload and try again") instead of
    a 500. A view that shows the error beside its form field catches the error itself and answers
    409 with the form; this only catches what no view caught.

    A middleware rather than a decorator: it covers every page view, including ones added later
    and ones whose author did not think of the race, from one place in ``settings.MIDDLEWARE``.
    The JSON API answers these itself in its one error shape (``clinic.api``).
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, ConflictError):
            message, fields = exception.message, exception.fields
        elif isinstance(exception, IntegrityError):
            logger.warning(
                "IntegrityError escaped a view: %s %s",
                request.method,
                request.path,
                exc_info=exception,
            )
            message, fields = INTEGRITY_MESSAGE, integrity_fields(exception)
        else:
            return None
        context = {"message": message, "fields": fields, "back": request.get_full_path()}
        return render(request, "lib/conflict.html", context, status=409)


request_logger = logging.getLogger("ketacare.request")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestLogMiddleware:
    """Log each request as one line of logger ``ketacare.request``: request id, user id, clinic
    id, method, path, status and duration in milliseconds.

    The path is logged without its query string: a patient search (``/patients/?q=...``) puts
    a name or a date of birth there. Ids only, never names. The request id is the proxy's
    ``X-Request-ID`` when it is a plain token (at most 64 letters, digits and ``._:-``; anything
    else could forge log lines), otherwise a new one; the response returns it in
    ``X-Request-ID`` so a person reporting an error can quote it.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # an attribute this middleware sets on the request
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated
            path = _CHECKIN_LINK.sub(r"\1[link]", request.path)
            fields = {
                "request_id": request_id,
                "user_id": user.pk if signed_in else None,  # type: ignore[union-attr]  # signed_in is true only with a user
                "clinic_id": getattr(user, "clinic_id", None) if signed_in else None,
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            request_logger.info("%s %s %s", request.method, path, status, extra=fields)
