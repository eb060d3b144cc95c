"""A clinic's check-in settings in the Django admin (link hours, crisis text, on-call and admin
addresses, escalation, default schedule); each save is on the clinic's audit trail. Never deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from ketacare.web.audit.services import record, snapshot
from ketacare.web.checkins.models import CheckinSettings


@admin.register(CheckinSettings)
class CheckinSettingsAdmin(admin.ModelAdmin):
    list_display = ["clinic", "link_hours", "on_call_email", "admin_email", "default_rule"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CheckinSettings, form: Any, change: bool
    ) -> None:
        with transaction.atomic():
            before = snapshot(CheckinSettings.objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            record(
                request.user,
                "admin.checkin_settings.change",
                obj.clinic,
                before,
                snapshot(obj),
                "admin site",
            )
