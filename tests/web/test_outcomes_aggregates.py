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
def test_the_clinic_rate_is_set_beside_the_cores_literature_pool(
    researcher: Any, prescriber: Any, clinic: Any, grow: Any, client_for: Any
) -> None:
    from ketacare.core import evidence
    from ketacare.core import protocols as core_protocols
    from ketacare.web.measures.models import Measure

    grow(clinic, prescriber, 6)
    # mark the outcome of two courses' follow-ups as responses (stored core results)
    Measure.objects.filter(is_baseline=False).update(outcome={"stored": True})
    from ketacare.web.courses.models import Course

    first_two = list(Course.objects.order_by("id").values_list("id", flat=True)[:2])
    Measure.objects.filter(course_id__in=first_two, is_baseline=False).update(response=True)
    (comparison,) = client_for(researcher).get("/outcomes/").context["comparisons"]
    condition = core_protocols.get_protocol("iv-racemic").condition
    expected = evidence.clinic_vs_literature(2, 6, route="iv", condition=condition, drug="racemic")
    assert comparison["result"] == expected
