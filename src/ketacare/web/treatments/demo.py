"""Synthetic sessions at the chair for ``ketacare demo`` and the benchmark (deterministic: the
caller's seeded RNG). Every clinical number still comes from the core (gates, doses, vital
alerts, scores, follow-ups, observation window, discharge); the results are memoised per distinct
input so that seeding thousands of sessions stays fast, and rows are written with bulk_create.

``record_sessions(clinic, courses, rng, today=None)`` records every planned session of ``courses``
dated before ``today`` (not missed, not cancelled) as a signed session (planned status ``done``)
and today's in each state of the session workflow in turn (``TODAY_STATES``: not started,
checked, a gate waiting for the prescriber, blocked, dose recorded, dosing, in recovery, ready
to sign, signed), timed back from now; returns the number of sessions made. ``seed_sessions``
(called by ``ketacare demo``) does the same and returns the lines to print.

Signed sessions are what the core would let a nurse sign: a clear gate (or the prescriber's
decision), vitals at every minute of the core's monitoring schedule (so at about 40 minutes and
before discharge), the discharge assessment at or after the last of them (for esketamine two
hours after the first device), and every row's entry time is the time of the event.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketacare.core import protocols as core_protocols
from ketacare.core import safety as core_safety
from ketacare.core import scales as core_scales
from ketacare.web.courses.models import Course, PlannedSession, PlannedStatus
from ketacare.web.lib.zone import clinic_zone
from ketacare.web.treatments.bulk import fast_insert
from ketacare.web.treatments.models import (
    AdverseEvent,
    RemsSubmission,
    ScaleRating,
    SessionStatus,
    TreatmentSession,
    VitalSign,
)

ADVERSE_EVENTS = (
    ("nausea", "mild", "ondansetron given"),
    ("dizziness", "mild", "rested in the chair"),
    ("headache", "mild", ""),
    ("vomiting", "moderate", "antiemetic, observed"),
    ("transient hypertension", "moderate", "BP rechecked until stable"),
)


# today's sessions, in turn (the stages of core.treatment's session workflow, and the two gate
# outcomes a dashboard must show)
TODAY_STATES = (
    "open",
    "checked",
    "gate_waiting",
    "blocked",
    "dose_recorded",
    "dosing",
    "recovery",
    "ready_to_sign",
    "signed",
)
# minutes before now that a session of that state started dosing (or had its checklist)
STATE_MINUTES = {"checked": 10, "gate_waiting": 15, "blocked": 20, "dose_recorded": 25}
GATE_WAITING_BP = (186, 96)  # needs a prescriber on every route (the core's gate)


@lru_cache(maxsize=4096)
def _gates(drug: str, route: str, sbp: int, dbp: int, ride_home: bool = True) -> dict[str, Any]:
    esk = drug == "esketamine"
    return core_safety.evaluate_gates(
        drug,
        route,
        systolic=sbp,
        diastolic=dbp,
        fasting_hours=3,
        liquids_minutes=45 if esk else None,
        ride_home=ride_home,
        rems_enrolled=True if esk else None,
    ).to_dict()


@lru_cache(maxsize=4096)
def _dose(protocol_id: str, weight: float, step: int) -> dict[str, Any]:
    return core_protocols.calculate_dose(protocol_id, weight, step=step).to_dict()


@lru_cache(maxsize=65536)
def _vitals(
    sbp: int, dbp: int, hr: int, spo2: int, base_s: int, base_d: int
) -> list[dict[str, Any]]:
    alerts = core_safety.check_vitals(
        systolic=sbp,
        diastolic=dbp,
        heart_rate=hr,
        spo2=spo2,
        baseline={"systolic": base_s, "diastolic": base_d},
    )
    return [a.to_dict() for a in alerts]


@lru_cache(maxsize=256)
def _score(scale_id: str, items: tuple[int, ...]) -> dict[str, Any]:
    return core_scales.score(scale_id, list(items)).to_dict()


@lru_cache(maxsize=256)
def _followup(scale_id: str, total: int, baseline: int) -> dict[str, Any]:
    if scale_id == "moaas":
        return core_safety.sedation_followup(total, baseline=baseline).to_dict()
    return core_safety.dissociation_followup(total, baseline=baseline).to_dict()


@lru_cache(maxsize=1024)
def _discharge(
    drug: str, route: str, minutes: int, moaas: int, cadss: int | None
) -> dict[str, Any]:
    return core_safety.discharge_readiness(
        aldrete_total=10,
        aldrete_items=[2, 2, 2, 2, 2],
        drug=drug,
        route=route,
        minutes_since_dose=minutes,
        moaas=moaas,
        cadss_total=cadss,
        baseline_moaas=5,
        baseline_cadss=0 if cadss is not None else None,
        bp_stable=True,
        ride_home=True,
    ).to_dict()


def _rems_rows(
    clinic: Any,
    details: list[tuple[TreatmentSession, Course, PlannedSession, int, int]],
    rng: random.Random,
    today: dt.date,
) -> Iterable[dict[str, Any]]:
    """The REMS Patient Monitoring Form submitted the day after most signed esketamine
    sessions; the last few days' and about one in twenty older ones are still to submit."""
    for session, course, _p, _s, _d in details:
        if course.drug != "esketamine" or session.status != SessionStatus.SIGNED:
            continue
        if session.date >= today - dt.timedelta(days=2) or rng.random() < 0.05:
            continue
        submitted_on = session.date + dt.timedelta(days=1)
        yield dict(
            clinic_id=clinic.pk,
            session_id=session.pk,
            submitted_on=submitted_on,
            submitted_by_id=session.signed_by.pk,  # type: ignore[union-attr]  # demo sessions are signed before their REMS form
            confirmation=f"PMF-{rng.randint(100000, 999999)}",
            recorded_at=dt.datetime.combine(submitted_on, dt.time(17, 0), tzinfo=dt.UTC),
        )


def _as_row(obj: Any) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key
    }


@lru_cache(maxsize=64)
def _schedule_minutes(drug: str, route: str) -> tuple[int, ...]:
    return tuple(
        t.minute for t in core_safety.monitoring_schedule(drug, route) if t.minute is not None
    )


def seed_sessions(
    clinic: Any, courses: Iterable[Course], rng: random.Random, today: dt.date | None = None
) -> list[str]:
    """For ``ketacare demo``: record the sessions and return the lines to print."""
    made = record_sessions(clinic, courses, rng, today)
    vitals = VitalSign.objects.filter(clinic=clinic).count()
    open_ = TreatmentSession.objects.filter(clinic=clinic, status=SessionStatus.OPEN).count()
    events = AdverseEvent.objects.filter(clinic=clinic).count()
    return [
        f"Sessions at the chair: {made} sessions ({open_} open today), {vitals} vital-sign rows, "
        f"{events} adverse events."
    ]


def record_sessions(
    clinic: Any,
    courses: Iterable[Course],
    rng: random.Random,
    today: dt.date | None = None,
    *,
    staff: Sequence[Any] | None = None,
    batch: int = 2000,
) -> int:
    """Record the planned sessions of ``courses`` up to ``today`` (see the module docstring)."""
    today = today or timezone.localdate()
    course_list = list(courses)
    if not course_list:
        return 0
    if staff is None:
        staff = list(clinic.users.filter(role__in=("nurse", "prescriber")).order_by("id"))
    if not staff:
        raise ValueError("seed_sessions needs a nurse or prescriber of the clinic")
    by_id = {c.pk: c for c in course_list}
    planned = list(
        PlannedSession.objects.filter(course_id__in=by_id, date__lte=today)
        .exclude(status__in=(PlannedStatus.CANCELLED, PlannedStatus.MISSED))
        .filter(treatment_session__isnull=True)
        .order_by("date", "course_id", "index")
    )
    made = 0
    now = timezone.now()
    states = iter(TODAY_STATES * (1 + len(planned) // len(TODAY_STATES)))
    today_states = {p.pk: next(states) for p in planned if p.date == today}
    for start in range(0, len(planned), batch):
        with transaction.atomic():
            made += _seed_batch(
                clinic, by_id, planned[start : start + batch], rng, today, staff, today_states, now
            )
    return made


def _seed_batch(
    clinic: Any,
    by_id: dict[int, Course],
    planned: list[PlannedSession],
    rng: random.Random,
    today: dt.date,
    staff: Sequence[Any],
    today_states: dict[int, str] | None = None,
    now: dt.datetime | None = None,
) -> int:
    today_states = today_states or {}
    now = now or timezone.now()
    sessions: list[TreatmentSession] = []
    details: list[tuple[TreatmentSession, Course, PlannedSession, int, int]] = []
    done_ids: list[int] = []
    for p in planned:
        course = by_id[p.course_id]
        user = staff[rng.randrange(len(staff))]
        sbp, dbp = rng.randint(108, 150), rng.randint(66, 92)
        state = today_states.get(p.pk, "signed") if p.date == today else "signed"
        if state == "gate_waiting":
            sbp, dbp = GATE_WAITING_BP
        ride_home = state != "blocked"
        gates = _gates(course.drug, course.route, sbp, dbp, ride_home)
        chair = p.chair or rng.randint(1, max(1, clinic.chairs))
        esk = course.drug == "esketamine"
        dose = _dose(course.protocol_id, course.weight_kg, p.step)
        duration = int(dose["duration_min"] or 0)
        last_minute = max(_schedule_minutes(course.drug, course.route) or (0,))
        # minutes from dosing to the discharge assessment: two hours for esketamine, else the
        # infusion and an hour, never before the last vital of the monitoring schedule
        minutes = 120 if esk else max(duration + 60, 60)
        minutes = max(minutes, last_minute)
        if p.date < today:
            start = timezone.make_aware(
                dt.datetime.combine(p.date, dt.time(8 + rng.randint(0, 7), rng.choice((0, 30)))),
                dt.UTC,
            )
        elif state in STATE_MINUTES or state == "open":
            start = now - dt.timedelta(minutes=STATE_MINUTES.get(state, 0))
        elif state == "dosing":
            start = now - dt.timedelta(minutes=20)
        elif state == "recovery":
            start = now - dt.timedelta(minutes=max(duration + 15, minutes - 15))
        elif state == "ready_to_sign":
            start = now - dt.timedelta(minutes=minutes + 10)
        else:  # signed today
            start = now - dt.timedelta(minutes=minutes + 40)
        checklist_at = start - dt.timedelta(minutes=10)
        signed = state == "signed"
        session = TreatmentSession(
            clinic_id=clinic.pk,
            patient_id=course.patient_id,
            course_id=course.pk,
            planned_id=p.pk,
            date=p.date,
            chair=chair,
            weight_kg=course.weight_kg,
            created_by=user,
            created_at=checklist_at - dt.timedelta(minutes=5),
        )
        sessions.append(session)
        details.append((session, course, p, sbp, dbp))
        if state == "open":
            continue
        session.checklist_at = checklist_at
        session.systolic, session.diastolic = sbp, dbp
        session.fasting_hours = 3
        session.liquids_minutes = 45 if esk else None
        session.ride_home = ride_home
        session.rems_enrolled = True if esk else None
        session.gate_report = gates
        session.gates_overall = gates["overall"]
        if gates["overall"] == "needs_prescriber" and state != "gate_waiting":
            session.gate_note = "BP rechecked after rest; benefit outweighs the short rise: proceed"
            session.gate_decided_by = next(
                (u for u in staff if getattr(u, "role", "") == "prescriber"), user
            )
        if gates["overall"] == "block" or state in ("checked", "gate_waiting"):
            continue
        session.dose_result = dose
        session.dose_mg = dose["dose_mg"]
        session.dose_mg_per_kg = dose["dose_mg_per_kg"]
        session.dose_set_by = user
        if state == "dose_recorded":
            continue
        session.lot_number = f"L{p.date:%y%m}-{rng.randint(100, 999)}"
        session.started_at = start
        if esk:
            session.first_device_at = start
            session.observation_until = core_safety.observation_window(
                start, drug=course.drug, route=course.route
            )
        if state == "dosing":
            continue
        session.ended_at = start + dt.timedelta(minutes=duration)
        if state == "recovery":
            continue
        discharge = _discharge(course.drug, course.route, minutes, 5, 0 if esk else None)
        assessed = start + dt.timedelta(minutes=minutes)
        session.discharge = {
            **discharge,
            "minutes_since_dose": minutes,
            "assessed_at": assessed.isoformat(),
        }
        session.discharge_ready = discharge["ready"]
        session.discharged_at = assessed
        if signed:
            session.status = SessionStatus.SIGNED
            session.signed_at = assessed + dt.timedelta(minutes=5)
            session.signed_by = user
            done_ids.append(p.pk)
    fast_insert(TreatmentSession, (_as_row(s) for s in sessions))
    ids = dict(
        TreatmentSession.objects.filter(planned_id__in=[p.pk for p in planned]).values_list(
            "planned_id", "id"
        )
    )
    for session in sessions:
        session.pk = session.id = ids[session.planned_id]  # type: ignore[index]  # demo sessions are made from planned sessions
    # out-of-range vitals left open today, one of each kind (blood pressure, heart rate, SpO2),
    # each on the first vital after dosing of one of today's unfinished sessions
    spikes = [(192, 88, 97), (150, 132, 96), (140, 84, 86)]
    vitals: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for session, course, _p, sbp, dbp in details:
        if session.started_at is None:
            continue
        user = session.created_by
        minutes = _schedule_minutes(course.drug, course.route)  # type: ignore[assignment]  # the schedule's minutes, a tuple
        # today's unfinished sessions have the vitals taken so far
        elapsed = (now - session.started_at).total_seconds() / 60
        for minute in minutes:  # type: ignore[attr-defined]  # the schedule's minutes, a tuple
            if minute > elapsed:
                break
            s = sbp + rng.randint(-6, 28 if 0 < minute <= 45 else 10)
            d = dbp + rng.randint(-5, 12)
            hr, ox = rng.randint(58, 98), rng.randint(94, 99)
            if rng.random() < 0.01:
                s = rng.randint(182, 196)  # an occasional spike crosses the alert threshold
            if (
                spikes
                and minute > 0
                and session.date == today
                and session.discharge_ready is None
                and not any(v["session_id"] == session.pk and v["minute"] > 0 for v in vitals[-3:])
            ):
                s, hr, ox = spikes.pop(0)  # left open: on the dashboard
            alerts = _vitals(s, min(d, s - 10), hr, ox, sbp, dbp)
            taken_at = session.started_at + dt.timedelta(minutes=minute)
            acknowledged = bool(alerts) and session.discharge_ready is not None
            vitals.append(
                dict(
                    acknowledged_at=taken_at + dt.timedelta(minutes=3) if acknowledged else None,
                    acknowledged_by_id=user.pk if acknowledged else None,
                    acknowledge_note="Rechecked after 5 min at rest; settled; prescriber informed"
                    if acknowledged
                    else "",
                    clinic_id=clinic.pk,
                    session_id=session.pk,
                    taken_at=taken_at,
                    minute=minute,
                    systolic=s,
                    diastolic=min(d, s - 10),
                    heart_rate=hr,
                    spo2=ox,
                    alerts=alerts,
                    out_of_range=bool(alerts),
                    entered_by_id=user.pk,
                    entered_at=session.started_at + dt.timedelta(minutes=minute + 1),
                )
            )
        if course.drug == "esketamine" and session.discharge_ready is not None:
            for minute, moaas, cadss in (
                (0, 5, 0),
                (40, rng.choice((5, 5, 4, 3)), rng.randint(0, 8)),
                (120, 5, 0),
            ):
                for scale_id, items in (
                    ("moaas", (moaas,)),
                    ("cadss", (0,) * (23 - cadss) + (1,) * cadss),
                ):
                    result = _score(scale_id, items)
                    total = int(result["total"])
                    followup = (
                        None
                        if minute == 0
                        else _followup(scale_id, total, 5 if scale_id == "moaas" else 0)
                    )
                    ratings.append(
                        dict(
                            clinic_id=clinic.pk,
                            session_id=session.pk,
                            scale_id=scale_id,
                            minute=minute,
                            taken_at=session.started_at + dt.timedelta(minutes=minute),
                            items=list(items),
                            result=result,
                            total=total,
                            followup=followup,
                            followup_decision=followup["decision"] if followup else "",
                            entered_by_id=user.pk,
                            entered_at=session.started_at + dt.timedelta(minutes=minute + 2),
                        )
                    )
        if rng.random() < 0.06 and session.ended_at is not None:
            description, severity, action = ADVERSE_EVENTS[rng.randrange(len(ADVERSE_EVENTS))]
            onset = session.started_at + dt.timedelta(minutes=rng.randint(5, 50))
            events.append(
                dict(
                    clinic_id=clinic.pk,
                    session_id=session.pk,
                    onset_at=onset,
                    entered_at=onset + dt.timedelta(minutes=5),
                    description=description,
                    severity=severity,
                    serious=False,
                    action_taken=action,
                    entered_by_id=user.pk,
                )
            )
    fast_insert(VitalSign, vitals)
    fast_insert(ScaleRating, ratings)
    fast_insert(AdverseEvent, events)
    fast_insert(RemsSubmission, _rems_rows(clinic, details, rng, today))
    # today's sessions were planned at the time they were opened (in the clinic's zone)
    zone = clinic_zone(clinic)
    for session, _course, p, _s, _d in details:
        if p.date == today and session.created_at is not None:
            opened = timezone.localtime(session.created_at, zone)
            p.start_time = dt.time(opened.hour, opened.minute)
    todays = [p for _session, _course, p, _s, _d in details if p.date == today]
    if todays:
        PlannedSession.objects.bulk_update(todays, ["start_time"])
    if done_ids:
        PlannedSession.objects.filter(pk__in=done_ids).update(status=PlannedStatus.DONE)
    return len(sessions)
