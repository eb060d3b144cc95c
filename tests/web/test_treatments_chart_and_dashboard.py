"""Sessions on the patient chart's timeline and on the dashboard's unsigned list; the session page
and a session save in a constant number of queries whatever the session's size."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from ketacare.web.treatments import services

pytestmark = pytest.mark.django_db


def _record(session: Any, user: Any, rows: int) -> None:
    for i in range(rows):
        services.add_vitals(user, session, minute=10 * i, systolic=120 + i, diastolic=80)
        services.add_rating(user, session, scale_id="moaas", items=[5], minute=10 * i)
        services.add_adverse_event(user, session, description=f"event {i}", severity="mild")


def test_the_chart_timeline_lists_sessions_and_adverse_events(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    services.add_adverse_event(nurse, iv_session, description="dizziness", severity="mild")
    page = client_for(nurse).get(reverse("patients:detail", args=[iv_session.patient.uuid]))
    text = page.content.decode()
    assert "racemic iv session: no dose recorded, open" in text
    assert "dizziness (mild)" in text
    assert reverse("treatments:detail", args=[iv_session.uuid]) in text


def test_the_dashboard_lists_unsigned_sessions_with_their_link(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    page = client_for(nurse).get(reverse("dashboard"))
    assert reverse("treatments:detail", args=[iv_session.uuid]) in page.content.decode()


@pytest.mark.parametrize("rows", [1, 12])
def test_the_session_page_needs_a_constant_number_of_queries(
    rows: int,
    iv_session: Any,
    nurse: Any,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    _record(iv_session, nurse, rows)
    client = client_for(nurse)
    url = reverse("treatments:detail", args=[iv_session.uuid])
    client.get(url)  # warm the session and user caches
    # 17: the row lock, the facts the core's session rule reads (screens, consents, vitals) and
    # the page's core state for the vitals fragment; the same for 1 row as for 12
    with django_assert_max_num_queries(17):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_a_vitals_save_needs_a_constant_number_of_queries(
    rows: int,
    iv_session: Any,
    nurse: Any,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    _record(iv_session, nurse, rows)
    client = client_for(nurse)
    url = reverse("treatments:vitals", args=[iv_session.uuid])
    # 17: the row lock, the facts the core's session rule reads (screens, consents, vitals) and
    # the page's core state for the vitals fragment; the same for 1 row as for 12. Plus the
    # audit entry's link to its chain: the clinic's head (and on PostgreSQL its append lock)
    chain = 2 if connection.vendor == "postgresql" else 1
    with django_assert_max_num_queries(17 + chain):
        response = client.post(url, {"heart_rate": "70"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
