"""The clinic's rows as the columns ``core.analytics`` reads: one query per table.

``sessions``: a session counts as given when its administration was recorded
(``TreatmentSession.started_at``), or, for a planned session with no session record, when it was
marked done (``PlannedSession.status == "done"``: records kept before the chair workflow).
``measures``: every measure of a course, withdrawn ones included (the core leaves them out and
says so); ``si`` is the answer to the scale's suicide item (``core.outcomes`` rules), read from
the stored item answers in the database.
"""

from __future__ import annotations

from typing import Any

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


def _fetch(queryset: Any) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset through the raw cursor: the ORM writes the SQL
    (portable), and the values skip Django's per-row converters (the columns are converted
    once, below, over the whole column)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


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
    given = _fetch(
        TreatmentSession.objects.filter(clinic=clinic, started_at__isnull=False, **only)
        .annotate(d=EpochDays(F("date")))
        .values_list("course_id", "d")
    )
    done = _fetch(
        PlannedSession.objects.filter(
            clinic=clinic,
            status="done",
            treatment_session__isnull=True,
            **({"course__patient": patient} if patient is not None else {}),
        )
        .annotate(d=EpochDays(F("date")))
        .values_list("course_id", "d")
    )
    rows = given + done
    sessions = (
        pd.DataFrame(
            {
                "course_id": np.fromiter((r[0] for r in rows), dtype="int64", count=len(rows)),
                "day": np.floor(
                    np.fromiter((r[1] for r in rows), dtype="float64", count=len(rows)) + 1e-9
                ).astype("int64"),
            }
        )
        if rows
        else sessions0
    )
    items = suicide_items()
    # one JSON lookup per row: the suicide item of the row's own scale
    si_expr = Case(
        *(When(scale_id=sid, then=KT(f"items__{n - 1}")) for sid, n in items.items()),
        default=Value(None),
        output_field=CharField(),
    )
    m = _fetch(
        Measure.objects.filter(clinic=clinic, course__isnull=False, **only)
        .annotate(t_days=EpochDays(F("taken_at")), si_item=si_expr)
        .order_by()  # no sort: the core orders what it needs
        .values_list(
            "course_id", "scale_id", "t_days", "total", "is_baseline", "withdrawn", "si_item"
        )
    )
    if not m:
        return courses, sessions, measures0
    frame = pd.DataFrame(
        m,
        columns=["course_id", "scale_id", "taken_at", "total", "is_baseline", "withdrawn", "si"],
    )
    si = pd.to_numeric(frame["si"], errors="coerce")
    measures = pd.DataFrame(
        {
            "course_id": frame["course_id"].astype("int64"),
            "scale_id": frame["scale_id"],
            "t": frame["taken_at"].astype("float64"),
            "total": pd.to_numeric(frame["total"], errors="coerce").astype("float64"),
            "si": si.astype("float64"),
            "is_baseline": frame["is_baseline"].astype(int).astype(bool),
            "withdrawn": frame["withdrawn"].astype(int).astype(bool),
        }
    )
    return courses, sessions, measures
