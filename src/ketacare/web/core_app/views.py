"""Site-wide views: the health page and the landing redirect."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from ketacare import __version__
from ketacare.web.accounts.permissions import can, permission_required


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
    return render(request, "core_app/no_role.html", status=403)


@permission_required("view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    from ketacare.web.core_app.dashboard import dashboard_context

    context = dashboard_context(request.user)
    context["nav"] = "dashboard"
    return render(request, "core_app/dashboard.html", context)


@permission_required("view_aggregates")
def reports(request: HttpRequest) -> HttpResponse:
    """De-identified clinic aggregates (no names, no record numbers, no dates of birth)."""
    from ketacare.web.core_app.aggregates import aggregates_context

    context = aggregates_context(request.user)
    context["nav"] = "reports"
    return render(request, "core_app/reports.html", context)
