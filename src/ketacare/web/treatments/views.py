"""The session at the chair: one page (tablet-friendly) and one POST view per clinical action.

Each action view parses its form, calls one service function (which validates through the core,
writes in one transaction and appends the audit entry) and redirects back to the page; on an
error it renders the page again with the error beside the field (nothing saved). The vitals rows
are an htmx fragment (``_vitals_rows.html``) included by the page and rendered alone by
``vitals``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketacare.core import safety as core_safety
from ketacare.core.errors import InputError
from ketacare.web.core_app.forms import add_input_error
from ketacare.web.core_app.records import ConflictError, get_for_user
from ketacare.web.courses.models import Course, PlannedSession
from ketacare.web.treatments import forms as f
from ketacare.web.treatments import services
from ketacare.web.treatments.models import TreatmentSession, VitalSign
from ketacare.web.treatments.permissions import (
    OVERRIDE,
    RECORD,
    SIGN,
    VIEW,
    can,
    permission_required,
)
from ketacare.web.treatments.rems import rems_page

FORM_KEYS = {
    "checklist": f.ChecklistForm,
    "gate": f.GateDecisionForm,
    "dose": f.DoseForm,
    "administration": f.AdministrationForm,
    "vitals_form": f.VitalsForm,
    "rating": f.RatingForm,
    "event": f.AdverseEventForm,
    "discharge_form": f.DischargeForm,
    "sign": f.SignForm,
}


def _session(request: HttpRequest, session_uuid: Any) -> TreatmentSession:
    """The session with what its page and its saves read; never the course's stored schedule
    (a JSON list of every planned session, read by no session view or service)."""
    return get_for_user(
        TreatmentSession.objects.select_related(
            "course", "patient", "planned", "signed_by", "dose_set_by", "gate_decided_by"
        ).defer("course__schedule"),
        request.user,
        session_uuid,
    )


def _vitals(session: TreatmentSession) -> list[VitalSign]:
    return list(session.vitals.filter(withdrawn=False).select_related("entered_by"))


def _schedule(session: TreatmentSession) -> list[Any]:
    return core_safety.monitoring_schedule(session.course.drug, session.course.route)


def page_context(
    request: HttpRequest, session: TreatmentSession, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    forms_: dict[str, Any] = {}
    for key, form_class in FORM_KEYS.items():
        forms_[key] = (bound or {}).get(key) or form_class(session=session)
    ratings = list(session.ratings.filter(withdrawn=False).select_related("entered_by"))
    events = list(session.adverse_events.filter(withdrawn=False).select_related("entered_by"))
    amendments = list(session.amendments.select_related("actor"))
    from ketacare.web.treatments.pk import curve_for_session

    return {
        "session": session,
        "course": session.course,
        "patient": session.patient,
        "vitals": _vitals(session),
        "ratings": ratings,
        "events": events,
        "amendments": amendments,
        "schedule": _schedule(session),
        "may_record": can(request.user, RECORD),
        "may_sign": can(request.user, SIGN),
        "may_override": can(request.user, OVERRIDE),
        "may_decide_gate": can(request.user, "prescribe"),
        "loss_of_consciousness": any(r.followup_decision == "adverse_event" for r in ratings),
        "pk_curve": curve_for_session(session, request.GET.get("pk_model")),
        "nav": "patients",
        **forms_,
    }


@permission_required(VIEW)
def detail(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    session = _session(request, session_uuid)
    return render(request, "treatments/session.html", page_context(request, session))


Apply = Callable[[Any, TreatmentSession, Any], Any]


def _act(
    request: HttpRequest,
    session_uuid: Any,
    key: str,
    apply: Apply,
    done: str,
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    session = _session(request, session_uuid)
    form = FORM_KEYS[key](request.POST, session=session)
    status = 400
    if form.is_valid():
        try:
            apply(request.user, session, form)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            status = 409
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except InputError as exc:
            add_input_error(form, exc, field_map)
        else:
            messages.success(request, done)
            return redirect("treatments:detail", session_uuid=session.uuid)
        session.refresh_from_db()
    return render(
        request,
        "treatments/session.html",
        page_context(request, session, {key: form}),
        status=status,
    )


def _reason(form: Any) -> str:
    return str(form.cleaned_data.get("reason") or "")


@require_POST
@permission_required(RECORD)
def checklist(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        data = form.cleaned_data
        return services.record_checklist(
            user,
            session,
            systolic=data["systolic"],
            diastolic=data["diastolic"],
            fasting_hours=data.get("fasting_hours"),
            liquids_minutes=data.get("liquids_minutes"),
            nasal_medicine_minutes=data.get("nasal_medicine_minutes"),
            ride_home=data.get("ride_home"),
            rems_enrolled=data.get("rems_enrolled"),
            expected_version=data["version"],
            reason=_reason(form),
        )

    return _act(request, session_uuid, "checklist", apply, "Pre-dose checklist recorded.")


@require_POST
@permission_required(RECORD)
def gate_decision(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        data = form.cleaned_data
        return services.decide_gate(
            user, session, note=data["note"], expected_version=data["version"], reason=_reason(form)
        )

    return _act(request, session_uuid, "gate", apply, "Prescriber's decision recorded.")


@require_POST
@permission_required(RECORD)
def dose(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        data = form.cleaned_data
        return services.set_dose(
            user,
            session,
            dose_mg_per_kg=data.get("dose_mg_per_kg"),
            dose_mg=data.get("dose_mg"),
            concentration_mg_per_ml=data.get("concentration_mg_per_ml"),
            override_reason=data.get("override_reason") or "",
            expected_version=data["version"],
            reason=_reason(form),
        )

    return _act(request, session_uuid, "dose", apply, "Dose recorded.", {"gates": "__all__"})


@require_POST
@permission_required(RECORD)
def administration(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        data = form.cleaned_data
        return services.record_administration(
            user,
            session,
            lot_number=data.get("lot_number") or "",
            started_at=data.get("started_at"),
            first_device_at=data.get("first_device_at"),
            ended_at=data.get("ended_at"),
            expected_version=data["version"],
            reason=_reason(form),
        )

    return _act(
        request,
        session_uuid,
        "administration",
        apply,
        "Times and lot recorded.",
        {"dose": "__all__"},
    )


def _vitals_response(
    request: HttpRequest, session: TreatmentSession, form: Any, status: int = 200
) -> HttpResponse:
    context = {
        "session": session,
        "vitals": _vitals(session),
        "vitals_form": form,
        "schedule": _schedule(session),
        "may_record": can(request.user, RECORD),
    }
    return render(request, "treatments/_vitals.html", context, status=status)


@permission_required(VIEW)
def vitals(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    """GET: the vitals rows alone (htmx fragment). POST: add a row; htmx gets the vitals section
    back (rows and a fresh form, or the form with its errors), other clients the page."""
    session = _session(request, session_uuid)
    if request.method != "POST":
        return render(
            request,
            "treatments/_vitals_rows.html",
            {"session": session, "vitals": _vitals(session)},
        )
    if not can(request.user, RECORD):
        raise PermissionDenied("Your role may not record session.")
    form = f.VitalsForm(request.POST, session=session)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_vitals(
                request.user,  # type: ignore[arg-type]
                session,
                taken_at=data.get("taken_at"),
                minute=data.get("minute"),
                systolic=data.get("systolic"),
                diastolic=data.get("diastolic"),
                heart_rate=data.get("heart_rate"),
                spo2=data.get("spo2"),
                resp_rate=data.get("resp_rate"),
                reason=_reason(form),
            )
        except InputError as exc:
            add_input_error(form, exc, {"baseline systolic": "systolic"})
        else:
            if request.htmx:  # type: ignore[attr-defined]
                return _vitals_response(request, session, f.VitalsForm(session=session))
            messages.success(request, "Vital signs added.")
            return redirect("treatments:detail", session_uuid=session.uuid)
    if request.htmx:  # type: ignore[attr-defined]
        return _vitals_response(request, session, form)
    return render(
        request,
        "treatments/session.html",
        page_context(request, session, {"vitals_form": form}),
        status=400,
    )


@require_POST
@permission_required(RECORD)
def rating(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        data = form.cleaned_data
        return services.add_rating(
            user,
            session,
            scale_id=data["scale_id"],
            items=data["items"],
            minute=data.get("minute"),
            reason=_reason(form),
        )

    return _act(
        request,
        session_uuid,
        "rating",
        apply,
        "Rating recorded.",
        {"moaas items": "items", "cadss items": "items", "moaas": "items", "cadss_total": "items"},
    )


@require_POST
@permission_required(RECORD)
def adverse_event(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        data = form.cleaned_data
        return services.add_adverse_event(
            user,
            session,
            description=data["description"],
            severity=data["severity"],
            serious=data["serious"],
            onset_at=data.get("onset_at"),
            action_taken=data.get("action_taken") or "",
            reason=_reason(form),
        )

    return _act(request, session_uuid, "event", apply, "Adverse event recorded.")


@require_POST
@permission_required(RECORD)
def discharge(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        data = form.cleaned_data
        return services.assess_discharge(
            user,
            session,
            aldrete_items=form.aldrete_items(),
            bp_stable=data.get("bp_stable"),
            ride_home=data.get("ride_home"),
            expected_version=data["version"],
            reason=_reason(form),
        )

    return _act(request, session_uuid, "discharge_form", apply, "Discharge assessed.")


@require_POST
@permission_required(SIGN)
def sign(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        return services.sign_session(user, session, expected_version=form.cleaned_data["version"])

    return _act(request, session_uuid, "sign", apply, "Session signed and locked.")


@permission_required(VIEW)
def rems_form(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    """The REMS Patient Monitoring Form of an esketamine session, as a printable page."""
    session = _session(request, session_uuid)
    if session.course.drug != "esketamine":
        return render(
            request,
            "treatments/rems.html",
            {"session": session, "patient": session.patient, "not_esketamine": True},
        )
    return render(
        request,
        "treatments/rems.html",
        {"session": session, "patient": session.patient, **rems_page(session)},
    )


@permission_required(VIEW)
def course_sessions(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """The planned sessions of a course with their records: open one at the chair."""
    course = get_for_user(Course.objects.select_related("patient"), request.user, course_uuid)
    planned = list(course.planned_sessions.select_related("treatment_session").order_by("index"))
    unplanned = list(
        TreatmentSession.objects.filter(course=course, planned__isnull=True).order_by("date")
    )
    form = f.OpenSessionForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, RECORD):
            raise PermissionDenied("Your role may not record session.")
        if form.is_valid():
            data = form.cleaned_data
            planned_row = None
            if data.get("planned"):
                planned_row = get_for_user(
                    PlannedSession.objects.filter(course=course), request.user, data["planned"]
                )
            try:
                session = services.open_session(
                    request.user,  # type: ignore[arg-type]
                    course,
                    planned=planned_row,
                    chair=data.get("chair"),
                )
            except InputError as exc:
                add_input_error(form, exc)
            else:
                return redirect("treatments:detail", session_uuid=session.uuid)
    return render(
        request,
        "treatments/course_sessions.html",
        {
            "course": course,
            "patient": course.patient,
            "planned": planned,
            "unplanned": unplanned,
            "form": form,
            "may_record": can(request.user, RECORD),
            "nav": "patients",
        },
        status=400 if form.errors else 200,
    )
