"""Two requests at the same instant: the database holds the rule, the service's row lock makes the
second wait and then refuses it with a ``DuplicateError`` (409, its field), never a 500.

On both databases: the one-active-baseline constraint itself, and a request that read the course
before another stored its baseline (what the second of two simultaneous requests holds). On
PostgreSQL only (SQLite has no row locks and one writer at a time): two threads, each with its
own connection, racing for the same row.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from ketacare.web.accounts.models import User
from ketacare.web.courses.models import Course, PlannedSession
from ketacare.web.lib.records import DuplicateError
from ketacare.web.measures import services as measure_services
from ketacare.web.measures.models import Measure
from ketacare.web.patients import services as patient_services
from ketacare.web.patients.models import Patient
from ketacare.web.treatments import services as session_services
from ketacare.web.treatments.models import TreatmentSession

MADRS_30 = [4, 4, 3, 3, 3, 3, 3, 3, 3, 1]
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
postgresql_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks and concurrent writers: PostgreSQL (DATABASE_URL=postgres://...)",
)


def _baseline(course: Course, scale_id: str = "madrs", **extra: Any) -> Measure:
    """A baseline row stored directly, past the service (as a writer that does not lock)."""
    return Measure.objects.create(
        clinic_id=course.clinic_id,
        patient_id=course.patient_id,
        course=course,
        scale_id=scale_id,
        taken_at=T0,
        items=[],
        result={},
        total=30,
        is_baseline=True,
        entered_by=course.prescriber,
        **extra,
    )


# --- on both databases -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_baseline_of_a_course_and_scale(
    world: dict[str, Any],
) -> None:
    course = world["course"]
    _baseline(course)
    with pytest.raises(IntegrityError), transaction.atomic():
        _baseline(course)
    assert Measure.objects.filter(course=course, is_baseline=True).count() == 1


@pytest.mark.django_db
def test_a_withdrawn_baseline_or_another_scale_leaves_room_for_one_more(
    world: dict[str, Any],
) -> None:
    course = world["course"]
    _baseline(course, withdrawn=True, withdrawn_reason="entered in error")
    _baseline(course)  # the withdrawn one no longer counts
    _baseline(course, scale_id="phq9")  # one per scale
    assert Measure.objects.filter(course=course, is_baseline=True, withdrawn=False).count() == 2


@pytest.mark.django_db
def test_a_request_that_read_the_course_before_the_first_baseline_is_refused(
    nurse: Any, prescriber: Any, world: dict[str, Any]
) -> None:
    patient, course = world["patient"], world["course"]
    read_earlier = Course.objects.get(pk=course.pk)  # the second request's copy: no baseline
    measure_services.record_measure(
        prescriber, patient, scale_id="madrs", items=MADRS_30, course=course, baseline=True
    )
    with pytest.raises(DuplicateError) as caught:
        measure_services.record_measure(
            nurse, patient, scale_id="madrs", items=MADRS_30, course=read_earlier, baseline=True
        )
    assert caught.value.field == "baseline" and "baseline" in caught.value.fields
    assert Measure.objects.filter(course=course, is_baseline=True).count() == 1


@pytest.mark.django_db
def test_a_baseline_stored_past_the_lock_makes_the_constraint_refuse_with_a_conflict(
    nurse: Any, world: dict[str, Any]
) -> None:
    patient, course = world["patient"], world["course"]
    _baseline(course)  # stored without the course row lock (course.baseline_measure not set)
    with pytest.raises(DuplicateError) as caught:
        measure_services.record_measure(
            nurse, patient, scale_id="madrs", items=MADRS_30, course=course, baseline=True
        )
    assert caught.value.field == "baseline"
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert Measure.objects.filter(course=course, is_baseline=True).count() == 1


# --- on PostgreSQL: two connections at the same instant ----------------------------------------


def _wait_until_another_connection_waits_on_a_lock(seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)


@contextmanager
def _first_request_still_writing(work: Callable[[], Any]) -> Iterator[None]:
    """Run ``work`` in another thread's transaction and keep it uncommitted while the body runs
    the second request, until that request waits on a lock the first holds; then commit."""
    ready = threading.Event()
    failed: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                work()
                ready.set()
                _wait_until_another_connection_waits_on_a_lock()
        except BaseException as exc:
            failed.append(exc)
        finally:
            ready.set()
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert ready.wait(10)
    try:
        yield
    finally:
        thread.join(30)
    assert not failed, failed


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_baselines_at_the_same_instant_store_one(
    nurse: Any, prescriber: Any, world: dict[str, Any]
) -> None:
    patient, course = world["patient"], world["course"]
    both_read = threading.Barrier(2, timeout=10)

    def request(user_pk: int) -> str:
        try:
            user = User.objects.get(pk=user_pk)
            its_course = Course.objects.get(pk=course.pk)  # each request reads: no baseline yet
            both_read.wait()
            measure_services.record_measure(
                user, patient, scale_id="madrs", items=MADRS_30, course=its_course, baseline=True
            )
            return "stored"
        except DuplicateError as exc:
            return f"refused:{exc.field}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(request, [nurse.pk, prescriber.pk]))
    assert outcomes == ["refused:baseline", "stored"]
    active = Measure.objects.filter(course=course, is_baseline=True, withdrawn=False)
    assert active.count() == 1
    course.refresh_from_db()
    assert course.baseline_measure_id == active.get().pk


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_planned_session_opened_by_two_nurses_at_once_gives_one_record(
    nurse: Any, prescriber: Any, iv_course: Any
) -> None:
    planned = iv_course.planned_sessions.order_by("index").first()

    def first() -> Any:
        return session_services.open_session(
            prescriber,
            Course.objects.select_related("clinic").get(pk=iv_course.pk),
            planned=PlannedSession.objects.get(pk=planned.pk),
        )

    with _first_request_still_writing(first), pytest.raises(DuplicateError) as caught:
        session_services.open_session(nurse, iv_course, planned=planned)
    assert caught.value.field == "planned"
    assert TreatmentSession.objects.filter(planned=planned).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_one_record_number_registered_by_two_requests_at_once_answers_409(
    nurse: Any, front_desk: Any, clinic: Any, client_for: Any, api_error: Any
) -> None:
    new = {
        "record_number": "N-0777",
        "given_name": "Blair",
        "family_name": "Okafor",
        "date_of_birth": dt.date(1979, 3, 2),
    }

    def first() -> Any:
        return patient_services.create_patient(User.objects.get(pk=front_desk.pk), **new)

    client = client_for(nurse)
    with _first_request_still_writing(first):
        response = client.post(
            "/api/v1/patients",
            {**new, "date_of_birth": "1979-03-02"},
            content_type="application/json",
        )
    api_error(response, 409, "conflict", "record_number")
    assert Patient.objects.filter(clinic=clinic, record_number="N-0777").count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_one_user_name_added_by_two_admins_at_once_is_refused_beside_its_field(
    admin_user: Any, clinic: Any
) -> None:
    from ketacare.web.accounts import services as account_services

    new = {
        "username": "nina",
        "first_name": "Nina",
        "last_name": "Park",
        "role": "nurse",
        "password": "a long enough passphrase 9",
    }

    def first() -> Any:
        return account_services.add_staff(User.objects.get(pk=admin_user.pk), **new)

    with _first_request_still_writing(first), pytest.raises(DuplicateError) as caught:
        account_services.add_staff(admin_user, **new)
    assert caught.value.field == "username"
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert User.objects.filter(username="nina").count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_vitals_posted_while_the_session_is_being_signed_wait_and_become_an_amendment(
    nurse: Any, prescriber: Any, esk_session: Any
) -> None:
    """The defect: vitals posted while a session was being signed landed after the signature
    without an amendment. The sign holds the session's row lock; the vitals wait for it, then
    see the signature: without a reason they are refused, with one they are an amendment."""
    from tests.web.conftest import run_to_signable

    from ketacare.core.errors import InputError
    from ketacare.web.treatments.models import Amendment, VitalSign

    run_to_signable(esk_session, nurse)
    rows = VitalSign.objects.filter(session=esk_session).count()

    def sign() -> Any:
        return session_services.sign_session(
            User.objects.get(pk=prescriber.pk),
            TreatmentSession.objects.get(pk=esk_session.pk),
            expected_version=esk_session.version,
        )

    stale = TreatmentSession.objects.get(pk=esk_session.pk)  # read before the signature
    assert not stale.is_signed
    with _first_request_still_writing(sign), pytest.raises(InputError) as caught:
        session_services.add_vitals(nurse, stale, heart_rate=71)
    assert caught.value.field == "reason"
    assert VitalSign.objects.filter(session=esk_session).count() == rows
    stale = TreatmentSession.objects.get(pk=esk_session.pk)
    session_services.add_vitals(nurse, stale, heart_rate=71, reason="reading from the monitor")
    assert Amendment.objects.filter(session=esk_session, action="session.vitals").count() == 1
