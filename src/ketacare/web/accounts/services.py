"""Staff accounts of a clinic, managed by its clinic admin. Accounts are deactivated, never
deleted (their names stay on the records they signed). Each change has an audit entry."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ketacare.core.errors import InputError
from ketacare.web.accounts.models import Role, User
from ketacare.web.accounts.permissions import require
from ketacare.web.audit.services import record, snapshot
from ketacare.web.core_app.records import DuplicateError

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
