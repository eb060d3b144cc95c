"""The Celery app of KetaCare, configured from the Django settings (the ``CELERY_*`` names of
``ketacare.web.settings``: broker ``KETACARE_BROKER_URL``, Redis by default; eager with
``KETACARE_TASKS_EAGER``; JSON only; acknowledged late; time limits; the beat schedule from
``KETACARE_PERIODIC_TASKS``).

The tasks are found in each installed app's ``tasks`` module (the check-in tasks and
``ketacare.ping`` are in ``ketacare.web.clinic.tasks``). ``ketacare worker`` and
``ketacare beat`` start the worker and the scheduler with this app; the core app imports it at
start, so a task sent from a web request goes to the configured broker.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.web.settings")

app = Celery("ketacare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
