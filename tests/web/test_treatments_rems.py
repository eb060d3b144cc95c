"""The REMS Patient Monitoring Form of an esketamine session, as a printable page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.safety import rems_monitoring_form
from ketacare.web.treatments import services
from ketacare.web.treatments.rems import gather_fields

pytestmark = pytest.mark.django_db


def test_the_rems_page_shows_the_cores_form_with_the_session_values(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    services.record_checklist(
        nurse,
        esk_session,
        systolic=128,
        diastolic=82,
        fasting_hours=3,
        liquids_minutes=45,
        ride_home=True,
        rems_enrolled=True,
        expected_version=1,
    )
    services.set_dose(nurse, esk_session, expected_version=esk_session.version)
    first = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    services.record_administration(
        nurse,
        esk_session,
        lot_number="ESK-77",
        first_device_at=first,
        expected_version=esk_session.version,
    )
    services.add_vitals(nurse, esk_session, minute=40, systolic=150, diastolic=90)
    response = client_for(nurse).get(reverse("treatments:rems", args=[esk_session.uuid]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "SPRAVATO REMS Patient Monitoring Form" in text
    assert "ESK-77" in text and "[150.0, 90.0]" in text
    form = response.context["form"]
    assert form == rems_monitoring_form(gather_fields(esk_session))
    assert "hcp_telephone" in form["missing_required"]  # not held in the record: staff complete it


def test_an_iv_session_has_no_rems_form(iv_session: Any, nurse: Any, client_for: Any) -> None:
    response = client_for(nurse).get(reverse("treatments:rems", args=[iv_session.uuid]))
    assert response.status_code == 200
    assert "esketamine (Spravato) sessions only" in response.content.decode()
