"""``ketacare demo``: a demo clinic with staff of every role and at least 40 synthetic patients on
several routes, about half responding, some relapsing, some alerts; fast and deterministic."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ketacare.web import demo


def _signature() -> list[tuple[Any, ...]]:
    from ketacare.web.measures.models import Measure

    return list(
        Measure.objects.order_by("patient__record_number", "taken_at", "scale_id").values_list(
            "patient__record_number", "scale_id", "total"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_the_demo_is_complete_fast_and_deterministic() -> None:
    from ketacare.web.accounts.models import User
    from ketacare.web.courses.models import Course
    from ketacare.web.measures.models import Alert
    from ketacare.web.patients.models import Patient

    started = time.process_time()  # CPU time: the brief's 30 s, not the machine's load
    lines = list(demo.seed())
    elapsed = time.process_time() - started
    assert elapsed < 30, elapsed
    assert any("password" in line for line in lines)
    assert set(User.objects.values_list("role", flat=True)) == {
        "clinic_admin",
        "prescriber",
        "nurse",
        "front_desk",
        "researcher",
    }
    assert Patient.objects.count() >= 40
    routes = set(Course.objects.values_list("route", flat=True))
    assert {"iv", "in"} <= routes and len(routes) >= 3
    assert Alert.objects.exists() and Alert.objects.filter(acknowledged_at__isnull=True).exists()
    assert set(Course.objects.values_list("status", flat=True)) >= {"maintenance", "ended"}
    first = _signature()
    again = list(demo.seed())  # without --reset the data is kept
    assert "already present" in again[0] and _signature() == first
    list(demo.seed(reset=True))
    assert _signature() == first


def test_the_cli_prepares_a_fresh_database_without_serving(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("ketacare")
    result = subprocess.run(
        [str(exe), "demo", "--no-serve", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "Demo clinic ready" in result.stdout
    assert "prescriber" in result.stdout
    assert "A due check-in for" in result.stdout and "/c/" in result.stdout
    assert (tmp_path / "ketacare.sqlite3").exists()


@pytest.mark.django_db
def test_the_demo_is_realistic_covers_the_core_and_carries_the_events_own_times() -> None:
    from django.db.models import F
    from django.utils import timezone

    from ketacare.core import protocols, scales
    from ketacare.core import treatment as core_treatment
    from ketacare.web.courses.models import Course, CourseEvent, PlannedSession
    from ketacare.web.measures.models import Alert, Measure
    from ketacare.web.treatments.models import TreatmentSession, VitalSign
    from ketacare.web.treatments.workflow import facts_for, state_for

    seeded_at = timezone.now()
    list(demo.seed())
    # every scale and every protocol of the core
    assert set(Measure.objects.values_list("scale_id", flat=True)) >= {
        s.id for s in scales.list_scales()
    }
    assert set(Course.objects.values_list("protocol_id", flat=True)) == {
        p.id for p in protocols.list_protocols()
    }
    # outcomes: per course, the MADRS verdicts in time order (the core's, stored)
    kinds = set()
    for course in Course.objects.all():
        rows = list(
            Measure.objects.filter(course=course, scale_id="madrs", is_baseline=False)
            .order_by("taken_at")
            .values_list("taken_at", "response", "remission")
        )
        if not rows:
            continue
        responded = [r for r in rows if r[1]]
        if not responded:
            kinds.add("non-responder" if len(rows) >= 3 else "early")
            continue
        if not any(r[2] for r in rows):
            kinds.add("responder, not remitted")
        first = responded[0][0].date()
        given = PlannedSession.objects.filter(course=course, date__lte=first, status="done")
        if given.count() >= 10:
            kinds.add("late responder")
        after = [r for r in rows if r[0] > responded[0][0]]
        if course.status == "maintenance" and after and not after[-1][1]:
            kinds.add("relapse in maintenance")
    assert kinds >= {
        "non-responder",
        "responder, not remitted",
        "late responder",
        "relapse in maintenance",
    }, kinds
    # today's sessions: every stage of the core's workflow, a gate waiting, a blocked one
    today = timezone.localdate()
    todays = list(TreatmentSession.objects.filter(date=today).select_related("course", "patient"))
    stages = {state_for(s).stage for s in todays}
    assert stages >= {
        "open",
        "checked",
        "dose_recorded",
        "dosing",
        "recovery",
        "ready_to_sign",
        "signed",
    }, stages
    assert any(s.gates_overall == "needs_prescriber" and not s.gate_note for s in todays)
    assert any(s.gates_overall == "block" for s in todays)
    # every alert: suicidal ideation at each level that raises one, open vital signs of each kind
    assert set(Alert.objects.values_list("level", flat=True)) == {"positive", "urgent"}
    open_vitals = VitalSign.objects.filter(out_of_range=True, acknowledged_at__isnull=True)
    fields = {a["field"] for alerts in open_vitals.values_list("alerts", flat=True) for a in alerts}
    assert {"systolic", "heart_rate", "spo2"} <= fields, fields
    # the events' own times, not the seeding time
    for m in Measure.objects.all()[:200]:
        assert m.entered_at == m.taken_at
    for a in Alert.objects.select_related("measure"):
        assert a.raised_at == a.measure.taken_at
    assert not CourseEvent.objects.filter(at__gte=seeded_at).exists()
    assert not Alert.objects.filter(acknowledged_at__gte=seeded_at).exists()
    assert not VitalSign.objects.filter(entered_at__lt=F("taken_at")).exists()
    # every signed session is one the core would have let a nurse sign at its signing time
    signed = TreatmentSession.objects.filter(status="signed").select_related("course", "patient")
    for session in signed.order_by("id")[::7]:
        session.status = "open"
        state = core_treatment.session_state(facts_for(session, now=session.signed_at))
        core_treatment.refuse(state, "sign", reason="")
