"""Starting a course: the core plans the sessions; the course moves through its statuses with
who and why; only prescribers prescribe; the plan page shows the schedule and the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ketacare.core import protocols as core_protocols
from ketacare.core import vocabulary
from ketacare.core.errors import InputError
from ketacare.web.audit.models import AuditEntry
from ketacare.web.courses import services
from ketacare.web.courses.models import Course, CourseEvent, PlannedSession
from ketacare.web.lib.records import ConflictError

START = dt.date(2026, 1, 5)  # a Monday


@pytest.mark.django_db
def test_the_planned_sessions_are_the_cores_schedule(prescriber: Any, patient: Any) -> None:
    course = services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=START, weight_kg=70
    )
    expected = core_protocols.plan_schedule("iv-racemic", START, weight_kg=70)
    stored = list(PlannedSession.objects.filter(course=course).order_by("index"))
    assert [(s.date, s.phase, s.dose_mg) for s in stored] == [
        (p.date, p.phase, p.dose_mg) for p in expected
    ]
    assert course.drug == "racemic" and course.route == "iv"
    assert course.schedule == [p.to_dict() for p in expected]
    assert AuditEntry.objects.filter(action="course.start", object_uuid=course.uuid).exists()
    assert CourseEvent.objects.get(course=course).kind == "start"


@pytest.mark.django_db
def test_a_nurse_may_not_start_a_course(nurse: Any, patient: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.start_course(
            nurse, patient, protocol_id="iv-racemic", start_date=START, weight_kg=70
        )
    assert not Course.objects.exists()


@pytest.mark.django_db
def test_an_impossible_weight_is_shown_beside_the_weight_field(
    prescriber: Any, patient: Any, client_for: Any
) -> None:
    response = client_for(prescriber).post(
        f"/courses/new/{patient.uuid}/",
        {"protocol_id": "iv-racemic", "start_date": "2026-01-05", "weight_kg": "900"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "weight_kg" in errors and "Allowed: a body weight" in errors["weight_kg"][0]
    assert not Course.objects.exists() and not PlannedSession.objects.exists()


@pytest.mark.django_db
def test_the_form_starts_a_course_and_shows_its_plan(
    prescriber: Any, patient: Any, client_for: Any
) -> None:
    client = client_for(prescriber)
    response = client.post(
        f"/courses/new/{patient.uuid}/",
        {"protocol_id": "esketamine-trd", "start_date": "2026-01-05", "weight_kg": "82"},
    )
    assert response.status_code == 302
    course = Course.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "pk-curve" in text  # the PK partial's place on the plan
    assert text.count("<tr>") >= PlannedSession.objects.filter(course=course).count()


@pytest.mark.django_db
def test_the_course_moves_through_review_and_maintenance_with_reasons(
    prescriber: Any, patient: Any
) -> None:
    course = services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=START, weight_kg=70
    )
    services.change_status(
        prescriber, course, to_status="review", reason="induction done", expected_version=1
    )
    services.change_status(
        prescriber, course, to_status="maintenance", reason="responded", expected_version=2
    )
    events = list(CourseEvent.objects.filter(course=course, kind="status"))
    assert [(e.from_status, e.to_status, e.reason) for e in events] == [
        ("induction", "review", "induction done"),
        ("review", "maintenance", "responded"),
    ]
    assert AuditEntry.objects.filter(action="course.status").count() == 2


@pytest.mark.django_db
def test_a_status_change_needs_a_reason_and_an_allowed_move(prescriber: Any, patient: Any) -> None:
    course = services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=START, weight_kg=70
    )
    with pytest.raises(InputError) as caught:
        services.change_status(
            prescriber, course, to_status="maintenance", reason="x", expected_version=1
        )
    assert caught.value.field == "to_status"
    with pytest.raises(InputError) as caught:
        services.change_status(
            prescriber, course, to_status="review", reason="  ", expected_version=1
        )
    assert caught.value.field == "reason"


@pytest.mark.django_db
def test_ending_a_course_cancels_its_remaining_sessions_without_deleting(
    prescriber: Any, patient: Any
) -> None:
    course = services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=START, weight_kg=70
    )
    n = PlannedSession.objects.filter(course=course).count()
    services.change_status(
        prescriber, course, to_status="ended", reason="patient moved", expected_version=1
    )
    assert PlannedSession.objects.filter(course=course).count() == n
    assert set(PlannedSession.objects.filter(course=course).values_list("status", flat=True)) == {
        "cancelled"
    }


@pytest.mark.django_db
def test_two_prescribers_changing_status_at_once_the_second_is_refused(
    prescriber: Any, patient: Any
) -> None:
    course = services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=START, weight_kg=70
    )
    stale = Course.objects.get(pk=course.pk)
    services.change_status(
        prescriber, course, to_status="review", reason="first", expected_version=1
    )
    with pytest.raises(ConflictError):
        services.change_status(
            prescriber, stale, to_status="ended", reason="second", expected_version=1
        )
    course.refresh_from_db()
    assert course.status == "review"


@pytest.mark.django_db
def test_the_review_shows_the_cores_outcome_and_escalation_advice(
    prescriber: Any, nurse: Any, patient: Any, client_for: Any
) -> None:
    from ketacare.web.measures import services as measures

    course = services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=START, weight_kg=70
    )
    t0 = dt.datetime(2026, 1, 2, 9, 0, tzinfo=dt.UTC)
    measures.record_measure(
        nurse,
        patient,
        scale_id="madrs",
        items=[3] * 10,
        taken_at=t0,
        course=course,
        baseline=True,
    )
    measures.record_measure(
        nurse,
        patient,
        scale_id="madrs",
        items=[2] * 10,
        taken_at=t0 + dt.timedelta(days=14),
        course=course,
    )
    advice = core_protocols.advise_escalation(
        "iv-racemic", baseline=30, scores=[20], scale_id="madrs"
    )
    page = client_for(prescriber).get(f"/courses/{course.uuid}/")
    assert page.context["advice"] == advice.to_dict()
    assert page.context["latest_outcome"]["percent_change"] == pytest.approx(-100 / 3)
    # the action in the core's words, not its id ("continue")
    words = vocabulary.ESCALATION_ACTION_LABELS[advice.action]
    assert f'<span class="badge warn">{words}</span>' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("protocol_id", "model_id"),
    [("iv-racemic", "domino1982"), ("esketamine-trd", "perez-ruixo2021")],
)
def test_the_plan_draws_the_cores_pk_curve_of_the_first_dose(
    protocol_id: str, model_id: str, prescriber: Any, patient: Any, client_for: Any
) -> None:
    from ketacare.core import pk as core_pk

    course = services.start_course(
        prescriber, patient, protocol_id=protocol_id, start_date=START, weight_kg=70
    )
    first = course.planned_sessions.order_by("index").first()
    protocol = core_protocols.get_protocol(protocol_id)
    response = client_for(prescriber).get(f"/courses/{course.uuid}/")
    curve = response.context["pk_curve"]
    expected = core_pk.curve(
        model_id,
        route=course.route,
        dose_mg=first.dose_mg,
        weight_kg=70,
        infusion_min=protocol.duration_min if course.route == "iv" else None,
        end_min=240,
        step_min=2,
    )
    assert curve["model"] == model_id
    assert curve["plasma_ng_per_ml"] == expected["plasma_ng_per_ml"]
    page = response.content.decode()
    assert "2 h</text>" in page
    for sentence in expected["assumptions"]:
        assert str(sentence)[:40] in page.replace("&#x27;", "'").replace("&quot;", '"')


@pytest.mark.django_db
def test_a_route_without_a_pk_model_says_so(prescriber: Any, patient: Any, client_for: Any) -> None:
    from ketacare.web.courses import pk as course_pk

    assert course_pk.curve_for("arketamine", "iv", dose_mg=10, weight_kg=70) is None


@pytest.mark.django_db
def test_a_missed_session_stores_the_cores_advice_on_the_history(
    prescriber: Any, nurse: Any, patient: Any, client_for: Any
) -> None:
    course = services.start_course(
        prescriber, patient, protocol_id="esketamine-trd", start_date=START, weight_kg=70
    )
    planned = course.planned_sessions.order_by("index").last()
    response = client_for(nurse).post(
        f"/courses/planned/{planned.uuid}/missed/",
        {"reason": "unwell", "worsened": "yes", "version": planned.version},
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == "missed"
    expected = core_protocols.missed_session_advice(
        "esketamine-trd", phase=planned.phase, worsened=True
    )
    event = CourseEvent.objects.get(course=course, kind="missed")
    assert event.data["advice"] == expected.to_dict()
    assert AuditEntry.objects.filter(action="planned.missed", reason="unwell").exists()
    page = client_for(nurse).get(f"/courses/{course.uuid}/").content.decode()
    assert expected.reason[:30] in page.replace("&#x27;", "'")


@pytest.mark.django_db
def test_a_session_already_missed_cannot_be_missed_again(
    prescriber: Any, nurse: Any, patient: Any
) -> None:
    course = services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=START, weight_kg=70
    )
    planned = course.planned_sessions.order_by("index").first()
    services.mark_missed(nurse, planned, reason="ill", expected_version=1)
    with pytest.raises(InputError) as caught:
        services.mark_missed(nurse, planned, reason="ill", expected_version=2)
    assert caught.value.field == "status"
