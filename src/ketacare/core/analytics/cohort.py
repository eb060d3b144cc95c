"""The cohort report, in the shape of the published real-world analyses (ORKA-1/-2, section 5.2 of
clinical-protocols.md), computed over columns from three frames (see ``frames``).

- **Induction** (``InductionRule``, default 4-8 sessions over 7-28 days) and **maintenance**
  (sessions after the induction's last) are analysed separately.
- **Induction outcome** per scale (PHQ-9, MADRS): the definition's endpoint (default: the latest
  follow-up 14-31 days after the first induction session) against the baseline; responders,
  remitters and the share who worsened (endpoint total above baseline), by drug, route and
  protocol, with a total row.
- **Maintenance outcome**: the latest follow-up after the induction's last session, among courses
  with an induction and at least one maintenance session.
- **Suicidal ideation**: among induction-analysed courses whose baseline suicide item was positive
  (the scale's rule, e.g. PHQ-9 item 9 >= 1), the share whose item at the endpoint was lower.
- **Sessions to first response** (any follow-up of the course): the median, and the late
  responders (first response at session 10 or later, the ORKA press summary's "infusions 10-12").
- **Durability** (``durability``): Kaplan-Meier of time to loss of response among responders.

Every count goes through ``suppression`` (small cells and their complements hidden).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ketacare.core.analytics.definition import ORKA_DEFINITION, OutcomeDefinition
from ketacare.core.analytics.durability import kaplan_meier, response_spells
from ketacare.core.analytics.frames import endpoints, follow_ups
from ketacare.core.analytics.suppression import (
    DEFAULT_SMALL_CELL,
    SuppressedTable,
    suppress_count,
    suppress_table,
)
from ketacare.core.evidence import wilson_interval

GROUP_KEYS = ("drug", "route", "protocol_id")
OUTCOME_COLUMNS = ("responders", "remitters", "worsened")


def _rate(events: int | None, n: int | None) -> dict[str, float | None]:
    if events is None or n is None or n == 0:
        return {"rate": None, "ci_low": None, "ci_high": None}
    low, high = wilson_interval(events, n)
    return {"rate": events / n, "ci_low": low, "ci_high": high}


def _table(ends: pd.DataFrame, courses: pd.DataFrame, scale: str, threshold: int) -> dict[str, Any]:
    e = ends[ends["scale_id"] == scale].merge(courses, on="course_id", how="left")
    grouped = (
        e.groupby(list(GROUP_KEYS), sort=True)
        .agg(
            n=("course_id", "size"),
            responders=("response", "sum"),
            remitters=("remission", "sum"),
            worsened=("worsened", "sum"),
        )
        .reset_index()
    )
    raw = [{k: int(r[k]) for k in ("n", *OUTCOME_COLUMNS)} for r in grouped.to_dict("records")]
    table = suppress_table(raw, OUTCOME_COLUMNS, threshold=threshold)
    return _rows_with_rates(table, grouped.to_dict("records"))


def _rows_with_rates(table: SuppressedTable, labels: Sequence[dict[str, Any]]) -> dict[str, Any]:
    rows = []
    for label, cells in zip(labels, table.rows, strict=True):
        row: dict[str, Any] = {k: label[k] for k in GROUP_KEYS}
        row.update(cells)
        for c in OUTCOME_COLUMNS:
            row[f"{c}_rate"] = _rate(cells[c], cells["n"])
        rows.append(row)
    total: dict[str, Any] = dict(table.total)
    for c in OUTCOME_COLUMNS:
        total[f"{c}_rate"] = _rate(table.total[c], table.total["n"])
    return {"groups": rows, "total": total}


def _si(ends: pd.DataFrame, definition: OutcomeDefinition, scale: str, k: int) -> dict[str, Any]:
    rules = definition.rules_for(scale)
    if rules["suicide_item"] is None:
        return {"n": 0, "fell": 0, "rate": _rate(None, None), "item": None}
    e = ends[
        (ends["scale_id"] == scale)
        & (ends["baseline_si"] >= rules["suicide_positive_min"])
        & ends["endpoint_si"].notna()
    ]
    n, fell = len(e), int((e["endpoint_si"] < e["baseline_si"]).sum())
    table = suppress_table([{"n": n, "fell": fell}], ["fell"], threshold=k)
    shown = table.total
    return {
        "item": rules["suicide_item"],
        "positive_min": rules["suicide_positive_min"],
        "n": shown["n"],
        "fell": shown["fell"],
        "rate": _rate(shown["fell"], shown["n"]),
    }


def _first_response(
    spells: pd.DataFrame, definition: OutcomeDefinition, scale: str, k: int
) -> dict[str, Any]:
    s = spells[spells["scale_id"] == scale]
    n = len(s)
    late = int((s["k_first"] >= definition.late_response_session).sum())
    table = suppress_table([{"n": n, "late": late}], ["late"], threshold=k).total
    median = float(np.median(s["k_first"])) if n and table["n"] is not None else None
    counts = s["k_first"].value_counts().sort_index()
    dist = (
        [{"session": int(sess), "n": suppress_count(int(c), k)} for sess, c in counts.items()]
        if table["n"] is not None
        else []
    )
    return {
        "responders": table["n"],
        "median_sessions": median,
        "late_responders": table["late"],
        "late_rate": _rate(table["late"], table["n"]),
        "late_from_session": definition.late_response_session,
        "distribution": dist,
    }


def _durability(
    spells: pd.DataFrame, definition: OutcomeDefinition, scale: str, k: int
) -> dict[str, Any]:
    s = spells[spells["scale_id"] == scale]
    n = len(s)
    if n == 0 or suppress_count(n, k) is None:
        return {"n": suppress_count(n, k), "suppressed": n > 0, "km": None}
    km = kaplan_meier(
        s["duration"].to_numpy(),
        s["event"].to_numpy(),
        at_days=tuple(7.0 * w for w in definition.durability_weeks),
    )
    for p, w in zip(km["at"], definition.durability_weeks, strict=True):
        p["week"] = w
    km["events"] = suppress_count(km["events"], k)
    return {"n": n, "suppressed": False, "km": km}


def cohort_report(
    courses: pd.DataFrame,
    sessions: pd.DataFrame,
    measures: pd.DataFrame,
    *,
    definition: OutcomeDefinition = ORKA_DEFINITION,
    small_cell: int = DEFAULT_SMALL_CELL,
) -> dict[str, Any]:
    """The cohort report (JSON-able), every figure beside the definition it used."""
    _base, follow, ind = follow_ups(measures, sessions, definition)
    has_ind = ind.index[ind["has_induction"]]
    f_ind = follow[follow["course_id"].isin(has_ind)]
    ends = endpoints(f_ind, definition)
    maint_courses = ind.index[
        ind["has_induction"] & (ind["n_sessions"] > ind["induction_sessions"])
    ]
    ind_end = follow["course_id"].map(ind["induction_end"])
    f_maint = follow[follow["course_id"].isin(maint_courses) & (np.floor(follow["t"]) > ind_end)]
    maint = endpoints(f_maint, definition, window=False)
    spells = response_spells(follow)
    groups = courses[["course_id", *GROUP_KEYS]]
    k = small_cell
    per_scale: dict[str, Any] = {}
    for scale in definition.scales:
        per_scale[scale] = {
            "name": definition.rules_for(scale)["name"],
            "induction": _table(ends, groups, scale, k),
            "maintenance": _table(maint, groups, scale, k),
            "suicidal_ideation": _si(ends, definition, scale, k),
            "first_response": _first_response(spells, definition, scale, k),
            "durability": _durability(spells, definition, scale, k),
        }
    n_courses = len(courses)
    return {
        "definition": definition.to_dict(),
        "small_cell": k,
        "courses": suppress_count(n_courses, k),
        "with_induction": suppress_count(int(ind["has_induction"].sum()), k),
        "with_maintenance": suppress_count(len(maint_courses), k),
        "scales": per_scale,
        "notes": [
            f"Counts 0 < n < {k} are hidden, with the complementary cells that would give them "
            "back by subtraction.",
            "Descriptive only: a clinic's courses are not a trial population.",
        ],
    }


def clean(value: Any) -> Any:
    """NaN and numpy scalars to JSON (used before ``json.dumps``)."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def course_counts(
    courses: pd.DataFrame,
    sessions: pd.DataFrame,
    measures: pd.DataFrame,
    *,
    definition: OutcomeDefinition,
) -> pd.DataFrame:
    """Per course (whole-course definitions; used by /outcomes/ and the literature page): on its
    ``primary_scale`` (the course baseline's scale), whether it was followed up, responded and
    remitted by the definition's basis, and whether that scale has a remission rule."""
    _base, follow, _ = follow_ups(measures, sessions, definition)
    ends = endpoints(follow, definition, window=False)
    c = courses[["course_id", *GROUP_KEYS, "primary_scale"]].copy()
    c["primary_scale"] = c["primary_scale"].astype("object")
    c["course_id"] = c["course_id"].astype("int64")
    e = ends.rename(columns={"scale_id": "primary_scale"})
    e["primary_scale"] = e["primary_scale"].astype("object")
    e["course_id"] = e["course_id"].astype("int64")
    merged = c.merge(
        e,
        on=["course_id", "primary_scale"],
        how="left",
    )
    merged["followed"] = merged["n_followups"].fillna(0) > 0
    merged["response"] = (merged["response"] == True) & merged["followed"]  # noqa: E712
    merged["remission"] = (merged["remission"] == True) & merged["followed"]  # noqa: E712
    has_rem = {s: definition.rules_for(s)["remission_max"] is not None for s in definition.scales}
    judged = merged["primary_scale"].map(lambda s: bool(has_rem.get(s, False)))
    merged["remission_judged"] = merged["followed"] & judged.astype(bool)
    return merged[
        [
            "course_id",
            *GROUP_KEYS,
            "primary_scale",
            "followed",
            "response",
            "remission",
            "remission_judged",
        ]
    ]
