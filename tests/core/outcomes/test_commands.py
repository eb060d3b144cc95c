"""The ``ketacare outcome`` and ``ketacare si-signal`` subcommands."""

from __future__ import annotations

import json

import pytest

from ketacare.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_outcome_json_is_a_list_with_one_object_per_follow_up(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        capsys, "outcome", "--scale", "madrs", "--baseline", "30", "--scores", "20,15,11", "--json"
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 3
    assert [d["score"] for d in data] == [20, 15, 11]
    # (15 - 30) / 30 = -50% exactly: a response (rating-scales.md §7, "exactly 50% counts").
    assert data[1]["percent_change"] == pytest.approx(-50.0, abs=1e-9)
    assert [d["response"] for d in data] == [False, True, True]
    # MADRS default remission <= 12 (esketamine programme, rating-scales.md §2.1).
    assert [d["remission"] for d in data] == [False, False, True]
    assert {d["remission_definition"] for d in data} == {"esketamine-12"}
    assert [d["first_response"] for d in data] == [False, True, False]
    assert {d["relapse_rule"] for d in data} == {"sustain1"}


def test_outcome_remission_definition_is_a_setting(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "outcome",
        "--scale",
        "madrs",
        "--baseline",
        "30",
        "--scores",
        "10",
        "--remission-definition",
        "hawley-9",
        "--json",
    )
    assert code == 0
    (point,) = json.loads(out)
    # Hawley 2002 / KADS: MADRS < 10 (rating-scales.md §2.1), so 10 is not remission.
    assert (point["remission"], point["remission_max"]) == (False, 9)


def test_outcome_remission_max_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "outcome",
        "--scale",
        "hamd17",
        "--baseline",
        "24",
        "--scores",
        "9",
        "--remission-max",
        "9",
        "--json",
    )
    assert code == 0
    assert json.loads(out)[0]["remission_definition"] == "custom"


def test_outcome_text_prints_the_series_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "outcome",
        "--scale",
        "madrs",
        "--baseline",
        "34",
        "--scores",
        "12,22,23",
        "--baseline-date",
        "2026-01-05",
        "--dates",
        "2026-01-12,2026-01-19,2026-01-26",
    )
    assert code == 0
    assert "Time to first response: follow-up 1, 7 days from baseline" in out
    assert "Relapse (SUSTAIN-1" in out and "follow-ups 2-3" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--scale", "madrs", "--baseline", "30", "--scores", "10,x"], "--scores"),
        (["--scale", "madrs", "--baseline", "30", "--scores", "61"], "score"),
        (["--scale", "nope", "--baseline", "30", "--scores", "10"], "scale"),
        (["--scale", "madrs", "--baseline", "0", "--scores", "10"], "baseline"),
        (
            [
                "--scale",
                "madrs",
                "--baseline",
                "30",
                "--scores",
                "10",
                "--remission-definition",
                "z",
            ],
            "remission definition",
        ),
        (
            ["--scale", "madrs", "--baseline", "30", "--scores", "10", "--dates", "2026-13-01"],
            "--dates",
        ),
    ],
)
def test_outcome_bad_input_exits_2_with_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code, out, err = run(capsys, "outcome", *argv, "--json")
    assert code == 2
    assert out == ""
    assert needle in err


def test_si_signal_flags_phq9_item_9(capsys: pytest.CaptureFixture[str]) -> None:
    # rating-scales.md §2.4: "Item 9: flag any value > 0 for same-day clinician review".
    code, out, _ = run(capsys, "si-signal", "--scale", "phq9", "--suicide-item", "1", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["flag"], data["level"]) == (True, "positive")


def test_si_signal_flags_a_rise_from_the_previous_value(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "si-signal", "--scale", "hamd17", "--suicide-item", "1", "--previous", "0", "--json"
    )
    assert code == 0
    assert json.loads(out)["level"] == "watch"


def test_si_signal_cssrs_high_is_urgent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "si-signal", "--scale", "cssrs-screen", "--triage", "high")
    assert code == 0
    assert out.startswith("URGENT")


def test_si_signal_bss_uses_the_total(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "si-signal", "--scale", "bss", "--total", "4", "--previous", "2", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert (data["measure"], data["previous"], data["level"]) == ("total", 2, "positive")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--scale", "phq9", "--suicide-item", "4"], "phq9 item 9"),
        (["--scale", "phq9", "--suicide-item", "one"], "--suicide-item"),
        (["--scale", "madrs"], "madrs item 10"),
        (["--scale", "cssrs-screen", "--triage", "red"], "triage"),
        (["--scale", "gad7", "--total", "3"], "scale"),
    ],
)
def test_si_signal_bad_input_exits_2_with_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code, out, err = run(capsys, "si-signal", *argv, "--json")
    assert code == 2
    assert out == ""
    assert needle in err
