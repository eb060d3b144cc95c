"""The cohort report against a cohort of five courses worked by hand (conftest ``frames``).

Day 0 is each course's first session. PHQ-9 unless said; response = fall >= 50%, remission <= 4.

- C1 racemic IV: sessions 0,2,4,7,9,11 (induction: 6 over 12 days, ends day 11) and 35
  (maintenance). PHQ-9 20 (item 9: 2) -> 12 @7 -> 8 @16 (item 9: 0) -> 14 @40. Endpoint (latest
  in days 14-31) 8: response (12 >= 10), no remission. Maintenance endpoint 14: neither.
  First response @16 after 6 sessions; lost @40: 24 days, event. MADRS 30 -> 14 @16: response.
- C2 racemic IV: 5 sessions over 15 days. 24 -> 4 @20 -> 3 @30: endpoint 3, response and
  remission; first response @20 after 5 sessions, kept to @30: 10 days, censored. No maintenance.
- C3 esketamine: 3 sessions, no induction (fewer than 4): in no induction table. 18 -> 9 @20:
  a response exactly at 50%, after 3 sessions; 0 days, censored.
- C4 racemic IV: 12 sessions every 2 days: induction = the first 8 (days 0-14). No flagged
  baseline: the latest measure on or before day 0 is 16 @-1 (not 17 @-3). 15 @18, 6 @23:
  endpoint 6, response, no remission. Maintenance endpoint 6: response. First response @23
  after 12 sessions: a late responder; 0 days, censored.
- C5 racemic IV: 4 sessions over 8 days. 10 (item 9: 1) -> [2 @15 withdrawn] -> 12 @20 (item 9: 1):
  worsened; no response (the withdrawn 2 would have been a remission).
"""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.core.analytics import ORKA_DEFINITION, cohort_report


def _report(cohort: Any) -> dict[str, Any]:
    return cohort_report(*cohort, small_cell=1)


def test_induction_outcomes_by_drug_route_and_protocol(cohort: Any) -> None:
    phq = _report(cohort)["scales"]["phq9"]["induction"]
    (iv,) = phq["groups"]
    assert (iv["drug"], iv["route"], iv["protocol_id"]) == ("racemic", "iv", "iv-racemic")
    assert (iv["n"], iv["responders"], iv["remitters"], iv["worsened"]) == (4, 3, 1, 1)
    assert iv["responders_rate"]["rate"] == pytest.approx(0.75)
    assert phq["total"]["n"] == 4


def test_maintenance_is_analysed_apart(cohort: Any) -> None:
    m = _report(cohort)["scales"]["phq9"]["maintenance"]["total"]
    assert (m["n"], m["responders"], m["remitters"], m["worsened"]) == (2, 1, 0, 0)


def test_madrs_uses_its_own_rules(cohort: Any) -> None:
    madrs = _report(cohort)["scales"]["madrs"]["induction"]["total"]
    # 30 -> 14: a fall of 16 >= 15 is a response; 14 > 12 (MADRS remission <= 12) is not remission
    assert (madrs["n"], madrs["responders"], madrs["remitters"]) == (1, 1, 0)


def test_suicidal_ideation_fell_in_one_of_two(cohort: Any) -> None:
    si = _report(cohort)["scales"]["phq9"]["suicidal_ideation"]
    assert (si["item"], si["n"], si["fell"]) == (9, 2, 1)  # C1 2 -> 0 fell; C5 1 -> 1 did not


def test_sessions_to_first_response_and_late_responders(cohort: Any) -> None:
    fr = _report(cohort)["scales"]["phq9"]["first_response"]
    assert fr["responders"] == 4
    assert fr["median_sessions"] == 5.5  # sessions 3, 5, 6, 12
    assert fr["late_responders"] == 1 and fr["late_from_session"] == 10  # C4


def test_durability_by_hand(cohort: Any) -> None:
    d = _report(cohort)["scales"]["phq9"]["durability"]
    km = d["km"]
    # durations 24 (event), 10, 0, 0 (censored): S = 1 until day 24, where the one at risk is lost
    assert (km["n"], km["events"]) == (4, 1)
    assert km["median_days"] == 24
    assert [p["survival"] for p in km["at"]] == [0.0, 0.0, 0.0]  # at 4, 8, 12 weeks


def test_figures_carry_their_definition(cohort: Any) -> None:
    report = _report(cohort)
    d = report["definition"]
    assert d["window_days"] == [14, 31] and d["basis"] == "last"
    assert d["induction"]["min_sessions"] == 4 and d["induction"]["max_days"] == 28
    assert d["scales"]["phq9"]["remission_max"] == 4
    assert "ORKA-1" in d["induction"]["source"]
    assert ORKA_DEFINITION.to_dict() == d


def test_small_cells_hide_the_small_counts(cohort: Any) -> None:
    report = cohort_report(*cohort)  # default threshold 5
    iv = report["scales"]["phq9"]["induction"]["groups"][0]
    assert iv["n"] is None and iv["responders"] is None
    assert iv["responders_rate"]["rate"] is None
    assert report["scales"]["phq9"]["durability"]["km"] is None
