"""``ketacare demo`` shows a patient's answered check-ins and a due one whose link works."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from ketacare.web import demo
from ketacare.web.checkins.demo import due_link


@pytest.mark.django_db
def test_the_demo_has_answered_check_ins_and_a_working_due_link() -> None:
    from ketacare.web.checkins.models import CheckIn
    from ketacare.web.measures.models import Measure

    lines = list(demo.seed())
    assert any(line.startswith("Check-ins:") and "3 answered" in line for line in lines)
    assert CheckIn.objects.filter(status="completed").count() == 3
    assert Measure.objects.filter(source="patient").count() == 3
    printed = list(due_link())
    path = re.search(r"(/c/[A-Za-z0-9_-]{43,}/)", printed[0])
    assert path is not None
    assert mail.outbox and path.group(1) in mail.outbox[-1].body
    dob = printed[1].rsplit(" ", 1)[1]
    client = Client()
    client.post(path.group(1), {"date_of_birth": dob})
    page = client.get(path.group(1))
    assert page.status_code == 200 and "Little interest or pleasure" in page.content.decode()
    # a second start cancels the first link and prints a new one
    list(due_link())
    assert CheckIn.objects.filter(status__in=("sent", "opened")).count() == 1
