"""Helpers shared by every app's forms: attach a core InputError to the right form field."""

from __future__ import annotations

from django import forms

from ketacare.core.errors import InputError


def add_input_error(
    form: forms.BaseForm, exc: InputError, field_map: dict[str, str] | None = None
) -> None:
    """Show ``exc`` beside the field it names (mapped through ``field_map``), else on the form."""
    name = (field_map or {}).get(exc.field, exc.field)
    if name in form.fields:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)
