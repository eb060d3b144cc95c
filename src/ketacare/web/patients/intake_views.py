"""The intake page: antidepressant trials with the core's TRD stage, the contraindication screen,
consent per treatment series. Each form posts to its own URL; errors re-render the page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketacare.core import intake as core_intake
from ketacare.core.errors import InputError
from ketacare.web.accounts.permissions import permission_required
from ketacare.web.lib.forms import add_input_error
from ketacare.web.lib.records import get_for_user
from ketacare.web.patients import intake
from ketacare.web.patients.forms import ConsentForm, ScreenForm, TrialForm
from ketacare.web.patients.models import AntidepressantTrial, Patient

TRIAL_FIELDS = {
    "trial drug": "drug",
    "trial dose_mg": "dose_mg",
    "trial weeks": "weeks",
    "trial adequate": "adequate",
    "trial response": "response",
}


def _page(request: HttpRequest, patient: Patient, status: int = 200, **forms: Any) -> HttpResponse:
    courses = list(patient.courses.all())
    context: dict[str, Any] = {
        "patient": patient,
        "trials": list(patient.trials.all()),
        "screen": patient.screens.select_related("screened_by").first(),
        "consents": list(patient.consents.select_related("course", "recorded_by")),
        "trial_form": forms.get("trial_form") or TrialForm(),
        "screen_form": forms.get("screen_form")
        or ScreenForm(questions=core_intake.list_questions()),
        "consent_form": forms.get("consent_form") or ConsentForm(courses=courses),
        "nav": "patients",
    }
    return render(request, "patients/intake.html", context, status=status)


def _patient(request: HttpRequest, patient_uuid: str) -> Patient:
    return get_for_user(Patient.objects.all(), request.user, patient_uuid)


@permission_required("view_clinical")
def intake_page(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    return _page(request, _patient(request, patient_uuid))


@permission_required("record_intake")
def trial_add(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = _patient(request, patient_uuid)
    form = TrialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intake.add_trial(request.user, patient, **data)  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
        except InputError as exc:
            add_input_error(form, exc, TRIAL_FIELDS)
        else:
            messages.success(request, "Trial added; TRD stage updated.")
            return redirect("patients:intake", patient_uuid=patient.uuid)
    return _page(request, patient, trial_form=form)


@permission_required("record_intake")
@require_POST
def trial_withdraw(request: HttpRequest, patient_uuid: str, trial_uuid: str) -> HttpResponse:
    patient = _patient(request, patient_uuid)
    trial = get_for_user(
        AntidepressantTrial.objects.filter(patient=patient), request.user, trial_uuid
    )
    reason = request.POST.get("reason", "")
    try:
        intake.withdraw_trial(request.user, trial, reason=reason)  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Trial withdrawn; TRD stage updated.")
    return redirect("patients:intake", patient_uuid=patient.uuid)


@permission_required("record_intake")
def screen_record(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = _patient(request, patient_uuid)
    form = ScreenForm(request.POST or None, questions=core_intake.list_questions())
    if request.method == "POST" and form.is_valid():
        try:
            intake.record_screen(
                request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
                patient,
                answers=form.answers(),
                drug=form.cleaned_data["drug"] or None,
                route=form.cleaned_data["route"] or None,
            )
        except InputError as exc:
            add_input_error(form, exc)
        else:
            messages.success(request, "Screen recorded.")
            return redirect("patients:intake", patient_uuid=patient.uuid)
    return _page(request, patient, screen_form=form)


@permission_required("record_consent")
def consent_record(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = _patient(request, patient_uuid)
    courses = list(patient.courses.all())
    form = ConsentForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        course = next((c for c in courses if str(c.uuid) == data["course"]), None)
        try:
            intake.record_consent(
                request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
                patient,
                given_on=data["given_on"],
                scope=data["scope"],
                course=course,
                document_reference=data["document_reference"],
            )
        except InputError as exc:
            add_input_error(form, exc)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("patients:intake", patient_uuid=patient.uuid)
    return _page(request, patient, consent_form=form)
