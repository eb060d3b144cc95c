"""Named people and records for the web tests (real database: SQLite, or PostgreSQL via
DATABASE_URL).

People of "Northside" clinic: ``prescriber`` (Dr Priya Shah), ``nurse`` (Noor Haddad),
``front_desk`` (Frank Osei), ``researcher`` (Rosa Lind), ``admin`` (Ada Brooks). And
``other_clinician``: Dr Oscar Vance, a prescriber of "Southside" clinic, who must see nothing of
Northside. ``world`` holds one record of each kind in Northside (and ``other_patient`` in
Southside) for the every-URL permission test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ketacare.web.accounts.models import Clinic, User

PASSWORD = "correct horse battery staple 42"

PEOPLE = {
    "prescriber": ("priya", "Priya", "Shah", "prescriber", "north"),
    "nurse": ("noor", "Noor", "Haddad", "nurse", "north"),
    "front_desk": ("frank", "Frank", "Osei", "front_desk", "north"),
    "researcher": ("rosa", "Rosa", "Lind", "researcher", "north"),
    "admin": ("ada", "Ada", "Brooks", "clinic_admin", "north"),
    "other_clinician": ("oscar", "Oscar", "Vance", "prescriber", "south"),
}


@pytest.fixture
def clinic(db: Any) -> Clinic:
    return Clinic.objects.create(name="Northside Ketamine Clinic", chairs=3)


@pytest.fixture
def other_clinic(db: Any) -> Clinic:
    return Clinic.objects.create(name="Southside Clinic", chairs=2)


@pytest.fixture
def people(clinic: Clinic, other_clinic: Clinic) -> dict[str, User]:
    clinics = {"north": clinic, "south": other_clinic}
    made: dict[str, User] = {}
    for key, (username, first, last, role, where) in PEOPLE.items():
        made[key] = User.objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=first,
            last_name=last,
            role=role,
            clinic=clinics[where],
        )
    return made


@pytest.fixture
def prescriber(people: dict[str, User]) -> User:
    return people["prescriber"]


@pytest.fixture
def nurse(people: dict[str, User]) -> User:
    return people["nurse"]


@pytest.fixture
def front_desk(people: dict[str, User]) -> User:
    return people["front_desk"]


@pytest.fixture
def researcher(people: dict[str, User]) -> User:
    return people["researcher"]


@pytest.fixture
def admin_user(people: dict[str, User]) -> User:
    return people["admin"]


@pytest.fixture
def other_clinician(people: dict[str, User]) -> User:
    return people["other_clinician"]


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    """A test client signed in as ``user`` (anonymous for None)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def clear_screen(
    patient: Any, by: User, *, drug: str | None = None, route: str | None = None
) -> Any:
    """A contraindication screen with every applicable question answered no, stored directly
    (test data): the patient is eligible for ``drug`` (every drug when None)."""
    from ketacare.core import intake as core_intake
    from ketacare.web.patients.models import ContraindicationScreen

    answers = {q.id: False for q in core_intake.list_questions(drug, route)}
    result = core_intake.screen_contraindications(answers, drug=drug, route=route)
    return ContraindicationScreen.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        drug=drug or "",
        route=route or "",
        answers=answers,
        result=result.to_dict(),
        eligible=result.eligible,
        screened_by=by,
    )


def consent_for(course: Any, by: User) -> Any:
    """Consent to the course's series, given on its start date (test data)."""
    from ketacare.web.patients.models import Consent

    return Consent.objects.create(
        clinic_id=course.clinic_id,
        patient_id=course.patient_id,
        course=course,
        given_on=course.start_date,
        scope=f"{course.drug} by the {course.route} route",
        recorded_by=by,
    )


@pytest.fixture
def patient(clinic: Clinic, people: dict[str, User]) -> Any:
    """Alex Marlowe, with a clear contraindication screen for every drug on file."""
    from ketacare.web.patients.models import Patient

    made = Patient.objects.create(
        clinic=clinic,
        record_number="N-0001",
        given_name="Alex",
        family_name="Marlowe",
        date_of_birth=dt.date(1980, 5, 17),
        sex="female",
    )
    clear_screen(made, people["nurse"])
    return made


@pytest.fixture
def other_patient(other_clinic: Clinic) -> Any:
    from ketacare.web.patients.models import Patient

    return Patient.objects.create(
        clinic=other_clinic,
        record_number="S-0001",
        given_name="Sam",
        family_name="Southgate",
        date_of_birth=dt.date(1975, 1, 2),
    )


@pytest.fixture
def world(people: dict[str, User], patient: Any, other_patient: Any) -> dict[str, Any]:
    """One record of each kind in Northside, stored directly (test data, not clinical logic)."""
    from ketacare.web.courses.models import Course, PlannedSession
    from ketacare.web.measures.models import Alert, Measure

    prescriber = people["prescriber"]
    course = Course.objects.create(
        clinic=patient.clinic,
        patient=patient,
        protocol_id="iv-racemic",
        drug="racemic",
        route="iv",
        start_date=dt.date(2026, 1, 5),
        weight_kg=70.0,
        prescriber=prescriber,
    )
    planned = PlannedSession.objects.create(
        clinic=patient.clinic,
        course=course,
        index=1,
        date=dt.date(2026, 1, 5),
        phase="induction",
        dose_mg_per_kg=0.5,
        chair=1,
    )
    measure = Measure.objects.create(
        clinic=patient.clinic,
        patient=patient,
        course=course,
        scale_id="phq9",
        taken_at=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
        items=[1] * 9,
        result={"scale": "phq9", "total": 9},
        total=9,
        entered_by=prescriber,
    )
    from ketacare.web.patients.models import AntidepressantTrial

    trial = AntidepressantTrial.objects.create(
        clinic=patient.clinic,
        patient=patient,
        drug="sertraline",
        dose_mg=150,
        weeks=8,
        adequate=True,
        response="none",
        entered_by=prescriber,
    )
    alert = Alert.objects.create(
        clinic=patient.clinic,
        patient=patient,
        measure=measure,
        level="positive",
        reason="test alert",
    )
    return {
        "patient": patient,
        "other_patient": other_patient,
        "course": course,
        "planned": planned,
        "measure": measure,
        "alert": alert,
        "trial": trial,
        "nurse": people["nurse"],
    }


def _check_error_shape(
    response: Any, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    """The API's one error shape: {"error": {"code", "message", "fields": {...}}}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], dict), error
    if field is not None:
        assert field in error["fields"], error
        assert error["fields"][field], error
    return error  # type: ignore[no-any-return]


@pytest.fixture
def api_error() -> Callable[..., dict[str, Any]]:
    return _check_error_shape


@pytest.fixture
def grow() -> Callable[..., list[Any]]:
    """Add ``n`` patients to ``clinic``, each with a course, planned sessions (today among them),
    measures on two scales with a baseline, and an open alert: data to count queries against."""

    def make(clinic: Clinic, prescriber: User, n: int, measures_each: int = 6) -> list[Any]:
        from django.utils import timezone

        from ketacare.web.courses.models import Course, CourseEvent, PlannedSession
        from ketacare.web.measures.models import Alert, Measure
        from ketacare.web.patients.models import Patient

        today = timezone.localdate()
        now = timezone.now()
        made = []
        start = Patient.objects.filter(clinic=clinic).count()
        for i in range(start, start + n):
            p = Patient.objects.create(
                clinic=clinic,
                record_number=f"G-{i:04d}",
                given_name=f"Given{i}",
                family_name=f"Family{i}",
                date_of_birth=dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28),
            )
            course = Course.objects.create(
                clinic=clinic,
                patient=p,
                protocol_id="iv-racemic",
                drug="racemic",
                route="iv",
                start_date=today - dt.timedelta(days=21),
                weight_kg=70,
                prescriber=prescriber,
            )
            CourseEvent.objects.create(
                clinic=clinic, course=course, actor=prescriber, kind="start", reason="start"
            )
            for k in range(4):
                PlannedSession.objects.create(
                    clinic=clinic,
                    course=course,
                    index=k + 1,
                    date=today - dt.timedelta(days=7 * (3 - k)),
                    phase="induction",
                    chair=1 + i % 3,
                    status="done" if k < 3 else "planned",
                    dose_mg=35.0,
                )
            for scale, top in (("madrs", 30), ("phq9", 20)):
                for k in range(measures_each):
                    m = Measure.objects.create(
                        clinic=clinic,
                        patient=p,
                        course=course,
                        scale_id=scale,
                        taken_at=now - dt.timedelta(days=3 * (measures_each - k)),
                        items=[],
                        result={},
                        total=max(top - 3 * k, 0),
                        is_baseline=k == 0,
                        entered_by=prescriber,
                    )
                    if k == 0 and scale == "madrs":
                        course.baseline_measure = m
                        course.save(update_fields=["baseline_measure"])
            Alert.objects.create(
                clinic=clinic, patient=p, measure=m, level="positive", reason="grown"
            )
            made.append(p)
        return made

    return make


def phq9_items(total: int) -> list[int]:
    """PHQ-9 answers summing to ``total`` (0-24), item 9 (the suicide item) always 0."""
    items = [min(3, max(0, total - 3 * i)) for i in range(8)]
    return [*items, 0]


@pytest.fixture
def evidence_cohort(people: dict[str, User]) -> dict[str, Any]:
    """Courses of Northside and Southside with PHQ-9 baselines and follow-ups recorded through
    the services, so every response and remission is the core's stored judgement.

    Northside, IV racemic ketamine (iv-racemic, trd), 8 courses:
      - 3 responders at the last follow-up (PHQ-9 24 -> 10, 24 -> 8, 24 -> 4; the last remits),
      - 3 non-responders at the last follow-up, one of whom responded earlier (24 -> 10 -> 20),
      - 1 with a baseline only, 1 whose only follow-up was withdrawn (entered in error).
    Northside, esketamine nasal (esketamine-trd, trd), 2 courses, both responding: a small cell.
    Southside (Dr Oscar Vance's clinic), IV racemic, 5 courses all remitting: never counted for
    Northside.
    """
    from django.utils import timezone

    from ketacare.web.courses import services as course_services
    from ketacare.web.measures import services as measure_services
    from ketacare.web.patients.models import Patient

    now = timezone.now()
    start = timezone.localdate() - dt.timedelta(days=30)
    made: dict[str, Any] = {"courses": []}

    def course(who: str, protocol_id: str, totals: list[int], withdraw_last: bool = False) -> Any:
        prescriber = people[who]
        clinic = prescriber.clinic
        n = Patient.objects.filter(clinic=clinic).count()
        patient = Patient.objects.create(
            clinic=clinic,
            record_number=f"E-{clinic.pk}-{n:03d}",
            given_name=f"Cohort{n}",
            family_name=f"Member{n}",
            date_of_birth=dt.date(1980, 1, 1),
        )
        clear_screen(patient, prescriber)
        c = course_services.start_course(
            prescriber, patient, protocol_id=protocol_id, start_date=start, weight_kg=70.0
        )
        measure = None
        for k, total in enumerate(totals):
            measure = measure_services.record_measure(
                prescriber,
                patient,
                scale_id="phq9",
                items=phq9_items(total),
                taken_at=now - dt.timedelta(days=29 - 7 * k),
                course=c,
                baseline=k == 0,
            )
        if withdraw_last and measure is not None:
            measure_services.withdraw_measure(prescriber, measure, reason="entered in error")
        made["courses"].append(c)
        return c

    for totals in ([24, 10], [24, 14, 8], [24, 4], [24, 20], [24, 10, 20], [24, 18]):
        course("prescriber", "iv-racemic", totals)
    course("prescriber", "iv-racemic", [24])
    course("prescriber", "iv-racemic", [24, 2], withdraw_last=True)
    for totals in ([24, 10], [24, 6]):
        course("prescriber", "esketamine-trd", totals)
    for _ in range(5):
        course("other_clinician", "iv-racemic", [24, 2])
    return made


# --- sessions at the chair (treatments app; added by the chair helper) ----------------------


@pytest.fixture
def iv_course(patient: Any, prescriber: User) -> Any:
    """An IV racemic course planned by the core (70 kg), with consent on file."""
    from ketacare.web.courses.services import start_course

    course = start_course(
        prescriber,
        patient,
        protocol_id="iv-racemic",
        start_date=dt.date(2026, 1, 5),
        weight_kg=70.0,
        concurrent_reason="test: a second course beside esk_course",
    )
    consent_for(course, prescriber)
    return course


@pytest.fixture
def esk_course(patient: Any, prescriber: User) -> Any:
    """An esketamine nasal-spray course planned by the core, with consent on file."""
    from ketacare.web.courses.services import start_course

    course = start_course(
        prescriber,
        patient,
        protocol_id="esketamine-trd",
        start_date=dt.date(2026, 1, 5),
        weight_kg=70.0,
        concurrent_reason="test: a second course beside iv_course",
    )
    consent_for(course, prescriber)
    return course


@pytest.fixture
def iv_session(iv_course: Any, nurse: User) -> Any:
    from ketacare.web.treatments.services import open_session

    return open_session(nurse, iv_course, planned=iv_course.planned_sessions.first(), chair=1)


@pytest.fixture
def esk_session(esk_course: Any, nurse: User) -> Any:
    from ketacare.web.treatments.services import open_session

    return open_session(nurse, esk_course, planned=esk_course.planned_sessions.first(), chair=2)


def run_to_signable(session: Any, user: Any, *, minutes_ago: int = 180) -> Any:
    """Run ``session`` through the services as at the chair, in the past, up to the point where
    the core allows signing: checklist, dose, times, the monitoring schedule's BP readings,
    MOAA/S and CADSS (esketamine), the discharge assessment and the end time."""
    from django.utils import timezone

    from ketacare.core import safety as core_safety
    from ketacare.web.treatments import services

    now = timezone.now()
    start = now - dt.timedelta(minutes=minutes_ago)
    esk = session.course.drug == "esketamine"
    services.record_checklist(
        user,
        session,
        systolic=122,
        diastolic=78,
        fasting_hours=3,
        liquids_minutes=60 if esk else None,
        ride_home=True,
        rems_enrolled=True if esk else None,
        at=start - dt.timedelta(minutes=10),
        expected_version=session.version,
    )
    services.set_dose(user, session, expected_version=session.version)
    services.record_administration(
        user,
        session,
        lot_number="K-1",
        started_at=start,
        first_device_at=start + dt.timedelta(minutes=1) if esk else None,
        expected_version=session.version,
    )
    first = start + dt.timedelta(minutes=1) if esk else start
    minutes = [
        p.minute
        for p in core_safety.monitoring_schedule(session.course.drug, session.course.route)
        if p.minute
    ]
    if esk:
        minutes = [40, 115]
    for m in minutes:
        services.add_vitals(
            user,
            session,
            taken_at=first + dt.timedelta(minutes=m),
            minute=m,
            systolic=126,
            diastolic=80,
            heart_rate=72,
            spo2=98,
        )
    for m in (0, 40, 116) if esk else (0, 40, max(minutes)):
        if True:
            at = first + dt.timedelta(minutes=m)
            services.add_rating(user, session, scale_id="moaas", items=[5], minute=m, taken_at=at)
            services.add_rating(
                user, session, scale_id="cadss", items=[0] * 23, minute=m, taken_at=at
            )
    last = max(minutes)
    assessed = first + dt.timedelta(minutes=max(last + 5, 121 if esk else last + 5))
    services.assess_discharge(
        user,
        session,
        aldrete_items=[2, 2, 2, 2, 2],
        bp_stable=True,
        ride_home=True,
        at=assessed,
        expected_version=session.version,
    )
    services.record_administration(
        user,
        session,
        lot_number="K-1",
        started_at=start,
        first_device_at=start + dt.timedelta(minutes=1) if esk else None,
        ended_at=assessed + dt.timedelta(minutes=1),
        expected_version=session.version,
    )
    session.refresh_from_db()
    return session
