"""The researcher's page: counts only, small cells suppressed, no patient-level data."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.django_db
def test_the_researcher_sees_counts_but_no_names(
    researcher: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    patients = grow(clinic, prescriber, 6)
    response = client_for(researcher).get("/outcomes/")
    assert response.status_code == 200
    page = response.content.decode()
    for p in patients:
        assert p.family_name not in page and p.record_number not in page and str(p.uuid) not in page
    (row,) = response.context["by_protocol"]
    assert row["n"] == "6"


@pytest.mark.django_db
def test_small_groups_are_suppressed(
    researcher: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    grow(clinic, prescriber, 2)
    (row,) = client_for(researcher).get("/outcomes/").context["by_protocol"]
    assert row["n"] == "<5"


@pytest.mark.django_db
def test_the_researcher_cannot_open_patient_pages_or_the_api(
    researcher: Any, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(researcher)
    assert client.get(f"/patients/{world['patient'].uuid}/").status_code == 403
    assert client.get("/api/v1/measures").status_code == 403


@pytest.mark.django_db
def test_the_page_sends_the_literature_comparison_to_the_one_evidence_page(
    researcher: Any, client_for: Any
) -> None:
    # One definition of a clinic's rate (evidence.services.clinic_report), shown on one page.
    page = client_for(researcher).get("/outcomes/").content.decode()
    assert 'href="/evidence/clinic/"' in page
