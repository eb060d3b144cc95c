"""``ketacare demo``: a demo clinic with staff of every role and at least 40 synthetic patients on
several routes, about half responding, some relapsing, some alerts; fast and deterministic."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ketacare.web import demo


def _signature() -> list[tuple[Any, ...]]:
    from ketacare.web.measures.models import Measure

    return list(
        Measure.objects.order_by("patient__record_number", "taken_at", "scale_id").values_list(
            "patient__record_number", "scale_id", "total"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_the_demo_is_complete_fast_and_deterministic() -> None:
    from ketacare.web.accounts.models import User
    from ketacare.web.courses.models import Course
    from ketacare.web.measures.models import Alert
    from ketacare.web.patients.models import Patient

    started = time.process_time()  # CPU time: the brief's 30 s, not the machine's load
    lines = list(demo.seed())
    elapsed = time.process_time() - started
    assert elapsed < 30, elapsed
    assert any("password" in line for line in lines)
    assert set(User.objects.values_list("role", flat=True)) == {
        "clinic_admin",
        "prescriber",
        "nurse",
        "front_desk",
        "researcher",
    }
    assert Patient.objects.count() >= 40
    routes = set(Course.objects.values_list("route", flat=True))
    assert {"iv", "in"} <= routes and len(routes) >= 3
    assert Alert.objects.exists() and Alert.objects.filter(acknowledged_at__isnull=True).exists()
    assert set(Course.objects.values_list("status", flat=True)) >= {"maintenance", "ended"}
    first = _signature()
    again = list(demo.seed())  # without --reset the data is kept
    assert "already present" in again[0] and _signature() == first
    list(demo.seed(reset=True))
    assert _signature() == first


def test_the_cli_prepares_a_fresh_database_without_serving(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("ketacare")
    result = subprocess.run(
        [str(exe), "demo", "--no-serve", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "Demo clinic ready" in result.stdout
    assert "prescriber" in result.stdout
    assert (tmp_path / "ketacare.sqlite3").exists()
