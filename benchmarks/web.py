"""Server-time benchmark of the clinic app on a large synthetic clinic.

Seeds one clinic with ``--patients`` patients (default 5,000) whose courses start over the last
``--years`` years (default 5), with the core's planned sessions, session records (gates, doses,
timed vitals, MOAA/S and CADSS, adverse events: ``ketacare.web.treatments.demo.record_sessions``)
and PHQ-9/MADRS measures scored by the core, all written with bulk_create. Then it times, in
process through Django's test client (server time: URL resolution, views, queries, templates;
no network), and counts the SQL queries of:

- the dashboard (``/dashboard/``),
- the patient chart (``/patients/<uuid>/``, a different patient each time),
- a session save (the pre-dose checklist, a versioned save through the core's gates, and a
  vitals row added through htmx).

On PostgreSQL it runs ANALYZE after seeding (a live database has its planner statistics from
autovacuum; a freshly bulk-loaded one has none). It prints p50/p95/max wall time in
milliseconds, the p50/p95 CPU time of this process (a truer server time on a busy shared
machine; with PostgreSQL the database server's own CPU is not in it), the load average, and the
range of query counts (a constant count whatever the data means no N+1). Figures only, never
assertions (DESIGN.md).

Usage:
    .venv/bin/python benchmarks/web.py                  # SQLite, and PostgreSQL if DATABASE_URL
    .venv/bin/python benchmarks/web.py --postgres       # also PostgreSQL in a throwaway database
    .venv/bin/python benchmarks/web.py --patients 500 --repeat 20   # a quick run

Each backend runs in its own child process (Django is configured once per process). The SQLite
database lives in a temporary directory; the PostgreSQL database given by DATABASE_URL is used
as is (it should be empty: the script migrates it), while ``--postgres`` creates
``ketacare_bench_<random>`` on postgres://postgres@127.0.0.1:5432 and drops it afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

PG_SERVER = os.environ.get("KETACARE_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PROTOCOL_MIX = (
    ("iv-racemic", 45),
    ("esketamine-trd", 30),
    ("in-racemic", 8),
    ("sc-kads", 7),
    ("oral-oktos", 5),
    ("sl-racemic", 5),
)


# --- parent: one child process per backend ----------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=60, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--postgres", action="store_true", help="also a throwaway PostgreSQL db")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.backend:
        figures = run(args)
        print("FIGURES " + json.dumps(figures))
        return
    backends: list[tuple[str, dict[str, str]]] = [("sqlite", {"DATABASE_URL": ""})]
    dropped: str | None = None
    if os.environ.get("DATABASE_URL"):
        backends.append(("postgres", {"DATABASE_URL": os.environ["DATABASE_URL"]}))
    elif args.postgres:
        name = f"ketacare_bench_{secrets.token_hex(4)}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        dropped = name
        backends.append(("postgres", {"DATABASE_URL": f"{PG_SERVER}/{name}"}))
    results = {}
    try:
        for backend, env in backends:
            child = [sys.executable, __file__, "--backend", backend]
            child += ["--patients", str(args.patients), "--years", str(args.years)]
            child += ["--repeat", str(args.repeat), "--seed", str(args.seed)]
            out = subprocess.run(
                child, env={**os.environ, **env}, capture_output=True, text=True, check=False
            )
            if out.returncode != 0:
                sys.stderr.write(out.stdout + out.stderr)
                raise SystemExit(f"the {backend} run failed")
            line = next(x for x in out.stdout.splitlines() if x.startswith("FIGURES "))
            results[backend] = json.loads(line[len("FIGURES ") :])
    finally:
        if dropped:
            _pg_admin(f'DROP DATABASE IF EXISTS "{dropped}"')
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for backend, figures in results.items():
            _print(backend, figures)


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _print(backend: str, f: dict[str, Any]) -> None:
    seed = f["seed"]
    print(
        f"\n== {backend} ({f['vendor']}): {seed['patients']} patients, {seed['courses']} courses, "
        f"{seed['sessions']} sessions, {seed['vitals']} vital-sign rows, {seed['measures']} "
        f"measures; seeded in {seed['seconds']:.1f} s"
    )
    print(
        f"{'page':<28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'cpu p50':>9}{'cpu p95':>9}"
        "   queries (min-max)"
    )
    for name, row in f["pages"].items():
        print(
            f"{name:<28}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['max_ms']:>9.1f}"
            f"{row['cpu_p50_ms']:>9.1f}{row['cpu_p95_ms']:>9.1f}   "
            f"{row['queries_min']}-{row['queries_max']}"
        )
    print(f"(load average at the end: {f.get('load', '?')})")


# --- child: configure Django, seed, time ------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ketacare-bench-") as tmp:  # the SQLite file, removed
        return _run(args, tmp)


def _run(args: argparse.Namespace, tmp: str) -> dict[str, Any]:
    os.environ["KETACARE_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.web.test_settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    seeded = seed(rng, args.patients, args.years)
    seeded["seconds"] = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # refresh the planner's statistics after the bulk load, as autovacuum does on a live
        # database; without them PostgreSQL guesses row counts and scans where an index fits
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    pages = measure_pages(rng, seeded.pop("handles"), args.repeat)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    connection.close()
    return {"vendor": connection.vendor, "seed": seeded, "pages": pages, "load": load}


@cache
def _score(scale_id: str, items: tuple[int, ...]) -> dict[str, Any]:
    from ketacare.core import scales

    return scales.score(scale_id, list(items)).to_dict()


@cache
def _assess(scale_id: str, baseline: float, total: float) -> dict[str, Any]:
    from ketacare.core import outcomes

    return outcomes.assess(scale_id, baseline, total).to_dict()


@cache
def _items(total: int, count: int, top: int) -> tuple[int, ...]:
    """Item answers summing to ``total``, spread evenly (synthetic data; the core scores them).
    The PHQ-9's item 9 (suicidal thoughts) stays 0."""
    rated = count - 1 if count == 9 else count
    values = [0] * count
    for step in range(min(total, rated * top)):
        values[step % rated] += 1
    return tuple(values)


def seed(rng: random.Random, n_patients: int, years: int) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from ketacare.core import protocols as core_protocols
    from ketacare.web.accounts.models import Clinic, User
    from ketacare.web.courses.models import Course, CourseEvent, PlannedSession, PlannedStatus
    from ketacare.web.measures.models import Alert, Measure
    from ketacare.web.patients.models import Patient
    from ketacare.web.treatments.bulk import fast_insert
    from ketacare.web.treatments.demo import record_sessions
    from ketacare.web.treatments.models import TreatmentSession, VitalSign

    today = timezone.localdate()
    clinic = Clinic.objects.create(name="Benchmark Clinic", chairs=8)
    prescriber = User.objects.create_user(
        "bench-prescriber", password="x", role="prescriber", clinic=clinic, first_name="Pat"
    )
    nurse = User.objects.create_user(
        "bench-nurse", password="x", role="nurse", clinic=clinic, first_name="Nia"
    )
    with transaction.atomic():
        patients = Patient.objects.bulk_create(
            [
                Patient(
                    clinic=clinic,
                    record_number=f"B-{i:06d}",
                    given_name=f"Given{i}",
                    family_name=f"Family{i:05d}",
                    date_of_birth=dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
                    sex=("female", "male", "other")[i % 3],
                )
                for i in range(n_patients)
            ],
            batch_size=2000,
        )
    if not patients[0].pk:
        ids = dict(Patient.objects.filter(clinic=clinic).values_list("record_number", "id"))
        for p in patients:
            p.pk = p.id = ids[p.record_number]

    names, weights = zip(*PROTOCOL_MIX, strict=True)
    span = years * 365
    courses: list[Course] = []
    plans: list[list[Any]] = []
    for i, patient in enumerate(patients):
        protocol = rng.choices(names, weights)[0]
        # the last 40 courses start today: the dashboard has sessions at the chairs
        start = today if i >= n_patients - 40 else today - dt.timedelta(days=rng.randint(7, span))
        weight = float(rng.randint(50, 110))
        plan = core_protocols.plan_schedule(protocol, start, weight_kg=weight)
        proto = core_protocols.get_protocol(protocol)
        ended = plan[-1].date < today - dt.timedelta(days=30)
        courses.append(
            Course(
                clinic=clinic,
                patient=patient,
                protocol_id=protocol,
                drug=proto.drug,
                route=proto.route,
                start_date=plan[0].date,
                weight_kg=weight,
                status="ended" if ended else "induction",
                ended_on=plan[-1].date if ended else None,
                schedule=[s.to_dict() for s in plan],
                prescriber=prescriber,
            )
        )
        plans.append(plan)
    with transaction.atomic():
        Course.objects.bulk_create(courses, batch_size=2000)
        if not courses[0].pk:
            ids = dict(Course.objects.filter(clinic=clinic).values_list("patient_id", "id"))
            for c in courses:
                c.pk = c.id = ids[c.patient_id]
        fast_insert(
            PlannedSession,
            (
                dict(
                    clinic_id=clinic.pk,
                    course_id=course.pk,
                    index=s.index,
                    date=s.date,
                    phase=s.phase,
                    step=s.step,
                    dose_mg_per_kg=s.dose_mg_per_kg,
                    dose_mg=s.dose_mg,
                    window_start=s.window_start,
                    window_end=s.window_end,
                    note=s.note[:300],
                    chair=1 + (course.pk % clinic.chairs),
                    status=PlannedStatus.PLANNED,
                )
                for course, plan in zip(courses, plans, strict=True)
                for s in plan
            ),
        )
        fast_insert(
            CourseEvent,
            (
                dict(
                    clinic_id=clinic.pk,
                    course_id=c.pk,
                    actor_id=prescriber.pk,
                    kind="start",
                    to_status="induction",
                    reason="benchmark",
                )
                for c in courses
            ),
        )
    sessions = record_sessions(clinic, courses, rng, today=today, staff=[nurse, prescriber])

    # measures: a baseline and weekly ratings on PHQ-9 (self) and MADRS (clinician)
    now = timezone.now()
    measures: list[dict[str, Any]] = []
    for course in courses:
        responder = rng.random() < 0.5
        for scale_id, count, top, base_total in (
            ("phq9", 9, 3, rng.randint(15, 24)),
            ("madrs", 10, 6, rng.randint(26, 40)),
        ):
            for week in range(0, 7):
                taken = timezone.make_aware(
                    dt.datetime.combine(course.start_date, dt.time(8, 30)), dt.UTC
                ) + dt.timedelta(days=7 * week)
                if taken > now:
                    break
                drop = (0.55 if responder else 0.15) * min(week, 4) / 4
                total = max(0, round(base_total * (1 - drop)) + rng.randint(-2, 2))
                items = _items(total, count, top)
                result = _score(scale_id, items)
                outcome = None
                if (week > 0 and scale_id == "madrs") or week > 0:
                    outcome = _assess(scale_id, float(base_total), float(result["total"]))
                m = dict(
                    clinic_id=clinic.pk,
                    patient_id=course.patient_id,
                    course_id=course.pk,
                    scale_id=scale_id,
                    scale_version=str(result["version"])[:40],
                    taken_at=taken,
                    items=list(items),
                    result=result,
                    total=result["total"],
                    severity=result.get("severity") or "",
                    is_baseline=week == 0,
                    outcome=outcome,
                    percent_change=outcome["percent_change"] if outcome else None,
                    response=outcome["response"] if outcome else None,
                    remission=outcome["remission"] if outcome else None,
                    entered_by_id=nurse.pk,
                )
                measures.append(m)
    with transaction.atomic():
        fast_insert(Measure, measures)
        baselines = dict(
            Measure.objects.filter(clinic=clinic, is_baseline=True, scale_id="madrs").values_list(
                "course_id", "id"
            )
        )
        for course in courses:
            course.baseline_measure_id = baselines.get(course.pk)
        Course.objects.bulk_update(courses, ["baseline_measure"], batch_size=2000)
        Alert.objects.bulk_create(
            [
                Alert(
                    clinic=clinic,
                    patient=patients[i],
                    level="positive",
                    reason="synthetic: item 9 answered above 0",
                )
                for i in rng.sample(range(n_patients), min(25, n_patients))
            ]
        )

    open_sessions = list(
        TreatmentSession.objects.filter(clinic=clinic, status="open", date=today)
        .select_related("course")
        .order_by("id")[:40]
    )
    busiest = list(
        Measure.objects.filter(clinic=clinic)
        .values_list("patient__uuid", flat=True)
        .order_by("patient_id")
        .distinct()[:2000]
    )
    return {
        "patients": n_patients,
        "courses": len(courses),
        "sessions": sessions,
        "vitals": VitalSign.objects.count(),
        "measures": len(measures),
        "handles": {
            "nurse": nurse,
            "open_sessions": open_sessions,
            "patient_uuids": busiest or [p.uuid for p in patients[:100]],
        },
    }


def _time(
    fn: Callable[[int], Any], repeat: int, prepare: Callable[[int], None] | None = None
) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn(-1)  # warm-up (template compilation, caches)
    times: list[float] = []
    cpu: list[float] = []
    counts: list[int] = []
    for i in range(repeat):
        if prepare is not None:
            prepare(i)
        with CaptureQueriesContext(connection) as ctx:
            t0, c0 = time.perf_counter(), time.process_time()
            response = fn(i)
            elapsed = (time.perf_counter() - t0) * 1000
            cpu.append((time.process_time() - c0) * 1000)
        if response.status_code >= 400:
            raise RuntimeError(f"{response.status_code}: {response.content[:500]!r}")
        times.append(elapsed)
        counts.append(len(ctx.captured_queries))
    times.sort()
    cpu.sort()
    return {
        "cpu_p50_ms": statistics.median(cpu),
        "cpu_p95_ms": cpu[max(0, round(0.95 * len(cpu)) - 1)],
        "p50_ms": statistics.median(times),
        "p95_ms": times[max(0, round(0.95 * len(times)) - 1)],
        "max_ms": times[-1],
        "queries_min": min(counts),
        "queries_max": max(counts),
        "n": repeat,
    }


def measure_pages(rng: random.Random, handles: dict[str, Any], repeat: int) -> dict[str, Any]:
    from django.test import Client

    from ketacare.web.treatments.models import TreatmentSession

    client = Client()
    client.force_login(handles["nurse"])
    patients = handles["patient_uuids"]
    sessions = handles["open_sessions"]
    if not sessions:
        raise RuntimeError("no open session today to save")
    pages: dict[str, Any] = {}
    pages["dashboard"] = _time(lambda i: client.get("/dashboard/"), repeat)
    pages["patient chart"] = _time(
        lambda i: client.get(f"/patients/{rng.choice(patients)}/"), repeat
    )

    def checklist(i: int) -> Any:
        session = sessions[i % len(sessions)]
        version = TreatmentSession.objects.values_list("version", flat=True).get(pk=session.pk)
        return client.post(
            f"/sessions/{session.uuid}/checklist/",
            {
                "version": version,
                "systolic": str(118 + i % 20),
                "diastolic": "78",
                "fasting_hours": "4",
                "liquids_minutes": "60",
                "ride_home": "yes",
                "rems_enrolled": "yes",
            },
        )

    pages["session save (checklist)"] = _time(checklist, repeat)
    pages["session save (vitals, htmx)"] = _time(
        lambda i: client.post(
            f"/sessions/{sessions[i % len(sessions)].uuid}/vitals/",
            {"minute": "20", "systolic": str(120 + i % 70), "diastolic": "80", "heart_rate": "72"},
            HTTP_HX_REQUEST="true",
        ),
        repeat,
    )
    pages["session page"] = _time(
        lambda i: client.get(f"/sessions/{sessions[i % len(sessions)].uuid}/"), repeat
    )
    return pages


if __name__ == "__main__":
    main()
