"""SMS through a small provider-neutral backend, chosen by the setting ``KETACARE_SMS_BACKEND``.

``send_sms(to, body)`` checks the number (E.164) and the text, hands them to the backend and
returns the provider's message id. Backends (dotted paths for ``KETACARE_SMS_BACKEND``):

- ``ketacare.web.notify.sms.ConsoleSmsBackend``: prints the message on stdout (the demo default);
- ``ketacare.web.notify.sms.LocmemSmsBackend``: appends it to :data:`outbox` (the tests, like
  Django's ``mail.outbox``);
- ``ketacare.web.notify.sms.HttpSmsBackend``: a JSON POST to ``KETACARE_SMS_URL`` with the bearer
  token ``KETACARE_SMS_TOKEN`` (the production backend; docs/deployment.md gives the contract a
  provider or a small relay in front of it answers);
- ``ketacare.web.notify.sms.DisabledSmsBackend``: refuses to send (the production default until
  SMS is configured).

The log line of a send names the backend and the message id only: never the number or the text
(the text holds a check-in link).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from ketacare.core.checkins.contact import normalise_phone
from ketacare.core.errors import InputError

log = logging.getLogger("ketacare.web.notify")

#: Longest text accepted: ten concatenated SMS segments of 160 GSM characters, the common limit
#: of providers (longer texts are refused by them, not split).
MAX_BODY_CHARS = 1600


class SmsError(Exception):
    """An SMS could not be sent (the provider refused it or did not answer)."""


class SmsNotConfigured(SmsError, ImproperlyConfigured):
    """SMS is not set up on this server (``KETACARE_SMS_BACKEND``, ``KETACARE_SMS_URL``)."""


class SmsDeliveryError(SmsError):
    """The provider answered something other than success, or not at all.

    ``status`` is the HTTP status (``None`` when there was no answer); ``response_text`` the
    start of the provider's answer, kept off the message (it may echo the number)."""

    def __init__(self, message: str, status: int | None = None, response_text: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.response_text = response_text


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    message_id: str
    sent_at: Any = field(default_factory=timezone.now)


class BaseSmsBackend:
    """A backend sends one checked message and returns the provider's message id."""

    def send(self, to: str, body: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints each message on stdout, like Django's console email backend (demo, debug)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream

    def send(self, to: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        stream = self.stream or sys.stdout
        stream.write(f"--- SMS {message_id} to {to} ---\n{body}\n--- end of SMS ---\n")
        stream.flush()
        return message_id


#: The messages the locmem backend "sent", oldest first; tests empty it (``outbox.clear()``).
outbox: list[SmsMessage] = []
_outbox_lock = threading.Lock()


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps each message in :data:`outbox` (the test backend)."""

    def send(self, to: str, body: str) -> str:
        with _outbox_lock:
            message_id = f"locmem-{len(outbox) + 1}"
            outbox.append(SmsMessage(to=to, body=body, message_id=message_id))
        return message_id


class DisabledSmsBackend(BaseSmsBackend):
    """Refuses every message: SMS is not configured on this server."""

    def send(self, to: str, body: str) -> str:
        raise SmsNotConfigured(
            "SMS is not configured: set KETACARE_SMS_BACKEND="
            "ketacare.web.notify.sms.HttpSmsBackend with KETACARE_SMS_URL and KETACARE_SMS_TOKEN "
            "(docs/deployment.md, section 9)"
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to report, not to follow (a POST would become a GET, and the
    bearer token would go to wherever it points)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class HttpSmsBackend(BaseSmsBackend):
    """A JSON POST per message to ``KETACARE_SMS_URL``.

    Request: ``POST`` with ``Authorization: Bearer <KETACARE_SMS_TOKEN>``, ``Content-Type:
    application/json``, ``Idempotency-Key: <uuid>`` and the body ``{"to": "+447700900123",
    "body": "...", "from": "<KETACARE_SMS_FROM>"}`` (``from`` only when set). Answer: any 2xx with
    a JSON object holding the message id in ``id`` or ``message_id``. Anything else (another
    status, a redirect, no JSON, no id, no answer within ``KETACARE_SMS_TIMEOUT_SECONDS``) raises
    :class:`SmsDeliveryError`. The URL must be ``https://``; plain ``http://`` only to this
    machine (a relay on loopback, the tests).
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        sender: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.url = url if url is not None else settings.KETACARE_SMS_URL
        self.token = token if token is not None else settings.KETACARE_SMS_TOKEN
        self.sender = sender if sender is not None else settings.KETACARE_SMS_FROM
        self.timeout = timeout if timeout is not None else settings.KETACARE_SMS_TIMEOUT_SECONDS
        parts = urlsplit(self.url or "")
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise SmsNotConfigured(
                f"KETACARE_SMS_URL={self.url!r} is not a URL; allowed: https://host/path "
                "(http:// only to 127.0.0.1, localhost or ::1)"
            )
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise SmsNotConfigured(
                f"KETACARE_SMS_URL={self.url!r} is plain http to another machine; allowed: "
                "https://, or http:// to 127.0.0.1, localhost or ::1 (the token would travel "
                "in clear)"
            )
        if not self.token:
            raise SmsNotConfigured("KETACARE_SMS_TOKEN is not set; the SMS provider needs it")
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, to: str, body: str) -> str:
        payload: dict[str, str] = {"to": to, "body": body}
        if self.sender:
            payload["from"] = self.sender
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload).encode("utf-8"),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Idempotency-Key": str(uuid.uuid4()),
                "User-Agent": "KetaCare-SMS/1",
            },
        )
        where = urlsplit(self.url).netloc
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                text = response.read(65536).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            text = exc.read(2048).decode("utf-8", "replace") if exc.fp else ""
            raise SmsDeliveryError(
                f"SMS provider at {where} answered HTTP {exc.code} {exc.reason}; "
                "expected a 2xx answer",
                status=exc.code,
                response_text=text[:500],
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsDeliveryError(
                f"SMS provider at {where} did not answer within {self.timeout:g} s ({reason})"
            ) from None
        if not 200 <= status < 300:  # pragma: no cover - urllib raises HTTPError for these
            raise SmsDeliveryError(
                f"SMS provider at {where} answered HTTP {status}; expected a 2xx answer",
                status=status,
                response_text=text[:500],
            )
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None
        message_id = None
        if isinstance(answer, dict):
            message_id = answer.get("id") or answer.get("message_id")
        if not isinstance(message_id, str | int) or isinstance(message_id, bool) or not message_id:
            raise SmsDeliveryError(
                f"SMS provider at {where} answered HTTP {status} without a message id; expected "
                'a JSON object such as {"id": "..."}',
                status=status,
                response_text=text[:500],
            )
        return str(message_id)


def get_backend() -> BaseSmsBackend:
    """The backend named by ``KETACARE_SMS_BACKEND`` (read at each call: override_settings
    works)."""
    path = str(settings.KETACARE_SMS_BACKEND)
    try:
        backend_class = import_string(path)
    except ImportError:
        raise SmsNotConfigured(
            f"KETACARE_SMS_BACKEND={path!r} cannot be imported; allowed: a dotted path such as "
            "ketacare.web.notify.sms.HttpSmsBackend"
        ) from None
    backend: BaseSmsBackend = backend_class()
    return backend


def validate_body(body: str) -> str:
    if not isinstance(body, str) or not body.strip():
        raise InputError("body", body, "a text of 1 to 1600 characters")
    if len(body) > MAX_BODY_CHARS:
        raise InputError(
            "body", f"{len(body)} characters", f"a text of 1 to {MAX_BODY_CHARS} characters"
        )
    return body


def send_sms(to: str, body: str) -> str:
    """Send one SMS and return the provider's message id.

    ``to`` must be an E.164 number (spaces, dots, dashes and brackets are ignored): otherwise an
    ``InputError`` naming ``to``, the value and the form allowed. Raises :class:`SmsError` when
    the backend cannot send (not configured, refused, no answer).
    """
    number = normalise_phone("to", to)
    text = validate_body(body)
    backend = get_backend()
    message_id = backend.send(number, text)
    log.info(
        "sms sent",
        extra={"backend": type(backend).__name__, "message_id": message_id, "chars": len(text)},
    )
    return message_id
