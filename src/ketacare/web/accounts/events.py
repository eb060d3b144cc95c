"""Sign-in events on the audit trail: sign-in, sign-out, a failed sign-in, a lockout.

Django's login view and django-axes report these only through signals (``user_logged_in``,
``user_logged_out``, ``user_login_failed``, ``axes.signals.user_locked_out``), so the receivers
here are the one place they are written. They are connected in ``AccountsConfig.ready``; clinical
writes still go through service functions, never signals.

An entry needs a clinic: a failed sign-in for a user name that does not exist, or for a site
superuser without a clinic, is recorded only by axes (``AccessAttempt``/``AccessFailureLog``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ketacare.web.accounts.models import User
from ketacare.web.audit.services import record

#: session keys of the session timeouts (seconds since the epoch)
AUTH_AT = "_kc_auth_at"
SEEN_AT = "_kc_seen_at"
#: session key: the second factor was given, or is neither set up nor required
MFA_SETTLED = "_kc_mfa_settled"


def client_ip(request: Any) -> str:
    if request is None:
        return ""
    return str(getattr(request, "axes_ip_address", "") or request.META.get("REMOTE_ADDR", ""))


def audit_account(
    actor: Any, action: str, user: User | None, after: dict[str, Any], reason: str = ""
) -> None:
    """One audit entry about ``user``'s account (skipped for a user without a clinic)."""
    if user is None or user.clinic_id is None:
        return
    with transaction.atomic():
        record(actor, action, user, None, after, reason)


def _user_named(username: Any) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=str(username)).first()


def on_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    import time

    from ketacare.web.accounts import mfa

    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[AUTH_AT] = now
        request.session[SEEN_AT] = now
        # decided once at sign-in, so that pages do not ask on every request
        if not mfa.has_mfa(user) and not mfa.must_enrol(user):
            request.session[MFA_SETTLED] = True
    audit_account(user, "auth.login", user, {"ip": client_ip(request)})


def on_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    reason = getattr(request, "_kc_logout_reason", "") if request is not None else ""
    audit_account(user, "auth.logout", user, {"ip": client_ip(request)}, reason)


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any, **kwargs: Any) -> None:
    user = _user_named(credentials.get("username"))
    audit_account(None, "auth.login_failed", user, {"ip": client_ip(request)})


def on_locked_out(sender: Any, request: Any, username: Any, ip_address: Any, **kwargs: Any) -> None:
    user = _user_named(username)
    audit_account(None, "auth.lockout", user, {"ip": str(ip_address or "")})


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_login, dispatch_uid="ketacare.accounts.login")
    user_logged_out.connect(on_logout, dispatch_uid="ketacare.accounts.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="ketacare.accounts.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="ketacare.accounts.locked_out")
