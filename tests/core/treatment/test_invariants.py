"""Hypothesis drives random sequences of actions on a session through the core's rule and checks
the invariants: nothing reaches "signed" unless every signing rule holds, and nothing recorded
after signing is other than an amendment with a reason."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.core.errors import InputError
from ketacare.core.treatment import SessionFacts, VitalFact, refuse, session_state
from ketacare.core.treatment.session import (
    BEFORE_DISCHARGE_MIN,
    BP_40_WINDOW_MIN,
    ESKETAMINE_OBSERVATION_MIN,
)

T0 = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)

action = st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 90)),
    st.tuples(st.just("checklist"), st.sampled_from(["pass", "warn", "needs_prescriber", "block"])),
    st.tuples(st.just("gate_decision"), st.just(None)),
    st.tuples(st.just("dose"), st.sampled_from([56.0, 84.0])),
    st.tuples(st.just("administration"), st.integers(-30, 30)),
    st.tuples(st.just("end"), st.just(None)),
    st.tuples(st.just("vitals"), st.integers(-10, 200)),
    st.tuples(st.just("discharge"), st.booleans()),
    st.tuples(st.just("early_discharge"), st.just(None)),
    st.tuples(st.just("sign"), st.just(None)),
    st.tuples(st.just("amend"), st.sampled_from(["", "late entry"])),
)


@st.composite
def near_happy_paths(draw: st.DrawFn) -> list[tuple[str, object]]:
    """The session in its usual order, each step kept or dropped, waits of random length, and
    random actions in between: most runs reach signing, some with a rule broken."""
    happy: list[tuple[str, object]] = [
        ("checklist", draw(st.sampled_from(["pass", "warn", "needs_prescriber"]))),
        ("gate_decision", None),
        ("dose", 56.0),
        ("administration", 0),
        ("wait", draw(st.integers(20, 60))),
        ("vitals", 0),
        ("wait", draw(st.integers(20, 90))),
        ("vitals", draw(st.integers(0, 19))),
        ("discharge", draw(st.booleans())),
        ("end", None),
        ("wait", draw(st.integers(0, 40))),
        ("sign", None),
        ("amend", draw(st.sampled_from(["", "late entry"]))),
        ("vitals", 0),
    ]
    out: list[tuple[str, object]] = []
    for item in happy:
        if draw(st.integers(0, 9)) > 0:
            out.append(item)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(action))
    return out


def start_facts(eligibility: str, consent: bool) -> SessionFacts:
    return SessionFacts(
        drug="esketamine", route="in", now=T0, eligibility=eligibility, consent_on_file=consent
    )


def step(f: SessionFacts, name: str, arg: object) -> tuple[SessionFacts, bool]:
    """Apply one action if the core allows it; returns the facts and whether it was applied."""
    state = session_state(f)
    if name == "wait":
        return dataclasses.replace(f, now=f.now + dt.timedelta(minutes=int(arg))), True  # type: ignore[call-overload]
    if name == "amend":
        try:
            refuse(state, "vitals", reason=str(arg))
        except InputError:
            return f, False
        if f.signed:
            assert str(arg).strip(), "a change after signing went through without a reason"
        return f, True
    action = {"end": "administration"}.get(name, name)
    try:
        refuse(state, action, reason="because")
    except InputError:
        return f, False
    if name == "checklist":
        # as the service does: a dose recorded under an earlier checklist is no longer cleared
        # when the new one blocks or needs the prescriber
        cleared = f.dose_cleared and not (f.dosed and arg in ("block", "needs_prescriber"))
        return (
            dataclasses.replace(
                f,
                checklist_at=f.now,
                gates_overall=str(arg),
                gate_decided=False,
                dose_cleared=cleared,
            ),
            True,
        )
    if name == "gate_decision":
        return dataclasses.replace(f, gate_decided=True), True
    if name == "dose":
        return dataclasses.replace(f, dose_mg=float(arg), dose_cleared=True), True  # type: ignore[arg-type]
    if name == "administration":
        at = f.now + dt.timedelta(minutes=int(arg))  # type: ignore[call-overload]
        if at > f.now or (f.checklist_at and at < f.checklist_at) or f.first_device_at:
            return f, False
        return dataclasses.replace(f, started_at=at, first_device_at=at), True
    if name == "end":
        if f.dose_start is None:
            return f, False
        return dataclasses.replace(f, ended_at=f.now), True
    if name == "vitals":
        at = f.now - dt.timedelta(minutes=int(arg) % 20)  # type: ignore[call-overload]
        row = VitalFact(taken_at=at, systolic=130, diastolic=80)
        return dataclasses.replace(f, vitals=(*f.vitals, row)), True
    if name == "discharge":
        return dataclasses.replace(f, discharge_assessed_at=f.now, discharge_ready=bool(arg)), True
    if name == "early_discharge":
        return dataclasses.replace(f, early_discharge=True), True
    if name == "sign":
        return dataclasses.replace(f, signed=True), True
    raise AssertionError(name)


def holds_at_signing(f: SessionFacts) -> None:
    """Every signing rule, restated independently of the core's code."""
    if f.dose_mg is None:
        return
    assert f.eligibility == "eligible" and f.consent_on_file
    assert f.gates_overall in ("pass", "warn") or (
        f.gates_overall == "needs_prescriber" and f.gate_decided
    )
    assert f.dose_cleared
    assert f.ended_at is not None and f.first_device_at is not None
    assert f.now - f.first_device_at >= dt.timedelta(minutes=ESKETAMINE_OBSERVATION_MIN)
    assert f.early_discharge or f.discharge_ready
    minutes = [(v.taken_at - f.first_device_at).total_seconds() / 60 for v in f.vitals]
    low, high = BP_40_WINDOW_MIN
    assert any(low <= m <= high for m in minutes)
    assert any(m >= BEFORE_DISCHARGE_MIN for m in minutes)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["eligible", "eligible", "missing", "contraindicated"]),
    st.booleans(),
    st.one_of(st.lists(action, min_size=1, max_size=60), near_happy_paths()),
)
def test_nothing_is_signed_unless_every_rule_holds(
    eligibility: str, consent: bool, actions: list[tuple[str, object]]
) -> None:
    f = start_facts(eligibility, consent)
    for name, arg in actions:
        before = f
        f, applied = step(f, name, arg)
        if applied and name == "sign":
            holds_at_signing(before)
        if name == "dose" and applied:
            assert before.eligibility == "eligible" and before.consent_on_file
        if before.signed and applied and name not in ("wait", "amend"):
            # a change after signing is only ever an amendment (refuse required the reason)
            assert (
                session_state(before)
                .verdict({"end": "administration"}.get(name, name))
                .needs_reason
            )


@settings(max_examples=200, deadline=None)
@given(st.lists(action, min_size=1, max_size=80))
def test_a_session_that_follows_the_rules_can_always_reach_a_state(
    actions: list[tuple[str, object]],
) -> None:
    f = start_facts("eligible", True)
    for name, arg in actions:
        f, _ = step(f, name, arg)
        state = session_state(f)
        assert state.stage in {
            "open",
            "checked",
            "dose_recorded",
            "dosing",
            "recovery",
            "ready_to_sign",
            "signed",
        }
        assert set(state.next_actions) <= set(state.actions)
