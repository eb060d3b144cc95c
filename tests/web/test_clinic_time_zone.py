"""Each clinic works in its own time zone: a date-time without a zone (a datetime-local field, an
API value without an offset) is read in the clinic's zone, and stored as UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ketacare.web.treatments import services

pytestmark = pytest.mark.django_db


def test_a_naive_api_time_is_read_in_the_clinics_zone(
    clinic: Any, iv_session: Any, nurse: Any, client_for: Any
) -> None:
    clinic.time_zone = "America/New_York"
    clinic.save(update_fields=["time_zone"])
    local = (timezone.now() - dt.timedelta(hours=1)).astimezone(ZoneInfo("America/New_York"))
    local = local.replace(microsecond=0)
    naive = local.replace(tzinfo=None).isoformat()
    response = client_for(nurse).post(
        f"/api/v1/sessions/{iv_session.uuid}/vitals",
        {"taken_at": naive, "heart_rate": 70},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    stored = iv_session.vitals.get().taken_at
    assert stored == local  # the same instant: the naive text was read as New York time


def test_a_datetime_local_field_is_read_in_the_clinics_zone(
    clinic: Any, iv_session: Any, nurse: Any, client_for: Any
) -> None:
    clinic.time_zone = "Asia/Tokyo"  # UTC+9, no daylight saving
    clinic.save(update_fields=["time_zone"])
    services.record_checklist(
        nurse,
        iv_session,
        systolic=120,
        diastolic=80,
        ride_home=True,
        at=timezone.now() - dt.timedelta(hours=3),
        expected_version=iv_session.version,
    )
    local = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=9))) - dt.timedelta(hours=1)
    response = client_for(nurse).post(
        f"/sessions/{iv_session.uuid}/vitals/",
        {"taken_at": local.strftime("%Y-%m-%dT%H:%M"), "heart_rate": "72"},
    )
    assert response.status_code in (200, 302), response.content[:500]
    stored = iv_session.vitals.get().taken_at
    expected = local.replace(second=0, microsecond=0).astimezone(dt.UTC)
    assert stored == expected
