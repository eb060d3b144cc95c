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
    services.add_vitals(
        nurse,
        esk_session,
        taken_at=first + dt.timedelta(minutes=40),
        minute=40,
        systolic=150,
        diastolic=90,
    )
    response = client_for(nurse).get(reverse("treatments:rems", args=[esk_session.uuid]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "SPRAVATO REMS Patient Monitoring Form" in text
    assert "ESK-77" in text and "150/90" in text  # the 40-minute BP pair
    form = response.context["form"]
    assert form == rems_monitoring_form(gather_fields(esk_session))
    assert "hcp_telephone" in form["missing_required"]  # not held in the record: staff complete it


def test_an_iv_session_has_no_rems_form(iv_session: Any, nurse: Any, client_for: Any) -> None:
    response = client_for(nurse).get(reverse("treatments:rems", args=[iv_session.uuid]))
    assert response.status_code == 200
    assert "esketamine (Spravato) sessions only" in response.content.decode()


FIRST_DEVICE = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def _dosed(session: Any, nurse: Any) -> Any:
    services.record_checklist(
        nurse,
        session,
        systolic=128,
        diastolic=82,
        ride_home=True,
        rems_enrolled=True,
        expected_version=session.version,
    )
    services.set_dose(nurse, session, expected_version=session.version)
    services.record_administration(
        nurse, session, first_device_at=FIRST_DEVICE, expected_version=session.version
    )
    return session


def _at(minutes: int) -> dt.datetime:
    return FIRST_DEVICE + dt.timedelta(minutes=minutes)


def _rows(response: Any) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in response.context["rows"]}


def test_a_low_spo2_after_the_dose_answers_yes_to_respiratory_depression(
    esk_session: Any, nurse: Any
) -> None:
    _dosed(esk_session, nurse)
    # thresholds.toml [spo2_low]: "SpO2 < 92%" -> the core alerts on 89
    services.add_vitals(nurse, esk_session, taken_at=_at(20), minute=20, spo2=89, resp_rate=14)
    assert gather_fields(esk_session)["respiratory_depression"] is True


def test_a_low_respiratory_rate_before_the_dose_does_not_count(
    esk_session: Any, nurse: Any
) -> None:
    _dosed(esk_session, nurse)
    # thresholds.toml [resp_rate_low]: "RR < 10" -> alerted, but taken before the first device
    services.add_vitals(nurse, esk_session, taken_at=_at(-10), minute=0, resp_rate=8)
    services.add_vitals(nurse, esk_session, taken_at=_at(40), minute=40, spo2=97, resp_rate=14)
    assert gather_fields(esk_session)["respiratory_depression"] is False


def test_a_respiratory_adverse_event_answers_yes_and_is_quoted(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    _dosed(esk_session, nurse)
    services.add_vitals(nurse, esk_session, taken_at=_at(40), minute=40, spo2=97)
    services.add_adverse_event(
        nurse, esk_session, description="Shallow breathing, stimulated", severity="moderate"
    )
    response = client_for(nurse).get(reverse("treatments:rems", args=[esk_session.uuid]))
    row = _rows(response)["respiratory_depression"]
    assert row["value"] is True
    assert "Shallow breathing, stimulated" in row["note"]
    assert "Shallow breathing, stimulated" in response.content.decode()


def test_respiratory_depression_stays_blank_for_staff_without_spo2_or_resp_rate(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    _dosed(esk_session, nurse)
    services.add_vitals(nurse, esk_session, taken_at=_at(40), minute=40, systolic=130, diastolic=80)
    response = client_for(nurse).get(reverse("treatments:rems", args=[esk_session.uuid]))
    row = _rows(response)["respiratory_depression"]
    assert row["blank"] and "staff to complete" in row["note"]


def test_concomitant_medicines_come_from_the_latest_intake_screen(
    esk_session: Any, nurse: Any, prescriber: Any, client_for: Any
) -> None:
    from ketacare.web.patients.intake import record_screen
    from ketacare.web.patients.models import ContraindicationScreen

    _dosed(esk_session, nurse)
    screen = record_screen(
        prescriber,
        esk_session.patient,
        answers={"cns_depressants": False, "psychostimulants": True, "maoi": False},
        drug="esketamine",
        route="in",
    )
    ContraindicationScreen.objects.filter(pk=screen.pk).update(
        screened_at=dt.datetime(2026, 1, 2, 10, 0, tzinfo=dt.UTC)
    )
    fields = gather_fields(esk_session)
    assert fields["psychostimulants"] is True
    assert fields["maois"] is False
    assert fields["benzodiazepines"] is False  # no CNS depressants at all
    assert fields["non_benzodiazepine_sedative_hypnotics"] is False
    response = client_for(nurse).get(reverse("treatments:rems", args=[esk_session.uuid]))
    assert "From the intake screen of 2026-01-02." in _rows(response)["psychostimulants"]["note"]


def test_cns_depressants_on_the_screen_leave_benzodiazepines_blank_for_staff(
    esk_session: Any, nurse: Any, prescriber: Any
) -> None:
    from ketacare.web.patients.intake import record_screen
    from ketacare.web.patients.models import ContraindicationScreen

    screen = record_screen(
        prescriber,
        esk_session.patient,
        answers={"cns_depressants": True},
        drug="esketamine",
        route="in",
    )
    ContraindicationScreen.objects.filter(pk=screen.pk).update(
        screened_at=dt.datetime(2026, 1, 2, 10, 0, tzinfo=dt.UTC)
    )
    fields = gather_fields(esk_session)
    assert "benzodiazepines" not in fields and "psychostimulants" not in fields


def test_a_screen_after_the_session_is_not_used(esk_session: Any, prescriber: Any) -> None:
    from ketacare.web.patients.intake import record_screen

    record_screen(  # screened today, after the session of 2026-01-05
        prescriber, esk_session.patient, answers={"maoi": True}, drug="esketamine", route="in"
    )
    assert "maois" not in gather_fields(esk_session)


def test_fields_the_records_do_not_hold_are_labelled_blanks_for_staff(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    response = client_for(nurse).get(reverse("treatments:rems", args=[esk_session.uuid]))
    rows = _rows(response)
    for name in ("hcp_telephone", "setting_address_1", "setting_city", "setting_zip"):
        assert rows[name]["blank"] and rows[name]["staff"] and rows[name]["required"]
        assert rows[name]["note"] == "Not held in the KetaCare record: staff to complete."
    assert rows["setting_name"]["value"] == esk_session.clinic.name
    details = rows["serious_adverse_event_details"]  # no SAE: an empty box, not a staff task
    assert details["blank"] and not details["staff"]
    text = response.content.decode()
    assert "HCP telephone" in text and "staff to complete" in text
    assert "Northside Ketamine Clinic" in text


def test_the_hcp_email_comes_from_the_prescribers_account_or_is_left_for_staff(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    prescriber = esk_session.course.prescriber
    prescriber.email = ""
    prescriber.save(update_fields=["email"])
    url = reverse("treatments:rems", args=[esk_session.uuid])
    row = _rows(client_for(nurse).get(url))["hcp_email"]
    assert row["staff"] and "prescriber's user account has no email" in row["note"]
    prescriber.email = "p.shah@northside.example"
    prescriber.save(update_fields=["email"])
    row = _rows(client_for(nurse).get(url))["hcp_email"]
    assert row["display"] == "p.shah@northside.example" and not row["blank"]
