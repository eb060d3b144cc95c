"""Load test of ``ketacare serve`` on PostgreSQL with the 5,000-patient clinic of
benchmarks/web.py.

It creates a throwaway database ``ketacare_load_<random>`` on postgres://postgres@127.0.0.1:5432
(``KETACARE_BENCH_PG`` to change the server), seeds it with benchmarks/web.py's loader in a child
process (production settings, so the nurse's password is hashed as the server checks it), starts
``ketacare serve`` on a free loopback port, signs in ``--clients`` clients (default 8) through the
login page, then runs one phase per page, ``--seconds`` each (default 20), all clients at once:

- ``/health/``: the framework's floor (every middleware, one ``SELECT 1``, a small JSON answer),
- the dashboard (``/dashboard/``),
- the patient chart (``/patients/<uuid>/``, a random patient each time),
- a vitals save (``POST /sessions/<uuid>/vitals/`` through htmx, the 40 sessions open today).

It prints requests per second and p50/p95/p99 wall time of each, with the count of answers that
were not 2xx. Loopback only; every loop is bounded in time and count; the server is stopped and
the database dropped at the end. Figures only, never assertions.

Usage:
    .venv/bin/python benchmarks/load.py                      # 5,000 patients, 8 clients, 20 s
    .venv/bin/python benchmarks/load.py --patients 500 --seconds 5 --workers 3   # a quick run
"""

from __future__ import annotations

import argparse
import http.cookiejar
import importlib.util
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("KETACARE_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "load-test-password-" + "0" * 8
MAX_REQUESTS_PER_CLIENT = 100_000  # a bound beside the time limit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: serve's)")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child-seed", help=argparse.SUPPRESS)  # the seeding child's output file
    args = parser.parse_args()
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 300:
        raise SystemExit("--clients 1..64 and --seconds 1..300")
    if args.child_seed:
        _seed_child(args)
        return

    name = f"ketacare_load_{secrets.token_hex(4)}"
    url = f"{PG_SERVER}/{name}"
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / name
    tmp.mkdir(parents=True)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "ketacare.web.settings",
        "KETACARE_SECRET_KEY": secrets.token_urlsafe(64),
        "KETACARE_DATA_DIR": str(tmp),
        "KETACARE_SECURE": "0",  # plain HTTP on loopback, as behind a TLS proxy
        "KETACARE_LOG_LEVEL": "WARNING",  # one log line per request would cost the server time
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("KETACARE_DEBUG", None)
    env.pop("KETACARE_DEMO", None)
    _pg_admin(f'CREATE DATABASE "{name}"')
    server = None
    try:
        handles_file = tmp / "handles.json"
        started = time.perf_counter()
        child = [sys.executable, __file__, "--child-seed", str(handles_file)]
        child += ["--patients", str(args.patients), "--years", str(args.years)]
        child += ["--seed", str(args.seed)]
        subprocess.run(child, env=env, check=True)
        seed_seconds = time.perf_counter() - started
        handles = json.loads(handles_file.read_text())

        port = _free_port()
        cmd = [str(Path(sys.executable).with_name("ketacare")), "serve"]
        cmd += ["--bind", f"127.0.0.1:{port}"]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        log = (tmp / "serve.log").open("w")
        server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/health/", server)
        workers = re.search(r"with (\d+) worker", (tmp / "serve.log").read_text())
        figures = run_phases(base, handles, args)
        result = {
            "patients": args.patients,
            "seed_seconds": round(seed_seconds, 1),
            "clients": args.clients,
            "seconds_per_phase": args.seconds,
            "workers": int(workers.group(1)) if workers else None,
            "cores": os.cpu_count(),
            "pages": figures,
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        }
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print(result)


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, server: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("ketacare serve stopped; see its log")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("ketacare serve did not answer in 120 s")


# --- the seeding child ------------------------------------------------------------------------


def _seed_child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    spec = importlib.util.spec_from_file_location("bench_web", ROOT / "benchmarks" / "web.py")
    assert spec is not None and spec.loader is not None
    web = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web)
    seeded = web.seed(random.Random(args.seed), args.patients, args.years)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    handles = seeded["handles"]
    nurse = handles["nurse"]
    nurse.set_password(PASSWORD)
    nurse.save(update_fields=["password"])
    Path(args.child_seed).write_text(
        json.dumps(
            {
                "username": nurse.username,
                "patients": [str(u) for u in handles["patient_uuids"]],
                "sessions": [str(s.uuid) for s in handles["open_sessions"]],
            }
        )
    )
    connection.close()


# --- the clients -------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    """One signed-in browser: its own cookies (session, CSRF token)."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        page = self.opener.open(base + "/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        body = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        status = self._send("/accounts/login/", body)
        assert status == 302 and self.cookie("sessionid"), f"login failed ({status})"

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def _send(self, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx
            exc.read()
            return exc.code

    def get(self, path: str) -> int:
        return self._send(path)

    def post_htmx(self, path: str, data: dict[str, str]) -> int:
        headers = {"HX-Request": "true", "X-CSRFToken": self.cookie("csrftoken") or ""}
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self._send(path, urllib.parse.urlencode(data).encode(), headers)


def run_phases(base: str, handles: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    clients = [Client(base, handles["username"]) for _ in range(args.clients)]
    patients, sessions = handles["patients"], handles["sessions"]
    if not sessions:
        raise SystemExit("no open session today to save vitals to")

    def vitals(client: Client, rng: random.Random, i: int) -> int:
        session = rng.choice(sessions)
        data = {"minute": "20", "systolic": str(110 + i % 60), "diastolic": "80"}
        data["heart_rate"] = "72"
        return client.post_htmx(f"/sessions/{session}/vitals/", data)

    phases = {
        "health (floor)": lambda c, rng, i: c.get("/health/"),
        "dashboard": lambda c, rng, i: c.get("/dashboard/"),
        "patient chart": lambda c, rng, i: c.get(f"/patients/{rng.choice(patients)}/"),
        "vitals save (htmx)": vitals,
    }
    figures = {}
    for name, action in phases.items():
        for c in clients[:2]:  # warm every worker's templates and connections a little
            action(c, random.Random(0), 0)
        figures[name] = _phase(clients, action, args.seconds, args.seed)
    return figures


def _phase(clients: list[Client], action: Any, seconds: float, seed: int) -> dict[str, Any]:
    times: list[list[float]] = [[] for _ in clients]
    errors = [0] * len(clients)
    start = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def loop(k: int) -> None:
        rng = random.Random(seed + k)
        start.wait()
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.perf_counter() >= deadline[0]:
                break
            t0 = time.perf_counter()
            status = action(clients[k], rng, i)
            times[k].append((time.perf_counter() - t0) * 1000)
            if not 200 <= status < 300:
                errors[k] += 1

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(len(clients))]
    for t in threads:
        t.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    every = sorted(x for per in times for x in per)
    n = len(every)

    def pct(p: float) -> float:
        return every[min(n - 1, max(0, round(p * n) - 1))] if n else float("nan")

    return {
        "requests": n,
        "rps": n / elapsed,
        "p50_ms": statistics.median(every) if n else float("nan"),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "non_2xx": sum(errors),
    }


def _print(r: dict[str, Any]) -> None:
    print(
        f"ketacare serve on PostgreSQL: {r['patients']} patients (seeded in "
        f"{r['seed_seconds']} s), {r['workers']} gunicorn workers on {r['cores']} cores, "
        f"{r['clients']} clients, {r['seconds_per_phase']:g} s per page"
    )
    head = f"{'page':<22}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(head + "  non-2xx")
    for name, f in r["pages"].items():
        print(
            f"{name:<22}{f['requests']:>9}{f['rps']:>8.1f}{f['p50_ms']:>9.1f}"
            f"{f['p95_ms']:>9.1f}{f['p99_ms']:>9.1f}  {f['non_2xx']}"
        )
    print(f"(load average at the end: {r['load']})")


if __name__ == "__main__":
    main()
