"""A device drives a whole esketamine session through the JSON API, with the same rules as the
page: the hard stops answer in the one error shape, naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ketacare.core import intake as core_intake
from ketacare.web.patients.models import Patient

pytestmark = pytest.mark.django_db


def _iso(when: dt.datetime) -> str:
    return when.isoformat()


def test_an_esketamine_session_runs_through_the_api_to_signed(
    clinic: Any, prescriber: Any, nurse: Any, client_for: Any, api_error: Any
) -> None:
    doctor, chair = client_for(prescriber), client_for(nurse)

    def post(client: Any, url: str, body: dict[str, Any]) -> Any:
        return client.post(f"/api/v1{url}", body, content_type="application/json")

    patient = Patient.objects.create(
        clinic=clinic,
        record_number="API-1",
        given_name="Ines",
        family_name="Device",
        date_of_birth=dt.date(1979, 4, 2),
    )
    start = timezone.localdate().isoformat()
    course_in = {
        "patient": str(patient.uuid),
        "protocol_id": "esketamine-trd",
        "start_date": start,
        "weight_kg": 68,
    }
    # no screen on file: the course rule refuses to start
    api_error(post(doctor, "/courses", course_in), 400, "invalid", "screen")
    questions = {q.id: False for q in core_intake.list_questions("esketamine", "in")}
    screen = post(
        chair,
        f"/patients/{patient.uuid}/screens",
        {"drug": "esketamine", "route": "in", "answers": questions},
    )
    assert screen.status_code == 201, screen.content
    course = post(doctor, "/courses", course_in)
    assert course.status_code == 201, course.content
    course_uuid = course.json()["uuid"]
    planned = course.json()["sessions"][0]["uuid"]
    state = doctor.get(f"/api/v1/courses/{course_uuid}/state").json()
    assert state["eligibility"]["status"] == "eligible" and state["consent_on_file"] is False

    opened = post(chair, "/sessions", {"course": course_uuid, "planned": planned, "chair": 2})
    assert opened.status_code == 201
    sid, version = opened.json()["uuid"], opened.json()["version"]
    now = timezone.now()
    first = now - dt.timedelta(minutes=150)
    checked = post(
        chair,
        f"/sessions/{sid}/checklist",
        {
            "version": version,
            "systolic": 150,
            "diastolic": 95,
            "fasting_hours": 3,
            "liquids_minutes": 60,
            "ride_home": True,
            "rems_enrolled": True,
            "at": _iso(first - dt.timedelta(minutes=15)),
        },
    )
    assert checked.status_code == 200, checked.content
    assert checked.json()["gates_overall"] == "needs_prescriber"  # label: BP > 140/90
    version = checked.json()["version"]
    # no consent yet, and the gate waits for the prescriber: the dose is refused
    refused = api_error(post(chair, f"/sessions/{sid}/dose", {"version": version}), 400, "invalid")
    state = chair.get(f"/api/v1/sessions/{sid}/state").json()
    codes = {b["code"] for b in state["actions"]["dose"]["blockers"]}
    assert {"missing", "needs_prescriber"} <= codes, refused
    assert (
        post(
            chair,
            f"/courses/{course_uuid}/consents",
            {"given_on": start, "scope": "esketamine nasal spray series"},
        ).status_code
        == 201
    )
    api_error(
        post(chair, f"/sessions/{sid}/gate-decision", {"version": version, "note": "ok"}),
        403,
        "forbidden",
    )
    decided = post(
        doctor,
        f"/sessions/{sid}/gate-decision",
        {"version": version, "note": "BP rechecked at 138/88 after rest: proceed"},
    )
    assert decided.status_code == 200
    version = decided.json()["version"]
    api_error(
        post(chair, f"/sessions/{sid}/dose", {"version": version, "dose_mg": 84}),
        400,
        "invalid",
        "dose_mg",
    )  # label: 56 mg on day 1
    dosed = post(chair, f"/sessions/{sid}/dose", {"version": version})
    assert dosed.status_code == 200 and dosed.json()["dose_mg"] == 56
    version = dosed.json()["version"]
    timed = post(
        chair,
        f"/sessions/{sid}/administration",
        {
            "version": version,
            "lot_number": "E-9",
            "started_at": _iso(first),
            "first_device_at": _iso(first),
        },
    )
    assert timed.status_code == 200, timed.content
    version = timed.json()["version"]
    for minutes in (40, 115):
        row = post(
            chair,
            f"/sessions/{sid}/vitals",
            {
                "taken_at": _iso(first + dt.timedelta(minutes=minutes)),
                "minute": minutes,
                "systolic": 132,
                "diastolic": 84,
                "spo2": 98,
            },
        )
        assert row.status_code == 201
    for minutes in (0, 40, 116):
        at = _iso(first + dt.timedelta(minutes=minutes))
        for scale, items in (("moaas", [5]), ("cadss", [0] * 23)):
            rated = post(
                chair,
                f"/sessions/{sid}/ratings",
                {"scale_id": scale, "items": items, "minute": minutes, "taken_at": at},
            )
            assert rated.status_code == 201, rated.content
    api_error(post(chair, f"/sessions/{sid}/sign", {"version": version}), 400, "invalid")
    discharged = post(
        chair,
        f"/sessions/{sid}/discharge",
        {
            "version": version,
            "aldrete_items": [2, 2, 2, 2, 2],
            "bp_stable": True,
            "ride_home": True,
            "at": _iso(first + dt.timedelta(minutes=121)),
        },
    )
    assert discharged.status_code == 200 and discharged.json()["discharge_ready"] is True
    version = discharged.json()["version"]
    ended = post(
        chair,
        f"/sessions/{sid}/administration",
        {
            "version": version,
            "lot_number": "E-9",
            "started_at": _iso(first),
            "first_device_at": _iso(first),
            "ended_at": _iso(first + dt.timedelta(minutes=122)),
        },
    )
    assert ended.status_code == 200, ended.content
    version = ended.json()["version"]
    assert chair.get(f"/api/v1/sessions/{sid}/state").json()["actions"]["sign"]["allowed"]
    signed = post(chair, f"/sessions/{sid}/sign", {"version": version})
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    # after signing: a write without a reason is refused; with one it is an amendment
    api_error(post(chair, f"/sessions/{sid}/vitals", {"heart_rate": 70}), 400, "invalid", "reason")
    late = post(chair, f"/sessions/{sid}/vitals", {"heart_rate": 70, "reason": "late entry"})
    assert late.status_code == 201
    amendments = chair.get(f"/api/v1/sessions/{sid}/amendments").json()
    assert [a["reason"] for a in amendments] == ["late entry"]


def test_the_api_documents_every_session_action(prescriber: Any, client_for: Any) -> None:
    doc = client_for(prescriber).get("/api/v1/openapi.json").json()
    paths = set(doc["paths"])
    for action in (
        "state",
        "checklist",
        "gate-decision",
        "dose",
        "administration",
        "vitals",
        "ratings",
        "adverse-events",
        "discharge",
        "early-discharge",
        "sign",
        "withdraw",
        "amendments",
    ):
        assert f"/api/v1/sessions/{{session_uuid}}/{action}" in paths, action
    for path in (
        "/api/v1/courses/{course_uuid}/state",
        "/api/v1/courses/{course_uuid}/consents",
        "/api/v1/patients/{patient_uuid}/screens",
    ):
        assert path in paths
