"""Self-report check-ins: a clinic's settings, a patient's enrolment (channel, contact, consent,
quiet hours, schedule) and each check-in sent (its link stored only as a SHA-256 hash).

The cadence rules and due dates are the core's (``ketacare.core.checkins``); the rows here store
the inputs (rule id, interval change, pause) and what happened (sent, opened, completed, missed).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

DEFAULT_CRISIS_TEXT = (
    "If you are thinking about harming yourself or feel unsafe, call or text 988 now "
    "(Suicide & Crisis Lifeline, US). In an emergency call 911."
)


class CheckinSettings(models.Model):
    """One clinic's check-in settings (created with defaults on first use)."""

    clinic = models.OneToOneField(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="checkin_settings"
    )
    link_hours = models.PositiveSmallIntegerField(
        default=72, help_text="hours a check-in link stays valid"
    )
    confirm_date_of_birth = models.BooleanField(
        default=True, help_text="the patient confirms their date of birth before the questions"
    )
    crisis_text = models.TextField(default=DEFAULT_CRISIS_TEXT)
    on_call_email = models.EmailField(blank=True, help_text="suicidal-ideation alerts go here")
    admin_email = models.EmailField(blank=True, help_text="unacknowledged alerts escalate here")
    escalate_after_minutes = models.PositiveIntegerField(default=60)
    default_rule = models.CharField(max_length=60, default="moodmonitor-14")
    protocol_rules = models.JSONField(
        default=dict,
        blank=True,
        help_text='protocol id -> cadence rule id, e.g. {"iv-racemic": ...}',
    )
    reminder_hours = models.JSONField(default=list, blank=True, help_text="e.g. [24, 72]")
    missed_after_hours = models.PositiveSmallIntegerField(default=96)
    worsening_rise = models.FloatField(
        null=True, blank=True, help_text="points of rise that raise a worsening alert (empty: core)"
    )
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"check-in settings of {self.clinic}"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message (SMS)"


class Enrolment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="checkin_enrolment"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    contact = models.CharField(max_length=200, help_text="email address or phone number")
    consent_to_contact = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    quiet_start = models.TimeField(
        null=True, blank=True, help_text="no messages from (clinic time)"
    )
    quiet_end = models.TimeField(null=True, blank=True, help_text="until (clinic time)")
    rule_id = models.CharField(max_length=60)
    every_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="the prescriber's interval instead of the rule's"
    )
    paused = models.BooleanField(default=False)
    paused_reason = models.CharField(max_length=300, blank=True)
    enrolled_on = models.DateField()
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    @property
    def active(self) -> bool:
        return self.consent_to_contact and self.opted_out_at is None and not self.paused


class CheckinStatus(models.TextChoices):
    SENT = "sent", "Sent"
    OPENED = "opened", "Opened"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (CheckinStatus.SENT, CheckinStatus.OPENED)


class CheckIn(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="checkins"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scales = models.JSONField(help_text="scale ids asked, in order")
    due_on = models.DateField()
    kind = models.CharField(max_length=20, default="cadence")
    reason = models.CharField(max_length=300, blank=True)
    rule_source = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=CheckinStatus.choices, default=CheckinStatus.SENT
    )
    # sha256 hex of the link's token; the token itself is never stored
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=5, blank=True, help_text="empty: link handed out (API)")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    measures = models.JSONField(default=list, blank=True, help_text="uuids of the measures stored")
    crisis_shown = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-due_on", "-id"]
        indexes = [models.Index(fields=["clinic", "status"])]


class AlertNotice(models.Model):
    """An email about an alert: to the on-call address when raised, to the admin on escalation."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey("measures.Alert", on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=10)  # "on_call" | "escalated"
    to = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "kind"], name="alert_notice_once_per_kind")
        ]


class LinkRequest(models.Model):
    """A patient asked for a new link from an expired or used one (the clinic sends it)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    checkin = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="link_requests")
    requested_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
