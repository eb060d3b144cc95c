"""Sign and lock: afterwards every change is an amendment with a reason, kept with before/after."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.web.conftest import run_to_signable

from ketacare.core.errors import InputError
from ketacare.web.audit.models import AuditEntry
from ketacare.web.courses.models import PlannedSession
from ketacare.web.treatments import services
from ketacare.web.treatments.models import Amendment, VitalSign

pytestmark = pytest.mark.django_db


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def _complete(session: Any, user: Any) -> Any:
    return run_to_signable(session, user)


def test_signing_locks_the_session_and_marks_the_planned_session_given(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    _complete(iv_session, nurse)
    response = client_for(nurse).post(
        reverse("treatments:sign", args=[iv_session.uuid]), {"version": iv_session.version}
    )
    assert response.status_code == 302
    iv_session.refresh_from_db()
    assert iv_session.is_signed and iv_session.signed_by == nurse
    assert PlannedSession.objects.get(pk=iv_session.planned_id).status == "done"
    assert AuditEntry.objects.filter(action="session.sign").count() == 1


def test_a_dosed_session_needs_its_end_time_before_signing(iv_session: Any, nurse: Any) -> None:
    services.record_checklist(
        nurse, iv_session, systolic=120, diastolic=80, ride_home=True, expected_version=1
    )
    services.set_dose(nurse, iv_session, expected_version=iv_session.version)
    with pytest.raises(InputError) as caught:
        services.sign_session(nurse, iv_session, expected_version=iv_session.version)
    assert caught.value.field == "ended_at"


def test_a_change_after_signing_without_a_reason_is_refused(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    _complete(iv_session, nurse)
    services.sign_session(nurse, iv_session, expected_version=iv_session.version)
    response = client_for(nurse).post(
        reverse("treatments:administration", args=[iv_session.uuid]),
        {
            "version": iv_session.version,
            "lot_number": "K-2",
            "started_at": _local(iv_session.started_at),
            "ended_at": _local(iv_session.ended_at),
        },
    )
    assert response.status_code == 400
    assert "reason" in response.context["administration"].errors
    iv_session.refresh_from_db()
    assert iv_session.lot_number == "K-1"
    assert not Amendment.objects.exists()


def test_an_amendment_keeps_the_reason_and_before_and_after(
    iv_session: Any, nurse: Any, client_for: Any
) -> None:
    _complete(iv_session, nurse)
    services.sign_session(nurse, iv_session, expected_version=iv_session.version)
    response = client_for(nurse).post(
        reverse("treatments:administration", args=[iv_session.uuid]),
        {
            "version": iv_session.version,
            "lot_number": "K-2",
            "started_at": _local(iv_session.started_at),
            "ended_at": _local(iv_session.ended_at),
            "reason": "lot number mistyped",
        },
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get(session=iv_session)
    assert amendment.reason == "lot number mistyped"
    assert amendment.before["lot_number"] == "K-1" and amendment.after["lot_number"] == "K-2"
    page = client_for(nurse).get(reverse("treatments:detail", args=[iv_session.uuid]))
    assert "lot number mistyped" in page.content.decode()


def test_vitals_added_after_signing_are_amendments(iv_session: Any, nurse: Any) -> None:
    _complete(iv_session, nurse)
    services.sign_session(nurse, iv_session, expected_version=iv_session.version)
    rows = VitalSign.objects.count()
    with pytest.raises(InputError):
        services.add_vitals(nurse, iv_session, heart_rate=70)
    assert VitalSign.objects.count() == rows
    services.add_vitals(nurse, iv_session, heart_rate=70, reason="late entry from paper chart")
    assert Amendment.objects.get(session=iv_session).action == "session.vitals"


def test_signing_twice_is_refused(iv_session: Any, nurse: Any, prescriber: Any) -> None:
    _complete(iv_session, nurse)
    services.sign_session(nurse, iv_session, expected_version=iv_session.version)
    with pytest.raises(InputError):
        services.sign_session(prescriber, iv_session, expected_version=iv_session.version)


def test_a_row_entered_in_error_is_withdrawn_with_a_reason_and_kept(
    iv_session: Any, nurse: Any
) -> None:
    vital = services.add_vitals(nurse, iv_session, heart_rate=170)
    with pytest.raises(InputError):
        services.withdraw_row(nurse, iv_session, vital, reason="  ")
    services.withdraw_row(nurse, iv_session, vital, reason="typed in the wrong patient")
    vital.refresh_from_db()
    assert vital.withdrawn is True  # kept, not deleted
    entry = AuditEntry.objects.get(action="session.withdraw")
    assert entry.reason == "typed in the wrong patient"
