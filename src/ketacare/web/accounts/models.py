"""Clinics, users with one role each, and API tokens.

A user belongs to one clinic and sees only that clinic's records (every query of clinical data is
filtered by ``clinic``). What each role may do is one table in ``permissions.py``.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class Clinic(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="UTC")
    chairs = models.PositiveSmallIntegerField(default=4, help_text="treatment chairs in the clinic")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a SHA-256 digest of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token for ``user``; return the row and the plain token (shown once)."""
        plain = "kc_" + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user, name=name, digest=cls.digest_of(plain), prefix=plain[:8]
        )
        return row, plain
