"""Check-ins in the JSON API: create one for a patient and get its link (for clinics that send
through their own systems), and list a patient's check-ins. The link is returned once, when the
check-in is created: only its hash is stored."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ketacare.web.accounts.api import api_user
from ketacare.web.checkins import services
from ketacare.web.checkins.models import CheckIn
from ketacare.web.lib.records import get_for_user
from ketacare.web.patients.models import Patient

router = Router(tags=["check-ins"])


class CheckInIn(Schema):
    scales: list[str] = Field(
        default_factory=lambda: ["phq9"],
        min_length=1,
        max_length=4,
        description="scale ids whose text may be shown to patients: phq9, gad7",
    )
    send: bool = Field(
        default=False,
        description="also send it on the patient's enrolled channel (else only return the link)",
    )


class CheckInOut(Schema):
    uuid: UUID
    patient: UUID
    scales: list[str]
    due_on: dt.date
    kind: str
    status: str
    channel: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    expires_at: dt.datetime
    opened_at: dt.datetime | None
    completed_at: dt.datetime | None
    reminders_sent: int
    measures: list[str]


class CheckInCreated(CheckInOut):
    link: str = Field(description="the patient's link; shown once, never stored")


def _out(c: CheckIn, patient: Patient) -> dict[str, Any]:
    return {
        "uuid": c.uuid,
        "patient": patient.uuid,
        "scales": list(c.scales),
        "due_on": c.due_on,
        "kind": c.kind,
        "status": c.status,
        "channel": c.channel,
        "created_at": c.created_at,
        "sent_at": c.sent_at,
        "expires_at": c.expires_at,
        "opened_at": c.opened_at,
        "completed_at": c.completed_at,
        "reminders_sent": c.reminders_sent,
        "measures": [str(m) for m in c.measures],
    }


@router.post(
    "/{patient_uuid}/check-ins",
    response={201: CheckInCreated},
    summary="Create a check-in and return its link",
    description=(
        "400 when a scale's text may not be shown to patients, or when send is true for a "
        "patient not enrolled (with consent, not paused or opted out)."
    ),
)
def create_checkin(request: HttpRequest, patient_uuid: uuid.UUID, payload: CheckInIn) -> Any:
    user = api_user(request, "send_checkin")
    patient = get_for_user(Patient.objects.all(), user, patient_uuid)
    checkin, token = services.create_checkin(
        user, patient, scales=payload.scales, send=payload.send
    )
    return Status(201, {**_out(checkin, patient), "link": services.link_url(token)})


@router.get(
    "/{patient_uuid}/check-ins",
    response=list[CheckInOut],
    summary="A patient's check-ins (newest first)",
)
def list_checkins(request: HttpRequest, patient_uuid: uuid.UUID) -> Any:
    user = api_user(request, "view_clinical")
    patient = get_for_user(Patient.objects.all(), user, patient_uuid)
    rows = CheckIn.objects.filter(patient=patient).order_by("-created_at", "-id")[:500]
    return [_out(c, patient) for c in rows]
