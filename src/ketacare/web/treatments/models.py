"""A treatment session at the chair and what is recorded during it.

The web layer stores the inputs and the core's results (result dicts as JSON plus the key values
as columns for querying); it never computes a clinical number itself:

- gates: ``ketacare.core.safety.evaluate_gates`` -> ``gate_report`` / ``gates_overall``
- dose: ``ketacare.core.protocols.calculate_dose`` -> ``dose_result`` / ``dose_mg`` ...
- vitals: ``ketacare.core.safety.check_vitals`` -> ``VitalSign.alerts`` / ``out_of_range``
- MOAA/S, CADSS, Aldrete: ``ketacare.core.scales.score`` + ``sedation_followup`` /
  ``dissociation_followup`` -> ``ScaleRating.result`` / ``followup``
- observation: ``ketacare.core.safety.observation_window`` -> ``observation_until``
- discharge: ``ketacare.core.safety.discharge_readiness`` -> ``discharge`` / ``discharge_ready``

The REMS form's submission is a ``RemsSubmission`` row (corrections are new rows, the old one
superseded); an out-of-range ``VitalSign`` stays an open alert until acknowledged with a note.

A signed session is locked: later changes are ``Amendment`` rows (before/after and a reason).
Nothing is deleted: a vital sign, rating or adverse event entered in error is withdrawn.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class SessionStatus(models.TextChoices):
    OPEN = "open", "Open"
    SIGNED = "signed", "Signed and locked"


class TreatmentSession(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    planned = models.OneToOneField(
        "courses.PlannedSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_session",
    )
    date = models.DateField(db_index=True)
    chair = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    weight_kg = models.FloatField(help_text="weight used for the dose (from the course)")

    # pre-dose checklist (inputs) and the core's gate report
    systolic = models.FloatField(null=True, blank=True)
    diastolic = models.FloatField(null=True, blank=True)
    fasting_hours = models.FloatField(null=True, blank=True)
    liquids_minutes = models.FloatField(null=True, blank=True)
    nasal_medicine_minutes = models.FloatField(
        null=True,
        blank=True,
        help_text="minutes since a nasal corticosteroid or decongestant (esketamine; empty: none)",
    )
    ride_home = models.BooleanField(null=True, blank=True)
    rems_enrolled = models.BooleanField(null=True, blank=True)
    checklist_at = models.DateTimeField(
        null=True, blank=True, help_text="when the pre-dose checklist was done"
    )
    gate_report = models.JSONField(null=True, blank=True)
    gates_overall = models.CharField(max_length=20, blank=True)
    gate_note = models.TextField(blank=True, help_text="the prescriber's decision on a gate")
    gate_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # the dose from the core
    dose_result = models.JSONField(null=True, blank=True)
    dose_mg = models.FloatField(null=True, blank=True)
    dose_mg_per_kg = models.FloatField(null=True, blank=True)
    dose_override = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    dose_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dose_overrides = models.JSONField(
        default=list,
        blank=True,
        help_text="every dose recorded above the protocol maximum: dose, reason, who, when (kept "
        "when the dose changes again)",
    )
    dose_cleared = models.BooleanField(
        default=True,
        help_text="False when a later checklist blocks or needs the prescriber after the dose "
        "was recorded: the dose is kept but must be re-confirmed (recorded again) before "
        "administering",
    )

    # administration
    lot_number = models.CharField(max_length=60, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    first_device_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    observation_until = models.DateTimeField(
        null=True, blank=True, help_text="the core's observation_window (esketamine)"
    )

    # discharge (the core's decision)
    discharge = models.JSONField(null=True, blank=True)
    discharge_ready = models.BooleanField(null=True)
    discharged_at = models.DateTimeField(null=True, blank=True)

    early_discharge_kind = models.CharField(
        max_length=10, blank=True, help_text="'early' or 'transfer', recorded by a prescriber"
    )
    early_discharge_reason = models.TextField(blank=True)
    early_discharge_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    early_discharge_at = models.DateTimeField(null=True, blank=True)

    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "treatment session"
        indexes = [
            models.Index(fields=["clinic", "date"]),
            models.Index(fields=["clinic", "status", "date"]),
            models.Index(fields=["patient", "date"]),
        ]

    def __str__(self) -> str:
        return f"session {self.date} ({self.get_status_display().lower()})"

    @property
    def is_signed(self) -> bool:
        return self.status == SessionStatus.SIGNED

    @property
    def dose_start(self) -> object:
        """When dosing started: the first device for esketamine, else the start time."""
        return self.first_device_at or self.started_at


class VitalSign(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="vitals")
    taken_at = models.DateTimeField()
    minute = models.IntegerField(
        null=True, blank=True, help_text="timepoint of the core's monitoring schedule"
    )
    systolic = models.FloatField(null=True, blank=True)
    diastolic = models.FloatField(null=True, blank=True)
    heart_rate = models.FloatField(null=True, blank=True)
    spo2 = models.FloatField(null=True, blank=True)
    resp_rate = models.FloatField(null=True, blank=True)
    alerts = models.JSONField(default=list, blank=True, help_text="the core's check_vitals")
    out_of_range = models.BooleanField(default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    withdrawn = models.BooleanField(default=False)
    # an out-of-range row stays an open alert until a prescriber or nurse acknowledges it
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledge_note = models.TextField(blank=True)

    class Meta:
        ordering = ["taken_at", "id"]
        indexes = [
            models.Index(
                fields=["clinic", "taken_at"],
                condition=models.Q(out_of_range=True, acknowledged_at__isnull=True),
                name="vitals_open_alert_idx",
            )
        ]
        verbose_name = "vital signs"
        verbose_name_plural = "vital signs"

    def alert_fields(self) -> set[str]:
        return {a["field"] for a in self.alerts}


class ScaleRating(models.Model):
    """MOAA/S, CADSS or the modified Aldrete at a timepoint, scored by the core."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="ratings")
    scale_id = models.CharField(max_length=20)
    minute = models.IntegerField(null=True, blank=True)
    taken_at = models.DateTimeField()
    items = models.JSONField()
    result = models.JSONField(help_text="the core's ScoreResult.to_dict()")
    total = models.IntegerField(null=True, blank=True)
    followup = models.JSONField(null=True, blank=True, help_text="the core's FollowUp.to_dict()")
    followup_decision = models.CharField(max_length=20, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["taken_at", "id"]


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class AdverseEvent(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="adverse_events"
    )
    onset_at = models.DateTimeField()
    description = models.CharField(max_length=300)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    serious = models.BooleanField(default=False)
    action_taken = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["onset_at", "id"]


class Amendment(models.Model):
    """A change to a signed session: what it was, what it became, who and why."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="amendments"
    )
    action = models.CharField(max_length=40)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class RemsSubmission(models.Model):
    """That the session's REMS Patient Monitoring Form was submitted (to the REMS portal), when,
    by whom and its confirmation. One active row per session; a correction is a new row with a
    reason and the row it corrects is marked superseded (kept, never overwritten)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="rems_submissions"
    )
    submitted_on = models.DateField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmation = models.CharField(
        max_length=100, help_text="the REMS portal's confirmation (e.g. its number)"
    )
    reason = models.TextField(blank=True, help_text="why this row corrects the previous one")
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(superseded_at__isnull=True),
                name="rems_one_active_submission",
            )
        ]

    def __str__(self) -> str:
        return f"REMS form submitted {self.submitted_on} ({self.confirmation})"

    @property
    def is_active(self) -> bool:
        return self.superseded_at is None
