"""Predictions checked against published measurements and the sources' own summary numbers."""

from __future__ import annotations

import numpy as np
import pytest

from ketacare.core.pk import Dose, curve, get_model, simulate
from ketacare.core.pk.solver import Input, solve


@pytest.mark.parametrize("model_id", ["domino1982", "hijazi2003", "clements1981", "kamp2020"])
def test_half_mg_per_kg_over_40_min_ends_in_the_measured_range(model_id: str) -> None:
    # "0.5 mg/kg over 40 min: about 185 ng/mL at the end of the infusion (Zarate 2006) and
    # 100-250 ng/mL (Krystal 1994)", via Zanos 2018 Pharmacol Rev Table 1 (secondary source).
    # Tolerance: the whole measured range. Kamp 2020 is arterial (higher early): allowed 10% above.
    result = simulate(model_id, [Dose("iv", 0.5 * 70, 0.0, 40.0)], [40.0], 70.0)
    upper = 250.0 * (1.1 if get_model(model_id).sampling == "arterial" else 1.0)
    assert 100.0 <= result.plasma_ng_per_ml[0] <= upper


def test_domino_end_of_infusion_is_near_the_zarate_mean() -> None:
    # Zarate 2006: mean about 185 ng/mL at the end of 0.5 mg/kg over 40 min. Tolerance +/-35%
    # (the typical prediction of one model against a small-study mean).
    c = simulate("domino1982", [Dose("iv", 35.0, 0.0, 40.0)], [40.0], 70.0).plasma_ng_per_ml[0]
    assert c == pytest.approx(185.0, rel=0.35)


@pytest.mark.parametrize("dose_mg", [56.0, 84.0])
def test_esketamine_peaks_20_to_40_min_after_the_last_device(dose_mg: float) -> None:
    # Spravato US label, as quoted by the manufacturer's medical information (J&J Medical
    # Connect, "Measurement of Plasma Levels of SPRAVATO", updated 2024-12-27): "The time to reach
    # maximum ESK plasma concentration is 20 to 40 minutes after the last nasal spray of a
    # treatment session." (The label's section 12.3 itself could not be read.) Tolerance: the
    # window. Devices 5 min apart, so the last device is at 5 (56 mg) or 10 min (84 mg).
    c = curve("perez-ruixo2021", route="in", dose_mg=dose_mg, weight_kg=70.0, step_min=0.5)
    last_device = (dose_mg / 28.0 - 1.0) * 5.0
    assert 20.0 <= c["peak_min"] - last_device <= 40.0


@pytest.mark.parametrize(("dose_mg", "paper_f"), [(56.0, 0.54), (84.0, 0.51)])
def test_esketamine_bioavailability_matches_the_paper_and_is_near_the_label(
    dose_mg: float, paper_f: float
) -> None:
    # Perez-Ruixo 2021 abstract: "absolute bioavailability of 56 and 84 mg ... 54 and 51%";
    # manufacturer's medical information quoting the label (as above): "Following nasal spray
    # administration, the mean absolute bioavailability of ESK is 48%." AUC(IN)/AUC(IV) over 5
    # days; tolerance 0.01 on the paper's value and 0.08 on the label's.
    times = np.arange(0.0, 5 * 24 * 60.0, 1.0)
    nasal = simulate("perez-ruixo2021", [Dose("in", dose_mg)], times, 70.0).plasma_ng_per_ml
    iv = simulate("perez-ruixo2021", [Dose("iv", dose_mg, 0.0, 1.0)], times, 70.0)
    f = np.trapezoid(nasal, times) / np.trapezoid(iv.plasma_ng_per_ml, times)
    assert f == pytest.approx(paper_f, abs=0.01)
    assert f == pytest.approx(0.48, abs=0.08)


def test_perez_ruixo_systemic_clearance_is_near_the_paper() -> None:
    # Perez-Ruixo 2021 abstract: "clearance ... 114 L/h". With a hepato-portal compartment,
    # CL = dose / AUC after IV. Tolerance 5% (the reference notes Qh * E = 109 L/h).
    times = np.arange(0.0, 10 * 24 * 60.0, 1.0)
    iv = simulate("perez-ruixo2021", [Dose("iv", 28.0, 0.0, 40.0)], times, 70.0)
    auc_mg_min_per_l = np.trapezoid(iv.plasma_ng_per_ml, times) / 1000.0
    cl_l_per_h = 28.0 / auc_mg_min_per_l * 60.0
    assert cl_l_per_h == pytest.approx(114.0, rel=0.05)


def test_perez_ruixo_distribution_volumes_add_up_to_the_abstract_vss() -> None:
    # Perez-Ruixo 2021 abstract: "Esketamine volume at steady state and clearance were 752 L and
    # 114 L/h". The transcribed central and two peripheral volumes (192 + 143 + 417 L) must add
    # up to it (the hepato-portal volume is not counted); tolerance 1 L.
    model = get_model("perez-ruixo2021")
    _, vols = model.build(np.array([70.0]))
    names = [c.name for c in model.compartments]
    total = sum(vols[0, names.index(n)] for n in ("central", "peripheral1", "peripheral2"))
    assert total == pytest.approx(752.0, abs=1.0)


def test_perez_ruixo_swallowed_fraction_reaching_the_circulation_is_near_the_abstract() -> None:
    # Perez-Ruixo 2021 abstract: "the remaining 46% is swallowed and undergoes intestinal and
    # first-pass metabolism and 18.6% of the swallowed dose reaches the systemic circulation".
    # Model: Fgut times the fraction escaping the hepato-portal compartment (AUC after a gut
    # dose over AUC after an IV bolus). The transcribed values give 17.8%: tolerance 5% relative
    # (the paper's Table 3 could not be checked; the abstract's 18.6% and 114 L/h both follow
    # from Qh 161 instead of 151 L/h, while Table 4 follows from 151: see test_sources.py).
    model = get_model("perez-ruixo2021")
    assert model.nasal is not None
    a, _ = model.build(np.array([70.0]))
    times = np.arange(0.0, 10 * 24 * 60.0, 1.0)
    central = model.index(model.central)
    gut = model.index(model.nasal.gut_depot)
    oral = solve(a, [Input(gut, np.ones(1), 0.0)], times, central)[0]
    iv = solve(a, [Input(central, np.ones(1), 0.0)], times, central)[0]
    fraction = model.nasal.fgut * np.trapezoid(oral, times) / np.trapezoid(iv, times)
    assert fraction == pytest.approx(0.186, rel=0.05)


def test_hijazi_clearance_matches_the_abstract() -> None:
    # Hijazi 2003 abstract: "CL 36 mL/min/kg" = k10 * V1.
    model = get_model("hijazi2003")
    a, vols = model.build(np.array([70.0]))
    k10_per_min = -a[0, 0, 0] - a[0, 1, 0]
    assert k10_per_min * vols[0, 0] * 1000 / 70 == pytest.approx(36.0, rel=0.01)


def test_kamp_clearance_is_inside_the_meta_analysis_interval() -> None:
    # Kamp 2020 abstract: "Weighted mean clearance was 79 l/h (at 70 kg; 95% CI, 69 to 90 l/h)".
    model = get_model("kamp2020")
    a, vols = model.build(np.array([70.0]))
    k10 = -(a[0, 0, 0] + a[0, 1, 0] + a[0, 2, 0])
    assert 69.0 <= k10 * vols[0, 0] * 60.0 <= 90.0


def test_fanta_clearance_matches_the_abstract() -> None:
    # Fanta 2015 abstract: "CL 95 L/h/70 kg"; tolerance 1%.
    model = get_model("fanta2015")
    a, vols = model.build(np.array([70.0]))
    k10 = -a[0, :, 0].sum()
    assert k10 * vols[0, 0] * 60.0 == pytest.approx(95.0, rel=0.01)


@pytest.mark.parametrize(
    ("route", "low", "high"),
    [
        ("im", 5.0, 20.0),  # Clements 1982 (secondary source): "peak about 5-20 min"
        ("in", 14.0, 23.0),  # Pharmacotherapy 2022;42:298 Table 6: "Tmax 14-23 min"
        ("sl", 15.0, 60.0),  # Rolan 2014: "Tmax 0.75 h (0.25-1.0)"
        ("po", 45.0, 75.0),  # Yanagihara 2003, Chong 2006: "Tmax about 1 h"; +/-15 min
    ],
)
def test_assumed_absorption_puts_the_kamp_peak_in_the_reported_window(
    route: str, low: float, high: float
) -> None:
    c = curve("kamp2020", route=route, dose_mg=50.0, weight_kg=70.0, step_min=0.5)
    assert low <= c["peak_min"] <= high


def test_oral_s_ketamine_uses_the_fanta_bioavailability() -> None:
    # Fanta 2015 abstract: oral S-ketamine bioavailability 8%. AUC ratio over 3 days, tol 0.005.
    times = np.arange(0.0, 3 * 24 * 60.0, 1.0)
    po = simulate("fanta2015", [Dose("po", 20.0)], times, 70.0).plasma_ng_per_ml
    iv = simulate("fanta2015", [Dose("iv", 20.0)], times, 70.0).plasma_ng_per_ml
    assert np.trapezoid(po, times) / np.trapezoid(iv, times) == pytest.approx(0.08, abs=0.005)
