"""Staff accounts of a clinic, managed by its clinic admin. Accounts are deactivated, never
deleted (their names stay on the records they signed). Each change has an audit entry."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ketacare.core.errors import InputError
from ketacare.web.accounts.models import ApiToken, Clinic, Role, TokenScope, User
from ketacare.web.accounts.permissions import require
from ketacare.web.audit.services import record, snapshot
from ketacare.web.lib.records import DuplicateError

STAFF_FIELDS = ["username", "first_name", "last_name", "email", "role", "is_active"]


def add_staff(
    actor: User,
    *,
    username: str,
    first_name: str,
    last_name: str,
    role: str,
    password: str,
    email: str = "",
) -> User:
    require(actor, "manage_staff")
    if role not in Role.values:
        raise InputError("role", role, "one of " + ", ".join(Role.values))
    if User.objects.filter(username=username).exists():
        raise DuplicateError("username", username, USERNAME_FREE)
    candidate = User(username=username, first_name=first_name, last_name=last_name, email=email)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise InputError("password", "(hidden)", " ".join(exc.messages)) from None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                password=password,
                first_name=first_name,
                last_name=last_name,
                email=email,
                role=role,
                clinic_id=actor.clinic_id,
            )
            record(actor, "staff.add", user, None, snapshot(user, STAFF_FIELDS))
    except IntegrityError as exc:
        if "username" not in str(exc):
            raise
        # two admins adding one user name at once: the unique index refused the second
        raise DuplicateError("username", username, USERNAME_FREE) from exc
    return user


USERNAME_FREE = "a user name not yet in use"


def set_active(actor: User, user: User, *, active: bool, reason: str) -> User:
    require(actor, "manage_staff")
    if user.clinic_id != actor.clinic_id:
        raise InputError("user", user.username, "a member of your clinic")
    if user.pk == actor.pk and not active:
        raise InputError("user", user.username, "another account (you cannot deactivate yourself)")
    if not reason.strip():
        raise InputError("reason", reason, "why the account is changed")
    with transaction.atomic():
        before = snapshot(user, STAFF_FIELDS)
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(actor, "staff.active", user, before, snapshot(user, STAFF_FIELDS), reason)
    return user


def change_role(actor: User, user: User, *, role: str, reason: str) -> Any:
    require(actor, "manage_staff")
    if user.clinic_id != actor.clinic_id:
        raise InputError("user", user.username, "a member of your clinic")
    if user.pk == actor.pk and role != user.role:
        # a clinic admin who could make themselves a prescriber could prescribe
        raise InputError("role", role, "another person's role (nobody changes their own role)")
    if role not in Role.values:
        raise InputError("role", role, "one of " + ", ".join(Role.values))
    if not reason.strip():
        raise InputError("reason", reason, "why the role is changed")
    with transaction.atomic():
        before = snapshot(user, STAFF_FIELDS)
        user.role = role
        user.save(update_fields=["role"])
        record(actor, "staff.role", user, before, snapshot(user, STAFF_FIELDS), reason)
    return user


TOKEN_FIELDS = ["name", "prefix", "scope", "created_at", "expires_at", "revoked_at"]


def issue_token(actor: User, *, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """Issue an API token for ``actor``; return the row and the plain token (shown once, on the
    page that created it). The audit entry names the token by its prefix, never the token."""
    require(actor, "use_api")
    if scope not in TokenScope.values:
        raise InputError("scope", scope, "one of " + ", ".join(TokenScope.values))
    if not 1 <= days <= settings.KETACARE_TOKEN_MAX_DAYS:
        raise InputError("days", str(days), f"1 to {settings.KETACARE_TOKEN_MAX_DAYS} days")
    with transaction.atomic():
        row, plain = ApiToken.issue(actor, name, scope=scope, days=days)
        record(actor, "token.issue", actor, None, snapshot(row, TOKEN_FIELDS))
    return row, plain


def revoke_token(actor: User, row: ApiToken, reason: str = "") -> ApiToken:
    """Revoke ``row`` (the actor's own token, or any token from the admin site)."""
    with transaction.atomic():
        row = ApiToken.objects.select_for_update().select_related("user").get(pk=row.pk)
        if row.revoked_at is not None:
            return row
        before = snapshot(row, TOKEN_FIELDS)
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        if row.user.clinic_id is not None:
            record(actor, "token.revoke", row.user, before, snapshot(row, TOKEN_FIELDS), reason)
    return row


def set_mfa_roles(actor: User, clinic: Clinic, *, roles: list[str], reason: str) -> Clinic:
    """Which roles of the clinic must sign in with a second factor."""
    require(actor, "manage_staff")
    if clinic.pk != actor.clinic_id:
        raise InputError("clinic", str(clinic), "your own clinic")
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise InputError(
            "require_mfa_for", ", ".join(unknown), "roles among " + ", ".join(Role.values)
        )
    if not reason.strip():
        raise InputError("reason", reason, "why the rule is changed")
    with transaction.atomic():
        before = snapshot(clinic, ["require_mfa_for"])
        clinic.require_mfa_for = sorted(set(roles))
        clinic.save(update_fields=["require_mfa_for"])
        record(actor, "clinic.mfa", clinic, before, snapshot(clinic, ["require_mfa_for"]), reason)
    return clinic


def reset_mfa(actor: User, user: User, *, reason: str) -> User:
    """Remove a colleague's authenticator and recovery codes (a lost phone): they set up a new one
    at their next sign-in if their role requires it. Not for oneself."""
    from django_otp.plugins.otp_static.models import StaticDevice  # type: ignore[import-untyped, unused-ignore]  # django-otp has no types (reported or not, by mypy cache state)
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped, unused-ignore]  # django-otp has no types (reported or not, by mypy cache state)

    require(actor, "manage_staff")
    if user.clinic_id != actor.clinic_id:
        raise InputError("user", user.username, "a member of your clinic")
    if user.pk == actor.pk:
        raise InputError("user", user.username, "another account (ask another admin)")
    if not reason.strip():
        raise InputError("reason", reason, "why two-factor sign-in is removed")
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
        record(actor, "mfa.reset", user, None, {"devices_removed": removed}, reason)
    return user
