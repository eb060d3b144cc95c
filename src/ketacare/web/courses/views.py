"""The clinic calendar, course creation and the course plan."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketacare.core import protocols as core_protocols
from ketacare.core.errors import InputError
from ketacare.web.accounts.permissions import permission_required
from ketacare.web.courses import pk as course_pk
from ketacare.web.courses import services, workflow
from ketacare.web.courses.calendar_grid import course_months, month_grid
from ketacare.web.courses.forms import CourseForm, StatusForm
from ketacare.web.courses.models import Course, CourseStatus, PlannedSession
from ketacare.web.courses.review import review_context
from ketacare.web.lib.forms import add_input_error
from ketacare.web.lib.records import ConflictError, for_clinic, get_for_user
from ketacare.web.patients.models import Patient

#: the months the calendar shows (an input bound: 9999-12 or 0001-01 would step past the dates
#: Python has)
CALENDAR_YEARS = (2000, 2100)


def _month(request: HttpRequest) -> dt.date:
    text = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in text.split("-"))
        if not CALENDAR_YEARS[0] <= year <= CALENDAR_YEARS[1]:
            raise ValueError(year)
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@permission_required("view_schedule")
def calendar(request: HttpRequest) -> HttpResponse:
    """Planned sessions of the clinic for one month (names and times only: no doses)."""
    first = _month(request)
    weeks = _calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1]
    sessions = (
        for_clinic(PlannedSession.objects.all(), request.user)
        .filter(date__range=(start, end))
        .exclude(status="cancelled")
        .select_related("course__patient")
        .only(
            "date",
            "chair",
            "index",
            "status",
            "phase",
            "course__patient__uuid",
            "course__patient__family_name",
            "course__patient__given_name",
        )
        .order_by("date", "chair")
    )
    by_day: dict[dt.date, list[PlannedSession]] = {}
    for session in sessions:
        by_day.setdefault(session.date, []).append(session)
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    context = {
        "first": first,
        "weeks": month_grid(first, by_day),
        "prev_month": prev_month,
        "next_month": next_month,
        "nav": "calendar",
    }
    return render(request, "courses/calendar.html", context)


@permission_required("prescribe")
def course_new(request: HttpRequest, patient_uuid: str) -> HttpResponse:
    patient = get_for_user(Patient.objects.all(), request.user, patient_uuid)
    form = CourseForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = services.start_course(
                request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
                patient,
                protocol_id=data["protocol_id"],
                start_date=data["start_date"],
                weight_kg=data["weight_kg"],
                closed_dates=data["closed_dates"],
                sessions=data["sessions"],
                reason=data["reason"],
                override_reason=data["override_reason"],
                concurrent_reason=data["concurrent_reason"],
            )
        except InputError as exc:
            add_input_error(
                form,
                exc,
                {"start": "start_date", "weight": "weight_kg", "screen": "override_reason"},
            )
        else:
            messages.success(request, "Course started; the sessions are planned.")
            return redirect("courses:plan", course_uuid=course.uuid)
    return render(
        request,
        "courses/new.html",
        {
            "form": form,
            "patient": patient,
            "eligibility": workflow.eligibility_by_route(patient),
            "active_courses": workflow.active_courses(patient),
            "nav": "patients",
        },
    )


@permission_required("view_clinical")
def course_plan(request: HttpRequest, course_uuid: str) -> HttpResponse:
    course = get_for_user(
        Course.objects.select_related("patient", "prescriber", "baseline_measure"),
        request.user,
        course_uuid,
    )
    sessions = list(course.planned_sessions.all())
    events = list(course.events.select_related("actor"))
    statuses = dict(CourseStatus.choices)
    for event in events:  # the statuses in words ("Review at end of induction")
        event.from_label = statuses.get(event.from_status, event.from_status)  # type: ignore[attr-defined]  # a label for the template, set on the row
        event.to_label = statuses.get(event.to_status, event.to_status)  # type: ignore[attr-defined]  # a label for the template, set on the row
    protocol = core_protocols.get_protocol(course.protocol_id)
    context: dict[str, Any] = {
        "course": course,
        "patient": course.patient,
        "protocol": protocol,
        "sessions": sessions,
        "events": events,
        "consents": list(course.consents.all()),
        "status_form": StatusForm(current=course.status, initial={"version": course.version}),
        "nav": "patients",
        "pk_curve": course_pk.course_curve(course, protocol, request.GET.get("pk_model")),
        "pk_target": course_pk.course_target(course, protocol, request.GET),
        "months": course_months(sessions),
        "today": timezone.localdate(),
    }
    context.update(review_context(course, sessions))
    return render(request, "courses/plan.html", context)


@permission_required("prescribe")
def course_status(request: HttpRequest, course_uuid: str) -> HttpResponse:
    course = get_for_user(Course.objects.all(), request.user, course_uuid)
    form = StatusForm(
        request.POST or None, current=course.status, initial={"version": course.version}
    )
    # the core's end-of-induction advice, in view where the decision is made and kept with it
    advice = review_context(course, list(course.planned_sessions.all())).get("advice")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["to_status"] not in ("review", "maintenance"):
            advice = None
        try:
            services.change_status(
                request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
                course,
                to_status=data["to_status"],
                reason=data["reason"],
                expected_version=data["version"],
                data={"escalation_advice": advice} if advice else None,
            )
        except ConflictError as exc:
            # show the course as it now is; the form carries its version, so saving again is
            # a second, deliberate decision made with the new status in view
            course = get_for_user(Course.objects.all(), request.user, course_uuid)
            fresh = StatusForm(
                {**request.POST.dict(), "version": course.version}, current=course.status
            )
            fresh.is_valid()
            fresh.add_error(None, exc.message)
            form = fresh
        except InputError as exc:
            add_input_error(form, exc)
        else:
            messages.success(request, f"Course moved to {course.get_status_display().lower()}.")
            return redirect("courses:plan", course_uuid=course.uuid)
    return render(
        request,
        "courses/status.html",
        {
            "form": form,
            "course": course,
            "patient": course.patient,
            "advice": advice,
            "nav": "patients",
        },
    )


@permission_required("record_session")
@require_POST
def planned_missed(request: HttpRequest, planned_uuid: str) -> HttpResponse:
    planned = get_for_user(
        PlannedSession.objects.select_related("course"), request.user, planned_uuid
    )
    worsened = {"yes": True, "no": False}.get(request.POST.get("worsened", ""))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = planned.version
    try:
        advice = services.mark_missed(
            request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
            planned,
            reason=request.POST.get("reason", ""),
            expected_version=version,
            worsened=worsened,
        )
    except ConflictError as exc:
        messages.error(request, exc.message)
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.warning(request, f"Session {planned.index} marked missed. {advice['reason']}")
    return redirect("courses:plan", course_uuid=planned.course.uuid)
