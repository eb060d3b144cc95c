"""The evidence in the JSON API: records and pooled analyses for every role, the clinic report
for admins, prescribers and researchers of the caller's clinic only; errors in the one shape."""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.core.evidence import get_trial, list_trials, pool
from ketacare.web.evidence.services import clinic_report

BASE = "/api/v1/evidence"


@pytest.mark.django_db
def test_frank_at_the_front_desk_lists_and_reads_records(front_desk: Any, client_for: Any) -> None:
    client = client_for(front_desk)
    body = client.get(f"{BASE}/trials", {"route": "in"}).json()
    assert [t["id"] for t in body] == [t.id for t in list_trials(route="in")]
    body = client.get(f"{BASE}/trials/daly-2018").json()
    assert body == get_trial("daly-2018").to_dict()


@pytest.mark.django_db
def test_a_bad_filter_names_the_field(nurse: Any, client_for: Any, api_error: Any) -> None:
    response = client_for(nurse).get(f"{BASE}/trials", {"route": "rectal"})
    api_error(response, 400, "invalid", "route")
    api_error(client_for(nurse).get(f"{BASE}/trials/no-such-trial"), 404, "not_found")


@pytest.mark.django_db
def test_pool_returns_the_cores_analysis(researcher: Any, client_for: Any) -> None:
    query = {
        "condition": "trd",
        "method": "DL",
        "include_active": True,
        "subgroups": True,
        "include_reconstructed": True,
    }
    body = client_for(researcher).get(f"{BASE}/pool", query).json()
    expected = pool(
        condition="trd",
        method="DL",
        comparator_types=("placebo", "active-placebo", "active-treatment"),
        include_reconstructed=True,
        subgroup_by_drug_route=True,
    ).to_dict()
    assert body["pooled"]["estimate"] == pytest.approx(expected["pooled"]["estimate"])
    assert body["subgroups"]["test_for_subgroup_differences"] == pytest.approx(
        expected["subgroups"]["test_for_subgroup_differences"]
    )
    assert body["excluded"] == expected["excluded"]


@pytest.mark.django_db
def test_pool_with_no_countable_trial_is_a_field_error(
    prescriber: Any, client_for: Any, api_error: Any
) -> None:
    response = client_for(prescriber).get(f"{BASE}/pool", {"condition": "palliative"})
    api_error(response, 400, "invalid", "filters")


@pytest.mark.django_db
def test_the_clinic_report_is_the_callers_clinic_only(
    prescriber: Any,
    other_clinician: Any,
    clinic: Any,
    other_clinic: Any,
    evidence_cohort: dict[str, Any],
    client_for: Any,
) -> None:
    import json

    mine = client_for(prescriber).get(f"{BASE}/clinic-report").json()
    assert mine == json.loads(json.dumps(clinic_report(clinic)))
    theirs = client_for(other_clinician).get(f"{BASE}/clinic-report").json()
    assert theirs["clinic"] == "Southside Clinic"
    assert theirs == json.loads(json.dumps(clinic_report(other_clinic)))


@pytest.mark.django_db
def test_front_desk_and_nurses_may_not_read_the_clinic_report(
    front_desk: Any, nurse: Any, client_for: Any, api_error: Any
) -> None:
    api_error(client_for(front_desk).get(f"{BASE}/clinic-report"), 403, "forbidden")
    api_error(client_for(nurse).get(f"{BASE}/clinic-report"), 403, "forbidden")


@pytest.mark.django_db
def test_an_unknown_basis_names_the_field(researcher: Any, client_for: Any, api_error: Any) -> None:
    response = client_for(researcher).get(f"{BASE}/clinic-report", {"basis": "best"})
    api_error(response, 400, "invalid", "basis")


@pytest.mark.django_db
def test_anonymous_callers_are_refused(client_for: Any, api_error: Any) -> None:
    api_error(client_for(None).get(f"{BASE}/trials"), 401, "unauthenticated")
