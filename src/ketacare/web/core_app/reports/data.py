"""The clinic's rows as the columns ``core.analytics`` reads: one query per table.

``sessions``: a session counts as given when its administration was recorded
(``TreatmentSession.started_at``), or, for a planned session with no session record, when it was
marked done (``PlannedSession.status == "done"``: records kept before the chair workflow).
``measures``: every measure of a course, withdrawn ones included (the core leaves them out and
says so); ``si`` is the answer to the scale's suicide item (``core.outcomes`` rules), read from
the stored item answers in the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Case, CharField, F, FloatField, Func, Value, When
from django.db.models.fields.json import KT

from ketacare.core.analytics.frames import empty_frames
from ketacare.core.outcomes import list_scale_rules


def suicide_items() -> dict[str, int]:
    """scale id -> 1-based number of its suicide item (scales with an item signal)."""
    return {
        r.id: r.suicide.item
        for r in list_scale_rules()
        if r.suicide is not None and r.suicide.kind == "item" and r.suicide.item is not None
    }


class EpochDays(Func):
    """Days since 1970-01-01 UTC as a float, computed by the database (no per-row parsing)."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(julianday(%(expressions)s) - 2440587.5)", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        field = self.source_expressions[0].output_field.get_internal_type()
        if field == "DateField":
            return f"(({sql}) - DATE '1970-01-01')::float8", params
        return f"(EXTRACT(EPOCH FROM {sql}) / 86400.0)::float8", params


def _placeholders(sql: str, count: int, vendor: str) -> str:
    """Django's ``%s`` placeholders as SQLite's ``?`` (``%%`` back to ``%``): the substitution
    Django's own SQLite cursor makes."""
    if vendor != "sqlite":
        raise ValueError(f"placeholders for {vendor}: PostgreSQL queries are bound by psycopg")
    return sql % tuple(["?"] * count)


def _adbc_connect() -> Any:
    """An ADBC connection to the default database, or None where it cannot see what Django
    sees: inside a transaction (uncommitted rows; tests run in one), an in-memory SQLite
    database, another vendor, or no driver installed."""
    if connection.in_atomic_block:
        return None
    settings = connection.settings_dict
    try:
        if connection.vendor == "sqlite":
            import adbc_driver_sqlite.dbapi as sqlite_adbc

            name = str(settings["NAME"])
            if name.startswith("file:") or name == ":memory:" or not Path(name).is_file():
                return None
            return sqlite_adbc.connect(name)
        if connection.vendor == "postgresql":
            import adbc_driver_postgresql.dbapi as pg_adbc

            user = quote(str(settings.get("USER") or ""), safe="")
            password = quote(str(settings.get("PASSWORD") or ""), safe="")
            auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
            host = str(settings.get("HOST") or "")
            port = f":{settings['PORT']}" if settings.get("PORT") else ""
            return pg_adbc.connect(
                f"postgresql://{auth}{host}{port}/{quote(str(settings['NAME']))}"
            )
    except ImportError:
        return None
    return None


def _frame(queryset: Any, names: list[str]) -> pd.DataFrame:
    """The rows of a ``values_list`` queryset as columns ``names``. The ORM writes the SQL
    (portable); the rows are read as Arrow columns through ADBC where it sees the same data
    (about four times faster than Python tuples over 3 million rows, benchmarks/analytics.py),
    else through Django's cursor; either way no per-row converters run."""
    sql, params = queryset.query.sql_with_params()
    adbc = _adbc_connect()
    if adbc is not None:
        with adbc:
            cursor = adbc.cursor()
            try:
                if connection.vendor == "postgresql":
                    # bound client-side by psycopg (its quoting), as Django logs a query: the
                    # server would otherwise type ``jsonb ->> $2`` with a bigint and refuse it
                    cursor.execute(connection.ops.compose_sql(sql, params))
                else:
                    cursor.execute(_placeholders(sql, len(params), "sqlite"), list(params))
                table = cursor.fetch_arrow_table()
            finally:
                cursor.close()
        frame = table.to_pandas()
        frame.columns = names
        return frame
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return pd.DataFrame({n: [] for n in names})
    return pd.DataFrame(dict(zip(names, zip(*rows, strict=True), strict=True)))


def load_frames(
    clinic: Any, *, patient: Any = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(courses, sessions, measures) of ``clinic`` (or of one ``patient``): four queries."""
    from ketacare.web.courses.models import Course, PlannedSession
    from ketacare.web.measures.models import Measure
    from ketacare.web.treatments.models import TreatmentSession

    courses0, sessions0, measures0 = empty_frames()
    only: dict[str, Any] = {"patient": patient} if patient is not None else {}
    c = list(
        Course.objects.filter(clinic=clinic, **only)
        .order_by("pk")
        .values_list(
            "pk",
            "patient_id",
            "drug",
            "route",
            "protocol_id",
            "baseline_measure__scale_id",
            "status",
            "start_date",
        )
    )
    courses = pd.DataFrame(
        c,
        columns=[
            "course_id",
            "patient_id",
            "drug",
            "route",
            "protocol_id",
            "primary_scale",
            "status",
            "start_date",
        ],
    )
    if courses.empty:
        courses = courses0.assign(patient_id=[], primary_scale=[], status=[], start_date=[])
    given = _frame(
        TreatmentSession.objects.filter(clinic=clinic, started_at__isnull=False, **only)
        .annotate(d=EpochDays(F("date")))
        .values_list("course_id", "d"),
        ["course_id", "d"],
    )
    done = _frame(
        PlannedSession.objects.filter(
            clinic=clinic,
            status="done",
            treatment_session__isnull=True,
            **({"course__patient": patient} if patient is not None else {}),
        )
        .annotate(d=EpochDays(F("date")))
        .values_list("course_id", "d"),
        ["course_id", "d"],
    )
    rows = pd.concat([given, done], ignore_index=True)
    sessions = (
        pd.DataFrame(
            {
                "course_id": rows["course_id"].to_numpy(dtype="int64"),
                "day": np.floor(rows["d"].to_numpy(dtype="float64") + 1e-9).astype("int64"),
            }
        )
        if len(rows)
        else sessions0
    )
    items = suicide_items()
    # one JSON lookup per row: the suicide item of the row's own scale
    si_expr = Case(
        *(When(scale_id=sid, then=KT(f"items__{n - 1}")) for sid, n in items.items()),
        default=Value(None),
        output_field=CharField(),
    )
    columns = ["course_id", "scale_id", "taken_at", "total", "is_baseline", "withdrawn", "si"]
    frame = _frame(
        Measure.objects.filter(clinic=clinic, course__isnull=False, **only)
        .annotate(t_days=EpochDays(F("taken_at")), si_item=si_expr)
        .order_by()  # no sort: the core orders what it needs
        .values_list(
            "course_id", "scale_id", "t_days", "total", "is_baseline", "withdrawn", "si_item"
        ),
        columns,
    )
    if frame.empty:
        return courses, sessions, measures0
    si = pd.to_numeric(frame["si"], errors="coerce")
    measures = pd.DataFrame(
        {
            "course_id": frame["course_id"].astype("int64"),
            "scale_id": frame["scale_id"].astype(object),
            "t": frame["taken_at"].astype("float64"),
            "total": pd.to_numeric(frame["total"], errors="coerce").astype("float64"),
            "si": si.astype("float64"),
            "is_baseline": frame["is_baseline"].astype(int).astype(bool),
            "withdrawn": frame["withdrawn"].astype(int).astype(bool),
        }
    )
    return courses, sessions, measures
