"""The dashboard: today's sessions by chair, open alerts, measures due; a constant number of
queries whatever the clinic's size; another clinic's records never appear."""

from __future__ import annotations

from typing import Any

import pytest
from django.test.utils import CaptureQueriesContext


@pytest.mark.django_db
def test_it_lists_todays_sessions_alerts_and_measures_due(
    nurse: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    patients = grow(clinic, prescriber, 3)
    response = client_for(nurse).get("/dashboard/")
    assert response.status_code == 200
    context = response.context
    assert sum(len(s) for _, s in context["chairs"]) == 3  # one planned session each today
    assert len(context["alerts"]) == 3
    assert context["measures_due"] == []  # measured within the interval
    page = response.content.decode()
    for p in patients:
        assert p.full_name in page


@pytest.mark.django_db
def test_a_course_without_recent_measures_is_due(
    nurse: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    from ketacare.web.measures.models import Measure

    (patient,) = grow(clinic, prescriber, 1)
    Measure.objects.filter(patient=patient).update(withdrawn=True)
    due = client_for(nurse).get("/dashboard/").context["measures_due"]
    assert [c.patient for c in due] == [patient]


@pytest.mark.django_db
def test_front_desk_sees_the_schedule_but_no_alerts(
    front_desk: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    grow(clinic, prescriber, 2)
    response = client_for(front_desk).get("/dashboard/")
    assert "alerts" not in response.context
    assert "grown" not in response.content.decode()


@pytest.mark.django_db
def test_another_clinics_dashboard_is_empty(
    other_clinician: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    grow(clinic, prescriber, 2)
    response = client_for(other_clinician).get("/dashboard/")
    assert response.context["n_today"] == 0 and response.context["alerts"] == []
    assert "Family" not in response.content.decode()


@pytest.mark.django_db
def test_the_dashboard_query_count_does_not_grow_with_the_clinic(
    nurse: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    from django.db import connection

    client = client_for(nurse)
    grow(clinic, prescriber, 2)
    client.get("/dashboard/")
    with CaptureQueriesContext(connection) as small:
        client.get("/dashboard/")
    grow(clinic, prescriber, 20)
    with CaptureQueriesContext(connection) as large:
        client.get("/dashboard/")
    assert len(large) == len(small) <= 12


@pytest.mark.django_db
def test_each_of_todays_sessions_links_to_its_session_page(
    nurse: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    from django.urls import reverse
    from django.utils import timezone

    from ketacare.web.courses.models import PlannedSession
    from ketacare.web.treatments.services import open_session

    first, second = grow(clinic, prescriber, 2)
    today = timezone.localdate()
    opened = PlannedSession.objects.get(course__patient=first, date=today)
    session = open_session(nurse, opened.course, planned=opened, chair=opened.chair)
    waiting = PlannedSession.objects.get(course__patient=second, date=today)
    page = client_for(nurse).get("/dashboard/").content.decode()
    assert f'<a href="/sessions/{session.uuid}/">session {opened.index}</a>' in page
    assert reverse("treatments:detail", args=[session.uuid]) == f"/sessions/{session.uuid}/"
    # not opened yet: the link goes to the course's sessions, where the nurse opens it
    opens_at = reverse("treatments:course_sessions", args=[waiting.course.uuid])
    assert f'<a href="{opens_at}">session {waiting.index}</a>' in page


@pytest.mark.django_db
def test_front_desk_sees_todays_sessions_without_session_links(
    front_desk: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    (patient,) = grow(clinic, prescriber, 1)
    page = client_for(front_desk).get("/dashboard/").content.decode()
    assert patient.full_name in page
    assert "/sessions/" not in page


@pytest.mark.django_db
def test_a_session_opened_on_a_chair_is_filed_under_that_chair(
    nurse: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    from django.utils import timezone

    from ketacare.web.courses.models import PlannedSession
    from ketacare.web.treatments.services import open_session

    (patient,) = grow(clinic, prescriber, 1)
    planned = PlannedSession.objects.get(course__patient=patient, date=timezone.localdate())
    PlannedSession.objects.filter(pk=planned.pk).update(chair=None)  # planned without a chair
    planned.refresh_from_db()
    open_session(nurse, planned.course, planned=planned, chair=3)
    chairs = dict(client_for(nurse).get("/dashboard/").context["chairs"])
    assert None not in chairs, chairs
    assert [s["patient_name"] for s in chairs[3]] == [patient.full_name]


def _waiting_session(nurse: Any, planned: Any, systolic: float = 185) -> Any:
    from ketacare.web.treatments.services import open_session, record_checklist

    session = open_session(nurse, planned.course, planned=planned, chair=2)
    return record_checklist(
        nurse,
        session,
        systolic=systolic,
        diastolic=95,
        fasting_hours=3,
        ride_home=True,
        expected_version=session.version,
    )


@pytest.mark.django_db
def test_the_prescriber_sees_every_gate_waiting_for_them_with_a_link(
    nurse: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    from django.utils import timezone

    from ketacare.web.courses.models import PlannedSession
    from ketacare.web.treatments.services import decide_gate

    patients = grow(clinic, prescriber, 3)
    today = timezone.localdate()
    planned = [PlannedSession.objects.get(course__patient=p, date=today) for p in patients]
    waiting = [_waiting_session(nurse, p) for p in planned[:2]]
    assert {s.gates_overall for s in waiting} == {"needs_prescriber"}
    decided = _waiting_session(nurse, planned[2])
    decide_gate(prescriber, decided, note="rechecked: proceed", expected_version=decided.version)

    response = client_for(prescriber).get("/dashboard/")
    rows = response.context["gates_waiting"]
    assert sorted(r["url"] for r in rows) == sorted(f"/sessions/{s.uuid}/" for s in waiting)
    page = response.content.decode()
    for s in waiting:
        assert f'href="/sessions/{s.uuid}/"' in page
    assert patients[2].full_name not in {r["patient_name"] for r in rows}
    # a nurse does not decide gates: no such card
    assert "gates_waiting" not in client_for(nurse).get("/dashboard/").context


@pytest.mark.django_db
def test_dashboard_alerts_show_the_scale_name_and_date_grouped_by_patient(
    nurse: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    from ketacare.web.measures.models import Alert, Measure

    first, _second = grow(clinic, prescriber, 2)
    m = Measure.objects.filter(patient=first, scale_id="phq9").first()
    Alert.objects.create(clinic=clinic, patient=first, measure=m, level="urgent", reason="again")
    response = client_for(nurse).get("/dashboard/")
    groups = response.context["alert_groups"]
    assert [g["patient_name"] for g in groups].count(first.full_name) == 1
    assert {len(g["alerts"]) for g in groups} == {1, 2}
    page = response.content.decode()
    assert "Patient Health Questionnaire" in page  # the core's name, not "phq9"
    assert all(a["taken_at"] is not None for g in groups for a in g["alerts"])
    assert f"{m.taken_at:%Y-%m-%d}" in page


@pytest.mark.django_db
def test_a_session_under_way_is_not_shown_as_planned(
    nurse: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    from django.utils import timezone

    from ketacare.web.courses.models import PlannedSession
    from ketacare.web.treatments.services import open_session

    (patient,) = grow(clinic, prescriber, 1)
    planned = PlannedSession.objects.get(course__patient=patient, date=timezone.localdate())
    open_session(nurse, planned.course, planned=planned, chair=planned.chair)
    rows = [
        s
        for _, sessions in client_for(nurse).get("/dashboard/").context["chairs"]
        for s in sessions
    ]
    assert [r["status"] for r in rows] == ["In progress"]


@pytest.mark.django_db
def test_the_dashboard_day_is_the_clinics(
    nurse: Any, prescriber: Any, clinic: Any, client_for: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    # 23:30 UTC is already tomorrow in Auckland
    late = timezone.now().replace(hour=23, minute=30)
    clinic.time_zone = "Pacific/Auckland"
    clinic.save(update_fields=["time_zone"])
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=late):
        response = client_for(nurse).get("/dashboard/")
    assert response.context["today"] == late.date() + dt.timedelta(days=1)
