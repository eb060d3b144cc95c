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


#: day offset and width of the (course, day) key of :func:`sessions_before`: any day from
#: 1970 - 1400 years to 1970 + 1400 years fits
_DAY_OFFSET = 1 << 19
_DAY_SPAN = 1 << 20


def sessions_before(measures: pd.DataFrame, sessions: pd.DataFrame) -> np.ndarray:
    """For each measure row (in order), the number of sessions of its course given on or before
    the measure's day: a binary search of (course, day) keys in the sorted sessions (the same
    count as an as-of join on the day, by course)."""
    if measures.empty:
        return np.zeros(0, dtype="int64")
    s_key = np.sort(
        sessions["course_id"].to_numpy(dtype="int64") * _DAY_SPAN
        + (sessions["day"].to_numpy(dtype="int64") + _DAY_OFFSET)
    )
    course = measures["course_id"].to_numpy(dtype="int64") * _DAY_SPAN
    day = np.floor(measures["t"].to_numpy(dtype="float64")).astype("int64") + _DAY_OFFSET
    upto = np.searchsorted(s_key, course + day, side="right")
    first = np.searchsorted(s_key, course, side="left")
    counts: np.ndarray = (upto - first).astype("int64")
    return counts


def judge(
    frame: pd.DataFrame, definition: OutcomeDefinition, score: str = "total"
) -> tuple[np.ndarray, np.ndarray]:
    """Response and remission of ``frame[score]`` against ``frame.baseline`` per its scale_id:
    the exact rule of ``core.outcomes.assess`` (remission False where a scale has none)."""
    response = np.zeros(len(frame), dtype=bool)
    remission = np.zeros(len(frame), dtype=bool)
    if "sc" in frame.columns:  # the scale as its index in ``definition.scales``
        codes = frame["sc"].to_numpy()
        masks = [(sid, codes == i) for i, sid in enumerate(definition.scales)]
    else:
        scale = frame["scale_id"].to_numpy()
        masks = [(str(sid), scale == sid) for sid in pd.unique(scale)]
    base = frame["baseline"].to_numpy(dtype="float64")
    value = frame[score].to_numpy(dtype="float64")
    for sid, mask in masks:
        rules = definition.rules_for(sid)
        num, den = rules["response_fraction_exact"]
        response[mask] = den * (base[mask] - value[mask]) >= num * base[mask]
        if rules["remission_max"] is not None:
            remission[mask] = value[mask] <= rules["remission_max"]
    return response, remission


_SCALE_SPAN = 64  # the (course, scale) key: course_id * 64 + the scale's index


def _lean(measures: pd.DataFrame, scales: tuple[str, ...]) -> pd.DataFrame:
    """The usable measures (not withdrawn, on one of ``scales``, with a total) as numbers only,
    sorted by (key, t, row): ``row`` (index into ``measures``), ``sc`` (the scale's index in
    ``scales``), ``key`` (course_id * 64 + sc), and t, total, si, is_baseline. Strings never
    enter a sort or a join."""
    if len(scales) >= _SCALE_SPAN:
        raise InputError("scales", len(scales), f"fewer than {_SCALE_SPAN} scales")
    codes = pd.Index(list(scales)).get_indexer(measures["scale_id"].astype(object))
    keep = (
        ~measures["withdrawn"].to_numpy(dtype=bool)
        & (codes >= 0)
        & measures["total"].notna().to_numpy()
    )
    course = measures["course_id"].to_numpy(dtype="int64")[keep]
    sc = codes[keep].astype("int64")
    key = course * _SCALE_SPAN + sc
    t = measures["t"].to_numpy(dtype="float64")[keep]
    order = np.lexsort((t, key))  # stable: ties keep the rows' order
    return pd.DataFrame(
        {
            "row": measures.index.to_numpy()[keep][order],
            "course_id": course[order],
            "sc": sc[order],
            "key": key[order],
            "t": t[order],
            "total": measures["total"].to_numpy(dtype="float64")[keep][order],
            "si": measures["si"].to_numpy(dtype="float64")[keep][order],
            "is_baseline": measures["is_baseline"].to_numpy(dtype=bool)[keep][order],
        }
    )


def _scale_names(sc: np.ndarray, scales: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(sc, dtype="int64"), categories=list(scales))


def _last_of_runs(key: np.ndarray) -> np.ndarray:
    """Positions of the last row of each run of equal keys (``key`` sorted)."""
    return np.flatnonzero(np.r_[key[1:] != key[:-1], True]) if len(key) else np.zeros(0, int)


def _baselines(m: pd.DataFrame, first_day: pd.Series) -> pd.DataFrame:
    """Per key of a lean frame (sorted by key, t, row): the baseline row (see
    :func:`baselines`), sorted by key."""
    is_base = m["is_baseline"].to_numpy(dtype=bool)
    flagged = m[is_base]
    flagged = flagged.iloc[_last_of_runs(flagged["key"].to_numpy())]
    candidates = m[~is_base]
    day0 = candidates["course_id"].map(first_day).to_numpy(dtype="float64")
    fallback = candidates[np.floor(candidates["t"].to_numpy()) <= day0]
    fallback = fallback.iloc[_last_of_runs(fallback["key"].to_numpy())]
    both = pd.concat([flagged.assign(p=0), fallback.assign(p=1)], ignore_index=True)
    both = both.sort_values(["key", "p"], kind="stable")
    chosen = both[~both["key"].duplicated(keep="first")].reset_index(drop=True)
    return chosen.rename(
        columns={"total": "baseline", "t": "baseline_t", "si": "baseline_si", "row": "baseline_row"}
    )[["key", "course_id", "sc", "baseline_row", "baseline", "baseline_t", "baseline_si"]]


def baselines(
    measures: pd.DataFrame, sessions_by_course: pd.DataFrame, scales: tuple[str, ...]
) -> pd.DataFrame:
    """Per (course_id, scale_id): baseline_row (index into ``measures``), baseline, baseline_t,
    baseline_si. Flagged baselines first; else the latest measure on or before the first session
    day. Withdrawn measures never count."""
    _check(measures, "measures", MEASURE_COLUMNS)
    return _named(_baselines(_lean(measures, scales), sessions_by_course["first_day"]), scales)


def _named(base: pd.DataFrame, scales: tuple[str, ...]) -> pd.DataFrame:
    """The baselines of :func:`_baselines` (sorted by key) with the scale's id, not its index."""
    return base.assign(
        scale_id=np.asarray(_scale_names(base["sc"].to_numpy(), scales), dtype=object)
    )[["course_id", "scale_id", "baseline_row", "baseline", "baseline_t", "baseline_si"]]


def follow_ups(
    measures: pd.DataFrame,
    sessions: pd.DataFrame,
    definition: OutcomeDefinition,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(baselines, follow-ups judged, induction per course).

    The follow-ups frame has one row per non-withdrawn measure after its course's baseline on the
    same scale, sorted by (course_id, scale, t, row), with ``baseline``, ``response``,
    ``remission``, ``k`` (sessions given on or before its day) and ``rel_day`` (days from the
    anchor, NaN without an induction); ``key`` and ``sc`` are the numeric (course, scale) key
    the other functions group on.
    """
    _check(measures, "measures", MEASURE_COLUMNS)
    scales = definition.scales
    ind = induction(sessions, definition.induction)
    lean = _lean(measures, scales)
    base = _baselines(lean, ind["first_day"])
    m = lean[~lean["is_baseline"].to_numpy(dtype=bool)]
    # each follow-up's baseline by binary search of the sorted baseline keys (order kept)
    base_key = base["key"].to_numpy(dtype="int64")
    m_key = m["key"].to_numpy(dtype="int64")
    at = np.minimum(np.searchsorted(base_key, m_key), max(len(base_key) - 1, 0))
    has = base_key[at] == m_key if len(base_key) else np.zeros(len(m_key), dtype=bool)
    f = m[has].copy()
    at = at[has]
    for column in ("baseline_row", "baseline", "baseline_t", "baseline_si"):
        f[column] = base[column].to_numpy()[at]
    f = f[(f["t"] > f["baseline_t"]) & (f["row"] != f["baseline_row"])].reset_index(drop=True)
    f["k"] = sessions_before(f, sessions)
    anchor_col = "first_day" if definition.anchor == "induction_start" else "induction_end"
    anchor = f["course_id"].map(ind[anchor_col].where(ind["has_induction"]))
    f["rel_day"] = np.floor(f["t"]) - anchor
    f["response"], f["remission"] = judge(f, definition)
    f["scale_id"] = _scale_names(f["sc"].to_numpy(), scales)
    f = f.drop(columns=["is_baseline"])
    return _named(base, scales), f, ind


def runs(follow: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(key array, start index of each key's run) of a follow-ups frame sorted by key."""
    key = follow["key"].to_numpy(dtype="int64")
    if len(key) and bool((np.diff(key) < 0).any()):
        raise InputError("follow", "unsorted", "follow-ups in the order follow_ups returns them")
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, int)
    return key, starts


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
    key, starts = runs(f)
    n = len(key)
    ends = np.r_[starts[1:], n] - 1 if n else np.zeros(0, dtype=int)
    last = f.iloc[ends]
    response = f["response"].to_numpy(dtype=bool)
    remission = f["remission"].to_numpy(dtype=bool)
    if definition.basis == "last":
        resp, remit = response[ends], remission[ends]
    elif n:
        resp = np.logical_or.reduceat(response, starts)
        remit = np.logical_or.reduceat(remission, starts)
    else:
        resp = remit = np.zeros(0, dtype=bool)
    out = pd.DataFrame(
        {
            "course_id": last["course_id"].to_numpy(dtype="int64"),
            "scale_id": np.asarray(
                _scale_names(last["sc"].to_numpy(), definition.scales), dtype=object
            ),
            "baseline": last["baseline"].to_numpy(),
            "baseline_si": last["baseline_si"].to_numpy(),
            "endpoint": last["total"].to_numpy(),
            "endpoint_si": last["si"].to_numpy(),
            "endpoint_t": last["t"].to_numpy(),
            "n_followups": (ends - starts + 1).astype("int64"),
            "response": resp.astype(bool),
            "remission": remit.astype(bool),
        }
    )
    out["worsened"] = out["endpoint"] > out["baseline"]
    return out
