"""``ketacare worker`` and ``ketacare beat``: the background tasks on Celery with Redis.

``ketacare worker`` runs the tasks (sending due check-ins, reminders, escalations) taken from the
broker ``KETACARE_BROKER_URL``; ``ketacare beat`` puts the periodic ones on the broker at their
times (``KETACARE_PERIODIC_TASKS`` in the settings). Run exactly one beat for a clinic's broker
and as many workers as needed. Both use the production settings (docs/deployment.md, section 10)
and log JSON lines on stderr.
"""

from __future__ import annotations

import argparse
from typing import Any

from ketacare.commands import add_command
from ketacare.commands.serve import setup_django
from ketacare.core.errors import InputError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
POOLS = ("prefork", "solo", "threads")


def _app() -> Any:
    setup_django()
    from ketacare.web.clinic.celery_app import app

    return app


def _worker(args: argparse.Namespace) -> int:
    if not 1 <= args.concurrency <= 64:
        raise InputError("concurrency", args.concurrency, "a whole number from 1 to 64")
    app = _app()
    argv = [
        "worker",
        f"--loglevel={args.loglevel}",
        f"--pool={args.pool}",
        f"--concurrency={args.concurrency}",
        f"--hostname={args.hostname}",
        f"--queues={args.queues}",
        "--without-gossip",
        "--without-mingle",
    ]
    app.worker_main(argv=argv)
    return 0


def _beat(args: argparse.Namespace) -> int:
    app = _app()
    from django.conf import settings

    schedule = args.schedule or settings.CELERY_BEAT_SCHEDULE_FILENAME
    app.start(argv=["beat", f"--loglevel={args.loglevel}", f"--schedule={schedule}"])
    return 0


def register(subparsers: Any) -> None:
    worker = add_command(
        subparsers,
        "worker",
        "run the background-task worker (Celery) on the broker KETACARE_BROKER_URL",
        _worker,
        json_flag=False,
    )
    worker.add_argument(
        "--concurrency", type=int, default=2, help="tasks run at once (processes; default 2)"
    )
    worker.add_argument(
        "--pool",
        choices=POOLS,
        default="prefork",
        help="how tasks run: prefork (processes, the default), threads, or solo (one at a time)",
    )
    worker.add_argument(
        "--hostname", default="ketacare@%h", help="the worker's name (default ketacare@HOST)"
    )
    worker.add_argument(
        "--queues", default="celery", help="comma-separated queues to take tasks from (celery)"
    )
    worker.add_argument("--loglevel", choices=LOG_LEVELS, default="INFO")
    beat = add_command(
        subparsers,
        "beat",
        "put the periodic tasks (check-ins due, reminders, escalations) on the broker on time",
        _beat,
        json_flag=False,
    )
    beat.add_argument(
        "--schedule",
        help="file where beat keeps the last run of each task "
        "(default $KETACARE_DATA_DIR/celerybeat-schedule)",
    )
    beat.add_argument("--loglevel", choices=LOG_LEVELS, default="INFO")
