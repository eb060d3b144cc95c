"""Two-factor sign-in: a TOTP authenticator app (django-otp's TOTP plugin) and one-use recovery
codes (its static plugin).

django-otp's static plugin stores each code as plain text (``StaticToken.token``, 16 characters).
KetaCare stores a digest instead: a code is 12 random base32 characters (60 bits, shown as
``XXXX-XXXX-XXXX``) and the row holds the first 16 characters of the URL-safe base64 SHA-256 of
it (96 bits). A stolen database reveals no usable code. Codes are only ever checked through
``use_recovery_code``, which digests what was typed first.

A clinic lists the roles that must use a second factor (``Clinic.require_mfa_for``); the
``AccountSecurityMiddleware`` sends such a user to enrolment before any other page.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.core.errors import InputError
from ketacare.web.accounts.events import audit_account
from ketacare.web.accounts.models import User

RECOVERY_CODES = 10
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def has_mfa(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def must_enrol(user: Any) -> bool:
    """The user's clinic requires a second factor for their role and they have none yet."""
    clinic = getattr(user, "clinic", None)
    return bool(clinic and clinic.requires_mfa(user.role)) and not has_mfa(user)


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (created on first visit, kept on reload so
    the QR code scanned stays valid)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` URL as an inline SVG QR code (no external image)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: str = image.to_string(encoding="unicode")
    return svg


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_digest(code: str) -> str:
    digest = hashlib.sha256(normalise_code(code).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:16]


def _new_code() -> str:
    raw = "".join(secrets.choice(_B32) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; return the plain codes (shown once)."""
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="recovery", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(
            [StaticToken(device=device, token=code_digest(c)) for c in codes]
        )
    return codes


def confirm_enrolment(request: Any, device: TOTPDevice, token: str) -> list[str]:
    """Confirm ``device`` with a code from the app; mark the session verified; return new
    recovery codes. Raises InputError when the code is wrong."""
    user = request.user
    if not device.verify_token((token or "").strip()):
        audit_account(user, "mfa.failure", user, {"step": "enrol"})
        raise InputError("token", "(hidden)", "the 6-digit code your authenticator app shows now")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
        audit_account(user, "mfa.enrol", user, {"device": device.name})
    otp_login(request, device)
    return codes


def verify_totp(request: Any, token: str) -> tuple[bool, str]:
    """Check a code from the app at sign-in. Returns (ok, why not)."""
    user = request.user
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, info = device.verify_is_allowed()
        if not allowed:
            audit_account(user, "mfa.failure", user, {"step": "verify", "throttled": True})
            until = (info or {}).get("locked_until")
            wait = f" until {until:%H:%M:%S} UTC" if until else ""
            return False, f"Too many wrong codes: wait{wait} and try again."
        if device.verify_token((token or "").strip()):
            otp_login(request, device)
            audit_account(user, "mfa.verify", user, {"device": device.name})
            return True, ""
    audit_account(user, "mfa.failure", user, {"step": "verify"})
    return False, "That code is not right. Type the 6 digits your app shows now."


def use_recovery_code(request: Any, code: str) -> tuple[bool, str]:
    """Sign in with a recovery code (used up). Returns (ok, why not)."""
    user = request.user
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and device.verify_token(code_digest(code or "")):
        left = device.token_set.count()
        otp_login(request, device)
        audit_account(user, "mfa.recovery_code", user, {"codes_left": left})
        return True, f"Recovery code used; {left} left."
    audit_account(user, "mfa.failure", user, {"step": "recovery_code"})
    return False, "That recovery code is not right or was used before."
