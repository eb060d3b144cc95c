"""Sign in with a password (Argon2 in production settings), sign out; the calendar shows the
clinic's planned sessions without doses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

PASSWORD = "correct horse battery staple 42"  # tests/web/conftest.py


def test_production_settings_hash_passwords_with_argon2() -> None:
    import ketacare.web.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_a_nurse_signs_in_lands_on_the_dashboard_and_signs_out(nurse: Any) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "noor", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get(response["Location"], follow=True)
    assert home.redirect_chain[-1][0] == "/dashboard/"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_is_refused(nurse: Any) -> None:
    response = Client().post("/accounts/login/", {"username": "noor", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.django_db
def test_a_researcher_lands_on_the_outcomes_page(researcher: Any, client_for: Any) -> None:
    response = client_for(researcher).get("/")
    assert response["Location"] == "/outcomes/"


@pytest.mark.django_db
def test_the_calendar_shows_sessions_by_day_without_doses(
    front_desk: Any, world: dict[str, Any], client_for: Any
) -> None:
    response = client_for(front_desk).get("/courses/calendar/?month=2026-01")
    assert response.status_code == 200
    page = response.content.decode()
    # A dose reads "35 mg" or "0.5 mg/kg"; a random CSRF token may hold the letters "mg".
    assert "Marlowe" in page and not re.search(r"\d\s*mg\b", page)


@pytest.mark.django_db
def test_a_bad_month_falls_back_to_this_month(front_desk: Any, client_for: Any) -> None:
    assert client_for(front_desk).get("/courses/calendar/?month=13-2026").status_code == 200


@pytest.mark.django_db
def test_the_stylesheet_and_htmx_are_found_by_the_static_finders() -> None:
    from django.contrib.staticfiles import finders

    assert finders.find("ketacare/site.css")
    htmx = finders.find("ketacare/htmx.min.js")
    assert htmx
    with open(htmx, encoding="utf-8") as handle:
        assert "0BSD" in handle.read(300)
