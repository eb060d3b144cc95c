"""``ketacare serve``: gunicorn serving the app with its static files, refusing bad input, a
weak secret key and a database with unapplied migrations."""

from __future__ import annotations

import json
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

EXE = str(Path(sys.executable).with_name("ketacare"))
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp),
        "PYTHONPATH": SRC,
        "KETACARE_SECRET_KEY": secrets.token_urlsafe(64),
        "KETACARE_DATA_DIR": str(tmp / "data"),
        "KETACARE_SECURE": "0",  # plain HTTP on loopback, as behind a TLS proxy
        **extra,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_it_serves_the_app_and_its_static_files(tmp_path: Path) -> None:
    env = _env(tmp_path)
    prepared = subprocess.run(
        [EXE, "demo", "--no-serve", "--data-dir", env["KETACARE_DATA_DIR"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert prepared.returncode == 0, prepared.stderr
    port = _free_port()
    server = subprocess.Popen(
        [EXE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/health/")
                break
            except OSError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "the server did not answer in 60 s"
                time.sleep(0.3)
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert headers["Server"].startswith("gunicorn")
        status, headers, page = _get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200 and "script-src 'self'" in headers["Content-Security-Policy"]
        hashed = re.search(rb"/static/ketacare/site\.[0-9a-f]{12}\.css", page)
        assert hashed, page[:500]
        status, headers, css = _get(f"http://127.0.0.1:{port}{hashed.group(0).decode()}")
        assert status == 200 and b".htmx-indicator" in css
        assert "immutable" in headers["Cache-Control"]
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    request_lines = [json.loads(x) for x in err.splitlines() if '"ketacare.request"' in x]
    assert {line["path"] for line in request_lines} >= {"/health/", "/accounts/login/"}
    assert (tmp_path / "data" / "static" / "staticfiles.json").exists()


def test_it_refuses_a_database_with_unapplied_migrations(tmp_path: Path) -> None:
    result = subprocess.run(
        [EXE, "serve", "--bind", f"127.0.0.1:{_free_port()}"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "not applied" in result.stderr and "ketacare manage migrate" in result.stderr


def test_it_refuses_bad_input_and_a_short_secret_key(tmp_path: Path) -> None:
    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EXE, "serve", *args],
            env=_env(tmp_path, **extra),
            capture_output=True,
            text=True,
            timeout=120,
        )

    bad_bind = run("--bind", "8000")
    assert bad_bind.returncode == 2 and "HOST:PORT" in bad_bind.stderr and not bad_bind.stdout
    bad_workers = run(KETACARE_WORKERS="lots")
    assert bad_workers.returncode == 2 and "KETACARE_WORKERS" in bad_workers.stderr
    short = run(KETACARE_SECRET_KEY="short")
    assert short.returncode == 2 and "at least 50" in short.stderr
