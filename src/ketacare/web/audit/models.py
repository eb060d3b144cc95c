"""The audit trail: one append-only row per clinical action (who, when, what, before/after, why).

Append-only three times over: the model refuses ``save()`` of a saved row and ``delete()``; its
queryset refuses ``update()``, ``delete()`` and ``bulk_update()``; and the database itself refuses
UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) by triggers that migration ``0006_append_only``
creates. Each row is also a link of its clinic's hash chain (``seq``, ``prev_hash``, ``hash``:
see ``audit.chain``), so an edit, a gap or an insertion made past the triggers is found by
``ketacare audit-verify``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAppendOnlyError(RuntimeError):
    """An audit entry was to be changed or deleted: the trail is append-only."""


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditAppendOnlyError("audit entries are append-only: update() refused")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnlyError("audit entries are never deleted: delete() refused")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AuditAppendOnlyError("audit entries are append-only: bulk_update() refused")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditAppendOnlyError("audit entries are append-only: update_or_create() refused")


AuditEntryManager = models.Manager.from_queryset(AppendOnlyQuerySet)


class AuditEntry(models.Model):
    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    # set by ``chain.append`` (not ``auto_now_add``: the time is part of the entry's hash)
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_uuid = models.UUIDField(db_index=True)
    # the patient the audited object is, or belongs to (set by ``services.record``); empty for
    # records of no patient (staff accounts)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    # the hash chain of the clinic (``audit.chain``): position 1, 2, 3... in the clinic's trail,
    # the hash of the entry before (64 zeros for the first) and this entry's own SHA-256
    seq = models.PositiveBigIntegerField(editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEntryManager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["clinic", "-at"])]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "seq"], name="audit_entry_one_per_position")
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditAppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnlyError("audit entries are never deleted")
