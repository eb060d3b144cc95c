"""The de-identified research extract (HIPAA Safe Harbor) and the FHIR R4 export.

Rosa Lind (researcher) downloads the extract and nothing else; Dr Priya Shah exports FHIR;
every FHIR resource validates with fhir.resources (R4B models: FHIR 4.3, the R4 structure).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

IDENTIFYING_COLUMNS = {
    "given_name", "family_name", "record_number", "date_of_birth", "phone", "email",
    "patient_id", "course_id", "uuid", "taken_at", "date", "start_date", "description",
    "note", "indication", "reason",
}  # fmt: skip


@pytest.fixture
def records(clinic: Any, patient: Any, prescriber: Any) -> dict[str, Any]:
    """Alex Marlowe (born 1980) and Edith Oldham (born 1930: 95 at the course start), each with a
    course, a given session with vitals and an adverse event, and PHQ-9 measures."""
    from ketacare.web.courses.models import Course
    from ketacare.web.measures.models import Measure
    from ketacare.web.patients.models import Patient
    from ketacare.web.treatments.models import AdverseEvent, TreatmentSession, VitalSign

    old = Patient.objects.create(
        clinic=clinic,
        record_number="N-0090",
        given_name="Edith",
        family_name="Oldham",
        date_of_birth=dt.date(1930, 2, 1),
        sex="female",
        phone="555-0100",
        email="edith@example.org",
    )
    made: dict[str, Any] = {"patients": [patient, old], "sessions": []}
    for p in (patient, old):
        start = dt.date(2026, 1, 5)
        course = Course.objects.create(
            clinic=clinic,
            patient=p,
            protocol_id="iv-racemic",
            drug="racemic",
            route="iv",
            start_date=start,
            weight_kg=70.4,
            prescriber=prescriber,
            indication="free text that must not leave",
        )
        at = dt.datetime(2026, 1, 7, 9, 0, tzinfo=dt.UTC)
        s = TreatmentSession.objects.create(
            clinic=clinic,
            patient=p,
            course=course,
            date=at.date(),
            weight_kg=70.4,
            dose_mg=35.2,
            dose_mg_per_kg=0.5,
            started_at=at,
            ended_at=at + dt.timedelta(minutes=40),
            created_by=prescriber,
        )
        made["sessions"].append(s)
        VitalSign.objects.create(
            clinic=clinic,
            session=s,
            taken_at=at + dt.timedelta(minutes=10),
            systolic=128,
            diastolic=82,
            heart_rate=76,
            spo2=98,
            resp_rate=14,
            entered_by=prescriber,
        )
        AdverseEvent.objects.create(
            clinic=clinic,
            session=s,
            onset_at=at + dt.timedelta(minutes=20),
            description="nausea, told the nurse about her cat Whiskers",
            severity="mild",
            entered_by=prescriber,
        )
        for d, total, base in ((0, 20, True), (16, 8, False)):
            Measure.objects.create(
                clinic=clinic,
                patient=p,
                course=course,
                scale_id="phq9",
                taken_at=dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC) + dt.timedelta(days=d),
                items=[min(3, max(0, total - 3 * i)) for i in range(8)] + [0],
                result={},
                total=total,
                is_baseline=base,
                entered_by=prescriber,
            )
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_extract_has_no_identifier_no_date_and_groups_ages_90_and_over(
    clinic: Any, records: dict[str, Any], tmp_path: Path, fmt: str, capsys: Any
) -> None:
    from ketacare.cli import main

    out = tmp_path / "extract"
    assert (
        main(
            [
                "export",
                "deidentified",
                "--format",
                fmt,
                "--output",
                str(out),
                "--clinic",
                clinic.name,
            ]
        )
        == 0
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["standard"].startswith("HIPAA Safe Harbor")
    assert len(manifest["identifiers_removed"]) == 18
    assert {f["file"] for f in manifest["files"]} == {
        f"{t}.{fmt}" for t in ("courses", "sessions", "measures", "adverse_events")
    }
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    tables = {f["table"]: read(out / f["file"]) for f in manifest["files"]}
    dictionary = pd.read_csv(out / "data_dictionary.csv")
    for name, frame in tables.items():
        assert not set(frame.columns) & IDENTIFYING_COLUMNS, name
        listed = set(dictionary[dictionary["table"] == name]["column"])
        assert set(frame.columns) == listed
    courses = tables["courses"].sort_values("age_90_or_over")
    assert list(courses["age_90_or_over"]) == [False, True]
    assert courses["age_at_start"].iloc[0] == 45  # born 1980-05-17, course 2026-01-05
    assert pd.isna(courses["age_at_start"].iloc[1])  # 95: grouped as 90+
    assert sorted(tables["measures"]["day"]) == [0, 0, 16, 16]
    assert list(tables["sessions"]["day"]) == [2, 2]
    blob = b"".join(p.read_bytes() for p in out.iterdir())
    for secret in (b"Marlowe", b"Oldham", b"N-0001", b"Whiskers", b"free text"):
        assert secret not in blob, secret
    values = " ".join(frame.astype(str).to_csv() for frame in tables.values())
    for year in ("1980", "1930", "2026"):  # no date element in any value
        assert year not in values, year


@pytest.mark.django_db
def test_rosa_downloads_the_extract_but_no_fhir(
    researcher: Any, prescriber: Any, records: dict[str, Any], client_for: Any
) -> None:
    rosa = client_for(researcher)
    page = rosa.get("/reports/research-extract/")
    assert page.status_code == 200 and "Safe Harbor" in page.content.decode()
    zipped = rosa.get("/reports/research-extract/", {"format": "csv"})
    names = zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
    assert "manifest.json" in names and "courses.csv" in names
    assert rosa.get("/api/v1/reports/deidentified?format=parquet").status_code == 200
    assert rosa.get("/reports/fhir/").status_code == 403
    assert rosa.get("/api/v1/reports/fhir").status_code == 403
    # prescribers see identified records; the research extract is not theirs to take
    assert client_for(prescriber).get("/reports/research-extract/").status_code == 403


def _validate(resource: dict[str, Any]) -> None:
    import importlib

    kind = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
    getattr(module, kind).model_validate(resource)


@pytest.mark.django_db
def test_the_bulk_export_validates_and_codes_what_it_can(
    clinic: Any, records: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    from ketacare.cli import main

    out = tmp_path / "fhir"
    assert main(["export", "fhir", "--output", str(out), "--json", "--clinic", clinic.name]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    kinds = {o["type"]: o["count"] for o in manifest["output"]}
    assert kinds == {
        "AdverseEvent": 2,
        "Encounter": 2,
        "MedicationAdministration": 2,
        "Observation": 2 * 5 + 4,  # 5 vital signs per session, 2 PHQ-9 totals per patient
        "Patient": 2,
        "QuestionnaireResponse": 4,
    }
    codes: set[str] = set()
    for o in manifest["output"]:
        lines = (out / o["url"]).read_text().splitlines()
        assert len(lines) == o["count"]
        for line in lines:
            resource = json.loads(line)
            _validate(resource)
            concepts = [resource.get("code", {}), resource.get("medicationCodeableConcept", {})]
            concepts += [c["code"] for c in resource.get("component", [])]
            codes.update(c["code"] for concept in concepts for c in concept.get("coding", []))
    # LOINC: PHQ-9 total and item 9; vital signs. RxNorm: ketamine.
    assert {"44261-6", "44260-8", "8480-6", "8462-4", "8867-4", "59408-5", "9279-1"} <= codes
    assert "6130" in codes


@pytest.mark.django_db
def test_one_patient_bundle_holds_only_that_patient(
    prescriber: Any, patient: Any, records: dict[str, Any], client_for: Any
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    response = client_for(prescriber).get(f"/reports/fhir/{patient.uuid}/")
    assert response.status_code == 200
    bundle = response.json()
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        _validate(entry["resource"])
    text = json.dumps(bundle)
    assert "Marlowe" in text and "Oldham" not in text
    api = client_for(prescriber).get(f"/api/v1/reports/fhir/{patient.uuid}")
    assert api.status_code == 200 and api.json()["type"] == "collection"
