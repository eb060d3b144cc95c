"""Background tasks run eagerly (test settings: CELERY_TASK_ALWAYS_EAGER): the check-in tasks call
the checkins services with an aware "now" and return their counts; the periodic schedule is data
in the settings; `ketacare demo`'s in-process scheduler runs the tasks with no broker and
tolerates a missing module."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from ketacare.web.clinic import tasks
from ketacare.web.clinic.celery_app import app
from ketacare.web.clinic.scheduler import InProcessScheduler, periodic_tasks, registered_task


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[dt.datetime]]]:
    """The three checkins services replaced by stand-ins that record each call's "now"."""
    from ketacare.web.checkins import services as real

    calls: dict[str, list[dt.datetime]] = {}
    for name, count in (
        ("send_due_checkins", 3),
        ("send_reminders", 2),
        ("escalate_unacknowledged_alerts", 1),
    ):

        def service(now: dt.datetime, _name: str = name, _count: int = count) -> int:
            calls.setdefault(_name, []).append(now)
            return _count

        monkeypatch.setattr(real, name, service)
    yield calls


def test_the_tasks_run_eagerly_in_the_tests() -> None:
    assert app.conf.task_always_eager is True
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert (app.conf.task_soft_time_limit, app.conf.task_time_limit) == (240, 300)
    assert tasks.ping.delay().get(timeout=1) == "pong"


@pytest.mark.parametrize(
    ("task", "service", "count"),
    [
        (tasks.send_due_checkins, "send_due_checkins", 3),
        (tasks.send_checkin_reminders, "send_reminders", 2),
        (tasks.escalate_unacknowledged_alerts, "escalate_unacknowledged_alerts", 1),
    ],
)
def test_each_checkin_task_calls_its_service_with_an_aware_now_and_returns_its_count(
    services: dict[str, list[dt.datetime]],
    task: Any,
    service: str,
    count: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = timezone.now()
    with caplog.at_level("INFO", logger="ketacare.web.clinic.tasks"):
        assert task.delay().get(timeout=1) == count
    [now] = services[service]
    assert now.tzinfo is not None and before <= now <= timezone.now()
    [line] = [r for r in caplog.records if r.name == "ketacare.web.clinic.tasks"]
    assert line.message == "task done"
    assert (line.task, line.count) == (task.name, count)  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]


def test_the_task_names_are_the_ones_the_schedule_sends() -> None:
    assert set(periodic_tasks().values()) == {
        "ketacare.checkins.send_due",
        "ketacare.checkins.send_reminders",
        "ketacare.checkins.escalate_alerts",
    }
    for name in [*periodic_tasks().values(), "ketacare.ping"]:
        assert registered_task(name).name == name


def test_the_beat_schedule_is_the_data_of_the_settings() -> None:
    schedule = {
        name: (entry["task"], entry["schedule"]) for name, entry in app.conf.beat_schedule.items()
    }
    assert schedule == {
        "send-due-checkins": ("ketacare.checkins.send_due", 300.0),
        "send-checkin-reminders": ("ketacare.checkins.send_reminders", 900.0),
        "escalate-unacknowledged-alerts": ("ketacare.checkins.escalate_alerts", 300.0),
    }
    # a run not started within its period is dropped, so a stopped worker finds no pile
    assert all(
        entry["options"]["expires"] == entry["schedule"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )


# --- the in-process scheduler of `ketacare demo` -----------------------------------------------

calls_of_fake: list[str] = []


@app.task(name="tests.fake_count")
def fake_count() -> int:
    calls_of_fake.append("count")
    return 7


missing_runs = 0


@app.task(name="tests.fake_missing_module")
def fake_missing_module() -> int:
    global missing_runs
    missing_runs += 1
    import ketacare.web.no_such_app.services  # type: ignore[import-not-found]  # noqa: F401

    return 0


@app.task(name="tests.fake_broken")
def fake_broken() -> int:
    raise RuntimeError("boom")


def test_the_scheduler_applies_each_task_and_drops_one_whose_module_is_missing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls_of_fake.clear()
    global missing_runs
    missing_runs = 0
    scheduler = InProcessScheduler(
        every_seconds=60,
        tasks={
            "missing": "tests.fake_missing_module",
            "broken": "tests.fake_broken",
            "count": "tests.fake_count",
        },
    )
    with caplog.at_level("INFO", logger="ketacare.web.clinic.scheduler"):
        results = scheduler.run_once()
        scheduler.run_once()
    assert results["count"] == 7 and calls_of_fake == ["count", "count"]
    assert missing_runs == 1  # the missing module's task ran once, not every round
    # a task that failed for another reason is tried again each round (failed twice below)
    assert isinstance(results["missing"], ImportError)
    assert isinstance(results["broken"], RuntimeError)
    skipped = [r for r in caplog.records if "skipped" in r.message]
    assert len(skipped) == 1  # logged once and not run again
    assert skipped[0].task == "tests.fake_missing_module"  # type: ignore[attr-defined]
    failed = [r for r in caplog.records if r.message == "in-process task failed"]
    assert len(failed) == 2 and "RuntimeError: boom" in failed[0].error  # type: ignore[attr-defined]


def test_the_scheduler_thread_runs_every_interval_and_stops_cleanly() -> None:
    calls_of_fake.clear()
    scheduler = InProcessScheduler(every_seconds=0.05, tasks={"count": "tests.fake_count"})
    scheduler.start()
    deadline = time.monotonic() + 10
    while scheduler.runs < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    scheduler.stop(timeout=5)
    assert not scheduler.alive
    assert scheduler.runs >= 3
    after = len(calls_of_fake)
    time.sleep(0.2)
    assert len(calls_of_fake) == after  # nothing runs after stop


def test_the_scheduler_runs_the_real_checkin_tasks(
    services: dict[str, list[dt.datetime]],
) -> None:
    results = InProcessScheduler(every_seconds=60).run_once()
    assert results == {
        "send-due-checkins": 3,
        "send-checkin-reminders": 2,
        "escalate-unacknowledged-alerts": 1,
    }


def test_the_worker_command_refuses_a_bad_concurrency(capsys: pytest.CaptureFixture[str]) -> None:
    from ketacare import cli

    assert cli.main(["worker", "--concurrency", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "concurrency" in captured.err and "1 to 64" in captured.err
