"""/api/v1/reports/...: the cohort report (JSON), the research extract and the FHIR export (zip),
one patient's FHIR Bundle and progress report (PDF). Same services and permissions as the pages."""

from __future__ import annotations

import json
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router

from ketacare.web.accounts.api import api_user

router = Router(tags=["reports"])


@router.get("/cohort", summary="The cohort report (ORKA shape), small cells suppressed")
def cohort(request: HttpRequest) -> dict[str, Any]:
    from ketacare.web.evidence.outcomes import clinic_cohort_report

    user = api_user(request, "view_aggregates")
    return clinic_cohort_report(user.clinic)


@router.get("/deidentified", summary="The de-identified research extract (zip)")
def deidentified(
    request: HttpRequest, format: Literal["parquet", "csv"] = "parquet"
) -> HttpResponse:
    from ketacare.web.clinic.reports.exports import deidentified_zip

    user = api_user(request, "export_deidentified")
    response = HttpResponse(deidentified_zip(user.clinic, format), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="research-extract-{format}.zip"'
    return response


@router.get("/fhir", summary="FHIR R4 bulk export of the clinic (zip of NDJSON + manifest)")
def fhir(request: HttpRequest) -> HttpResponse:
    from ketacare.web.clinic.reports.exports import fhir_zip

    user = api_user(request, "export_fhir")
    return HttpResponse(fhir_zip(user.clinic), content_type="application/zip")


@router.get("/fhir/{patient_uuid}", summary="One patient's FHIR R4 Bundle")
def fhir_patient(request: HttpRequest, patient_uuid: UUID) -> HttpResponse:
    from ketacare.web.clinic.reports.exports import patient_bundle
    from ketacare.web.patients.models import Patient

    user = api_user(request, "export_fhir")
    patient = get_object_or_404(Patient, uuid=patient_uuid, clinic=user.clinic)
    return HttpResponse(json.dumps(patient_bundle(patient)), content_type="application/fhir+json")


@router.get("/progress/{patient_uuid}", summary="A patient's progress report (PDF)")
def progress(request: HttpRequest, patient_uuid: UUID) -> HttpResponse:
    from ketacare.web.clinic.reports.pdfs import progress_report_pdf
    from ketacare.web.patients.models import Patient

    user = api_user(request, "view_clinical")
    patient = get_object_or_404(Patient, uuid=patient_uuid, clinic=user.clinic)
    return HttpResponse(progress_report_pdf(patient), content_type="application/pdf")
