"""The evidence in the JSON API: trial records, pooled analyses and the clinic report.

Every number is the core's (``core.evidence``); bad filter values are the core's InputError,
answered 400 with the field named (the API's one error shape).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from ketacare.core import evidence as core_evidence
from ketacare.core.errors import UnknownIdError
from ketacare.web.accounts.api import api_user
from ketacare.web.evidence.permissions import VIEW_CLINIC_VS_LITERATURE, VIEW_EVIDENCE
from ketacare.web.evidence.services import clinic_report

router = Router(tags=["evidence"])


@router.get("/trials", summary="Trial records matching every filter given")
def trials(
    request: HttpRequest,
    condition: str | None = None,
    drug: str | None = None,
    route: str | None = None,
    outcome: str | None = None,
    design: str | None = None,
) -> list[dict[str, Any]]:
    api_user(request, VIEW_EVIDENCE)
    found = core_evidence.list_trials(
        condition=condition, drug=drug, route=route, outcome=outcome, design=design
    )
    return [t.summary() for t in found]


@router.get("/trials/{trial_id}", summary="One trial record: every number with its source")
def trial(request: HttpRequest, trial_id: str) -> dict[str, Any]:
    api_user(request, VIEW_EVIDENCE)
    try:
        return core_evidence.get_trial(trial_id).to_dict()
    except UnknownIdError:
        raise Http404("No such trial record.") from None


@router.get("/pool", summary="A pooled analysis over the trial records")
def pool(
    request: HttpRequest,
    condition: str,
    outcome: str = "response",
    measure: str = "RR",
    method: str = "REML",
    hksj: bool = False,
    drug: str | None = None,
    route: str | None = None,
    design: str | None = None,
    include_active: bool = False,
    include_reconstructed: bool = False,
    subgroups: bool = False,
) -> dict[str, Any]:
    api_user(request, VIEW_EVIDENCE)
    comparators = ("placebo", "active-placebo") + (("active-treatment",) if include_active else ())
    result = core_evidence.pool(
        outcome=outcome,
        measure=measure,
        method=method,
        hksj=hksj,
        condition=condition,
        drug=drug,
        route=route,
        design=design,
        comparator_types=comparators,
        include_reconstructed=include_reconstructed,
        subgroup_by_drug_route=subgroups,
    )
    return result.to_dict()


@router.get(
    "/clinic-report",
    summary="The clinic's response and remission rates beside the pooled published rates",
)
def clinic(request: HttpRequest, basis: str = "last") -> dict[str, Any]:
    user = api_user(request, VIEW_CLINIC_VS_LITERATURE)
    return clinic_report(user.clinic, basis=basis)  # type: ignore[arg-type]  # view_clinic_report is given to clinic members only
