"""Recording a REMS form's submission and acknowledging an out-of-range vital sign.

Each function checks the permission (``ketacare.web.treatments.permissions``), validates with the
core, writes in one transaction and appends one audit entry per changed row. Nothing is
overwritten: a corrected submission is a new row with a reason and the old row is marked
superseded; an acknowledgement keeps who, when and the note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketacare.core.errors import InputError
from ketacare.core.safety import check_rems_submission
from ketacare.web.audit.services import record, snapshot
from ketacare.web.lib.zone import clinic_today
from ketacare.web.treatments.models import RemsSubmission, TreatmentSession, VitalSign
from ketacare.web.treatments.permissions import ACKNOWLEDGE_VITAL, RECORD, require

MAX_NOTE = 500


def _note(field: str, value: str | None, allowed: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InputError(field, value, allowed)
    if len(text) > MAX_NOTE:
        raise InputError(field, text[:20] + "…", f"at most {MAX_NOTE} characters")
    return text


def _same_clinic(actor: Any, obj: Any) -> None:
    if obj.clinic_id != getattr(actor, "clinic_id", None):
        raise InputError("record", str(obj.uuid), "a record of your clinic")


def record_rems_submission(
    actor: Any,
    session: TreatmentSession,
    *,
    submitted_on: dt.date,
    confirmation: str,
    reason: str = "",
    today: dt.date | None = None,
) -> RemsSubmission:
    """Record that the session's REMS Patient Monitoring Form was submitted. When one is already
    recorded this is a correction: a reason is required and the old row is superseded."""
    require(actor, RECORD)
    _same_clinic(actor, session)
    if session.course.drug != "esketamine":
        raise InputError("session", str(session.uuid), "an esketamine (Spravato) session")
    if session.first_device_at is None and not session.is_signed:
        raise InputError(
            "session", str(session.uuid), "a session dosed (first device recorded) or signed"
        )
    submitted_on, confirmation = check_rems_submission(
        session.date, submitted_on, today or clinic_today(session.clinic), confirmation
    )
    with transaction.atomic():
        # one writer at a time per session: the row lock orders concurrent submissions
        TreatmentSession.objects.select_for_update().filter(pk=session.pk).first()
        active = (
            RemsSubmission.objects.select_for_update()
            .filter(session=session, superseded_at__isnull=True)
            .first()
        )
        text = ""
        if active is not None:
            text = _note(
                "reason",
                reason,
                "a reason for the correction (a submission is already recorded; it is kept)",
            )
            before = snapshot(active, ["superseded_at"])
            active.superseded_at = timezone.now()
            active.save(update_fields=["superseded_at"])
            record(
                actor,
                "rems.submission.supersede",
                active,
                before,
                snapshot(active, ["superseded_at"]),
                text,
            )
        row = RemsSubmission.objects.create(
            clinic_id=session.clinic_id,
            session=session,
            submitted_on=submitted_on,
            submitted_by=actor,
            confirmation=confirmation,
            reason=text,
            supersedes=active,
        )
        record(actor, "rems.submission", row, None, snapshot(row), text)
    return row


def acknowledge_vital(actor: Any, vital: VitalSign, note: str) -> VitalSign:
    """A prescriber or nurse acknowledges an out-of-range vital sign with a note (kept)."""
    require(actor, ACKNOWLEDGE_VITAL)
    _same_clinic(actor, vital)
    text = _note("note", note, "what was done or decided about the out-of-range vital sign")
    with transaction.atomic():
        current = VitalSign.objects.select_for_update().get(pk=vital.pk)
        if not current.out_of_range or current.withdrawn:
            raise InputError("vital", str(vital.uuid), "an out-of-range vital sign, not withdrawn")
        if current.acknowledged_at is not None:
            raise InputError(
                "vital", str(vital.uuid), "a vital sign not yet acknowledged (it already is)"
            )
        fields = ["acknowledged_at", "acknowledged_by", "acknowledge_note"]
        before = snapshot(current, fields)
        current.acknowledged_at = timezone.now()
        current.acknowledged_by = actor
        current.acknowledge_note = text
        current.save(update_fields=fields)
        record(actor, "vital.acknowledge", current, before, snapshot(current, fields), text)
    vital.acknowledged_at = current.acknowledged_at
    vital.acknowledged_by = current.acknowledged_by
    vital.acknowledge_note = current.acknowledge_note
    return vital
