"""`ketacare pool` and `ketacare evidence ...`: output, files written, and bad input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ketacare.cli import main

Capsys = pytest.CaptureFixture[str]


def run_json(capsys: Capsys, *argv: str) -> dict:  # type: ignore[type-arg]
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def run_error(capsys: Capsys, *argv: str) -> str:
    assert main(list(argv)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


# metafor README: rma(yi, vi, data=dat, test="knha") on dat.bcg (RR):
#   estimate -0.7145, ci -1.1084 to -0.3206, tau^2 0.3132, I^2 92.22%, Q 152.2330;
#   predict(res, transf=exp, digits=2): 0.49 (0.33, 0.73), PI 0.14 to 1.76
def test_pool_prints_the_ratio_scale_summary_as_json(capsys: Capsys, bcg_csv: Path) -> None:
    d = run_json(
        capsys, "pool", "--measure", "RR", "--method", "REML", "--hksj", "--input", str(bcg_csv)
    )
    for key in (
        "measure",
        "method",
        "k",
        "estimate",
        "ci_low",
        "ci_high",
        "tau2",
        "i2",
        "q",
        "q_p",
        "pi_low",
        "pi_high",
    ):
        assert key in d
    assert d["measure"] == "RR" and d["method"] == "REML" and d["k"] == 13
    assert abs(d["log_scale"]["estimate"] - -0.7145) <= 1e-4
    assert abs(d["log_scale"]["ci_low"] - -1.1084) <= 1e-4
    assert abs(d["tau2"] - 0.3132) <= 1e-4 and abs(d["q"] - 152.2330) <= 1e-4
    assert abs(d["pi_low"] - 0.14) <= 5e-3 and abs(d["pi_high"] - 1.76) <= 5e-3
    assert abs(d["egger"]["statistic"] - -0.7812) <= 1e-4


def test_pool_text_output_and_plots(capsys: Capsys, bcg_csv: Path, tmp_path: Path) -> None:
    forest = tmp_path / "forest.svg"
    funnel = tmp_path / "funnel.svg"
    assert (
        main(
            [
                "pool",
                "--measure",
                "OR",
                "--method",
                "MH",
                "--input",
                str(bcg_csv),
                "--forest",
                str(forest),
                "--funnel",
                str(funnel),
                "--leave-one-out",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "OR pooled by MH" in out and "without Aronson 1948" in out
    assert forest.read_text().startswith("<svg") and "Aronson 1948" in forest.read_text()
    assert funnel.read_text().startswith("<svg")


def test_pool_continuous_and_generic_csvs(capsys: Capsys, tmp_path: Path) -> None:
    smd = tmp_path / "smd.csv"
    smd.write_text(
        "study,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl\n"
        "a,10,5,20,14,5,20\nb,9,4,30,12,5,31\n",
        encoding="utf-8",
    )
    d = run_json(capsys, "pool", "--measure", "SMD", "--method", "DL", "--input", str(smd))
    assert d["k"] == 2 and d["estimate"] < 0
    gen = tmp_path / "gen.csv"
    gen.write_text("study,yi,vi\na,0.2,0.04\nb,0.5,0.09\nc,0.1,0.05\n", encoding="utf-8")
    d = run_json(capsys, "pool", "--measure", "GEN", "--method", "PM", "--input", str(gen))
    assert d["k"] == 3 and d["scale"] == "difference"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("study,events_treat,n_treat,events_ctrl\na,1,10,2\n", "missing: n_ctrl"),
        (
            "study,events_treat,n_treat,events_ctrl,n_ctrl\na,1,10,2,10\nb,12,10,2,10\n",
            "line 3 (b: events_treat)",
        ),
        (
            "study,events_treat,n_treat,events_ctrl,n_ctrl\na,x,10,2,10\n",
            "line 2 (a), events_treat",
        ),
        ("study,events_treat,n_treat,events_ctrl,n_ctrl\na,-1,10,2,10\n", "events_treat"),
        ("study,events_treat,n_treat,events_ctrl,n_ctrl\na,1,10,,10\n", "line 2 (a), events_ctrl"),
    ],
)
def test_malformed_binary_csv_names_the_row_and_field(
    capsys: Capsys, tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    err = run_error(capsys, "pool", "--measure", "RR", "--input", str(path))
    assert expected in err


def test_negative_sd_is_refused_with_row_and_field(capsys: Capsys, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "study,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl\n"
        "a,10,5,20,14,5,20\nb,9,-4,30,12,5,31\n",
        encoding="utf-8",
    )
    err = run_error(capsys, "pool", "--measure", "MD", "--input", str(path))
    assert "line 3" in err and "sd_treat" in err


def test_missing_file_and_mh_for_means_are_refused(capsys: Capsys, tmp_path: Path) -> None:
    assert "input" in run_error(
        capsys, "pool", "--measure", "RR", "--input", str(tmp_path / "none.csv")
    )
    path = tmp_path / "g.csv"
    path.write_text("study,yi,vi\na,0.1,0.1\n", encoding="utf-8")
    assert "method" in run_error(
        capsys, "pool", "--measure", "GEN", "--method", "MH", "--input", str(path)
    )


def test_evidence_list_filters(capsys: Capsys) -> None:
    rows = run_json(capsys, "evidence", "list", "--drug", "esketamine", "--route", "in")
    assert rows and all(r["drug"] == "esketamine" and r["route"] == "in" for r in rows)
    assert main(["evidence", "list", "--condition", "ptsd"]) == 0
    assert "feder-2021" in capsys.readouterr().out


def test_evidence_show_gives_the_full_record(capsys: Capsys) -> None:
    d = run_json(capsys, "evidence", "show", "grunebaum-2018")
    assert d["doi"] == "10.1176/appi.ajp.2017.17060647"
    assert any(o["reconstructed"] for o in d["outcomes"])
    err = run_error(capsys, "evidence", "show", "nobody-1999")
    assert "trial" in err and "nobody-1999" in err


def test_evidence_pool_forest_and_funnel(capsys: Capsys, tmp_path: Path) -> None:
    d = run_json(capsys, "evidence", "pool", "--condition", "trd")
    assert d["pooled"]["k"] == 2
    assert {i["trial"] for i in d["included"]} == {"daly-2018", "su-2023"}
    assert main(["evidence", "forest", "--condition", "trd"]) == 0
    assert capsys.readouterr().out.startswith("<svg")
    out = tmp_path / "f.svg"
    assert main(["evidence", "funnel", "--condition", "trd", "--output", str(out)]) == 0
    assert out.read_text().startswith("<svg")
    capsys.readouterr()
    err = run_error(capsys, "evidence", "pool", "--outcome", "response", "--include-reconstructed")
    assert "condition" in err


def test_evidence_clinic(capsys: Capsys) -> None:
    d = run_json(
        capsys,
        "evidence",
        "clinic",
        "--responders",
        "19",
        "--n",
        "41",
        "--route",
        "iv",
        "--condition",
        "mdd",
        "--exclude-reconstructed",
    )
    # printed IV MDD counts: Brody 2024 (19/41) and Lii 2023's ketamine arm (12/20); Hu 2016's
    # are rebuilt and left out
    assert abs(d["clinic"]["rate"] - 19 / 41) < 1e-12 and d["literature"]["k"] == 2
    # the text lists each published count with its timepoint and flags rebuilt ones, so that a
    # reader sees how far the studies' timepoints are from the clinic's
    argv = ["evidence", "clinic", "--responders", "19", "--n", "41", "--route", "iv"]
    assert main([*argv, "--condition", "mdd"]) == 0
    text = capsys.readouterr().out
    lii = next(s for s in d["literature"]["studies"] if s["trial"] == "lii-2023")
    assert f"{lii['study']}: {lii['events']}/{lii['n']}, {lii['timepoint']}\n" in text
    assert "[RECONSTRUCTED]" in text  # Hu 2016, included unless --exclude-reconstructed
    err = run_error(
        capsys,
        "evidence",
        "clinic",
        "--responders",
        "50",
        "--n",
        "41",
        "--route",
        "iv",
        "--condition",
        "mdd",
    )
    assert "responders" in err


def test_pool_reports_subgroups_and_the_test_for_difference(capsys: Capsys, tmp_path: Path) -> None:
    # synthetic rows, grouped as in Bahji 2020 (racemic IV vs esketamine intranasal)
    path = tmp_path / "sub.csv"
    path.write_text(
        "study,events_treat,n_treat,events_ctrl,n_ctrl,subgroup\n"
        "r1,12,20,4,20,racemic iv\nr2,15,25,5,24,racemic iv\nr3,9,18,3,17,racemic iv\n"
        "e1,60,110,45,108,esketamine in\ne2,50,100,40,98,esketamine in\n",
        encoding="utf-8",
    )
    d = run_json(capsys, "pool", "--measure", "RR", "--method", "DL", "--input", str(path))
    sub = d["subgroups"]
    assert set(sub["groups"]) == {"racemic iv", "esketamine in"}
    test = sub["test_for_subgroup_differences"]
    assert test["df"] == 1 and 0 <= test["p"] <= 1
    assert sub["groups"]["racemic iv"]["estimate"] > sub["groups"]["esketamine in"]["estimate"]


def test_evidence_pool_subgroups_over_the_built_in_records(capsys: Capsys) -> None:
    # racemic IV (Su 2023) vs esketamine intranasal (Daly 2018): Q = 0.0848, df 1, p = 0.771
    # (hand arithmetic in tests/core/evidence/test_builtin_pools.py)
    assert main(["evidence", "pool", "--condition", "trd", "--subgroups"]) == 0
    out = capsys.readouterr().out
    assert "subgroup difference (esketamine in, racemic iv): Q = 0.0848, df 1, p = 0.771" in out
    d = run_json(capsys, "evidence", "pool", "--condition", "trd", "--subgroups")
    test = d["subgroups"]["test_for_subgroup_differences"]
    assert test["df"] == 1 and abs(test["q"] - 0.08475) < 1e-5
    err = run_error(capsys, "evidence", "pool", "--condition", "bipolar-depression", "--subgroups")
    assert "filters" in err
