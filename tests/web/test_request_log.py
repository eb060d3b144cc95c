"""Request logs: one JSON line per request on stderr with the request id, user id, clinic id,
method, path (never the query string), status and duration; server errors with their traceback;
no patient data."""

from __future__ import annotations

import json
import sys
import types
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path


def _lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def _request_lines(err: str) -> list[dict[str, Any]]:
    return [line for line in _lines(err) if line["logger"] == "ketacare.request"]


@pytest.mark.django_db
def test_a_patient_search_logs_the_path_without_the_name(
    client_for: Any, nurse: Any, patient: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    client = client_for(nurse)
    capsys.readouterr()
    response = client.get("/patients/?q=Marlowe")
    assert response.status_code == 200 and b"Marlowe" in response.content
    err = capsys.readouterr().err
    assert "Marlowe" not in err
    (line,) = _request_lines(err)
    assert line["path"] == "/patients/" and line["method"] == "GET" and line["status"] == 200
    assert line["user_id"] == nurse.pk and line["clinic_id"] == nurse.clinic_id
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32


@pytest.mark.django_db
def test_the_proxy_request_id_is_kept_and_a_forged_one_replaced(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    kept = client.get("/health/", HTTP_X_REQUEST_ID="proxy-42.a")
    forged = client.get("/health/", HTTP_X_REQUEST_ID='x"\n{"level": "fake"}')
    assert kept["X-Request-ID"] == "proxy-42.a"
    assert forged["X-Request-ID"] != 'x"\n{"level": "fake"}' and "\n" not in forged["X-Request-ID"]
    first, second = _request_lines(capsys.readouterr().err)
    assert first["request_id"] == "proxy-42.a" and first["user_id"] is None
    assert second["request_id"] == forged["X-Request-ID"]


def _boom(request: Any) -> HttpResponse:
    raise RuntimeError("kaboom in a view")


@pytest.mark.django_db
def test_a_server_error_logs_its_traceback_and_the_request_line(
    settings: Any, admin_user: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = types.ModuleType("ketacare_test_boom_urls")
    urls.urlpatterns = [path("boom/", _boom)]  # type: ignore[attr-defined]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    capsys.readouterr()
    response = client.get("/boom/?q=Marlowe")
    assert response.status_code == 500
    err = capsys.readouterr().err
    assert "Marlowe" not in err
    lines = _lines(err)
    error = next(line for line in lines if line["logger"] == "django.request")
    assert error["level"] == "ERROR" and "Traceback" in error["exc"]
    assert "kaboom in a view" in error["exc"] and error["status_code"] == 500
    (request_line,) = _request_lines(err)
    assert request_line["status"] == 500 and request_line["path"] == "/boom/"
    del sys.modules[urls.__name__]
