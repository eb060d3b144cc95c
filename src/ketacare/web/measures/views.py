"""Entering a measure (any scale of the core), open alerts and their acknowledgement."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketacare.core import scales as core_scales
from ketacare.core.errors import InputError
from ketacare.web.accounts.permissions import permission_required
from ketacare.web.lib.forms import add_input_error
from ketacare.web.lib.records import ConflictError, DuplicateError, for_clinic, get_for_user
from ketacare.web.lib.zone import clinic_time
from ketacare.web.measures import services
from ketacare.web.measures.alerts import alert_rows, group_by_patient, scale_name
from ketacare.web.measures.forms import AcknowledgeForm, MeasureForm, item_field_map
from ketacare.web.measures.models import Alert, Measure
from ketacare.web.patients.models import Patient


@permission_required("record_measure")
def measure_new(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = get_for_user(Patient.objects.all(), request.user, patient_uuid)
    scales = core_scales.list_scales()
    scale_id = request.POST.get("scale") or request.GET.get("scale") or "phq9"
    try:
        scale = core_scales.get_scale(scale_id)
    except InputError:
        scale = core_scales.get_scale("phq9")
    courses = list(patient.courses.exclude(status="ended").order_by("-start_date"))
    is_post = request.method == "POST" and "taken_at" in request.POST
    form = MeasureForm(request.POST if is_post else None, scale=scale, courses=courses)
    status = 200
    if is_post and form.is_valid():
        course = next((c for c in courses if str(c.uuid) == form.cleaned_data["course"]), None)
        try:
            measure = services.record_measure(
                request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
                patient,
                scale_id=scale.id,
                items=form.items(),
                options=form.options(),
                taken_at=form.cleaned_data["taken_at"],
                course=course,
                baseline=form.cleaned_data["baseline"],
            )
        except DuplicateError as exc:  # a second baseline: 409, beside the baseline box
            add_input_error(form, exc)
            status = 409
        except InputError as exc:
            add_input_error(form, exc, item_field_map(scale))
        else:
            if measure.total is not None:
                text = f"{scale.name} recorded: total {measure.total:g}"
            else:  # a screen with no total (C-SSRS): its triage level, as the core gave it
                text = f"{scale.name} recorded: triage {measure.triage or 'not given'}"
            if measure.severity:
                text += f" ({measure.severity})"
            messages.success(request, text)
            if measure.si_level in ("positive", "urgent"):
                reason = (measure.si_signal or {}).get("reason", "")
                messages.warning(request, f"Suicidal-ideation alert raised: {reason}")
            return redirect("patients:detail", patient_uuid=patient.uuid)
    context: dict[str, Any] = {
        "patient": patient,
        "scale": scale,
        "scales": scales,
        "form": form,
        "nav": "patients",
    }
    return render(request, "measures/new.html", context, status=status)


@permission_required("view_clinical")
def alert_list(request: HttpRequest) -> HttpResponse:
    """Every alert of the clinic, open ones first, grouped per patient: the measure that raised
    it (the scale's name), when it was taken and raised (clinic time), each with its own
    acknowledgement and note."""
    clinic = getattr(request.user, "clinic", None)
    alerts = alert_rows(
        for_clinic(Alert.objects.all(), request.user).order_by(
            F("acknowledged_at").asc(nulls_first=True), "-raised_at"
        )[:200],
        clinic,
    )
    context = {
        "groups": group_by_patient(alerts),
        "n_open": sum(1 for a in alerts if a["is_open"]),
        "n_alerts": len(alerts),
        "nav": "dashboard",
    }
    return render(request, "measures/alerts.html", context)


@permission_required("acknowledge_alert")
def alert_acknowledge(request: HttpRequest, alert_uuid: str) -> HttpResponse:
    alert = get_for_user(
        Alert.objects.select_related("patient", "measure"), request.user, alert_uuid
    )
    form = AcknowledgeForm(request.POST or None, initial={"version": alert.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.acknowledge_alert(
                request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
                alert,
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except InputError as exc:
            add_input_error(form, exc)
        else:
            messages.success(request, "Alert acknowledged.")
            return redirect("dashboard")
    clinic = getattr(request.user, "clinic", None)
    context = {
        "alert": alert,
        "form": form,
        "nav": "dashboard",
        "measure_name": scale_name(alert.measure.scale_id) if alert.measure else "",
        "taken_at": clinic_time(alert.measure.taken_at, clinic) if alert.measure else None,
        "raised_at": clinic_time(alert.raised_at, clinic),
        "acknowledged_at": clinic_time(alert.acknowledged_at, clinic),
    }
    return render(request, "measures/acknowledge.html", context)


@permission_required("record_measure")
@require_POST
def measure_withdraw(request: HttpRequest, measure_uuid: str) -> HttpResponse:
    measure = get_for_user(Measure.objects.select_related("patient"), request.user, measure_uuid)
    try:
        services.withdraw_measure(request.user, measure, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Measure withdrawn (kept in the record, left out of charts).")
    return redirect("patients:detail", patient_uuid=measure.patient.uuid)
