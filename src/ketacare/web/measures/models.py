"""Measures (a scale scored by the core, with the outcome against the course baseline) and alerts
(raised by the core's suicidal-ideation signal, open until a clinician acknowledges them)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Measure(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="measures")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="measures"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="measures"
    )
    scale_id = models.CharField(max_length=20)
    scale_version = models.CharField(max_length=40, blank=True)
    taken_at = models.DateTimeField(db_index=True)
    items = models.JSONField(help_text="the item answers as entered")
    options = models.JSONField(default=dict, blank=True)
    # the core's ScoreResult.to_dict(), and its key values as columns
    result = models.JSONField()
    total = models.FloatField(null=True, blank=True)
    severity = models.CharField(max_length=40, blank=True)
    triage = models.CharField(max_length=20, blank=True)
    # the core's OutcomeResult.to_dict() against the course baseline (if any)
    is_baseline = models.BooleanField(default=False)
    outcome = models.JSONField(null=True, blank=True)
    percent_change = models.FloatField(null=True, blank=True)
    response = models.BooleanField(null=True)
    remission = models.BooleanField(null=True)
    # the core's suicidal-ideation signal (SISignal.to_dict())
    si_signal = models.JSONField(null=True, blank=True)
    si_level = models.CharField(max_length=10, blank=True)
    # who entered it: staff (entered_by) or the patient through a check-in link (no user)
    source = models.CharField(
        max_length=10,
        choices=[("staff", "Staff entry"), ("patient", "Self-report")],
        default="staff",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    withdrawn = models.BooleanField(default=False, help_text="entered in error (kept, not deleted)")
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "scale_id", "taken_at"]),
            # the dashboard's "measures due": the latest measure of each active course
            models.Index(fields=["course", "withdrawn", "taken_at"], name="measure_course_latest"),
        ]
        constraints = [
            # a course's outcomes are judged against one baseline of a scale: two requests at the
            # same instant must not both store one (the service also locks the course row)
            models.UniqueConstraint(
                fields=["course", "scale_id"],
                condition=models.Q(is_baseline=True, withdrawn=False),
                name="measure_one_active_baseline_per_course_scale",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scale_id} {self.total} on {self.taken_at:%Y-%m-%d}"


class AlertLevel(models.TextChoices):
    WATCH = "watch", "Watch"
    POSITIVE = "positive", "Positive"
    URGENT = "urgent", "Urgent"


class Alert(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="alerts")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="alerts")
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    kind = models.CharField(max_length=30, default="suicidal_ideation")
    level = models.CharField(max_length=10, choices=AlertLevel.choices)
    reason = models.TextField()
    source = models.TextField(blank=True)
    raised_at = models.DateTimeField(auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["clinic", "acknowledged_at"])]

    def __str__(self) -> str:
        # how an alert reads where it is named (the audit trail's "what changed")
        kind = self.kind.replace("_", " ").capitalize()
        when = f", {self.raised_at:%Y-%m-%d}" if self.raised_at else ""
        return f"{kind} alert ({self.get_level_display().lower()}){when}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
