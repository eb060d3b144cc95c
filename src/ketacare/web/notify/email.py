"""Email to patients and to the clinic through Django's email backend (``KETACARE_EMAIL_BACKEND``:
SMTP in production, the console in the demo, ``mail.outbox`` in tests), from the address
``KETACARE_NOTIFY_EMAIL_FROM`` (the clinic's sender address for check-ins and alerts; by default
the one of password-reset mail, ``KETACARE_EMAIL_FROM``).

The log line of a send names no address and no text (the text holds a check-in link).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email

from ketacare.core.errors import InputError

log = logging.getLogger("ketacare.web.notify")

MAX_SUBJECT_CHARS = 200


def normalise_email(field: str, value: str) -> str:
    """A trimmed email address, or an :class:`InputError` naming ``field``."""
    allowed = "an email address such as name@example.org"
    if not isinstance(value, str):
        raise InputError(field, value, allowed)
    address = value.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise InputError(field, value, allowed) from None
    return address


def send_email(to: str, subject: str, body: str, *, from_email: str | None = None) -> int:
    """Send one plain-text email to one address; returns the number sent (1).

    ``from_email`` overrides ``KETACARE_NOTIFY_EMAIL_FROM`` (a clinic's own sender address).
    Bad input is an ``InputError`` naming ``to``, ``subject`` or ``body``; a backend failure
    (SMTP refused) propagates as Django raises it.
    """
    address = normalise_email("to", to)
    if not isinstance(subject, str) or not subject.strip() or "\n" in subject or "\r" in subject:
        raise InputError("subject", subject, "one line of text, not empty")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise InputError(
            "subject", f"{len(subject)} characters", f"at most {MAX_SUBJECT_CHARS} characters"
        )
    if not isinstance(body, str) or not body.strip():
        raise InputError("body", body, "a text, not empty")
    sender = normalise_email(
        "from_email", from_email if from_email is not None else settings.KETACARE_NOTIFY_EMAIL_FROM
    )
    sent = EmailMessage(subject=subject, body=body, from_email=sender, to=[address]).send()
    log.info("email sent", extra={"backend": str(settings.EMAIL_BACKEND).rsplit(".", 1)[-1]})
    return sent
