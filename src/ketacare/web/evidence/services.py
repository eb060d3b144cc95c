"""The clinic beside the literature: the clinic's own response and remission counts, aggregated
over the database, placed beside the pooled published rates by ``core.evidence``.

Per course, the outcome is the one definition of ``core.analytics`` (whole course, on the
course baseline's scale, withdrawn measures left out), judged over columns by the core with the
rules of ``core.outcomes``: ``web.evidence.outcomes.clinic_course_outcomes``. A course
counts when it has a baseline and at least one follow-up on the baseline's scale (the course's
primary scale), neither withdrawn. Its endpoint is:

- ``basis="last"`` (default): the latest follow-up, as trials report the end of a phase;
- ``basis="any"``: responded (remitted) at any follow-up, as the de-identified outcomes page counts.

Counts are grouped by condition, drug and route; the core gives the Wilson interval of the clinic's
rate and the pooled published rate of the same condition, drug and route
(``core.evidence.clinic_vs_literature``). The page and ``ketacare clinic-report`` both call
:func:`clinic_report`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ketacare.core.errors import InputError, UnknownIdError
from ketacare.core.evidence import clinic_vs_literature
from ketacare.core.protocols import get_protocol
from ketacare.web.accounts.models import Clinic
from ketacare.web.evidence.outcomes import SMALL_CELL, clinic_course_outcomes

BASES = ("last", "any")


DEFINITION = {
    "last": (
        "A course counts when it has a baseline and a follow-up on the baseline's scale. "
        "Response and remission are the core's judgement (core.analytics, with the rules of "
        "core.outcomes) of the course's latest follow-up measure on that scale."
    ),
    "any": (
        "A course counts when it has a baseline and a follow-up on the baseline's scale. "
        "It responded (remitted) if the core's judgement (core.analytics) of any follow-up "
        "measure on that scale was a response (remission)."
    ),
}


def clinic_counts(clinic: Clinic, *, basis: str = "last") -> list[dict[str, Any]]:
    """Per condition, drug and route: courses, courses followed up, responders, and remitters
    among the courses whose scale has a remission definition (stored results only)."""
    if basis not in BASES:
        raise InputError("basis", basis, "one of " + ", ".join(BASES))
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    scales: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in clinic_course_outcomes(clinic, basis=basis):
        condition = _condition_of(row["protocol_id"])
        key = (condition, row["drug"], row["route"])
        g = groups.setdefault(
            key,
            {
                "condition": condition,
                "drug": row["drug"],
                "route": row["route"],
                "protocols": set(),
                "courses": 0,
                "followed": 0,
                "responders": 0,
                "remission_judged": 0,
                "remitters": 0,
            },
        )
        g["protocols"].add(row["protocol_id"])
        g["courses"] += 1
        if not row["followed"]:
            continue
        g["followed"] += 1
        scales[key].add(row["primary_scale"])
        g["responders"] += bool(row["response"])
        if row["remission_judged"]:
            g["remission_judged"] += 1
            g["remitters"] += bool(row["remission"])
    out = []
    for key in sorted(groups):
        g = groups[key]
        g["protocols"] = sorted(g["protocols"])
        g["scales"] = sorted(scales[key])
        out.append(g)
    return out


def _suppressed(count: int, small_cell: int) -> bool:
    return 0 < count < small_cell


def _comparison(
    events: int, n: int, group: dict[str, Any], outcome: str, small_cell: int
) -> dict[str, Any] | None:
    """The core's comparison; the clinic's side hidden when ``n`` is a small cell."""
    if n == 0:
        return None
    result = clinic_vs_literature(
        events,
        n,
        route=group["route"],
        condition=group["condition"],
        outcome=outcome,
        drug=group["drug"],
    )
    if _suppressed(n, small_cell):
        result["clinic"] = {"suppressed": True, "n": f"<{small_cell}"}
    else:
        result["clinic"]["suppressed"] = False
    return result


def clinic_report(
    clinic: Clinic, *, basis: str = "last", small_cell: int = SMALL_CELL
) -> dict[str, Any]:
    """The clinic's response and remission rates (Wilson CIs) beside the pooled published rates
    of the same condition, drug and route; JSON-able. Groups with fewer than ``small_cell``
    followed courses show no clinic rate (a small group could be recognised)."""
    groups = []
    unclassified: list[str] = []
    for g in clinic_counts(clinic, basis=basis):
        entry: dict[str, Any] = {
            "condition": g["condition"],
            "drug": g["drug"],
            "route": g["route"],
            "protocols": g["protocols"],
            "scales": g["scales"],
            "courses": g["courses"],
            "followed": g["followed"],
            "suppressed": _suppressed(g["followed"], small_cell),
        }
        if g["condition"] == "unclassified":
            unclassified.extend(g["protocols"])
            entry.update(response=None, remission=None)
        else:
            entry["response"] = _comparison(
                g["responders"], g["followed"], g, "response", small_cell
            )
            entry["remission"] = _comparison(
                g["remitters"], g["remission_judged"], g, "remission", small_cell
            )
        if entry["suppressed"]:
            entry["followed"] = f"<{small_cell}"
        if _suppressed(g["courses"], small_cell):
            entry["courses"] = f"<{small_cell}"
        groups.append(entry)
    notes = [
        "Descriptive only: trial populations, outcome definitions and timepoints differ from a "
        "clinic's; the comparison is not a test of the clinic.",
        f"Groups with fewer than {small_cell} followed courses show no clinic rate.",
    ]
    if unclassified:
        notes.append(
            "Protocols with no evidence condition (not compared): " + ", ".join(unclassified)
        )
    return {
        "clinic": clinic.name,
        "basis": basis,
        "definition": DEFINITION[basis],
        "small_cell": small_cell,
        "groups": groups,
        "notes": notes,
    }


def _condition_of(protocol_id: str) -> str:
    """The condition a protocol treats, from its data file; "unclassified" for a protocol the
    core's library no longer has."""
    try:
        return get_protocol(protocol_id).condition
    except UnknownIdError:
        return "unclassified"
