"""Sign in and out (Django's views), the user's own page, and the clinic admin's staff page."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.core.errors import InputError
from ketacare.web.accounts import mfa, services
from ketacare.web.accounts.events import audit_account
from ketacare.web.accounts.forms import (
    MfaCodeForm,
    MfaEnrolForm,
    MfaRolesForm,
    PasswordChangeForm,
    SetPasswordForm,
    StaffChangeForm,
    StaffForm,
    TokenForm,
)
from ketacare.web.accounts.models import ApiToken, Role, TokenScope, User
from ketacare.web.accounts.permissions import PERMISSIONS, allowed_actions, permission_required
from ketacare.web.lib.forms import add_input_error
from ketacare.web.lib.records import DuplicateError, get_for_user


@permission_required("manage_staff")
def staff(request: HttpRequest) -> HttpResponse:
    return _staff_page(request, StaffForm())


def _staff_page(request: HttpRequest, form: StaffForm, status: int = 200) -> HttpResponse:
    members = User.objects.filter(clinic_id=request.user.clinic_id).order_by(  # type: ignore[union-attr, misc]  # login required: request.user is a staff User with a clinic
        "-is_active", "last_name"
    )
    with_mfa = set(
        TOTPDevice.objects.filter(
            user__clinic_id=request.user.clinic_id,  # type: ignore[union-attr]  # login required: request.user is a staff User with a clinic
            confirmed=True,
        ).values_list("user_id", flat=True)
    )
    return render(
        request,
        "accounts/staff.html",
        {
            "members": members,
            "with_mfa": with_mfa,
            "form": form,
            "roles": Role.choices,
            "nav": "staff",
            "mfa_form": MfaRolesForm(
                initial={"require_mfa_for": request.user.clinic.require_mfa_for}  # type: ignore[union-attr]  # login required: request.user is a staff User with a clinic
            ),
        },
        status=status,
    )


@permission_required("manage_staff")
@require_POST
def staff_add(request: HttpRequest) -> HttpResponse:
    form = StaffForm(request.POST)
    if form.is_valid():
        try:
            user = services.add_staff(request.user, **form.cleaned_data)  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
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
            services.change_role(request.user, member, role=data["role"], reason=data["reason"])  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
        if data["active"] != member.is_active:
            services.set_active(request.user, member, active=data["active"], reason=data["reason"])  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{member.display_name} updated.")
    return redirect("accounts:staff")


def _profile_page(
    request: HttpRequest,
    *,
    token_form: TokenForm | None = None,
    new_token: str = "",
    new_token_row: ApiToken | None = None,
    status: int = 200,
) -> HttpResponse:
    response = render(
        request,
        "accounts/profile.html",
        {
            "actions": sorted(allowed_actions(request.user)),
            "all_actions": sorted(PERMISSIONS),
            "tokens": ApiToken.objects.filter(  # type: ignore[misc]  # a signed-in staff user (the view's permission)
                user_id=request.user.pk, revoked_at__isnull=True, expires_at__gt=timezone.now()
            ).order_by("-created_at"),
            "token_form": token_form or TokenForm(),
            "new_token": new_token,
            "new_token_row": new_token_row,
            "has_mfa": mfa.has_mfa(request.user),
        },
        status=status,
    )
    if new_token:
        response["Cache-Control"] = "no-store"  # the plain token must not stay in a cache
    return response


def profile(request: HttpRequest) -> HttpResponse:
    return _profile_page(request)


@permission_required("manage_staff")
@require_POST
def staff_mfa_reset(request: HttpRequest, user_uuid: str) -> HttpResponse:
    member = get_for_user(User.objects.all(), request.user, user_uuid)
    try:
        services.reset_mfa(request.user, member, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Two-factor sign-in removed for {member.display_name}.")
    return redirect("accounts:staff")


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue an API token for the signed-in user. The plain token is in this response only:
    never in a message, a cookie or a redirect."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, token_form=form, status=400)
    data = form.cleaned_data
    try:
        row, plain = services.issue_token(
            request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
            name=(data["name"] or "").strip() or "API token",
            scope=data["scope"] or TokenScope.READ,
            days=data["days"] or settings.KETACARE_TOKEN_DAYS,
        )
    except InputError as exc:
        add_input_error(form, exc)
        return _profile_page(request, token_form=form, status=400)
    return _profile_page(request, new_token=plain, new_token_row=row, status=201)


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    row = ApiToken.objects.filter(pk=token_id, user=request.user, revoked_at__isnull=True).first()  # type: ignore[misc]  # login required: request.user is a User here
    if row is not None:
        services.revoke_token(request.user, row)  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
        messages.success(request, f"Token “{row.name}” revoked.")
    return redirect("accounts:profile")


# --- two-factor sign-in ------------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _codes_page(request: HttpRequest, codes: list[str], *, enrolled: bool) -> HttpResponse:
    response = render(
        request,
        "accounts/mfa_codes.html",
        {"codes": codes, "enrolled": enrolled, "next": _next_url(request)},
    )
    response["Cache-Control"] = "no-store"
    return response


def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: a QR code (inline SVG) and the secret as text; the first code
    confirms it, and the recovery codes are shown once, on the page that answers."""
    user: Any = request.user
    if mfa.has_mfa(user) and not user.is_verified():
        return redirect("accounts:mfa_verify")
    device = mfa.pending_device(user)
    form = MfaEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.confirm_enrolment(request, device, form.cleaned_data["token"])
        except InputError as exc:
            add_input_error(form, exc)
        else:
            return _codes_page(request, codes, enrolled=True)
    required = bool(user.clinic and user.clinic.requires_mfa(user.role))
    return render(
        request,
        "accounts/mfa_enrol.html",
        {
            "form": form,
            "qr_svg": mark_safe(mfa.qr_svg(device)),  # qrcode's own SVG of our URL
            "secret": mfa.secret_text(device),
            "required": required,
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in: a code from the app, or a recovery code."""
    user: Any = request.user
    if user.is_verified() or not mfa.has_mfa(user):
        return redirect(_next_url(request))
    form = MfaCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        recovery = form.cleaned_data["recovery_code"]
        if recovery:
            ok, why = mfa.use_recovery_code(request, recovery)
            field = "recovery_code"
        else:
            ok, why = mfa.verify_totp(request, token)
            field = "token"
        if ok:
            if recovery:
                messages.warning(request, why + " Make new codes on your page if few are left.")
            return redirect(_next_url(request))
        form.add_error(field, why)
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@require_POST
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), shown once."""
    user: Any = request.user
    if not mfa.has_mfa(user):
        return redirect("accounts:mfa_enrol")
    codes = mfa.new_recovery_codes(user)
    audit_account(user, "mfa.recovery_codes_new", user, {"count": len(codes)})
    return _codes_page(request, codes, enrolled=False)


# --- passwords ---------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_account(self.request.user, "password.change", form.user, {"by": "self"})
        messages.success(self.request, "Your password is changed.")
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        audit_account(user, "password.reset", user, {"by": "email link"})
        # a new password ends a lockout of the account (the person proved they own the mail)
        axes_reset(username=user.get_username())
        return response


@permission_required("manage_staff")
@require_POST
def clinic_mfa(request: HttpRequest) -> HttpResponse:
    form = MfaRolesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for the change.")
        return redirect("accounts:staff")
    try:
        services.set_mfa_roles(
            request.user,  # type: ignore[arg-type]  # login required: request.user is a User, not AnonymousUser
            request.user.clinic,  # type: ignore[union-attr, arg-type]  # login required: request.user is a staff User with a clinic
            roles=form.cleaned_data["require_mfa_for"],
            reason=form.cleaned_data["reason"],
        )
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Two-factor rule saved.")
    return redirect("accounts:staff")


def lockout(request: HttpRequest, response: Any, credentials: Any) -> HttpResponse:
    """The page django-axes answers while an account is locked (``AXES_LOCKOUT_CALLABLE``): the
    app's layout, how long, and what to do. 429 Too Many Requests."""
    username = ""
    if isinstance(credentials, dict):
        username = str(credentials.get("username") or "")
    username = username or str(request.POST.get("username", ""))
    return render(
        request,
        "accounts/lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "username": username,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
