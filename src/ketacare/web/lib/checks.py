"""System checks for dangerous production settings (``manage.py check --deploy`` and startup)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register(deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    if settings.DEBUG:
        problems.append(
            Error(
                "KETACARE_DEBUG is on in a deployment.",
                hint="Unset KETACARE_DEBUG.",
                id="ketacare.E001",
            )
        )
    if getattr(settings, "DEMO", False):
        problems.append(
            Error(
                "KETACARE_DEMO is on in a deployment (generated secret key, demo data).",
                hint="Unset KETACARE_DEMO and set KETACARE_SECRET_KEY.",
                id="ketacare.E002",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            Warning(
                "SQLite is the demo database; production runs on PostgreSQL.",
                hint="Set DATABASE_URL=postgres://...",
                id="ketacare.W001",
            )
        )
    minimum = getattr(settings, "SECRET_KEY_MIN_LENGTH", 50)
    if len(settings.SECRET_KEY) < minimum or len(set(settings.SECRET_KEY)) < 5:
        problems.append(
            Error(
                f"KETACARE_SECRET_KEY is shorter than {minimum} characters (or has fewer than 5 "
                "different characters): sessions and password-reset links can be forged.",
                hint="python -c 'import secrets; print(secrets.token_urlsafe(64))'",
                id="ketacare.E003",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "KETACARE_ALLOWED_HOSTS contains '*': any Host header is believed (links in "
                "password-reset mails can be made to point elsewhere).",
                hint="List the clinic's host names.",
                id="ketacare.E004",
            )
        )
    directives = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("DIRECTIVES", {})
    loose = {"'unsafe-inline'", "'unsafe-eval'", "*"}
    for directive in ("script-src", "style-src", "default-src"):
        if directive in directives and loose & set(directives[directive]):
            problems.append(
                Error(
                    f"The Content-Security-Policy's {directive} allows "
                    f"{sorted(loose & set(directives[directive]))}: injected script would run.",
                    hint="Move the script or style to a static file instead.",
                    id="ketacare.E005",
                )
            )
    if "frame-ancestors" not in directives or "script-src" not in directives:
        problems.append(
            Error(
                "The Content-Security-Policy lacks script-src or frame-ancestors.",
                hint="Keep settings.CONTENT_SECURITY_POLICY as shipped.",
                id="ketacare.E006",
            )
        )
    if not getattr(settings, "SECURE", True):
        problems.append(
            Warning(
                "KETACARE_SECURE is off: no HTTPS redirect, no HSTS, cookies sent over plain "
                "HTTP. Passwords and patient records can be read on the network.",
                hint="Serve behind a TLS proxy and unset KETACARE_SECURE (it is on by default).",
                id="ketacare.W002",
            )
        )
    return problems
