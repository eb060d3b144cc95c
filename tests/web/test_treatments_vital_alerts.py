"""Out-of-range vital signs stay open alerts until a prescriber or nurse acknowledges them with a
note: a banner on the session page, a row on the dashboard, the note and who kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from ketacare.web.treatments import rems_services, services

pytestmark = pytest.mark.django_db

TAKEN = dt.datetime(2026, 1, 5, 14, 20, 31, 250000, tzinfo=dt.UTC)


def _high_bp(session: Any, nurse: Any) -> Any:
    # thresholds.toml [systolic_high]: "SBP > 180" -> the core alerts on 192
    vital = services.add_vitals(
        nurse, session, taken_at=TAKEN, minute=20, systolic=192, diastolic=96
    )
    assert vital.out_of_range
    return vital


def _ack(client: Any, vital: Any, note: str, next_url: str = "") -> Any:
    return client.post(
        reverse("treatments:acknowledge_vital", args=[vital.uuid]), {"note": note, "next": next_url}
    )


def test_the_session_page_shows_a_banner_until_the_vital_is_acknowledged(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    vital = _high_bp(iv_session, nurse)
    services.add_vitals(nurse, iv_session, minute=30, systolic=130, diastolic=80)  # in range
    client = client_for(nurse)
    url = reverse("treatments:detail", args=[iv_session.uuid])
    text = client.get(url).content.decode()
    assert 'id="vital-alerts"' in text
    assert "Systolic BP 192 mmHg is above 180 mmHg" in text
    assert "2026-01-05 14:20 UTC" in text and "14:20:31" not in text
    assert text.count('class="vital-alert"') == 1
    response = _ack(client, vital, "Rechecked 150/90 after 5 min; prescriber informed", url)
    assert response.status_code == 302 and response["Location"] == url
    assert 'id="vital-alerts"' not in client.get(url).content.decode()


def test_the_acknowledgement_keeps_the_note_who_and_an_audit_entry(
    iv_session: Any, nurse: Any, prescriber: Any
) -> None:
    from ketacare.web.audit.models import AuditEntry

    vital = _high_bp(iv_session, nurse)
    rems_services.acknowledge_vital(prescriber, vital, "  Seen; recheck at 30 min  ")
    vital.refresh_from_db()
    assert vital.acknowledged_by == prescriber and vital.acknowledged_at is not None
    assert vital.acknowledge_note == "Seen; recheck at 30 min"
    entry = AuditEntry.objects.get(action="vital.acknowledge", object_uuid=vital.uuid)
    assert entry.actor == prescriber and entry.reason == "Seen; recheck at 30 min"


def test_an_acknowledgement_needs_a_note_and_happens_once(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    from ketacare.core.errors import InputError

    vital = _high_bp(iv_session, nurse)
    response = _ack(client_for(nurse), vital, "   ")
    assert response.status_code == 302
    vital.refresh_from_db()
    assert vital.acknowledged_at is None
    rems_services.acknowledge_vital(nurse, vital, "Rechecked")
    with pytest.raises(InputError, match="already"):
        rems_services.acknowledge_vital(nurse, vital, "again")


def test_an_in_range_vital_has_nothing_to_acknowledge(iv_session: Any, nurse: Any) -> None:
    from ketacare.core.errors import InputError

    vital = services.add_vitals(nurse, iv_session, minute=30, systolic=130, diastolic=80)
    with pytest.raises(InputError, match="out-of-range"):
        rems_services.acknowledge_vital(nurse, vital, "fine")


def test_the_dashboard_lists_open_vital_alerts_in_the_clinics_zone(
    iv_session: Any, nurse: Any, prescriber: Any, client_for: Any
) -> None:
    clinic = iv_session.clinic
    clinic.time_zone = "Europe/Berlin"
    clinic.save(update_fields=["time_zone"])
    vital = _high_bp(iv_session, nurse)
    client = client_for(prescriber)
    response = client.get("/dashboard/")
    (row,) = response.context["vital_alerts"]
    assert row["patient_name"] == "Alex Marlowe"
    assert row["time"] == "2026-01-05 15:20 CET"
    assert row["alerts"][0]["field"] == "systolic" and row["alerts"][0]["value"] == 192
    text = response.content.decode()
    assert "Out-of-range vital signs (1)" in text and "Systolic BP 192 mmHg" in text
    done = _ack(client, vital, "Rechecked, 148/88", "/dashboard/")
    assert done["Location"] == "/dashboard/"
    assert client.get("/dashboard/").context["vital_alerts"] == []


def test_a_withdrawn_vital_is_not_an_open_alert(
    iv_session: Any, nurse: Any, prescriber: Any
) -> None:
    from ketacare.web.clinic.dashboard import dashboard_context

    vital = _high_bp(iv_session, nurse)
    services.withdraw_row(nurse, iv_session, vital, reason="wrong patient")
    assert dashboard_context(prescriber)["vital_alerts"] == []


def test_who_may_acknowledge(
    iv_session: Any,
    nurse: Any,
    front_desk: Any,
    other_clinician: Any,
    client_for: Any,
) -> None:
    from ketacare.web.clinic.dashboard import dashboard_context

    vital = _high_bp(iv_session, nurse)
    assert _ack(client_for(front_desk), vital, "x").status_code == 403
    assert _ack(client_for(other_clinician), vital, "x").status_code == 404
    assert dashboard_context(other_clinician)["vital_alerts"] == []
    vital.refresh_from_db()
    assert vital.acknowledged_at is None


def test_an_outside_next_address_is_not_followed(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    vital = _high_bp(iv_session, nurse)
    response = _ack(client_for(nurse), vital, "Rechecked", "https://evil.example/")
    assert response["Location"] == reverse("treatments:detail", args=[iv_session.uuid])
