"""An audit entry in words: "Dose (mg): 35 → 42", who, when (clinic time), which patient.

The stored ``before``/``after`` are snapshots of field values (foreign keys as ids, times as ISO
text). ``Describer.rows`` turns a page of entries into rows staff can read: field names from the
audited model's verbose names, choices as their labels, people and records by name (fetched in
one query per related model for the whole page), times in the clinic's time zone. A uuid is shown
only where nothing better names the value.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from ketacare.web.audit.actions import action_label
from ketacare.web.audit.models import AuditEntry
from ketacare.web.lib.zone import clinic_zone

#: keys of a snapshot not shown: internal ids and counters that mean nothing to staff
HIDDEN_KEYS = frozenset(
    {"id", "uuid", "clinic_id", "version", "created_at", "updated_at", "token_hash"}
)
EMPTY = "—"
MAX_VALUE = 120


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the record was created (no before)
    after: str | None  # None: no after recorded

    def __str__(self) -> str:
        if self.before is None:
            return f"{self.field}: {self.after}"
        return f"{self.field}: {self.before} → {self.after if self.after is not None else EMPTY}"


@dataclass
class Row:
    entry: AuditEntry
    when: str
    who: str
    action: str
    patient: str
    record: str
    changes: list[Change] = field(default_factory=list)

    @property
    def changes_text(self) -> str:
        return "; ".join(str(c) for c in self.changes)


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(key)  # by name or attname ("signed_by_id")
    except Exception:  # FieldDoesNotExist
        return None


def field_label(model: type[models.Model] | None, key: str) -> str:
    f = _field(model, key)
    text = str(getattr(f, "verbose_name", "") or key.removesuffix("_id").replace("_", " "))
    return text[:1].upper() + text[1:]


def patient_label(patient: Any) -> str:
    if patient is None:
        return ""
    return f"{patient.family_name}, {patient.given_name} ({patient.record_number})"


def _name_of(obj: models.Model) -> str:
    if obj._meta.label_lower == "patients.patient":
        return patient_label(obj)
    name = getattr(obj, "display_name", None)
    return str(name) if name else str(obj)


class Describer:
    """Turns entries of one clinic into ``Row``s (names looked up once per page or chunk)."""

    def __init__(self, clinic: Any) -> None:
        self.zone = clinic_zone(clinic)

    def when(self, value: dt.datetime) -> str:
        return timezone.localtime(value, self.zone).strftime("%Y-%m-%d %H:%M %Z")

    def rows(self, entries: Iterable[AuditEntry]) -> list[Row]:
        entries = list(entries)
        names = self._names(entries)
        return [self._row(e, names) for e in entries]

    # --- names of the related records, one query per related model --------------------------

    def _names(self, entries: list[AuditEntry]) -> dict[tuple[str, int], str]:
        wanted: dict[type[models.Model], set[int]] = {}
        for e in entries:
            model = _model(e.object_type)
            for data in (e.before, e.after):
                for key, value in (data or {}).items() if isinstance(data, dict) else ():
                    f = _field(model, key)
                    related = getattr(f, "related_model", None)
                    if f is None or not f.is_relation or related is None:
                        continue
                    if isinstance(value, int) and not isinstance(value, bool):
                        wanted.setdefault(related, set()).add(value)
        names: dict[tuple[str, int], str] = {}
        for related, ids in wanted.items():
            for obj in related._default_manager.filter(pk__in=ids):
                names[(related._meta.label_lower, int(obj.pk))] = _name_of(obj)
        return names

    # --- one row ------------------------------------------------------------------------------

    def _row(self, e: AuditEntry, names: dict[tuple[str, int], str]) -> Row:
        model = _model(e.object_type)
        record = str(model._meta.verbose_name).capitalize() if model else e.object_type
        return Row(
            entry=e,
            when=self.when(e.at),
            who=e.actor.display_name if e.actor is not None else "system",
            action=action_label(e.action),
            patient=patient_label(e.patient),
            record=record,
            changes=self.changes(e, model, names),
        )

    def changes(
        self, e: AuditEntry, model: type[models.Model] | None, names: dict[tuple[str, int], str]
    ) -> list[Change]:
        before = e.before if isinstance(e.before, dict) else None
        after = e.after if isinstance(e.after, dict) else {}
        out = []
        keys = list(after) + [k for k in (before or {}) if k not in after]
        for key in keys:
            if key in HIDDEN_KEYS:
                continue
            new = after.get(key)
            label = field_label(model, key)
            if before is None:
                if new in (None, "", [], {}):
                    continue  # a new record: only what was filled in
                out.append(Change(label, None, self.value(model, key, new, names)))
                continue
            old = before.get(key)
            if old == new:
                continue
            out.append(
                Change(
                    label,
                    self.value(model, key, old, names),
                    self.value(model, key, new, names),
                )
            )
        return out

    @staticmethod
    def _plain(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if value is None:
            return EMPTY
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        return str(value)

    def value(
        self,
        model: type[models.Model] | None,
        key: str,
        value: Any,
        names: dict[tuple[str, int], str],
    ) -> str:
        if value is None or value == "":
            return EMPTY
        f = _field(model, key)
        related = getattr(f, "related_model", None) if f is not None else None
        if f is not None and f.is_relation and related is not None:
            found = (
                names.get((related._meta.label_lower, value)) if isinstance(value, int) else None
            )
            return found or f"{related._meta.verbose_name!s} (no longer on file)"
        if isinstance(value, bool):
            return "yes" if value else "no"
        choices = dict(getattr(f, "flatchoices", None) or ())
        if choices and value in choices:
            return str(choices[value])
        if isinstance(f, models.DateTimeField) and isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            return self.when(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))
        if isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value):
            text = ", ".join(EMPTY if v is None else str(v) for v in value)
        elif isinstance(value, dict):
            text = ", ".join(f"{k}: {self._plain(v)}" for k, v in value.items())
        elif isinstance(value, list):
            text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        else:
            text = str(value)
        return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"
