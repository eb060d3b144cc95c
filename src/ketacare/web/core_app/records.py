"""Shared rules for clinical records: clinic scoping and the version check.

- ``for_clinic(queryset, user)``: only the user's clinic's rows.
- ``get_for_user(queryset, user, uuid)``: one row of the user's clinic, else 404 (another clinic's
  record is indistinguishable from a missing one).
- ``save_versioned(obj, expected_version, fields)``: one conditional UPDATE ... WHERE version = n;
  if someone else saved first the update touches no row and ``ConflictError`` is raised, so the
  second of two editors is refused instead of overwriting the first.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


class ConflictError(Exception):
    """Someone else saved the record after it was opened; the save is refused (HTTP 409)."""

    def __init__(self, obj: models.Model, expected: int, current: int | None) -> None:
        self.expected = expected
        self.current = current
        label = obj._meta.verbose_name
        self.message = (
            f"This {label} was changed by someone else after you opened it "
            f"(you had version {expected}, it is now version {current}). "
            "Nothing was saved: reload the page to see their change, then make yours again."
        )
        super().__init__(self.message)


def for_clinic(queryset: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    clinic_id = getattr(user, "clinic_id", None)
    if clinic_id is None:
        return queryset.none()
    return queryset.filter(clinic_id=clinic_id)


def get_for_user(queryset: models.QuerySet[M], user: Any, uuid: Any) -> M:
    try:
        return for_clinic(queryset, user).get(uuid=uuid)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
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
    obj.version = expected_version + 1  # type: ignore[attr-defined]
    return obj
