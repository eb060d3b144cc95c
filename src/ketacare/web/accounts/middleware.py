"""Session timeouts and the second-factor gate, for every request after authentication.

- Idle timeout: a session unused for ``KETACARE_SESSION_IDLE_MINUTES`` is signed out (to the
  minute: the last-seen time is written at most once a minute, to spare a session write per
  request).
- Absolute timeout: a session older than ``KETACARE_SESSION_MAX_HOURS`` since sign-in is signed
  out however busy it is (``SESSION_COOKIE_AGE`` matches it).
- Second factor: a user with an authenticator who has not typed its code in this session may see
  only the code page; a user whose clinic requires a second factor for their role and who has
  none may see only the enrolment page. Both may sign out. Once settled (code given, or neither
  set up nor required) the session is not asked again: the checks cost queries.

A page request that is refused is redirected (to the sign-in page with the reason, or to the code
page); an API request (``/api/``) goes on as anonymous and the API answers 401 in its error shape,
unless it carries a bearer token.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from ketacare.web.accounts import mfa
from ketacare.web.accounts.events import AUTH_AT, MFA_SETTLED, SEEN_AT

#: the last-seen time is written at most this often (the idle timeout is this precise)
SEEN_PRECISION_SECONDS = 60


class AccountSecurityMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            refused = self._timeouts(request)
            if refused is None and request.user.is_authenticated:
                refused = self._second_factor(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _timeouts(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = time.time()
        auth_at = session.get(AUTH_AT)
        seen_at = session.get(SEEN_AT)
        why = ""
        if seen_at is not None and now - seen_at > settings.KETACARE_SESSION_IDLE_MINUTES * 60:
            why = "idle"
        elif auth_at is not None and now - auth_at > settings.KETACARE_SESSION_MAX_HOURS * 3600:
            why = "max"
        if not why:
            if auth_at is None:  # a session from before this middleware, or force_login
                session[AUTH_AT] = now
            if seen_at is None or now - seen_at >= SEEN_PRECISION_SECONDS:
                session[SEEN_AT] = now  # not on every request: a session write costs a query
            return None
        request._kc_logout_reason = (  # type: ignore[attr-defined]  # an attribute this middleware sets on the request
            f"session timeout ({'idle' if why == 'idle' else 'longest session'})"
        )
        logout(request)
        if _is_api(request):
            return None
        query = urlencode({"expired": why, "next": request.get_full_path()})
        return redirect(f"{settings.LOGIN_URL}?{query}")

    def _second_factor(self, request: HttpRequest) -> HttpResponse | None:
        user: Any = request.user
        session = request.session
        if session.get(MFA_SETTLED):
            return None
        if user.is_verified():
            session[MFA_SETTLED] = True
            return None
        if mfa.has_mfa(user):
            target = reverse("accounts:mfa_verify")
        elif mfa.must_enrol(user):
            target = reverse("accounts:mfa_enrol")
        else:
            # no second factor and none required: settled for this session (a clinic rule added
            # later applies from the next sign-in, which starts a new session)
            session[MFA_SETTLED] = True
            return None
        request.kc_mfa_pending = True  # type: ignore[attr-defined]  # base.html hides the nav
        if request.path in (target, reverse("accounts:logout")) or request.path.startswith(
            "/" + settings.STATIC_URL.lstrip("/")
        ):
            return None
        if _is_api(request):
            request.user = AnonymousUser()
            return None
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")
