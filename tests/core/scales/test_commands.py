"""`ketacare scales` and `ketacare score`: output, JSON, and bad input (exit 2, stderr only)."""

from __future__ import annotations

import json

import pytest

from ketacare.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scales_lists_id_name_items_and_range(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "scales")
    assert code == 0 and err == ""
    phq9 = next(line for line in out.splitlines() if line.startswith("phq9 "))
    assert "9" in phq9 and "0-27" in phq9 and "PHQ-9" in phq9


def test_scales_json_has_every_scale(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scales", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 17
    hamd = next(r for r in rows if r["id"] == "hamd17")
    assert (hamd["items"], hamd["range"]) == (17, "0-52")


def test_score_phq9_json_matches_the_brief(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        capsys, "score", "phq9", *["1", "2", "1", "0", "3", "1", "0", "2", "0"], "--json"
    )
    data = json.loads(out)
    assert code == 0 and err == ""
    assert (data["scale"], data["total"], data["severity"]) == ("phq9", 10, "moderate")


def test_score_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "score", "gad7", "3", "3", "3", "3", "3", "0", "0")
    assert code == 0
    assert out.startswith("gad7: total 15 (range 0-21), severe")


def test_score_with_options(capsys: pytest.CaptureFixture[str]) -> None:
    items = ["1"] * 15 + ["3", "1"]
    code, out, _ = _run(capsys, "score", "hamd17", *items, "--option", "item16=B", "--json")
    data = json.loads(out)
    assert code == 0 and data["total"] == 16 and data["options"]["item16"] == "B"
    code, out, _ = _run(
        capsys, "score", "bprs-positive", "0", "1", "2", "3", "--option", "coding=0-6"
    )
    assert code == 0 and "total 6 (range 0-24)" in out


def test_score_cssrs_with_y_n_dash(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "score", "cssrs-screen", "y", "n", "-", "-", "-", "y", "y")
    assert code == 0 and out.startswith("cssrs-screen: triage high")


def test_score_qids_with_blank_items(capsys: pytest.CaptureFixture[str]) -> None:
    items = ["1", "2", "3", "0", "2", "-", "1", "2", "-", "1", "1", "1", "1", "1", "0", "3"]
    code, out, _ = _run(capsys, "score", "qids-sr16", *items, "--json")
    assert code == 0 and json.loads(out)["total"] == 15


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["phq9", "1", "2", "1", "0", "5", "1", "0", "2", "0"], "phq9 item 5: 5 is not allowed"),
        (["phq9", "1", "2"], "phq9: 2 item values given"),
        (["phq9", "1", "2", "x", "0", "3", "1", "0", "2", "0"], "phq9 item 3: 'x'"),
        (["nope", "1"], "scale: 'nope' is not allowed"),
        (["hamd17", *(["0"] * 17), "--option", "item16=C"], "hamd17 option item16: 'C'"),
        (["gad7", *(["0"] * 7), "--option", "bands"], "--option: 'bands'"),
        (["cssrs-screen", "y", "n", "y", "-", "-", "n", "-"], "cssrs-screen item 3"),
    ],
)
def test_bad_input_exits_2_with_the_error_on_stderr_only(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = _run(capsys, "score", *argv)
    assert code == 2
    assert out == ""
    assert message in err
