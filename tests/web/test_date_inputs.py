"""Date inputs come up filled: a browser's ``<input type="date">`` takes only ISO ``YYYY-MM-DD``
(``datetime-local`` only ``YYYY-MM-DDTHH:MM``), whatever the clinic's display format, so a form
shows the stored date of birth and today's course start, and saving unchanged works."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from typing import Any

import pytest
from django import forms
from django.utils import timezone

import ketacare.web


def input_value(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, f"no input {name!r} on the page"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


@pytest.mark.django_db
def test_editing_demographics_shows_and_keeps_the_date_of_birth(
    front_desk: Any, patient: Any, client_for: Any
) -> None:
    client = client_for(front_desk)
    page = client.get(f"/patients/{patient.uuid}/edit/").content.decode()
    assert input_value(page, "date_of_birth") == "1980-05-17"
    # the form sent back as shown, with only the phone changed
    data = {
        name: input_value(page, name) or ""
        for name in ("record_number", "given_name", "family_name", "date_of_birth", "version")
    }
    data.update({"sex": patient.sex, "phone": "020 7946 0000", "email": "", "reason": "new number"})
    response = client.post(f"/patients/{patient.uuid}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    patient.refresh_from_db()
    assert patient.date_of_birth == dt.date(1980, 5, 17)
    assert patient.phone == "020 7946 0000"


@pytest.mark.django_db
def test_a_new_course_starts_today_in_the_date_input(
    prescriber: Any, patient: Any, client_for: Any
) -> None:
    page = client_for(prescriber).get(f"/courses/new/{patient.uuid}/").content.decode()
    assert input_value(page, "start_date") == timezone.localdate().isoformat()


@pytest.mark.django_db
def test_a_measure_is_taken_now_in_the_datetime_input(
    nurse: Any, patient: Any, client_for: Any
) -> None:
    page = client_for(nurse).get(f"/measures/new/{patient.uuid}/").content.decode()
    value = input_value(page, "taken_at") or ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", value), value


def form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for info in pkgutil.walk_packages(ketacare.web.__path__, "ketacare.web."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


@pytest.mark.django_db
def test_every_date_and_datetime_input_of_every_form_renders_iso() -> None:
    when = dt.datetime(2026, 3, 14, 9, 5, tzinfo=dt.UTC)
    checked = 0
    for cls in form_classes():
        for name, field in cls.base_fields.items():
            widget = field.widget
            kind = getattr(widget, "input_type", None) or widget.attrs.get("type")
            if kind == "date":
                assert widget.format_value(when.date()) == "2026-03-14", (cls, name)
                checked += 1
            elif kind == "datetime-local":
                local = timezone.localtime(when)
                assert widget.format_value(local) == local.strftime("%Y-%m-%dT%H:%M"), (cls, name)
                checked += 1
    assert checked >= 4
