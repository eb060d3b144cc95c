"""The periodic tasks in-process, for ``ketacare demo``: no broker, no worker, no beat.

A daemon thread wakes every ``every_seconds`` and runs each task of ``KETACARE_PERIODIC_TASKS``
in the thread with ``task.apply()`` (the same task code a worker runs, executed locally), one
after the other. A task whose module is missing (``ImportError``: the ``checkins`` app not
installed) is logged once and not run again in this process (the module cannot appear while it
runs); any other failure is logged with its traceback and the task is tried again next round.
``stop()`` ends the loop and waits for the task in progress.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)


def periodic_tasks() -> dict[str, str]:
    """The schedule of the settings as ``{entry name: task name}``."""
    from django.conf import settings

    return {name: str(entry["task"]) for name, entry in settings.KETACARE_PERIODIC_TASKS.items()}


def registered_task(name: str) -> Any:
    """The task of that name in the KetaCare Celery app, the installed apps' ``tasks`` modules
    imported the first time (without the worker's start-up: no second ``django.setup()``)."""
    from ketacare.web.clinic.celery_app import app

    if name not in app.tasks:
        app.autodiscover_tasks(force=True)
    return app.tasks[name]


class InProcessScheduler:
    """Runs ``tasks`` (``{entry name: task name}``) every ``every_seconds`` in a daemon thread."""

    def __init__(
        self,
        every_seconds: float,
        tasks: Mapping[str, str] | None = None,
        lookup: Callable[[str], Any] = registered_task,
        run_at_start: bool = True,
    ) -> None:
        if every_seconds <= 0:
            raise ValueError(f"every_seconds={every_seconds!r}; allowed: a positive number")
        self.every_seconds = every_seconds
        self.tasks = dict(periodic_tasks() if tasks is None else tasks)
        self.lookup = lookup
        self.run_at_start = run_at_start
        self.runs = 0  # completed rounds
        self.results: dict[str, Any] = {}  # entry name -> last return value (or the error)
        self._skipped: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ketacare-tasks", daemon=True)

    def start(self) -> InProcessScheduler:
        self._thread.start()
        log.info(
            "in-process tasks started",
            extra={"every_seconds": self.every_seconds, "tasks": sorted(self.tasks.values())},
        )
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        log.info("in-process tasks stopped", extra={"rounds": self.runs})

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def run_once(self) -> dict[str, Any]:
        """One round: each task applied in this thread; returns ``{entry name: result}``."""
        for entry, task_name in self.tasks.items():
            if self._stop.is_set():
                break
            if entry in self._skipped:
                continue
            self.results[entry] = self._apply(entry, task_name)
        self.runs += 1
        return dict(self.results)

    def _apply(self, entry: str, task_name: str) -> Any:
        try:
            task = self.lookup(task_name)
            outcome = task.apply(throw=False)
            value = outcome.result
        except Exception as exc:
            value = exc
        if isinstance(value, ImportError):
            self._skipped.add(entry)
            log.warning(
                "in-process task skipped from now on: its module is not installed",
                extra={"task": task_name, "error": str(value)},
            )
            return value
        if isinstance(value, BaseException):
            log.error(
                "in-process task failed",
                extra={"task": task_name, "error": f"{type(value).__name__}: {value}"},
                exc_info=(type(value), value, value.__traceback__),
            )
            return value
        return value

    def _loop(self) -> None:
        if not self.run_at_start and self._stop.wait(self.every_seconds):
            return
        from django.db import close_old_connections, connections

        while not self._stop.is_set():
            close_old_connections()
            try:
                self.run_once()
            except Exception:  # pragma: no cover - run_once logs each task's failure itself
                log.exception("in-process task round failed")
            finally:
                connections.close_all()  # this thread's connections only
            if self._stop.wait(self.every_seconds):
                return
