"""The JSON API, /api/v1/: one NinjaAPI, session or bearer-token auth, one error shape.

Every error answers ``{"error": {"code": str, "message": str, "fields": {field: message}}}``:

=====================  ======  ==================================================================
exception              status  code
=====================  ======  ==================================================================
ninja ValidationError  400     ``invalid`` (fields from the request schema: names the bound)
core InputError        400     ``invalid`` (fields: {InputError.field: its message})
AuthenticationError    401     ``unauthenticated``
PermissionDenied       403     ``forbidden``
Http404 / DoesNotExist 404     ``not_found``
ConflictError          409     ``conflict`` (the version check refused a stale save; fields:
                               ``{"version": ...}``)
DuplicateError         409     ``conflict`` (a second row where a rule allows one; fields: the
                               field, e.g. ``{"record_number": ...}``)
IntegrityError         409     ``conflict`` (the safety net: the database refused a write that a
                               service did not check; fields: the unique columns when known)
HttpError              its     ``error``
=====================  ======  ==================================================================

``DuplicateError`` is also an ``InputError``; handlers are looked up along the exception's MRO, and
``ConflictError`` comes first in it (it is also registered by name below, to make that explicit).

Each app adds its endpoints in ``<app>/api.py`` as a ``router`` registered in ``ketacare.web.urls``.
"""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from ketacare.core.errors import InputError, KetaCareError
from ketacare.web.accounts.models import ApiToken, User
from ketacare.web.accounts.permissions import require
from ketacare.web.accounts.timezones import activate_for
from ketacare.web.core_app.records import (
    INTEGRITY_MESSAGE,
    ConflictError,
    DuplicateError,
    integrity_fields,
)

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer kc_...``: a token issued with ``ApiToken.issue``.

    A revoked or expired token, or one of an inactive user, is refused (401). A ``read`` token
    may only read: any other method answers 403 ``forbidden`` in the one error shape."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        now = timezone.now()
        row = (
            ApiToken.objects.select_related("user", "user__clinic")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        if request.method not in self.SAFE_METHODS and not row.can_write:
            raise PermissionDenied("This token is read-only: issue a read-write token to write.")
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


def _docs_login_required(view: Any) -> Any:
    """The OpenAPI document is for signed-in staff or token holders only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or TokenAuth().authenticate(request, token) is None:
                return error_response(401, "unauthenticated", "Sign in or send a bearer token.")
        return view(request, *args, **kwargs)

    return wrapped


#: every operation may answer these, in the one error shape (listed in the OpenAPI document)
ERROR_RESPONSES: dict[int, str] = {
    400: "Invalid input: the fields named, what was given and what is allowed",
    401: "Not signed in, or no valid bearer token",
    403: "Your role may not do this",
    404: "No such record in your clinic",
    409: "Conflict: someone saved first (version), or a second row where one is allowed",
}


class KetaCareAPI(NinjaAPI):
    """The API whose OpenAPI document lists the one error shape on every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Error"] = {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message", "fields"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                }
            },
        }
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                for status, words in ERROR_RESPONSES.items():
                    operation["responses"].setdefault(status, {"description": words, **ref})
        return schema


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
    docs_decorator=_docs_login_required,
)


def error_response(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    import json

    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    # ninja puts the parameter name first for body schemas; keep the innermost names
    return ".".join(parts[1:] if len(parts) > 1 and parts[0] in {"payload", "data"} else parts)


def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = list(err.get("loc", ()))
        while loc and loc[0] in ("body", "query", "path", "form"):
            loc = loc[1:]
        if len(loc) > 1 and loc[0] in ("payload", "data"):
            loc = loc[1:]
        name = ".".join(str(p) for p in loc) or "body"
        message = str(err.get("msg", "invalid"))
        ctx = err.get("ctx") or {}
        if "ge" in ctx or "le" in ctx or "gt" in ctx or "lt" in ctx:
            message = f"{message} (allowed: {_bounds(ctx)})"
        fields.setdefault(name, message)
    summary = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return error_response(400, "invalid", f"Invalid input: {summary}", fields)


def _bounds(ctx: dict[str, Any]) -> str:
    low = f">= {ctx['ge']}" if "ge" in ctx else (f"> {ctx['gt']}" if "gt" in ctx else "")
    high = f"<= {ctx['le']}" if "le" in ctx else (f"< {ctx['lt']}" if "lt" in ctx else "")
    return " and ".join(part for part in (low, high) if part)


def _input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
    return error_response(400, "invalid", exc.message, {exc.field: exc.message})


def _ketacare_error(request: HttpRequest, exc: KetaCareError) -> HttpResponse:
    return error_response(400, "invalid", str(exc))


def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, "unauthenticated", "Sign in or send a valid bearer token.")


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}.get(
        exc.status_code, "error"
    )
    return error_response(exc.status_code, code, str(exc.message))


def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, "forbidden", str(exc) or "Your role may not do this.")


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not_found", "No such record in your clinic.")


def _conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return error_response(409, "conflict", exc.message, exc.fields)


def _integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # a service let the database be the first to refuse: answer 409, and log it to be fixed
    logger.warning(
        "IntegrityError escaped a service: %s %s", request.method, request.path, exc_info=exc
    )
    return error_response(409, "conflict", INTEGRITY_MESSAGE, integrity_fields(exc))


api.add_exception_handler(NinjaValidationError, _validation)  # type: ignore[arg-type]
api.add_exception_handler(InputError, _input_error)  # type: ignore[arg-type]
api.add_exception_handler(KetaCareError, _ketacare_error)  # type: ignore[arg-type]
api.add_exception_handler(AuthenticationError, _auth)  # type: ignore[arg-type]
api.add_exception_handler(HttpError, _http_error)  # type: ignore[arg-type]
api.add_exception_handler(PermissionDenied, _forbidden)
api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(ObjectDoesNotExist, _not_found)
api.add_exception_handler(ConflictError, _conflict)  # type: ignore[arg-type]
api.add_exception_handler(DuplicateError, _conflict)  # type: ignore[arg-type]
api.add_exception_handler(IntegrityError, _integrity)  # type: ignore[arg-type]


def api_user(request: HttpRequest, action: str = "use_api") -> User:
    """The authenticated user of an API request, after checking ``action`` (403 otherwise)."""
    user: Any = getattr(request, "auth", None) or request.user
    require(user, action)
    activate_for(user)  # a date-time without a zone is read in the clinic's zone
    return user  # type: ignore[no-any-return]


@api.get("/me", tags=["accounts"], summary="The signed-in user, their clinic and permissions")
def me(request: HttpRequest) -> dict[str, Any]:
    from ketacare.web.accounts.permissions import allowed_actions

    user = api_user(request)
    return {
        "username": user.username,
        "name": user.display_name,
        "role": user.role,
        "clinic": str(user.clinic.uuid) if user.clinic else None,
        "may": sorted(allowed_actions(user)),
    }


def register_routers() -> None:
    """Each app's ``api.router`` under its prefix (imported here to avoid import cycles)."""
    from ketacare.web.checkins.api import router as checkins
    from ketacare.web.core_app.reports.api import router as reports
    from ketacare.web.courses.api import router as courses
    from ketacare.web.evidence.api import router as evidence
    from ketacare.web.measures.api import router as measures
    from ketacare.web.patients.api import router as patients
    from ketacare.web.treatments.api import router as sessions

    api.add_router("/patients", patients)
    api.add_router("/patients", checkins)  # /patients/{uuid}/check-ins
    api.add_router("/courses", courses)
    api.add_router("/evidence", evidence)
    api.add_router("", measures)  # /measures and /alerts
    api.add_router("/sessions", sessions)
    api.add_router("/reports", reports)
