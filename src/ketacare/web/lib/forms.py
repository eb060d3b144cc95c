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


def plain_words(exc: InputError) -> str:
    """The core's error in plain words for the person at the form, beside the field it names:
    what was given and what is allowed ("2027-02-14 is not possible here. Allowed: a date on or
    before 2026-12-04."). A message the core wrote in words itself is kept as it is; the API and
    the CLI keep the precise ``field: value; allowed`` form (``exc.message``)."""
    default = f"{exc.field}: {exc.value!r} is not allowed; allowed: {exc.allowed}"
    if exc.message != default:
        return exc.message
    value = exc.value
    if isinstance(value, float):
        text = f"{value:g}"
    elif value is None or value == "" or value == [] or value == {}:
        text = "A blank"
    elif isinstance(value, (list, tuple)):
        text = ", ".join("blank" if v is None else str(v) for v in value)
    else:
        text = str(value.isoformat() if hasattr(value, "isoformat") else value)
    allowed = exc.allowed.rstrip(".")
    return f"{text} is not possible here. Allowed: {allowed}."


def add_input_error(
    form: forms.BaseForm, exc: InputError, field_map: dict[str, str] | None = None
) -> None:
    """Show ``exc`` beside the field it names (mapped through ``field_map``) in plain words, else
    at the top of the form naming the field in words."""
    name = (field_map or {}).get(exc.field, exc.field)
    if name in form.fields:
        form.add_error(name, plain_words(exc))
    else:
        label = exc.field.replace("_", " ")
        form.add_error(None, f"{label[:1].upper()}{label[1:]}: {plain_words(exc)}")
