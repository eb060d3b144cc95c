"""The dose at the chair: calculated by the core; above the protocol maximum only a prescriber may
override, and only with a reason; a blocking gate refuses any dose; a gate that needs the
prescriber needs their decision first."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.protocols import calculate_dose
from ketacare.core.treatment import age_on
from ketacare.web.audit.models import AuditEntry
from ketacare.web.treatments import services

pytestmark = pytest.mark.django_db


def _gates_passed(session: Any, user: Any, **extra: Any) -> Any:
    data = {"systolic": 124, "diastolic": 78, "fasting_hours": 6, "ride_home": True}
    data.update(extra)
    return services.record_checklist(user, session, expected_version=session.version, **data)


def _post_dose(client: Any, session: Any, **data: Any) -> Any:
    url = reverse("treatments:dose", args=[session.uuid])
    return client.post(url, {"version": session.version, **data})


def test_the_planned_dose_comes_from_the_core(iv_session: Any, nurse: Any, client_for: Any) -> None:
    _gates_passed(iv_session, nurse)
    response = _post_dose(client_for(nurse), iv_session)
    assert response.status_code == 302
    iv_session.refresh_from_db()
    expected = calculate_dose(
        "iv-racemic",
        70.0,
        step=iv_session.planned.step,
        session_number=1,  # the course's first dosed session
        age_years=age_on(iv_session.patient.date_of_birth, iv_session.date),
    )
    assert iv_session.dose_result == expected.to_dict()
    assert iv_session.dose_mg == expected.dose_mg
    assert iv_session.dose_override is False


def test_a_nurse_may_not_override_a_dose_limit(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    _gates_passed(iv_session, nurse)
    response = _post_dose(
        client_for(nurse), iv_session, dose_mg_per_kg="1.0", override_reason="previous response"
    )
    assert response.status_code == 403
    assert "Only a prescriber may override a dose limit" in response.content.decode()
    iv_session.refresh_from_db()
    assert iv_session.dose_result is None
    assert not AuditEntry.objects.filter(action__startswith="session.dose").exists()


def test_above_the_maximum_without_a_reason_names_the_maximum(
    iv_session: Any, prescriber: Any, client_for: Any
) -> None:
    _gates_passed(iv_session, prescriber)
    response = _post_dose(client_for(prescriber), iv_session, dose_mg_per_kg="1.0")
    assert response.status_code == 400
    errors = response.context["dose"].errors["dose_mg_per_kg"]
    assert "at most 0.75 mg/kg" in errors[0]  # the protocol maximum from the core's data file
    iv_session.refresh_from_db()
    assert iv_session.dose_result is None


def test_a_prescriber_overrides_with_a_reason_and_it_is_audited(
    iv_session: Any, prescriber: Any, client_for: Any
) -> None:
    _gates_passed(iv_session, prescriber)
    response = _post_dose(
        client_for(prescriber),
        iv_session,
        dose_mg_per_kg="0.9",
        override_reason="partial response at 0.75 mg/kg, BP stable",
    )
    assert response.status_code == 302
    iv_session.refresh_from_db()
    assert iv_session.dose_override is True
    assert iv_session.override_reason == "partial response at 0.75 mg/kg, BP stable"
    entry = AuditEntry.objects.get(action="session.dose_override")
    assert entry.reason == "partial response at 0.75 mg/kg, BP stable"
    assert entry.after["dose_override"] is True


def test_no_dose_before_the_checklist(iv_session: Any, nurse: Any, client_for: Any) -> None:
    response = _post_dose(client_for(nurse), iv_session)
    assert response.status_code == 400
    assert "pre-dose checklist" in response.content.decode()


def test_a_blocking_gate_refuses_any_dose(iv_session: Any, nurse: Any, client_for: Any) -> None:
    _gates_passed(iv_session, nurse, ride_home=False)
    response = _post_dose(client_for(nurse), iv_session)
    assert response.status_code == 400
    assert "no dose while a" in response.content.decode().lower()
    assert "gate blocks" in response.content.decode()
    iv_session.refresh_from_db()
    assert iv_session.dose_result is None


def test_an_elevated_esketamine_bp_needs_the_prescribers_decision(
    esk_session: Any, nurse: Any, prescriber: Any, client_for: Any
) -> None:
    # Spravato label: pre-dose BP above 140/90 needs the prescriber (core.safety gates)
    _gates_passed(
        esk_session, nurse, systolic=152, diastolic=88, liquids_minutes=40, rems_enrolled=True
    )
    esk_session.refresh_from_db()
    assert esk_session.gates_overall == "needs_prescriber"
    refused = _post_dose(client_for(nurse), esk_session)
    assert refused.status_code == 400
    nurse_decides = client_for(nurse).post(
        reverse("treatments:gate_decision", args=[esk_session.uuid]),
        {"version": esk_session.version, "note": "go ahead"},
    )
    assert nurse_decides.status_code == 403
    decided = client_for(prescriber).post(
        reverse("treatments:gate_decision", args=[esk_session.uuid]),
        {"version": esk_session.version, "note": "rechecked 138/86 after rest: proceed"},
    )
    assert decided.status_code == 302
    esk_session.refresh_from_db()
    assert esk_session.gate_decided_by == prescriber
    assert _post_dose(client_for(nurse), esk_session).status_code == 302
    esk_session.refresh_from_db()
    assert esk_session.dose_result["devices"] == calculate_dose("esketamine-trd", 70.0).devices


def test_an_esketamine_dose_that_is_not_whole_devices_is_refused(
    esk_session: Any, prescriber: Any, client_for: Any
) -> None:
    _gates_passed(esk_session, prescriber, liquids_minutes=40, rems_enrolled=True)
    response = _post_dose(client_for(prescriber), esk_session, dose_mg="60")
    assert response.status_code == 400
    assert "28 mg devices" in response.context["dose"].errors["dose_mg"][0]
