"""The health page answers without login and reports the database."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_health_page_answers_ok_without_login(client: Client) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}


@pytest.mark.django_db
def test_health_page_answers_503_with_a_short_body_when_the_database_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError, connection

    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused: secret host details")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["database"] == "OperationalError"
    assert "secret host" not in response.content.decode()
    assert len(response.content) < 200
