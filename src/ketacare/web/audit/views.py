from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketacare.web.accounts.permissions import permission_required
from ketacare.web.audit.models import AuditEntry
from ketacare.web.core_app.records import for_clinic


@permission_required("view_audit")
def audit_list(request: HttpRequest) -> HttpResponse:
    entries = for_clinic(AuditEntry.objects.all(), request.user).select_related("actor")[:200]
    return render(request, "audit/list.html", {"entries": entries, "nav": "audit"})
