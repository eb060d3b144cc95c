"""Trial records: loading, validation, filters, pooled analyses and the clinic comparison."""

from __future__ import annotations

import math

import pytest

from ketacare.core.errors import DefinitionError, InputError, UnknownIdError
from ketacare.core.evidence.trials import (
    Outcome,
    clinic_vs_literature,
    get_trial,
    list_trials,
    pool_trials,
    trial_from_dict,
    wilson_interval,
)

SEED_STUDIES = [
    "grunebaum-2018",
    "feder-2021",
    "fedgchin-2019",
    "takahashi-2021",
    "phillips-2020",
    "murrough-2013",
    "anand-2023",
    "loo-2023",
    "can-2021",
    "krupitsky-1997",
    "brody-2024",
    "peters-2023",
    "di-vincenzo-2021",
    "siegel-2021",
    "wilkinson-2018",
    "bahji-2020",
    "basso-2020",
    "sumner-2020",
    "mandal-2019",
    "falk-2020",
]


def test_every_seed_study_has_a_record_with_sourced_outcomes() -> None:
    for trial_id in SEED_STUDIES:
        t = get_trial(trial_id)
        assert t.in_seeds and t.citation and t.outcomes
        assert all(o.source for o in t.outcomes)


def test_krupitsky_counts_are_the_printed_ones() -> None:
    # seed 004 quotes the abstract: 73 of 111 (65.8%) vs 24 of 100 (24%)
    o = get_trial("krupitsky-1997").outcomes[0]
    assert dict(o.numbers) == {
        "events_treat": 73,
        "n_treat": 111,
        "events_ctrl": 24,
        "n_ctrl": 100,
        "percent_treat": 65.8,
        "percent_ctrl": 24,
    }
    assert not o.reconstructed


def test_a_percentage_that_disagrees_with_its_counts_is_refused() -> None:
    # the seed's Brody 2024 error: 15 of 41 printed as 26.5% (15/41 = 36.6%)
    with pytest.raises(DefinitionError, match=r"percent_treat 26\.5 disagrees"):
        Outcome(
            id="x",
            name="remission",
            outcome_class="remission",
            kind="single-arm",
            scale="madrs",
            definition="",
            timepoint="",
            analysis_set="",
            source="seed 002",
            numbers={"events_treat": 15, "n_treat": 41, "percent_treat": 26.5},
        )


def test_a_record_without_a_source_or_with_unknown_keys_is_refused() -> None:
    base = {
        "id": "x",
        "short": "X",
        "citation": "X",
        "year": 2020,
        "design": "rct",
        "population": "p",
        "condition": "trd",
        "drug": "racemic",
        "route": "iv",
        "comparator_type": "placebo",
        "outcomes": [{"id": "o", "name": "o", "class": "response", "kind": "text", "source": ""}],
    }
    with pytest.raises(DefinitionError, match="source"):
        trial_from_dict(base, "x.toml")
    with pytest.raises(DefinitionError, match="unknown keys"):
        trial_from_dict({**base, "colour": "red"}, "x.toml")
    bad_route = {**base, "route": "rectal"}
    bad_route["outcomes"] = [{**base["outcomes"][0], "source": "s"}]  # type: ignore[index]
    with pytest.raises(DefinitionError, match="route"):
        trial_from_dict(bad_route, "x.toml")


def test_filters_select_by_drug_route_condition_outcome_and_design() -> None:
    esk = list_trials(drug="esketamine", route="in")
    assert {"daly-2018", "fedgchin-2019", "takahashi-2021"} <= {t.id for t in esk}
    assert all(t.drug == "esketamine" and t.route == "in" for t in esk)
    assert {t.id for t in list_trials(condition="ptsd")} == {"feder-2021", "abdallah-2022"}
    assert all(
        any(o.outcome_class == "remission" for o in t.outcomes)
        for t in list_trials(outcome="remission")
    )
    assert {t.id for t in list_trials(design="meta-analysis")} == {"bahji-2020"}


def test_bad_filter_and_unknown_id_name_the_field() -> None:
    with pytest.raises(InputError, match="route"):
        list_trials(route="rectal")
    with pytest.raises(UnknownIdError, match="trial"):
        get_trial("nobody-1999")


def test_pool_merges_shared_control_arms_and_leaves_out_syntheses() -> None:
    p = pool_trials(outcome="response", condition="trd", measure="RR", method="FE")
    # Daly 2018 Table 1, period 1: 1/11 + 2/11 + 5/12 = 8/34 against the shared placebo 2/33;
    # Su 2023 (Table 1) is a plain two-arm trial: 15/42 vs 5/42
    assert {
        i["trial"]: (i["events_treat"], i["n_treat"], i["events_ctrl"], i["n_ctrl"])
        for i in p.included
    } == {"daly-2018": (8, 34, 2, 33), "su-2023": (15, 42, 5, 42)}
    reasons = {e["trial"]: e["reason"] for e in p.excluded}
    assert "not pooled beside trials" in reasons["turkoz-2021"]
    assert "active-treatment" in reasons["anand-2023"]


def test_reconstructed_counts_enter_only_when_asked() -> None:
    with pytest.raises(InputError):
        pool_trials(outcome="response", condition="ptsd")
    p = pool_trials(outcome="response", condition="ptsd", include_reconstructed=True)
    assert p.included[0]["reconstructed"] is True and p.result.k == 1


def test_pooling_across_conditions_is_refused() -> None:
    with pytest.raises(InputError, match="condition"):
        pool_trials(outcome="response", include_reconstructed=True)


# Newcombe 1998 (Stat Med 17:857), Table I, method 3 (Wilson score without continuity
# correction): 81/263 -> 0.2553 to 0.3662; 15/148 -> 0.0624 to 0.1605; 0/20 -> 0 to 0.1611;
# 1/29 -> 0.0061 to 0.1718. Printed to 4 decimals: tolerance 5e-5.
@pytest.mark.parametrize(
    ("x", "n", "lo", "hi"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(x: int, n: int, lo: float, hi: float) -> None:
    a, b = wilson_interval(x, n)
    assert abs(a - lo) <= 5e-5 and abs(b - hi) <= 5e-5


def test_wilson_interval_matches_statsmodels() -> None:
    from statsmodels.stats.proportion import proportion_confint

    for x, n in ((0, 5), (12, 30), (30, 30), (7, 9)):
        lo, hi = proportion_confint(x, n, method="wilson")
        a, b = wilson_interval(x, n)
        assert abs(a - lo) < 1e-12 and abs(b - hi) < 1e-12


def test_clinic_vs_literature_puts_the_clinic_beside_the_published_rate() -> None:
    out = clinic_vs_literature(19, 41, route="iv", condition="mdd", include_reconstructed=False)
    assert out["clinic"]["rate"] == pytest.approx(19 / 41)
    lit = out["literature"]
    # printed IV MDD response counts: Brody 2024 (19/41) and the ketamine arm of Lii 2023 (12/20,
    # Extended Data Table 1); Hu 2016's are reconstructed. By hand: logit(19/41) = -0.146603,
    # v = 1/19 + 1/22; logit(12/20) = 0.405465, v = 1/12 + 1/8; REML tau^2 = 0 here, so the pool
    # is the inverse-variance mean 0.030116 and expit gives 0.507528.
    assert {s["trial"]: (s["events"], s["n"]) for s in lit["studies"]} == {
        "brody-2024": (19, 41),
        "lii-2023": (12, 20),
    }
    y = [math.log(19 / 22), math.log(12 / 8)]
    w = [1 / (1 / 19 + 1 / 22), 1 / (1 / 12 + 1 / 8)]
    mu = (w[0] * y[0] + w[1] * y[1]) / (w[0] + w[1])
    assert lit["k"] == 2 and lit["tau2"] == 0.0
    assert lit["rate"] == pytest.approx(1 / (1 + math.exp(-mu)), abs=1e-9)
    assert lit["rate"] == pytest.approx(0.507528, abs=1e-6)


def test_clinic_vs_literature_flags_reconstructed_counts_and_lists_rates_apart() -> None:
    out = clinic_vs_literature(12, 30, route="iv", condition="trd")
    lit = out["literature"]
    flags = {s["trial"]: s["reconstructed"] for s in lit["studies"]}
    # Murrough 2013 AJP's 24-h response count (30/47) is rebuilt from 64% of 47 (PMC4243034,
    # PMC10430179), so it is flagged like the Biol Psychiatry single arm and ELEKT-D
    assert flags == {
        "murrough-2013": True,
        "murrough-2013-ajp": True,
        "anand-2023": True,
        "su-2023": False,
    }
    assert any(r["trial"] == "phillips-2020" for r in lit["rates_only"])
    # without reconstructions only Su 2023's printed ketamine-arm count (15/42) is left
    printed = clinic_vs_literature(12, 30, route="iv", condition="trd", include_reconstructed=False)
    assert printed["literature"]["k"] == 1
    assert printed["literature"]["rate"] == pytest.approx(15 / 42, abs=1e-12)


def test_clinic_vs_literature_refuses_bad_counts() -> None:
    with pytest.raises(InputError, match="responders"):
        clinic_vs_literature(31, 30, route="iv", condition="trd")
    with pytest.raises(InputError, match="n"):
        clinic_vs_literature(0, 0, route="iv", condition="trd")
    with pytest.raises(InputError, match="condition"):
        clinic_vs_literature(1, 3, route="iv", condition="flu")


def test_clinic_vs_literature_can_restrict_to_a_drug() -> None:
    # intranasal TRD response counts: Daly 2018 esketamine arms, primary timepoint
    # (JAMA Psychiatry Table 1, period 1: 1/11 + 2/11 + 5/12 = 8/34)
    printed = clinic_vs_literature(
        5, 10, route="in", condition="trd", drug="esketamine", include_reconstructed=False
    )
    assert [(s["events"], s["n"]) for s in printed["literature"]["studies"]] == [(8, 34)]
    # with the rebuilt TRANSFORM day-28 counts (flagged): TRANSFORM-1 56 + 84 mg arms merged
    # (60/111 + 52/98 = 112/209), TRANSFORM-2 70/101, TRANSFORM-3 17/63
    out = clinic_vs_literature(5, 10, route="in", condition="trd", drug="esketamine")
    got = {
        s["trial"]: (s["events"], s["n"], s["reconstructed"]) for s in out["literature"]["studies"]
    }
    assert got == {
        "daly-2018": (8, 34, False),
        "fedgchin-2019": (112, 209, True),
        "popova-2019": (70, 101, True),
        "ochs-ross-2020": (17, 63, True),
    }
    none = clinic_vs_literature(5, 10, route="in", condition="trd", drug="racemic")
    assert none["literature"]["k"] == 0


def test_every_data_file_starts_with_its_grammar_and_published_source() -> None:
    from importlib import resources

    root = resources.files("ketacare.core.evidence").joinpath("data")
    files = [e for e in root.iterdir() if e.name.endswith(".toml")]
    assert len(files) == len(list_trials()) >= 29
    for entry in files:
        head = entry.read_text(encoding="utf-8").splitlines()[:9]
        assert head[0].startswith("# KetaCare trial record. Grammar"), entry.name
        assert any(line.startswith("# Published source") for line in head), entry.name
