"""The audit trail in the Django admin: to read only. Nobody adds, changes or deletes an entry
here (nor anywhere: the database refuses UPDATE and DELETE, see ``models``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ketacare.web.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "clinic", "seq", "actor", "action", "object_type", "patient"]
    list_filter = ["clinic", "action"]
    list_select_related = ["clinic", "actor", "patient"]
    search_fields = ["action", "object_type", "reason"]
    actions = None  # not even "delete selected"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
