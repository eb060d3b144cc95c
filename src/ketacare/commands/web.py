"""``ketacare demo`` and ``ketacare manage``: the clinic app."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

from ketacare.commands import add_command


def _setup_django(demo: bool) -> None:
    if demo:
        os.environ["KETACARE_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.web.settings")
    import django

    django.setup()


def _demo(args: argparse.Namespace) -> int:
    if args.data_dir:
        os.environ["KETACARE_DATA_DIR"] = args.data_dir
    # check-in links in the demo's messages point at the demo server
    os.environ.setdefault("KETACARE_BASE_URL", f"http://{args.host}:{args.port}")
    _setup_django(demo=True)
    from django.conf import settings
    from django.core.management import call_command

    os.makedirs(settings.DATA_DIR, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    print(f"Database ready: {settings.DATABASES['default']['NAME']}")
    try:
        seed_module: Any = importlib.import_module("ketacare.web.demo")
    except ModuleNotFoundError:
        seed_module = None
    if seed_module is not None:
        for line in seed_module.seed(reset=args.reset):
            print(line)
        from ketacare.web.checkins.demo import due_link

        for line in due_link():
            print(line)
    if args.no_serve:
        return 0
    scheduler = None
    if args.tasks_every > 0:
        # the periodic tasks of `ketacare beat`, run in-process: no broker, no worker
        from ketacare.web.clinic.scheduler import InProcessScheduler

        scheduler = InProcessScheduler(args.tasks_every).start()
        print(
            f"Background tasks in-process every {args.tasks_every:g} s, no broker: "
            + ", ".join(sorted(scheduler.tasks.values()))
        )
    print(f"Serving on http://{args.host}:{args.port}/  (health: /health/, admin: /admin/)")
    sys.stdout.flush()
    try:
        call_command("runserver", f"{args.host}:{args.port}", use_reloader=False)
    finally:
        if scheduler is not None:
            scheduler.stop()
    return 0


def _manage(args: argparse.Namespace) -> int:
    _setup_django(demo=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ketacare manage", *args.rest])
    return 0


def register(subparsers: Any) -> None:
    demo = add_command(
        subparsers,
        "demo",
        "migrate an SQLite database, load synthetic demo data and serve the clinic app",
        _demo,
        json_flag=False,
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--data-dir", help="folder of the SQLite database (default ./var)")
    demo.add_argument("--reset", action="store_true", help="delete and re-create the demo data")
    demo.add_argument(
        "--no-serve", action="store_true", help="prepare the database and exit without serving"
    )
    demo.add_argument(
        "--tasks-every",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="run the periodic background tasks in-process this often while serving "
        "(default 60; 0: not at all)",
    )
    manage = add_command(
        subparsers, "manage", "run a Django management command", _manage, json_flag=False
    )
    manage.add_argument("rest", nargs=argparse.REMAINDER)
