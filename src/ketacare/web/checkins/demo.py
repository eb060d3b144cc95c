"""Check-ins in ``ketacare demo``: one patient enrolled by email with three answered check-ins
(PHQ-9, improving), and at every start of the demo a fresh due check-in whose link is printed
(only its hash is stored, so the link cannot be shown again later). Synthetic people only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

DEMO_EMAIL = "patient.demo@example.org"
#: PHQ-9 answers of the three past check-ins (totals 14, 10, 7; item 9 always 0)
ANSWERS = (
    [2, 2, 2, 2, 2, 1, 1, 2, 0],
    [2, 1, 1, 2, 1, 1, 1, 1, 0],
    [1, 1, 1, 1, 1, 1, 0, 1, 0],
)


def _demo_enrolment() -> Any:
    from ketacare.web.checkins.models import Enrolment

    return Enrolment.objects.filter(contact=DEMO_EMAIL).select_related("patient", "clinic").first()


def seed_checkins(clinic: Any, courses: list[Any], staff: dict[str, Any]) -> Iterator[str]:
    from ketacare.web.checkins import services
    from ketacare.web.checkins.models import CheckIn
    from ketacare.web.courses.models import Course
    from ketacare.web.measures.models import Alert, Measure

    active = Course.objects.filter(
        pk__in=[c.pk for c in courses], status__in=("maintenance", "induction")
    )
    course = active.select_related("patient").order_by("status", "start_date").first()
    if course is None:
        return
    patient = course.patient
    s = services.settings_for(clinic)
    s.on_call_email = "oncall@demo.example"
    s.admin_email = "admin@demo.example"
    s.save()
    today = timezone.localdate()
    enrolment = services.enrol(
        staff["prescriber"],
        patient,
        channel="email",
        contact=DEMO_EMAIL,
        consent_to_contact=True,
        rule_id="moodmonitor-14",
        course=course,
        today=today - dt.timedelta(days=42),
    )
    for i, items in enumerate(ANSWERS):
        at = timezone.now() - dt.timedelta(days=42 - 14 * i, hours=2)
        checkin, _ = services.create_checkin(staff["nurse"], patient, scales=["phq9"], send=False)
        result = services.submit(checkin, {"phq9": items}, now=at)
        sent = at - dt.timedelta(hours=3)
        # the events' own times, as the rest of the demo data (ketacare.web.demo)
        CheckIn.objects.filter(pk=checkin.pk).update(
            due_on=at.date(), created_at=sent, sent_at=sent, kind="cadence"
        )
        ids = [m.pk for m in result.measures]
        Measure.objects.filter(pk__in=ids).update(entered_at=at)
        Alert.objects.filter(measure_id__in=ids).update(raised_at=at)
    yield f"Check-ins: {patient.full_name} enrolled ({enrolment.rule_id}), 3 answered."


def due_link() -> Iterator[str]:
    """A fresh due check-in for the demo patient (an open one is cancelled): its link."""
    from ketacare.web.checkins import services
    from ketacare.web.checkins.models import OPEN_STATUSES, CheckIn

    enrolment = _demo_enrolment()
    if enrolment is None:
        return
    from ketacare.web.audit.services import record, snapshot

    with transaction.atomic():
        for old in CheckIn.objects.filter(patient=enrolment.patient, status__in=OPEN_STATUSES):
            before = snapshot(old)
            old.status = "cancelled"
            old.save(update_fields=["status"])
            record(None, "checkin.cancel", old, before, snapshot(old), "demo restarted")
    due = services.next_due_for(enrolment)
    if due.date > timezone.localdate():
        due = type(due)(timezone.localdate(), "cadence", "due today (demo)", due.rule, due.source)
    _, token = services.create_checkin(None, enrolment.patient, due=due)
    patient = enrolment.patient
    yield (
        f"A due check-in for {patient.full_name} (the email is printed above by the console "
        f"backend): {services.link_url(token)}"
    )
    yield f"  the page asks the patient's date of birth: {patient.date_of_birth.isoformat()}"
