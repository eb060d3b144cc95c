"""Background tasks (Celery), found by ``ketacare.web.clinic.celery_app``.

The check-in tasks compose the ``checkins`` app from the top app: each calls one function of
``ketacare.web.checkins.services`` with ``timezone.now()`` and returns the number of messages or
alerts it handled. Each run logs one
line of logger ``ketacare.web.clinic.tasks``: the task, the count, the duration, no patient
data. The periodic schedule is ``KETACARE_PERIODIC_TASKS`` in the settings.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.utils import timezone

from ketacare.web.checkins import services

log = logging.getLogger(__name__)


def run_service(task_name: str, function_name: str) -> int:
    """Call ``ketacare.web.checkins.services.<function_name>(now)`` and log the outcome."""
    started = time.monotonic()
    now = timezone.now()
    count = int(getattr(services, function_name)(now))
    log.info(
        "task done",
        extra={
            "task": task_name,
            "count": count,
            "now": now.isoformat(),
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        },
    )
    return count


@shared_task(name="ketacare.checkins.send_due")
def send_due_checkins() -> int:
    """Send every check-in that is due (quiet hours respected by the service)."""
    return run_service("ketacare.checkins.send_due", "send_due_checkins")


@shared_task(name="ketacare.checkins.send_reminders")
def send_checkin_reminders() -> int:
    """Remind patients who have not answered; count the ones that are now missed."""
    return run_service("ketacare.checkins.send_reminders", "send_reminders")


@shared_task(name="ketacare.checkins.escalate_alerts")
def escalate_unacknowledged_alerts() -> int:
    """Escalate alerts not acknowledged in time to the clinic admin."""
    return run_service("ketacare.checkins.escalate_alerts", "escalate_unacknowledged_alerts")


@shared_task(name="ketacare.ping")
def ping() -> str:
    """Answers ``"pong"``: a worker is up and reads the broker."""
    return "pong"
