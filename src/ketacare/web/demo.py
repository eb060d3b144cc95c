"""Synthetic demo data for ``ketacare demo``: one clinic, staff of every role, 48 patients.

Everything goes through the same service functions as the pages (so the core plans every
schedule, scores every measure, stages every intake and raises every alert, and the audit trail
is filled). The random numbers come from one seeded generator, so the same day always gives the
same data; dates are relative to today so the dashboard has sessions today. All people are
invented. Patient trajectories (item answers, on purpose, not scores):

- about half respond (MADRS falls by more than half over induction), some of them remit;
- some respond and then relapse in maintenance;
- the rest do not respond; a few report suicidal thoughts on the PHQ-9 (alerts).

``seed(reset)`` yields the lines ``ketacare demo`` prints. The chair-side records (sessions at
the chair, vitals, adverse events) are added by
``ketacare.web.treatments.demo.seed_sessions(clinic, courses, rng)`` when that module exists.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from ketacare.core import protocols as core_protocols

SEED = 20260105
CLINIC_NAME = "KetaCare Demo Clinic"
PASSWORD = "ketacare-demo"
N_PATIENTS = 48

STAFF = [
    ("admin", "Ada", "Brooks", "clinic_admin"),
    ("prescriber", "Priya", "Shah", "prescriber"),
    ("prescriber2", "Marcus", "Webb", "prescriber"),
    ("nurse", "Noor", "Haddad", "nurse"),
    ("nurse2", "Tomas", "Lindqvist", "nurse"),
    ("frontdesk", "Frank", "Osei", "front_desk"),
    ("researcher", "Rosa", "Lind", "researcher"),
]

GIVEN = [
    "Alex", "Sam", "Jordan", "Casey", "Robin", "Taylor", "Morgan", "Jamie", "Riley", "Avery",
    "Quinn", "Charlie", "Rowan", "Sasha", "Elliot", "Hayden", "Kim", "Lee", "Noa", "Remy",
]  # fmt: skip
FAMILY = [
    "Marlowe", "Okafor", "Lindgren", "Castillo", "Novak", "Hartmann", "Iyer", "Dubois",
    "Whitfield", "Moreau", "Kowalski", "Adeyemi", "Sorensen", "Tanaka", "Fitzgerald", "Ruiz",
    "Petrov", "Nakamura", "Oduya", "Bergström", "Fontaine", "Horvath", "Mbeki", "Quist",
]  # fmt: skip
ANTIDEPRESSANTS = [
    ("sertraline", 150), ("escitalopram", 20), ("fluoxetine", 40), ("venlafaxine", 225),
    ("duloxetine", 90), ("mirtazapine", 30), ("bupropion", 300), ("vortioxetine", 20),
    ("nortriptyline", 100), ("quetiapine augmentation", 300),
]  # fmt: skip
# protocol, share of patients
PROTOCOL_MIX = [
    ("iv-racemic", 0.40),
    ("esketamine-trd", 0.30),
    ("sc-kads", 0.10),
    ("in-racemic", 0.05),
    ("oral-oktos", 0.10),
    ("sl-racemic", 0.05),
]


def _items(rng: random.Random, total: int, n: int, top: int, fixed: dict[int, int]) -> list[int]:
    """Item answers (0..top) summing to ``total``, with some items fixed (1-based)."""
    total = max(0, min(total, n * top))
    items = [0] * n
    for number, value in fixed.items():
        items[number - 1] = value
    remaining = total - sum(items)
    free = [i for i in range(n) if (i + 1) not in fixed]
    while remaining > 0 and free:
        i = rng.choice(free)
        if items[i] < top:
            items[i] += 1
            remaining -= 1
        else:
            free.remove(i)
    return items


def _trajectory(rng: random.Random, kind: str, baseline: int, n: int) -> list[int]:
    """MADRS totals after baseline for a patient of ``kind``."""
    points = []
    for k in range(1, n + 1):
        if kind == "responder":
            target = baseline * max(0.18, 1 - 0.22 * k) + rng.uniform(-2, 2)
        elif kind == "relapser":
            target = (
                baseline * max(0.3, 1 - 0.25 * k) if k <= 4 else baseline * (0.35 + 0.2 * (k - 4))
            )
            target += rng.uniform(-1, 2)
        else:  # non-responder
            target = baseline * (1 - 0.05 * min(k, 4)) + rng.uniform(-3, 3)
        points.append(int(max(0, min(60, round(target)))))
    return points


def _pick_protocol(rng: random.Random) -> str:
    x = rng.random()
    for protocol_id, share in PROTOCOL_MIX:
        if x < share:
            return protocol_id
        x -= share
    return PROTOCOL_MIX[0][0]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


def seed(reset: bool = False) -> Iterator[str]:
    from django.core.management import call_command

    from ketacare.web.accounts.models import Clinic, User

    if Clinic.objects.filter(name=CLINIC_NAME).exists():
        if not reset:
            yield f"Demo data already present ({CLINIC_NAME}); use --reset to re-create it."
            yield from _credentials()
            return
        call_command("flush", interactive=False, verbosity=0)
        yield "Demo database emptied."
    started = timezone.now()
    rng = random.Random(SEED)
    with transaction.atomic():
        clinic = Clinic.objects.create(name=CLINIC_NAME, chairs=4)
        staff = {}
        hashed = make_password(PASSWORD)  # Argon2 once: every demo user has the same password
        for username, first, last, role in STAFF:
            staff[username] = User.objects.create(
                username=username,
                password=hashed,
                first_name=first,
                last_name=last,
                role=role,
                clinic=clinic,
            )
        courses, stats = _patients(rng, clinic, staff)
        hook = _hook()
        if hook is not None:
            for line in hook(clinic, courses, rng) or ():
                yield str(line)
    seconds = (timezone.now() - started).total_seconds()
    yield (
        f"Demo clinic ready in {seconds:.1f} s: {stats['patients']} patients, "
        f"{stats['courses']} courses, {stats['measures']} measures, {stats['alerts']} alerts."
    )
    yield from _credentials()


def _hook() -> Any:
    try:
        module = importlib.import_module("ketacare.web.treatments.demo")
    except ModuleNotFoundError:
        return None
    return getattr(module, "seed_sessions", None)


def _credentials() -> Iterator[str]:
    yield f"Demo users (password for all: {PASSWORD}):"
    for username, first, last, role in STAFF:
        yield f"  {username:<12} {first} {last}, {role}"


def _patients(
    rng: random.Random, clinic: Any, staff: dict[str, Any]
) -> tuple[list[Any], dict[str, int]]:
    from ketacare.core.intake import list_questions
    from ketacare.web.courses import services as course_services
    from ketacare.web.courses.models import PlannedSession
    from ketacare.web.measures import services as measure_services
    from ketacare.web.measures.models import Alert
    from ketacare.web.patients import intake
    from ketacare.web.patients import services as patient_services

    today = timezone.localdate()
    prescribers = [staff["prescriber"], staff["prescriber2"]]
    nurses = [staff["nurse"], staff["nurse2"]]
    courses = []
    n_measures = 0
    for i in range(N_PATIENTS):
        prescriber = prescribers[i % 2]
        nurse = nurses[rng.randrange(2)]
        patient = patient_services.create_patient(
            staff["frontdesk"],
            record_number=f"KC-{1001 + i}",
            given_name=GIVEN[rng.randrange(len(GIVEN))],
            family_name=FAMILY[i % len(FAMILY)]
            + ("" if i < len(FAMILY) else "-" + FAMILY[(i * 7 + 3) % len(FAMILY)]),
            date_of_birth=dt.date(
                1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28)
            ),
            sex=rng.choice(["female", "male", "female", "male", "other"]),
            phone=f"555-01{i:02d}",
        )
        for drug, dose in rng.sample(ANTIDEPRESSANTS, rng.randint(1, 4)):
            intake.add_trial(
                nurse,
                patient,
                drug=drug,
                dose_mg=float(dose),
                weeks=float(rng.choice([4, 6, 8, 8, 12])),
                adequate=rng.random() < 0.8,
                response=rng.choice(["none", "none", "partial", "not_tolerated"]),
            )
        protocol_id = _pick_protocol(rng)
        start = today - dt.timedelta(days=rng.randrange(0, 180))
        while start.weekday() >= 5:
            start -= dt.timedelta(days=1)
        protocol = core_protocols.get_protocol(protocol_id)
        screen = {q.id: False for q in list_questions(protocol.drug, protocol.route)}
        if "bipolar_disorder" in screen:
            screen["bipolar_disorder"] = rng.random() < 0.1
        intake.record_screen(
            nurse, patient, answers=screen, drug=protocol.drug, route=protocol.route
        )
        course = course_services.start_course(
            prescriber,
            patient,
            protocol_id=protocol_id,
            start_date=start,
            weight_kg=float(rng.randrange(50, 110)),
        )
        intake.record_consent(
            prescriber,
            patient,
            given_on=start,
            scope=f"{course.drug} by the {course.route} route ({protocol_id})",
            course=course,
        )
        # planned sessions: past ones given (a few missed), a chair and a time for each
        planned = list(course.planned_sessions.all())
        for s in planned:
            s.chair = 1 + rng.randrange(4)
            s.start_time = dt.time(8 + rng.randrange(8), rng.choice([0, 30]))
            if s.date < today:
                s.status = "missed" if rng.random() < 0.05 else "done"
        PlannedSession.objects.bulk_update(planned, ["chair", "start_time", "status"])

        # trajectory: baseline MADRS, then roughly weekly MADRS + PHQ-9 while the course runs
        x = rng.random()
        kind = "responder" if x < 0.5 else ("relapser" if x < 0.62 else "nonresponder")
        baseline = rng.randint(26, 40)
        weeks = min(12, (today - start).days // 7)
        base_day = start - dt.timedelta(days=rng.randint(1, 5))
        measure_services.record_measure(
            nurse,
            patient,
            scale_id="madrs",
            items=_items(rng, baseline, 10, 6, {10: rng.choice([0, 1, 2])}),
            taken_at=_at(base_day, 10),
            course=course,
            baseline=True,
        )
        phq_base = min(27, round(baseline * 0.62))
        measure_services.record_measure(
            nurse,
            patient,
            scale_id="phq9",
            items=_items(rng, phq_base, 9, 3, {9: rng.choice([0, 0, 1])}),
            taken_at=_at(base_day, 10),
            course=course,
        )
        n_measures += 2
        for k, total in enumerate(_trajectory(rng, kind, baseline, weeks), start=1):
            day = start + dt.timedelta(days=7 * k)
            if day >= today:
                break
            measure_services.record_measure(
                nurse,
                patient,
                scale_id="madrs",
                items=_items(rng, total, 10, 6, {10: 0 if total < 20 else rng.choice([0, 1, 2])}),
                taken_at=_at(day, 11),
                course=course,
            )
            si = 2 if (kind == "nonresponder" and rng.random() < 0.08) else 0
            measure_services.record_measure(
                nurse,
                patient,
                scale_id="phq9",
                items=_items(rng, min(27, round(total * 0.62)), 9, 3, {9: si}),
                taken_at=_at(day, 11),
                course=course,
            )
            n_measures += 2
        _advance_status(course_services, course, prescriber, kind, weeks)
        courses.append(course)
    stats = {
        "patients": N_PATIENTS,
        "courses": len(courses),
        "measures": n_measures,
        "alerts": Alert.objects.filter(clinic=clinic).count(),
    }
    # acknowledge the older alerts (a clinician saw them); the recent ones stay open
    for alert in Alert.objects.filter(clinic=clinic).order_by("raised_at")[: stats["alerts"] // 2]:
        measure_services.acknowledge_alert(
            nurses[0],
            alert,
            note="Called the patient; safety plan reviewed; no intent or plan.",
            expected_version=alert.version,
        )
    return courses, stats


def _advance_status(services: Any, course: Any, prescriber: Any, kind: str, weeks: int) -> None:
    """Move courses whose induction is over: review, then maintenance or end (with reasons)."""
    if weeks < 3:
        return
    services.change_status(
        prescriber,
        course,
        to_status="review",
        reason="End of induction: review of response and escalation advice",
        expected_version=course.version,
    )
    if kind == "nonresponder":
        services.change_status(
            prescriber,
            course,
            to_status="ended",
            reason="No response after induction; discussed alternatives with the patient",
            expected_version=course.version,
        )
    elif weeks >= 4:
        services.change_status(
            prescriber,
            course,
            to_status="maintenance",
            reason="Responded during induction; maintenance agreed",
            expected_version=course.version,
        )
