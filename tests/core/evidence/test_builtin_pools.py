"""Pools over the built-in trial records; the racemic-IV vs esketamine-IN comparison."""

import math
from collections.abc import Iterator

import pytest
from scipy import stats

from ketacare.core.errors import InputError
from ketacare.core.evidence import trials as trials_mod
from ketacare.core.evidence.trials import Outcome, Trial, get_trial, list_trials, pool_trials

TOL = 1e-4


def test_trd_response_pool_is_daly_2018_with_the_doses_merged() -> None:
    # Daly 2018, JAMA Psychiatry Table 1 (PMC5838571), period 1 end point responders:
    # placebo 2 (6) of 33; 28 mg 1 (9) of 11; 56 mg 2 (18) of 11; 84 mg 5 (42) of 12.
    # Merged against the shared placebo once: 8/34 vs 2/33. RR = (8/34)/(2/33) = 3.8824;
    # var(log RR) = 1/8 - 1/34 + 1/2 - 1/33 = 0.56529 -> 95% CI exp(1.35630 -+ 1.95996 * 0.75186)
    # = 0.8894 to 16.946 (hand arithmetic, metafor escalc RR conventions).
    tp = pool_trials(condition="trd", outcome="response")
    d = tp.to_dict()
    assert [i["trial"] for i in d["included"]] == ["daly-2018"]
    assert (d["included"][0]["events_treat"], d["included"][0]["n_treat"]) == (8, 34)
    assert (d["included"][0]["events_ctrl"], d["included"][0]["n_ctrl"]) == (2, 33)
    assert d["pooled"]["estimate"] == pytest.approx(3.8824, abs=TOL)
    assert d["pooled"]["ci_low"] == pytest.approx(0.8894, abs=TOL)
    assert d["pooled"]["ci_high"] == pytest.approx(16.946, abs=1e-3)


def test_trd_remission_pool_uses_dalys_printed_remitter_counts() -> None:
    # Daly 2018 Table 1, period 1 end point remitters (MADRS <= 10): placebo 1 (3) of 33;
    # 28 mg 1 (9) of 11; 56 mg 1 (9) of 11; 84 mg 3 (25) of 12 -> merged 5/34 vs 1/33.
    # RR = (5/34)/(1/33) = 4.8529; var(log RR) = 1/5 - 1/34 + 1 - 1/33 = 1.14029 ->
    # 95% CI exp(1.57955 -+ 1.95996 * 1.06784) = 0.5985 to 39.35 (hand arithmetic).
    d = pool_trials(condition="trd", outcome="remission").to_dict()
    assert [i["trial"] for i in d["included"]] == ["daly-2018"]
    assert d["pooled"]["estimate"] == pytest.approx(4.8529, abs=TOL)
    assert d["pooled"]["ci_low"] == pytest.approx(0.5985, abs=TOL)
    assert d["pooled"]["ci_high"] == pytest.approx(39.35, abs=1e-2)


def test_new_racemic_iv_trd_records_carry_no_invented_counts() -> None:
    # Fava 2020, Singh 2016 and Murrough 2013 (AJP) were added from their abstracts, which print no
    # responder counts; the records must not pretend otherwise.
    for tid in ("fava-2020", "singh-2016", "murrough-2013-ajp"):
        t = get_trial(tid)
        assert (t.condition, t.drug, t.route) == ("trd", "racemic", "iv")
        assert not any(o.kind == "binary" for o in t.outcomes)


def test_fava_2020_arm_sizes_are_the_published_ones() -> None:
    # Fava 2020 abstract (PMC6447473): "ketamine 0.1 mg/kg (n = 18), ... 0.2 mg/kg (n = 20), ...
    # 0.5 mg/kg (n = 22), ... 1.0 mg/kg (n = 20), and ... midazolam 0.045 mg/kg ... (n = 19)".
    sizes = {o.arm: o.numbers["n_treat"] for o in get_trial("fava-2020").outcomes}
    assert sizes == {"0.5 mg/kg": 22, "1.0 mg/kg": 20, "0.1 mg/kg": 18, "0.2 mg/kg": 20}
    assert {o.numbers["n_ctrl"] for o in get_trial("fava-2020").outcomes} == {19}
    assert sum(sizes.values()) + 19 == 99


def test_bipolar_depression_record_is_a_crossover_kept_out_of_pools() -> None:
    t = get_trial("diazgranados-2010")
    assert (t.design, t.condition) == ("rct-crossover", "bipolar-depression")
    assert [x.id for x in list_trials(condition="bipolar-depression")] == ["diazgranados-2010"]
    with pytest.raises(InputError, match="filters"):
        pool_trials(condition="bipolar-depression", outcome="response")


def test_racemic_iv_vs_esketamine_in_comparison_awaits_racemic_trd_counts() -> None:
    # Today only esketamine-IN trials (Daly 2018) print two-arm TRD counts, so the subgroup test
    # cannot run over the built-in records. When a racemic-IV TRD record gains printed counts this
    # test fails on purpose: replace it by the expected two-group result.
    tp = pool_trials(condition="trd", outcome="response", subgroup_by_drug_route=True)
    assert {i["subgroup"] for i in tp.to_dict()["included"]} == {"esketamine in"}
    assert tp.subgroups is None


@pytest.fixture
def library_with_a_synthetic_racemic_trd_trial(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    """The built-in library plus one SYNTHETIC racemic-IV TRD trial (not a published study)."""
    base = dict(trials_mod._library())
    synthetic = Trial(
        id="synthetic-racemic-iv",
        short="Synthetic racemic IV",
        citation="synthetic test record, not a published study",
        doi="",
        year=2020,
        design="rct",
        blinding="double-blind",
        population="synthetic",
        condition="trd",
        drug="racemic",
        route="iv",
        dose="0.5 mg/kg",
        comparator="midazolam",
        comparator_type="active-placebo",
        registration="",
        in_seeds=False,
        seed_files=(),
        notes=("synthetic",),
        outcomes=(
            Outcome(
                id="response",
                name="synthetic response",
                outcome_class="response",
                kind="binary",
                scale="madrs",
                definition=">= 50% reduction",
                timepoint="24 h",
                analysis_set="synthetic",
                source="synthetic test data",
                numbers={"events_treat": 20, "n_treat": 40, "events_ctrl": 5, "n_ctrl": 40},
                primary=True,
            ),
        ),
    )
    base[synthetic.id] = synthetic
    monkeypatch.setattr(trials_mod, "_library", lambda: base)
    yield


@pytest.mark.usefixtures("library_with_a_synthetic_racemic_trd_trial")
def test_racemic_iv_vs_esketamine_in_subgroup_test_runs_over_the_records() -> None:
    tp = pool_trials(condition="trd", outcome="response", subgroup_by_drug_route=True)
    sub = tp.subgroups
    assert sub is not None
    assert set(sub.groups) == {"racemic iv", "esketamine in"}
    assert sub.df == 1
    # Q between by hand (Borenstein et al. 2009, ch. 19): each subgroup estimate weighted by
    # 1/SE^2 of its own pooled result. With one trial per subgroup each estimate is the trial's
    # log RR: racemic log(0.5/0.125) = 1.38629, var 1/20 - 1/40 + 1/5 - 1/40 = 0.2;
    # esketamine log((8/34)/(2/33)) = 1.35630, var 0.56529.
    y = [math.log(4.0), math.log((8 / 34) / (2 / 33))]
    v = [0.2, 1 / 8 - 1 / 34 + 1 / 2 - 1 / 33]
    w = [1 / x for x in v]
    mu = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    q = sum(wi * (yi - mu) ** 2 for wi, yi in zip(w, y, strict=True))
    assert sub.groups["racemic iv"].estimate == pytest.approx(y[0], abs=1e-9)
    assert sub.groups["esketamine in"].estimate == pytest.approx(y[1], abs=1e-9)
    assert sub.q_between == pytest.approx(q, abs=1e-9)
    assert sub.p == pytest.approx(float(stats.chi2.sf(q, 1)), abs=1e-9)
