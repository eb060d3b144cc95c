"""POST views of the REMS page and the vital-sign alerts.

``rems_submit`` records (or corrects) the submission of the session's REMS Patient Monitoring
Form and goes back to the form page; on an error the form page is shown again with the error
beside the field (nothing saved). ``acknowledge_vital`` acknowledges an out-of-range vital sign
with a note and goes back to where it was asked from (the session page or the dashboard).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ketacare.core.errors import InputError
from ketacare.web.lib.forms import add_input_error
from ketacare.web.lib.records import get_for_user
from ketacare.web.treatments import rems_services
from ketacare.web.treatments.models import RemsSubmission, TreatmentSession, VitalSign
from ketacare.web.treatments.permissions import ACKNOWLEDGE_VITAL, RECORD, permission_required
from ketacare.web.treatments.rems import rems_page
from ketacare.web.treatments.rems_forms import AcknowledgeVitalForm, RemsSubmissionForm


@require_POST
@permission_required(RECORD)
def rems_submit(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    session = get_for_user(
        TreatmentSession.objects.select_related("course", "patient", "clinic"),
        request.user,
        session_uuid,
    )
    correction = RemsSubmission.objects.filter(session=session, superseded_at__isnull=True).exists()
    form = RemsSubmissionForm(request.POST, correction=correction)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rems_services.record_rems_submission(
                request.user,
                session,
                submitted_on=data["submitted_on"],
                confirmation=data["confirmation"],
                reason=data.get("reason") or "",
            )
        except InputError as exc:
            add_input_error(form, exc)
        else:
            messages.success(
                request,
                "Correction recorded; the previous submission is kept."
                if correction
                else "REMS form submission recorded.",
            )
            return redirect("treatments:rems", session_uuid=session.uuid)
    context: dict[str, Any] = {"session": session, "patient": session.patient}
    if session.course.drug != "esketamine":
        context["not_esketamine"] = True
    else:
        context.update(rems_page(session, submission_form=form))
    return render(request, "treatments/rems.html", context, status=400)


def _back(request: HttpRequest, target: str, fallback: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@permission_required(ACKNOWLEDGE_VITAL)
def acknowledge_vital(request: HttpRequest, vital_uuid: Any) -> HttpResponse:
    vital = get_for_user(VitalSign.objects.select_related("session"), request.user, vital_uuid)
    back = _back(
        request,
        str(request.POST.get("next") or ""),
        reverse("treatments:detail", args=[vital.session.uuid]),
    )
    note = AcknowledgeVitalForm(request.POST).data.get("note", "")
    try:
        rems_services.acknowledge_vital(request.user, vital, str(note))
    except InputError as exc:
        messages.error(request, f"Not acknowledged: {exc.field} must be {exc.allowed}.")
        return redirect(back)
    messages.success(request, "Out-of-range vital sign acknowledged.")
    return redirect(back)
