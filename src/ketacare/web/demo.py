"""Synthetic demo data for ``ketacare demo``: one clinic, staff of every role, 48 patients.

Everything goes through the same service functions as the pages (so the core plans every
schedule, scores every measure, stages every intake and raises every alert, and the audit trail
is filled). The random numbers come from one seeded generator, so the same day always gives the
same data; dates are relative to today so the dashboard has sessions today. All people are
invented. Patient trajectories (item answers, on purpose, not scores), a fixed mix shuffled by
the seeded generator:

- remitters: MADRS falls by more than half over induction and ends at 10 or below;
- responders who do not remit: a fall of about half, still above 10;
- late responders: no response until session 10 or later (esketamine);
- relapsers: respond, enter maintenance, then the scores climb back (a relapse in maintenance);
- non-responders (the course ends after review); a few report suicidal thoughts (alerts).

Every protocol of the core is used, every scale of the core is entered at least once, and every
alert level that raises an alert (PHQ-9 item 9: positive; C-SSRS screener high: urgent) occurs.
Rows carry the events' own times, not the time of seeding: ``auto_now_add`` columns (a measure's
``entered_at``, an alert's ``raised_at``, a course event's ``at``, a screen's ``screened_at``,
...) are overwritten after insert with the time the event happened.

``seed(reset)`` yields the lines ``ketacare demo`` prints. The chair-side records (sessions at
the chair, vitals, adverse events) are added by
``ketacare.web.treatments.demo.seed_sessions(clinic, courses, rng)`` when that module exists.
"""

from __future__ import annotations

import datetime as dt
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
    ("iv-racemic", 0.36),
    ("iv-ptsd", 0.04),
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


# outcome kinds, a fixed mix of the 48 patients (shuffled by the seeded generator)
KIND_MIX = {"remitter": 12, "responder": 8, "late": 6, "relapser": 6, "nonresponder": 16}
# patients of these kinds need a course long enough to show it (days since the start)
LONG_COURSE = {"late": (100, 170), "relapser": (90, 170)}
# late responders are on esketamine: session 10 falls in week 6 of its schedule
LATE_PROTOCOL = "esketamine-trd"
LATE_FIRST_RESPONSE_WEEK = 6


def _trajectory(rng: random.Random, kind: str, baseline: int, n: int) -> list[int]:
    """MADRS totals, week 1..n after the start, for a patient of ``kind`` (the core judges the
    response and remission of each; these are only the answers' sums)."""
    points = []
    for k in range(1, n + 1):
        if kind == "remitter":  # more than half by week 2-3, at or below 10 from week 4
            target = min(baseline * max(0.15, 1 - 0.24 * k), 9 if k >= 4 else 60)
            target += rng.uniform(-1, 1)
        elif kind == "responder":  # about half, never at or below 10
            target = max(baseline * max(0.42, 1 - 0.2 * k), 13) + rng.uniform(0, 2)
        elif kind == "late":  # little change until week 6 (session 10+), then a response
            if k < LATE_FIRST_RESPONSE_WEEK:
                target = baseline * (1 - 0.04 * k) + rng.uniform(-1, 1)
            else:
                target = baseline * max(0.3, 0.45 - 0.03 * (k - LATE_FIRST_RESPONSE_WEEK))
        elif kind == "relapser":  # responds by week 3, relapses from week 7 (maintenance)
            if k <= 6:
                target = baseline * max(0.35, 1 - 0.22 * k) + rng.uniform(-1, 1)
            else:
                target = baseline * min(0.95, 0.55 + 0.12 * (k - 6)) + rng.uniform(0, 2)
        else:  # non-responder: a fall of 5-20 %
            target = baseline * (1 - 0.05 * min(k, 4)) + rng.uniform(-2, 2)
        points.append(int(max(0, min(60, round(target)))))
    return points


def _pick_protocol(rng: random.Random) -> str:
    x = rng.random()
    for protocol_id, share in PROTOCOL_MIX:
        if x < share:
            return protocol_id
        x -= share
    return PROTOCOL_MIX[0][0]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


# one entry of each scale the core has that the weekly MADRS and PHQ-9 do not cover (item
# answers; the core scores them), entered for the patient of that index
EXTRA_SCALES: tuple[tuple[str, tuple[Any, ...], dict[str, str]], ...] = (
    ("aldrete", (2, 2, 2, 2, 2), {}),
    ("bprs-positive", (0, 1, 0, 0), {"coding": "0-6"}),
    ("bprs18", (1,) * 12 + (2,) * 6, {"coding": "1-7"}),
    ("bss", (1, 0, 1, 0, 0) + (0,) * 14, {}),
    ("cadss", (0,) * 20 + (1, 1, 0), {}),
    ("cadss6", (0, 1, 0, 0, 1, 0), {}),
    ("cgi-i", (2,), {}),
    ("cgi-s", (5,), {}),
    ("cssrs-screen", ("y", "n", "-", "-", "-", "n", "-"), {}),
    ("gad7", (2, 1, 2, 1, 1, 2, 1), {}),
    ("hamd17", (2, 1, 0, 1, 1, 0, 2, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1), {"item16": "A"}),
    ("moaas", (5,), {"variant": "unspecified"}),
    ("pcl5", (2, 2, 1, 3, 2, 1, 2, 1, 1, 2, 2, 1, 2, 1, 1, 2, 2, 1, 2, 1), {}),
    ("qids-sr16", (2, 1, 0, 1, 2, 0, 1, 0, 2, 1, 1, 1, 2, 1, 0, 1), {}),
    ("ssi", (1, 1, 0, 0, 1) + (0,) * 14, {}),
)
# an urgent alert (the C-SSRS screener's high triage), entered for one non-responder
URGENT_CSSRS = ("y", "y", "y", "y", "y", "y", "y")


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
        from ketacare.web.treatments.demo import seed_sessions

        for line in seed_sessions(clinic, courses, rng) or ():
            yield str(line)
        from ketacare.web.checkins.demo import seed_checkins

        yield from seed_checkins(clinic, courses, staff)
    seconds = (timezone.now() - started).total_seconds()
    yield (
        f"Demo clinic ready in {seconds:.1f} s: {stats['patients']} patients, "
        f"{stats['courses']} courses, {stats['measures']} measures, {stats['alerts']} alerts."
    )
    yield from _credentials()


# today's sessions show every state of a session (treatments.demo.TODAY_STATES): this many
# patients on a short course start on a day that puts one of their sessions today
MIN_TODAY = 12


def _start_with_a_session_today(
    rng: random.Random, protocol_id: str, today: dt.date
) -> dt.date | None:
    """A start date in the last four weeks from which the core's schedule has a session today
    (None if there is none, e.g. on a day the schedule skips)."""
    for days in rng.sample(range(0, 29), 29):
        start = today - dt.timedelta(days=days)
        if start.weekday() >= 5:
            continue
        plan = core_protocols.plan_schedule(protocol_id, start, weight_kg=70.0)
        if any(s.date == today for s in plan):
            return start
    return None


def _credentials() -> Iterator[str]:
    yield f"Demo users (password for all: {PASSWORD}):"
    for username, first, last, role in STAFF:
        yield f"  {username:<12} {first} {last}, {role}"


def _patients(
    rng: random.Random, clinic: Any, staff: dict[str, Any]
) -> tuple[list[Any], dict[str, int]]:
    from ketacare.core.intake import list_questions
    from ketacare.web.courses import services as course_services
    from ketacare.web.courses.models import CourseEvent, PlannedSession
    from ketacare.web.measures import services as measure_services
    from ketacare.web.measures.models import Alert
    from ketacare.web.patients import intake
    from ketacare.web.patients import services as patient_services
    from ketacare.web.patients.models import (
        AntidepressantTrial,
        Consent,
        ContraindicationScreen,
        Patient,
    )

    today = timezone.localdate()
    earlier = timezone.now() - dt.timedelta(minutes=90)  # for an event of today's morning
    prescribers = [staff["prescriber"], staff["prescriber2"]]
    nurses = [staff["nurse"], staff["nurse2"]]
    kinds = [kind for kind, n in KIND_MIX.items() for _ in range(n)]
    kinds += ["nonresponder"] * (N_PATIENTS - len(kinds))
    rng.shuffle(kinds)
    # every protocol of the core at least once: the first patients take them in turn (a late
    # responder keeps its esketamine course)
    all_protocols = [p.id for p in core_protocols.list_protocols()]
    courses = []
    n_measures = 0
    urgent_done = False
    n_today = 0
    for i in range(N_PATIENTS):
        prescriber = prescribers[i % 2]
        nurse = nurses[rng.randrange(2)]
        kind = kinds[i]
        if kind == "late":
            protocol_id = LATE_PROTOCOL
        elif i < len(all_protocols):
            protocol_id = all_protocols[i]
        else:
            protocol_id = _pick_protocol(rng)
        low, high = LONG_COURSE.get(kind, (0, 180))
        start = today - dt.timedelta(days=rng.randrange(low, high))
        while start.weekday() >= 5:
            start -= dt.timedelta(days=1)
        if n_today < MIN_TODAY and kind not in LONG_COURSE:
            found = _start_with_a_session_today(rng, protocol_id, today)
            if found is not None:
                start = found
                n_today += 1
        first_visit = start - dt.timedelta(days=rng.randint(7, 21))
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
        protocol = core_protocols.get_protocol(protocol_id)
        # a clear contraindication screen before the course starts (the core requires it)
        screen = {q.id: False for q in list_questions(protocol.drug, protocol.route)}
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
        # the events' own times, not the seeding time (auto_now_add columns, set after insert);
        # a course starting today started before now
        Patient.objects.filter(pk=patient.pk).update(
            created_at=_at(first_visit, 9), updated_at=_at(first_visit, 9)
        )
        AntidepressantTrial.objects.filter(patient=patient).update(
            entered_at=_at(first_visit, 9, 30)
        )
        ContraindicationScreen.objects.filter(patient=patient).update(
            screened_at=_at(first_visit, 10)
        )
        Consent.objects.filter(patient=patient).update(recorded_at=min(_at(start, 7, 30), earlier))
        CourseEvent.objects.filter(course=course, kind="start").update(
            at=min(_at(start, 7, 45), earlier)
        )
        # the course's status changes (dated), before the past sessions are marked given, so
        # that ending a course cancels the sessions planned after its end
        weeks = min(12, (today - start).days // 7)
        ended_on = _advance_status(
            course_services, CourseEvent, course, prescriber, kind, weeks, start, today
        )
        last_day = min(today, ended_on) if ended_on else today
        planned = list(course.planned_sessions.all())
        for s in planned:
            s.chair = 1 + rng.randrange(4)
            s.start_time = dt.time(8 + rng.randrange(8), rng.choice([0, 30]))
            if s.status == "planned" and s.date < last_day:
                s.status = "missed" if rng.random() < 0.05 else "done"
        PlannedSession.objects.bulk_update(planned, ["chair", "start_time", "status"])

        # trajectory: baseline MADRS, then weekly MADRS + PHQ-9 while the course runs
        baseline = rng.randint(26, 40)
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
            if day >= last_day:
                break
            measure_services.record_measure(
                nurse,
                patient,
                scale_id="madrs",
                items=_items(rng, total, 10, 6, {10: 0 if total < 20 else rng.choice([0, 1, 2])}),
                taken_at=_at(day, 11),
                course=course,
            )
            si = 2 if (kind in ("nonresponder", "relapser") and rng.random() < 0.1) else 0
            measure_services.record_measure(
                nurse,
                patient,
                scale_id="phq9",
                items=_items(rng, min(27, round(total * 0.62)), 9, 3, {9: si}),
                taken_at=_at(day, 11),
                course=course,
            )
            n_measures += 2
        if i < len(EXTRA_SCALES):  # every other scale of the core, once
            scale_id, items, options = EXTRA_SCALES[i]
            measure_services.record_measure(
                nurse,
                patient,
                scale_id=scale_id,
                items=list(items),
                options=options,
                taken_at=_at(base_day, 10, 15),
                course=course,
            )
            n_measures += 1
        if kind == "nonresponder" and not urgent_done:
            measure_services.record_measure(
                prescriber,
                patient,
                scale_id="cssrs-screen",
                items=list(URGENT_CSSRS),
                taken_at=_at(today - dt.timedelta(days=1), 10, 30),
                course=course,
            )
            urgent_done = True
            n_measures += 1
        courses.append(course)
    _stamp_measures_and_alerts(clinic)
    stats = {
        "patients": N_PATIENTS,
        "courses": len(courses),
        "measures": n_measures,
        "alerts": Alert.objects.filter(clinic=clinic).count(),
    }
    # acknowledge the older alerts (a clinician saw them the same day); the recent ones stay open
    older = list(Alert.objects.filter(clinic=clinic).order_by("raised_at")[: stats["alerts"] // 2])
    for alert in older:
        measure_services.acknowledge_alert(
            nurses[0],
            alert,
            note="Called the patient; safety plan reviewed; no intent or plan.",
            expected_version=alert.version,
        )
        Alert.objects.filter(pk=alert.pk).update(
            acknowledged_at=alert.raised_at + dt.timedelta(hours=3)
        )
    return courses, stats


def _stamp_measures_and_alerts(clinic: Any) -> None:
    """A measure was entered when it was taken; its alert was raised then too."""
    from django.db.models import F, OuterRef, Subquery

    from ketacare.web.measures.models import Alert, Measure

    Measure.objects.filter(clinic=clinic).update(entered_at=F("taken_at"))
    taken = Measure.objects.filter(pk=OuterRef("measure_id")).values("taken_at")[:1]
    Alert.objects.filter(clinic=clinic, measure__isnull=False).update(raised_at=Subquery(taken))


def _advance_status(
    services: Any,
    events: Any,
    course: Any,
    prescriber: Any,
    kind: str,
    weeks: int,
    start: dt.date,
    today: dt.date,
) -> dt.date | None:
    """Move courses whose induction is over: review, then maintenance or end (with reasons),
    each event dated when it happened. Returns the end date of an ended course."""
    if weeks < 3:
        return None
    review_on = start + dt.timedelta(days=21)

    def change(to_status: str, reason: str, on: dt.date) -> None:
        services.change_status(
            prescriber,
            course,
            to_status=to_status,
            reason=reason,
            expected_version=course.version,
            on=on,
        )
        at = min(_at(on, 16), timezone.now() - dt.timedelta(minutes=60))
        events.objects.filter(course=course, to_status=to_status).update(at=at)

    change("review", "End of induction: review of response and escalation advice", review_on)
    if kind == "nonresponder":
        ended_on = min(today, review_on + dt.timedelta(days=3))
        change(
            "ended",
            "No response after induction; discussed alternatives with the patient",
            ended_on,
        )
        return ended_on
    if weeks >= 4:
        reason = (
            "No response yet; continuing into maintenance as agreed with the patient"
            if kind == "late"
            else "Responded during induction; maintenance agreed"
        )
        change("maintenance", reason, min(today, review_on + dt.timedelta(days=5)))
    return None
