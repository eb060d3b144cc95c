"""Columns in, columns out: a course's outcome over whole tables (pandas), no per-row loops.

Input frames (the web layer builds them with one query each; the benchmark and tests build them
directly):

``courses``   course_id (int), drug, route, protocol_id (str); optional primary_scale (str)
``sessions``  course_id, day (int: days since 1970-01-01, UTC): one row per session given
``measures``  course_id, scale_id, t (float: days since 1970-01-01, fractional), total (float),
              si (float, the suicide item's answer, NaN when absent), is_baseline, withdrawn (bool)

Every function here returns frames; :mod:`ketacare.core.analytics.cohort` turns them into the
report. The judgement of one follow-up is the same exact comparison as ``core.outcomes.assess``
(``den * (baseline - score) >= num * baseline`` with the response fraction ``num/den``), so the
per-row core and these columns agree on every boundary (a test checks it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketacare.core.analytics.definition import InductionRule, OutcomeDefinition
from ketacare.core.errors import InputError

COURSE_COLUMNS = ("course_id", "drug", "route", "protocol_id")
SESSION_COLUMNS = ("course_id", "day")
MEASURE_COLUMNS = ("course_id", "scale_id", "t", "total", "si", "is_baseline", "withdrawn")


def _check(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(name, sorted(frame.columns), "columns " + ", ".join(columns))


def empty_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    courses = pd.DataFrame({c: pd.Series(dtype="object") for c in COURSE_COLUMNS})
    courses["course_id"] = courses["course_id"].astype("int64")
    sessions = pd.DataFrame(
        {"course_id": pd.Series(dtype="int64"), "day": pd.Series(dtype="int64")}
    )
    measures = pd.DataFrame(
        {
            "course_id": pd.Series(dtype="int64"),
            "scale_id": pd.Series(dtype="object"),
            "t": pd.Series(dtype="float64"),
            "total": pd.Series(dtype="float64"),
            "si": pd.Series(dtype="float64"),
            "is_baseline": pd.Series(dtype="bool"),
            "withdrawn": pd.Series(dtype="bool"),
        }
    )
    return courses, sessions, measures


def induction(sessions: pd.DataFrame, rule: InductionRule) -> pd.DataFrame:
    """Per course: first_day, n_sessions, induction_sessions, induction_end, has_induction."""
    _check(sessions, "sessions", SESSION_COLUMNS)
    s = sessions.sort_values(["course_id", "day"], kind="stable")
    g = s.groupby("course_id", sort=True)
    first = g["day"].transform("min")
    rank = g.cumcount() + 1
    inside = ((s["day"] - first + 1) <= rule.max_days) & (rank <= rule.max_sessions)
    s = s.assign(first_day=first, inside=inside, ind_day=s["day"].where(inside))
    out = s.groupby("course_id", sort=True).agg(
        first_day=("first_day", "first"),
        n_sessions=("day", "size"),
        induction_sessions=("inside", "sum"),
        induction_end=("ind_day", "max"),
    )
    span = out["induction_end"] - out["first_day"] + 1
    out["has_induction"] = (out["induction_sessions"] >= rule.min_sessions) & (
        span >= rule.min_days
    )
    out["induction_end"] = out["induction_end"].astype("int64")
    return out


def sessions_before(measures: pd.DataFrame, sessions: pd.DataFrame) -> np.ndarray:
    """For each measure row (in order), the number of sessions of its course given on or before
    the measure's day (``merge_asof`` on the day, by course)."""
    if measures.empty:
        return np.zeros(0, dtype="int64")
    s = sessions.sort_values(["day", "course_id"], kind="stable")[["course_id", "day"]].copy()
    s = s.sort_values(["course_id", "day"], kind="stable")
    s["k"] = s.groupby("course_id").cumcount() + 1
    s = s.groupby(["course_id", "day"], as_index=False)["k"].max().sort_values("day")
    m = pd.DataFrame(
        {
            "row": np.arange(len(measures)),
            "course_id": measures["course_id"].to_numpy(),
            "day": np.floor(measures["t"].to_numpy()).astype("int64"),
        }
    ).sort_values("day", kind="stable")
    s["day"] = s["day"].astype("int64")
    joined = pd.merge_asof(m, s, on="day", by="course_id", direction="backward")
    joined = joined.sort_values("row")
    counts: np.ndarray = joined["k"].fillna(0).astype("int64").to_numpy()
    return counts


def judge(
    frame: pd.DataFrame, definition: OutcomeDefinition, score: str = "total"
) -> tuple[np.ndarray, np.ndarray]:
    """Response and remission of ``frame[score]`` against ``frame.baseline`` per its scale_id:
    the exact rule of ``core.outcomes.assess`` (remission False where a scale has none)."""
    response = np.zeros(len(frame), dtype=bool)
    remission = np.zeros(len(frame), dtype=bool)
    scale = frame["scale_id"].to_numpy()
    base = frame["baseline"].to_numpy(dtype="float64")
    value = frame[score].to_numpy(dtype="float64")
    for sid in pd.unique(scale):
        mask = scale == sid
        rules = definition.rules_for(str(sid))
        num, den = rules["response_fraction_exact"]
        response[mask] = den * (base[mask] - value[mask]) >= num * base[mask]
        if rules["remission_max"] is not None:
            remission[mask] = value[mask] <= rules["remission_max"]
    return response, remission


def baselines(
    measures: pd.DataFrame, sessions_by_course: pd.DataFrame, scales: tuple[str, ...]
) -> pd.DataFrame:
    """Per (course_id, scale_id): baseline_row (index into ``measures``), baseline, baseline_t,
    baseline_si. Flagged baselines first; else the latest measure on or before the first session
    day. Withdrawn measures never count."""
    _check(measures, "measures", MEASURE_COLUMNS)
    m = measures[
        ~measures["withdrawn"].astype(bool)
        & measures["scale_id"].isin(scales)
        & measures["total"].notna()
    ]
    m = m.assign(row=m.index).sort_values(["course_id", "scale_id", "t"], kind="stable")
    flagged = m[m["is_baseline"].astype(bool)].groupby(["course_id", "scale_id"]).tail(1)
    first_day = sessions_by_course["first_day"]
    candidates = m[~m["is_baseline"].astype(bool)]
    day0 = candidates["course_id"].map(first_day)
    fallback = candidates[np.floor(candidates["t"]) <= day0]
    fallback = fallback.groupby(["course_id", "scale_id"]).tail(1)
    both = pd.concat([flagged.assign(p=0), fallback.assign(p=1)], ignore_index=True)
    both = both.sort_values(["course_id", "scale_id", "p"], kind="stable")
    chosen = both.groupby(["course_id", "scale_id"], as_index=False).head(1)
    return chosen.rename(columns={"total": "baseline", "t": "baseline_t", "si": "baseline_si"})[
        ["course_id", "scale_id", "row", "baseline", "baseline_t", "baseline_si"]
    ].rename(columns={"row": "baseline_row"})


def follow_ups(
    measures: pd.DataFrame,
    sessions: pd.DataFrame,
    definition: OutcomeDefinition,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(baselines, follow-ups judged, induction per course).

    The follow-ups frame has one row per non-withdrawn measure after its course's baseline on the
    same scale, with ``baseline``, ``response``, ``remission``, ``k`` (sessions given on or before
    its day) and ``rel_day`` (days from the anchor, NaN without an induction).
    """
    _check(measures, "measures", MEASURE_COLUMNS)
    ind = induction(sessions, definition.induction)
    base = baselines(measures, ind, definition.scales)
    m = measures[
        ~measures["withdrawn"].astype(bool)
        & measures["scale_id"].isin(definition.scales)
        & measures["total"].notna()
        & ~measures["is_baseline"].astype(bool)
    ]
    m = m.assign(row=m.index)
    f = m.merge(base, on=["course_id", "scale_id"], how="inner")
    f = f[(f["t"] > f["baseline_t"]) & (f["row"] != f["baseline_row"])]
    f = f.sort_values(["course_id", "scale_id", "t", "row"], kind="stable").reset_index(drop=True)
    f["k"] = sessions_before(f, sessions)
    anchor_col = "first_day" if definition.anchor == "induction_start" else "induction_end"
    anchor = f["course_id"].map(ind[anchor_col].where(ind["has_induction"]))
    f["rel_day"] = np.floor(f["t"]) - anchor
    f["response"], f["remission"] = judge(f, definition)
    return base, f, ind


def endpoints(
    follow: pd.DataFrame, definition: OutcomeDefinition, *, window: bool = True
) -> pd.DataFrame:
    """Per (course_id, scale_id) with a follow-up in the window: the endpoint (latest follow-up)
    total and SI item, and response/remission by the definition's basis, and ``worsened``
    (endpoint total above baseline)."""
    f = follow
    if window and definition.window is not None:
        low, high = definition.window
        f = f[(f["rel_day"] >= low) & (f["rel_day"] <= high)]
    g = f.groupby(["course_id", "scale_id"], sort=True)
    last = g.tail(1).set_index(["course_id", "scale_id"]).sort_index()
    out = pd.DataFrame(
        {
            "baseline": last["baseline"],
            "baseline_si": last["baseline_si"],
            "endpoint": last["total"],
            "endpoint_si": last["si"],
            "endpoint_t": last["t"],
            "n_followups": g.size(),
        }
    )
    if definition.basis == "last":
        out["response"] = last["response"].astype(bool)
        out["remission"] = last["remission"].astype(bool)
    else:
        out["response"] = g["response"].any()
        out["remission"] = g["remission"].any()
    out["worsened"] = out["endpoint"] > out["baseline"]
    return out.reset_index()
