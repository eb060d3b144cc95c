"""The hard stops that leaked, each as it was found on the demo clinic: every one now refused by
the core's rule through the services (and so through the pages and the API).

References quoted beside the assertions: the SPRAVATO US prescribing information (day-1 dose
56 mg; 84 mg "taken only after an initial starting dose of 56 mg"; monitor at least 2 hours),
Fava 2020 (Mol Psychiatry; the highest IV dose studied for depression, 1.0 mg/kg).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.web.conftest import consent_for, run_to_signable

from ketacare.core.errors import InputError
from ketacare.core.protocols import DoseCeilingError
from ketacare.web.courses import services as course_services
from ketacare.web.courses.models import Course
from ketacare.web.patients import intake
from ketacare.web.patients.models import ContraindicationScreen, Patient
from ketacare.web.treatments import services
from ketacare.web.treatments.models import Amendment, TreatmentSession, VitalSign

pytestmark = pytest.mark.django_db


def _checked(session: Any, user: Any, *, minutes_ago: int = 20, **extra: Any) -> Any:
    esk = session.course.drug == "esketamine"
    data: dict[str, Any] = {
        "systolic": 124,
        "diastolic": 78,
        "fasting_hours": 3,
        "liquids_minutes": 60 if esk else None,
        "ride_home": True,
        "rems_enrolled": True if esk else None,
    }
    data.update(extra)
    return services.record_checklist(
        user,
        session,
        at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        expected_version=session.version,
        **data,
    )


def _new_patient(clinic: Any, n: int) -> Patient:
    return Patient.objects.create(
        clinic=clinic,
        record_number=f"H-{n:03d}",
        given_name="Hana",
        family_name=f"Stop{n}",
        date_of_birth=dt.date(1975, 3, 1),
    )


# --- dose ---------------------------------------------------------------------------------


def test_3500_mg_iv_is_refused_even_with_an_override_reason(
    iv_session: Any, prescriber: Any
) -> None:
    # the defect: 3,500 mg (50 mg/kg at 70 kg) accepted with the override reason "typo test".
    # Fava 2020: arms 0.1, 0.2, 0.5 and 1.0 mg/kg -> the ceiling is 1.0 mg/kg, no override passes
    _checked(iv_session, prescriber)
    with pytest.raises(DoseCeilingError) as caught:
        services.set_dose(
            prescriber,
            iv_session,
            dose_mg=3500,
            override_reason="typo test",
            expected_version=iv_session.version,
        )
    assert "ceiling" in caught.value.allowed.lower() or "1 mg/kg" in caught.value.allowed
    iv_session.refresh_from_db()
    assert iv_session.dose_mg is None


def test_a_tiny_concentration_is_refused_not_stored_as_525000_ml(
    iv_session: Any, prescriber: Any
) -> None:
    _checked(iv_session, prescriber)
    with pytest.raises(InputError) as caught:
        services.set_dose(
            prescriber,
            iv_session,
            concentration_mg_per_ml=0.0001,
            expected_version=iv_session.version,
        )
    assert caught.value.field == "concentration_mg_per_ml"
    iv_session.refresh_from_db()
    assert iv_session.dose_result is None


def test_84_mg_esketamine_at_the_first_session_is_refused(esk_session: Any, nurse: Any) -> None:
    # label: "The Day 1 starting dose of SPRAVATO is 56 mg"; 84 mg only after a 56 mg start
    _checked(esk_session, nurse)
    with pytest.raises(InputError) as caught:
        services.set_dose(nurse, esk_session, dose_mg=84, expected_version=esk_session.version)
    assert caught.value.field == "dose_mg"
    services.set_dose(nurse, esk_session, dose_mg=56, expected_version=esk_session.version)
    assert esk_session.dose_mg == 56


def test_84_mg_is_allowed_at_the_second_session_after_a_56_mg_start(
    esk_course: Any, esk_session: Any, nurse: Any
) -> None:
    run_to_signable(esk_session, nurse, minutes_ago=60 * 24 * 3)
    services.sign_session(nurse, esk_session, expected_version=esk_session.version)
    second = services.open_session(
        nurse, esk_course, planned=esk_course.planned_sessions.order_by("index")[1]
    )
    _checked(second, nurse)
    services.set_dose(nurse, second, dose_mg=84, expected_version=second.version)
    assert second.dose_mg == 84 and second.dose_result["session_number"] == 2


def test_an_override_stays_on_the_session_when_the_dose_changes_again(
    iv_session: Any, prescriber: Any
) -> None:
    _checked(iv_session, prescriber)
    services.set_dose(
        prescriber,
        iv_session,
        dose_mg_per_kg=0.9,
        override_reason="partial response at 0.75 mg/kg",
        expected_version=iv_session.version,
    )
    services.set_dose(prescriber, iv_session, expected_version=iv_session.version)
    iv_session.refresh_from_db()
    assert iv_session.dose_override is False  # the dose now in force is within the maximum
    assert [o["reason"] for o in iv_session.dose_overrides] == ["partial response at 0.75 mg/kg"]
    assert iv_session.dose_overrides[0]["by"] == prescriber.display_name


# --- eligibility --------------------------------------------------------------------------


def test_an_esketamine_course_does_not_start_over_a_contraindicated_screen(
    clinic: Any, prescriber: Any, nurse: Any
) -> None:
    patient = _new_patient(clinic, 1)
    intake.record_screen(
        nurse,
        patient,
        answers={"aneurysmal_vascular_disease": True},
        drug="esketamine",
        route="in",
    )
    with pytest.raises(InputError) as caught:
        course_services.start_course(
            prescriber,
            patient,
            protocol_id="esketamine-trd",
            start_date=timezone.localdate(),
            weight_kg=70,
        )
    assert caught.value.field == "screen"
    assert not Course.objects.filter(patient=patient).exists()
    course = course_services.start_course(
        prescriber,
        patient,
        protocol_id="esketamine-trd",
        start_date=timezone.localdate(),
        weight_kg=70,
        override_reason="aneurysm repaired 2019, vascular surgery cleared treatment",
    )
    assert course.eligibility_override_by == prescriber
    assert course.events.get(kind="start").data["eligibility"] == "contraindicated"


def test_a_course_does_not_start_without_a_screen(clinic: Any, prescriber: Any) -> None:
    patient = _new_patient(clinic, 2)
    with pytest.raises(InputError) as caught:
        course_services.start_course(
            prescriber,
            patient,
            protocol_id="iv-racemic",
            start_date=timezone.localdate(),
            weight_kg=70,
        )
    assert caught.value.field == "screen" and caught.value.value == "missing"


def test_a_later_screen_does_not_hide_the_earlier_one(
    clinic: Any, nurse: Any, client_for: Any
) -> None:
    patient = _new_patient(clinic, 3)
    intake.record_screen(nurse, patient, answers={"pregnancy": True}, drug="racemic", route="iv")
    intake.record_screen(nurse, patient, answers={"pregnancy": False}, drug="racemic", route="iv")
    assert ContraindicationScreen.objects.filter(patient=patient).count() == 2  # a history
    page = client_for(nurse).get(f"/patients/{patient.uuid}/intake/").content.decode()
    assert page.count("Pregnan") >= 1


def test_an_iv_session_is_not_dosed_without_consent(
    patient: Any, prescriber: Any, nurse: Any
) -> None:
    course = course_services.start_course(
        prescriber,
        patient,
        protocol_id="iv-racemic",
        start_date=timezone.localdate(),
        weight_kg=70,
    )
    session = services.open_session(nurse, course, planned=course.planned_sessions.first())
    _checked(session, nurse)
    with pytest.raises(InputError) as caught:
        services.set_dose(nurse, session, expected_version=session.version)
    assert caught.value.field == "consent"
    consent_for(course, prescriber)
    services.set_dose(nurse, session, expected_version=session.version)
    assert session.dose_mg is not None


def test_a_second_active_course_needs_a_prescribers_reason(patient: Any, prescriber: Any) -> None:
    start = timezone.localdate()
    course_services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=start, weight_kg=70
    )
    with pytest.raises(InputError) as caught:
        course_services.start_course(
            prescriber, patient, protocol_id="esketamine-trd", start_date=start, weight_kg=70
        )
    assert caught.value.field == "concurrent_reason"
    assert Course.objects.filter(patient=patient).count() == 1


# --- signing, times, vitals ---------------------------------------------------------------


def test_an_esketamine_session_is_not_signed_five_minutes_after_the_dose(
    esk_session: Any, nurse: Any
) -> None:
    _checked(esk_session, nurse, minutes_ago=10)
    services.set_dose(nurse, esk_session, expected_version=esk_session.version)
    now = timezone.now()
    services.record_administration(
        nurse,
        esk_session,
        started_at=now - dt.timedelta(minutes=6),
        first_device_at=now - dt.timedelta(minutes=5),
        ended_at=now,
        expected_version=esk_session.version,
    )
    with pytest.raises(InputError) as caught:
        services.sign_session(nurse, esk_session, expected_version=esk_session.version)
    # SPRAVATO label: monitor for at least 2 hours after administration
    assert caught.value.field == "first_device_at"
    assert "120" in caught.value.allowed
    for words in ("discharge", "40 minutes", "before discharge"):
        assert words in caught.value.allowed
    esk_session.refresh_from_db()
    assert not esk_session.is_signed


def test_moving_the_first_device_earlier_needs_a_reason_and_keeps_the_old_time(
    esk_session: Any, nurse: Any
) -> None:
    _checked(esk_session, nurse, minutes_ago=60)
    services.set_dose(nurse, esk_session, expected_version=esk_session.version)
    now = timezone.now()
    first = now - dt.timedelta(minutes=30)
    services.record_administration(
        nurse,
        esk_session,
        started_at=first,
        first_device_at=first,
        expected_version=esk_session.version,
    )
    earlier = now - dt.timedelta(minutes=55)
    with pytest.raises(InputError) as caught:
        services.record_administration(
            nurse,
            esk_session,
            started_at=earlier,
            first_device_at=earlier,
            expected_version=esk_session.version,
        )
    assert caught.value.field == "reason"
    services.record_administration(
        nurse,
        esk_session,
        started_at=earlier,
        first_device_at=earlier,
        expected_version=esk_session.version,
        reason="first device time read from the device log",
    )
    change = Amendment.objects.get(session=esk_session, action="session.time_change")
    assert change.reason == "first device time read from the device log"
    assert change.before["first_device_at"] == first.isoformat()
    assert change.actor == nurse


def test_a_start_before_the_checklist_is_refused(iv_session: Any, nurse: Any) -> None:
    _checked(iv_session, nurse, minutes_ago=10)
    services.set_dose(nurse, iv_session, expected_version=iv_session.version)
    with pytest.raises(InputError) as caught:
        services.record_administration(
            nurse,
            iv_session,
            started_at=timezone.now() - dt.timedelta(minutes=30),
            expected_version=iv_session.version,
        )
    assert caught.value.field == "started_at" and "checklist" in caught.value.allowed


def test_a_vital_timed_in_the_future_is_refused(iv_session: Any, nurse: Any) -> None:
    with pytest.raises(InputError) as caught:
        services.add_vitals(
            nurse,
            iv_session,
            taken_at=timezone.now() + dt.timedelta(hours=2),
            systolic=120,
            diastolic=80,
        )
    assert caught.value.field == "taken_at"
    assert not VitalSign.objects.filter(session=iv_session).exists()


def test_a_diastolic_of_114_raises_an_alert_and_the_banner(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    vital = services.add_vitals(nurse, iv_session, systolic=150, diastolic=114)
    assert vital.out_of_range
    assert "diastolic" in {a["field"] for a in vital.alerts}
    page = client_for(nurse).get(reverse("treatments:detail", args=[iv_session.uuid]))
    assert "114" in page.content.decode()


def test_a_session_given_on_another_day_takes_the_day_it_was_given(
    iv_course: Any, nurse: Any
) -> None:
    # the defect: a session given on 4 December kept its planned date of 7 December
    planned = iv_course.planned_sessions.order_by("index")[2]
    session = services.open_session(nurse, iv_course, planned=planned)
    assert session.date == timezone.localdate()
    assert session.planned == planned  # the off-plan session keeps its link to the planned one
    _checked(session, nurse, minutes_ago=30)
    services.set_dose(nurse, session, expected_version=session.version)
    began = timezone.now() - dt.timedelta(minutes=20)
    services.record_administration(
        nurse, session, started_at=began, expected_version=session.version
    )
    assert session.date == timezone.localdate(began)


def test_a_complete_session_signs_and_the_planned_session_is_given(
    esk_session: Any, nurse: Any
) -> None:
    run_to_signable(esk_session, nurse)
    services.sign_session(nurse, esk_session, expected_version=esk_session.version)
    stored = TreatmentSession.objects.get(pk=esk_session.pk)
    assert stored.is_signed and stored.planned.status == "done"


def test_after_signing_a_vital_is_an_amendment_with_a_reason(esk_session: Any, nurse: Any) -> None:
    run_to_signable(esk_session, nurse)
    services.sign_session(nurse, esk_session, expected_version=esk_session.version)
    with pytest.raises(InputError) as caught:
        services.add_vitals(nurse, esk_session, heart_rate=70)
    assert caught.value.field == "reason"
    services.add_vitals(nurse, esk_session, heart_rate=70, reason="late entry from paper")
    assert Amendment.objects.filter(session=esk_session, action="session.vitals").count() == 1
