"""The cohort report over columns beside a per-patient ORM loop, on SQLite and on PostgreSQL.

    PYTHONPATH=src python benchmarks/analytics.py [--scale 1.0] [--db sqlite|postgres|both]
                                                  [--sample 300]

At ``--scale 1`` it bulk-loads 100,000 patients (one course each), 1.5 million sessions (15 per
course) and 3 million measures (15 PHQ-9 and 15 MADRS per course, 1% withdrawn): COPY on
PostgreSQL, ``executemany`` on SQLite, each into a fresh database migrated by Django. Then:

1. the cohort report over columns (``web.evidence.outcomes.clinic_cohort_report``: one
   query per table, ``core.analytics`` over the frames), timed for the whole clinic;
2. a per-patient ORM loop over a random sample of courses: per course, its sessions and measures
   by the ORM, every follow-up judged one at a time by ``core.outcomes.assess``, the figures
   summed in Python; its time per course scaled to every course;
3. the core's cohort report on the same sample (small-cell threshold 1, so nothing is hidden):
   the two must agree exactly on every figure compared, or the script exits 1.

It prints the times and the speed-up; it asserts nothing about time (benchmarks never do).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PG_SERVER = os.environ.get("KETACARE_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "ketacare_bench_analytics"
PATIENTS, SESSIONS_EACH, MEASURES_EACH = 100_000, 15, 15  # measures per scale
EPOCH = np.datetime64("1970-01-01")


def log(*parts: Any) -> None:
    print(*parts, flush=True)


# --- synthetic clinic, as columns ----------------------------------------------------------


def synthesise(n: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2022-01-03") + rng.integers(0, 3 * 365, n).astype("timedelta64[D]")
    gaps = np.where(
        np.arange(SESSIONS_EACH) < 8,
        rng.integers(1, 5, (n, SESSIONS_EACH)),
        rng.integers(5, 15, (n, SESSIONS_EACH)),
    )
    gaps[:, 0] = 0
    days = np.cumsum(gaps, axis=1)
    s_course = np.repeat(np.arange(1, n + 1), SESSIONS_EACH)
    s_date = np.repeat(start, SESSIONS_EACH) + days.ravel().astype("timedelta64[D]")
    measures = []
    for scale, top, sid in (("phq9", 27, 9), ("madrs", 60, 10)):
        base = rng.integers(top // 3, top + 1, n)
        k = np.arange(MEASURES_EACH)
        fall = rng.uniform(0.0, 0.9, n)[:, None] * np.minimum(k / 5, 1)[None, :]
        relapse = (rng.uniform(0, 1, n) < 0.4)[:, None] & (k >= 9)[None, :]
        score = base[:, None] * (1 - fall) + relapse * rng.integers(0, top // 2, (n, 1))
        score = np.clip(np.round(score + rng.normal(0, 1.5, (n, MEASURES_EACH))), 0, top)
        score[:, 0] = base
        mdays = np.concatenate([[-1], 3 + 5 * np.arange(MEASURES_EACH - 1)])
        t = (
            np.repeat(start, MEASURES_EACH).astype("datetime64[s]")
            + np.tile(mdays, n).astype("timedelta64[D]")
            + np.timedelta64(8, "h")
        )
        item = np.clip(np.round(score / top * 3 + rng.normal(0, 0.7, score.shape)), 0, 3)
        measures.append(
            pd.DataFrame(
                {
                    "course_id": np.repeat(np.arange(1, n + 1), MEASURES_EACH),
                    "scale_id": scale,
                    "taken_at": t,
                    "total": score.ravel(),
                    "si": item.ravel().astype(int),
                    "si_index": sid,
                    "is_baseline": np.tile(k == 0, n),
                    "withdrawn": np.tile(k != 0, n) & (rng.uniform(0, 1, n * MEASURES_EACH) < 0.01),
                }
            )
        )
    m = pd.concat(measures, ignore_index=True)
    m.insert(0, "id", np.arange(1, len(m) + 1))
    drugs = rng.choice(["iv-racemic", "esketamine-trd", "im-racemic"], n, p=[0.6, 0.3, 0.1])
    return {
        "patients": pd.DataFrame(
            {
                "id": np.arange(1, n + 1),
                "dob": np.datetime64("1940-01-01")
                + rng.integers(0, 60 * 365, n).astype("timedelta64[D]"),
            }
        ),
        "courses": pd.DataFrame({"id": np.arange(1, n + 1), "start": start, "protocol": drugs}),
        "sessions": pd.DataFrame(
            {"id": np.arange(1, len(s_course) + 1), "course_id": s_course, "date": s_date}
        ),
        "measures": m,
    }


PROTOCOL = {
    "iv-racemic": ("racemic", "iv"),
    "esketamine-trd": ("esketamine", "in"),
    "im-racemic": ("racemic", "im"),
}


def _template(model: Any, fixed: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """Every concrete column of ``model`` with a constant value (NULL, the field's default,
    or ``fixed``); the per-row columns are set by the caller."""
    cols, consts = [], {}
    for f in model._meta.concrete_fields:
        cols.append(f.column)
        if f.column in fixed:
            consts[f.column] = fixed[f.column]
        elif f.null:
            consts[f.column] = None
        elif f.has_default():
            v = f.get_default()
            consts[f.column] = v if not isinstance(v, (list, dict)) else __import__("json").dumps(v)
        elif f.get_internal_type() in ("CharField", "TextField", "EmailField"):
            consts[f.column] = ""
        else:
            consts[f.column] = None
    return cols, consts


def tables(data: dict[str, pd.DataFrame], clinic_id: int, user_id: int, now: str) -> list[Any]:
    from ketacare.web.courses.models import Course
    from ketacare.web.measures.models import Measure
    from ketacare.web.patients.models import Patient
    from ketacare.web.treatments.models import TreatmentSession

    n = len(data["patients"])
    out = []
    p = data["patients"]
    cols, c = _template(
        Patient, {"clinic_id": clinic_id, "created_at": now, "updated_at": now, "sex": "female"}
    )
    frame = pd.DataFrame({k: [v] * n for k, v in c.items()})
    frame["id"] = p["id"].to_numpy()
    frame["uuid"] = [uuid.uuid4().hex for _ in range(n)]
    frame["record_number"] = "B-" + p["id"].astype(str)
    frame["given_name"] = "Given"
    frame["family_name"] = "Family" + p["id"].astype(str)
    frame["date_of_birth"] = p["dob"].dt.strftime("%Y-%m-%d")
    out.append((Patient, frame[cols]))
    cr = data["courses"]
    cols, c = _template(
        Course, {"clinic_id": clinic_id, "prescriber_id": user_id, "created_at": now}
    )
    frame = pd.DataFrame({k: [v] * n for k, v in c.items()})
    frame["id"] = cr["id"].to_numpy()
    frame["uuid"] = [uuid.uuid4().hex for _ in range(n)]
    frame["patient_id"] = cr["id"].to_numpy()
    frame["protocol_id"] = cr["protocol"].to_numpy()
    frame["drug"] = [PROTOCOL[x][0] for x in cr["protocol"]]
    frame["route"] = [PROTOCOL[x][1] for x in cr["protocol"]]
    frame["start_date"] = cr["start"].dt.strftime("%Y-%m-%d")
    frame["weight_kg"] = 70.0
    frame["status"] = "maintenance"
    out.append((Course, frame[cols]))
    s = data["sessions"]
    cols, c = _template(
        TreatmentSession,
        {"clinic_id": clinic_id, "created_by_id": user_id, "created_at": now, "status": "signed"},
    )
    frame = pd.DataFrame({k: [v] * len(s) for k, v in c.items()})
    frame["id"] = s["id"].to_numpy()
    frame["uuid"] = [uuid.uuid4().hex for _ in range(len(s))]
    frame["course_id"] = s["course_id"].to_numpy()
    frame["patient_id"] = s["course_id"].to_numpy()
    frame["date"] = s["date"].dt.strftime("%Y-%m-%d")
    frame["started_at"] = s["date"].dt.strftime("%Y-%m-%d 09:00:00+00:00")
    frame["weight_kg"] = 70.0
    frame["dose_mg"] = 35.0
    out.append((TreatmentSession, frame[cols]))
    m = data["measures"]
    cols, c = _template(
        Measure,
        {"clinic_id": clinic_id, "entered_by_id": user_id, "entered_at": now, "result": "{}"},
    )
    frame = pd.DataFrame({k: [v] * len(m) for k, v in c.items()})
    frame["id"] = m["id"].to_numpy()
    frame["uuid"] = [uuid.uuid4().hex for _ in range(len(m))]
    frame["course_id"] = m["course_id"].to_numpy()
    frame["patient_id"] = m["course_id"].to_numpy()
    frame["scale_id"] = m["scale_id"].to_numpy()
    frame["taken_at"] = m["taken_at"].dt.strftime("%Y-%m-%d %H:%M:%S+00:00")
    frame["total"] = m["total"].to_numpy()
    zeros = np.where(m["si_index"] == 9, "0,0,0,0,0,0,0,0,", "0,0,0,0,0,0,0,0,0,")
    frame["items"] = "[" + pd.Series(zeros) + m["si"].astype(str) + "]"
    frame["is_baseline"] = m["is_baseline"].to_numpy()
    frame["withdrawn"] = m["withdrawn"].to_numpy()
    out.append((Measure, frame[cols]))
    return out


def bulk_load(frames: list[Any]) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for model, frame in frames:
            table = model._meta.db_table
            cols = list(frame.columns)
            quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
                buffer.seek(0)
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(
                    f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
                ) as copy:
                    while chunk := buffer.read(1 << 20):
                        copy.write(chunk)
            else:
                marks = ", ".join(["%s"] * len(cols))
                rows = list(frame.astype(object).where(frame.notna(), None).itertuples(False, None))
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)
        ct = connection.ops.quote_name
        cursor.execute(
            f"UPDATE courses_course SET {ct('baseline_measure_id')} = ("
            "SELECT m.id FROM measures_measure m WHERE m.course_id = courses_course.id "
            "AND m.is_baseline AND m.scale_id = 'phq9')"
        )
        if connection.vendor == "postgresql":
            for model, _ in frames:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                    f"(SELECT MAX(id) FROM {model._meta.db_table}))"
                )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- the per-patient ORM loop ---------------------------------------------------------------


def loop_figures(course_ids: list[int], definition: Any) -> dict[str, Any]:
    """The figures of the cohort report for ``course_ids``, one course at a time by the ORM,
    every follow-up judged by ``core.outcomes.assess`` (the per-row core)."""
    from ketacare.core.outcomes import assess, get_scale_rules
    from ketacare.web.courses.models import Course
    from ketacare.web.treatments.models import TreatmentSession

    rule = definition.induction
    low, high = definition.window
    fig: dict[str, Any] = {}
    for scale in definition.scales:
        fig[scale] = {
            "ind": [0, 0, 0, 0], "maint": [0, 0, 0, 0], "si": [0, 0], "k": [], "spells": [],
        }  # fmt: skip
    for cid in course_ids:
        course = Course.objects.get(pk=cid)
        days = [
            s.date.toordinal()
            for s in TreatmentSession.objects.filter(
                course=course, started_at__isnull=False
            ).order_by("date")
        ]
        first = days[0]
        inside = [d for d in days if d - first + 1 <= rule.max_days][: rule.max_sessions]
        ind_end = inside[-1]
        has_ind = len(inside) >= rule.min_sessions and ind_end - first + 1 >= rule.min_days
        maintained = has_ind and len(days) > len(inside)
        for scale in definition.scales:
            r = get_scale_rules(scale)
            item = r.suicide.item if r.suicide and r.suicide.kind == "item" else None
            rows = [
                m
                for m in course.measures.filter(scale_id=scale).order_by("taken_at", "pk")
                if not m.withdrawn and m.total is not None
            ]
            flagged = [m for m in rows if m.is_baseline]
            if flagged:
                base = flagged[-1]
            else:
                before = [m for m in rows if m.taken_at.date().toordinal() <= first]
                if not before:
                    continue
                base = before[-1]
            follow = [m for m in rows if not m.is_baseline and m.taken_at > base.taken_at]
            judged = []
            for m in follow:
                o = assess(scale, base.total, m.total)
                day = m.taken_at.date().toordinal()
                k = sum(1 for d in days if d <= day)
                si = m.items[item - 1] if item and isinstance(m.items, list) else None
                judged.append((m, o, day, k, si))
            f = fig[scale]
            base_si = base.items[item - 1] if item and isinstance(base.items, list) else None
            if has_ind:
                window = [j for j in judged if low <= j[2] - first <= high]
                if window:
                    m, o, *_rest, si = window[-1]
                    f["ind"][0] += 1
                    f["ind"][1] += o.response
                    f["ind"][2] += bool(o.remission)
                    f["ind"][3] += m.total > base.total
                    if base_si is not None and base_si >= r.suicide.positive_min and si is not None:
                        f["si"][0] += 1
                        f["si"][1] += si < base_si
            if maintained:
                after = [j for j in judged if j[2] > ind_end]
                if after:
                    m, o, *_ = after[-1]
                    f["maint"][0] += 1
                    f["maint"][1] += o.response
                    f["maint"][2] += bool(o.remission)
                    f["maint"][3] += m.total > base.total
            responded = [j for j in judged if j[1].response]
            if responded:
                m0, _, _, k0, _ = responded[0]
                t0 = m0.taken_at
                f["k"].append(k0)
                lost = [j for j in judged if j[0].taken_at > t0 and not j[1].response]
                end = lost[0][0].taken_at if lost else judged[-1][0].taken_at
                f["spells"].append(((end - t0).total_seconds() / 86400, 1 if lost else 0))
    return fig


def compare(fig: dict[str, Any], report: dict[str, Any], late: int) -> list[str]:
    from ketacare.core.analytics.durability import kaplan_meier

    problems = []
    for scale, f in fig.items():
        s = report["scales"][scale]
        for part, key in (("ind", "induction"), ("maint", "maintenance")):
            t = s[key]["total"]
            got = [t["n"] or 0, t["responders"] or 0, t["remitters"] or 0, t["worsened"] or 0]
            if got != f[part]:
                problems.append(f"{scale} {key}: columns {got} != loop {f[part]}")
        si = s["suicidal_ideation"]
        if [si["n"] or 0, si["fell"] or 0] != f["si"]:
            problems.append(f"{scale} SI: columns {[si['n'], si['fell']]} != loop {f['si']}")
        fr = s["first_response"]
        loop_late = sum(1 for k in f["k"] if k >= late)
        loop_median = float(statistics.median(f["k"])) if f["k"] else None
        if (fr["responders"] or 0, fr["late_responders"] or 0, fr["median_sessions"]) != (
            len(f["k"]),
            loop_late,
            loop_median,
        ):
            problems.append(f"{scale} first response: {fr} != loop {len(f['k'])}, {loop_late}")
        km = s["durability"]["km"]
        if f["spells"]:
            loop_km = kaplan_meier([d for d, _ in f["spells"]], [e for _, e in f["spells"]])
            for a, b in zip(km["at"], loop_km["at"], strict=True):
                if abs(a["survival"] - b["survival"]) > 1e-12:
                    problems.append(f"{scale} KM at {a['day']}: {a} != loop {b}")
            if km["median_days"] != loop_km["median_days"]:
                problems.append(
                    f"{scale} KM median {km['median_days']} != {loop_km['median_days']}"
                )
    return problems


# --- one database ---------------------------------------------------------------------------


def run_one(db: str, scale: float, sample: int) -> int:
    tmp = tempfile.mkdtemp(prefix="kc-bench-")
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["KETACARE_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.web.test_settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from ketacare.core.analytics import ORKA_DEFINITION, cohort_report
    from ketacare.web.accounts.models import Clinic, User
    from ketacare.web.evidence.frames import load_frames
    from ketacare.web.evidence.outcomes import clinic_cohort_report

    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.create(name="Benchmark clinic")
    user = User.objects.create_user(
        username="bench", password="x" * 20, role="prescriber", clinic=clinic
    )
    n = max(50, int(PATIENTS * scale))
    log(f"[{db}] scale {scale}: {n:,} patients, {n * SESSIONS_EACH:,} sessions, "
        f"{n * 2 * MEASURES_EACH:,} measures")  # fmt: skip
    t0 = time.perf_counter()
    data = synthesise(n)
    frames = tables(data, clinic.pk, user.pk, timezone.now().isoformat())
    t1 = time.perf_counter()
    bulk_load(frames)
    t2 = time.perf_counter()
    how = "COPY" if connection.vendor == "postgresql" else "executemany"
    log(f"[{db}] synthesise {t1 - t0:.1f} s; bulk load ({how}) {t2 - t1:.1f} s")
    del frames, data

    t3 = time.perf_counter()
    report = clinic_cohort_report(clinic)
    t4 = time.perf_counter()
    columns_s = t4 - t3
    q0 = time.perf_counter()
    load_frames(clinic)
    q1 = time.perf_counter()
    log(f"[{db}]   of which the four queries into frames take about {q1 - q0:.2f} s")
    phq = report["scales"]["phq9"]["induction"]["total"]
    log(f"[{db}] cohort report over columns, all {n:,} courses: {columns_s:.2f} s "
        f"(PHQ-9 induction n {phq['n']}, responders {phq['responders']})")  # fmt: skip

    ids = sorted(random.Random(1).sample(range(1, n + 1), min(sample, n)))
    t5 = time.perf_counter()
    fig = loop_figures(ids, ORKA_DEFINITION)
    t6 = time.perf_counter()
    per_course = (t6 - t5) / len(ids)
    loop_all = per_course * n
    log(
        f"[{db}] per-patient ORM loop: {len(ids)} courses in {t6 - t5:.2f} s "
        f"({1000 * per_course:.1f} ms per course); scaled to {n:,} courses: {loop_all:.0f} s"
    )

    courses, sessions, measures = load_frames(clinic)
    keep = set(ids)
    sample_report = cohort_report(
        courses[courses["course_id"].isin(keep)],
        sessions[sessions["course_id"].isin(keep)],
        measures[measures["course_id"].isin(keep)],
        small_cell=1,
    )
    problems = compare(fig, sample_report, ORKA_DEFINITION.late_response_session)
    if problems:
        log(f"[{db}] DISAGREE:\n  " + "\n  ".join(problems))
        return 1
    log(f"[{db}] the loop and the columns agree exactly on the sample ({len(ids)} courses)")
    log(f"[{db}] speed-up: {loop_all / columns_s:.0f}x (target >= 50x)")
    if db == "postgres":
        connection.close()
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 patients")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--sample", type=int, default=300, help="courses in the ORM loop")
    args = parser.parse_args()
    if args.db != "both":
        return run_one(args.db, args.scale, args.sample)
    status = 0
    for db in ("sqlite", "postgres"):
        cmd = [sys.executable, __file__, "--db", db, "--scale", str(args.scale),
               "--sample", str(args.sample)]  # fmt: skip
        status |= subprocess.run(cmd, check=False, env=dict(os.environ)).returncode
    return status


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
