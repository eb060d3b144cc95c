"""Patient list, registration and demographics edit. The chart (``patients:detail``) shows
courses, sessions and measures: it is composed at the top, in ``ketacare.web.clinic.views``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ketacare.core.errors import InputError
from ketacare.web.accounts.permissions import permission_required
from ketacare.web.lib.forms import add_input_error
from ketacare.web.lib.records import ConflictError, DuplicateError, for_clinic, get_for_user
from ketacare.web.patients import services
from ketacare.web.patients.forms import PatientEditForm, PatientForm
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
            patient = services.create_patient(request.user, **data)  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
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


def demographics_history(patient: Patient) -> list[Any]:
    """The patient's registration and every change of demographics, newest first, in words
    ("Phone: +44 20 7946 0107 → +44 20 7946 0999", who, when in clinic time, why)."""
    from ketacare.web.audit.describe import Describer
    from ketacare.web.audit.models import AuditEntry

    entries = (
        AuditEntry.objects.filter(
            patient=patient,
            object_type="patients.patient",
            action__in=("patient.create", "patient.update"),
        )
        .select_related("actor")
        .order_by("-at", "-pk")[:50]
    )
    return Describer(patient.clinic).rows(entries)


@permission_required("edit_demographics")
def patient_edit(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = get_for_user(Patient.objects.all(), request.user, patient_uuid)
    form = PatientEditForm(
        request.POST or None, instance=patient, initial={"version": patient.version}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("version") or 0
        changes = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("version", "reason") and form.initial.get(k) != v
        }
        if not changes:
            messages.info(request, "Nothing changed: the demographics are as they were.")
            return redirect("patients:detail", patient_uuid=patient.uuid)
        fresh = Patient.objects.get(pk=patient.pk)
        try:
            services.update_demographics(
                request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
                fresh,
                expected_version=expected,
                reason=form.cleaned_data["reason"],
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
