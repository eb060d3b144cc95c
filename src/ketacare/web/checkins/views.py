"""Check-in pages.

Staff: a patient's check-ins (enrol, change or pause the schedule, send, resend) and the clinic's
list (due, overdue, completed, missed, response rate). Patient: the link's page, phone-sized,
asking nothing but the questionnaire (after the date-of-birth check when the clinic asks for it).
The link's token is never logged, stored or put in another URL; pages answer with
``Referrer-Policy: same-origin`` (no other site ever sees the link) and ``Cache-Control: no-store``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketacare.core.checkins.forms import patient_form
from ketacare.core.errors import InputError
from ketacare.web.accounts.permissions import permission_required
from ketacare.web.checkins import services
from ketacare.web.checkins.forms import AnswerForm, BirthDateForm, ChangeForm, EnrolForm
from ketacare.web.checkins.models import (
    OPEN_STATUSES,
    CheckIn,
    CheckinStatus,
    Enrolment,
    LinkRequest,
)
from ketacare.web.lib.forms import add_input_error
from ketacare.web.lib.records import ConflictError, DuplicateError, for_clinic, get_for_user
from ketacare.web.lib.zone import clinic_time, clinic_today
from ketacare.web.patients.models import Patient

STATUS_LABELS = {
    "sent": "Waiting for an answer",
    "opened": "Opened, not answered",
    "completed": "Completed",
    "missed": "Missed",
    "cancelled": "Cancelled (a new link was sent)",
}


def _display_status(checkin: CheckIn, now: Any) -> str:
    if checkin.status in OPEN_STATUSES:
        if checkin.expires_at <= now:
            return "expired"
        if checkin.reminders_sent:
            return "overdue"
        return "awaiting"
    return str(checkin.status)


def checkin_rows(checkins: Any, clinic: Any) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for c in checkins:
        status = _display_status(c, now)
        rows.append(
            {
                "obj": c,
                "status": status,
                "label": {
                    "expired": "Link expired, not answered",
                    "overdue": "Overdue (reminded)",
                    "awaiting": "Waiting for an answer",
                }.get(status, STATUS_LABELS.get(c.status, c.status)),
                "sent": clinic_time(c.sent_at, clinic) if c.sent_at else "link handed out",
                "completed": clinic_time(c.completed_at, clinic),
                "scales": ", ".join(patient_form(s).name for s in c.scales),
                "can_resend": c.status not in (CheckinStatus.COMPLETED, CheckinStatus.CANCELLED),
            }
        )
    return rows


def response_rate(checkins: Any) -> tuple[int, int, int | None]:
    """(completed, asked, percent): asked counts answered and missed or expired check-ins, not
    the ones still waiting or cancelled."""
    now = timezone.now()
    completed = asked = 0
    for c in checkins:
        if c.status == CheckinStatus.COMPLETED:
            completed += 1
            asked += 1
        elif c.status == CheckinStatus.MISSED or (
            c.status in OPEN_STATUSES and c.expires_at <= now
        ):
            asked += 1
    return completed, asked, (round(100 * completed / asked) if asked else None)


@permission_required("view_clinical")
def patient_checkins(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = get_for_user(Patient.objects.all(), request.user, patient_uuid)
    enrolment = Enrolment.objects.filter(patient=patient).first()
    checkins = list(CheckIn.objects.filter(patient=patient).order_by("-created_at", "-id")[:100])
    clinic = request.user.clinic  # type: ignore[union-attr]  # login required: a User, never AnonymousUser
    context: dict[str, Any] = {
        "patient": patient,
        "enrolment": enrolment,
        "rows": checkin_rows(checkins, clinic),
        "rate": response_rate(checkins),
        "nav": "patients",
        "link_requests": LinkRequest.objects.filter(patient=patient, handled_at__isnull=True),
        "new_link": request.session.pop("checkin_new_link", None),
    }
    if enrolment is None:
        context["enrol_form"] = EnrolForm(
            initial={
                "contact": patient.email,
                "rule_id": services.default_rule_id(patient.clinic, None),
            }
        )
    else:
        rule = services.rule_of(enrolment)
        context["rule"] = rule
        context["schedule_text"] = rule.describe(
            services.schedule_inputs(enrolment, clinic_today(clinic)).phase
        )
        has_open = any(c.status in OPEN_STATUSES for c in checkins)
        context["next_due"] = (
            None
            if has_open or not enrolment.active
            else services.next_due_for(enrolment, clinic_today(clinic))
        )
        context["change_form"] = ChangeForm(
            initial={
                "rule_id": enrolment.rule_id,
                "every_days": enrolment.every_days,
                "paused": enrolment.paused,
                "version": enrolment.version,
            }
        )
    return render(request, "checkins/patient.html", context)


@require_POST
@permission_required("manage_checkins")
def enrol(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = get_for_user(Patient.objects.all(), request.user, patient_uuid)
    form = EnrolForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.enrol(
                request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
                patient,
                channel=d["channel"],
                contact=d["contact"],
                consent_to_contact=d["consent_to_contact"],
                quiet_start=d["quiet_start"],
                quiet_end=d["quiet_end"],
                rule_id=d["rule_id"],
                every_days=d["every_days"],
                today=clinic_today(patient.clinic),
            )
        except DuplicateError as exc:
            add_input_error(form, exc)
            status = 409
        except InputError as exc:
            add_input_error(form, exc)
        else:
            messages.success(request, "Enrolled for check-ins.")
            return redirect("checkins:patient", patient_uuid=patient.uuid)
    context = {
        "patient": patient,
        "enrol_form": form,
        "enrolment": None,
        "rows": [],
        "nav": "patients",
    }
    return render(request, "checkins/patient.html", context, status=status)


@require_POST
@permission_required("manage_checkins")
def change(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = get_for_user(Patient.objects.all(), request.user, patient_uuid)
    enrolment = Enrolment.objects.filter(patient=patient).first()
    if enrolment is None:
        return redirect("checkins:patient", patient_uuid=patient.uuid)
    form = ChangeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.change_enrolment(
                request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
                enrolment,
                expected_version=d["version"],
                reason=d["reason"],
                rule_id=d["rule_id"],
                every_days=d["every_days"],
                paused=d["paused"],
                opted_out=d["opted_out"],
            )
        except ConflictError:
            raise
        except InputError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Check-in schedule changed.")
    else:
        for field, errors in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else field}: "
                + " ".join(str(e) for e in errors),
            )
    return redirect("checkins:patient", patient_uuid=patient.uuid)


@require_POST
@permission_required("send_checkin")
def send_now(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = get_for_user(Patient.objects.all(), request.user, patient_uuid)
    try:
        services.create_checkin(request.user, patient)  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Check-in sent.")
    return redirect("checkins:patient", patient_uuid=patient.uuid)


@require_POST
@permission_required("send_checkin")
def resend(request: HttpRequest, checkin_uuid: str) -> HttpResponse:
    checkin = get_for_user(CheckIn.objects.select_related("patient"), request.user, checkin_uuid)
    try:
        services.resend(request.user, checkin)  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "A new link was sent; the old one no longer works.")
    return redirect("checkins:patient", patient_uuid=checkin.patient.uuid)


@permission_required("view_clinical")
def overview(request: HttpRequest) -> HttpResponse:
    clinic = request.user.clinic  # type: ignore[union-attr]  # login required: a User, never AnonymousUser
    today = clinic_today(clinic)
    checkins = list(
        for_clinic(CheckIn.objects.select_related("patient"), request.user).order_by("-created_at")[
            :300
        ]
    )
    rows = checkin_rows(checkins, clinic)
    groups: dict[str, list[dict[str, Any]]] = {
        "overdue": [],
        "awaiting": [],
        "completed": [],
        "missed": [],
    }
    for row in rows:
        key = {"expired": "overdue", "opened": "awaiting"}.get(row["status"], row["status"])
        if key in groups:
            groups[key].append(row)
    due: list[dict[str, Any]] = []
    open_patients = {c.patient_id for c in checkins if c.status in OPEN_STATUSES}
    for e in for_clinic(Enrolment.objects.select_related("patient", "course"), request.user):
        if not e.active or e.patient_id in open_patients:
            continue
        d = services.next_due_for(e, today)
        due.append({"enrolment": e, "due": d, "today": d.date <= today})
    due.sort(key=lambda r: r["due"].date)
    context = {
        "groups": groups,
        "due": due,
        "rate": response_rate(checkins),
        "nav": "checkins",
        "link_requests": for_clinic(
            LinkRequest.objects.select_related("patient"), request.user
        ).filter(handled_at__isnull=True),
    }
    return render(request, "checkins/overview.html", context)


# ---------------------------------------------------------------- the patient's page


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _refused(request: HttpRequest, exc: services.LinkRefused, token: str) -> HttpResponse:
    status = {"throttled": 429, "unknown": 404}.get(exc.reason, 410)
    context = {"token": token, "throttled": exc.reason == "throttled"}
    return _private(render(request, "checkins/refused.html", context, status=status))


@login_not_required
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        checkin = services.find_checkin(token, _ip(request))
    except services.LinkRefused as exc:
        return _refused(request, exc, token)
    s = services.settings_for(checkin.clinic_id)
    confirmed_key = f"checkin-dob-{checkin.pk}"
    if s.confirm_date_of_birth and not request.session.get(confirmed_key):
        dob_form = BirthDateForm(request.POST if "date_of_birth" in request.POST else None)
        status = 200
        if dob_form.is_bound:
            if dob_form.is_valid() and services.confirm_birth_date(
                checkin, dob_form.cleaned_data["date_of_birth"]
            ):
                request.session[confirmed_key] = True
                return _private(redirect("checkins:answer", token=token))
            if dob_form.is_valid():
                dob_form.add_error("date_of_birth", "That date does not match. Please try again.")
            if checkin.failed_attempts >= services.MAX_FAILED_ATTEMPTS:
                return _refused(request, services.LinkRefused("locked", checkin), token)
            status = 400
        return _private(render(request, "checkins/dob.html", {"form": dob_form}, status=status))
    forms_ = [patient_form(scale_id) for scale_id in checkin.scales]
    is_post = request.method == "POST" and "date_of_birth" not in request.POST
    form = AnswerForm(request.POST if is_post else None, forms_=forms_)
    status = 200
    if is_post:
        if form.is_valid():
            try:
                result = services.submit(checkin, form.answers())
            except services.LinkRefused as exc:
                return _refused(request, exc, token)
            request.session.pop(confirmed_key, None)
            context = {"crisis": result.crisis, "crisis_text": result.crisis_text}
            return _private(render(request, "checkins/thanks.html", context))
        status = 400
    else:
        services.mark_opened(checkin)
    context = {"form": form, "sections": form.sections()}
    return _private(render(request, "checkins/answer.html", context, status=status))


@login_not_required
@require_POST
def new_link(request: HttpRequest, token: str) -> HttpResponse:
    """Ask the clinic for a new link. The answer is the same whatever the token was."""
    try:
        services.find_checkin(token, _ip(request))
    except services.LinkRefused as exc:
        if exc.reason != "throttled":
            services.request_new_link(exc.checkin)
    return _private(render(request, "checkins/requested.html", {}))
