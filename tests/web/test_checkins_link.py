"""The check-in link: only its hash is stored, it works once, it expires, a date of birth is
asked first, wrong tries and floods are throttled, and a refused link can ask for a new one
(which tells the clinic and the patient nothing). Every send, open and submission is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from ketacare.web.audit.models import AuditEntry
from ketacare.web.checkins import services
from ketacare.web.checkins.models import CheckIn, LinkRequest
from ketacare.web.measures.models import Alert, Measure

DOB = "1980-05-17"  # Alex Marlowe's (tests/web/conftest.py)


@pytest.fixture(autouse=True)
def _clear_throttle() -> None:
    cache.clear()


@pytest.fixture
def enrolled(world: dict[str, Any], prescriber: Any) -> Any:
    s = services.settings_for(world["patient"].clinic)
    s.on_call_email = "oncall@northside.example"
    s.admin_email = "admin@northside.example"
    s.save()
    return services.enrol(
        prescriber,
        world["patient"],
        channel="email",
        contact="alex@example.org",
        consent_to_contact=True,
        rule_id="moodmonitor-14",
    )


def _path(token: str) -> str:
    return f"/c/{token}/"


def _answers(item9: int = 0, rest: int = 1) -> dict[str, str]:
    data = {f"phq9_{n}": str(rest) for n in range(1, 9)}
    data["phq9_9"] = str(item9)
    return data


def _open(client: Client, token: str) -> Any:
    client.post(_path(token), {"date_of_birth": DOB})
    return client.get(_path(token))


@pytest.mark.django_db
def test_only_the_hash_of_the_token_is_stored(enrolled: Any, nurse: Any) -> None:
    checkin, token = services.create_checkin(nurse, enrolled.patient)
    assert len(token) >= 43  # token_urlsafe(32): 256 random bits
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = CheckIn.objects.filter(pk=checkin.pk).values().get()
    assert token not in str(row)
    assert not AuditEntry.objects.filter(after__icontains=token).exists()


@pytest.mark.django_db
def test_the_message_carries_the_link_and_nothing_about_the_patient(
    enrolled: Any, nurse: Any
) -> None:
    _, token = services.create_checkin(nurse, enrolled.patient)
    (message,) = mail.outbox
    assert message.to == ["alex@example.org"]
    assert token in message.body
    for secret in ("Alex", "Marlowe", "1980", "N-0001", "ketamine", "PHQ"):
        assert secret not in message.body + message.subject
    assert str(enrolled.patient.uuid) not in message.body


@pytest.mark.django_db
def test_the_date_of_birth_is_asked_before_anything_is_shown(enrolled: Any, nurse: Any) -> None:
    _, token = services.create_checkin(nurse, enrolled.patient)
    client = Client()
    page = client.get(_path(token)).content.decode()
    assert "date of birth" in page
    assert "Little interest" not in page and "Marlowe" not in page
    wrong = client.post(_path(token), {"date_of_birth": "1981-01-01"})
    assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
    page = _open(client, token).content.decode()
    assert "Little interest or pleasure in doing things" in page
    assert "Marlowe" not in page


@pytest.mark.django_db
def test_five_wrong_birth_dates_lock_the_link(enrolled: Any, nurse: Any) -> None:
    checkin, token = services.create_checkin(nurse, enrolled.patient)
    client = Client()
    for _ in range(services.MAX_FAILED_ATTEMPTS):
        client.post(_path(token), {"date_of_birth": "1999-09-09"})
    assert CheckIn.objects.get(pk=checkin.pk).failed_attempts == 5
    refused = client.post(_path(token), {"date_of_birth": DOB})
    assert refused.status_code == 410
    assert "cannot be used" in refused.content.decode()


@pytest.mark.django_db
def test_the_link_works_once(enrolled: Any, nurse: Any) -> None:
    checkin, token = services.create_checkin(nurse, enrolled.patient)
    client = Client()
    _open(client, token)
    done = client.post(_path(token), _answers())
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    again = Client()
    second = again.get(_path(token))
    assert second.status_code == 410
    assert "cannot be used" in second.content.decode()
    # and a replayed POST stores nothing more
    client.post(_path(token), _answers())
    assert Measure.objects.filter(patient=enrolled.patient, source="patient").count() == 1
    assert CheckIn.objects.get(pk=checkin.pk).status == "completed"


@pytest.mark.django_db
def test_an_expired_link_is_refused_with_a_way_to_ask_for_a_new_one(
    enrolled: Any, nurse: Any
) -> None:
    checkin, token = services.create_checkin(nurse, enrolled.patient)
    CheckIn.objects.filter(pk=checkin.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    client = Client()
    refused = client.get(_path(token))
    text = refused.content.decode()
    assert refused.status_code == 410
    assert "Ask my clinic for a new link" in text and "Marlowe" not in text
    asked = client.post(f"/c/{token}/new/")
    assert "they have been told" in asked.content.decode()
    assert LinkRequest.objects.filter(checkin=checkin).count() == 1
    # an unknown token gets the same answer, and nothing is stored
    other = client.post("/c/not-a-real-token-at-all/new/")
    assert other.content == asked.content
    assert LinkRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_link_expires_after_the_clinics_hours(enrolled: Any, nurse: Any) -> None:
    s = services.settings_for(enrolled.clinic)
    s.link_hours = 24
    s.save()
    before = timezone.now()
    checkin, _ = services.create_checkin(nurse, enrolled.patient)
    hours = (checkin.expires_at - before).total_seconds() / 3600
    assert 23.99 < hours <= 24.01


@pytest.mark.django_db
def test_many_tries_from_one_address_are_throttled(enrolled: Any) -> None:
    client = Client()
    statuses = [client.get(f"/c/guess-{i}/").status_code for i in range(35)]
    assert statuses[0] == 404
    assert statuses[-1] == 429
    assert "too many tries" in client.get("/c/guess-x/").content.decode()


@pytest.mark.django_db
def test_open_and_submission_are_audited_without_a_user(enrolled: Any, nurse: Any) -> None:
    checkin, token = services.create_checkin(nurse, enrolled.patient)
    client = Client()
    _open(client, token)
    client.post(_path(token), _answers())
    actions = list(
        AuditEntry.objects.filter(object_uuid=checkin.uuid).values_list("action", flat=True)
    )
    assert {"checkin.create", "checkin.send", "checkin.open", "checkin.submit"} <= set(actions)
    submit = AuditEntry.objects.get(object_uuid=checkin.uuid, action="checkin.submit")
    assert submit.actor is None and submit.patient_id == enrolled.patient_id


@pytest.mark.django_db
def test_answers_are_scored_like_a_staff_entry_and_marked_self_report(
    enrolled: Any, nurse: Any, world: dict[str, Any]
) -> None:
    from ketacare.core import scales as core_scales

    checkin, token = services.create_checkin(nurse, enrolled.patient)
    client = Client()
    _open(client, token)
    client.post(_path(token), _answers(rest=2))
    measure = Measure.objects.get(patient=enrolled.patient, source="patient")
    expected = core_scales.score("phq9", [2] * 8 + [0], {})
    assert measure.total == expected.total == 16
    assert measure.severity == expected.severity
    assert measure.entered_by is None
    assert measure.course == world["course"]
    assert str(measure.uuid) in CheckIn.objects.get(pk=checkin.pk).measures


@pytest.mark.django_db
def test_a_positive_suicide_item_shows_the_crisis_text_and_alerts_the_team(
    enrolled: Any, nurse: Any, client_for: Any
) -> None:
    _, token = services.create_checkin(nurse, enrolled.patient)
    mail.outbox.clear()
    client = Client()
    _open(client, token)
    done = client.post(_path(token), _answers(item9=1)).content.decode()
    assert "call or text 988" in done
    measure = Measure.objects.get(patient=enrolled.patient, source="patient")
    alert = Alert.objects.get(measure=measure, kind="suicidal_ideation")
    assert alert.level == "positive"
    (oncall,) = mail.outbox
    assert oncall.to == ["oncall@northside.example"]
    assert "Marlowe" not in oncall.body + oncall.subject
    dashboard = client_for(nurse).get("/dashboard/").content.decode()
    top = dashboard.split('id="alerts-top"')[1].split("</section>")[0]
    assert "Alex Marlowe" in top and "self-report" in top


@pytest.mark.django_db
def test_a_rise_of_5_raises_a_worsening_alert(enrolled: Any, nurse: Any) -> None:
    # the world's staff PHQ-9 is 9; a self-report of 16 is a rise of 7 (>= 5, Lowe 2004 MCID)
    _, token = services.create_checkin(nurse, enrolled.patient)
    client = Client()
    _open(client, token)
    client.post(_path(token), _answers(rest=2))
    alert = Alert.objects.get(patient=enrolled.patient, kind="worsening")
    assert "rose 7 points (9 to 16)" in alert.reason


@pytest.mark.django_db
def test_an_unanswered_question_is_named_and_nothing_is_stored(enrolled: Any, nurse: Any) -> None:
    _, token = services.create_checkin(nurse, enrolled.patient)
    client = Client()
    _open(client, token)
    data = _answers()
    del data["phq9_4"]
    page = client.post(_path(token), data)
    assert page.status_code == 400
    assert "Please answer every question" in page.content.decode()
    assert not Measure.objects.filter(source="patient").exists()


@pytest.mark.django_db
def test_the_token_is_not_logged(enrolled: Any, nurse: Any, caplog: Any) -> None:
    _, token = services.create_checkin(nurse, enrolled.patient)
    with caplog.at_level("INFO", logger="ketacare.request"):
        Client().get(_path(token))
    assert "/c/[link]" in caplog.text
    assert token not in caplog.text


@pytest.mark.django_db
def test_a_self_report_is_judged_against_the_course_baseline(
    world: dict[str, Any], nurse: Any
) -> None:
    from ketacare.web.measures.services import record_measure

    # ORKA: response = a fall of >= 50% in PHQ-9 (clinical-protocols.md §5.2); 20 -> 8 is 60%
    record_measure(
        nurse,
        world["patient"],
        scale_id="phq9",
        items=[3, 3, 3, 3, 2, 2, 2, 2, 0],
        course=world["course"],
        baseline=True,
        taken_at=timezone.now() - dt.timedelta(days=30),
    )
    _, token = services.create_checkin(nurse, world["patient"], send=False)  # a handed-out link
    client = Client()
    _open(client, token)
    client.post(_path(token), _answers(rest=1))
    measure = Measure.objects.get(source="patient")
    assert measure.total == 8 and measure.course == world["course"]
    assert measure.response is True
    assert measure.percent_change == pytest.approx(-60.0, abs=0.01)
