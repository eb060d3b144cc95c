from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms

from ketacare.web.accounts.models import Role, TokenScope


class StaffForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    password = forms.CharField(
        widget=forms.PasswordInput,
        help_text="at least 12 characters, not a common password, not all digits",
    )


class StaffChangeForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    active = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=300)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, required=False)
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ, required=False)
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.KETACARE_TOKEN_MAX_DAYS,
        initial=settings.KETACARE_TOKEN_DAYS,
        label="Expires in (days)",
    )


class MfaCodeForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
    recovery_code = forms.CharField(
        label="Or a recovery code",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="one of the codes you saved when you set up two-factor sign-in",
    )


class MfaEnrolForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class MfaRolesForm(forms.Form):
    require_mfa_for = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Roles that must use two-factor sign-in",
    )
    reason = forms.CharField(max_length=300)


class _RulesBesideNewPassword:
    """Django checks the password rules on the confirmation field; show them beside the new
    password, where the person types it (a mismatch stays beside the confirmation)."""

    def validate_password_for_user(self, user: Any, password_field_name: str = "") -> None:
        super().validate_password_for_user(user, "new_password1")  # type: ignore[misc]  # Django 5.2's SetPasswordMixin method; the stubs lag


class PasswordChangeForm(_RulesBesideNewPassword, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(_RulesBesideNewPassword, auth_forms.SetPasswordForm):
    pass
