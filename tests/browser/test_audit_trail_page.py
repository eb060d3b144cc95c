"""In headless Chromium at desktop width, as a clinic admin: find one patient's audit trail by
name, see who did what to that patient in words, and download the same rows as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
PASSWORD = "correct horse battery staple 42"


def test_a_clinic_admin_filters_by_patient_and_downloads_the_csv(
    browser: Any, live_server: Any, transactional_db: Any
) -> None:
    from ketacare.web.accounts.models import Clinic, User
    from ketacare.web.patients.services import create_patient, update_demographics

    clinic = Clinic.objects.create(name="Northside Ketamine Clinic", time_zone="Europe/London")
    people = {
        username: User.objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=first,
            last_name=last,
            role=role,
            clinic=clinic,
        )
        for username, first, last, role in (
            ("ada", "Ada", "Brooks", "clinic_admin"),
            ("noor", "Noor", "Haddad", "nurse"),
        )
    }
    nurse = people["noor"]
    alex = create_patient(
        nurse,
        record_number="N-0001",
        given_name="Alex",
        family_name="Marlowe",
        date_of_birth=dt.date(1980, 5, 17),
        sex="female",
    )
    other = create_patient(
        nurse,
        record_number="N-0002",
        given_name="Blake",
        family_name="Okafor",
        date_of_birth=dt.date(1990, 2, 3),
    )
    update_demographics(
        nurse, alex, expected_version=alex.version, reason="new number", phone="+44 20 7946 0000"
    )
    update_demographics(
        nurse, other, expected_version=other.version, reason="typo", given_name="Blaake"
    )

    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, base_url=live_server.url, accept_downloads=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "ada")
        page.fill("input[name=password]", PASSWORD)
        page.click("main button.primary")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.click("nav >> text=Audit")
        page.wait_for_url("**/audit/")
        page.screenshot(path=str(SHOTS / "audit-all.png"), full_page=True)

        page.fill("input[name=q]", "Marlowe")
        page.click("form[aria-label='Filter the audit trail'] button.primary")
        page.wait_for_url("**/audit/?q=Marlowe*")
        page.screenshot(path=str(SHOTS / "audit-search.png"), full_page=True)
        page.click("text=Marlowe, Alex (N-0001)")  # narrow to the one patient
        page.wait_for_url(f"**/audit/?patient={alex.uuid}*")
        assert page.locator("h1").inner_text() == "Audit trail for Marlowe, Alex (N-0001)"
        table = page.locator("table.audit tbody").inner_text()
        assert "Demographics changed" in table
        assert "Phone: — → +44 20 7946 0000" in table
        assert "new number" in table and "Noor Haddad" in table
        assert "Okafor" not in table and "typo" not in table
        page.screenshot(path=str(SHOTS / "audit-patient.png"), full_page=True)

        with page.expect_download() as info:
            page.click("text=Download CSV")
        download = info.value
        assert download.suggested_filename.startswith("audit-trail-")
        rows = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
        assert rows[0][:3] == ["When", "Who", "Action"]
        assert {r[4] for r in rows[1:]} == {"Marlowe, Alex (N-0001)"}
        assert any("Phone: — → +44 20 7946 0000" in r[6] for r in rows[1:])
        assert "'+44" not in str(rows)  # only a cell that starts like a formula is quoted
    finally:
        context.close()
