"""The esketamine two-hour observation timer (the core's observation_window, anchored at the
first device) and discharge readiness (modified Aldrete scored by the core and the label's
criteria, the core's discharge_readiness)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.safety import discharge_readiness, observation_window
from ketacare.web.treatments import services

pytestmark = pytest.mark.django_db
FIRST_DEVICE = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def _dosed_esketamine(session: Any, user: Any) -> Any:
    services.record_checklist(
        user,
        session,
        systolic=124,
        diastolic=80,
        fasting_hours=3,
        liquids_minutes=45,
        ride_home=True,
        rems_enrolled=True,
        at=FIRST_DEVICE - dt.timedelta(minutes=15),
        expected_version=session.version,
    )
    services.set_dose(user, session, expected_version=session.version)
    return session


def test_the_observation_timer_is_anchored_at_the_first_device(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    _dosed_esketamine(esk_session, nurse)
    response = client_for(nurse).post(
        reverse("treatments:administration", args=[esk_session.uuid]),
        {
            "version": esk_session.version,
            "lot_number": "LOT-42A",
            "first_device_at": "2026-01-05T09:00",
            "started_at": "2026-01-05T08:58",
        },
    )
    assert response.status_code == 302
    esk_session.refresh_from_db()
    expected = observation_window(FIRST_DEVICE, drug="esketamine", route="in")
    assert esk_session.observation_until == expected
    page = client_for(nurse).get(reverse("treatments:detail", args=[esk_session.uuid]))
    assert f'data-until="{expected.isoformat()}"' in page.content.decode()


def test_an_end_before_the_start_is_refused(iv_session: Any, nurse: Any, client_for: Any) -> None:
    services.record_checklist(
        nurse,
        iv_session,
        systolic=120,
        diastolic=80,
        ride_home=True,
        at=FIRST_DEVICE - dt.timedelta(minutes=15),
        expected_version=1,
    )
    services.set_dose(nurse, iv_session, expected_version=iv_session.version)
    response = client_for(nurse).post(
        reverse("treatments:administration", args=[iv_session.uuid]),
        {
            "version": iv_session.version,
            "started_at": "2026-01-05T10:00",
            "ended_at": "2026-01-05T09:30",
        },
    )
    assert response.status_code == 400
    assert "ended_at" in response.context["administration"].errors


def test_discharge_readiness_is_the_cores_decision(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    _dosed_esketamine(esk_session, nurse)
    services.record_administration(
        nurse, esk_session, first_device_at=FIRST_DEVICE, expected_version=esk_session.version
    )
    services.add_rating(nurse, esk_session, scale_id="moaas", items=[5], minute=0)
    services.add_rating(nurse, esk_session, scale_id="moaas", items=[5], minute=120)
    services.add_rating(nurse, esk_session, scale_id="cadss", items=[0] * 23, minute=0)
    services.add_rating(nurse, esk_session, scale_id="cadss", items=[0] * 23, minute=120)
    at = FIRST_DEVICE + dt.timedelta(minutes=90)
    services.assess_discharge(
        nurse,
        esk_session,
        aldrete_items=[2, 2, 2, 2, 2],
        bp_stable=True,
        ride_home=True,
        at=at,
        expected_version=esk_session.version,
    )
    esk_session.refresh_from_db()
    expected = discharge_readiness(
        aldrete_total=10,
        aldrete_items=[2, 2, 2, 2, 2],
        drug="esketamine",
        route="in",
        minutes_since_dose=90.0,
        moaas=5,
        cadss_total=0,
        baseline_moaas=5,
        baseline_cadss=0,
        bp_stable=True,
        ride_home=True,
    )
    assert esk_session.discharge["criteria"] == expected.to_dict()["criteria"]
    assert esk_session.discharge_ready is False  # 90 min < the label's 2 hours
    page = client_for(nurse).get(reverse("treatments:detail", args=[esk_session.uuid]))
    text = re.sub(r"<[^>]+>", " ", page.content.decode())  # what a person reads
    assert "Two-hour observation" in text and "Not met" in text  # in words, not the ids
    assert "two_hour_observation" not in text and "not_met" not in text, [
        line for line in text.splitlines() if "two_hour" in line or "not_met" in line
    ]


def test_the_discharge_form_scores_the_aldrete_through_the_core(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    services.record_checklist(
        nurse,
        iv_session,
        systolic=120,
        diastolic=80,
        ride_home=True,
        at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=110),
        expected_version=1,
    )
    services.set_dose(nurse, iv_session, expected_version=iv_session.version)
    services.record_administration(
        nurse,
        iv_session,
        started_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=100),
        expected_version=iv_session.version,
    )
    services.add_rating(nurse, iv_session, scale_id="moaas", items=[5], minute=60)
    response = client_for(nurse).post(
        reverse("treatments:discharge", args=[iv_session.uuid]),
        {
            "version": iv_session.version,
            "aldrete_activity": "2",
            "aldrete_respiration": "2",
            "aldrete_circulation": "2",
            "aldrete_consciousness": "2",
            "aldrete_spo2": "1",
            "bp_stable": "yes",
            "ride_home": "yes",
        },
    )
    assert response.status_code == 302
    iv_session.refresh_from_db()
    # modified Aldrete: 5 items 0-2 summed (Aldrete 1995): 2+2+2+2+1 = 9, the discharge score
    assert iv_session.discharge["aldrete"]["total"] == 9
    assert iv_session.discharge_ready is True


def test_discharge_needs_the_start_of_dosing(iv_session: Any, nurse: Any, client_for: Any) -> None:
    response = client_for(nurse).post(
        reverse("treatments:discharge", args=[iv_session.uuid]),
        {
            "version": iv_session.version,
            **{
                f"aldrete_{k}": "2"
                for k in ("activity", "respiration", "circulation", "consciousness", "spo2")
            },
        },
    )
    assert response.status_code == 400
    iv_session.refresh_from_db()
    assert iv_session.discharge is None
