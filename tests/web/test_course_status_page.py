"""The "Change status" page: its hidden version is filled from the course, so the form a
prescriber sees saves the move with its reason; when it cannot save, the reason is on the page
(hidden-field and non-field errors are never dropped by the shared form template)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django import forms
from django.template.loader import render_to_string

from ketacare.web.courses import services
from ketacare.web.courses.models import Course, CourseEvent

START = dt.date(2026, 1, 5)


def hidden_version(page: str) -> str:
    found = re.search(r'<input type="hidden" name="version" value="([^"]*)"', page)
    assert found, "no filled hidden version on the page"
    return found.group(1)


@pytest.fixture
def course(prescriber: Any, patient: Any) -> Course:
    return services.start_course(
        prescriber, patient, protocol_id="iv-racemic", start_date=START, weight_kg=70
    )


@pytest.mark.django_db
def test_the_form_as_shown_saves_the_status_and_its_reason(
    prescriber: Any, course: Course, client_for: Any
) -> None:
    client = client_for(prescriber)
    page = client.get(f"/courses/{course.uuid}/status/").content.decode()
    assert hidden_version(page) == str(course.version)
    response = client.post(
        f"/courses/{course.uuid}/status/",
        {"to_status": "review", "reason": "induction done", "version": hidden_version(page)},
        follow=True,
    )
    course.refresh_from_db()
    assert course.status == "review"
    event = CourseEvent.objects.get(course=course, kind="status")
    assert (event.from_status, event.to_status, event.reason) == (
        "induction",
        "review",
        "induction done",
    )
    assert "Course moved to review" in response.content.decode()


@pytest.mark.django_db
def test_a_missing_version_is_said_on_the_page(
    prescriber: Any, course: Course, client_for: Any
) -> None:
    response = client_for(prescriber).post(
        f"/courses/{course.uuid}/status/", {"to_status": "review", "reason": "induction done"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page and "Version" in page and "required" in page
    course.refresh_from_db()
    assert course.status == "induction"


@pytest.mark.django_db
def test_a_stale_version_is_refused_with_a_message_and_the_current_status(
    prescriber: Any, course: Course, client_for: Any
) -> None:
    client = client_for(prescriber)
    stale = hidden_version(client.get(f"/courses/{course.uuid}/status/").content.decode())
    services.change_status(
        prescriber, course, to_status="review", reason="someone else", expected_version=int(stale)
    )
    response = client.post(
        f"/courses/{course.uuid}/status/",
        {"to_status": "ended", "reason": "moved away", "version": stale},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert '<div class="errors" role="alert">' in page
    assert "Review" in page  # the heading shows the status as it now is
    course.refresh_from_db()
    assert course.status == "review"
    # the form now carries the current version: saving again is a deliberate second decision
    assert hidden_version(page) == str(course.version)


class Sample(forms.Form):
    name = forms.CharField()
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        raise forms.ValidationError("this record changed while you were editing it")


def test_the_shared_form_template_shows_hidden_and_non_field_errors() -> None:
    form = Sample({"name": "x"})
    assert not form.is_valid()
    html = render_to_string("_form_fields.html", {"form": form})
    assert "this record changed while you were editing it" in html
    assert "Version" in html and "This field is required." in html
