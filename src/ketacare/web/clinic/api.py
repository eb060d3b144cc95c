"""The JSON API, /api/v1/: one NinjaAPI, session or bearer-token auth, one error shape.

The error shape and its handlers are ``ketacare.web.lib.api`` (the table of statuses and codes is
there); authentication is ``ketacare.web.accounts.api``. This module, at the top of the stack,
makes the instance and registers each app's ``<app>/api.py`` ``router`` under its prefix
(:func:`register_routers`, called by ``ketacare.web.urls``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth

from ketacare.web.accounts.api import TokenAuth, api_user, docs_login_required
from ketacare.web.accounts.permissions import allowed_actions
from ketacare.web.checkins.api import router as checkins
from ketacare.web.clinic.reports.api import router as reports
from ketacare.web.courses.api import router as courses
from ketacare.web.evidence.api import router as evidence
from ketacare.web.lib.api import KetaCareAPI, add_error_handlers
from ketacare.web.measures.api import router as measures
from ketacare.web.patients.api import router as patients
from ketacare.web.treatments.api import router as sessions

api = KetaCareAPI(
    title="KetaCare API",
    version="1",
    description=(
        "Records of ketamine and esketamine treatment. Every clinical number comes from "
        "ketacare.core. Errors: {'error': {'code', 'message', 'fields'}}."
    ),
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],  # a bearer token first: no CSRF for token clients
    docs_url=None,  # the Swagger page loads scripts from a CDN; the OpenAPI JSON is served
    docs_decorator=docs_login_required,
)


add_error_handlers(api)


@api.get("/me", tags=["accounts"], summary="The signed-in user, their clinic and permissions")
def me(request: HttpRequest) -> dict[str, Any]:
    user = api_user(request)
    return {
        "username": user.username,
        "name": user.display_name,
        "role": user.role,
        "clinic": str(user.clinic.uuid) if user.clinic else None,
        "may": sorted(allowed_actions(user)),
    }


def register_routers() -> None:
    """Each app's ``api.router`` under its prefix (once: ``ketacare.web.urls`` calls it)."""
    api.add_router("/patients", patients)
    api.add_router("/patients", checkins)  # /patients/{uuid}/check-ins
    api.add_router("/courses", courses)
    api.add_router("/evidence", evidence)
    api.add_router("", measures)  # /measures and /alerts
    api.add_router("/sessions", sessions)
    api.add_router("/reports", reports)
