"""The session page at the chair: the checklist through the core's gates, field errors naming the
allowed range, nothing half-saved, and the version check refusing the second of two editors."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.safety import evaluate_gates
from ketacare.web.audit.models import AuditEntry
from ketacare.web.treatments.models import TreatmentSession

pytestmark = pytest.mark.django_db


def _checklist(session: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "version": session.version,
        "systolic": "128",
        "diastolic": "82",
        "fasting_hours": "6",
        "ride_home": "yes",
    }
    data.update(extra)
    return data


def test_nurse_opens_the_session_page_with_every_section(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    response = client_for(nurse).get(reverse("treatments:detail", args=[iv_session.uuid]))
    assert response.status_code == 200
    text = response.content.decode()
    for section in (
        'id="checklist"',
        'id="dose"',
        'id="vitals"',
        'id="ratings"',
        'id="adverse-events"',
        'id="discharge"',
        'id="sign"',
        'id="pk-curve"',
    ):
        assert section in text
    assert 'hx-post="' in text  # vitals rows are added without a page reload


def test_checklist_stores_the_cores_gate_report(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    url = reverse("treatments:checklist", args=[iv_session.uuid])
    response = client_for(nurse).post(url, _checklist(iv_session))
    assert response.status_code == 302
    iv_session.refresh_from_db()
    expected = evaluate_gates(
        "racemic", "iv", systolic=128, diastolic=82, fasting_hours=6, ride_home=True
    )
    assert iv_session.gate_report == expected.to_dict()
    assert iv_session.gates_overall == expected.overall
    assert iv_session.version == 2
    entry = AuditEntry.objects.get(action="session.checklist")
    assert entry.actor == nurse and entry.after["systolic"] == 128


def test_no_ride_home_blocks_and_the_page_says_why(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    client = client_for(nurse)
    client.post(
        reverse("treatments:checklist", args=[iv_session.uuid]),
        _checklist(iv_session, ride_home="no"),
    )
    iv_session.refresh_from_db()
    assert iv_session.gates_overall == "block"
    page = client.get(reverse("treatments:detail", args=[iv_session.uuid])).content.decode()
    assert "No ride home" in page


def test_an_impossible_blood_pressure_gets_a_field_error_naming_the_range_and_saves_nothing(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    url = reverse("treatments:checklist", args=[iv_session.uuid])
    response = client_for(nurse).post(url, _checklist(iv_session, systolic="400"))
    assert response.status_code == 400
    form = response.context["checklist"]
    assert "systolic" in form.errors
    assert "300" in form.errors["systolic"][0]  # the core's allowed range, 40-300 mmHg
    iv_session.refresh_from_db()
    assert iv_session.gate_report is None and iv_session.version == 1
    assert not AuditEntry.objects.filter(action="session.checklist").exists()


def test_the_second_of_two_editors_is_refused_with_a_clear_message(
    iv_session: Any, nurse: Any, prescriber: Any, client_for: Any
) -> None:
    url = reverse("treatments:checklist", args=[iv_session.uuid])
    seen = iv_session.version
    first = client_for(nurse).post(url, _checklist(iv_session, systolic="130"))
    assert first.status_code == 302
    second = client_for(prescriber).post(
        url, {**_checklist(iv_session, systolic="150"), "version": seen}
    )
    assert second.status_code == 409
    assert "changed by someone else" in second.content.decode()
    stored = TreatmentSession.objects.get(pk=iv_session.pk)
    assert stored.systolic == 130 and stored.version == seen + 1


def test_another_clinics_clinician_cannot_find_the_session(
    iv_session: Any, other_clinician: Any, client_for: Any
) -> None:
    response = client_for(other_clinician).get(reverse("treatments:detail", args=[iv_session.uuid]))
    assert response.status_code == 404


def test_front_desk_may_not_open_the_session(
    iv_session: Any, front_desk: Any, client_for: Any
) -> None:
    response = client_for(front_desk).get(reverse("treatments:detail", args=[iv_session.uuid]))
    assert response.status_code == 403


def test_a_session_is_started_from_the_course_list(
    iv_course: Any, nurse: Any, client_for: Any
) -> None:
    planned = iv_course.planned_sessions.get(index=1)
    url = reverse("treatments:course_sessions", args=[iv_course.uuid])
    response = client_for(nurse).post(url, {"planned": str(planned.uuid), "chair": "2"})
    session = TreatmentSession.objects.get(planned=planned)
    assert response.status_code == 302
    assert response["Location"] == reverse("treatments:detail", args=[session.uuid])
    assert session.chair == 2 and session.weight_kg == iv_course.weight_kg
    # a second start of the same planned session is refused, nothing created
    again = client_for(nurse).post(url, {"planned": str(planned.uuid)})
    assert again.status_code == 400
    assert TreatmentSession.objects.filter(planned=planned).count() == 1


def test_the_page_draws_the_cores_pk_curve_for_the_dose_given(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    from ketacare.web.courses.pk import models_for
    from ketacare.web.treatments import services

    client = client_for(nurse)
    url = reverse("treatments:detail", args=[esk_session.uuid])
    assert "once the dose is recorded" in client.get(url).content.decode()
    services.record_checklist(
        nurse,
        esk_session,
        systolic=124,
        diastolic=80,
        fasting_hours=3,
        liquids_minutes=45,
        ride_home=True,
        rems_enrolled=True,
        expected_version=1,
    )
    services.set_dose(nurse, esk_session, expected_version=esk_session.version)
    response = client.get(url)
    curve = response.context["pk_curve"]
    if not models_for("esketamine", "in"):
        pytest.skip("the core has no unflagged esketamine intranasal model")
    assert curve["dose_mg"] == esk_session.dose_mg
    assert curve["two_hour_mark_min"] == 120
    assert "<svg" in response.content.decode()
