"""Browser tests: the real pages in headless Chromium (Debian's /usr/bin/chromium) through
Playwright, against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The ORM calls here are the
tests' own set-up in the test thread (the live server answers from its own thread), so the
``browser`` fixture sets it while the browser runs, and only then.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple 42"


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch(sync_playwright)
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def _launch(sync_playwright: Any) -> Iterator[Any]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    # a tablet-sized viewport: the session page is used at the chair
    context = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def clinic_people(transactional_db: Any) -> dict[str, Any]:
    from tests.web.conftest import clear_screen, consent_for

    from ketacare.web.accounts.models import Clinic, User
    from ketacare.web.courses.services import start_course
    from ketacare.web.patients.models import Patient

    clinic = Clinic.objects.create(name="Northside Ketamine Clinic", chairs=3)
    people = {}
    for key, (username, first, last, role) in {
        "prescriber": ("priya", "Priya", "Shah", "prescriber"),
        "nurse": ("noor", "Noor", "Haddad", "nurse"),
    }.items():
        people[key] = User.objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=first,
            last_name=last,
            role=role,
            clinic=clinic,
        )
    patient = Patient.objects.create(
        clinic=clinic,
        record_number="N-0001",
        given_name="Alex",
        family_name="Marlowe",
        date_of_birth=dt.date(1980, 5, 17),
        sex="female",
    )
    clear_screen(patient, people["nurse"])
    course = start_course(
        people["prescriber"],
        patient,
        protocol_id="iv-racemic",
        start_date=timezone.localdate(),
        weight_kg=70.0,
    )
    consent_for(course, people["prescriber"])
    return {"clinic": clinic, "patient": patient, "course": course, **people}


@pytest.fixture
def log_in(page: Any) -> Any:
    """Sign in through the login page as ``username``."""

    def sign_in(username: str) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button.primary")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return sign_in


# --- the staff journeys (test_journey_*.py): each at a tablet and at a desktop ---------------

#: a nurse's tablet at the chair, and a desktop at the front desk or the prescriber's office
SIZES = {"1024x768": (1024, 768), "1366x900": (1366, 900)}
SHOTS = os.environ.get("KETACARE_SCREENSHOTS", "/tmp/shots")


@pytest.fixture(params=list(SIZES))
def sized(request: Any, browser: Any, live_server: Any) -> Iterator[Any]:
    """A page at each of ``SIZES`` in turn (``page.size`` names it for the screenshots)."""
    width, height = SIZES[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        base_url=live_server.url,
        has_touch=width < 1200,
    )
    context.set_default_timeout(20_000)  # a loaded CI machine: the journeys are long
    pg = context.new_page()
    pg.size = request.param
    yield pg
    context.close()


def sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def shot(page: Any, name: str) -> None:
    """Save the whole page as $KETACARE_SCREENSHOTS/journey-<name>-<size>.png for a person to
    look at, after checking what a person would notice at once: no sideways scrolling."""
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"journey-{name}-{page.size}.png"), full_page=True)
    assert_no_sideways_scroll(page)


def assert_no_sideways_scroll(page: Any) -> None:
    wide = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide[0] <= wide[1], f"{page.url} scrolls sideways: {wide[0]} px wide in {wide[1]} px"


@pytest.fixture
def staff(transactional_db: Any) -> dict[str, Any]:
    """One clinic's people, one of each role (the names of tests/web/conftest.py)."""
    from tests.web.conftest import PEOPLE

    from ketacare.web.accounts.models import Clinic, User

    clinic = Clinic.objects.create(name="Northside Ketamine Clinic", chairs=3)
    people: dict[str, Any] = {"clinic": clinic}
    for key, (username, first, last, role, where) in PEOPLE.items():
        if where == "north":
            people[key] = User.objects.create_user(
                username=username,
                password=PASSWORD,
                first_name=first,
                last_name=last,
                role=role,
                clinic=clinic,
            )
    return people
