"""Every id the core can emit on the session page has words in ``core.vocabulary``: gates and
their decisions, discharge criteria and their statuses, follow-up decisions, the session's stages
and actions. The ids are collected by running the core over a grid of inputs, so a new gate or
criterion that is not labelled fails here."""

from __future__ import annotations

import datetime as dt
import itertools

from ketacare.core import safety, treatment, vocabulary
from ketacare.core.errors import InputError


def _gate_reports() -> list[safety.GateReport]:
    out = []
    for drug, route in (("esketamine", "in"), ("racemic", "iv"), ("racemic", "im")):
        for (sbp, dbp), food, liquids, nasal, ride, rems in itertools.product(
            ((120, 80), (150, 95), (200, 120)),
            (None, 0, 3, 12),
            (None, 0, 60),
            (None, 10, 120),
            (None, True, False),
            (None, True, False),
        ):
            try:
                out.append(
                    safety.evaluate_gates(
                        drug,
                        route,
                        systolic=sbp,
                        diastolic=dbp,
                        fasting_hours=food,
                        liquids_minutes=liquids,
                        nasal_medicine_minutes=nasal,
                        ride_home=ride,
                        rems_enrolled=rems,
                    )
                )
            except InputError:
                continue
    return out


def test_every_gate_and_decision_the_core_emits_has_a_label() -> None:
    reports = _gate_reports()
    gates = {d.gate for r in reports for d in r.decisions}
    decisions = {d.decision for r in reports for d in r.decisions} | {r.overall for r in reports}
    assert gates and gates <= set(vocabulary.GATE_LABELS), gates - set(vocabulary.GATE_LABELS)
    assert set(safety.DECISIONS) <= set(vocabulary.DECISION_LABELS)
    assert decisions <= set(vocabulary.DECISION_LABELS)


def test_every_discharge_criterion_and_status_has_a_label() -> None:
    names, statuses = set(), set()
    for drug, route in (("esketamine", "in"), ("racemic", "iv")):
        for minutes, moaas, cadss, bp, ride, total in itertools.product(
            (30, 150), (None, 3, 5), (None, 0, 10), (None, True, False), (None, True), (6, 10)
        ):
            decision = safety.discharge_readiness(
                aldrete_total=total,
                drug=drug,
                route=route,
                minutes_since_dose=minutes,
                moaas=moaas,
                cadss_total=cadss,
                baseline_moaas=5,
                baseline_cadss=0,
                bp_stable=bp,
                ride_home=ride,
            )
            names |= {c.name for c in decision.criteria}
            statuses |= {c.status for c in decision.criteria}
    assert names <= set(vocabulary.DISCHARGE_CRITERION_LABELS), names - set(
        vocabulary.DISCHARGE_CRITERION_LABELS
    )
    assert statuses <= set(vocabulary.CRITERION_STATUS_LABELS)


def test_every_followup_decision_has_a_label() -> None:
    decisions = {safety.sedation_followup(m, baseline=5).decision for m in range(6)}
    decisions |= {safety.dissociation_followup(c, baseline=0).decision for c in range(0, 93, 4)}
    assert decisions <= set(vocabulary.FOLLOWUP_LABELS)


def test_every_session_stage_and_action_has_a_label() -> None:
    now = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
    t = now - dt.timedelta(hours=3)
    steps = [
        {},
        {"checklist_at": t, "gates_overall": "pass"},
        {"dose_mg": 56.0},
        {"started_at": t + dt.timedelta(minutes=5)},
        {"ended_at": t + dt.timedelta(minutes=50)},
        {"discharge_ready": True, "discharge_assessed_at": t + dt.timedelta(minutes=130)},
        {"signed": True},
    ]
    values: dict[str, object] = {}
    stages = set()
    for step in steps:
        values.update(step)
        state = treatment.session_state(
            treatment.SessionFacts(drug="racemic", route="iv", now=now, **values)  # type: ignore[arg-type]
        )
        stages.add(state.stage)
    assert len(stages) == len(steps)
    assert stages <= set(vocabulary.SESSION_STAGE_LABELS)
    assert set(treatment.SESSION_ACTIONS) == set(vocabulary.SESSION_ACTION_LABELS)


def test_an_unlabelled_id_reads_as_words() -> None:
    assert vocabulary.label({}, "not_recorded") == "not recorded"
    assert vocabulary.label(vocabulary.DECISION_LABELS, "block") == "Do not dose"


def test_every_eligibility_status_has_a_label() -> None:
    from ketacare.core.intake.eligibility import STATUSES

    assert set(STATUSES) <= set(vocabulary.ELIGIBILITY_LABELS)


def test_every_escalation_action_the_core_emits_has_a_label() -> None:
    from ketacare.core import protocols

    actions = set()
    for p in protocols.list_protocols():
        doses = [p.steps[0]] * 6 if p.steps else None
        for scores, tolerated, given in itertools.product(
            ([10], [20, 18], [30, 29, 29]), (True, False), (doses, [p.max_dose * 1.5] * 6, None)
        ):
            try:
                advice = protocols.advise_escalation(
                    p.id, baseline=30, scores=scores, doses_given=given, tolerated=tolerated
                )
            except InputError:
                continue
            actions.add(advice.action)
    assert {"continue", "escalate"} <= actions
    missing = actions - set(vocabulary.ESCALATION_ACTION_LABELS)
    assert not missing, missing


def test_every_condition_has_a_name() -> None:
    assert set(vocabulary.CONDITIONS) == set(vocabulary.CONDITION_NAMES)
