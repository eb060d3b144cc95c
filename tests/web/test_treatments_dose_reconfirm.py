"""A checklist changed after the dose was recorded so that a gate blocks (or needs the prescriber
with no decision yet): the dose is kept but marked not cleared, the page says it needs to be
re-confirmed, and the administration is refused until the dose is recorded again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.errors import InputError
from ketacare.web.treatments import services

pytestmark = pytest.mark.django_db



def _checklist(session: Any, user: Any, **extra: Any) -> Any:
    data: dict[str, Any] = {
        "systolic": 128,
        "diastolic": 82,
        "fasting_hours": 3,
        "liquids_minutes": 45,
        "ride_home": True,
        "rems_enrolled": True,
    }
    data.update(extra)
    return services.record_checklist(user, session, expected_version=session.version, **data)


def _dosed(session: Any, user: Any) -> Any:
    _checklist(session, user)
    services.set_dose(user, session, expected_version=session.version)
    assert session.dose_mg is not None and session.dose_cleared
    return session


def _administer(session: Any, user: Any) -> Any:
    return services.record_administration(
        user,
        session,
        lot_number="ESK-1",
        first_device_at=dt.datetime.now(dt.UTC),  # after the latest checklist
        expected_version=session.version,
    )


def test_a_checklist_that_now_blocks_keeps_the_dose_but_marks_it_not_cleared(
    esk_session: Any, nurse: Any
) -> None:
    _dosed(esk_session, nurse)
    dose = esk_session.dose_mg
    _checklist(esk_session, nurse, ride_home=False)  # no ride home: the core blocks
    esk_session.refresh_from_db()
    assert esk_session.gates_overall == "block"
    assert esk_session.dose_mg == dose and esk_session.dose_result is not None  # kept
    assert esk_session.dose_cleared is False


def test_administration_is_refused_while_the_dose_is_not_cleared(
    esk_session: Any, nurse: Any
) -> None:
    _dosed(esk_session, nurse)
    _checklist(esk_session, nurse, ride_home=False)
    with pytest.raises(InputError) as exc:
        _administer(esk_session, nurse)
    assert exc.value.field == "dose"
    assert "re-confirmed" in exc.value.message
    esk_session.refresh_from_db()
    assert esk_session.first_device_at is None and esk_session.lot_number == ""


def test_the_page_says_the_dose_needs_to_be_re_confirmed(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    _dosed(esk_session, nurse)
    _checklist(esk_session, nurse, ride_home=False)
    client = client_for(nurse)
    page = client.get(reverse("treatments:detail", args=[esk_session.uuid])).content.decode()
    assert 'id="dose-not-cleared"' in page
    assert "needs to be re-confirmed" in page
    response = client.post(
        reverse("treatments:administration", args=[esk_session.uuid]),
        {
            "version": esk_session.version,
            "lot_number": "ESK-1",
            "first_device_at": "2026-01-05T09:00",
        },
    )
    assert response.status_code == 400
    assert "re-confirmed" in " ".join(response.context["administration"].non_field_errors())


def test_recording_the_dose_again_once_the_gates_allow_it_clears_it(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    _dosed(esk_session, nurse)
    _checklist(esk_session, nurse, ride_home=False)
    _checklist(esk_session, nurse)  # ride home arranged again: the gates pass ...
    esk_session.refresh_from_db()
    assert esk_session.gates_overall != "block"
    assert esk_session.dose_cleared is False  # ... but the dose still needs re-confirming
    with pytest.raises(InputError):
        _administer(esk_session, nurse)
    services.set_dose(nurse, esk_session, expected_version=esk_session.version)
    assert esk_session.dose_cleared is True
    _administer(esk_session, nurse)
    assert esk_session.first_device_at is not None
    page = client_for(nurse).get(reverse("treatments:detail", args=[esk_session.uuid]))
    assert 'id="dose-not-cleared"' not in page.content.decode()


def test_a_gate_that_needs_the_prescriber_uncleares_the_dose_until_decided_and_re_confirmed(
    esk_session: Any, nurse: Any, prescriber: Any
) -> None:
    _dosed(esk_session, nurse)
    _checklist(esk_session, nurse, systolic=150, diastolic=90)  # above the label's pre-dose BP
    assert esk_session.gates_overall == "needs_prescriber"
    assert esk_session.dose_cleared is False
    with pytest.raises(InputError):
        _administer(esk_session, nurse)
    with pytest.raises(InputError):  # no decision yet: the dose cannot be re-confirmed
        services.set_dose(nurse, esk_session, expected_version=esk_session.version)
    services.decide_gate(
        prescriber,
        esk_session,
        note="BP rechecked after rest; proceed",
        expected_version=esk_session.version,
    )
    services.set_dose(nurse, esk_session, expected_version=esk_session.version)
    assert esk_session.dose_cleared is True
    _administer(esk_session, nurse)


def test_a_checklist_that_still_passes_leaves_the_dose_cleared(
    esk_session: Any, nurse: Any
) -> None:
    _dosed(esk_session, nurse)
    _checklist(esk_session, nurse, fasting_hours=4)
    assert esk_session.dose_cleared is True
    _administer(esk_session, nurse)


def test_a_blocking_checklist_before_any_dose_marks_nothing(esk_session: Any, nurse: Any) -> None:
    _checklist(esk_session, nurse, ride_home=False)
    assert esk_session.dose_mg is None
    assert esk_session.dose_cleared is True


def test_the_api_shows_whether_the_dose_is_cleared(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    _dosed(esk_session, nurse)
    client = client_for(nurse)
    assert client.get(f"/api/v1/sessions/{esk_session.uuid}").json()["dose_cleared"] is True
    _checklist(esk_session, nurse, rems_enrolled=False)  # not enrolled in the REMS: blocks
    body = client.get(f"/api/v1/sessions/{esk_session.uuid}").json()
    assert body["gates_overall"] == "block"
    assert body["dose_cleared"] is False and body["dose_mg"] == esk_session.dose_mg
