"""Login required everywhere except the pages marked ``login_not_required`` (login, health).

The JSON API under /api/ authenticates itself (session or bearer token) and answers 401 in the
API's error shape instead of redirecting to the login page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as _Base
from django.http import HttpRequest


class LoginRequiredMiddleware(_Base):
    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> Any:
        if request.path.startswith("/api/") or request.path.startswith("/static/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
