"""Demo seeding of sessions: deterministic, the core's numbers, past sessions signed and today's
open (on the dashboard), fast enough for ``ketacare demo``."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from ketacare.core.protocols import calculate_dose
from ketacare.web.treatments.demo import record_sessions
from ketacare.web.treatments.models import TreatmentSession, VitalSign

pytestmark = pytest.mark.django_db


def test_seeding_records_past_sessions_signed_and_todays_open(
    iv_course: Any, esk_course: Any, clinic: Any, nurse: Any
) -> None:
    today = iv_course.planned_sessions.order_by("index")[3].date
    made = record_sessions(clinic, [iv_course, esk_course], random.Random(7), today=today)
    sessions = list(TreatmentSession.objects.order_by("date", "id"))
    assert made == len(sessions) > 0
    assert all(s.is_signed for s in sessions if s.date < today)
    assert all(not s.is_signed for s in sessions if s.date == today)
    first = next(s for s in sessions if s.course_id == iv_course.pk)
    assert (
        first.dose_result == calculate_dose("iv-racemic", 70.0, step=first.planned.step).to_dict()
    )
    assert VitalSign.objects.filter(session=first).count() > 0
    assert first.planned.status == "done"


def test_seeding_is_deterministic(iv_course: Any, clinic: Any, nurse: Any) -> None:
    today = dt.date(2026, 2, 1)
    record_sessions(clinic, [iv_course], random.Random(3), today=today)
    first = list(VitalSign.objects.order_by("taken_at").values_list("systolic", flat=True))
    VitalSign.objects.all().delete()
    TreatmentSession.objects.all().delete()
    iv_course.planned_sessions.update(status="planned")
    record_sessions(clinic, [iv_course], random.Random(3), today=today)
    second = list(VitalSign.objects.order_by("taken_at").values_list("systolic", flat=True))
    assert first == second and first


def test_the_demo_hook_returns_lines_to_print(iv_course: Any, clinic: Any, nurse: Any) -> None:
    from ketacare.web.treatments.demo import seed_sessions

    lines = seed_sessions(clinic, [iv_course], random.Random(1), today=dt.date(2026, 2, 1))
    assert len(lines) == 1 and lines[0].startswith("Sessions at the chair:")
