"""The cohort report of Northside (Dr Priya Shah's clinic) on the page, the API and the CLI.

Cohort (stored directly: test data): 10 IV racemic courses, each with sessions on days
0, 2, 4, 7, 9, 11 (the induction: 6 over 12 days) and 30 (maintenance); PHQ-9 baseline 20 on
day 0. Day 16 (in the 14-31 day window): 5 courses score 8 (response: a fall of 12 >= 10; no
remission: 8 > 4), 5 score 14. Day 44: of the 5 responders, 3 still score 8 and 2 score 15
(loss of response at 28 days). Southside has 5 courses of its own that never count here.

By hand: induction n 10, responders 5 (50%), remitters 0, worsened 0. Maintenance (latest
follow-up after day 11): responders 3 of 10, a small cell, hidden with the column total.
Durability: 5 responders, 2 lose response at day 28 and 3 are censored there:
S(28) = 1 - 2/5 = 0.6 at 4 weeks.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

START = dt.date(2026, 1, 5)


def _course(clinic: Any, prescriber: Any, n: int, day16: int, day44: int | None) -> Any:
    from ketacare.web.courses.models import Course
    from ketacare.web.measures.models import Measure
    from ketacare.web.patients.models import Patient
    from ketacare.web.treatments.models import TreatmentSession

    p = Patient.objects.create(
        clinic=clinic,
        record_number=f"C-{clinic.pk}-{n:03d}",
        given_name=f"Cohortgiven{n}",
        family_name=f"Cohortfamily{n}",
        date_of_birth=dt.date(1970, 3, 1),
        sex="female",
    )
    c = Course.objects.create(
        clinic=clinic,
        patient=p,
        protocol_id="iv-racemic",
        drug="racemic",
        route="iv",
        start_date=START,
        weight_kg=70.0,
        prescriber=prescriber,
    )
    for d in (0, 2, 4, 7, 9, 11, 30):
        day = START + dt.timedelta(days=d)
        TreatmentSession.objects.create(
            clinic=clinic,
            patient=p,
            course=c,
            date=day,
            weight_kg=70.0,
            dose_mg=35.0,
            dose_mg_per_kg=0.5,
            started_at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
            created_by=prescriber,
        )

    def measure(d: int, total: int, baseline: bool = False) -> Any:
        items = [min(3, max(0, total - 3 * i)) for i in range(8)] + [1 if baseline else 0]
        return Measure.objects.create(
            clinic=clinic,
            patient=p,
            course=c,
            scale_id="phq9",
            taken_at=dt.datetime.combine(START + dt.timedelta(days=d), dt.time(8), tzinfo=dt.UTC),
            items=items,
            result={},
            total=total,
            is_baseline=baseline,
            entered_by=prescriber,
        )

    c.baseline_measure = measure(0, 20, baseline=True)
    c.save(update_fields=["baseline_measure"])
    measure(16, day16)
    if day44 is not None:
        measure(44, day44)
    return c


@pytest.fixture
def cohort(clinic: Any, other_clinic: Any, people: dict[str, Any]) -> list[Any]:
    made = []
    for i, (d16, d44) in enumerate(
        [
            (8, 8),
            (8, 8),
            (8, 8),
            (8, 15),
            (8, 15),
            (14, None),
            (14, None),
            (14, None),
            (14, None),
            (14, None),
        ]
    ):
        made.append(_course(clinic, people["prescriber"], i, d16, d44))
    for i in range(5):
        _course(other_clinic, people["other_clinician"], 100 + i, 2, 2)
    return made


@pytest.mark.django_db
def test_the_report_matches_the_cohort_worked_by_hand(clinic: Any, cohort: list[Any]) -> None:
    from ketacare.web.evidence.outcomes import clinic_cohort_report

    report = clinic_cohort_report(clinic)
    phq = report["scales"]["phq9"]
    ind = phq["induction"]["total"]
    assert (ind["n"], ind["responders"], ind["remitters"], ind["worsened"]) == (10, 5, 0, 0)
    assert ind["responders_rate"]["rate"] == pytest.approx(0.5)
    maint = phq["maintenance"]["total"]
    assert maint["n"] == 10 and maint["responders"] is None  # 3: a small cell
    km = phq["durability"]["km"]
    assert km["n"] == 5 and km["at"][0]["week"] == 4
    assert km["at"][0]["survival"] == pytest.approx(0.6)  # 1 - 2/5, worked by hand
    assert phq["first_response"]["median_sessions"] == 6
    assert report["courses"] == 10  # Southside's 5 never count


@pytest.mark.django_db
def test_rosa_the_researcher_sees_the_report_with_its_definitions_and_curve(
    researcher: Any, cohort: list[Any], client_for: Any
) -> None:
    response = client_for(researcher).get("/reports/cohort/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "4–8 sessions over 7–28 days" in text
    assert "days 14–31 after the start of induction" in text
    assert "50.0%" in text and "95% CI" in text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in text and "km-chart" in text
    assert "60.0%" in text  # still responding at 4 weeks
    for secret in ("Cohortgiven", "Cohortfamily", "C-"):
        assert secret not in text


@pytest.mark.django_db
def test_the_api_gives_the_same_figures(
    researcher: Any, cohort: list[Any], client_for: Any, clinic: Any
) -> None:
    from ketacare.web.evidence.outcomes import clinic_cohort_report

    response = client_for(researcher).get("/api/v1/reports/cohort")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(clinic_cohort_report(clinic)))


@pytest.mark.django_db
def test_front_desk_and_nurses_may_not_open_it(
    front_desk: Any, nurse: Any, client_for: Any, api_error: Any
) -> None:
    assert client_for(front_desk).get("/reports/cohort/").status_code == 403
    assert client_for(nurse).get("/reports/cohort/").status_code == 403
    api_error(client_for(nurse).get("/api/v1/reports/cohort"), 403, "forbidden")


@pytest.mark.django_db
def test_the_cli_prints_the_report_as_json(clinic: Any, cohort: list[Any], capsys: Any) -> None:
    from ketacare.cli import main

    assert main(["cohort-report", "--json", "--clinic", clinic.name]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scales"]["phq9"]["induction"]["total"]["responders"] == 5
    assert main(["cohort-report", "--clinic", clinic.name]) == 0
    assert "induction: n 10, responded 5 (50.0%)" in capsys.readouterr().out


@pytest.mark.django_db
def test_outcomes_page_counts_by_the_same_definition(
    researcher: Any, cohort: list[Any], client_for: Any
) -> None:
    (row,) = client_for(researcher).get("/outcomes/").context["by_protocol"]
    # any follow-up: the 5 who scored 8 responded; no one remitted
    assert (row["n"], row["followed"], row["responders"], row["remitters"]) == (
        "10",
        "10",
        "5",
        "0",
    )
