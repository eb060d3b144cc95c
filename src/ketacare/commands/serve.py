"""``ketacare serve``: the production server (gunicorn) for the clinic app.

At start it collects the static files into ``$KETACARE_DATA_DIR/static`` (WhiteNoise serves them
from the app), runs Django's deploy checks (an error stops it, warnings are printed), refuses to
serve a database with unapplied migrations, then runs gunicorn in this process: a master and
``--workers`` worker processes. Defaults come from the environment (docs/configuration.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ketacare.commands import add_command
from ketacare.core.errors import InputError


def default_workers() -> int:
    """Gunicorn's rule of thumb, 2 x cores + 1, at most 8 (each worker holds a database
    connection and about 80 MB)."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def _env_int(name: str, default: int, minimum: int, maximum: int) -> int:
    from ketacare.web.env import env_int

    return env_int(name, default, minimum=minimum, maximum=maximum)


def _env_str(name: str, default: str) -> str:
    from ketacare.web.env import env_str

    return env_str(name, default) or default


def setup_django() -> None:
    """Configure Django with the production settings; a setting that cannot be read (a short
    secret key, a mistyped number) is an input error of the command, not a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise InputError("environment", "", "", message=str(exc)) from None


def _bind(text: str) -> str:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError("bind", text, "HOST:PORT, e.g. 127.0.0.1:8000")
    return text


def _serve(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    try:
        bind = _bind(args.bind or _env_str("KETACARE_BIND", "127.0.0.1:8000"))
        workers = args.workers or _env_int("KETACARE_WORKERS", default_workers(), 1, 64)
        threads = _env_int("KETACARE_THREADS", 1, 1, 64)
        timeout = _env_int("KETACARE_TIMEOUT", 30, 5, 600)
    except ImproperlyConfigured as exc:
        raise InputError("environment", "", "", message=str(exc)) from None
    if not 1 <= workers <= 64:
        raise InputError("workers", str(workers), "a whole number from 1 to 64")

    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    if not args.no_collectstatic:
        os.makedirs(settings.STATIC_ROOT, exist_ok=True)
        call_command("collectstatic", interactive=False, verbosity=0)
    try:
        call_command("check", deploy=True, fail_level="ERROR")
    except SystemCheckError as exc:
        print(f"ketacare serve: error: {exc}", file=sys.stderr)
        return 2
    executor = MigrationExecutor(connections["default"])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        print(
            f"ketacare serve: error: {len(pending)} migration(s) not applied ({names}...). "
            "Run `ketacare manage migrate` first (docs/deployment.md, Upgrades).",
            file=sys.stderr,
        )
        return 2
    connections.close_all()  # the workers open their own

    from gunicorn.app.base import BaseApplication

    options = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": timeout,
        "accesslog": None,  # RequestLogMiddleware logs each request, without the query string
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "ketacare",
        "limit_request_line": 4094,  # bytes of the request line (method, URL, version)
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        "forwarded_allow_ips": _env_str("KETACARE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
    }

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 24+: not needed
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            from ketacare.web.wsgi import application

            return application

    print(
        f"ketacare serve: http://{bind}/ with {workers} worker(s) x {threads} thread(s); "
        f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}",
        file=sys.stderr,
    )
    sys.stderr.flush()
    Server().run()
    return 0


def register(subparsers: Any) -> None:
    serve = add_command(
        subparsers,
        "serve",
        "run the production server (gunicorn) for the clinic app",
        _serve,
        json_flag=False,
    )
    serve.add_argument(
        "--bind", help="HOST:PORT to listen on (default $KETACARE_BIND or 127.0.0.1:8000)"
    )
    serve.add_argument(
        "--workers",
        type=int,
        help="worker processes (default $KETACARE_WORKERS or 2 x cores + 1, at most 8)",
    )
    serve.add_argument(
        "--no-collectstatic",
        action="store_true",
        help="skip collecting static files (they were collected at install)",
    )
