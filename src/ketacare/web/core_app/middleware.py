"""Site-wide middleware.

- ``LoginRequiredMiddleware``: login required everywhere except the pages marked
  ``login_not_required`` (login, health). The JSON API under /api/ authenticates itself (session
  or bearer token) and answers 401 in the API's error shape instead of redirecting to the login
  page.
- ``ConflictMiddleware``: a conflict no page view caught answers a 409 page, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as _Base
from django.db import IntegrityError
from django.http import HttpRequest
from django.shortcuts import render

from ketacare.web.core_app.records import INTEGRITY_MESSAGE, ConflictError, integrity_fields

logger = logging.getLogger(__name__)


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
    The JSON API answers these itself in its one error shape (``core_app.api``).
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
        return render(request, "core_app/conflict.html", context, status=409)
