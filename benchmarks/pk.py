"""Benchmark: KetaCare's exact PK solver against opentiva and PyTCI, same regimens, one process.

Prints figures; asserts nothing about time (benchmarks are never timed assertions).

Install the peers (benchmark-only dependencies, the ``bench`` extra). opentiva 1.1.2 ships a
stale Cython-generated C file that does not compile on Python >= 3.11, so build it without build
isolation after installing Cython first:

    .venv/bin/pip install cython setuptools wheel
    .venv/bin/pip install --no-build-isolation opentiva
    .venv/bin/pip install -e '.[dev,bench]'
    .venv/bin/python benchmarks/pk.py            # add --quick for a smaller run

Cases (0.5 mg/kg over 40 min, patients of different weights drawn uniformly from 45-120 kg with
a fixed seed). Models: Domino 1982 and Kamp 2020 (racemic; constants checked equal to opentiva's
classes) and Fanta 2015 (S-ketamine, allometric: clearance to weight^0.75, so every patient has
different rate constants; opentiva and PyTCI get KetaCare's constants as a plain object). With
weight-proportional volumes and clearances (Domino, Kamp) every patient has the same rate matrix,
and KetaCare solves one unit response and scales it by each patient's dose (exact by linearity);
Fanta 2015 shows the cost when every patient needs its own roots.

1. 10,000 patients at six time points (10, 40, 60, 120, 240, 480 min).
2. Full 24-hour curves at one-minute resolution (1,441 points) for 10,000 patients.

Tools: KetaCare (one vectorised call; case 2 in chunks of 1,000 patients to bound memory),
opentiva (``PkPdModel.calculate_cp``, its fastest documented point evaluation, one model per
patient) and PyTCI in ``"exact"`` mode (a ``Three`` subclass per patient, advanced with
``giveoverseconds``/``wait_time``). For case 2 the peers are timed on a subsample and scaled to
10,000 patients (printed as "extrapolated"), because a full run takes minutes to hours; PyTCI
is likewise timed on 500 patients in case 1.
Accuracy is the largest relative difference from KetaCare over all compared points above 1e-6
of each patient's peak.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

from ketacare.core.pk.models import get_model
from ketacare.core.pk.solver import Input, solve

SIX_TIMES_MIN = np.array([10.0, 40.0, 60.0, 120.0, 240.0, 480.0])
INFUSION_MIN = 40.0
MG_PER_KG = 0.5


def weights(n: int, seed: int = 1982) -> np.ndarray:
    return np.random.default_rng(seed).uniform(45.0, 120.0, n)


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


# -- KetaCare ------------------------------------------------------------------------------------
def ours(model_id: str, w: np.ndarray, times: np.ndarray, chunk: int = 1000) -> np.ndarray:
    model = get_model(model_id)
    out = np.empty((w.size, times.size))
    for i in range(0, w.size, chunk):
        ww = w[i : i + chunk]
        a, vols = model.build(ww)
        dose = Input(model.index(model.central), MG_PER_KG * ww, 0.0, INFUSION_MIN)
        amounts = solve(a, [dose], times, model.index(model.central))
        out[i : i + chunk] = amounts / vols[:, :1] * 1000.0
    return out


# -- opentiva ------------------------------------------------------------------------------------
OPENTIVA_CLASS = {"domino1982": "Domino", "kamp2020": "Klamp"}


def opentiva_model(model_id: str, weight: float) -> Any:
    """opentiva's own class for Domino and Kamp; for Fanta 2015 (allometric, so every weight has
    different rate constants) a plain object with KetaCare's constants, which opentiva's
    ``PkPdModel`` and PyTCI accept alike."""
    if model_id in OPENTIVA_CLASS:
        import opentiva.ketamine as ket

        return getattr(ket, OPENTIVA_CLASS[model_id])(0, 40, float(weight), 175)
    model = get_model(model_id)
    a, vols = model.build(np.array([float(weight)]))
    return SimpleNamespace(
        compartments=3,
        v1=float(vols[0, 0]),
        k10=float(-a[0, :, 0].sum()),
        k12=float(a[0, 1, 0]),
        k13=float(a[0, 2, 0]),
        k21=float(a[0, 0, 1]),
        k31=float(a[0, 0, 2]),
        ke0=1.0,
    )


def run_opentiva(params: list[Any], w: np.ndarray, times: np.ndarray) -> np.ndarray:
    from opentiva.pkpd import PkPdModel

    out = np.empty((w.size, times.size))
    seconds = [int(t * 60 + 0.5) for t in times]
    end = int(INFUSION_MIN * 60)
    for i, wi in enumerate(w):
        pk = PkPdModel(params[i])
        infusions = np.array([[0.0, MG_PER_KG * wi / end, end, end]])
        for j, s in enumerate(seconds):
            out[i, j] = pk.calculate_cp(infusions, s)
    return out * 1000.0  # mg/L -> ng/mL


# -- PyTCI ---------------------------------------------------------------------------------------
def pytci_patient(ref: Any) -> Any:
    from PyTCI.models.base import Three

    class Ketamine(Three):  # type: ignore[misc]
        def __init__(self) -> None:
            self.v1 = ref.v1
            self.k10, self.k12, self.k13 = ref.k10, ref.k12, ref.k13
            self.k21, self.k31 = ref.k21, ref.k31
            self.keo = ref.ke0
            self.setup()
            self.set_integrator("exact")

    return Ketamine()


def run_pytci(params: list[Any], w: np.ndarray, times: np.ndarray) -> np.ndarray:
    out = np.empty((w.size, times.size))
    end = INFUSION_MIN * 60.0
    for i, wi in enumerate(w):
        patient = pytci_patient(params[i])
        rate = MG_PER_KG * wi / end
        now = 0.0
        for j, t in enumerate(times * 60.0):
            if now < end:
                run = min(t, end) - now
                if run > 0:
                    patient.giveoverseconds(rate, run)
                    now += run
            if t > now:
                patient.wait_time(t - now)
                now = t
            out[i, j] = patient.x1
    return out * 1000.0


def max_rel_diff(ref: np.ndarray, other: np.ndarray) -> float:
    mask = ref > 1e-6 * ref.max(axis=1, keepdims=True)
    return float(np.max(np.abs(other[mask] - ref[mask]) / ref[mask]))


def check_constants(model_id: str) -> None:
    model = get_model(model_id)
    a, vols = model.build(np.array([70.0]))
    ref = opentiva_model(model_id, 70.0)
    ours_k = sorted(a[0][np.nonzero(a[0] - np.diag(np.diag(a[0])))].tolist())
    theirs = sorted([ref.k12, ref.k13, ref.k21, ref.k31])
    assert np.allclose(ours_k, theirs, rtol=1e-12), (model_id, ours_k, theirs)
    assert np.isclose(vols[0, 0], ref.v1), (model_id, vols[0, 0], ref.v1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 patients instead of 10,000")
    parser.add_argument(
        "--model", default="domino1982", choices=[*sorted(OPENTIVA_CLASS), "fanta2015"]
    )
    args = parser.parse_args()
    n = 1000 if args.quick else 10_000
    model_id = args.model
    if model_id in OPENTIVA_CLASS:
        check_constants(model_id)
    w = weights(n)
    # the peers' per-patient parameter objects are built before timing (not counted against them)
    params = [opentiva_model(model_id, wi) for wi in w]
    print(f"model {model_id}; {n} patients; 0.5 mg/kg over 40 min; weights 45-120 kg\n")
    print(f"{'case':<28}{'tool':<22}{'seconds':>10}{'x slower':>10}{'max rel diff':>14}")

    # Case 1: six time points (PyTCI on a subsample: about 10 ms per patient)
    sub_py1 = min(n, 500)
    t_ours, c_ours = best_of(7, lambda: ours(model_id, w, SIX_TIMES_MIN, chunk=n))
    t_ot, c_ot = best_of(3, lambda: run_opentiva(params, w, SIX_TIMES_MIN))
    t_py_sub, c_py = best_of(1, lambda: run_pytci(params, w[:sub_py1], SIX_TIMES_MIN))
    t_py = t_py_sub * n / sub_py1
    case = f"{n} patients x 6 times"
    print(f"{case:<28}{'ketacare':<22}{t_ours:>10.4f}{1.0:>10.1f}{0.0:>14.1e}")
    ot_diff = max_rel_diff(c_ours, c_ot)
    py_diff = max_rel_diff(c_ours[:sub_py1], c_py)
    label = "PyTCI exact" + (" (extrap.)" if sub_py1 < n else "")
    print(
        f"{'':<28}{'opentiva calculate_cp':<22}{t_ot:>10.4f}{t_ot / t_ours:>10.1f}{ot_diff:>14.1e}"
    )
    print(f"{'':<28}{label:<22}{t_py:>10.2f}{t_py / t_ours:>10.1f}{py_diff:>14.1e}")

    # Case 2: 24-hour curves at one-minute resolution
    grid = np.arange(0.0, 24 * 60.0 + 1.0, 1.0)
    t_ours2, c_ours2 = best_of(2, lambda: ours(model_id, w, grid))
    sub_ot = max(1, n // 20)
    sub_py = max(1, n // 200)
    t_ot2, c_ot2 = best_of(1, lambda: run_opentiva(params, w[:sub_ot], grid))
    t_py2, c_py2 = best_of(1, lambda: run_pytci(params, w[:sub_py], grid))
    t_ot2_full = t_ot2 * n / sub_ot
    t_py2_full = t_py2 * n / sub_py
    case = f"{n} x 24 h at 1 min"
    ot_diff2 = max_rel_diff(c_ours2[:sub_ot], c_ot2)
    py_diff2 = max_rel_diff(c_ours2[:sub_py], c_py2)
    print(f"{case:<28}{'ketacare':<22}{t_ours2:>10.3f}{1.0:>10.1f}{0.0:>14.1e}")
    print(
        f"{'':<28}{'opentiva (extrap.)':<22}{t_ot2_full:>10.1f}{t_ot2_full / t_ours2:>10.1f}"
        f"{ot_diff2:>14.1e}"
    )
    print(
        f"{'':<28}{'PyTCI exact (extrap.)':<22}{t_py2_full:>10.1f}{t_py2_full / t_ours2:>10.1f}"
        f"{py_diff2:>14.1e}"
    )
    print(
        f"\nextrapolated: case 1 PyTCI timed on {sub_py1} patients ({t_py_sub:.2f} s); case 2 "
        f"opentiva on {sub_ot} patients ({t_ot2:.2f} s) and PyTCI on {sub_py} patients "
        f"({t_py2:.2f} s); all scaled linearly to {n}. Times are the best of 7 (KetaCare, case 1), "
        "3 (opentiva, case 1), 2 (KetaCare, case 2) or 1 run(s)."
    )


if __name__ == "__main__":
    main()
