"""The periodic jobs the task queue calls: due check-ins are sent per the core's schedule (and
not in quiet hours, paused or opted out), reminders go at 24 h and 72 h and then the check-in is
missed, and an unacknowledged suicidal-ideation alert escalates to the clinic admin. Enrolment
and schedule changes are the prescriber's, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from ketacare.core.errors import InputError
from ketacare.web.audit.models import AuditEntry
from ketacare.web.checkins import services
from ketacare.web.checkins.models import AlertNotice, CheckIn, Enrolment
from ketacare.web.lib.records import DuplicateError
from ketacare.web.measures.models import Alert

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def _enrol(patient: Any, by: Any, **kw: Any) -> Enrolment:
    args = {
        "channel": "email",
        "contact": "alex@example.org",
        "consent_to_contact": True,
        "rule_id": "moodmonitor-14",
        "today": NOW.date(),
    }
    args.update(kw)
    return services.enrol(by, patient, **args)


def _never_quiet(enrolment: Any, now: dt.datetime) -> bool:
    return False


@pytest.mark.django_db
def test_the_first_check_in_is_sent_at_enrolment_then_every_14_days(
    world: dict[str, Any], prescriber: Any
) -> None:
    _enrol(world["patient"], prescriber)
    assert services.send_due_checkins(NOW, _never_quiet) == 1
    assert len(mail.outbox) == 1
    first = CheckIn.objects.get()
    assert first.kind == "baseline" and first.scales == ["phq9"]
    # an open check-in: nothing more is sent
    assert services.send_due_checkins(NOW + 2 * H, _never_quiet) == 0
    CheckIn.objects.filter(pk=first.pk).update(status="completed")
    # MoodMonitor: every 14 days -> not on day 13, on day 14
    assert services.send_due_checkins(NOW + dt.timedelta(days=13), _never_quiet) == 0
    assert services.send_due_checkins(NOW + dt.timedelta(days=14), _never_quiet) == 1
    second = CheckIn.objects.order_by("-id").first()
    assert second is not None and second.due_on == NOW.date() + dt.timedelta(days=14)
    assert "moodmonitor" in second.rule_source


@pytest.mark.django_db
def test_nothing_is_sent_when_paused_opted_out_or_in_quiet_hours(
    world: dict[str, Any], prescriber: Any
) -> None:
    enrolment = _enrol(world["patient"], prescriber)
    assert services.send_due_checkins(NOW, lambda e, now: True) == 0
    services.change_enrolment(
        prescriber, enrolment, expected_version=1, reason="in hospital", paused=True
    )
    assert services.send_due_checkins(NOW, _never_quiet) == 0
    assert AuditEntry.objects.filter(action="checkin.change", reason="in hospital").exists()
    enrolment.refresh_from_db()
    services.change_enrolment(
        prescriber,
        enrolment,
        expected_version=enrolment.version,
        reason="asked to stop",
        paused=False,
        opted_out=True,
    )
    assert services.send_due_checkins(NOW, _never_quiet) == 0
    assert not mail.outbox


@pytest.mark.django_db
def test_the_local_quiet_hours_cross_midnight(world: dict[str, Any], prescriber: Any) -> None:
    enrolment = _enrol(
        world["patient"], prescriber, quiet_start=dt.time(21, 0), quiet_end=dt.time(8, 0)
    )
    at = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC)  # the clinic is on UTC
    assert services.local_quiet_hours(enrolment, at)
    assert services.local_quiet_hours(enrolment, at + 8 * H)  # 06:30
    assert not services.local_quiet_hours(enrolment, at + 10 * H)  # 08:30


@pytest.mark.django_db
def test_reminders_at_24_and_72_hours_then_missed(world: dict[str, Any], prescriber: Any) -> None:
    _enrol(world["patient"], prescriber)
    services.send_due_checkins(NOW, _never_quiet)
    checkin = CheckIn.objects.get()
    first_hash = checkin.token_hash
    assert services.send_reminders(NOW + 23 * H, _never_quiet) == 0
    assert services.send_reminders(NOW + 24 * H, _never_quiet) == 1
    checkin.refresh_from_db()
    assert checkin.reminders_sent == 1 and checkin.token_hash != first_hash
    assert "reminder" in mail.outbox[-1].body
    assert services.send_reminders(NOW + 50 * H, _never_quiet) == 0
    assert services.send_reminders(NOW + 72 * H, _never_quiet) == 1
    assert services.send_reminders(NOW + 96 * H, _never_quiet) == 1
    checkin.refresh_from_db()
    assert checkin.status == "missed"
    assert AuditEntry.objects.filter(action="checkin.missed", object_uuid=checkin.uuid).exists()
    assert len(mail.outbox) == 3  # the check-in and two reminders


@pytest.mark.django_db
def test_an_unacknowledged_alert_escalates_to_the_admin_once(
    world: dict[str, Any], prescriber: Any
) -> None:
    s = services.settings_for(world["patient"].clinic)
    s.admin_email = "admin@northside.example"
    s.escalate_after_minutes = 60
    s.save()
    alert = world["alert"]  # positive, open
    raised = alert.raised_at
    Alert.objects.filter(pk=alert.pk).update(kind="suicidal_ideation")
    assert services.escalate_unacknowledged_alerts(raised + dt.timedelta(minutes=59)) == 0
    assert services.escalate_unacknowledged_alerts(raised + dt.timedelta(minutes=61)) == 1
    assert mail.outbox[-1].to == ["admin@northside.example"]
    assert "NOT ACKNOWLEDGED" in mail.outbox[-1].subject
    # the world's alert comes from a rating entered at the clinic, not from a check-in
    assert "check-in" not in mail.outbox[-1].subject
    assert "rating entered at the clinic" in mail.outbox[-1].body
    assert services.escalate_unacknowledged_alerts(raised + dt.timedelta(hours=5)) == 0
    assert AlertNotice.objects.filter(alert=alert, kind="escalated").count() == 1


@pytest.mark.django_db
def test_an_acknowledged_alert_does_not_escalate(world: dict[str, Any], nurse: Any) -> None:
    from ketacare.web.measures.services import acknowledge_alert

    s = services.settings_for(world["patient"].clinic)
    s.admin_email = "admin@northside.example"
    s.save()
    alert = world["alert"]
    acknowledge_alert(nurse, alert, note="called the patient", expected_version=1)
    later = alert.raised_at + dt.timedelta(days=1)
    assert services.escalate_unacknowledged_alerts(later) == 0


@pytest.mark.django_db
def test_enrolment_needs_consent_and_a_valid_contact(
    world: dict[str, Any], prescriber: Any
) -> None:
    with pytest.raises(InputError, match="consent_to_contact"):
        _enrol(world["patient"], prescriber, consent_to_contact=False)
    with pytest.raises(InputError, match="contact"):
        _enrol(world["patient"], prescriber, contact="not an address")
    with pytest.raises(InputError, match="contact"):
        _enrol(world["patient"], prescriber, channel="sms", contact="call me")
    with pytest.raises(InputError, match="cadence rule"):
        _enrol(world["patient"], prescriber, rule_id="every-day-forever")
    _enrol(world["patient"], prescriber)
    with pytest.raises(DuplicateError):
        _enrol(world["patient"], prescriber)


@pytest.mark.django_db
def test_only_a_prescriber_enrols_or_changes_the_schedule(
    world: dict[str, Any], prescriber: Any, nurse: Any, front_desk: Any
) -> None:
    with pytest.raises(PermissionDenied):
        _enrol(world["patient"], nurse)
    enrolment = _enrol(world["patient"], prescriber)
    with pytest.raises(PermissionDenied):
        services.change_enrolment(nurse, enrolment, expected_version=1, reason="x", paused=True)
    with pytest.raises(PermissionDenied):
        services.create_checkin(front_desk, world["patient"])
    services.create_checkin(nurse, world["patient"])  # a nurse may send one


@pytest.mark.django_db
def test_a_prescriber_changes_the_interval(world: dict[str, Any], prescriber: Any) -> None:
    enrolment = _enrol(world["patient"], prescriber)
    services.send_due_checkins(NOW, _never_quiet)
    CheckIn.objects.update(status="completed")
    services.change_enrolment(
        prescriber, enrolment, expected_version=1, reason="worse lately", every_days=7
    )
    enrolment.refresh_from_db()
    due = services.next_due_for(enrolment, NOW.date())
    assert due.date == NOW.date() + dt.timedelta(days=7)
    assert "changed by the prescriber" in services.rule_of(enrolment).name


@pytest.mark.django_db
def test_resend_cancels_the_old_link(world: dict[str, Any], prescriber: Any, nurse: Any) -> None:
    from django.test import Client

    _enrol(world["patient"], prescriber)
    checkin, token = services.create_checkin(nurse, world["patient"])
    _, new_token = services.resend(nurse, checkin)
    checkin.refresh_from_db()
    assert checkin.status == "cancelled"
    assert Client().get(f"/c/{token}/").status_code == 410
    assert Client().get(f"/c/{new_token}/").status_code == 200


@pytest.mark.django_db
def test_an_sms_enrolment_sends_through_the_sms_backend(
    world: dict[str, Any], prescriber: Any
) -> None:
    """The text goes through notify's SMS backend (the locmem outbox in the test settings):
    the link and nothing about the patient."""
    from ketacare.web.notify import sms

    sms.outbox.clear()
    _enrol(world["patient"], prescriber, channel="sms", contact="+1 555 010 0199")
    assert services.send_due_checkins(NOW, _never_quiet) == 1
    [message] = sms.outbox
    assert message.to.replace(" ", "") == "+15550100199" and "/c/" in message.body
    patient = world["patient"]
    assert patient.family_name not in message.body and patient.given_name not in message.body


@pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="row locks and concurrent writers: PostgreSQL (DATABASE_URL=postgres://...)",
)
@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_job_at_once_send_one_check_in(
    world: dict[str, Any], prescriber: Any
) -> None:
    """A task delivered twice (acks_late) runs twice at the same instant: the enrolment's row
    lock makes the second run wait and then see the first one's open check-in."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    _enrol(world["patient"], prescriber)
    mail.outbox.clear()
    barrier = __import__("threading").Barrier(2)

    def run() -> int:
        try:
            barrier.wait(timeout=10)
            return services.send_due_checkins(NOW, _never_quiet)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        counts = list(pool.map(lambda _: run(), range(2)))
    assert sorted(counts) == [0, 1]
    assert CheckIn.objects.filter(patient=world["patient"]).count() == 1
