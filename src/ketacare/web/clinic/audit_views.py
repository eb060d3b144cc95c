"""The audit trail of the signed-in user's clinic: filtered, paged, and exported as CSV.

Filters (GET, so a filtered view is a link): ``patient=<uuid>`` (the chart's "Audit trail for
this patient"), ``q`` (a patient's name or record number), ``user=<uuid>``, ``action`` (one
action, or ``<group>.*``), ``date_from``/``date_to`` (days in the clinic's time zone, both
inclusive). Newest first, ties broken by id, 50 a page; ``export/`` streams the same rows as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from ketacare.web.accounts.permissions import permission_required
from ketacare.web.audit.describe import Describer, patient_label
from ketacare.web.audit.forms import AuditFilterForm
from ketacare.web.audit.models import AuditEntry
from ketacare.web.lib.records import for_clinic
from ketacare.web.lib.zone import clinic_zone
from ketacare.web.patients.search import search_filter

PER_PAGE = 50
MAX_MATCHES = 20
CSV_CHUNK = 500
CSV_HEADER = [
    "When",
    "Who",
    "Action",
    "Action code",
    "Patient",
    "Record",
    "Changes",
    "Reason",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Patient: Any = AuditEntry._meta.get_field("patient").related_model


def _filtered(request: HttpRequest) -> dict[str, Any]:
    """The clinic's entries as the query string filters them, and what the page shows of it."""
    user: Any = request.user
    clinic = user.clinic
    form = AuditFilterForm(request.GET, clinic_id=user.clinic_id)
    entries = for_clinic(AuditEntry.objects.all(), user)
    patient = None
    matches: list[Any] = []
    if form.is_valid():
        data = form.cleaned_data
        if data["patient"]:
            patient = for_clinic(Patient.objects.all(), user).filter(uuid=data["patient"]).first()
            if patient is None:
                raise Http404("No such patient in your clinic.")
            entries = entries.filter(patient=patient)
        elif data["q"].strip():
            found = for_clinic(Patient.objects.all(), user).filter(search_filter(data["q"]))
            matches = list(found.order_by("family_name", "given_name")[: MAX_MATCHES + 1])
            entries = entries.filter(patient__in=found)
        if data["user"]:
            entries = entries.filter(actor__uuid=data["user"])
        entries = entries.filter(**form.action_filter())
        zone = clinic_zone(clinic)
        if data["date_from"]:
            start = dt.datetime.combine(data["date_from"], dt.time.min, zone)
            entries = entries.filter(at__gte=start)
        if data["date_to"]:
            end = dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min, zone)
            entries = entries.filter(at__lt=end)
    elif "patient" in form.errors:  # not a uuid: no such patient, as for another clinic's
        raise Http404("No such patient in your clinic.")
    else:
        entries = entries.none()  # the errors are shown beside their fields
    entries = entries.select_related("actor", "patient").order_by("-at", "-id")
    query = request.GET.copy()
    query.pop("page", None)
    others = query.copy()  # the filters other than the patient
    others.pop("patient", None)
    others.pop("q", None)
    return {
        "form": form,
        "entries": entries,
        "patient": patient,
        "patient_label": patient_label(patient),
        "matches": matches[:MAX_MATCHES],
        "more_matches": len(matches) > MAX_MATCHES,
        "query": query.urlencode(),
        "others": others.urlencode(),
        "clinic": clinic,
    }


@permission_required("view_audit")
def audit_list(request: HttpRequest) -> HttpResponse:
    context = _filtered(request)
    page = Paginator(context["entries"], PER_PAGE).get_page(request.GET.get("page"))
    rows = Describer(context["clinic"]).rows(page.object_list)
    context.update({"page": page, "rows": rows, "nav": "audit"})
    return render(request, "audit/list.html", context)


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(entries: QuerySet[AuditEntry], describer: Describer) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    iterator = entries.iterator(chunk_size=CSV_CHUNK)
    while chunk := list(islice(iterator, CSV_CHUNK)):
        for row in describer.rows(chunk):
            cells = [
                row.when,
                row.who,
                row.action,
                row.entry.action,
                row.patient,
                row.record,
                row.changes_text,
                row.entry.reason,
            ]
            yield writer.writerow([csv_cell(c) for c in cells])


@permission_required("view_audit")
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    context = _filtered(request)
    stamp = timezone.localtime(timezone.now(), clinic_zone(context["clinic"]))
    response = StreamingHttpResponse(
        _csv_lines(context["entries"], Describer(context["clinic"])),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="audit-trail-{stamp:%Y-%m-%d-%H%M}.csv"'
    )
    return response
