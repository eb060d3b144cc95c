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
from django.db.models.fields.json import KT

from ketacare.core.analytics.frames import empty_frames
from ketacare.core.outcomes import list_scale_rules

EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


def suicide_items() -> dict[str, int]:
    """scale id -> 1-based number of its suicide item (scales with an item signal)."""
    return {
        r.id: r.suicide.item
        for r in list_scale_rules()
        if r.suicide is not None and r.suicide.kind == "item" and r.suicide.item is not None
    }


def _days(values: Any) -> np.ndarray:
    stamps = pd.to_datetime(pd.Series(values), utc=True, format="ISO8601")
    out: np.ndarray = ((stamps - EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype="float64")
    return out


def _day_numbers(dates: Any) -> np.ndarray:
    out: np.ndarray = np.floor(_days(dates)).astype("int64")
    return out


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
        TreatmentSession.objects.filter(
            clinic=clinic, started_at__isnull=False, **only
        ).values_list("course_id", "date")
    )
    done = _fetch(
        PlannedSession.objects.filter(
            clinic=clinic,
            status="done",
            treatment_session__isnull=True,
            **({"course__patient": patient} if patient is not None else {}),
        ).values_list("course_id", "date")
    )
    rows = given + done
    sessions = (
        pd.DataFrame({"course_id": [r[0] for r in rows], "day": _day_numbers([r[1] for r in rows])})
        if rows
        else sessions0
    )
    items = suicide_items()
    annotations = {f"si_{sid.replace('-', '_')}": KT(f"items__{n - 1}") for sid, n in items.items()}
    names = list(annotations)
    m = _fetch(
        Measure.objects.filter(clinic=clinic, course__isnull=False, **only)
        .annotate(**annotations)
        .order_by("pk")
        .values_list(
            "course_id", "scale_id", "taken_at", "total", "is_baseline", "withdrawn", *names
        )
    )
    if not m:
        return courses, sessions, measures0
    frame = pd.DataFrame(
        m,
        columns=["course_id", "scale_id", "taken_at", "total", "is_baseline", "withdrawn", *names],
    )
    si = pd.Series(np.nan, index=frame.index)
    for sid, name in zip(items, names, strict=True):
        mask = frame["scale_id"] == sid
        si[mask] = pd.to_numeric(frame.loc[mask, name], errors="coerce")
    measures = pd.DataFrame(
        {
            "course_id": frame["course_id"].astype("int64"),
            "scale_id": frame["scale_id"],
            "t": _days(frame["taken_at"]),
            "total": pd.to_numeric(frame["total"], errors="coerce").astype("float64"),
            "si": si.astype("float64"),
            "is_baseline": frame["is_baseline"].astype(int).astype(bool),
            "withdrawn": frame["withdrawn"].astype(int).astype(bool),
        }
    )
    return courses, sessions, measures
