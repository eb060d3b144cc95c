"""The safety and intake subcommands: text, --json, and bad input (exit 2, stderr only)."""

from __future__ import annotations

import json

import pytest

from ketacare.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> object:
    code, out, err = _run([*argv, "--json"], capsys)
    assert code == 0, err
    return json.loads(out)


GOOD = {
    "gates": [
        "gates",
        "--drug",
        "esketamine",
        "--route",
        "in",
        "--systolic",
        "150",
        "--diastolic",
        "95",
        "--ride-home",
        "yes",
        "--rems-enrolled",
        "yes",
    ],
    "vitals": ["vitals", "--systolic", "190", "--spo2", "97"],
    "monitoring": ["monitoring", "--drug", "racemic", "--route", "iv"],
    "observation": [
        "observation",
        "--drug",
        "esketamine",
        "--route",
        "in",
        "--first-device",
        "2026-11-30T10:00Z",
        "--now",
        "2026-11-30T11:15Z",
    ],
    "sedation": ["sedation", "--moaas", "3", "--cadss", "6"],
    "discharge": [
        "discharge",
        "--drug",
        "esketamine",
        "--route",
        "in",
        "--aldrete",
        "9",
        "--minutes-since-dose",
        "125",
        "--moaas",
        "5",
        "--cadss",
        "0",
        "--bp-stable",
        "yes",
        "--ride-home",
        "yes",
    ],
    "intake-screen": [
        "intake-screen",
        "--drug",
        "esketamine",
        "--route",
        "in",
        "--yes",
        "maoi",
        "--rest-no",
    ],
    "trd-stage": [
        "trd-stage",
        "--trial",
        "sertraline,150,8,yes,none",
        "--trial",
        "venlafaxine,225,8,yes,partial",
    ],
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_command_prints_text(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(GOOD[name], capsys)
    assert code == 0, err
    assert out.strip() and err == ""


def test_gates_json_needs_the_prescriber_above_140_90(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(GOOD["gates"], capsys)
    assert data["overall"] == "needs_prescriber"  # type: ignore[index]


def test_vitals_json_lists_the_alert(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(GOOD["vitals"], capsys)
    assert [a["field"] for a in data["alerts"]] == ["systolic"]  # type: ignore[index]


def test_vitals_threshold_override(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(["vitals", "--systolic", "175", "--threshold", "systolic_high=170"], capsys)
    assert data["alerts"][0]["source"].startswith("clinic setting")  # type: ignore[index]


def test_observation_json_gives_the_earliest_discharge(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(GOOD["observation"], capsys)
    assert data["earliest_discharge_at"] == "2026-11-30T12:00:00+00:00"  # type: ignore[index]
    assert data["minutes_remaining"] == 45  # type: ignore[index]


def test_discharge_json_is_ready(capsys: pytest.CaptureFixture[str]) -> None:
    assert _json(GOOD["discharge"], capsys)["decision"] == "ready"  # type: ignore[index]


def test_sedation_json_has_both_follow_ups(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(GOOD["sedation"], capsys)
    levels = [f["level"] for f in data["followups"]]  # type: ignore[index]
    assert levels == ["moderate_or_worse", "severe_posthoc"]


def test_intake_screen_list_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    listed = _json(["intake-screen", "--list", "--drug", "racemic", "--route", "po"], capsys)
    assert any(q["id"] == "mania" for q in listed["questions"])  # type: ignore[index]
    data = _json(GOOD["intake-screen"], capsys)
    assert data["eligible"] is True  # type: ignore[index]


def test_trd_stage_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(GOOD["trd-stage"], capsys)
    assert data["is_trd"] is True and data["failed_adequate"] == 2  # type: ignore[index]


def test_monitoring_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(["monitoring", "--drug", "esketamine", "--route", "in"], capsys)
    assert [t["minute"] for t in data["timepoints"]] == [0, 40, 120, None]  # type: ignore[index]


BAD = [
    (
        [
            "gates",
            "--drug",
            "esketamine",
            "--route",
            "in",
            "--systolic",
            "abc",
            "--diastolic",
            "80",
        ],
        "--systolic",
    ),
    (
        [
            "gates",
            "--drug",
            "esketamine",
            "--route",
            "iv",
            "--systolic",
            "120",
            "--diastolic",
            "80",
        ],
        "route",
    ),
    (["gates", "--drug", "esketamine", "--route", "in", "--diastolic", "80"], "--systolic"),
    (
        [
            "gates",
            "--drug",
            "racemic",
            "--route",
            "iv",
            "--systolic",
            "120",
            "--diastolic",
            "80",
            "--ride-home",
            "maybe",
        ],
        "--ride-home",
    ),
    (["vitals", "--spo2", "120"], "spo2"),
    (["vitals", "--systolic", "120", "--threshold", "bogus=1"], "threshold"),
    (["monitoring", "--drug", "ketamine", "--route", "iv"], "drug"),
    (
        [
            "observation",
            "--drug",
            "esketamine",
            "--route",
            "in",
            "--first-device",
            "2026-11-30T10:00",
        ],
        "--first-device",
    ),
    (
        [
            "observation",
            "--drug",
            "racemic",
            "--route",
            "iv",
            "--first-device",
            "2026-11-30T10:00Z",
        ],
        "drug",
    ),
    (["sedation", "--moaas", "7"], "moaas"),
    (["sedation"], "--moaas/--cadss"),
    (
        [
            "discharge",
            "--drug",
            "esketamine",
            "--route",
            "in",
            "--aldrete",
            "12",
            "--minutes-since-dose",
            "130",
        ],
        "aldrete_total",
    ),
    (["intake-screen", "--yes", "flying"], "answers"),
    (["intake-screen", "--yes", "maoi", "--no", "maoi"], "--yes/--no"),
    (["trd-stage", "--trial", "sertraline,150,8,yes"], "--trial 1"),
    (["trd-stage", "--trial", "sertraline,150,8,yes,better"], "--trial 1 response"),
]


@pytest.mark.parametrize(("argv", "field"), BAD, ids=[" ".join(a[:2]) + f" {f}" for a, f in BAD])
def test_bad_input_exits_2_naming_the_field(
    argv: list[str], field: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(argv, capsys)
    assert code == 2
    assert out == ""
    assert field in err
