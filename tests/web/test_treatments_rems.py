"""The REMS Patient Monitoring Form of an esketamine session, as a printable page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

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
        at=dt.datetime(2026, 1, 5, 8, 45, tzinfo=dt.UTC),
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


def _dosed(session: Any, nurse: Any, first_device: dt.datetime = FIRST_DEVICE) -> Any:
    services.record_checklist(
        nurse,
        session,
        systolic=128,
        diastolic=82,
        ride_home=True,
        rems_enrolled=True,
        at=first_device - dt.timedelta(minutes=15),
        expected_version=session.version,
    )
    services.set_dose(nurse, session, expected_version=session.version)
    services.record_administration(
        nurse, session, first_device_at=first_device, expected_version=session.version
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


def _given_on(session: Any, day: dt.date) -> None:
    """Test data: the session was given on ``day`` (the fixture opens it today)."""
    type(session).objects.filter(pk=session.pk).update(date=day)
    session.refresh_from_db()


def test_cns_depressants_on_the_screen_leave_benzodiazepines_blank_for_staff(
    esk_session: Any, nurse: Any, prescriber: Any
) -> None:
    from ketacare.web.patients.intake import record_screen
    from ketacare.web.patients.models import ContraindicationScreen

    _given_on(esk_session, dt.date(2026, 1, 5))
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

    _given_on(esk_session, dt.date(2026, 1, 5))
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


# --- the vital-sign answers, decided by the core (core.safety.rems) -------------------------


def _checklist(session: Any, nurse: Any, systolic: float, diastolic: float, **kw: Any) -> None:
    values = {"fasting_hours": 3, "liquids_minutes": 45, "ride_home": True, "rems_enrolled": True}
    services.record_checklist(
        nurse,
        session,
        systolic=systolic,
        diastolic=diastolic,
        expected_version=session.version,
        **{**values, **kw},
    )


def test_a_bp_that_needed_the_prescriber_is_yes_only_with_the_prescribers_decision_quoted(
    esk_session: Any, nurse: Any, prescriber: Any, client_for: Any
) -> None:
    # thresholds.toml esketamine pre-dose limit 140/90: 152/94 needs the prescriber
    _checklist(esk_session, nurse, 152, 94)
    url = reverse("treatments:rems", args=[esk_session.uuid])
    row = _rows(client_for(nurse).get(url))["vitals_acceptable_before"]
    assert row["value"] is None and row["staff"]  # the old page printed "No" here
    assert "needed the prescriber and no decision is recorded" in row["note"]
    services.decide_gate(
        prescriber,
        esk_session,
        note="Rechecked 146/90 after rest; dose",
        expected_version=esk_session.version,
    )
    row = _rows(client_for(nurse).get(url))["vitals_acceptable_before"]
    assert row["display"] == "Yes"
    assert row["note"].startswith("Yes, after the prescriber's decision")
    assert "Rechecked 146/90 after rest; dose" in row["note"]


def test_a_passed_bp_gate_is_yes_whatever_another_gate_needs(esk_session: Any, nurse: Any) -> None:
    # no REMS enrolment blocks the session; the blood pressure itself passed its gate
    _checklist(esk_session, nurse, 128, 82, rems_enrolled=False)
    assert esk_session.gates_overall == "block"
    assert gather_fields(esk_session)["vitals_acceptable_before"] is True  # old: False


def test_bp_before_monitoring_ended_is_never_a_reading_taken_after_it(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    from ketacare.web.treatments.models import TreatmentSession

    _dosed(esk_session, nurse)
    for minutes, sbp, dbp in ((42, 150, 90), (110, 136, 84), (135, 170, 100)):
        services.add_vitals(nurse, esk_session, taken_at=_at(minutes), systolic=sbp, diastolic=dbp)
    # monitoring ended at +125 min (stored directly: test data)
    TreatmentSession.objects.filter(pk=esk_session.pk).update(discharged_at=_at(125))
    rows = _rows(client_for(nurse).get(reverse("treatments:rems", args=[esk_session.uuid])))
    assert rows["bp_40_min"]["display"] == "150/90"
    assert rows["bp_before_completion"]["display"] == "136/84"  # old: 170/100, after the end
    assert "last BP at or before the end of monitoring" in rows["bp_before_completion"]["note"]


def test_times_are_shown_in_the_clinics_zone_to_the_minute(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    from ketacare.web.treatments.models import TreatmentSession

    clinic = esk_session.clinic
    clinic.time_zone = "America/New_York"
    clinic.save(update_fields=["time_zone"])
    _dosed(esk_session, nurse)
    TreatmentSession.objects.filter(pk=esk_session.pk).update(
        first_device_at=dt.datetime(2026, 1, 5, 14, 0, 7, 123456, tzinfo=dt.UTC),
        discharged_at=dt.datetime(2026, 1, 5, 16, 5, 59, 999, tzinfo=dt.UTC),
    )
    response = client_for(nurse).get(reverse("treatments:rems", args=[esk_session.uuid]))
    rows = _rows(response)
    assert rows["first_device_at"]["display"] == "2026-01-05 09:00 EST"
    assert rows["monitoring_end_at"]["display"] == "2026-01-05 11:05 EST"
    text = response.content.decode()
    assert "123456" not in text and "14:00:07" not in text and "+00:00" not in text


# --- recording the submission ----------------------------------------------------------------


def _submit(client: Any, session: Any, **data: Any) -> Any:
    return client.post(reverse("treatments:rems_submit", args=[session.uuid]), data)


def test_a_nurse_records_the_submission_and_the_page_shows_it(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    from ketacare.web.audit.models import AuditEntry
    from ketacare.web.treatments.models import RemsSubmission

    _dosed(esk_session, nurse)
    client = client_for(nurse)
    page = client.get(reverse("treatments:rems", args=[esk_session.uuid]))
    assert page.context["rems_status"].status == "overdue"  # 2026-01-05 + 7 days is long past
    response = _submit(client, esk_session, submitted_on="2026-01-07", confirmation="RMS-55012")
    assert response.status_code == 302
    row = RemsSubmission.objects.get(session=esk_session)
    assert row.submitted_by == nurse and row.confirmation == "RMS-55012" and row.is_active
    assert AuditEntry.objects.filter(action="rems.submission", object_uuid=row.uuid).exists()
    page = client.get(reverse("treatments:rems", args=[esk_session.uuid]))
    assert page.context["rems_status"].status == "submitted"
    text = page.content.decode()
    assert "Confirmation <strong>RMS-55012</strong>, submitted on 2026-01-07" in text
    assert "Correct this record" in text


def test_a_correction_needs_a_reason_and_keeps_the_old_row(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    from ketacare.web.treatments.models import RemsSubmission

    _dosed(esk_session, nurse)
    client = client_for(nurse)
    _submit(client, esk_session, submitted_on="2026-01-07", confirmation="RMS-55012")
    refused = _submit(client, esk_session, submitted_on="2026-01-07", confirmation="RMS-55021")
    assert refused.status_code == 400
    assert "a reason for the correction" in refused.content.decode()
    assert RemsSubmission.objects.filter(session=esk_session).count() == 1
    done = _submit(
        client,
        esk_session,
        submitted_on="2026-01-07",
        confirmation="RMS-55021",
        reason="digits transposed",
    )
    assert done.status_code == 302
    old, new = RemsSubmission.objects.filter(session=esk_session).order_by("id")
    assert old.confirmation == "RMS-55012" and old.superseded_at is not None
    assert new.is_active and new.supersedes == old and new.reason == "digits transposed"
    text = client.get(reverse("treatments:rems", args=[esk_session.uuid])).content.decode()
    assert "Earlier records (1, superseded)" in text and "RMS-55012" in text


def test_a_submission_date_before_the_session_or_in_the_future_is_refused(
    esk_session: Any, nurse: Any, client_for: Any
) -> None:
    from ketacare.web.treatments.models import RemsSubmission

    _dosed(esk_session, nurse)
    client = client_for(nurse)
    before = _submit(client, esk_session, submitted_on="2026-01-04", confirmation="R-1")
    assert before.status_code == 400 and "on or after the session" in before.content.decode()
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert _submit(client, esk_session, submitted_on=future, confirmation="R-1").status_code == 400
    assert not RemsSubmission.objects.exists()


def test_only_a_dosed_esketamine_session_takes_a_submission(
    esk_session: Any, iv_session: Any, nurse: Any, client_for: Any
) -> None:
    from ketacare.web.treatments.models import RemsSubmission

    client = client_for(nurse)
    undosed = _submit(client, esk_session, submitted_on="2026-01-07", confirmation="R-1")
    assert undosed.status_code == 400 and "first device recorded" in undosed.content.decode()
    iv = _submit(client, iv_session, submitted_on="2026-01-07", confirmation="R-1")
    assert iv.status_code == 400
    assert not RemsSubmission.objects.exists()


def test_who_may_record_a_submission(
    esk_session: Any,
    nurse: Any,
    front_desk: Any,
    other_clinician: Any,
    client_for: Any,
) -> None:
    from ketacare.web.treatments.models import RemsSubmission

    _dosed(esk_session, nurse)
    data = {"submitted_on": "2026-01-07", "confirmation": "R-1"}
    assert _submit(client_for(front_desk), esk_session, **data).status_code == 403
    assert _submit(client_for(other_clinician), esk_session, **data).status_code == 404
    assert not RemsSubmission.objects.exists()


# --- forms due on the dashboard --------------------------------------------------------------


def test_the_dashboard_lists_forms_due_and_overdue_overdue_first(
    esk_course: Any, esk_session: Any, nurse: Any, prescriber: Any, client_for: Any
) -> None:
    from ketacare.web.clinic.dashboard import dashboard_context

    second_planned = esk_course.planned_sessions.order_by("index")[1]
    second = services.open_session(nurse, esk_course, planned=second_planned, chair=1)
    _dosed(esk_session, nurse)
    _dosed(second, nurse, FIRST_DEVICE + dt.timedelta(days=3))  # given three days later
    # today = the day after the first session's due date; the second's is still ahead
    first_due = esk_session.date + dt.timedelta(days=7)
    today = first_due + dt.timedelta(days=1)
    assert second.date + dt.timedelta(days=7) >= today
    rows = dashboard_context(prescriber, today=today)["rems_forms_due"]
    assert [(r["status"], r["due_date"]) for r in rows] == [
        ("overdue", first_due),
        ("due", second.date + dt.timedelta(days=7)),
    ]
    assert rows[0]["url"] == reverse("treatments:rems", args=[esk_session.uuid])
    services_rems_submit = client_for(nurse).post(
        reverse("treatments:rems_submit", args=[esk_session.uuid]),
        {"submitted_on": esk_session.date.isoformat(), "confirmation": "RMS-1"},
    )
    assert services_rems_submit.status_code == 302
    rows = dashboard_context(prescriber, today=today)["rems_forms_due"]
    assert [r["status"] for r in rows] == ["due"]
    page = client_for(prescriber).get("/dashboard/").content.decode()
    assert "REMS forms to submit (1)" in page
    assert reverse("treatments:rems", args=[second.uuid]) in page


def test_an_undosed_or_iv_session_is_not_a_form_due(
    esk_session: Any, iv_session: Any, nurse: Any, prescriber: Any, other_clinician: Any
) -> None:
    from ketacare.web.clinic.dashboard import dashboard_context

    services.record_checklist(  # the IV session dosed: no REMS form for racemic ketamine
        nurse,
        iv_session,
        systolic=128,
        diastolic=82,
        ride_home=True,
        expected_version=iv_session.version,
    )
    assert dashboard_context(prescriber)["rems_forms_due"] == []
    _dosed(esk_session, nurse)
    assert len(dashboard_context(prescriber)["rems_forms_due"]) == 1
    assert dashboard_context(other_clinician)["rems_forms_due"] == []


def test_a_dose_override_is_printed_on_the_form(
    esk_session: Any, prescriber: Any, client_for: Any
) -> None:
    from ketacare.web.treatments.models import TreatmentSession

    TreatmentSession.objects.filter(pk=esk_session.pk).update(
        dose_mg=84,
        dose_overrides=[
            {
                "dose_mg": 84,
                "dose_mg_per_kg": 1.2,
                "reason": "partial response at 56 mg",
                "by": prescriber.display_name,
                "by_id": prescriber.pk,
                "at": "2026-01-05T09:00:00+00:00",
            }
        ],
    )
    page = client_for(prescriber).get(reverse("treatments:rems", args=[esk_session.uuid]))
    text = page.content.decode()
    assert "Dose override: 84 mg above the protocol maximum" in text
    assert "partial response at 56 mg" in text and prescriber.display_name in text
