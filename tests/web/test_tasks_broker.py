"""Once through the real broker: `ketacare worker` in a subprocess on Redis (127.0.0.1:6379,
database 15, a queue of this test run's own), `ketacare.ping` sent by name from another Celery
app, "pong" read back from the result backend. Skipped, with the reason, only when Redis does not
answer (and fails instead when KETACARE_TEST_REQUIRE_REDIS is set, as .ci/run does). The worker
uses no database (ping touches none), so the test is the same on SQLite and
PostgreSQL runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

REDIS = ("127.0.0.1", 6379)
BROKER = "redis://127.0.0.1:6379/15"


def _redis_answers() -> str | None:
    """None when Redis answers PING, else why not."""
    try:
        with socket.create_connection(REDIS, timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            reply = conn.recv(16)
    except OSError as exc:
        return f"Redis at {REDIS[0]}:{REDIS[1]} does not answer ({exc})"
    if not reply.startswith(b"+PONG"):
        return f"Redis at {REDIS[0]}:{REDIS[1]} answered {reply!r} to PING"
    return None


def _forget_queue(queue: str) -> None:
    """Remove the test queue's traces from Redis database 15 (kombu keeps a binding per queue)."""
    import redis

    client = redis.Redis.from_url(BROKER)
    try:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    finally:
        client.close()


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[str]:
    why_not = _redis_answers()
    if why_not and os.environ.get("KETACARE_TEST_REQUIRE_REDIS"):
        pytest.fail(f"{why_not}; KETACARE_TEST_REQUIRE_REDIS is set (CI)")
    if why_not:
        pytest.skip(why_not)
    queue = f"ketacare-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ketacare.web.test_settings",
        "KETACARE_BROKER_URL": BROKER,
        "KETACARE_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)  # ping needs no database; the test run's may not exist yet
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ketacare.cli",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            f"--queues={queue}",
            f"--hostname={queue}@%h",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        process.terminate()  # warm shutdown: the worker finishes its task and leaves
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        _forget_queue(queue)
        print((tmp_path / "worker.log").read_text(encoding="utf-8")[-3000:])


def test_a_worker_on_redis_answers_ping_with_pong(worker: str) -> None:
    client = Celery("ketacare-test-client", broker=BROKER, backend=BROKER)
    client.conf.task_serializer = "json"
    client.conf.accept_content = ["json"]
    result = client.send_task("ketacare.ping", queue=worker)
    try:
        # the worker starts in the meantime (Django set-up and checks: seconds on a busy machine)
        assert result.get(timeout=120) == "pong"
    finally:
        result.forget()
        client.close()
