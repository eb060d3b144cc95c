"""Measures and alerts in the JSON API: record (scored by the core), read, list, acknowledge."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ketacare.web.accounts.api import api_user
from ketacare.web.courses.models import Course
from ketacare.web.lib.records import for_clinic, get_for_user
from ketacare.web.measures import services
from ketacare.web.measures.models import Alert, Measure
from ketacare.web.patients.models import Patient

router = Router(tags=["measures"])


class MeasureIn(Schema):
    patient: UUID
    scale_id: str = Field(min_length=1, max_length=20, description="a scale id of ketacare.core")
    items: list[int | str | None] = Field(
        min_length=1, max_length=60, description="item answers in order (null = blank)"
    )
    options: dict[str, str] = Field(default_factory=dict)
    taken_at: dt.datetime | None = None
    course: UUID | None = None
    baseline: bool = False


class MeasureOut(Schema):
    uuid: UUID
    patient: UUID
    course: UUID | None
    scale_id: str
    taken_at: dt.datetime
    items: list[Any]
    total: float | None
    severity: str
    is_baseline: bool
    result: dict[str, Any]
    outcome: dict[str, Any] | None
    si_signal: dict[str, Any] | None
    alert: UUID | None
    withdrawn: bool


class AlertOut(Schema):
    uuid: UUID
    patient: UUID
    measure: UUID | None
    level: str
    reason: str
    source: str
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledgement_note: str
    version: int


class AcknowledgeIn(Schema):
    note: str = Field(min_length=1, max_length=2000)
    version: int = Field(ge=1)


def _out(m: Measure) -> dict[str, Any]:
    alerts = list(m.alerts.all())
    return {
        "uuid": m.uuid,
        "patient": m.patient.uuid,
        "course": m.course.uuid if m.course else None,
        "scale_id": m.scale_id,
        "taken_at": m.taken_at,
        "items": m.items,
        "total": m.total,
        "severity": m.severity,
        "is_baseline": m.is_baseline,
        "result": m.result,
        "outcome": m.outcome,
        "si_signal": m.si_signal,
        "alert": alerts[0].uuid if alerts else None,
        "withdrawn": m.withdrawn,
    }


def _alert_out(a: Alert) -> dict[str, Any]:
    return {
        "uuid": a.uuid,
        "patient": a.patient.uuid,
        "measure": a.measure.uuid if a.measure else None,
        "level": a.level,
        "reason": a.reason,
        "source": a.source,
        "raised_at": a.raised_at,
        "acknowledged_at": a.acknowledged_at,
        "acknowledgement_note": a.acknowledgement_note,
        "version": a.version,
    }


def _measures(user: Any) -> Any:
    return for_clinic(
        Measure.objects.select_related("patient", "course").prefetch_related("alerts"), user
    )


@router.post("/measures", response={201: MeasureOut}, summary="Record a measure")
def create_measure(request: HttpRequest, payload: MeasureIn) -> Any:
    user = api_user(request, "record_measure")
    patient = get_for_user(Patient.objects.all(), user, payload.patient)
    course = None
    if payload.course is not None:
        course = get_for_user(
            Course.objects.select_related("baseline_measure"), user, payload.course
        )
    measure = services.record_measure(
        user,
        patient,
        scale_id=payload.scale_id,
        items=payload.items,
        options=payload.options,
        taken_at=payload.taken_at,
        course=course,
        baseline=payload.baseline,
    )
    return Status(201, _out(_measures(user).get(pk=measure.pk)))


@router.get("/measures", response=list[MeasureOut], summary="Measures of your clinic")
def list_measures(
    request: HttpRequest,
    patient: UUID | None = None,
    scale_id: str | None = None,
    limit: int = 200,
) -> Any:
    user = api_user(request, "view_clinical")
    measures = _measures(user).filter(withdrawn=False)
    if patient is not None:
        measures = measures.filter(patient__uuid=patient)
    if scale_id:
        measures = measures.filter(scale_id=scale_id)
    return [_out(m) for m in measures[: max(1, min(limit, 1000))]]


@router.get("/measures/{measure_uuid}", response=MeasureOut, summary="One measure")
def get_measure(request: HttpRequest, measure_uuid: UUID) -> Any:
    user = api_user(request, "view_clinical")
    return _out(get_for_user(_measures(user), user, measure_uuid))


@router.get("/alerts", response=list[AlertOut], summary="Alerts (open first)")
def list_alerts(request: HttpRequest, open_only: bool = True) -> Any:
    user = api_user(request, "view_clinical")
    alerts = for_clinic(Alert.objects.select_related("patient", "measure"), user)
    if open_only:
        alerts = alerts.filter(acknowledged_at__isnull=True)
    return [_alert_out(a) for a in alerts.order_by("-raised_at")[:500]]


@router.post(
    "/alerts/{alert_uuid}/acknowledge", response=AlertOut, summary="Acknowledge with a note"
)
def acknowledge(request: HttpRequest, alert_uuid: UUID, payload: AcknowledgeIn) -> Any:
    user = api_user(request, "acknowledge_alert")
    alert = get_for_user(Alert.objects.select_related("patient", "measure"), user, alert_uuid)
    services.acknowledge_alert(user, alert, note=payload.note, expected_version=payload.version)
    return _alert_out(alert)
