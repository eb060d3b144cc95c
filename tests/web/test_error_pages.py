"""403, 404 and 500 are the app's own pages, with a way back to the landing page. The 500 page
renders with no request context at all (it is shown when something has already gone wrong)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.template import Context, Engine
from django.template.loader import get_template


@pytest.mark.django_db
def test_a_missing_record_is_a_404_in_the_layout_with_a_way_back(
    nurse: Any, client_for: Any
) -> None:
    response = client_for(nurse).get(f"/patients/{uuid.uuid4()}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<header class="topbar">' in page and "Noor" in page  # the layout, signed in
    assert "Page not found" in page
    assert '<a class="button primary" href="/">' in page


@pytest.mark.django_db
def test_a_page_the_role_may_not_open_is_a_403_in_the_layout_with_the_reason(
    front_desk: Any, patient: Any, client_for: Any
) -> None:
    response = client_for(front_desk).get(f"/measures/new/{patient.uuid}/")
    assert response.status_code == 403
    page = response.content.decode()
    assert '<header class="topbar">' in page and "Frank" in page
    assert "Not allowed" in page
    assert "Your role may not record measure" in page  # the permission's own reason
    assert '<a class="button primary" href="/">' in page


@pytest.mark.django_db
def test_an_unknown_address_is_a_404_for_a_visitor_too(client_for: Any) -> None:
    response = client_for(None).get("/no-such-page/")
    assert response.status_code == 404
    assert '<a class="button primary" href="/">' in response.content.decode()


def test_the_500_page_needs_no_request_context() -> None:
    template = get_template("500.html")
    source = template.template.source
    assert "{%" not in source and "{{" not in source  # no tag or variable that could fail
    html = Engine().from_string(source).render(Context())
    assert "Something went wrong" in html and 'href="/"' in html


@pytest.mark.django_db
def test_a_server_error_shows_the_500_page(nurse: Any, client_for: Any, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("ketacare.web.clinic.chart.chart_context", broken)
    client = client_for(nurse)
    client.raise_request_exception = False
    from ketacare.web.patients.models import Patient

    patient = Patient.objects.create(
        clinic=nurse.clinic,
        record_number="N-9",
        given_name="A",
        family_name="B",
        date_of_birth="1980-01-01",
    )
    response = client.get(f"/patients/{patient.uuid}/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
