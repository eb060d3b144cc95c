"""Pooling of study effects: fixed effect, Mantel-Haenszel and random effects.

Every estimator follows the conventions of metafor (Viechtbauer 2010, J Stat Softw 36(3), doi
10.18637/jss.v036.i03), which also match current Cochrane RevMan (REML, Q-profile CI for tau²,
HKSJ intervals, prediction intervals, I² from tau²):

* FE: inverse-variance weights 1/vi.
* MH: Mantel-Haenszel for RR and OR (variances of Greenland & Robins 1985 and Robins, Breslow &
  Greenland 1986) and RD (variance of Sato, Greenland & Robins 1989), no continuity correction;
  Cochran's Q around the MH estimate with inverse-variance weights.
* DL: DerSimonian & Laird (1986) moment estimator, truncated at 0.
* REML: Fisher scoring on the restricted likelihood, started from DL, truncated at 0;
  SE(tau²) = √(2 / tr(PP)).
* PM: Paule & Mandel (1982): the tau² at which the generalised Q equals k − 1 (0 if Q(0) < k − 1).
* HKSJ (Hartung & Knapp 2001; Sidik & Jonkman 2002): SE² = Σw(y − μ)² / ((k − 1)Σw), t(k − 1);
  no ad hoc truncation (metafor ``test="knha"``).
* Q-profile CI for tau² (Viechtbauer 2007, Stat Med 26:37); I² and H² intervals follow from it.
* I² = 100 τ²/(τ² + s²), H² = (τ² + s²)/s², with s² = (k − 1)Σw/((Σw)² − Σw²) (Higgins &
  Thompson 2002). For FE and MH, I² = max(0, (Q − df)/Q) and H² = Q/df.
* Prediction interval: μ ± crit·√(SE² + τ²), crit = t(k − 1) with HKSJ, else z (metafor).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, stats

from ketacare.core.errors import InputError
from ketacare.core.evidence.effects import (
    RATIO_MEASURES,
    BinaryRow,
    ContinuousRow,
    Effect,
    binary_effects,
    check_measure,
    continuous_effects,
)

METHODS = ("FE", "MH", "DL", "REML", "PM")
RE_METHODS = ("DL", "REML", "PM")
_TOL = 1e-10
_MAXITER = 1000


@dataclass(frozen=True)
class PoolResult:
    """A pooled estimate. Values are on the analysis scale (log for RR and OR); ``to_dict``
    reports them back-transformed to the ratio scale as well."""

    measure: str
    method: str
    hksj: bool
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    stat: float
    p: float
    df: int | None
    tau2: float
    tau2_se: float | None
    tau2_ci: tuple[float, float] | None
    i2: float
    i2_ci: tuple[float, float] | None
    h2: float
    q: float
    q_df: int
    q_p: float | None
    pi_low: float
    pi_high: float
    studies: tuple[str, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    weights: tuple[float, ...]
    level: float = 0.95
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def is_ratio(self) -> bool:
        return self.measure in RATIO_MEASURES

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    def reported(self, value: float) -> float:
        """A value on the reporting scale (exp for RR and OR)."""
        return math.exp(value) if self.is_ratio else value

    def to_dict(self) -> dict[str, Any]:
        r = self.reported
        total = sum(self.weights)
        return {
            "measure": self.measure,
            "method": self.method,
            "hksj": self.hksj,
            "scale": "ratio" if self.is_ratio else "difference",
            "k": self.k,
            "estimate": r(self.estimate),
            "ci_low": r(self.ci_low),
            "ci_high": r(self.ci_high),
            "pi_low": r(self.pi_low),
            "pi_high": r(self.pi_high),
            "log_scale": (
                {
                    "estimate": self.estimate,
                    "se": self.se,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "pi_low": self.pi_low,
                    "pi_high": self.pi_high,
                }
                if self.is_ratio
                else None
            ),
            "se": self.se,
            "test": {"statistic": self.stat, "distribution": "t" if self.df else "z"},
            "p": self.p,
            "df": self.df,
            "tau2": self.tau2,
            "tau": self.tau,
            "tau2_se": self.tau2_se,
            "tau2_ci": list(self.tau2_ci) if self.tau2_ci else None,
            "i2": self.i2,
            "i2_ci": list(self.i2_ci) if self.i2_ci else None,
            "h2": self.h2,
            "q": self.q,
            "q_df": self.q_df,
            "q_p": self.q_p,
            "level": self.level,
            "studies": [
                {
                    "study": s,
                    "yi": y,
                    "vi": v,
                    "estimate": r(y),
                    "ci_low": r(y - _z(self.level) * math.sqrt(v)),
                    "ci_high": r(y + _z(self.level) * math.sqrt(v)),
                    "weight_percent": 100 * w / total if total > 0 else None,
                }
                for s, y, v, w in zip(self.studies, self.yi, self.vi, self.weights, strict=True)
            ],
            "dropped": list(self.dropped),
            "notes": list(self.notes),
        }


def _z(level: float) -> float:
    return float(stats.norm.ppf(1 - (1 - level) / 2))


def check_method(method: str) -> str:
    m = method.upper() if isinstance(method, str) else method
    if m not in METHODS:
        raise InputError("method", method, "one of " + ", ".join(METHODS))
    return str(m)


def _check_level(level: float) -> None:
    if not isinstance(level, float) or not 0.5 <= level < 1:
        raise InputError("level", level, "a confidence level between 0.5 and 1, e.g. 0.95")


def _arrays(yi: Sequence[float], vi: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if y.shape != v.shape or y.ndim != 1:
        raise InputError("vi", len(vi), f"one variance per effect ({len(yi)})")
    if y.size == 0:
        raise InputError("studies", 0, "at least one study with an estimable effect")
    if not np.all(np.isfinite(y)):
        raise InputError("yi", list(yi), "finite numbers")
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise InputError("vi", list(vi), "sampling variances above 0")
    return y, v


def _q_gen(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """Generalised Q statistic at a given tau²."""
    w = 1.0 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    return float(np.sum(w * (y - mu) ** 2))


def tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    w = 1.0 / v
    k = y.size
    q = _q_gen(y, v, 0.0)
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - (k - 1)) / c) if c > 0 else 0.0


def tau2_reml(y: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """REML tau² by Fisher scoring (intercept-only model), and its standard error."""
    tau2 = tau2_dl(y, v)
    for _ in range(_MAXITER):
        w = 1.0 / (v + tau2)
        sw = float(np.sum(w))
        sw2 = float(np.sum(w**2))
        mu = float(np.sum(w * y) / sw)
        py = w * (y - mu)
        tr_p = sw - sw2 / sw
        tr_pp = sw2 - 2 * float(np.sum(w**3)) / sw + sw2**2 / sw**2
        step = (float(np.sum(py**2)) - tr_p) / tr_pp
        new = max(0.0, tau2 + step)
        if abs(new - tau2) < _TOL * max(1.0, tau2):
            tau2 = new
            break
        tau2 = new
    w = 1.0 / (v + tau2)
    sw = float(np.sum(w))
    sw2 = float(np.sum(w**2))
    tr_pp = sw2 - 2 * float(np.sum(w**3)) / sw + sw2**2 / sw**2
    return tau2, math.sqrt(2.0 / tr_pp)


def _root_q(y: np.ndarray, v: np.ndarray, target: float) -> float:
    """The tau² >= 0 at which the generalised Q equals ``target`` (Q decreases in tau²)."""
    if _q_gen(y, v, 0.0) <= target:
        return 0.0
    hi = max(1.0, float(np.var(y)) * 10)
    while _q_gen(y, v, hi) > target:
        hi *= 10
        if hi > 1e12:
            return math.inf
    return float(optimize.brentq(lambda t: _q_gen(y, v, t) - target, 0.0, hi, xtol=1e-13))


def tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    return _root_q(y, v, y.size - 1)


def tau2_qprofile_ci(y: np.ndarray, v: np.ndarray, level: float) -> tuple[float, float]:
    """Q-profile confidence interval for tau² (Viechtbauer 2007)."""
    df = y.size - 1
    alpha = 1 - level
    lower = _root_q(y, v, float(stats.chi2.ppf(1 - alpha / 2, df)))
    upper = _root_q(y, v, float(stats.chi2.ppf(alpha / 2, df)))
    return lower, upper


def _typical_variance(v: np.ndarray) -> float:
    w = 1.0 / v
    k = v.size
    return float((k - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2)))


def pool_effects(
    effects: Sequence[Effect],
    *,
    method: str = "REML",
    hksj: bool = False,
    level: float = 0.95,
    measure: str | None = None,
    dropped: Sequence[str] = (),
) -> PoolResult:
    """Pool precomputed effects (inverse variance: FE, DL, REML or PM)."""
    if not effects:
        raise InputError("studies", 0, "at least one study with an estimable effect")
    m = measure or effects[0].measure
    return pool_yi_vi(
        [e.yi for e in effects],
        [e.vi for e in effects],
        studies=[e.study for e in effects],
        method=method,
        hksj=hksj,
        level=level,
        measure=m,
        dropped=dropped,
        notes=tuple(f"{e.study}: {e.note}" for e in effects if e.note),
    )


def pool_yi_vi(
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    studies: Sequence[str] | None = None,
    method: str = "REML",
    hksj: bool = False,
    level: float = 0.95,
    measure: str = "GEN",
    dropped: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> PoolResult:
    """Inverse-variance pooling of effects ``yi`` with sampling variances ``vi``."""
    method = check_method(method)
    if method == "MH":
        raise InputError(
            "method", method, "FE, DL, REML or PM for precomputed effects (MH needs counts)"
        )
    measure = check_measure(measure)
    _check_level(level)
    y, v = _arrays(yi, vi)
    k = y.size
    labels = tuple(studies) if studies is not None else tuple(f"study {i + 1}" for i in range(k))
    if len(labels) != k:
        raise InputError("studies", len(labels), f"one label per effect ({k})")
    note_list = list(notes)

    q = _q_gen(y, v, 0.0)
    q_df = k - 1
    q_p = float(stats.chi2.sf(q, q_df)) if q_df > 0 else None

    tau2 = 0.0
    tau2_se: float | None = None
    if k > 1 and method == "DL":
        tau2 = tau2_dl(y, v)
    elif k > 1 and method == "REML":
        tau2, tau2_se = tau2_reml(y, v)
    elif k > 1 and method == "PM":
        tau2 = tau2_pm(y, v)

    w = 1.0 / (v + tau2)
    sw = float(np.sum(w))
    mu = float(np.sum(w * y) / sw) if k > 1 else float(y[0])
    se = math.sqrt(1.0 / sw)
    use_t = hksj and k > 1
    if hksj and k == 1:
        note_list.append("HKSJ needs at least 2 studies: a normal-based interval is shown")
    if use_t:
        se = math.sqrt(float(np.sum(w * (y - mu) ** 2)) / ((k - 1) * sw))
        crit = float(stats.t.ppf(1 - (1 - level) / 2, k - 1))
        df: int | None = k - 1
    else:
        crit = _z(level)
        df = None
    if se > 0:
        stat = mu / se
        p = float(2 * (stats.t.sf(abs(stat), k - 1) if use_t else stats.norm.sf(abs(stat))))
    else:  # HKSJ with identical effects: SE 0
        stat, p = math.copysign(math.inf, mu) if mu else 0.0, 0.0 if mu else 1.0
    ci = (mu - crit * se, mu + crit * se)
    pi_half = crit * math.sqrt(se**2 + tau2)
    pi = (mu - pi_half, mu + pi_half)

    tau2_ci: tuple[float, float] | None = None
    i2_ci: tuple[float, float] | None = None
    if k > 1:
        s2 = _typical_variance(v)
        if method == "FE":
            i2 = max(0.0, 100 * (q - q_df) / q) if q > 0 else 0.0
            h2 = q / q_df
        else:
            i2 = 100 * tau2 / (tau2 + s2)
            h2 = (tau2 + s2) / s2
            tau2_ci = tau2_qprofile_ci(y, v, level)
            i2_ci = (
                100 * tau2_ci[0] / (tau2_ci[0] + s2),
                100 * tau2_ci[1] / (tau2_ci[1] + s2) if math.isfinite(tau2_ci[1]) else 100.0,
            )
    else:
        i2, h2 = 0.0, 1.0
    return PoolResult(
        measure=measure,
        method=method,
        hksj=use_t,
        k=k,
        estimate=mu,
        se=se,
        ci_low=ci[0],
        ci_high=ci[1],
        stat=stat,
        p=p,
        df=df,
        tau2=tau2,
        tau2_se=tau2_se,
        tau2_ci=tau2_ci,
        i2=i2,
        i2_ci=i2_ci,
        h2=h2,
        q=q,
        q_df=q_df,
        q_p=q_p,
        pi_low=pi[0],
        pi_high=pi[1],
        studies=labels,
        yi=tuple(float(x) for x in y),
        vi=tuple(float(x) for x in v),
        weights=tuple(float(x) for x in w),
        level=level,
        dropped=tuple(dropped),
        notes=tuple(note_list),
    )


def _mantel_haenszel(rows: Sequence[BinaryRow], measure: str) -> tuple[float, float]:
    """MH estimate (log scale for RR/OR) and its variance."""
    a = np.array([r.events_treat for r in rows], dtype=float)
    n1 = np.array([r.n_treat for r in rows], dtype=float)
    c = np.array([r.events_ctrl for r in rows], dtype=float)
    n2 = np.array([r.n_ctrl for r in rows], dtype=float)
    b = n1 - a
    d = n2 - c
    n = n1 + n2
    if measure == "RR":
        r_i = a * n2 / n
        s_i = c * n1 / n
        rs, ss = float(np.sum(r_i)), float(np.sum(s_i))
        if rs == 0 or ss == 0:
            raise InputError("events", 0, "events in both arms of at least one study for MH")
        var = float(np.sum((n1 * n2 * (a + c) - a * c * n) / n**2)) / (rs * ss)
        return math.log(rs / ss), var
    if measure == "OR":
        r_i = a * d / n
        s_i = b * c / n
        rs, ss = float(np.sum(r_i)), float(np.sum(s_i))
        if rs == 0 or ss == 0:
            raise InputError("events", 0, "a non-zero MH odds ratio numerator and denominator")
        p_i = (a + d) / n
        q_i = (b + c) / n
        var = (
            float(np.sum(p_i * r_i)) / (2 * rs**2)
            + float(np.sum(p_i * s_i + q_i * r_i)) / (2 * rs * ss)
            + float(np.sum(q_i * s_i)) / (2 * ss**2)
        )
        return math.log(rs / ss), var
    wsum = float(np.sum(n1 * n2 / n))
    est = float(np.sum((a * n2 - c * n1) / n)) / wsum
    p_term = float(np.sum((n1**2 * c - n2**2 * a + n1 * n2 * (n2 - n1) / 2) / n**2))
    q_term = float(np.sum((a * (n2 - c) + c * (n1 - a)) / (2 * n)))
    var = (est * p_term + q_term) / wsum**2
    return est, var


def pool_binary(
    rows: Sequence[BinaryRow],
    measure: str = "RR",
    *,
    method: str = "REML",
    hksj: bool = False,
    level: float = 0.95,
) -> PoolResult:
    """Pool 2x2 tables: inverse variance (FE/DL/REML/PM) or Mantel-Haenszel (MH)."""
    measure = check_measure(measure)
    method = check_method(method)
    effects, dropped = binary_effects(rows, measure)
    if method != "MH":
        return pool_effects(
            effects, method=method, hksj=hksj, level=level, measure=measure, dropped=dropped
        )
    if hksj:
        raise InputError("hksj", True, "HKSJ applies to random-effects methods (DL, REML, PM)")
    _check_level(level)
    keep = [r for r in rows if r.study not in set(dropped)]
    est, var = _mantel_haenszel(keep, measure)
    iv = pool_effects(effects, method="FE", level=level, measure=measure, dropped=dropped)
    y = np.array(iv.yi)
    v = np.array(iv.vi)
    q = float(np.sum((y - est) ** 2 / v))
    q_df = len(effects) - 1
    se = math.sqrt(var)
    crit = _z(level)
    stat = est / se
    i2 = max(0.0, 100 * (q - q_df) / q) if q_df > 0 and q > 0 else 0.0
    return PoolResult(
        measure=measure,
        method="MH",
        hksj=False,
        k=len(keep),
        estimate=est,
        se=se,
        ci_low=est - crit * se,
        ci_high=est + crit * se,
        stat=stat,
        p=float(2 * stats.norm.sf(abs(stat))),
        df=None,
        tau2=0.0,
        tau2_se=None,
        tau2_ci=None,
        i2=i2,
        i2_ci=None,
        h2=q / q_df if q_df > 0 else 1.0,
        q=q,
        q_df=q_df,
        q_p=float(stats.chi2.sf(q, q_df)) if q_df > 0 else None,
        pi_low=est - crit * se,
        pi_high=est + crit * se,
        studies=iv.studies,
        yi=iv.yi,
        vi=iv.vi,
        weights=iv.weights,
        level=level,
        dropped=tuple(dropped),
        notes=iv.notes,
    )


def pool_continuous(
    rows: Sequence[ContinuousRow],
    measure: str = "SMD",
    *,
    method: str = "REML",
    hksj: bool = False,
    level: float = 0.95,
) -> PoolResult:
    measure = check_measure(measure)
    return pool_effects(
        continuous_effects(rows, measure), method=method, hksj=hksj, level=level, measure=measure
    )


# --- subgroups, sensitivity, small-study effects ------------------------------------------


@dataclass(frozen=True)
class SubgroupResult:
    """Pooled estimate per subgroup and the test for subgroup differences.

    The test is Cochran's Q between the subgroup estimates, each weighted by 1/SE² of its own
    pooled result (separate tau² per subgroup), on G − 1 df: the test RevMan reports and the
    approach of Borenstein et al. (Introduction to Meta-Analysis, 2009, ch. 19).
    """

    groups: dict[str, PoolResult]
    q_between: float
    df: int
    p: float
    method: str
    measure: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "method": self.method,
            "groups": {g: r.to_dict() for g, r in self.groups.items()},
            "test_for_subgroup_differences": {"q": self.q_between, "df": self.df, "p": self.p},
            "notes": list(self.notes),
        }


def subgroup_analysis(
    effects: Sequence[Effect],
    groups: Sequence[str],
    *,
    method: str = "REML",
    hksj: bool = False,
    level: float = 0.95,
) -> SubgroupResult:
    if len(groups) != len(effects):
        raise InputError("groups", len(groups), f"one group label per effect ({len(effects)})")
    names = list(dict.fromkeys(groups))
    if len(names) < 2:
        raise InputError("groups", names, "at least two different subgroups")
    results = {
        g: pool_effects(
            [e for e, gg in zip(effects, groups, strict=True) if gg == g],
            method=method,
            hksj=hksj,
            level=level,
        )
        for g in names
    }
    est = np.array([r.estimate for r in results.values()])
    wts = np.array([1 / r.se**2 for r in results.values()])
    mean = float(np.sum(wts * est) / np.sum(wts))
    q_b = float(np.sum(wts * (est - mean) ** 2))
    df = len(names) - 1
    measure = effects[0].measure
    return SubgroupResult(
        groups=results,
        q_between=q_b,
        df=df,
        p=float(stats.chi2.sf(q_b, df)),
        method=check_method(method),
        measure=measure,
    )


def leave_one_out(
    effects: Sequence[Effect], *, method: str = "REML", hksj: bool = False, level: float = 0.95
) -> list[tuple[str, PoolResult]]:
    """The pooled result with each study left out in turn (needs at least 2 studies)."""
    if len(effects) < 2:
        raise InputError("studies", len(effects), "at least 2 studies for leave-one-out")
    return [
        (
            e.study,
            pool_effects(
                [f for j, f in enumerate(effects) if j != i], method=method, hksj=hksj, level=level
            ),
        )
        for i, e in enumerate(effects)
    ]


#: where the test comes from, shown wherever its result is
EGGER_SOURCE = (
    "Egger M, Davey Smith G, Schneider M, Minder C. BMJ 1997;315:629; meta-regression form as "
    "metafor regtest() (Viechtbauer 2010, J Stat Softw 36(3))"
)
#: below this many studies the test is underpowered (Sterne et al. 2011, BMJ 343:d4002;
#: Cochrane Handbook, chapter 13: "only when there are at least 10 studies")
EGGER_ADVISED_K = 10


@dataclass(frozen=True)
class EggerResult:
    """Egger's regression test for funnel-plot asymmetry (predictor: standard error).

    ``slope`` (with ``slope_ci``, ``statistic`` and ``p``) is the asymmetry term: the coefficient
    of the SE, which is the intercept ("bias") of Egger's original regression of y/SE on 1/SE.
    ``limit_estimate`` is the intercept here: the effect expected as SE -> 0.

    ``model="rma"``: meta-regression of yi on sei with the pooling's tau² estimator (metafor
    ``regtest()`` default); ``model="lm"``: weighted regression with multiplicative dispersion
    (Egger et al. 1997, BMJ 315:629).
    """

    model: str
    method: str
    statistic: float
    df: int | None
    p: float
    slope: float
    slope_ci: tuple[float, float]
    limit_estimate: float
    limit_ci: tuple[float, float]
    k: int

    @property
    def source(self) -> str:
        return EGGER_SOURCE

    @property
    def caveat(self) -> str:
        """The warning to print beside the result when k < 10 (empty otherwise)."""
        if self.k >= EGGER_ADVISED_K:
            return ""
        return (
            f"Only {self.k} studies: with fewer than {EGGER_ADVISED_K} the test has too little "
            "power to tell chance from real funnel-plot asymmetry, so a non-significant result "
            "does not rule out small-study effects (Sterne et al. 2011, BMJ 343:d4002; "
            f"Cochrane Handbook, chapter 13, advises the test only with {EGGER_ADVISED_K} or "
            "more studies)."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "method": self.method,
            "statistic": self.statistic,
            "df": self.df,
            "p": self.p,
            "slope_on_se": self.slope,
            "slope_ci": list(self.slope_ci),
            "limit_estimate": self.limit_estimate,
            "limit_ci": list(self.limit_ci),
            "k": self.k,
            "source": self.source,
            "caveat": self.caveat,
        }


def _metareg(
    y: np.ndarray, v: np.ndarray, x: np.ndarray, method: str
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Weighted meta-regression: coefficients, their vcov (model-based), tau², weights."""
    k, p = x.shape

    def fit(tau2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        w = 1.0 / (v + tau2)
        xtw = x.T * w
        inv = np.linalg.inv(xtw @ x)
        beta = inv @ (xtw @ y)
        pmat = np.diag(w) - (w[:, None] * x) @ inv @ xtw
        return beta, inv, w, pmat

    tau2 = 0.0
    if method in RE_METHODS:
        _, inv0, w0, p0 = fit(0.0)
        qe0 = float(y @ p0 @ y)
        trace = float(np.sum(w0) - np.trace(inv0 @ ((x.T * w0**2) @ x)))
        tau2 = max(0.0, (qe0 - (k - p)) / trace)
        if method == "REML":
            for _ in range(_MAXITER):
                _, _, _, pm = fit(tau2)
                py = pm @ y
                pp = pm @ pm
                step = (float(py @ py) - float(np.trace(pm))) / float(np.trace(pp))
                new = max(0.0, tau2 + step)
                if abs(new - tau2) < _TOL * max(1.0, tau2):
                    tau2 = new
                    break
                tau2 = new
        elif method == "PM":

            def qe(t: float) -> float:
                return float(y @ fit(t)[3] @ y) - float(k - p)

            if qe(0.0) > 0:
                hi = 1.0
                while qe(hi) > 0:
                    hi *= 10
                tau2 = float(optimize.brentq(qe, 0.0, hi, xtol=1e-13))
            else:
                tau2 = 0.0
    beta, inv, w, _ = fit(tau2)
    return beta, inv, tau2, w


def egger_test(
    effects: Sequence[Effect],
    *,
    model: str = "rma",
    method: str = "REML",
    hksj: bool = False,
    level: float = 0.95,
) -> EggerResult:
    """Egger's regression test. Needs at least 3 studies (Cochrane suggests 10 or more)."""
    method = check_method(method)
    if model not in ("rma", "lm"):
        raise InputError("model", model, "'rma' (meta-regression) or 'lm' (Egger 1997)")
    k = len(effects)
    if k < 3:
        raise InputError("studies", k, "at least 3 studies for Egger's test")
    y = np.array([e.yi for e in effects])
    v = np.array([e.vi for e in effects])
    x = np.column_stack([np.ones(k), np.sqrt(v)])
    if model == "lm":
        beta, inv, _, w = _metareg(y, v, x, "FE")
        resid = y - x @ beta
        sigma2 = float(np.sum(w * resid**2)) / (k - 2)
        vcov = inv * sigma2
        df: int | None = k - 2
        used = "FE"
    else:
        used = "FE" if method == "MH" else method
        beta, inv, _tau2, w = _metareg(y, v, x, used)
        vcov = inv
        df = None
        if hksj:
            resid = y - x @ beta
            vcov = inv * float(np.sum(w * resid**2)) / (k - 2)
            df = k - 2
    se = np.sqrt(np.diag(vcov))
    stat = float(beta[1] / se[1])
    if df is not None:
        p = float(2 * stats.t.sf(abs(stat), df))
        crit = float(stats.t.ppf(1 - (1 - level) / 2, df))
    else:
        p = float(2 * stats.norm.sf(abs(stat)))
        crit = _z(level)
    b0 = float(beta[0])
    return EggerResult(
        model=model,
        method=used,
        statistic=stat,
        df=df,
        p=p,
        slope=float(beta[1]),
        slope_ci=(float(beta[1]) - crit * float(se[1]), float(beta[1]) + crit * float(se[1])),
        limit_estimate=b0,
        limit_ci=(b0 - crit * float(se[0]), b0 + crit * float(se[0])),
        k=k,
    )
