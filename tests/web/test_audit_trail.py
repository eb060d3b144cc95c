"""The audit trail page and its CSV: filters (patient, who, action, dates in the clinic's time
zone), 50 a page through every entry, before and after in words, and who may read it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from ketacare.web.audit import chain
from ketacare.web.audit.models import AuditEntry
from ketacare.web.audit.services import entry_for, record
from ketacare.web.clinic.audit_views import csv_cell
from ketacare.web.patients.models import Patient
from ketacare.web.patients.services import update_demographics
from ketacare.web.treatments import services as treatments

pytestmark = pytest.mark.django_db

URL = reverse("audit:list")
EXPORT = reverse("audit:export")


def _entry(actor: Any, action: str, obj: Any, *, at: dt.datetime | None = None, **kw: Any) -> Any:
    """An entry as ``record`` writes it, at ``at`` (the trail is append-only: the time is set
    before the entry is linked and written, never changed after)."""
    with transaction.atomic():
        entry = entry_for(
            actor, action, obj, kw.get("before"), kw.get("after", {}), kw.get("why", "")
        )
        if at is not None:
            entry.at = at
        return chain.append(entry)


def _second_patient(clinic: Any) -> Any:
    return Patient.objects.create(
        clinic=clinic,
        record_number="N-0002",
        given_name="Blake",
        family_name="Okafor",
        date_of_birth=dt.date(1990, 2, 3),
    )


def _rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def _text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


# --- the patient on each entry --------------------------------------------------------------------


def test_record_sets_the_patient_of_the_audited_object(
    iv_session: Any, nurse: Any, patient: Any, admin_user: Any
) -> None:
    session_entry = AuditEntry.objects.get(action="session.open")
    assert session_entry.patient_id == patient.pk  # a session has its patient
    start = AuditEntry.objects.get(action="course.start")
    assert start.patient_id == patient.pk  # a course has its patient
    vital = treatments.add_vitals(
        nurse, iv_session, minute=0, systolic=120, diastolic=80, heart_rate=70, spo2=98
    )
    assert AuditEntry.objects.get(object_uuid=vital.uuid).patient_id == patient.pk  # via session
    own = _entry(nurse, "patient.touch", patient)
    assert own.patient_id == patient.pk  # the patient itself
    staff = _entry(admin_user, "staff.role", nurse)
    assert staff.patient_id is None  # a staff account belongs to no patient


# --- filters --------------------------------------------------------------------------------------


def test_it_filters_by_the_patient_of_the_charts_link(
    client_for: Any, admin_user: Any, nurse: Any, patient: Any, clinic: Any
) -> None:
    other = _second_patient(clinic)
    _entry(nurse, "patient.update", patient, why="Marlowe's change")
    _entry(nurse, "patient.update", other, why="Okafor's change")
    text = _text(client_for(admin_user).get(URL, {"patient": str(patient.uuid)}))
    assert "Audit trail for Marlowe, Alex (N-0001)" in text
    assert "Marlowe&#x27;s change" in text
    assert "Okafor&#x27;s change" not in text


def test_it_finds_the_patient_by_name_or_record_number(
    client_for: Any, admin_user: Any, nurse: Any, patient: Any, clinic: Any
) -> None:
    other = _second_patient(clinic)
    _entry(nurse, "patient.update", patient, why="Marlowe's change")
    _entry(nurse, "patient.update", other, why="Okafor's change")
    client = client_for(admin_user)
    for query in ("Alex Marlowe", "marlowe", "N-0001"):
        text = _text(client.get(URL, {"q": query}))
        assert "Marlowe&#x27;s change" in text, query
        assert "Okafor&#x27;s change" not in text, query
        assert f"?patient={patient.uuid}" in text  # pick the match to narrow to it
    assert "No patient matches" in _text(client.get(URL, {"q": "Nobody"}))


def test_it_filters_by_who_acted(
    client_for: Any, admin_user: Any, nurse: Any, prescriber: Any, patient: Any
) -> None:
    _entry(nurse, "patient.update", patient, why="nurse-only change")
    _entry(prescriber, "patient.update", patient, why="prescriber-only change")
    text = _text(client_for(admin_user).get(URL, {"user": str(nurse.uuid)}))
    assert "nurse-only change" in text and "prescriber-only change" not in text
    assert "Noor Haddad" in text


def test_it_filters_by_action_and_by_group_with_readable_labels(
    client_for: Any, admin_user: Any, iv_session: Any, prescriber: Any, nurse: Any, patient: Any
) -> None:
    treatments.record_checklist(
        prescriber,
        iv_session,
        systolic=124,
        diastolic=78,
        fasting_hours=6,
        ride_home=True,
        expected_version=iv_session.version,
    )
    treatments.set_dose(
        prescriber,
        iv_session,
        dose_mg_per_kg=0.9,
        override_reason="partial response at 0.75 mg/kg",
        expected_version=iv_session.version,
    )
    _entry(nurse, "patient.update", patient, why="demographics")
    client = client_for(admin_user)
    text = _text(client.get(URL, {"action": "session.dose_override"}))
    assert "Dose recorded above the protocol maximum" in text
    assert "partial response at 0.75 mg/kg" in text
    assert "Pre-dose checklist recorded</td>" not in text.replace("<br>", "</td>")
    assert "demographics" not in text.split("<tbody>")[1]
    group = _text(client.get(URL, {"action": "session.*"}))
    body = group.split("<tbody>")[1]
    assert "Dose recorded above the protocol maximum" in body
    assert "Pre-dose checklist recorded" in body
    assert "Session opened" in body
    assert "Demographics changed" not in body
    # the filter offers the actions grouped, by label
    assert '<optgroup label="Sessions at the chair">' in group
    assert '<option value="session.sign">Session signed</option>' in group


def test_the_date_range_is_days_in_the_clinics_time_zone(
    client_for: Any, admin_user: Any, nurse: Any, patient: Any, clinic: Any
) -> None:
    clinic.time_zone = "Australia/Sydney"  # UTC+11 in January
    clinic.save()
    sydney = zoneinfo.ZoneInfo("Australia/Sydney")
    # 2026-01-10 23:30 UTC is already 2026-01-11 10:30 in Sydney
    _entry(
        nurse,
        "patient.update",
        patient,
        why="late UTC",
        at=dt.datetime(2026, 1, 10, 23, 30, tzinfo=dt.UTC),
    )
    _entry(
        nurse,
        "patient.update",
        patient,
        why="early Sydney",
        at=dt.datetime(2026, 1, 10, 0, 30, tzinfo=sydney),
    )
    _entry(
        nurse,
        "patient.update",
        patient,
        why="next week",
        at=dt.datetime(2026, 1, 18, 9, 0, tzinfo=sydney),
    )
    client = client_for(admin_user)
    text = _text(client.get(URL, {"date_from": "2026-01-11", "date_to": "2026-01-11"}))
    assert "late UTC" in text
    assert "2026-01-11 10:30 AEDT" in text  # shown in the clinic's time too
    assert "early Sydney" not in text and "next week" not in text
    text = _text(client.get(URL, {"date_from": "2026-01-10", "date_to": "2026-01-17"}))
    assert "late UTC" in text and "early Sydney" in text and "next week" not in text
    bad = _text(client.get(URL, {"date_from": "2026-01-12", "date_to": "2026-01-11"}))
    assert "The end date is before the start date." in bad


# --- paging ---------------------------------------------------------------------------------------


def test_it_pages_through_every_entry_newest_first(
    client_for: Any, admin_user: Any, nurse: Any, patient: Any
) -> None:
    same_moment = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
    # many entries at one instant: the order must still be stable (newest id first)
    for i in range(230):
        _entry(nurse, "patient.update", patient, at=same_moment, why=f"change number {i:03d};")
    client = client_for(admin_user)
    seen: list[str] = []
    for page in range(1, 6):
        text = _text(client.get(URL, {"page": page, "patient": str(patient.uuid)}))
        seen += [
            line.split("change number ")[1][:3]
            for line in text.split("\n")
            if "change number " in line
        ]
        if page == 1:
            assert "230 entries" in text and "page 1 of 5" in text
    assert len(seen) == 230
    assert seen == [f"{i:03d}" for i in range(229, -1, -1)]  # every one, once, newest first
    last = _text(client.get(URL, {"page": 5, "patient": str(patient.uuid)}))
    assert f"patient={patient.uuid}&amp;page=4" in last  # paging keeps the filters


# --- before and after in words --------------------------------------------------------------------


def test_before_and_after_are_shown_in_words(
    client_for: Any, admin_user: Any, prescriber: Any, nurse: Any, patient: Any, iv_session: Any
) -> None:
    update_demographics(
        nurse,
        patient,
        expected_version=patient.version,
        reason="married name",
        family_name="Marlowe-King",
        sex="other",
    )
    treatments.record_checklist(
        nurse,
        iv_session,
        systolic=124,
        diastolic=78,
        fasting_hours=6,
        ride_home=True,
        expected_version=iv_session.version,
    )
    treatments.set_dose(nurse, iv_session, expected_version=iv_session.version)
    text = _text(client_for(admin_user).get(URL))
    assert "Family name: Marlowe → Marlowe-King" in text
    assert "Sex: Female → Other" in text  # a choice by its label
    assert "married name" in text
    assert "Dose set by: — → Noor Haddad" in text  # a user id as the person's name
    assert "Dose mg: — → 35.0" in text  # the field read from its name
    assert "Ride home: — → yes" in text  # yes/no, not True/False
    assert "Gates overall: — → pass" in text
    assert str(iv_session.uuid) not in text  # no raw uuid
    assert "Marlowe-King, Alex (N-0001)" in text  # which patient


# --- CSV ------------------------------------------------------------------------------------------


def test_the_csv_has_a_header_and_the_filtered_rows(
    client_for: Any, admin_user: Any, nurse: Any, prescriber: Any, patient: Any
) -> None:
    update_demographics(
        nurse, patient, expected_version=patient.version, reason="typo", given_name="Alexa"
    )
    _entry(prescriber, "patient.update", patient, why="by the prescriber")
    response = client_for(admin_user).get(EXPORT, {"user": str(nurse.uuid)})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    rows = _rows(response)
    assert rows[0] == [
        "When",
        "Who",
        "Action",
        "Action code",
        "Patient",
        "Record",
        "Changes",
        "Reason",
    ]
    assert len(rows) == 2
    when, who, action, code, who_patient, what, changes, reason = rows[1]
    assert when.endswith(" UTC") and len(when) == len("2026-01-05 09:40 UTC")
    assert who == "Noor Haddad"
    assert (action, code) == ("Demographics changed", "patient.update")
    assert who_patient == "Marlowe, Alexa (N-0001)"
    assert what == "Patient"
    assert changes == "Given name: Alex → Alexa"
    assert reason == "typo"


def test_the_csv_escapes_cells_that_start_like_a_formula(
    client_for: Any, admin_user: Any, nurse: Any, patient: Any
) -> None:
    for why in ('=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)"):
        _entry(nurse, "patient.update", patient, why=why)
    rows = _rows(client_for(admin_user).get(EXPORT))[1:]
    reasons = {row[7] for row in rows if row[3] == "patient.update"}
    assert reasons == {'\'=HYPERLINK("http://evil.example","x")', "'+1", "'-2", "'@SUM(A1)"}
    assert csv_cell("safe text") == "safe text"
    assert csv_cell("\t=1") == "'\t=1"


def test_the_csv_pages_through_every_entry(
    client_for: Any, admin_user: Any, nurse: Any, patient: Any
) -> None:
    with transaction.atomic():
        for i in range(620):
            record(nurse, "patient.update", patient, None, {}, f"n{i}")
    rows = _rows(client_for(admin_user).get(EXPORT))
    assert len(rows) == 1 + 620 + AuditEntry.objects.exclude(reason__startswith="n").count()


# --- who may read it ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["nurse", "prescriber", "front_desk", "researcher"])
def test_only_the_clinic_admin_reads_the_audit_trail(
    who: str, people: dict[str, Any], client_for: Any, patient: Any
) -> None:
    client = client_for(people[who])
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_another_clinics_entries_never_appear(
    client_for: Any,
    admin_user: Any,
    other_clinician: Any,
    other_clinic: Any,
    other_patient: Any,
    patient: Any,
    nurse: Any,
) -> None:
    from ketacare.web.accounts.models import User

    _entry(nurse, "patient.update", patient, why="northside entry")
    _entry(other_clinician, "patient.update", other_patient, why="southside entry")
    south_admin = User.objects.create_user(
        username="sol", first_name="Sol", last_name="Ruiz", role="clinic_admin", clinic=other_clinic
    )
    north = client_for(admin_user)
    text = _text(north.get(URL))
    assert "northside entry" in text and "southside entry" not in text
    assert "Oscar Vance" not in text  # nor another clinic's staff in the filter
    csv_text = str(_rows(north.get(EXPORT)))
    assert "southside entry" not in csv_text and "Southgate" not in csv_text
    # another clinic's patient by uuid: as if it did not exist
    assert north.get(URL, {"patient": str(other_patient.uuid)}).status_code == 404
    assert north.get(EXPORT, {"patient": str(other_patient.uuid)}).status_code == 404
    assert north.get(URL, {"patient": "not-a-uuid"}).status_code == 404
    # and a search never reaches the other clinic's patients
    assert "southside entry" not in _text(north.get(URL, {"q": "Southgate"}))
    south = _text(client_for(south_admin).get(URL))
    assert "southside entry" in south and "northside entry" not in south
    assert "Marlowe" not in south
