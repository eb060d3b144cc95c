"""Email (ketacare.web.notify.email): Django's backend (mail.outbox in tests), the clinic's sender
address, and bad input named by its field."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from ketacare.core.errors import InputError
from ketacare.web.notify.email import send_email


def test_it_sends_one_plain_message_from_the_clinic_address() -> None:
    with override_settings(KETACARE_NOTIFY_EMAIL_FROM="checkins@clinic.example"):
        sent = send_email(" patient@example.org ", "Your check-in", "Open https://x.example/c/1")
    assert sent == 1
    [message] = mail.outbox
    assert message.to == ["patient@example.org"]
    assert message.from_email == "checkins@clinic.example"
    assert message.subject == "Your check-in"
    assert message.body == "Open https://x.example/c/1"


def test_a_clinic_may_send_from_its_own_address() -> None:
    send_email("p@example.org", "Hi", "Body", from_email="north@clinic.example")
    assert mail.outbox[0].from_email == "north@clinic.example"


def test_the_default_sender_is_the_password_reset_sender() -> None:
    from django.conf import settings

    assert settings.KETACARE_NOTIFY_EMAIL_FROM == settings.DEFAULT_FROM_EMAIL


@pytest.mark.parametrize(
    ("to", "subject", "body", "field"),
    [
        ("not-an-address", "Hi", "Body", "to"),
        ("p@example.org", "Two\nlines", "Body", "subject"),
        ("p@example.org", "", "Body", "subject"),
        ("p@example.org", "x" * 201, "Body", "subject"),
        ("p@example.org", "Hi", "  ", "body"),
    ],
)
def test_bad_input_names_its_field_and_nothing_is_sent(
    to: str, subject: str, body: str, field: str
) -> None:
    with pytest.raises(InputError) as caught:
        send_email(to, subject, body)
    assert caught.value.field == field
    assert mail.outbox == []
