"""The nasal-medicine gate on the pre-dose checklist (esketamine): minutes since a nasal
corticosteroid or decongestant go to the core's ``evaluate_gates``, which decides the gate."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.safety import evaluate_gates
from ketacare.web.audit.models import AuditEntry
from ketacare.web.treatments import services
from ketacare.web.treatments.forms import ChecklistForm

pytestmark = pytest.mark.django_db

ESK_CHECKLIST = {
    "systolic": "128",
    "diastolic": "82",
    "fasting_hours": "3",
    "liquids_minutes": "45",
    "ride_home": "yes",
    "rems_enrolled": "yes",
}


def _post_checklist(client: Any, session: Any, **data: Any) -> Any:
    url = reverse("treatments:checklist", args=[session.uuid])
    return client.post(url, {"version": session.version, **ESK_CHECKLIST, **data})


def _nasal(session: Any) -> dict[str, Any]:
    return next(d for d in session.gate_report["decisions"] if d["gate"] == "nasal_medicine")


def test_the_esketamine_checklist_asks_for_the_nasal_medicine_minutes(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    response = client_for(nurse).get(reverse("treatments:detail", args=[esk_session.uuid]))
    assert 'name="nasal_medicine_minutes"' in response.content.decode()
    assert "nasal_medicine_minutes" in ChecklistForm(session=esk_session).fields


def test_an_iv_checklist_has_no_nasal_medicine_field(iv_session: Any) -> None:
    assert "nasal_medicine_minutes" not in ChecklistForm(session=iv_session).fields


def test_a_nasal_medicine_taken_30_minutes_ago_gives_the_cores_warning(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    response = _post_checklist(client_for(nurse), esk_session, nasal_medicine_minutes="30")
    assert response.status_code == 302
    esk_session.refresh_from_db()
    assert esk_session.nasal_medicine_minutes == 30
    expected = evaluate_gates(
        "esketamine",
        "in",
        systolic=128,
        diastolic=82,
        fasting_hours=3,
        liquids_minutes=45,
        nasal_medicine_minutes=30,
        ride_home=True,
        rems_enrolled=True,
    )
    assert esk_session.gate_report == expected.to_dict()
    # thresholds.toml [esketamine_nasal_medicine_min]: "take a nasal corticosteroid or
    # decongestant at least one hour before" (value = 60 min); 30 < 60 -> the core warns
    assert _nasal(esk_session)["decision"] == "warn"
    assert esk_session.gates_overall == "warn"
    page = client_for(nurse).get(reverse("treatments:detail", args=[esk_session.uuid]))
    assert "taken 30 min ago" in page.content.decode()
    entry = AuditEntry.objects.filter(action="session.checklist").latest("at")
    assert entry.after["nasal_medicine_minutes"] == 30


def test_no_nasal_medicine_today_passes_the_gate(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    _post_checklist(client_for(nurse), esk_session)
    esk_session.refresh_from_db()
    assert esk_session.nasal_medicine_minutes is None
    assert _nasal(esk_session)["decision"] == "pass"


def test_the_checklist_form_shows_the_recorded_nasal_medicine_minutes(
    esk_session: Any, nurse: Any
) -> None:
    services.record_checklist(
        nurse,
        esk_session,
        systolic=128,
        diastolic=82,
        nasal_medicine_minutes=90,
        ride_home=True,
        rems_enrolled=True,
        expected_version=esk_session.version,
    )
    form = ChecklistForm(session=esk_session)
    assert form["nasal_medicine_minutes"].value() == 90


def test_a_negative_nasal_medicine_time_is_shown_beside_the_field_with_the_allowed_range(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    response = _post_checklist(client_for(nurse), esk_session, nasal_medicine_minutes="-5")
    assert response.status_code == 400
    errors = response.context["checklist"].errors["nasal_medicine_minutes"]
    assert errors[0] == "-5 is not possible here. Allowed: a number from 0 to 10080 min."
    esk_session.refresh_from_db()
    assert esk_session.gate_report is None


def test_the_nasal_medicine_minutes_are_ignored_for_an_iv_session(
    iv_session: Any, nurse: Any
) -> None:
    services.record_checklist(
        nurse,
        iv_session,
        systolic=124,
        diastolic=78,
        fasting_hours=6,
        nasal_medicine_minutes=10,
        ride_home=True,
        expected_version=iv_session.version,
    )
    assert iv_session.nasal_medicine_minutes is None
    assert all(d["gate"] != "nasal_medicine" for d in iv_session.gate_report["decisions"])
