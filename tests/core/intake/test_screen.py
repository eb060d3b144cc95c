"""Contraindication and caution screen."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.intake import list_questions, questions, screen_contraindications


def _all_no(drug: str | None = None, route: str | None = None) -> dict[str, bool]:
    return {q.id: False for q in list_questions(drug, route)}


def test_every_question_has_a_source_and_a_reason() -> None:
    for q in questions():
        assert q.source.strip() and q.reason.strip(), q.id


def test_the_esketamine_label_contraindications_are_all_asked() -> None:
    # Spravato US label §4: "aneurysmal vascular disease ... or arteriovenous malformation;
    # history of intracerebral hemorrhage; hypersensitivity to esketamine, ketamine, or any of
    # the excipients"
    ids = {q.id for q in list_questions("esketamine", "in") if q.kind == "contraindication"}
    assert {
        "aneurysmal_vascular_disease",
        "arteriovenous_malformation",
        "intracerebral_hemorrhage_history",
        "ketamine_hypersensitivity",
    } <= ids


def test_the_racemic_label_contraindications_are_asked_on_every_racemic_route() -> None:
    # ketamine hydrochloride injection label §4: "In patients for whom a significant elevation of
    # blood pressure would be a serious hazard." "Known hypersensitivity to ketamine or to any
    # excipient."
    for route in ("iv", "im", "sc", "in", "po", "sl"):
        ids = {q.id for q in list_questions("racemic", route) if q.kind == "contraindication"}
        assert {"bp_rise_serious_hazard", "ketamine_hypersensitivity"} <= ids, route
    assert "KETALAR" in {q.id: q for q in questions()}["bp_rise_serious_hazard"].source


def test_consensus_items_apply_to_racemic_ketamine_and_say_they_are_secondary() -> None:
    # Sanacora 2017 patient-selection items, known only from KetaCare's reference summary
    ids = {q.id for q in list_questions("racemic", "iv")}
    consensus = {
        "uncontrolled_hypertension",
        "unstable_cardiovascular_disease",
        "pregnancy",
        "active_psychosis",
        "psychosis_history",
        "active_substance_use_disorder",
        "raised_intracranial_pressure",
        "raised_intraocular_pressure",
    }
    assert consensus <= ids
    by_id = {q.id: q for q in questions()}
    for qid in consensus:
        assert "Sanacora" in by_id[qid].source, qid
        assert "secondary source" in by_id[qid].source, qid


def test_an_iv_racemic_screen_reports_pregnancy_and_a_history_of_psychosis() -> None:
    answers = _all_no("racemic", "iv") | {"pregnancy": True, "psychosis_history": True}
    result = screen_contraindications(answers, drug="racemic", route="iv")
    assert not result.eligible
    assert [f.id for f in result.contraindications] == ["pregnancy"]
    assert [f.id for f in result.cautions] == ["psychosis_history"]
    assert "Pregnant" in result.reason and "History of psychosis" in result.reason
    assert "No contraindication" not in result.reason


def test_a_caution_is_named_in_the_reason_even_beside_a_contraindication() -> None:
    answers = _all_no("esketamine", "in") | {"arteriovenous_malformation": True, "maoi": True}
    result = screen_contraindications(answers, drug="esketamine", route="in")
    assert "Arteriovenous malformation" in result.reason
    assert "1 caution(s) to review: Takes a monoamine oxidase inhibitor (MAOI)." in result.reason


def test_no_question_cites_a_blog_except_as_a_marked_secondary_source() -> None:
    blogs = ("intake.icu", "osmind.org", "120ty.net", "usmedicine.com", "mdedge", "droracle")
    for q in questions():
        if any(b in q.source for b in blogs):
            assert "secondary source" in q.source, q.id
    assert not any(
        b in q.source for q in questions() for b in ("intake.icu", "120ty", "usmedicine", "mdedge")
    )


def test_esketamine_interaction_questions_keep_the_ids_the_rems_form_reads() -> None:
    ids = {q.id for q in list_questions("esketamine", "in")}
    assert {"cns_depressants", "psychostimulants", "maoi"} <= ids


def test_oktos_exclusions_apply_to_oral_racemic_only() -> None:
    # OKTOS: "Resting BP > 150/100; LFTs above set limits; psychosis; mania; acute SI; pregnancy"
    assert "resting_bp_above_150_100" in {q.id for q in list_questions("racemic", "po")}
    assert "resting_bp_above_150_100" not in {q.id for q in list_questions("racemic", "iv")}


def test_all_no_is_eligible() -> None:
    result = screen_contraindications(_all_no("esketamine", "in"), drug="esketamine", route="in")
    assert result.eligible
    assert result.contraindications == () and result.cautions == ()


def test_a_contraindication_makes_the_patient_not_eligible_with_its_source() -> None:
    answers = _all_no("esketamine", "in") | {"arteriovenous_malformation": True}
    result = screen_contraindications(answers, drug="esketamine", route="in")
    assert not result.eligible
    assert [f.id for f in result.contraindications] == ["arteriovenous_malformation"]
    assert "SPRAVATO" in result.contraindications[0].source


def test_a_caution_is_reported_without_changing_eligibility() -> None:
    # Spravato Medication Guide: "Especially tell your healthcare provider if you take ...
    # psychostimulants, or monoamine oxidase inhibitors (MAOIs)"
    answers = _all_no("esketamine", "in") | {"maoi": True}
    result = screen_contraindications(answers, drug="esketamine", route="in")
    assert result.eligible
    assert [f.id for f in result.cautions] == ["maoi"]


def test_unanswered_contraindication_questions_leave_the_screen_incomplete() -> None:
    result = screen_contraindications({}, drug="racemic", route="iv")
    assert not result.eligible
    assert "bp_rise_serious_hazard" in result.unanswered


def test_answers_to_questions_of_another_drug_are_listed_as_not_applicable() -> None:
    answers = _all_no("racemic", "iv") | {"aneurysmal_vascular_disease": True}
    result = screen_contraindications(answers, drug="racemic", route="iv")
    assert result.eligible
    assert result.not_applicable == ("aneurysmal_vascular_disease",)


def test_unknown_question_and_non_boolean_answer_are_refused() -> None:
    with pytest.raises(InputError) as exc:
        screen_contraindications({"flying": True})
    assert exc.value.field == "answers"
    with pytest.raises(InputError) as exc:
        screen_contraindications({"maoi": "yes"})  # type: ignore[dict-item]
    assert exc.value.field == "answers maoi"


def test_bad_drug_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        screen_contraindications({}, drug="ketamine")
    assert exc.value.field == "drug"


@given(yes=st.sets(st.sampled_from([q.id for q in questions()])))
def test_eligible_exactly_when_no_applicable_contraindication_is_yes(yes: set[str]) -> None:
    answers = _all_no() | {qid: True for qid in yes}
    result = screen_contraindications(answers)
    contraindicated = {q.id for q in questions() if q.kind == "contraindication"} & yes
    assert result.eligible == (not contraindicated)
