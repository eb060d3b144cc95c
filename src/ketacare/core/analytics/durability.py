"""Durability of response: Kaplan-Meier time to loss of response among responders (lifelines).

For each responder (a course with a follow-up meeting the response rule on a scale), time zero is
the first response; the event is the first later follow-up that no longer meets the rule (loss of
response, as ``core.outcomes.assess_series`` defines it); a responder without one is censored at
the last follow-up. Times in days.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter

from ketacare.core.analytics.frames import runs

LIFELINES_CI = (
    "lifelines KaplanMeierFitter: Greenwood variance, exponential (log(-log)) 95% confidence "
    "interval"
)


def response_spells(follow: pd.DataFrame) -> pd.DataFrame:
    """Per (course_id, scale_id) with a response: first_t, k_first (sessions given by then),
    duration (days) and event (1 = lost response, 0 = censored at the last follow-up).

    ``follow`` is a follow-ups frame as ``frames.follow_ups`` returns it (sorted by its numeric
    (course, scale) ``key``, then time): each group is one run of rows, reduced with numpy."""
    columns = ["course_id", "scale_id", "first_t", "loss_t", "last_t", "k_first", "event"]
    if len(follow) == 0:
        return pd.DataFrame({c: [] for c in [*columns, "duration"]})
    _key, starts = runs(follow)
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(follow)]))
    t = follow["t"].to_numpy(dtype="float64")
    response = follow["response"].to_numpy(dtype=bool)
    k = follow["k"].to_numpy(dtype="float64")
    inf = np.inf
    first_t = np.minimum.reduceat(np.where(response, t, inf), starts)
    responded = np.isfinite(first_t)
    first_row = first_t[group]
    lost = (t > first_row) & ~response
    loss_t = np.minimum.reduceat(np.where(lost, t, inf), starts)
    last_t = np.maximum.reduceat(t, starts)
    k_first = np.minimum.reduceat(np.where(t == first_row, k, inf), starts)
    firsts = follow.iloc[starts[responded]]
    event = np.isfinite(loss_t[responded]).astype("int64")
    loss = np.where(event == 1, loss_t[responded], np.nan)
    out = pd.DataFrame(
        {
            "course_id": firsts["course_id"].to_numpy(),
            "scale_id": np.asarray(firsts["scale_id"], dtype=object),
            "first_t": first_t[responded],
            "loss_t": loss,
            "last_t": last_t[responded],
            "k_first": k_first[responded].astype("int64"),
            "event": event,
        }
    )
    out["duration"] = np.where(event == 1, out["loss_t"], out["last_t"]) - out["first_t"]
    return out.sort_values(["course_id", "scale_id"], kind="stable").reset_index(drop=True)


def _step(frame: pd.DataFrame, t: float) -> pd.Series:
    """The row of a step function (lifelines' frames, indexed by time) in force at ``t``."""
    rows = frame[frame.index <= t]
    return rows.iloc[-1] if len(rows) else frame.iloc[0]


def kaplan_meier(
    durations: Any, events: Any, *, at_days: tuple[float, ...] = (28.0, 56.0, 84.0)
) -> dict[str, Any]:
    """The survival curve, its median with CI, and the survival at ``at_days`` with CIs."""
    kmf = KaplanMeierFitter()
    kmf.fit(np.asarray(durations, dtype=float), np.asarray(events, dtype=int))
    sf = kmf.survival_function_
    ci = kmf.confidence_interval_survival_function_
    median = float(kmf.median_survival_time_)
    from lifelines.utils import median_survival_times

    mci = median_survival_times(ci)
    med_low, med_high = (float(v) for v in np.asarray(mci).ravel()[:2])
    points = []
    for t in at_days:
        row = _step(ci, t)
        points.append(
            {
                "day": t,
                "survival": float(_step(sf, t).iloc[0]),
                "ci_low": float(row.iloc[0]),
                "ci_high": float(row.iloc[1]),
            }
        )
    curve = [
        {
            "day": float(t),
            "survival": float(sf.iloc[i, 0]),
            "ci_low": float(ci.iloc[i, 0]),
            "ci_high": float(ci.iloc[i, 1]),
        }
        for i, t in enumerate(sf.index)
    ]

    def finite(x: float) -> float | None:
        return x if np.isfinite(x) else None

    return {
        "n": len(np.asarray(durations)),
        "events": int(np.asarray(events).sum()),
        "median_days": finite(median),
        "median_ci": [finite(med_low), finite(med_high)],
        "at": points,
        "curve": curve,
        "method": LIFELINES_CI,
    }
