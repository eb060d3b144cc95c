"""Appending to the audit trail. Called by every clinical service function inside its transaction.

with transaction.atomic():
    before = snapshot(patient)
    ...change and save...
    record(actor, "patient.update", patient, before, snapshot(patient), reason)
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import connection, models

from ketacare.web.audit import chain
from ketacare.web.audit.models import AuditEntry


class AuditOutsideTransactionError(RuntimeError):
    """``record`` was called outside ``transaction.atomic``: the action and its entry must commit
    together or not at all."""


def jsonable(value: Any) -> Any:
    """Convert a field value to JSON-able data (dates as ISO strings, UUIDs as strings)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return str(getattr(value, "uuid", value.pk))
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids), JSON-able."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.attname] = jsonable(getattr(obj, field.attname))
    return data


def _clinic_id(obj: models.Model) -> int:
    clinic_id = getattr(obj, "clinic_id", None)
    if clinic_id is None and obj._meta.label_lower == "accounts.clinic":
        clinic_id = obj.pk
    if clinic_id is None:
        raise ValueError(f"{obj._meta.label} has no clinic_id; audited objects carry their clinic")
    return int(clinic_id)


#: the foreign keys followed, in this order, from an audited object to its patient
PATIENT_PATH_FIELDS = ("patient", "session", "course")
PATIENT_MODEL = "patients.patient"


def patient_path(model: type[models.Model], depth: int = 3) -> str | None:
    """The lookup from ``model`` to its patient's id (``"id"`` for the patient itself,
    ``"patient_id"``, ``"session__patient_id"``...), or None when it has no patient."""
    if model._meta.label_lower == PATIENT_MODEL:
        return "id"
    if depth == 0:
        return None
    for name in PATIENT_PATH_FIELDS:
        try:
            field = model._meta.get_field(name)
        except Exception:  # FieldDoesNotExist
            continue
        related = getattr(field, "related_model", None)
        if not (field.is_relation and getattr(field, "concrete", False)) or related is None:
            continue
        if isinstance(related, str):
            continue
        if related._meta.label_lower == PATIENT_MODEL:
            return f"{name}_id"
        rest = patient_path(related, depth - 1)
        if rest is not None:
            return f"{name}__{rest}"
    return None


def patient_id_of(obj: models.Model) -> int | None:
    """The id of the patient ``obj`` is or belongs to, else None (follows unsaved relations
    through the objects already loaded, one query at most per hop otherwise)."""
    path = patient_path(obj._meta.model)  # not type(obj): request.user is a lazy wrapper
    if path is None:
        return None
    if path == "id":
        return int(obj.pk) if obj.pk is not None else None
    current: Any = obj
    *hops, last = path.split("__")
    for hop in hops:
        current = getattr(current, hop, None)
        if current is None:
            return None
    value = getattr(current, last, None)
    return int(value) if value is not None else None


def entry_for(
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str = "",
) -> AuditEntry:
    """The unsaved entry ``record`` appends (its time is now; its chain link is set by
    ``chain.append``)."""
    return AuditEntry(
        clinic_id=_clinic_id(obj),
        actor=actor if getattr(actor, "pk", None) is not None else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_uuid=obj.uuid,  # type: ignore[attr-defined]  # every audited model has a uuid
        patient_id=patient_id_of(obj),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason or "",
    )


def record(
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str = "",
) -> AuditEntry:
    """Append one audit entry, the next link of its clinic's hash chain. Must run inside
    ``transaction.atomic`` (raises otherwise), the transaction of the action it records."""
    if not connection.in_atomic_block:
        raise AuditOutsideTransactionError(f"audit record of {action!r} outside transaction.atomic")
    entry = entry_for(actor, action, obj, before, after, reason)
    return chain.append(entry)  # linked to the clinic's hash chain, under its append lock
