"""The session at the chair: one page (tablet-friendly) and one POST view per clinical action.

Each action view parses its form, calls one service function (which validates through the core,
writes in one transaction and appends the audit entry) and redirects back to the page; on an
error it renders the page again with the error beside the field (nothing saved). The vitals rows
are an htmx fragment (``_vitals_rows.html``) included by the page and rendered alone by
``vitals``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketacare.core import safety as core_safety
from ketacare.core.errors import InputError
from ketacare.web.courses.models import Course, PlannedSession
from ketacare.web.courses.workflow import consent_on_file, eligibility_for
from ketacare.web.lib.forms import add_input_error
from ketacare.web.lib.records import ConflictError, get_for_user
from ketacare.web.lib.zone import clinic_time, clinic_zone
from ketacare.web.treatments import forms as f
from ketacare.web.treatments import page as p
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
from ketacare.web.treatments.workflow import state_for

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
    "early": f.EarlyDischargeForm,
}


def in_clinic_time(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render and parse the session's times in its clinic's zone (the forms' date-time inputs
    and the page's times), whatever the site's ``TIME_ZONE``."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, session_uuid: Any, *args: Any, **kwargs: Any) -> Any:
        row = TreatmentSession.objects.filter(uuid=session_uuid).select_related("clinic").first()
        zone = clinic_zone(row.clinic if row is not None else None)
        with timezone.override(zone):
            return view(request, session_uuid, *args, **kwargs)

    return wrapped


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
    bound_rating = (bound or {}).get("rating")
    rating_forms = [
        bound_rating
        if bound_rating is not None and bound_rating.scale == scale
        else f.RatingForm(session=session, scale=scale)
        for scale in p.CHAIR_SCALES
    ]
    ratings = list(session.ratings.filter(withdrawn=False).select_related("entered_by"))
    for r in ratings:
        r.short_name, r.full_name = p.scale_name(r.scale_id)  # type: ignore[attr-defined]  # display values set for the template
        r.followup_label = p.v.label(p.v.FOLLOWUP_LABELS, r.followup_decision)  # type: ignore[attr-defined]  # display values set for the template
    events = list(session.adverse_events.filter(withdrawn=False).select_related("entered_by"))
    for e in events:
        e.onset_local = clinic_time(e.onset_at, session.clinic, with_date=False)  # type: ignore[attr-defined]  # display values set for the template
    amendments = list(session.amendments.select_related("actor"))
    vitals_rows = _vitals(session)
    state = state_for(session)
    may = {
        "record": can(request.user, RECORD),
        "sign": can(request.user, SIGN),
        "override": can(request.user, OVERRIDE),
        "prescriber": can(request.user, "prescribe"),
    }
    course = session.course
    eligibility = eligibility_for(session.patient, course.drug, course.route)
    from ketacare.web.treatments.pk import curve_for_session

    clinic = session.clinic
    planned_date = session.planned.date if session.planned else None
    return {
        "session": session,
        "course": course,
        "patient": session.patient,
        "vitals": vitals_rows,
        "ratings": ratings,
        "events": events,
        "amendments": p.amendment_lines(amendments, clinic),
        "schedule": _schedule(session),
        "state": state,
        "panel": p.state_panel(state, may, p.recorded_steps(session)),
        "blockers": p.blockers_by_step(state),
        "gates": p.gate_rows(session),
        "overall_label": p.v.label(p.v.DECISION_LABELS, session.gates_overall),
        "criteria": p.criterion_rows(session.discharge),
        "dose_overrides": p.dose_overrides(session),
        "vitals_chart": p.vitals_chart(session, vitals_rows),
        "rating_forms": rating_forms,
        "eligibility": eligibility,
        "consent_on_file": consent_on_file(course, session.date),
        "protocol_name": p.protocol_name(course.protocol_id),
        "screen_label": p.v.label(p.v.ELIGIBILITY_LABELS, eligibility.status),
        "drug_label": p.v.label(p.v.DRUG_NAMES, course.drug),
        "route_label": p.v.label(p.v.ROUTE_NAMES, course.route),
        "planned_date": planned_date if planned_date and planned_date != session.date else None,
        "times": {
            name: clinic_time(getattr(session, name), clinic, with_date=False)
            for name in (
                "checklist_at",
                "started_at",
                "first_device_at",
                "ended_at",
                "observation_until",
                "early_discharge_at",
            )
        },
        "signed_at": clinic_time(session.signed_at, clinic),
        "discharge_at": clinic_time(p._parse((session.discharge or {}).get("assessed_at")), clinic),
        "early_kind_label": dict(f.EARLY_KIND_CHOICES).get(session.early_discharge_kind, ""),
        "show_early_form": may["override"] and state.allowed("early_discharge"),
        "may_record": may["record"],
        "may_sign": may["sign"],
        "may_override": may["override"],
        "may_decide_gate": may["prescriber"],
        "loss_of_consciousness": any(r.followup_decision == "adverse_event" for r in ratings),
        "pk_curve": curve_for_session(session, request.GET.get("pk_model")),
        "nav": "patients",
        **forms_,
    }


@permission_required(VIEW)
@in_clinic_time
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
@in_clinic_time
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
            at=data.get("at"),
            expected_version=data["version"],
            reason=_reason(form),
        )

    return _act(request, session_uuid, "checklist", apply, "Pre-dose checklist recorded.")


@require_POST
@permission_required(RECORD)
@in_clinic_time
def gate_decision(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        data = form.cleaned_data
        return services.decide_gate(
            user, session, note=data["note"], expected_version=data["version"], reason=_reason(form)
        )

    return _act(request, session_uuid, "gate", apply, "Prescriber's decision recorded.")


@require_POST
@permission_required(RECORD)
@in_clinic_time
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
@in_clinic_time
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
        "vitals_chart": p.vitals_chart(session, _vitals(session)),
    }
    return render(request, "treatments/_vitals.html", context, status=status)


@permission_required(VIEW)
@in_clinic_time
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
                request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
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
            if request.htmx:  # type: ignore[attr-defined]  # django-htmx's HtmxMiddleware sets request.htmx
                return _vitals_response(request, session, f.VitalsForm(session=session))
            messages.success(request, "Vital signs added.")
            return redirect("treatments:detail", session_uuid=session.uuid)
    if request.htmx:  # type: ignore[attr-defined]  # django-htmx's HtmxMiddleware sets request.htmx
        return _vitals_response(request, session, form)
    return render(
        request,
        "treatments/session.html",
        page_context(request, session, {"vitals_form": form}),
        status=400,
    )


@require_POST
@permission_required(RECORD)
@in_clinic_time
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
@in_clinic_time
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
@in_clinic_time
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
@in_clinic_time
def sign(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        return services.sign_session(user, session, expected_version=form.cleaned_data["version"])

    return _act(request, session_uuid, "sign", apply, "Session signed and locked.")


@require_POST
@permission_required(OVERRIDE)
@in_clinic_time
def early_discharge(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    """A prescriber's early discharge or transfer with its reason (``services.
    record_early_discharge``; the core says whether it may be recorded)."""

    def apply(user: Any, session: TreatmentSession, form: Any) -> Any:
        data = form.cleaned_data
        return services.record_early_discharge(
            user,
            session,
            kind=data["kind"],
            reason=data["early_reason"],
            at=data.get("at"),
            expected_version=data["version"],
        )

    return _act(
        request,
        session_uuid,
        "early",
        apply,
        "Early discharge or transfer recorded.",
        {"reason": "early_reason", "started_at": "__all__"},
    )


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
                    request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
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
