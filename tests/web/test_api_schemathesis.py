"""schemathesis over the OpenAPI document, against every operation (bounded in time): no server
error and no status code the document does not list. Runs in-process through the WSGI app on the
test database (SQLite, or PostgreSQL in CI's second pass), as a prescriber holding a token."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from ketacare.web import urls  # noqa: F401  (registers every router on the API)
from ketacare.web.clinic.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))

MAX_EXAMPLES = 12


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Any:
    """As Django's test client does: the WSGI handler must not close the test's connection
    (it would, inside the test's transaction, on PostgreSQL)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(people: dict[str, Any], world: dict[str, Any]) -> str:
    from ketacare.web.accounts.models import ApiToken

    _, plain = ApiToken.issue(people["prescriber"], "schemathesis")
    return plain


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_without_a_server_error_and_as_documented(
    case: Any, token: str
) -> None:
    case.call_and_validate(
        app=get_wsgi_application(),
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, status_code_conformance],
    )
