"""Patient list, registration, chart and demographics edit."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ketacare.core.errors import InputError
from ketacare.web.accounts.permissions import can, permission_required
from ketacare.web.audit.services import record
from ketacare.web.core_app.forms import add_input_error
from ketacare.web.core_app.records import (
    ConflictError,
    DuplicateError,
    for_clinic,
    get_for_user,
)
from ketacare.web.patients import services
from ketacare.web.patients.forms import PatientForm
from ketacare.web.patients.models import Patient
from ketacare.web.patients.search import search_filter


@permission_required("view_patient_list")
def patient_list(request: HttpRequest) -> HttpResponse:
    patients = for_clinic(Patient.objects.filter(archived=False), request.user)
    query = request.GET.get("q", "").strip()
    if query:
        patients = patients.filter(search_filter(query))
    return render(
        request,
        "patients/list.html",
        {"patients": patients[:500], "q": query, "nav": "patients"},
    )


@permission_required("edit_demographics")
def patient_new(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            patient = services.create_patient(request.user, **data)  # type: ignore[arg-type]
        except DuplicateError as exc:  # the record number is in use: 409, beside its field
            add_input_error(form, exc)
            status = 409
        except InputError as exc:
            add_input_error(form, exc)
        else:
            messages.success(request, f"{patient.full_name} registered.")
            return redirect("patients:detail", patient_uuid=patient.uuid)
    context = {"form": form, "nav": "patients", "new": True}
    return render(request, "patients/form.html", context, status=status)


@permission_required("view_demographics")
def patient_detail(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = get_for_user(Patient.objects.all(), request.user, patient_uuid)
    context: dict[str, object] = {"patient": patient, "nav": "patients"}
    clinical = can(request.user, "view_clinical")
    with transaction.atomic():  # who opened whose chart, every time it is opened
        view = "full chart" if clinical else "demographics and appointments"
        record(request.user, "chart.open", patient, None, {"view": view})
    if clinical:
        from ketacare.web.patients.chart import chart_context

        context.update(chart_context(patient))
    else:
        from ketacare.web.courses.models import PlannedSession

        context["upcoming"] = (
            PlannedSession.objects.filter(course__patient=patient, status="planned")
            .order_by("date")
            .only("date", "index", "chair", "status", "course_id")[:20]
        )
    return render(request, "patients/detail.html", context)


@permission_required("edit_demographics")
def patient_edit(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = get_for_user(Patient.objects.all(), request.user, patient_uuid)
    form = PatientForm(request.POST or None, instance=patient, initial={"version": patient.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("version") or 0
        changes = {
            k: v
            for k, v in form.cleaned_data.items()
            if k != "version" and form.initial.get(k) != v
        }
        fresh = Patient.objects.get(pk=patient.pk)
        try:
            services.update_demographics(
                request.user,  # type: ignore[arg-type]
                fresh,
                expected_version=expected,
                **changes,
            )
        except DuplicateError as exc:  # the record number is in use: 409, beside its field
            add_input_error(form, exc)
            status = 409
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except InputError as exc:
            add_input_error(form, exc)
        else:
            messages.success(request, "Demographics saved.")
            return redirect("patients:detail", patient_uuid=patient.uuid)
    context = {"form": form, "patient": patient, "nav": "patients"}
    return render(request, "patients/form.html", context, status=status)
