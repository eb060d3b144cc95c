"""Refuse a NUL byte in any query parameter, form field or JSON string before a view sees it.

PostgreSQL cannot store a NUL (``\\x00``) in text and answers a query containing one with an
error (a 500 before this guard). The guard answers 400 naming the field: in the API's one error
shape under ``/api/``, as a plain page elsewhere. Files are not inspected.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

NUL = "\x00"
MESSAGE = "contains a NUL character (\\u0000), which is not allowed in any text"


def _json_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield name, str(key)
            yield from _json_strings(item, name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{i}]")


def nul_field(request: HttpRequest) -> str | None:
    """The first field of the request holding a NUL, or None."""
    if NUL in request.path:
        return "path"
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in v for v in values):
            return name.replace(NUL, "\\u0000")
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type == "application/json":
            try:
                data = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                return None  # malformed JSON: the API's own parser answers it
            for name, text in _json_strings(data):
                if NUL in text:
                    return name
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, values in request.POST.lists():
                if NUL in name or any(NUL in v for v in values):
                    return name.replace(NUL, "\\u0000")
    return None


class NulByteMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = nul_field(request)
        if field is None:
            return self.get_response(request)
        message = f"{field}: {MESSAGE}"
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": "invalid", "message": message, "fields": {field: message}}},
                status=400,
            )
        return HttpResponse(
            f"<!doctype html><title>Not accepted</title><h1>Not accepted</h1><p>{_escape(message)}"
            '</p><p><a href="/">Back to the start page</a></p>',
            status=400,
            content_type="text/html; charset=utf-8",
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
