"""Clinics, users with one role each, and API tokens.

A user belongs to one clinic and sees only that clinic's records (every query of clinical data is
filtered by ``clinic``). What each role may do is one table in ``permissions.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Clinic(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="UTC")
    chairs = models.PositiveSmallIntegerField(default=4, help_text="treatment chairs in the clinic")
    require_mfa_for = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            "roles that must sign in with a second factor, e.g. "
            '["prescriber", "clinic_admin"]; they enrol before anything else'
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def requires_mfa(self, role: str) -> bool:
        return role in (self.require_mfa_for or [])


class Role(models.TextChoices):
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    PRESCRIBER = "prescriber", "Prescriber"
    NURSE = "nurse", "Nurse"
    FRONT_DESK = "front_desk", "Front desk"
    RESEARCHER = "researcher", "Researcher"


class User(AbstractUser):
    """A member of staff. ``clinic`` is empty only for site superusers (Django admin)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a SHA-256 digest of the token is stored.

    A token expires (``expires_at``, at most ``KETACARE_TOKEN_MAX_DAYS`` after issue) and has a
    scope: a ``read`` token may only read (GET, HEAD, OPTIONS); ``accounts.api.TokenAuth`` refuses
    anything else with 403.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE

    @classmethod
    def issue(
        cls, user: User, name: str, *, scope: str = TokenScope.READ, days: int | None = None
    ) -> tuple[ApiToken, str]:
        """Create a token for ``user``; return the row and the plain token (shown once).

        ``days`` defaults to ``KETACARE_TOKEN_DAYS``; more than ``KETACARE_TOKEN_MAX_DAYS`` is
        refused (ValueError), as is an unknown scope."""
        if days is None:
            days = settings.KETACARE_TOKEN_DAYS
        if not 1 <= days <= settings.KETACARE_TOKEN_MAX_DAYS:
            raise ValueError(f"days={days}: allowed 1..{settings.KETACARE_TOKEN_MAX_DAYS}")
        if scope not in TokenScope.values:
            raise ValueError(f"scope={scope!r}: allowed {TokenScope.values}")
        plain = "kc_" + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user,
            name=name,
            digest=cls.digest_of(plain),
            prefix=plain[:8],
            scope=scope,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        return row, plain
