"""The API's authentication: a bearer token (``TokenAuth``) or the session, and
:func:`api_user`, which every operation calls first (the permission check and the clinic's time
zone)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from ketacare.web.accounts.models import ApiToken, User
from ketacare.web.accounts.permissions import require
from ketacare.web.accounts.timezones import activate_for
from ketacare.web.lib.api import error_response


class TokenAuth(HttpBearer):
    """``Authorization: Bearer kc_...``: a token issued with ``ApiToken.issue``.

    A revoked or expired token, or one of an inactive user, is refused (401). A ``read`` token
    may only read: any other method answers 403 ``forbidden`` in the one error shape."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        now = timezone.now()
        row = (
            ApiToken.objects.select_related("user", "user__clinic")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        if request.method not in self.SAFE_METHODS and not row.can_write:
            raise PermissionDenied("This token is read-only: issue a read-write token to write.")
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


def _docs_login_required(view: Any) -> Any:
    """The OpenAPI document is for signed-in staff or token holders only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or TokenAuth().authenticate(request, token) is None:
                return error_response(401, "unauthenticated", "Sign in or send a bearer token.")
        return view(request, *args, **kwargs)

    return wrapped


def docs_login_required(view: Any) -> Any:
    """The OpenAPI document is for signed-in staff or token holders only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or TokenAuth().authenticate(request, token) is None:
                return error_response(401, "unauthenticated", "Sign in or send a bearer token.")
        return view(request, *args, **kwargs)

    return wrapped


def api_user(request: HttpRequest, action: str = "use_api") -> User:
    """The authenticated user of an API request, after checking ``action`` (403 otherwise)."""
    user: Any = getattr(request, "auth", None) or request.user
    require(user, action)
    activate_for(user)  # a date-time without a zone is read in the clinic's zone
    return user
