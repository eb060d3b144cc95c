"""Parameter sets checked against what their sources (or reproductions of them) print.

Only checks that could be made are here; what could not be reached is listed in each data file's
comment and in docs/pharmacokinetics.md ("Verification").
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ketacare.core.pk import Dose, get_model
from ketacare.core.pk.simulate import prepare
from ketacare.core.pk.solver import solve

# Perez-Ruixo 2021 Table 4 (model-based exposure by stratum, intranasal, typical subject), as
# transcribed "verbatim" into nlmixr2lib's vignette
# (https://nlmixr2.github.io/nlmixr2lib/articles/PerezRuixo_2020_esketamine.html, "Published
# Table 4 values transcribed verbatim"): (stratum, dose mg) -> (Cmax ng/mL, AUC0-24 ng*h/mL).
# The paper itself (doi 10.1007/s40262-020-00953-4) could not be read; this is a secondary
# transcription of a primary table, not the table.
PEREZ_RUIXO_TABLE_4 = {
    ("18-60 y, Caucasian", 28): (43.8, 147.3),
    ("18-60 y, Caucasian", 56): (72.5, 254.7),
    ("18-60 y, Caucasian", 84): (101.0, 362.2),
    ("18-60 y, Asian non-Japanese", 28): (44.1, 158.2),
    ("18-60 y, Asian non-Japanese", 56): (73.2, 275.9),
    ("18-60 y, Asian non-Japanese", 84): (102.4, 393.5),
    ("> 60 y, Caucasian", 28): (44.6, 160.4),
    ("> 60 y, Caucasian", 56): (73.8, 275.8),
    ("> 60 y, Caucasian", 84): (102.7, 391.2),
}

# Covariate effects as nlmixr2lib transcribes Table 3 (not simulated by KetaCare): Asian race
# multiplies kel by 0.36; Qh falls by 2.19 L/h per year of age above 60 (stratum "> 60 y" is
# simulated at 70 years, as in the vignette). Given here as factors on the file's parameters.
QH_L_PER_H = 151.0
STRATUM_FACTORS = {
    "18-60 y, Caucasian": {},
    "18-60 y, Asian non-Japanese": {"kel": 0.36},
    "> 60 y, Caucasian": {"qh": (QH_L_PER_H - 2.19 * (70 - 60)) / QH_L_PER_H},
}


@pytest.mark.parametrize(("stratum", "dose_mg"), sorted(PEREZ_RUIXO_TABLE_4))
def test_perez_ruixo_reproduces_table_4_cmax_and_auc(stratum: str, dose_mg: int) -> None:
    # With the file's structural values, the typical subject's Cmax and AUC0-24 must match the
    # paper's Table 4 (via nlmixr2lib's transcription, above). The strata test kel (Asian) and Qh
    # (age) separately. Measured agreement on 2026-11-30: within 0.5% for all nine rows; with
    # Qh = 161 L/h instead of 151 every AUC falls 3.5-4% short. Tolerance 1.5%.
    model = get_model("perez-ruixo2021")
    factors = {k: np.array([v]) for k, v in STRATUM_FACTORS[stratum].items()}
    plan = prepare(model, [Dose("in", float(dose_mg))], np.array([70.0]), factors)
    times = np.arange(0.0, 24 * 60.0 + 0.25, 0.5)
    conc = solve(plan.a, plan.inputs, times, plan.central)[0] / plan.central_volume_l[0] * 1000
    cmax, auc = PEREZ_RUIXO_TABLE_4[(stratum, dose_mg)]
    assert conc.max() == pytest.approx(cmax, rel=0.015)
    assert np.trapezoid(conc, times) / 60.0 == pytest.approx(auc, rel=0.015)


def _hepatic(model_id: str) -> tuple[float, float, float]:
    """Qh (L/h), intrinsic clearance Vh * (kel + kmet) (L/h) and Fgut of the hepato-portal set."""
    model = get_model(model_id)
    assert model.nasal is not None
    a, vols = model.build(np.array([70.0]))
    liver = model.index("liver")
    central = model.index(model.central)
    qh = a[0, central, liver] * vols[0, liver] * 60.0
    clint = -(a[0, :, liver].sum()) * vols[0, liver] * 60.0
    return qh, clint, model.nasal.fgut


def test_perez_ruixo_abstract_clearance_and_swallowed_fraction_both_imply_qh_161() -> None:
    # Perez-Ruixo 2021 abstract: "18.6% of the swallowed dose reaches the systemic circulation";
    # "Esketamine volume at steady state and clearance were 752 L and 114 L/h". In the
    # well-stirred hepato-portal model CL = Qh * CLint / (Qh + CLint) and the swallowed fraction
    # is Fgut * Qh / (Qh + CLint). With the file's Qh 151 L/h they give 109 L/h and 17.8%.
    # Solving the abstract's two numbers for Qh and CLint gives Qh = CL / (1 - F/Fgut) = 161 L/h
    # and CLint = CL * Fgut / F = 392 L/h, the file's own CLint (101 L * 3.88 /h). So both
    # abstract numbers follow from Qh = 161 L/h, while Table 4 (test above) follows from 151:
    # a discrepancy inside the paper, kept at 151 until Table 3 itself can be read.
    qh, clint, fgut = _hepatic("perez-ruixo2021")
    assert qh * clint / (qh + clint) == pytest.approx(109.0, abs=0.5)
    assert fgut * qh / (qh + clint) == pytest.approx(0.178, abs=0.0005)
    implied_qh = 114.0 / (1.0 - 0.186 / fgut)
    implied_clint = 114.0 * fgut / 0.186
    assert implied_qh == pytest.approx(161.0, abs=1.0)
    assert implied_clint == pytest.approx(clint, rel=0.01)


def test_hijazi_terminal_half_life_and_v_beta_match_the_abstract() -> None:
    # Hijazi 2003 abstract (Br J Anaesth 90:155): "The total clearance of ketamine, mean (SD), was
    # 36.0 (13.3) ml min-1 kg-1, the volume of distribution (V[beta]) was 16.0 (8.6) litre kg-1,
    # and the elimination half-life was 4.9 (1.6) h." The constants give 4.95 h and 15.4 L/kg
    # (CL / beta). The abstract reports means of individual values, so tolerances are 2% on the
    # half-life and 5% on V-beta. This checks CL, beta and V-beta only, not V1 and k12/k21 apart.
    model = get_model("hijazi2003")
    a, vols = model.build(np.array([70.0]))
    beta = float(np.min(-np.linalg.eigvals(a[0]).real))
    cl = -(a[0, 0, 0] + a[0, 1, 0]) * vols[0, 0]
    assert math.log(2.0) / beta / 60.0 == pytest.approx(4.9, rel=0.02)
    assert cl / beta / 70.0 == pytest.approx(16.0, rel=0.05)


def test_fanta_design_matches_otto_2021_table_2() -> None:
    # Otto 2021 (Eur J Clin Pharmacol 77:1181) Table 2, column "Fanta et al. [27]": "(S)-ketamine",
    # "Bolus: 0.125 mg/kg Oral: 0.25 mg/kg", sampling methodology "Venous", population "Healthy
    # volunteers", N (male) "11 (11)" (rd.springer.com/article/10.1007/s00228-021-03104-1/tables/2).
    model = get_model("fanta2015")
    assert model.drug == "esketamine"
    assert model.sampling == "venous"
    assert model.population == "11 healthy men"
    assert set(model.routes) == {"iv", "po"}
