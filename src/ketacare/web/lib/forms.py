"""Helpers shared by every app's forms: attach a core InputError to the right form field, and
the date widgets every form uses.

A browser's ``<input type="date">`` accepts only an ISO ``YYYY-MM-DD`` value and
``datetime-local`` only ``YYYY-MM-DDTHH:MM``; Django's default widget format follows the locale
(``en-gb``: ``17/05/1980``), which the browser drops, so the field came up blank. Parsing is
unaffected: Django always accepts ISO input as well as the locale's."""

from __future__ import annotations

from typing import Any

from django import forms

from ketacare.core.errors import InputError

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """``<input type="date">`` with its value in ISO, as the browser requires."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">`` with its value as ``YYYY-MM-DDTHH:MM``."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs=attrs, format=format or ISO_DATETIME_LOCAL)


def add_input_error(
    form: forms.BaseForm, exc: InputError, field_map: dict[str, str] | None = None
) -> None:
    """Show ``exc`` beside the field it names (mapped through ``field_map``), else on the form."""
    name = (field_map or {}).get(exc.field, exc.field)
    if name in form.fields:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)
