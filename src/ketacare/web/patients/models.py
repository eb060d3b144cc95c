"""Patients: demographics, the history of antidepressant trials, intake screens and consent.

Clinical results (TRD stage, contraindication screen) are computed by ``ketacare.core.intake``
and stored here as the core's result dict plus the key values as columns.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not recorded"


class Patient(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="patients")
    record_number = models.CharField(max_length=40, help_text="the clinic's own record number")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    # intake results from the core (ketacare.core.intake.trd_stage), refreshed when trials change
    trd_stage = models.JSONField(null=True, blank=True)
    is_trd = models.BooleanField(null=True)
    failed_adequate_trials = models.PositiveSmallIntegerField(null=True)
    archived = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "record_number"], name="patient_record_number_unique_in_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class TrialResponse(models.TextChoices):
    """The core's vocabulary (``ketacare.core.intake.TRIAL_RESPONSES``)."""

    NONE = "none", "No response"
    PARTIAL = "partial", "Partial response"
    RESPONSE = "response", "Response"
    REMISSION = "remission", "Remission"
    NOT_TOLERATED = "not_tolerated", "Stopped: not tolerated"
    UNKNOWN = "unknown", "Unknown"


class AntidepressantTrial(models.Model):
    """One past antidepressant trial (input to the core's TRD staging)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="trials")
    drug = models.CharField(max_length=100)
    dose_mg = models.FloatField(null=True, blank=True)
    weeks = models.FloatField(null=True, blank=True)
    adequate = models.BooleanField(null=True, blank=True)
    response = models.CharField(
        max_length=16, choices=TrialResponse.choices, default=TrialResponse.UNKNOWN
    )
    current_episode = models.BooleanField(default=True)
    started = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    withdrawn = models.BooleanField(default=False, help_text="entered in error (kept, not deleted)")
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started", "entered_at"]

    def __str__(self) -> str:
        return f"{self.drug} {self.dose_mg or ''} mg x {self.weeks or '?'} wk"


class ContraindicationScreen(models.Model):
    """The answers to the core's contraindication and caution screen, and its result."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screens")
    drug = models.CharField(max_length=20, blank=True)
    route = models.CharField(max_length=4, blank=True)
    answers = models.JSONField()
    result = models.JSONField()
    eligible = models.BooleanField()
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-screened_at"]


class Consent(models.Model):
    """Consent recorded per treatment series (course)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    given_on = models.DateField()
    scope = models.CharField(max_length=200, help_text="what was consented to")
    document_reference = models.CharField(max_length=200, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on"]
