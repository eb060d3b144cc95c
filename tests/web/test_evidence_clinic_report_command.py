"""``ketacare clinic-report``: the same comparison as the web page, printed for one clinic, as
text or JSON; a missing or ambiguous clinic exits 2 with the message on stderr, nothing on
stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ketacare.cli import main
from ketacare.web.evidence.services import clinic_report


@pytest.mark.django_db
def test_json_is_the_services_report_for_the_named_clinic(
    clinic: Any, evidence_cohort: dict[str, Any], capsys: Any
) -> None:
    assert main(["clinic-report", "--clinic", "Northside Ketamine Clinic", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == json.loads(json.dumps(clinic_report(clinic)))
    iv = next(g for g in out["groups"] if g["route"] == "iv")
    assert (iv["followed"], iv["response"]["clinic"]["responders"]) == (6, 3)


@pytest.mark.django_db
def test_text_shows_both_rates_per_group(evidence_cohort: dict[str, Any], capsys: Any) -> None:
    assert main(["clinic-report", "--clinic", "southside clinic", "--basis", "any"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("The clinic beside the literature: Southside Clinic")
    assert "trd / racemic / iv: protocols iv-racemic; 5 courses, 5 followed up (scale phq9)" in text
    # 5/5 remit; Wilson (1927) 95% interval for 5/5 is 0.566 to 1 (n/(n + z²) = 5/8.84 = 0.5655)
    assert "remission  clinic 100.0% (5/5, Wilson 95% CI 56.6% to 100.0%)" in text
    assert "published" in text and "Northside" not in text


@pytest.mark.django_db
def test_several_clinics_need_a_name(clinic: Any, other_clinic: Any, capsys: Any) -> None:
    assert main(["clinic-report"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--clinic" in captured.err
    assert "Northside Ketamine Clinic, Southside Clinic" in captured.err


@pytest.mark.django_db
def test_an_unknown_clinic_is_refused_with_the_known_names(clinic: Any, capsys: Any) -> None:
    assert main(["clinic-report", "--clinic", "Eastside"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "'Eastside' is not allowed; allowed: one of Northside Ketamine Clinic" in captured.err


def test_the_installed_command_reads_the_database_of_its_settings(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("ketacare")
    env = {
        **os.environ,
        "KETACARE_DATA_DIR": str(tmp_path),
        "KETACARE_SECRET_KEY": "test-only-secret-key-for-the-cli-0123456789-0123456789",
        "DJANGO_SETTINGS_MODULE": "ketacare.web.settings",
    }
    env.pop("DATABASE_URL", None)
    migrate = subprocess.run(
        [str(exe), "manage", "migrate", "--verbosity", "0"], env=env, capture_output=True
    )
    assert migrate.returncode == 0, migrate.stderr
    result = subprocess.run(
        [str(exe), "clinic-report", "--json"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "none yet" in result.stderr
