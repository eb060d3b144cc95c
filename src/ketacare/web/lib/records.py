"""Shared rules for clinical records: clinic scoping and the version check.

- ``for_clinic(queryset, user)``: only the user's clinic's rows.
- ``get_for_user(queryset, user, uuid)``: one row of the user's clinic, else 404 (another clinic's
  record is indistinguishable from a missing one).
- ``save_versioned(obj, expected_version, fields)``: one conditional UPDATE ... WHERE version = n;
  if someone else saved first the update touches no row and ``ConflictError`` is raised, so the
  second of two editors is refused instead of overwriting the first.
- ``integrity_fields(exc)``: the fields named by a unique-constraint ``IntegrityError`` (parsed
  from PostgreSQL's ``Key (a, b)=`` detail or SQLite's ``UNIQUE constraint failed: t.a, t.b``), for
  the 409 the API and the pages answer when an ``IntegrityError`` escapes a service.
- ``DuplicateError(field, value, allowed)``: a create (or change) that would make a second row
  where a clinical rule allows one (a record number in use, a planned session already opened, a
  second active baseline). A ``ConflictError`` (HTTP 409) that names its field, and an
  ``InputError`` too, so a form that shows input errors beside their field shows this one there.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.db import models
from django.http import Http404

from ketacare.core.errors import InputError

M = TypeVar("M", bound=models.Model)


class ConflictError(Exception):
    """Someone else saved the record after it was opened; the save is refused (HTTP 409).

    ``fields`` maps the field at fault to its message (``{"version": "stale: ..."}``): the API's
    409 answers it as ``error.fields``.
    """

    expected: int | None
    current: int | None
    message: str
    fields: dict[str, str]

    def __init__(self, obj: models.Model, expected: int, current: int | None) -> None:
        self.expected = expected
        self.current = current
        label = obj._meta.verbose_name
        self.message = (
            f"This {label} was changed by someone else after you opened it "
            f"(you had version {expected}, it is now version {current}). "
            "Nothing was saved: reload the page to see their change, then make yours again."
        )
        self.fields = {"version": f"stale: the record is at version {current}"}
        super().__init__(self.message)


class DuplicateError(ConflictError, InputError):
    """A second row where a clinical rule allows one; nothing was saved (HTTP 409, its field).

    Raised both by a service's own check (the row is already there) and, from the
    ``IntegrityError``, when the database's unique constraint refuses the insert of the loser of
    a race: the answer does not depend on the timing. ``field``, ``value``, ``allowed`` and
    ``message`` are ``InputError``'s; ``fields`` is ``{field: message}``.
    """

    def __init__(self, field: str, value: Any, allowed: str, message: str | None = None) -> None:
        InputError.__init__(self, field, value, allowed, message)
        self.expected = None
        self.current = None
        self.fields = {field: self.message}

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.value, self.allowed, self.message))


INTEGRITY_MESSAGE = (
    "This change conflicts with a record saved at the same moment (the database refused it). "
    "Nothing was saved: reload the page to see the current record, then try again."
)


def integrity_fields(exc: BaseException) -> dict[str, str]:
    """``{field: message}`` for the columns a unique-constraint ``IntegrityError`` names (the
    clinic, which scopes every constraint, is left out); ``{}`` when it names none."""
    text = str(exc)
    columns: list[str] = []
    if found := re.search(r"Key \(([^)]*)\)=", text):  # PostgreSQL's DETAIL
        columns = found.group(1).split(",")
    elif found := re.search(r"UNIQUE constraint failed: ([\w., ]+)", text):  # SQLite
        columns = [c.rsplit(".", 1)[-1] for c in found.group(1).split(",")]
    names = [c.strip().removesuffix("_id") for c in columns]
    return {
        name: "already in use by a record saved at the same moment"
        for name in names
        if name and name != "clinic" and "." not in name
    }


def for_clinic(queryset: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    clinic_id = getattr(user, "clinic_id", None)
    if clinic_id is None:
        return queryset.none()
    return queryset.filter(clinic_id=clinic_id)


def get_for_user(queryset: models.QuerySet[M], user: Any, uuid: Any) -> M:
    try:
        return for_clinic(queryset, user).get(uuid=uuid)
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]  # every concrete model has DoesNotExist; the stubs bind it per model
        raise Http404("No such record in your clinic.") from None
    except Exception as exc:  # invalid UUID text on some backends
        if exc.__class__.__name__ == "ValidationError":
            raise Http404("No such record in your clinic.") from None
        raise


def save_versioned(obj: M, expected_version: int, fields: list[str]) -> M:
    """Save ``fields`` of ``obj`` only if the stored version is still ``expected_version``."""
    model = type(obj)
    values = {name: getattr(obj, name) for name in fields}
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        **values, version=expected_version + 1
    )
    if updated != 1:
        current = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
        raise ConflictError(obj, expected_version, current)
    obj.version = expected_version + 1  # type: ignore[attr-defined]  # every versioned model has a version field
    return obj
