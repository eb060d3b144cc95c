"""The clinic beside the literature: Dr Priya Shah's clinic (Northside) sees its own response and
remission rates, from the core's judgements stored with each measure, beside the pooled published
rates of the same condition, drug and route. Front desk (Frank Osei) and nurses do not see the
page; Dr Oscar Vance's Southside courses never count for Northside.

Cohort (conftest ``evidence_cohort``): Northside IV racemic ketamine, 6 of 8 courses followed up on
PHQ-9, 3 responding and 1 remitting at the last follow-up (4 responding at any follow-up);
esketamine nasal, 2 courses (a small cell, suppressed); Southside, 5 courses all remitting.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.evidence import clinic_vs_literature, wilson_interval
from ketacare.web.evidence.services import clinic_counts, clinic_report

URL = reverse("evidence:clinic")


def _group(report: dict[str, Any], drug: str, route: str) -> dict[str, Any]:
    return next(g for g in report["groups"] if g["drug"] == drug and g["route"] == route)


@pytest.mark.django_db
def test_counts_come_from_the_stored_judgements_of_the_last_follow_up(
    clinic: Any, evidence_cohort: dict[str, Any]
) -> None:
    counts = {(g["drug"], g["route"]): g for g in clinic_counts(clinic)}
    iv = counts[("racemic", "iv")]
    # 8 courses; the baseline-only course and the one whose follow-up was withdrawn do not count
    assert (iv["courses"], iv["followed"]) == (8, 6)
    # PHQ-9 24 -> 10, 8 and 4 respond (>= 50% fall); only 4 remits (PHQ-9 < 5: ORKA-1, SUSTAIN-3)
    assert (iv["responders"], iv["remission_judged"], iv["remitters"]) == (3, 6, 1)
    assert iv["condition"] == "trd" and iv["scales"] == ["phq9"]
    assert iv["protocols"] == ["iv-racemic"]
    esk = counts[("esketamine", "in")]
    assert (esk["courses"], esk["followed"], esk["responders"]) == (2, 2, 2)


@pytest.mark.django_db
def test_any_follow_up_counts_the_patient_who_responded_then_lost_it(
    clinic: Any, evidence_cohort: dict[str, Any]
) -> None:
    iv = next(g for g in clinic_counts(clinic, basis="any") if g["route"] == "iv")
    assert (iv["followed"], iv["responders"], iv["remitters"]) == (6, 4, 1)


@pytest.mark.django_db
def test_the_report_places_the_cores_wilson_interval_beside_the_pooled_published_rate(
    clinic: Any, evidence_cohort: dict[str, Any]
) -> None:
    report = clinic_report(clinic)
    iv = _group(report, "racemic", "iv")
    response = iv["response"]
    # Wilson (1927) for 3/6 at 95%: centre (p + z²/2n)/(1 + z²/n) = 0.5,
    # half-width z·sqrt(p(1-p)/n + z²/4n²)/(1 + z²/n) = 0.3124 -> 0.1876 to 0.8124 (tolerance 1e-4)
    assert response["clinic"]["rate"] == pytest.approx(0.5)
    assert response["clinic"]["ci_low"] == pytest.approx(0.1876, abs=1e-4)
    assert response["clinic"]["ci_high"] == pytest.approx(0.8124, abs=1e-4)
    assert (response["clinic"]["ci_low"], response["clinic"]["ci_high"]) == wilson_interval(3, 6)
    # the literature side is the core's, for the same condition, drug and route
    expected = clinic_vs_literature(3, 6, route="iv", condition="trd", drug="racemic")
    assert response["literature"] == expected["literature"]
    assert iv["remission"]["clinic"]["responders"] == 1
    assert iv["remission"]["clinic"]["n"] == 6


@pytest.mark.django_db
def test_a_group_under_five_followed_courses_shows_no_clinic_rate(
    clinic: Any, evidence_cohort: dict[str, Any]
) -> None:
    esk = _group(clinic_report(clinic), "esketamine", "in")
    assert esk["suppressed"] and esk["followed"] == "<5" and esk["courses"] == "<5"
    assert esk["response"]["clinic"] == {"suppressed": True, "n": "<5"}
    assert "literature" in esk["response"]


@pytest.mark.django_db
def test_dr_shah_sees_northside_rates_and_never_southsides(
    prescriber: Any, evidence_cohort: dict[str, Any], client_for: Any
) -> None:
    response = client_for(prescriber).get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Northside Ketamine Clinic" in text and "Southside" not in text
    assert "<strong>50.0%</strong>" in text and "(3 of 6)" in text  # IV racemic, last follow-up
    assert "18.8% to 81.2%" in text  # its Wilson interval (see above)
    assert '<div class="chart comparison"><svg xmlns="http://www.w3.org/2000/svg"' in text
    assert "(1 of 6)" in text  # remission
    assert "Not shown: &lt;5 courses" in text  # the esketamine small cell
    # no patient-level data on an aggregate page
    for secret in ("Cohort", "Member", "E-"):
        assert secret not in text


@pytest.mark.django_db
def test_dr_vance_sees_only_southside(
    other_clinician: Any, evidence_cohort: dict[str, Any], client_for: Any
) -> None:
    text = client_for(other_clinician).get(URL).content.decode()
    assert "Southside Clinic" in text and "Northside" not in text
    assert "(5 of 5)" in text  # his five remitting courses, none of Northside's


@pytest.mark.django_db
def test_the_endpoint_can_be_any_follow_up(
    researcher: Any, evidence_cohort: dict[str, Any], client_for: Any
) -> None:
    text = client_for(researcher).get(URL, {"basis": "any"}).content.decode()
    assert "(4 of 6)" in text


@pytest.mark.django_db
def test_an_unknown_endpoint_is_refused_with_what_is_allowed(
    admin_user: Any, client_for: Any
) -> None:
    response = client_for(admin_user).get(URL, {"basis": "best"})
    assert response.status_code == 400
    assert "basis: &#x27;best&#x27; is not allowed; allowed: one of last, any" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_front_desk_and_nurses_may_not_open_it(
    front_desk: Any, nurse: Any, client_for: Any
) -> None:
    assert client_for(front_desk).get(URL).status_code == 403
    assert client_for(nurse).get(URL).status_code == 403


@pytest.mark.django_db
def test_the_page_needs_a_constant_number_of_queries(
    prescriber: Any,
    evidence_cohort: dict[str, Any],
    client_for: Any,
    django_assert_max_num_queries: Any,
    grow: Any,
    clinic: Any,
) -> None:
    client = client_for(prescriber)
    with django_assert_max_num_queries(8) as small:
        client.get(URL)
    grow(clinic, prescriber, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(URL)


def test_the_chart_leaves_out_a_suppressed_clinic_and_draws_nothing_without_numbers() -> None:
    from ketacare.web.evidence.charts import comparison_svg

    both = clinic_vs_literature(3, 6, route="iv", condition="trd", drug="racemic")
    svg = comparison_svg(both, "response")
    k = both["literature"]["k"]
    assert svg.count("<circle") == 2 and "This clinic" in svg and f"Published (k={k})" in svg
    assert 'stroke-dasharray="4 3"' in svg  # the published prediction interval
    hidden = {**both, "clinic": {"suppressed": True, "n": "<5"}}
    assert comparison_svg(hidden, "response").count("<circle") == 1
    none = {"clinic": {"suppressed": True}, "literature": {"rate": None}}
    assert comparison_svg(none, "remission") == ""


def test_every_protocol_of_the_core_names_an_evidence_condition() -> None:
    from ketacare.core.evidence.trials import CONDITIONS
    from ketacare.core.protocols import list_protocols

    assert {p.condition for p in list_protocols()} <= set(CONDITIONS)


@pytest.mark.django_db
def test_a_protocol_without_a_condition_is_listed_not_compared(
    clinic: Any, prescriber: Any, monkeypatch: Any
) -> None:
    import datetime as dt

    from ketacare.web.courses.models import Course
    from ketacare.web.evidence import services
    from ketacare.web.patients.models import Patient

    patient = Patient.objects.create(
        clinic=clinic,
        record_number="U-1",
        given_name="U",
        family_name="V",
        date_of_birth=dt.date(1990, 1, 1),
    )
    Course.objects.create(
        clinic=clinic,
        patient=patient,
        protocol_id="iv-racemic",
        drug="racemic",
        route="iv",
        start_date=dt.date(2026, 1, 5),
        weight_kg=70.0,
        prescriber=prescriber,
    )
    monkeypatch.setattr(services, "_condition_of", lambda protocol_id: "unclassified")
    report = clinic_report(clinic)
    (group,) = report["groups"]
    assert group["condition"] == "unclassified" and group["response"] is None
    assert "Protocols with no evidence condition (not compared): iv-racemic" in report["notes"]
