"""De-identified clinic aggregates for researchers: counts only, no patient-level rows.

A course's outcome is the one definition of ``core.analytics`` (whole course, any follow-up on
the course baseline's scale, withdrawn measures left out), judged over columns by the core.
Counts go through the core's small-cell suppression: counts 0 < n < ``SMALL_CELL`` are shown as
"<5", and so are the complementary cells that would give them back by subtraction from the total.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ketacare.core.analytics import suppress_table
from ketacare.web.evidence.outcomes import SMALL_CELL, clinic_course_outcomes


def suppress(n: int) -> str:
    return f"<{SMALL_CELL}" if 0 < n < SMALL_CELL else str(n)


def _shown(value: int | None) -> str:
    return f"<{SMALL_CELL}" if value is None else str(value)


def aggregates_context(user: Any) -> dict[str, Any]:
    from ketacare.web.courses.models import Course, CourseStatus

    clinic = user.clinic
    rows = clinic_course_outcomes(clinic, basis="any") if clinic is not None else []
    groups: dict[tuple[str, str, str], Counter[str]] = {}
    for r in rows:
        g = groups.setdefault((r["drug"], r["route"], r["protocol_id"]), Counter())
        g["n"] += 1
        g["followed"] += bool(r["followed"])
        g["responders"] += bool(r["response"])
        g["remitters"] += bool(r["remission"])
    keys = sorted(groups)
    table = suppress_table(
        [{c: groups[k][c] for c in ("n", "followed", "responders", "remitters")} for k in keys],
        ("followed", "responders", "remitters"),
        threshold=SMALL_CELL,
    )
    by_protocol = [
        {
            "drug": drug,
            "route": route,
            "protocol_id": protocol_id,
            **{c: _shown(v) for c, v in cells.items()},
        }
        for (drug, route, protocol_id), cells in zip(keys, table.rows, strict=True)
    ]
    labels = dict(CourseStatus.choices)  # the statuses in words ("Review at end of induction")
    status_counts = Counter(Course.objects.filter(clinic=clinic).values_list("status", flat=True))
    status_table = suppress_table(
        [{"n": status_counts[s]} for s in sorted(status_counts)], (), threshold=SMALL_CELL
    )
    return {
        "by_protocol": by_protocol,
        "by_status": [
            {"status": s, "label": labels.get(s, s), "n": _shown(cells["n"])}
            for s, cells in zip(sorted(status_counts), status_table.rows, strict=True)
        ],
        "n_courses": _shown(table.total["n"]),
        "small_cell": SMALL_CELL,
    }
