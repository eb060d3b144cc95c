"""`ketacare pk`, `pk-plan` and `pk-models`, including bad input (exit 2, stderr only)."""

from __future__ import annotations

import json

import pytest

from ketacare.cli import main


def run(command: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(command.split())
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_pk_prints_model_times_and_concentrations(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        "pk --model domino1982 --route iv --dose-mg 35 --infusion-min 40 --weight-kg 70 "
        "--at 10,40,60 --json",
        capsys,
    )
    assert code == 0
    data = json.loads(out)
    assert data["model"] == "domino1982"
    assert data["times_min"] == [10.0, 40.0, 60.0]
    assert len(data["plasma_ng_per_ml"]) == 3
    # Krystal 1994: 100-250 ng/mL at the end of 0.5 mg/kg over 40 min (whole range as tolerance)
    assert 100 <= data["plasma_ng_per_ml"][1] <= 250


def test_pk_text_output_and_default_weight_is_stated(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("pk --model kamp2020 --route sc --dose-mg 35 --at 30", capsys)
    assert code == 0
    assert "70 kg assumed" in out
    assert "ASSUMPTION" in out


def test_pk_plan_prints_steps_and_total(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        "pk-plan --model kamp2020 --target-ng-per-ml 150 --hold-min 40 --weight-kg 70 --json",
        capsys,
    )
    assert code == 0
    data = json.loads(out)
    assert data["steps"] and data["total_mg"] > data["bolus_mg"]
    code, out, _ = run(
        "pk-plan --model kamp2020 --target-ng-per-ml 150 --hold-min 40 --weight-kg 70",
        capsys,
    )
    assert code == 0 and "total" in out


def test_pk_models_lists_every_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("pk-models --json", capsys)
    assert code == 0
    ids = {m["id"] for m in json.loads(out)["models"]}
    assert {"domino1982", "kamp2020", "perez-ruixo2021", "fanta2015"} <= ids
    code, out, _ = run("pk-models", capsys)
    assert "FLAGGED" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ("pk --model domino1982 --route iv --dose-mg -5 --at 10", "dose_mg"),
        ("pk --model nosuch --route iv --dose-mg 5 --at 10", "model"),
        ("pk --model perez-ruixo2021 --route im --dose-mg 28 --at 10", "route"),
        ("pk --model domino1982 --route iv --dose-mg 5 --at 10,x", "at"),
        ("pk --model domino1982 --route iv --dose-mg abc --at 10", "dose_mg"),
        ("pk-plan --model kamp2020 --target-ng-per-ml -1 --hold-min 4 --weight-kg 70", "target"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_nothing_on_stdout(
    argv: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert message in err
