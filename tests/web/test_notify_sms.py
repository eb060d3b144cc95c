"""SMS (ketacare.web.notify.sms): the backend chosen by KETACARE_SMS_BACKEND, E.164 checks, and the
HTTP backend against a real HTTP server on 127.0.0.1 (http.server in a thread)."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings

from ketacare.core.errors import InputError
from ketacare.web.notify import sms
from ketacare.web.notify.sms import (
    ConsoleSmsBackend,
    HttpSmsBackend,
    SmsDeliveryError,
    SmsNotConfigured,
    send_sms,
)

HTTP = "ketacare.web.notify.sms.HttpSmsBackend"
TOKEN = "test-token-0123456789"


class FakeProvider:
    """A provider on 127.0.0.1: records each request and answers with ``status`` and ``answer``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 201
        self.answer: bytes = b'{"id": "SM-0001", "status": "queued"}'
        self.delay = 0.0
        self.location = ""
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                provider.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                if provider.delay:
                    time.sleep(provider.delay)
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                if provider.location:
                    self.send_header("Location", provider.location)
                self.send_header("Content-Length", str(len(provider.answer)))
                self.end_headers()
                self.wfile.write(provider.answer)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (the timeout test) is not the server's error

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    with override_settings(
        KETACARE_SMS_BACKEND=HTTP,
        KETACARE_SMS_URL=fake.url,
        KETACARE_SMS_TOKEN=TOKEN,
        KETACARE_SMS_FROM="KetaCare",
        KETACARE_SMS_TIMEOUT_SECONDS=2,
    ):
        yield fake
    fake.close()


@pytest.fixture(autouse=True)
def empty_outbox() -> Iterator[None]:
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_the_http_backend_posts_json_with_the_bearer_token_and_returns_the_id(
    provider: FakeProvider,
) -> None:
    message_id = send_sms("+44 7700 900123", "Your check-in is ready: https://clinic.example/c/x")
    assert message_id == "SM-0001"
    [request] = provider.requests
    assert request["path"] == "/v1/messages"
    assert request["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["content-type"] == "application/json"
    assert len(request["headers"]["idempotency-key"]) == 36
    assert json.loads(request["body"]) == {
        "to": "+447700900123",
        "body": "Your check-in is ready: https://clinic.example/c/x",
        "from": "KetaCare",
    }


def test_a_message_id_may_come_as_message_id(provider: FakeProvider) -> None:
    provider.status = 200
    provider.answer = b'{"message_id": 4711}'
    assert send_sms("+12125550100", "Hello") == "4711"


@pytest.mark.parametrize("status", [400, 401, 429, 500, 503])
def test_a_non_2xx_answer_raises_a_clear_error_without_the_token(
    provider: FakeProvider, status: int
) -> None:
    provider.status = status
    provider.answer = b'{"error": "nope for +447700900123"}'
    with pytest.raises(SmsDeliveryError) as caught:
        send_sms("+447700900123", "Hello")
    error = caught.value
    assert error.status == status
    assert f"answered HTTP {status}" in str(error)
    assert "expected a 2xx answer" in str(error)
    assert TOKEN not in str(error)
    assert "+447700900123" not in str(error)  # the provider's echo stays off the message
    assert "nope" in error.response_text


def test_a_redirect_is_reported_not_followed(provider: FakeProvider) -> None:
    provider.status = 302
    provider.location = "http://127.0.0.1:9/elsewhere"
    with pytest.raises(SmsDeliveryError, match="answered HTTP 302"):
        send_sms("+447700900123", "Hello")
    assert len(provider.requests) == 1


def test_a_2xx_answer_without_an_id_is_an_error(provider: FakeProvider) -> None:
    provider.status = 200
    provider.answer = b"ok"
    with pytest.raises(SmsDeliveryError, match="without a message id"):
        send_sms("+447700900123", "Hello")


def test_a_provider_that_does_not_answer_in_time_is_an_error(provider: FakeProvider) -> None:
    provider.delay = 1.5
    with (
        override_settings(KETACARE_SMS_TIMEOUT_SECONDS=1),
        pytest.raises(SmsDeliveryError, match=r"did not answer within 1 s"),
    ):
        send_sms("+447700900123", "Hello")


def test_a_provider_that_is_not_there_is_an_error() -> None:
    backend = HttpSmsBackend(url="http://127.0.0.1:9/sms", token=TOKEN, sender="", timeout=1)
    with pytest.raises(SmsDeliveryError, match="did not answer"):
        backend.send("+447700900123", "Hello")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "is not a URL"),
        ("ftp://sms.example/x", "is not a URL"),
        ("http://sms.example/x", "plain http to another machine"),
    ],
)
def test_a_bad_url_is_refused_at_configuration(url: str, words: str) -> None:
    with pytest.raises(SmsNotConfigured, match=words):
        HttpSmsBackend(url=url, token=TOKEN, sender="", timeout=1)


def test_a_missing_token_is_refused_at_configuration() -> None:
    with pytest.raises(SmsNotConfigured, match="KETACARE_SMS_TOKEN is not set"):
        HttpSmsBackend(url="https://sms.example/x", token="", sender="", timeout=1)


def test_the_test_settings_use_the_locmem_outbox() -> None:
    message_id = send_sms("+447700900123", "Hello from the clinic")
    [message] = sms.outbox
    assert (message.to, message.body, message.message_id) == (
        "+447700900123",
        "Hello from the clinic",
        message_id,
    )


@pytest.mark.parametrize("bad", ["07700 900123", "+44 7700 90012a", "", "+0123456789"])
def test_a_number_not_in_e164_is_refused_naming_the_field_and_nothing_is_sent(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        send_sms(bad, "Hello")
    assert caught.value.field == "to"
    assert caught.value.value == bad
    assert "E.164" in caught.value.allowed
    assert sms.outbox == []


def test_an_empty_or_overlong_text_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        send_sms("+447700900123", "  ")
    assert caught.value.field == "body"
    with pytest.raises(InputError, match="1 to 1600 characters"):
        send_sms("+447700900123", "x" * 1601)
    assert sms.outbox == []


def test_the_console_backend_prints_the_message() -> None:
    stream = io.StringIO()
    message_id = ConsoleSmsBackend(stream=stream).send("+447700900123", "Hello")
    assert message_id.startswith("console-")
    assert "SMS" in stream.getvalue() and "+447700900123" in stream.getvalue()
    assert "Hello" in stream.getvalue()


def test_the_production_default_refuses_until_sms_is_configured() -> None:
    with (
        override_settings(KETACARE_SMS_BACKEND="ketacare.web.notify.sms.DisabledSmsBackend"),
        pytest.raises(SmsNotConfigured, match="SMS is not configured"),
    ):
        send_sms("+447700900123", "Hello")


def test_an_unimportable_backend_names_the_setting() -> None:
    with (
        override_settings(KETACARE_SMS_BACKEND="ketacare.web.notify.sms.NoSuchBackend"),
        pytest.raises(SmsNotConfigured, match="KETACARE_SMS_BACKEND="),
    ):
        send_sms("+447700900123", "Hello")


def test_the_log_line_names_neither_the_number_nor_the_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("INFO", logger="ketacare.web.notify"):
        send_sms("+447700900123", "secret link https://clinic.example/c/abc")
    [record] = [r for r in caplog.records if r.name == "ketacare.web.notify"]
    assert record.message == "sms sent"
    assert record.backend == "LocmemSmsBackend"  # type: ignore[attr-defined]
    flat = json.dumps(vars(record), default=str)
    assert "+447700900123" not in flat and "abc" not in flat
