"""De-identified clinic aggregates for researchers: counts only, no patient-level rows.

Counts come from the stored results of the core (each measure's ``response`` and ``remission``
columns), aggregated in the database. Cells below ``SMALL_CELL`` are shown as "<5" so a small
group cannot be recognised.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from ketacare.core import evidence as core_evidence
from ketacare.core import protocols as core_protocols
from ketacare.core.errors import KetaCareError
from ketacare.web.core_app.records import for_clinic
from ketacare.web.courses.models import Course

SMALL_CELL = 5


def suppress(n: int) -> str:
    return f"<{SMALL_CELL}" if 0 < n < SMALL_CELL else str(n)


def aggregates_context(user: Any) -> dict[str, Any]:
    courses = for_clinic(Course.objects.all(), user)
    rows = list(
        courses.values("protocol_id", "drug", "route")
        .annotate(
            n=Count("id", distinct=True),
            followed=Count("id", filter=Q(measures__outcome__isnull=False), distinct=True),
            responders=Count(
                "id", filter=Q(measures__response=True, measures__withdrawn=False), distinct=True
            ),
            remitters=Count(
                "id", filter=Q(measures__remission=True, measures__withdrawn=False), distinct=True
            ),
        )
        .order_by("drug", "route", "protocol_id")
    )
    by_status = list(courses.values("status").annotate(n=Count("id")).order_by("status"))
    table = [
        {
            "protocol_id": r["protocol_id"],
            "drug": r["drug"],
            "route": r["route"],
            "n": suppress(r["n"]),
            "followed": suppress(r["followed"]),
            "responders": suppress(r["responders"]),
            "remitters": suppress(r["remitters"]),
        }
        for r in rows
    ]
    return {
        "comparisons": _comparisons(rows),
        "by_protocol": table,
        "by_status": [{"status": r["status"], "n": suppress(r["n"])} for r in by_status],
        "n_courses": suppress(sum(r["n"] for r in rows)),
        "small_cell": SMALL_CELL,
    }


def _comparisons(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The clinic's response rate per drug, route and condition (the protocol's) beside the
    published pooled rate (``ketacare.core.evidence.clinic_vs_literature``); only groups of
    SMALL_CELL or more."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for r in rows:
        condition = core_protocols.get_protocol(r["protocol_id"]).condition
        counts = groups.setdefault((r["drug"], r["route"], condition), [0, 0])
        counts[0] += r["responders"]
        counts[1] += r["followed"]
    out = []
    for (drug, route, condition), (responders, followed) in sorted(groups.items()):
        if followed < SMALL_CELL:
            continue
        row: dict[str, Any] = {"drug": drug, "route": route, "condition": condition, "n": followed}
        try:
            row["result"] = core_evidence.clinic_vs_literature(
                responders, followed, route=route, condition=condition, drug=drug
            )
        except KetaCareError as exc:
            row["error"] = str(exc)
        out.append(row)
    return out
