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
    return problems
