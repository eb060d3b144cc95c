"""CLI: `ketacare protocols`, `dose`, `schedule`, `escalation` (JSON, text and bad input)."""

from __future__ import annotations

import json

import pytest

from ketacare.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_protocols_lists_every_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "protocols", "--json")
    assert code == 0
    ids = {p["id"] for p in json.loads(out)}
    assert {"iv-racemic", "esketamine-trd", "sc-kads", "iv-ptsd"} <= ids
    code, out, _ = _run(capsys, "protocols")
    assert "esketamine-trd" in out


def test_dose_prints_mg_mg_per_kg_and_duration(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "dose", "--protocol", "iv-racemic", "--weight-kg", "70", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    # Sanacora 2017: 0.5 mg/kg over 40 min; 0.5 x 70 = 35 mg.
    assert data["dose_mg"] == pytest.approx(35.0, abs=0.01)
    assert data["dose_mg_per_kg"] == pytest.approx(0.5, abs=1e-9)
    assert data["duration_min"] == pytest.approx(40, abs=1e-9)


def test_dose_with_concentration_and_step(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _ = _run(
        capsys,
        "dose",
        "--protocol",
        "sc-kads",
        "--weight-kg",
        "80",
        "--step",
        "2",
        "--concentration-mg-per-ml",
        "100",
        "--json",
    )
    data = json.loads(out)
    assert data["dose_mg"] == pytest.approx(60.0, abs=0.01)  # 0.75 mg/kg x 80 kg
    assert data["volume_ml"] == pytest.approx(0.6, abs=0.001)


def test_dose_above_max_needs_an_override(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["dose", "--protocol", "iv-racemic", "--weight-kg", "70", "--dose-mg-per-kg", "1"]
    code, out, err = _run(capsys, *args, "--json")
    assert code == 2 and out == ""
    assert "0.75" in err and "override" in err
    code, out, err = _run(capsys, *args, "--override-reason", "prescriber decision", "--json")
    assert code == 0
    assert json.loads(out)["override"] is True


def test_dose_override_reason_never_passes_the_ceiling(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Fava 2020 (PMC6447473): arms 0.1, 0.2, 0.5, 1.0 mg/kg; 3500 mg at 70 kg is 50 mg/kg.
    args = ["dose", "--protocol", "iv-racemic", "--weight-kg", "70", "--dose-mg", "3500"]
    code, out, err = _run(capsys, *args, "--override-reason", "typo test", "--json")
    assert code == 2 and out == ""
    assert "error" in err and "50" in err and "1 mg/kg" in err and "Fava 2020" in err


def test_dose_override_within_the_ceiling_says_the_prescriber_role(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["dose", "--protocol", "iv-racemic", "--weight-kg", "70", "--dose-mg-per-kg", "0.9"]
    code, out, _ = _run(capsys, *args, "--override-reason", "partial response", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["override"] is True and data["requires_role"] == "prescriber"
    assert data["ceiling_mg_per_kg"] == pytest.approx(1.0, abs=1e-9)
    code, out, _ = _run(capsys, *args, "--override-reason", "partial response")
    assert "requires the prescriber's role" in out and "ceiling: 1 mg/kg" in out


@pytest.mark.parametrize("conc", ["0.0001", "1e-308"])
def test_dose_refuses_an_implausible_concentration(
    capsys: pytest.CaptureFixture[str], conc: str
) -> None:
    args = ["dose", "--protocol", "iv-racemic", "--weight-kg", "70"]
    code, out, err = _run(capsys, *args, "--concentration-mg-per-ml", conc, "--json")
    assert code == 2 and out == ""
    assert "concentration_mg_per_ml" in err and "0.1 to 100 mg/mL" in err


def test_dose_applies_the_esketamine_first_session_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # HCP page quoting the US PI: "The Day 1 starting dose of SPRAVATO is 56 mg (2 devices)."
    esk = ["dose", "--protocol", "esketamine-trd", "--weight-kg", "70"]
    code, out, err = _run(capsys, *esk, "--dose-mg", "84", "--session-number", "1", "--json")
    assert code == 2 and out == "" and "session 1" in err and "56 mg" in err
    # US PI via the HCP page: 84 mg "taken only after an initial starting dose of 56 mg".
    code, out, _ = _run(
        capsys, *esk, "--dose-mg", "84", "--session-number", "2", "--previous-doses", "56", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["dose_mg"] == pytest.approx(84, abs=1e-9) and data["session_number"] == 2
    code, out, err = _run(capsys, *esk, "--dose-mg", "84", "--session-number", "2")
    assert code == 2 and "only after a 56 mg dose" in err


def test_dose_applies_the_age_based_start(capsys: pytest.CaptureFixture[str]) -> None:
    # EU SmPC 4.2 Table 2, adults >= 65 years: "Starting day 1 dose: 28 mg".
    esk = ["dose", "--protocol", "esketamine-trd", "--weight-kg", "70", "--dose-mg", "28"]
    code, out, _ = _run(capsys, *esk, "--session-number", "1", "--age-years", "65", "--json")
    assert code == 0
    assert json.loads(out)["devices"] == 1
    code, out, err = _run(capsys, *esk, "--session-number", "1", "--age-years", "40")
    assert code == 2 and out == "" and "28 mg from age 65" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["dose", "--protocol", "iv-racemic", "--weight-kg", "0"],
        ["dose", "--protocol", "iv-racemic", "--weight-kg", "-5"],
        ["dose", "--protocol", "iv-racemic", "--weight-kg", "seventy"],
        ["dose", "--protocol", "iv-magic", "--weight-kg", "70"],
        ["dose", "--protocol", "iv-racemic", "--weight-kg", "70", "--step", "x"],
        ["dose", "--protocol", "iv-racemic", "--weight-kg", "70", "--session-number", "0"],
        ["dose", "--protocol", "iv-racemic", "--weight-kg", "70", "--session-number", "one"],
        ["dose", "--protocol", "iv-racemic", "--weight-kg", "70", "--age-years", "old"],
        ["dose", "--protocol", "esketamine-trd", "--weight-kg", "70", "--previous-doses", "56,,"],
        ["schedule", "--protocol", "iv-racemic", "--start", "2026-13-01"],
        ["schedule", "--protocol", "iv-racemic", "--start", "2026-01-05", "--closed", "soon"],
        ["escalation", "--protocol", "iv-racemic", "--baseline", "0", "--scores", "1"],
        ["escalation", "--protocol", "iv-racemic", "--baseline", "30", "--scores", "1,,2"],
    ],
)
def test_bad_input_exits_2_with_the_error_on_stderr_only(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = _run(capsys, *argv, "--json")
    assert code == 2
    assert out == ""
    assert "error" in err


def test_schedule_prints_sessions_and_skips_closed_dates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(
        capsys,
        "schedule",
        "--protocol",
        "iv-racemic",
        "--start",
        "2026-12-21",
        "--weight-kg",
        "70",
        "--closed",
        "2026-12-25,2027-01-01",
        "--json",
    )
    assert code == 0
    sessions = json.loads(out)["sessions"]
    dates = [s["date"] for s in sessions]
    assert "2026-12-25" not in dates and "2027-01-01" not in dates
    assert sessions[0]["phase"] == "induction"
    assert sessions[0]["dose_mg"] == pytest.approx(35.0, abs=0.01)
    assert sessions[0]["dose_mg_per_kg"] == pytest.approx(0.5, abs=1e-9)


def test_schedule_text_and_open_weekends(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "schedule",
        "--protocol",
        "in-racemic",
        "--start",
        "2026-01-05",
        "--closed-weekdays",
        "",
    )
    assert code == 0
    assert "Peters 2023" in out
    assert len([line for line in out.splitlines() if "course" in line]) == 4


def test_escalation_prints_the_action_and_reason(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "escalation",
        "--protocol",
        "iv-racemic",
        "--baseline",
        "30",
        "--scores",
        "28,25,22",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["action"] == "escalate"
    assert data["next_dose_mg_per_kg"] == pytest.approx(0.75, abs=1e-9)
    assert "50%" in data["reason"]
    code, out, _ = _run(
        capsys, "escalation", "--protocol", "sc-kads", "--baseline", "30", "--scores", "10"
    )
    assert "continue" in out


def test_missed_session_follows_the_esketamine_label(capsys: pytest.CaptureFixture[str]) -> None:
    # Label: "if doses missed during weekly dosing, revert to twice weekly dosing" (with worsening).
    code, out, _ = _run(
        capsys,
        "missed-session",
        "--protocol",
        "esketamine-trd",
        "--phase",
        "maintenance-weekly",
        "--worsened",
        "yes",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["action"] == "consider_previous_schedule"
    assert data["to_phase"] == "induction"
    code, out, err = _run(
        capsys,
        "missed-session",
        "--protocol",
        "esketamine-trd",
        "--phase",
        "induction",
        "--worsened",
        "maybe",
    )
    assert code == 2 and out == "" and "worsened" in err
