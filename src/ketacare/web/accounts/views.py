"""Sign in and out (Django's views), the user's own page, and the clinic admin's staff page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketacare.core.errors import InputError
from ketacare.web.accounts import services
from ketacare.web.accounts.forms import StaffChangeForm, StaffForm
from ketacare.web.accounts.models import ApiToken, Role, User
from ketacare.web.accounts.permissions import PERMISSIONS, allowed_actions, permission_required
from ketacare.web.core_app.forms import add_input_error
from ketacare.web.core_app.records import DuplicateError, get_for_user


def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {
            "actions": sorted(allowed_actions(request.user)),
            "all_actions": sorted(PERMISSIONS),
            "tokens": ApiToken.objects.filter(user_id=request.user.pk, revoked_at__isnull=True),
        },
    )


@permission_required("manage_staff")
def staff(request: HttpRequest) -> HttpResponse:
    return _staff_page(request, StaffForm())


def _staff_page(request: HttpRequest, form: StaffForm, status: int = 200) -> HttpResponse:
    members = User.objects.filter(clinic_id=request.user.clinic_id).order_by(  # type: ignore[union-attr]
        "-is_active", "last_name"
    )
    return render(
        request,
        "accounts/staff.html",
        {"members": members, "form": form, "roles": Role.choices, "nav": "staff"},
        status=status,
    )


@permission_required("manage_staff")
@require_POST
def staff_add(request: HttpRequest) -> HttpResponse:
    form = StaffForm(request.POST)
    if form.is_valid():
        try:
            user = services.add_staff(request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DuplicateError as exc:  # the user name is taken: 409, beside its field
            add_input_error(form, exc)
            return _staff_page(request, form, status=409)
        except InputError as exc:
            add_input_error(form, exc)
        else:
            messages.success(request, f"{user.display_name} added as {user.get_role_display()}.")
            return redirect("accounts:staff")
    return _staff_page(request, form)


@permission_required("manage_staff")
@require_POST
def staff_change(request: HttpRequest, user_uuid: str) -> HttpResponse:
    member = get_for_user(User.objects.all(), request.user, user_uuid)
    form = StaffChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a role and a reason for the change.")
        return redirect("accounts:staff")
    data = form.cleaned_data
    try:
        if data["role"] != member.role:
            services.change_role(request.user, member, role=data["role"], reason=data["reason"])  # type: ignore[arg-type]
        if data["active"] != member.is_active:
            services.set_active(request.user, member, active=data["active"], reason=data["reason"])  # type: ignore[arg-type]
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{member.display_name} updated.")
    return redirect("accounts:staff")


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue an API token for the signed-in user; the plain token is shown once."""
    name = (request.POST.get("name") or "").strip()[:100] or "API token"
    _, plain = ApiToken.issue(request.user, name)  # type: ignore[arg-type]
    messages.success(
        request, f"Token “{name}” created. Copy it now; it is not shown again: {plain}"
    )
    return redirect("accounts:profile")


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    row = ApiToken.objects.filter(pk=token_id, user=request.user, revoked_at__isnull=True).first()
    if row is not None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        messages.success(request, f"Token “{row.name}” revoked.")
    return redirect("accounts:profile")
