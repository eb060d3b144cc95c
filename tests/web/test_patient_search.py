"""Patient search as the front desk types it: "first last", "last, first", a record number, a
date of birth in ISO or the clinic's own format; only the searcher's clinic."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ketacare.web.patients.models import Patient


@pytest.fixture
def bianchi(clinic: Any) -> Patient:
    return Patient.objects.create(
        clinic=clinic,
        record_number="N-2041",
        given_name="Marco",
        family_name="Bianchi",
        date_of_birth=dt.date(1980, 3, 14),
    )


@pytest.fixture
def others(clinic: Any, other_clinic: Any) -> list[Patient]:
    return [
        Patient.objects.create(
            clinic=clinic,
            record_number="N-2042",
            given_name="Marco",
            family_name="Rossi",
            date_of_birth=dt.date(1980, 3, 15),
        ),
        Patient.objects.create(
            clinic=clinic,
            record_number="N-2043",
            given_name="Lucia",
            family_name="Bianchi",
            date_of_birth=dt.date(1979, 3, 14),
        ),
        # the same name and birthday in another clinic: never found from Northside
        Patient.objects.create(
            clinic=other_clinic,
            record_number="S-2041",
            given_name="Marco",
            family_name="Bianchi",
            date_of_birth=dt.date(1980, 3, 14),
        ),
    ]


def found(client: Any, query: str) -> set[str]:
    response = client.get("/patients/", {"q": query})
    assert response.status_code == 200
    return {p.record_number for p in response.context["patients"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "Bianchi",  # found before too, with Lucia
        "Marco Bianchi",
        "marco  bianchi",
        "Bianchi, Marco",
        "Bianchi Marco",
        "N-2041",
        "n-2041",
        "1980-03-14",
        "14/03/1980",
        "Bianchi 14/03/1980",
    ],
)
def test_the_front_desk_finds_marco_bianchi(
    query: str, front_desk: Any, bianchi: Patient, others: list[Patient], client_for: Any
) -> None:
    results = found(client_for(front_desk), query)
    assert "N-2041" in results
    assert "S-2041" not in results
    if query != "Bianchi":
        assert results == {"N-2041"}, (query, results)


@pytest.mark.django_db
def test_a_name_that_is_not_there_finds_no_one(
    front_desk: Any, bianchi: Patient, others: list[Patient], client_for: Any
) -> None:
    assert found(client_for(front_desk), "Marco Verdi") == set()
    assert found(client_for(front_desk), "31/02/1980") == set()  # not a date: no match, no 500


@pytest.mark.django_db
def test_the_api_searches_the_same_way(
    front_desk: Any, bianchi: Patient, others: list[Patient], client_for: Any
) -> None:
    body = client_for(front_desk).get("/api/v1/patients", {"q": "Bianchi, Marco"}).json()
    items = body["items"] if isinstance(body, dict) else body
    assert [p["record_number"] for p in items] == ["N-2041"]
