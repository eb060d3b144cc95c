"""Site-wide views: the health page, the landing redirect, the dashboard, the outcomes page and
the patient chart (``patients:detail``: demographics, and for clinical roles the courses,
sessions and measures of ``clinic.chart``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from ketacare import __version__
from ketacare.web.accounts.permissions import can, permission_required
from ketacare.web.audit.services import record
from ketacare.web.clinic import chart
from ketacare.web.courses.models import PlannedSession
from ketacare.web.lib.records import get_for_user
from ketacare.web.patients.models import Patient
from ketacare.web.patients.views import demographics_history


def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 with ``{"status": "ok"}`` when the database answers; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the page must answer whatever the database does
        return JsonResponse(
            {"status": "error", "database": type(exc).__name__, "version": __version__}, status=503
        )
    return JsonResponse({"status": "ok", "database": connection.vendor, "version": __version__})


health = login_not_required(health)


def home(request: HttpRequest) -> HttpResponse:
    """Staff land on the dashboard; researchers on the de-identified outcomes page."""
    if can(request.user, "view_dashboard"):
        return redirect("dashboard")
    if can(request.user, "view_aggregates"):
        return redirect("reports")
    return render(request, "clinic/no_role.html", status=403)


@permission_required("view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    from ketacare.web.clinic.dashboard import dashboard_context

    context = dashboard_context(request.user)
    context["nav"] = "dashboard"
    return render(request, "clinic/dashboard.html", context)


@permission_required("view_aggregates")
def reports(request: HttpRequest) -> HttpResponse:
    """De-identified clinic aggregates (no names, no record numbers, no dates of birth)."""
    from ketacare.web.clinic.aggregates import aggregates_context

    context = aggregates_context(request.user)
    context["nav"] = "reports"
    return render(request, "clinic/reports.html", context)


@permission_required("view_demographics")
def patient_detail(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = get_for_user(Patient.objects.all(), request.user, patient_uuid)
    context: dict[str, object] = {
        "patient": patient,
        "nav": "patients",
        "demographics_history": demographics_history(patient),
    }
    clinical = can(request.user, "view_clinical")
    with transaction.atomic():  # who opened whose chart, every time it is opened
        view = "full chart" if clinical else "demographics and appointments"
        record(request.user, "chart.open", patient, None, {"view": view})
    if clinical:
        context.update(chart.chart_context(patient))
    else:
        context["upcoming"] = (
            PlannedSession.objects.filter(course__patient=patient, status="planned")
            .order_by("date")
            .only("date", "index", "chair", "status", "course_id")[:20]
        )
    return render(request, "patients/detail.html", context)
