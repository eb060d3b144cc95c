"""The Django admin for clinics, users and tokens, with every change on the clinic's audit trail.

Nothing here is hard-deleted: a user is deactivated (their name stays on the records they signed),
a token is revoked, and a clinic is never deleted (its records and audit trail point to it). Nobody
changes their own role, clinic or superuser status here either.

Each save calls the audit service (``save_model``); a user moved to another clinic gets an entry
in both clinics. A site superuser with no clinic has no clinic audit trail: Django's own admin log
(``LogEntry``) still records those changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpRequest

from ketacare.web.accounts import services
from ketacare.web.accounts.models import ApiToken, Clinic, User
from ketacare.web.audit.services import record, snapshot

USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "clinic",
    "role",
    "is_active",
    "is_staff",
    "is_superuser",
]
SELF_LOCKED = ("role", "clinic", "is_superuser", "is_staff", "groups", "user_permissions")


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "chairs", "require_mfa_for"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Clinic, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = snapshot(Clinic.objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            record(
                request.user,
                "admin.clinic.change" if change else "admin.clinic.add",
                obj,
                before,
                snapshot(obj),
                "admin site",
            )


@admin.register(User)
class KetaCareUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "clinic", "role", "is_active"]
    list_filter = ["clinic", "role", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Clinic", {"fields": ("clinic", "role")}))  # type: ignore[misc]  # UserAdmin.fieldsets: the stubs type it more narrowly than Django takes it
    actions = ["deactivate"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: names stay on the records they signed

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += [f for f in SELF_LOCKED if f not in fields]
        return fields

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        with transaction.atomic():
            old = User.objects.get(pk=obj.pk) if change else None
            if old is not None and obj.pk == request.user.pk:
                # the form does not offer these for oneself; refuse them from a forged post too
                obj.role, obj.clinic_id = old.role, old.clinic_id
                obj.is_superuser, obj.is_staff = old.is_superuser, old.is_staff
            before = snapshot(old, USER_FIELDS) if old is not None else None
            super().save_model(request, obj, form, change)
            after = snapshot(obj, USER_FIELDS)
            if old is not None and old.clinic_id is not None and old.clinic_id != obj.clinic_id:
                record(request.user, "admin.user.move_out", old, before, after, "admin site")
            if obj.clinic_id is not None:
                record(
                    request.user,
                    "admin.user.change" if change else "admin.user.add",
                    obj,
                    before,
                    after,
                    "admin site",
                )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            if user.clinic_id is not None:
                with transaction.atomic():
                    record(request.user, "password.set_by_admin", user, None, None, "admin site")
        return response

    @admin.action(description="Deactivate the selected users")
    def deactivate(self, request: HttpRequest, queryset: Any) -> None:
        count = 0
        for user in queryset.exclude(pk=request.user.pk).filter(is_active=True):
            with transaction.atomic():
                before = snapshot(user, USER_FIELDS)
                user.is_active = False
                user.save(update_fields=["is_active"])
                if user.clinic_id is not None:
                    after = snapshot(user, USER_FIELDS)
                    record(request.user, "admin.user.deactivate", user, before, after, "admin site")
            count += 1
        self.message_user(request, f"{count} user(s) deactivated.", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope"]
    readonly_fields = [
        "user",
        "digest",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued on the user's own page, where the token is shown once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the row says the token existed and when it stopped

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        with transaction.atomic():
            old = ApiToken.objects.get(pk=obj.pk)
            fields = services.TOKEN_FIELDS
            before = snapshot(old, fields)
            super().save_model(request, obj, form, change)
            if obj.user.clinic_id is not None:
                after = snapshot(obj, fields)
                record(request.user, "admin.token.change", obj.user, before, after, "admin site")

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        rows = list(queryset.filter(revoked_at__isnull=True))
        for row in rows:
            services.revoke_token(request.user, row, reason="admin site")  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
        self.message_user(request, f"{len(rows)} token(s) revoked.", messages.SUCCESS)
