"""Every report works on the demo clinic: the cohort report page, the research extract, the FHIR
export (every resource validated) and both PDFs."""

from __future__ import annotations

import importlib
import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader


@pytest.mark.django_db(transaction=True)
def test_the_demo_clinic_gets_every_report() -> None:
    from ketacare.web import demo
    from ketacare.web.accounts.models import User
    from ketacare.web.patients.models import Patient
    from ketacare.web.treatments.models import TreatmentSession

    list(demo.seed())

    def as_role(role: str) -> Client:
        client = Client()
        client.force_login(User.objects.filter(role=role).first())
        return client

    researcher, admin, prescriber = (
        as_role("researcher"),
        as_role("clinic_admin"),
        as_role("prescriber"),
    )
    page = researcher.get("/reports/cohort/")
    assert page.status_code == 200 and "Definitions used" in page.content.decode()
    report = researcher.get("/api/v1/reports/cohort").json()
    assert report["courses"] is None or report["courses"] >= 5
    extract = researcher.get("/reports/research-extract/", {"format": "parquet"})
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(extract.content)).namelist()
    bulk = zipfile.ZipFile(io.BytesIO(admin.get("/reports/fhir/").content))
    manifest = json.loads(bulk.read("manifest.json"))
    assert {o["type"] for o in manifest["output"]} >= {
        "Patient", "Encounter", "MedicationAdministration", "Observation",
        "QuestionnaireResponse",
    }  # fmt: skip
    for output in manifest["output"]:
        for line in bulk.read(output["url"]).decode().splitlines():
            resource: dict[str, Any] = json.loads(line)
            kind = resource["resourceType"]
            module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
            getattr(module, kind).model_validate(resource)
    patient = Patient.objects.filter(courses__isnull=False).first()
    assert patient is not None
    pdf = prescriber.get(f"/reports/progress/{patient.uuid}/")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert patient.family_name in text and "Outcome so far" in text
    esk = TreatmentSession.objects.filter(course__drug="esketamine").first()
    if esk is not None:
        rems = prescriber.get(f"/reports/rems/{esk.uuid}/")
        assert rems.status_code == 200
        assert "REMS" in PdfReader(io.BytesIO(rems.content)).pages[0].extract_text()
