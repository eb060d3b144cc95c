"""Pools over the built-in trial records; the racemic-IV vs esketamine-IN comparison."""

import math

import pytest
from scipy import stats

from ketacare.core.errors import InputError
from ketacare.core.evidence.trials import get_trial, list_trials, pool_trials

TOL = 1e-4


def test_trd_response_pool_merges_dalys_doses_and_adds_su_2023() -> None:
    # Daly 2018, JAMA Psychiatry Table 1 (PMC5838571), period 1 end point responders:
    # placebo 2 (6) of 33; 28 mg 1 (9) of 11; 56 mg 2 (18) of 11; 84 mg 5 (42) of 12.
    # Merged against the shared placebo once: 8/34 vs 2/33.
    # Su 2023, Int J Neuropsychopharmacol Table 1: response 15 (35.7) vs 5 (11.9) of 42 each.
    # Hand arithmetic (metafor escalc RR conventions):
    #   Daly log RR = log((8/34)/(2/33)) = 1.35644, v = 1/8 - 1/34 + 1/2 - 1/33 = 0.56529
    #   Su   log RR = log(3) = 1.09861,            v = 1/15 - 1/42 + 1/5 - 1/42 = 0.21905
    #   Q = 0.08475 < k - 1, so REML tau^2 = 0 and the pool is the inverse-variance mean:
    #   1.17062 (SE 0.39733) -> RR 3.2240, 95% CI 1.4797 to 7.0243
    tp = pool_trials(condition="trd", outcome="response")
    d = tp.to_dict()
    rows = {i["trial"]: i for i in d["included"]}
    assert set(rows) == {"daly-2018", "su-2023"}
    daly = rows["daly-2018"]
    assert (daly["events_treat"], daly["n_treat"], daly["events_ctrl"], daly["n_ctrl"]) == (
        8,
        34,
        2,
        33,
    )
    assert d["pooled"]["k"] == 2 and tp.result.tau2 == 0.0
    assert d["pooled"]["estimate"] == pytest.approx(3.2240, abs=TOL)
    assert d["pooled"]["ci_low"] == pytest.approx(1.4797, abs=TOL)
    assert d["pooled"]["ci_high"] == pytest.approx(7.0243, abs=TOL)
    assert tp.result.q == pytest.approx(0.08475, abs=1e-5)


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
    # responder counts. Murrough's counts (suicidal-ideation composite from Price 2014; 24-h
    # response from 64% vs 28% of 47 vs 25, quoted in PMC4243034 Table 3 and PMC10430179 Table 1)
    # are rebuilt from percentages and must say so.
    for tid in ("fava-2020", "singh-2016", "murrough-2013-ajp"):
        t = get_trial(tid)
        assert (t.condition, t.drug, t.route) == ("trd", "racemic", "iv")
        binary = [o for o in t.outcomes if o.kind == "binary"]
        assert all(o.reconstructed and o.reconstruction_check for o in binary)
        if tid != "murrough-2013-ajp":
            assert not any(o.outcome_class == "response" for o in binary)
    resp = [
        o
        for o in get_trial("murrough-2013-ajp").outcomes
        if o.kind == "binary" and o.outcome_class == "response"
    ]
    assert [dict(o.numbers) for o in resp] == [
        {"events_treat": 30, "n_treat": 47, "events_ctrl": 7, "n_ctrl": 25}
    ]
    # the only counts of 47 and 25 that round to the printed 64% and 28%
    assert [x for x in range(48) if round(100 * x / 47) == 64] == [30]
    assert [x for x in range(26) if round(100 * x / 25) == 28] == [7]


def test_racemic_iv_trd_response_with_reconstructions_adds_murrough_2013_ajp() -> None:
    # Printed counts only (the default) give Su 2023 alone for racemic IV; with
    # include_reconstructed=True Murrough 2013 AJP enters as 30/47 vs 7/25 (rebuilt; ELEKT-D stays
    # out as an active-treatment comparison). Hand arithmetic (metafor escalc RR conventions):
    #   Murrough log RR = log((30/47)/(7/25)) = 0.82402, v = 1/30 - 1/47 + 1/7 - 1/25 = 0.11491
    #   Su log RR = log(3) = 1.09861, v = 0.21905 (as above)
    #   Q = 0.22578 < k - 1 = 1, so REML tau^2 = 0 and the pool is the inverse-variance mean
    #   -> RR 2.5055, 95% CI 1.4629 to 4.2913
    tp = pool_trials(
        condition="trd", outcome="response", drug="racemic", route="iv", include_reconstructed=True
    )
    d = tp.to_dict()
    rows = {i["trial"]: i for i in d["included"]}
    assert set(rows) == {"murrough-2013-ajp", "su-2023"}
    assert rows["murrough-2013-ajp"]["reconstructed"] is True
    y = [math.log((30 / 47) / (7 / 25)), math.log(3.0)]
    v = [1 / 30 - 1 / 47 + 1 / 7 - 1 / 25, 1 / 15 - 1 / 42 + 1 / 5 - 1 / 42]
    w = [1 / x for x in v]
    mu = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    se = 1 / math.sqrt(sum(w))
    q = sum(wi * (yi - mu) ** 2 for wi, yi in zip(w, y, strict=True))
    assert tp.result.q == pytest.approx(q, abs=1e-12) and q == pytest.approx(0.22578, abs=1e-5)
    assert tp.result.tau2 == 0.0
    z = float(stats.norm.ppf(0.975))
    got = (d["pooled"]["estimate"], d["pooled"]["ci_low"], d["pooled"]["ci_high"])
    assert got == pytest.approx((math.exp(mu), math.exp(mu - z * se), math.exp(mu + z * se)))
    assert got == pytest.approx((2.5055, 1.4629, 4.2913), abs=TOL)


# Rebuilt day-28 counts of TRANSFORM-1/2/3 (Clin Pharmacol Ther 2021 Tables 1-2, PMC7894501):
# (treatment %, control %, RD, CI low, CI high, randomised n treat, randomised n control) -> counts
TRANSFORM_SOLVES = {
    ("fedgchin-2019", "response", "56 mg"): (
        (54.1, 38.9, 15.2, 2.11, 28.22, 115, 113),
        (60, 111, 42, 108),
    ),
    ("fedgchin-2019", "response", "84 mg"): (
        (53.1, 38.9, 14.2, 0.68, 27.67, 114, 113),
        (52, 98, 42, 108),
    ),
    ("fedgchin-2019", "remission", "56 mg"): (
        (36.0, 30.6, 5.5, -6.98, 17.94, 115, 113),
        (40, 111, 33, 108),
    ),
    ("fedgchin-2019", "remission", "84 mg"): (
        (38.8, 30.6, 8.2, -4.76, 21.20, 114, 113),
        (38, 98, 33, 108),
    ),
    ("popova-2019", "response", ""): (
        (69.3, 52.0, 17.3, 4.01, 30.60, 114, 109),
        (70, 101, 52, 100),
    ),
    ("popova-2019", "remission", ""): (
        (52.5, 31.0, 21.5, 8.17, 34.78, 114, 109),
        (53, 101, 31, 100),
    ),
    ("ochs-ross-2020", "response", ""): ((27.0, 13.3, 13.7, -0.28, 27.58, 72, 65), (17, 63, 8, 60)),
    ("ochs-ross-2020", "remission", ""): ((17.5, 6.7, 10.8, -0.51, 22.09, 72, 65), (11, 63, 4, 60)),
}


def _wald_rd_solutions(
    pt: float, pc: float, rd: float, lo: float, hi: float, nt: int, nc: int
) -> list[tuple[int, int, int, int]]:
    """Every (e1, n1, e2, n2) with n up to the randomised n whose percentages round to the printed
    ones (1 dp) and whose Wald risk difference and 95% CI reproduce every printed digit."""
    z = float(stats.norm.ppf(0.975))

    def fits(pct: float, nmax: int) -> list[tuple[int, int]]:
        return [
            (e, n) for n in range(1, nmax + 1) for e in range(n + 1) if round(100 * e / n, 1) == pct
        ]

    out = []
    for e1, n1 in fits(pt, nt):
        for e2, n2 in fits(pc, nc):
            p1, p2 = e1 / n1, e2 / n2
            se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
            d, a, b = 100 * (p1 - p2), 100 * (p1 - p2 - z * se), 100 * (p1 - p2 + z * se)
            if (round(d, 1), f"{a:.2f}", f"{b:.2f}") == (rd, f"{lo:.2f}", f"{hi:.2f}"):
                out.append((e1, n1, e2, n2))
    return out


def test_transform_counts_are_the_only_ones_that_reproduce_the_printed_rates_and_cis() -> None:
    for (tid, cls, arm), (printed, counts) in TRANSFORM_SOLVES.items():
        assert _wald_rd_solutions(*printed) == [counts], (tid, cls, arm)
        (o,) = [
            x
            for x in get_trial(tid).outcomes
            if x.kind == "binary" and x.outcome_class == cls and x.arm == arm
        ]
        assert o.reconstructed and o.reconstruction_check
        n = o.numbers
        assert (n["events_treat"], n["n_treat"], n["events_ctrl"], n["n_ctrl"]) == counts
    # cross-checks against printed numbers: TRANSFORM-1 + 2 day-28 N by sex (PMC8921149 Table 4:
    # 215 + 95 esketamine, 138 + 70 placebo; TRANSFORM-3 39 + 24 and 36 + 24) and Turkoz 2021's
    # pooled TRANSFORM-1 + 2 responders (182/310 vs 94/208)
    assert 111 + 98 + 101 == 215 + 95 == 310 and 108 + 100 == 138 + 70 == 208
    assert (63, 60) == (39 + 24, 36 + 24)
    turkoz = get_trial("turkoz-2021")
    (t,) = [o for o in turkoz.outcomes if o.id == "response-day28"]
    assert (t.numbers["events_treat"], t.numbers["n_treat"]) == (60 + 52 + 70, 310)
    assert (t.numbers["events_ctrl"], t.numbers["n_ctrl"]) == (42 + 52, 208)


def _reml(y: list[float], v: list[float]) -> float:
    # REML by fixed-point iteration on its estimating equation, independent of the engine
    t = 0.0
    for _ in range(10_000):
        w = [1 / (vi + t) for vi in v]
        m = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
        num = sum(wi**2 * ((yi - m) ** 2 - vi) for wi, yi, vi in zip(w, y, v, strict=True))
        new = max(0.0, num / sum(wi**2 for wi in w) + 1 / sum(w))
        if abs(new - t) < 1e-15:
            break
        t = new
    return t


def test_trd_response_pool_with_all_reconstructions() -> None:
    # --condition trd --include-reconstructed: Murrough 2013 AJP 30/47 vs 7/25; Daly 2018 8/34 vs
    # 2/33; TRANSFORM-1 (56 + 84 mg merged against the shared placebo) 112/209 vs 42/108;
    # TRANSFORM-2 70/101 vs 52/100; TRANSFORM-3 17/63 vs 8/60; Su 2023 15/42 vs 5/42.
    # Q = 7.2704 (df 5) > df, REML tau^2 = 0.032414 -> RR 1.6210 (1.2564 to 2.0915).
    tp = pool_trials(condition="trd", outcome="response", include_reconstructed=True)
    d = tp.to_dict()
    rows = {
        i["trial"]: (i["events_treat"], i["n_treat"], i["events_ctrl"], i["n_ctrl"])
        for i in d["included"]
    }
    assert rows == {
        "murrough-2013-ajp": (30, 47, 7, 25),
        "daly-2018": (8, 34, 2, 33),
        "fedgchin-2019": (112, 209, 42, 108),
        "popova-2019": (70, 101, 52, 100),
        "ochs-ross-2020": (17, 63, 8, 60),
        "su-2023": (15, 42, 5, 42),
    }
    y = [math.log((a / b) / (c / e)) for a, b, c, e in rows.values()]
    v = [1 / a - 1 / b + 1 / c - 1 / e for a, b, c, e in rows.values()]
    t = _reml(y, v)
    w = [1 / (vi + t) for vi in v]
    mu = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    se = 1 / math.sqrt(sum(w))
    z = float(stats.norm.ppf(0.975))
    assert tp.result.tau2 == pytest.approx(t, abs=1e-8) and t == pytest.approx(0.032414, abs=1e-6)
    assert tp.result.q == pytest.approx(7.27037, abs=1e-5)
    got = (d["pooled"]["estimate"], d["pooled"]["ci_low"], d["pooled"]["ci_high"])
    assert got == pytest.approx(
        (math.exp(mu), math.exp(mu - z * se), math.exp(mu + z * se)), rel=1e-7
    )
    assert got == pytest.approx((1.6210, 1.2564, 2.0915), abs=TOL)


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


def test_racemic_iv_vs_esketamine_in_subgroup_test_runs_over_the_built_in_records() -> None:
    # Subgroups by drug and route over the TRD response records: racemic IV (Su 2023, 15/42 vs
    # 5/42) and esketamine intranasal (Daly 2018, doses merged, 8/34 vs 2/33). With one trial per
    # subgroup each subgroup estimate is that trial's log RR, and the test for subgroup differences
    # (Borenstein et al. 2009, ch. 19) is Q between them on 1 df:
    #   w = 1/0.21905 and 1/0.56529; mean 1.17062; Q = 0.08475; p = chi2.sf(0.08475, 1) = 0.7710
    tp = pool_trials(condition="trd", outcome="response", subgroup_by_drug_route=True)
    sub = tp.subgroups
    assert sub is not None
    assert set(sub.groups) == {"racemic iv", "esketamine in"}
    assert sub.df == 1
    y = [math.log(3.0), math.log((8 / 34) / (2 / 33))]
    v = [1 / 15 - 1 / 42 + 1 / 5 - 1 / 42, 1 / 8 - 1 / 34 + 1 / 2 - 1 / 33]
    w = [1 / x for x in v]
    mu = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    q = sum(wi * (yi - mu) ** 2 for wi, yi in zip(w, y, strict=True))
    assert sub.groups["racemic iv"].estimate == pytest.approx(y[0], abs=1e-12)
    assert sub.groups["esketamine in"].estimate == pytest.approx(y[1], abs=1e-12)
    assert sub.q_between == pytest.approx(q, abs=1e-12)
    assert sub.q_between == pytest.approx(0.08475, abs=1e-5)
    assert sub.p == pytest.approx(float(stats.chi2.sf(q, 1)), abs=1e-12)
    assert sub.p == pytest.approx(0.7710, abs=TOL)


def test_hu_2016_counts_are_reconstructed_and_left_out_by_default() -> None:
    # Hu 2016 prints only percentages (92.3% vs 57.1%); 12/13 vs 8/14 is a reconstruction. Lii
    # 2023 prints its counts (Extended Data Table 1: 12/20 vs 10/20 at day 1).
    recon = [o for o in get_trial("hu-2016").outcomes if o.kind == "binary"]
    assert recon and all(o.reconstructed and o.reconstruction_check for o in recon)
    printed = pool_trials(condition="mdd", outcome="response").to_dict()
    assert [i["trial"] for i in printed["included"]] == ["lii-2023"]
    d = pool_trials(condition="mdd", outcome="response", include_reconstructed=True).to_dict()
    flags = {i["trial"]: i["reconstructed"] for i in d["included"]}
    assert flags == {"hu-2016": True, "lii-2023": False}


def test_crossover_trials_never_enter_a_pool_as_parallel_arms() -> None:
    # Lapidus 2014 prints 8/18 after ketamine vs 1/18 after saline, but they are the same 18
    # patients (crossover): entering them as two arms would double-count the patients.
    tp = pool_trials(condition="mdd", outcome="response", include_reconstructed=True)
    reasons = {e["trial"]: e["reason"] for e in tp.to_dict()["excluded"]}
    assert reasons["lapidus-2014"].startswith("crossover")
    assert "lapidus-2014" not in {i["trial"] for i in tp.to_dict()["included"]}


def test_zarate_2006_and_berman_2000_are_crossovers_with_rates_only() -> None:
    # Zarate 2006 (71% of 17) and Berman 2000 (50%, printed against N = 7) come from a review table
    # (Curr Behav Neurosci Rep 2015, PMC4714563 Table 1) that gives the ketamine-condition rate of
    # crossover trials only: no counts, and never a parallel 2x2.
    for tid, cond in (("zarate-2006", "trd"), ("berman-2000", "mdd")):
        t = get_trial(tid)
        assert t.design == "rct-crossover" and t.condition == cond
        assert not [o for o in t.outcomes if o.kind in ("binary", "single-arm")]
        tp = pool_trials(condition=cond, outcome="response", include_reconstructed=True)
        reasons = {e["trial"]: e["reason"] for e in tp.to_dict()["excluded"]}
        assert reasons[tid].startswith("crossover")
    (z,) = [o for o in get_trial("zarate-2006").outcomes if o.outcome_class == "response"]
    assert dict(z.numbers) == {"percent_treat": 71, "n_treat": 17}
    (b,) = [o for o in get_trial("berman-2000").outcomes if o.outcome_class == "response"]
    # 50% of 7 is 3.5 patients: the denominator is unclear, so no n is stored with the rate
    assert dict(b.numbers) == {"percent_treat": 50}


def test_canuso_2018_placebo_denominator_is_the_only_one_that_fits() -> None:
    # Congress abstract (L'Encephale 2017, abstract 166), placebo percentages 29% (day 2 response),
    # 16.1% (day 2 remission), 6.5% and 9.7% (suicide-risk resolution): 31 is the only
    # denominator below 40 for which all four are whole-number fractions at their printed rounding.
    printed = ((29.0, 0), (16.1, 1), (6.5, 1), (9.7, 1))

    def fits(n: int) -> bool:
        return all(
            any(abs(100 * k / n - pct) <= 0.5 * 10**-dp + 1e-9 for k in range(n + 1))
            for pct, dp in printed
        )

    assert [n for n in range(1, 40) if fits(n)] == [31]
    resp = next(o for o in get_trial("canuso-2018").outcomes if o.id == "madrs-response-day2")
    assert resp.reconstructed and (resp.numbers["events_ctrl"], resp.numbers["n_ctrl"]) == (9, 31)
    assert (resp.numbers["events_treat"], resp.numbers["n_treat"]) == (19, 35)  # printed


def _wald_rr(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float]:
    # metafor escalc(measure="RR"): yi = log((a/n1)/(c/n2)), vi = 1/a - 1/n1 + 1/c - 1/n2
    y = math.log((a / n1) / (c / n2))
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    z = float(stats.norm.ppf(0.975))
    return math.exp(y), math.exp(y - z * se), math.exp(y + z * se)


# The single-trial pools listed in docs/evidence.md ("Pooled results over the built-in records"):
# with k = 1 the pooled RR is the trial's RR with its Wald interval.
@pytest.mark.parametrize(
    ("condition", "outcome", "recon", "counts", "printed"),
    [
        ("trd", "remission", False, (5, 34, 1, 33), (4.8529, 0.5985, 39.3508)),
        ("trd", "si-remission", False, (14, 42, 3, 42), (4.6667, 1.4465, 15.0556)),
        ("mdd", "response", False, (12, 20, 10, 20), (1.2000, 0.6815, 2.1130)),
        ("mdd", "remission", False, (10, 20, 7, 20), (1.4286, 0.6810, 2.9966)),
        ("mdd-si", "response", True, (19, 35, 9, 31), (1.8698, 0.9971, 3.5065)),
        ("mdd-si", "si-response", True, (22, 40, 12, 40), (1.8333, 1.0576, 3.1781)),
        ("ptsd", "response", True, (10, 15, 3, 15), (3.3333, 1.1393, 9.7522)),
    ],
)
def test_single_trial_pools_in_the_docs_match_hand_arithmetic(
    condition: str,
    outcome: str,
    recon: bool,
    counts: tuple[int, int, int, int],
    printed: tuple[float, float, float],
) -> None:
    d = pool_trials(condition=condition, outcome=outcome, include_reconstructed=recon).to_dict()
    row = d["included"][0]
    assert d["pooled"]["k"] == 1
    assert (row["events_treat"], row["n_treat"], row["events_ctrl"], row["n_ctrl"]) == counts
    est, lo, hi = _wald_rr(*counts)
    got = (d["pooled"]["estimate"], d["pooled"]["ci_low"], d["pooled"]["ci_high"])
    assert got == pytest.approx((est, lo, hi), rel=1e-9)
    assert got == pytest.approx(printed, abs=1e-4)


def test_trd_response_with_hksj_and_as_odds_ratio_match_the_docs() -> None:
    # HKSJ with k = 2: SE^2 = sum w (y - mu)^2 / ((k - 1) sum w), t(1) critical value 12.7062;
    # Q = 0.08475 and sum w = 6.33424 give SE 0.11567 -> RR 3.2240 (0.7414 to 14.0187).
    h = pool_trials(condition="trd", outcome="response", hksj=True).to_dict()["pooled"]
    assert (h["ci_low"], h["ci_high"]) == pytest.approx((0.7414, 14.0187), abs=1e-4)
    # OR: Daly log OR = log((8*31)/(26*2)), v = 1/8 + 1/26 + 1/2 + 1/31;
    #     Su   log OR = log((15*37)/(27*5)), v = 1/15 + 1/27 + 1/5 + 1/37; tau^2 = 0 -> IV mean
    y = [math.log(8 * 31 / (26 * 2)), math.log(15 * 37 / (27 * 5))]
    v = [1 / 8 + 1 / 26 + 1 / 2 + 1 / 31, 1 / 15 + 1 / 27 + 1 / 5 + 1 / 37]
    w = [1 / x for x in v]
    mu = sum(a * b for a, b in zip(w, y, strict=True)) / sum(w)
    o = pool_trials(condition="trd", outcome="response", measure="OR").to_dict()["pooled"]
    assert o["estimate"] == pytest.approx(math.exp(mu), rel=1e-9)
    assert (o["estimate"], o["ci_low"], o["ci_high"]) == pytest.approx(
        (4.3126, 1.7050, 10.9081), abs=1e-4
    )


def test_two_trial_pools_in_the_docs() -> None:
    # MDD response with reconstructions: Hu 2016 12/13 vs 8/14 and Lii 2023 12/20 vs 10/20.
    # Q = 0.6165 < k - 1 so tau^2 = 0 and the pool is the inverse-variance mean (by hand below).
    y = [math.log((12 / 13) / (8 / 14)), math.log((12 / 20) / (10 / 20))]
    v = [1 / 12 - 1 / 13 + 1 / 8 - 1 / 14, 1 / 12 - 1 / 20 + 1 / 10 - 1 / 20]
    w = [1 / x for x in v]
    mu = sum(a * b for a, b in zip(w, y, strict=True)) / sum(w)
    se = sum(w) ** -0.5
    z = float(stats.norm.ppf(0.975))
    d = pool_trials(condition="mdd", outcome="response", include_reconstructed=True).to_dict()
    got = (d["pooled"]["estimate"], d["pooled"]["ci_low"], d["pooled"]["ci_high"])
    assert got == pytest.approx((math.exp(mu), math.exp(mu - z * se), math.exp(mu + z * se)))
    assert got == pytest.approx((1.4264, 0.9892, 2.0569), abs=1e-4)
    # TRD suicidal-ideation remission with Murrough 2013 AJP's rebuilt 19/36 vs 5/21 beside Su
    # 2023's printed 14/42 vs 3/42: REML tau^2 0.0099 (docs table, 4 decimals)
    t = pool_trials(condition="trd", outcome="si-remission", include_reconstructed=True)
    p = t.to_dict()["pooled"]
    assert t.result.k == 2 and t.result.tau2 == pytest.approx(0.0099, abs=1e-4)
    assert (p["estimate"], p["ci_low"], p["ci_high"]) == pytest.approx(
        (2.8502, 1.4296, 5.6826), abs=1e-4
    )
