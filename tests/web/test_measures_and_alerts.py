"""Measures: the core's score, band and outcome against the course baseline are stored with the
rule; a positive suicidal-ideation signal raises an alert until a clinician acknowledges it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ketacare.core import outcomes as core_outcomes
from ketacare.core import scales as core_scales
from ketacare.core.errors import InputError
from ketacare.web.audit.models import AuditEntry
from ketacare.web.lib.records import ConflictError
from ketacare.web.measures import services
from ketacare.web.measures.models import Alert, Measure

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
MADRS_BASELINE = [4, 4, 3, 3, 3, 3, 3, 3, 3, 1]  # total 30
MADRS_LATER = [1, 1, 1, 1, 1, 1, 2, 2, 2, 0]  # total 12


@pytest.mark.django_db
def test_the_score_and_outcome_are_the_cores(nurse: Any, world: dict[str, Any]) -> None:
    patient, course = world["patient"], world["course"]
    services.record_measure(
        nurse,
        patient,
        scale_id="madrs",
        items=MADRS_BASELINE,
        taken_at=T0,
        course=course,
        baseline=True,
    )
    later = services.record_measure(
        nurse,
        patient,
        scale_id="madrs",
        items=MADRS_LATER,
        taken_at=T0 + dt.timedelta(days=14),
        course=course,
    )
    course.refresh_from_db()
    assert course.baseline_measure is not None and course.baseline_measure.total == 30
    scored = core_scales.score("madrs", MADRS_LATER)
    outcome = core_outcomes.assess("madrs", 30, scored.total)
    assert later.result == scored.to_dict()
    assert (later.total, later.severity) == (scored.total, scored.severity or "")
    assert later.outcome == outcome.to_dict()
    assert later.outcome["rule"]  # the rule used is stored with the result
    assert (later.response, later.remission) == (outcome.response, outcome.remission)
    assert later.percent_change == pytest.approx(outcome.percent_change, abs=1e-9)


@pytest.mark.django_db
def test_a_bad_item_is_refused_and_nothing_saved(nurse: Any, patient: Any) -> None:
    with pytest.raises(InputError) as caught:
        services.record_measure(nurse, patient, scale_id="phq9", items=[1] * 8 + [7])
    assert "allowed" in caught.value.message
    assert not Measure.objects.exists()


@pytest.mark.django_db
def test_a_bad_item_is_shown_beside_that_item(nurse: Any, patient: Any, client_for: Any) -> None:
    data = {"scale": "phq9", "taken_at": "2026-01-05T09:00", "course": ""}
    data.update({f"item_{n}": "1" for n in range(1, 10)})
    data["item_4"] = ""  # PHQ-9 items may not be blank
    response = client_for(nurse).post(f"/measures/new/{patient.uuid}/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "item_4" in errors, errors
    assert not Measure.objects.exists()


@pytest.mark.django_db
def test_a_positive_phq9_item_9_raises_an_alert_until_acknowledged(
    nurse: Any, prescriber: Any, patient: Any, client_for: Any
) -> None:
    measure = services.record_measure(
        nurse, patient, scale_id="phq9", items=[1, 1, 1, 1, 1, 1, 1, 1, 2], taken_at=T0
    )
    scored = core_scales.score("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2])
    signal = core_outcomes.suicidal_ideation_signal("phq9", scored)
    assert measure.si_signal == signal.to_dict()
    alert = Alert.objects.get(measure=measure)
    assert alert.level == signal.level and alert.is_open
    # named in words where a record names it (the audit trail), not "Alert object (1)"
    assert str(alert) == f"Suicidal ideation alert (positive), {alert.raised_at:%Y-%m-%d}"
    dashboard = client_for(prescriber).get("/dashboard/").content.decode()
    assert patient.full_name in dashboard
    with pytest.raises(InputError):
        services.acknowledge_alert(prescriber, alert, note=" ", expected_version=1)
    response = client_for(prescriber).post(
        f"/measures/alerts/{alert.uuid}/acknowledge/",
        {"note": "Seen; safety plan reviewed; no intent.", "version": 1},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert not alert.is_open and alert.acknowledged_by == prescriber
    assert AuditEntry.objects.filter(action="alert.acknowledge", reason__contains="safety").exists()
    assert "Seen; safety plan" not in client_for(prescriber).get("/dashboard/").content.decode()


@pytest.mark.django_db
def test_a_zero_suicide_item_raises_no_alert(nurse: Any, patient: Any) -> None:
    services.record_measure(nurse, patient, scale_id="phq9", items=[1] * 8 + [0], taken_at=T0)
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_the_cssrs_high_triage_is_an_urgent_alert(nurse: Any, patient: Any) -> None:
    items = ["y", "y", "y", "y", "y", "n", "-"]
    measure = services.record_measure(nurse, patient, scale_id="cssrs-screen", items=items)
    expected = core_outcomes.suicidal_ideation_signal(
        "cssrs-screen", core_scales.score("cssrs-screen", items)
    )
    assert measure.si_level == expected.level
    if expected.level in ("positive", "urgent"):
        assert Alert.objects.get(measure=measure).level == expected.level


@pytest.mark.django_db
def test_two_clinicians_acknowledging_at_once_the_second_is_refused(
    nurse: Any, prescriber: Any, world: dict[str, Any]
) -> None:
    from ketacare.web.measures.models import Alert as AlertModel

    first = AlertModel.objects.get(pk=world["alert"].pk)
    second = AlertModel.objects.get(pk=world["alert"].pk)
    services.acknowledge_alert(nurse, first, note="called patient", expected_version=1)
    with pytest.raises(ConflictError):
        services.acknowledge_alert(prescriber, second, note="also called", expected_version=1)


@pytest.mark.django_db
def test_front_desk_may_not_enter_measures(front_desk: Any, patient: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.record_measure(front_desk, patient, scale_id="phq9", items=[0] * 9)


@pytest.mark.django_db
def test_a_course_has_one_baseline(nurse: Any, world: dict[str, Any]) -> None:
    patient, course = world["patient"], world["course"]
    services.record_measure(
        nurse,
        patient,
        scale_id="madrs",
        items=MADRS_BASELINE,
        taken_at=T0,
        course=course,
        baseline=True,
    )
    course.refresh_from_db()
    with pytest.raises(InputError) as caught:
        services.record_measure(
            nurse,
            patient,
            scale_id="madrs",
            items=MADRS_LATER,
            taken_at=T0,
            course=course,
            baseline=True,
        )
    assert caught.value.field == "baseline"


@pytest.mark.django_db
def test_a_hamd17_scores_without_the_item_16_method_and_keeps_it_when_given(
    nurse: Any, patient: Any, client_for: Any
) -> None:
    # Hamilton 1960/1967: item 16 is rated by A (history) or B (measured), both 0-2, scored alike
    data = {"scale": "hamd17", "taken_at": "2026-01-05T09:00", "course": ""}
    data.update({f"item_{n}": "1" for n in range(1, 18)})
    client = client_for(nurse)
    response = client.post(f"/measures/new/{patient.uuid}/", data)
    assert response.status_code == 302, response.context["form"].errors
    first = Measure.objects.get()
    assert first.total == 17
    response = client.post(f"/measures/new/{patient.uuid}/", {**data, "opt_item16": "B"})
    assert response.status_code == 302
    second = Measure.objects.exclude(pk=first.pk).get()
    assert second.total == 17
    assert "B" in str(second.result)


@pytest.mark.django_db
def test_the_alert_list_shows_measure_date_and_patient_grouped_and_acknowledged_one_by_one(
    nurse: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    import zoneinfo

    from ketacare.web.measures.models import Alert, Measure

    clinic.time_zone = "Europe/Zurich"
    clinic.save(update_fields=["time_zone"])
    first, second = grow(clinic, prescriber, 2)
    m = Measure.objects.filter(patient=first, scale_id="madrs").order_by("taken_at").last()
    extra = Alert.objects.create(
        clinic=clinic, patient=first, measure=m, level="urgent", reason="x"
    )
    client = client_for(nurse)
    response = client.get("/measures/alerts/")
    assert response.status_code == 200
    groups = response.context["groups"]
    assert sorted(len(g["alerts"]) for g in groups) == [1, 2]  # one group per patient
    page = response.content.decode()
    assert page.count(first.full_name) == 1 and page.count(second.full_name) == 1
    assert "Montgomery" in page  # the MADRS by its name from the core
    local = m.taken_at.astimezone(zoneinfo.ZoneInfo("Europe/Zurich"))
    assert f"{local:%Y-%m-%d %H:%M}" in page  # the measure's date, in the clinic's zone
    # each alert still has its own acknowledgement (and its own note)
    for g in groups:
        for a in g["alerts"]:
            assert f'href="/measures/alerts/{a["uuid"]}/acknowledge/"' in page
    response = client.post(
        f"/measures/alerts/{extra.uuid}/acknowledge/", {"note": "called", "version": 1}
    )
    assert response.status_code == 302
    assert Alert.objects.filter(patient=first, acknowledged_at__isnull=True).count() == 1
