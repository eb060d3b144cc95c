from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ketacare.web.accounts.models import ApiToken, Clinic, User


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "time_zone", "chairs"]


@admin.register(User)
class KetaCareUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "first_name", "last_name", "clinic", "role", "is_active"]
    list_filter = ["clinic", "role", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Clinic", {"fields": ("clinic", "role")}))  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix"]
