"""Treatment courses: a protocol from the core's library, the planned sessions from the core's
schedule generator, and the course's status history (who moved it and why)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from ketacare.core import treatment as core_treatment


class CourseStatus(models.TextChoices):
    INDUCTION = "induction", "Induction"
    REVIEW = "review", "Review at end of induction"
    MAINTENANCE = "maintenance", "Maintenance"
    ENDED = "ended", "Ended"


#: the allowed moves of a course: the core's rule (``ketacare.core.treatment``)
COURSE_TRANSITIONS = core_treatment.COURSE_TRANSITIONS


class Course(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="courses")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="courses"
    )
    protocol_id = models.CharField(max_length=40)
    drug = models.CharField(max_length=20)
    route = models.CharField(max_length=4)
    start_date = models.DateField()
    weight_kg = models.FloatField()
    status = models.CharField(
        max_length=12, choices=CourseStatus.choices, default=CourseStatus.INDUCTION
    )
    indication = models.CharField(
        max_length=200, blank=True, default="treatment-resistant depression"
    )
    baseline_measure = models.ForeignKey(
        "measures.Measure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    schedule = models.JSONField(default=list, help_text="the core's plan_schedule result")
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses_prescribed"
    )
    eligibility_override_reason = models.TextField(
        blank=True, help_text="a prescriber's reason to start despite the contraindication screen"
    )
    eligibility_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concurrent_reason = models.TextField(
        blank=True, help_text="a prescriber's reason for a second concurrent active course"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["clinic", "status"])]

    def __str__(self) -> str:
        return f"{self.protocol_id} from {self.start_date}"

    @property
    def protocol_name(self) -> str:
        """The protocol's name in the core's library (its id if the library no longer has it)."""
        from ketacare.core import protocols as core_protocols
        from ketacare.core.errors import InputError

        try:
            return core_protocols.get_protocol(self.protocol_id).name
        except InputError:
            return self.protocol_id


class PlannedStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Given"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class PlannedSession(models.Model):
    """One session of the core's schedule (``ketacare.core.protocols.PlannedSession``)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="planned_sessions")
    index = models.PositiveSmallIntegerField()
    date = models.DateField(db_index=True)
    phase = models.CharField(max_length=40)
    step = models.PositiveSmallIntegerField(default=0)
    dose_mg_per_kg = models.FloatField(null=True, blank=True)
    dose_mg = models.FloatField(null=True, blank=True)
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    start_time = models.TimeField(null=True, blank=True, help_text="appointment time")
    chair = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=PlannedStatus.choices, default=PlannedStatus.PLANNED
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["course", "index"]
        constraints = [
            models.UniqueConstraint(fields=["course", "index"], name="planned_session_index_unique")
        ]
        indexes = [models.Index(fields=["clinic", "date"])]

    def __str__(self) -> str:
        return f"#{self.index} {self.date} ({self.phase})"


class CourseEvent(models.Model):
    """A status change or decision on a course, with who and why (and the core's advice)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, default="status")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    reason = models.TextField()
    data = models.JSONField(default=dict, blank=True, help_text="e.g. the core's escalation advice")

    class Meta:
        ordering = ["at", "id"]
