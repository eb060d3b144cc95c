"""Report pages: the cohort report (researchers, prescribers, clinic admins), the de-identified
research extract (researchers, clinic admins), the FHIR export (clinic admins, prescribers) and
the PDFs (clinical staff)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from ketacare.web.accounts.permissions import permission_required
from ketacare.web.clinic.reports import charts
from ketacare.web.evidence.outcomes import clinic_cohort_report


def _pct(rate: dict[str, Any]) -> tuple[str, str]:
    if rate.get("rate") is None:
        return "", ""
    return (
        f"{100 * rate['rate']:.1f}%",
        f"{100 * rate['ci_low']:.1f}% to {100 * rate['ci_high']:.1f}%",
    )


def _cells(row: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for key in ("responders", "remitters", "worsened"):
        pct, ci = _pct(row[f"{key}_rate"])
        out.append((key, {"value": row[key], "pct": pct, "ci": ci}))
    return out


def _for_page(data: dict[str, Any]) -> dict[str, Any]:
    """Presentation only: percentages as text and the SVG; every number is the core's."""
    page = dict(data)
    for part in ("induction", "maintenance"):
        table = data[part]
        page[part] = {
            "groups": [{**g, "cells": _cells(g)} for g in table["groups"]],
            "total": {**table["total"], "cells": _cells(table["total"])},
        }
    page["si_pct"] = _pct(data["suicidal_ideation"]["rate"])[0]
    page["late_pct"] = _pct(data["first_response"]["late_rate"])[0]
    km = data["durability"]["km"]
    page["km_at"] = [
        {
            "week": p["week"],
            "pct": f"{100 * p['survival']:.1f}%",
            "ci": f"{100 * p['ci_low']:.1f}% to {100 * p['ci_high']:.1f}%",
        }
        for p in (km["at"] if km else [])
    ]
    page["km_svg"] = mark_safe(charts.km_svg(km, f"{data['name']}: responders still responding"))
    return page


@permission_required("view_aggregates")
def cohort(request: HttpRequest) -> HttpResponse:
    report = clinic_cohort_report(request.user.clinic)  # type: ignore[union-attr]  # login required: request.user is a staff User with a clinic
    scales = [{**_for_page(d), "id": sid} for sid, d in report["scales"].items()]
    return render(
        request,
        "clinic/reports/cohort.html",
        {"report": report, "scales": scales, "nav": "reports", "small_cell": report["small_cell"]},
    )


@permission_required("export_deidentified")
def research_extract(request: HttpRequest) -> HttpResponse:
    from ketacare.web.clinic.reports.exports import deidentified_zip

    fmt = request.GET.get("format")
    if fmt in ("csv", "parquet"):
        body = deidentified_zip(request.user.clinic, fmt)  # type: ignore[union-attr]  # login required: request.user is a staff User with a clinic
        response = HttpResponse(body, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="research-extract-{fmt}.zip"'
        return response
    return render(request, "clinic/reports/research_extract.html", {"nav": "reports"})


@permission_required("export_fhir")
def fhir_bulk(request: HttpRequest) -> HttpResponse:
    from ketacare.web.clinic.reports.exports import fhir_zip

    body = fhir_zip(request.user.clinic)  # type: ignore[union-attr]  # login required: request.user is a staff User with a clinic
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="fhir-bulk-export.zip"'
    return response


@permission_required("export_fhir")
def fhir_patient(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    import json

    from ketacare.web.clinic.reports.exports import patient_bundle
    from ketacare.web.patients.models import Patient

    patient = get_object_or_404(Patient, uuid=patient_uuid, clinic=request.user.clinic)  # type: ignore[union-attr]  # login required: request.user is a staff User with a clinic
    return HttpResponse(
        json.dumps(patient_bundle(patient), indent=2), content_type="application/fhir+json"
    )


@permission_required("view_clinical")
def progress_pdf(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    from ketacare.web.clinic.reports.pdfs import progress_report_pdf
    from ketacare.web.patients.models import Patient

    patient = get_object_or_404(Patient, uuid=patient_uuid, clinic=request.user.clinic)  # type: ignore[union-attr]  # login required: request.user is a staff User with a clinic
    response = HttpResponse(progress_report_pdf(patient), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="progress-{patient.uuid}.pdf"'
    return response


@permission_required("view_clinical")
def rems_pdf(request: HttpRequest, session_uuid: str) -> HttpResponse:
    from ketacare.web.clinic.reports.pdfs import rems_form_pdf
    from ketacare.web.treatments.models import TreatmentSession

    session = get_object_or_404(
        TreatmentSession,
        uuid=session_uuid,
        clinic=request.user.clinic,  # type: ignore[union-attr]  # login required: request.user is a staff User with a clinic
        course__drug="esketamine",  # the REMS form exists for esketamine sessions only
    )
    response = HttpResponse(rems_form_pdf(session), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rems-{session.uuid}.pdf"'
    return response
