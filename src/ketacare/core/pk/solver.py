"""Exact solution of linear compartment models, vectorised over patients.

A model with ``n`` compartments holds amounts ``x`` (mg) with ``dx/dt = A x + u(t)``, where ``A`` is
the (per-patient) matrix of first-order rate constants and ``u`` is a sum of boluses (an amount put
into one compartment at one instant) and zero-order inputs (a constant rate into one compartment
between two instants). Absorption depots, lags and bioavailability are expressed by the caller as
extra compartments, shifted start times and scaled amounts, so this module only superposes.

With the eigen-decomposition ``A = V diag(lam) V^-1`` the response of compartment ``o`` to a unit
bolus into compartment ``j`` is ``sum_k V[o, k] V^-1[k, j] exp(lam_k t)``; a unit-rate input of
duration ``d`` gives ``sum_k c_k expm1(lam_k t)/lam_k`` while it runs and
``sum_k c_k exp(lam_k (t - d)) expm1(lam_k d)/lam_k`` after it. These are exact (no time step, no
tolerance); ``scipy.linalg.expm`` and a tight ODE solve are the test oracles.

All arrays are numpy; the leading axis is the patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: eigenvalues closer to zero than this are treated as zero (a sink compartment).
_ZERO = 1e-300


@dataclass(frozen=True)
class Input:
    """``amount_mg`` (per patient) into ``compartment`` at ``start_min`` over ``duration_min``.

    ``duration_min == 0`` is a bolus; otherwise a zero-order input at ``amount/duration`` mg/min.
    """

    compartment: int
    amount_mg: FloatArray  # shape (P,)
    start_min: float
    duration_min: float = 0.0


def _phi(lam: npt.NDArray[np.generic], tau: FloatArray) -> npt.NDArray[np.generic]:
    """``expm1(lam * tau) / lam`` with the limit ``tau`` at ``lam == 0`` (shapes broadcast)."""
    small = np.abs(lam) < _ZERO
    safe = np.where(small, 1.0, lam)
    out = np.expm1(safe * tau) / safe
    return np.where(small, tau, out)


def solve(
    a: FloatArray,
    inputs: Sequence[Input],
    times_min: FloatArray,
    observe: int | None,
) -> FloatArray:
    """Amounts (mg) at ``times_min``.

    ``a`` has shape (P, n, n). With ``observe`` an index the result has shape (P, T) (amount in that
    compartment); with ``observe=None`` it has shape (P, n, T) (every compartment).
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 3 or a.shape[1] != a.shape[2]:
        raise ValueError("a must have shape (P, n, n)")
    times = np.asarray(times_min, dtype=np.float64)
    p, n, _ = a.shape
    lam, vecs = np.linalg.eig(a)
    if np.iscomplexobj(lam) and np.all(lam.imag == 0) and np.all(vecs.imag == 0):
        lam, vecs = lam.real, vecs.real
    inv = np.linalg.inv(vecs)
    rows = vecs[:, observe, :][:, None, :] if observe is not None else vecs  # (P, m, n)
    dtype = np.result_type(lam, np.float64)
    out = np.zeros((p, rows.shape[1], times.size), dtype=dtype)

    # Group inputs by compartment: the eigen-coefficients depend only on the compartment.
    by_comp: dict[int, list[Input]] = {}
    for inp in inputs:
        by_comp.setdefault(inp.compartment, []).append(inp)
    for comp, group in by_comp.items():
        # weight of eigenmode k for this compartment: V^-1[k, comp]  -> (P, n)
        w = inv[:, :, comp]
        # Sum over inputs of amount * modal time-function -> (P, n, T)
        modal = np.zeros((p, n, times.size), dtype=dtype)
        for inp in group:
            amount = np.broadcast_to(np.asarray(inp.amount_mg, dtype=np.float64), (p,))
            tau = times - inp.start_min
            active = tau > 0.0 if inp.duration_min > 0 else tau >= 0.0
            if not np.any(active):
                continue
            idx = np.nonzero(active)[0]
            tt = tau[idx][None, None, :]
            lam3 = lam[:, :, None]
            if inp.duration_min <= 0:
                f = np.exp(lam3 * tt)
                modal[:, :, idx] += amount[:, None, None] * f
            else:
                d = inp.duration_min
                rate = amount / d
                during = np.minimum(tt, d)
                after = np.maximum(tt - d, 0.0)
                f = np.exp(lam3 * after) * _phi(lam3, np.broadcast_to(during, tt.shape))
                modal[:, :, idx] += rate[:, None, None] * f
        modal *= w[:, :, None]
        out += np.einsum("pmk,pkt->pmt", rows, modal)
    result: FloatArray = np.asarray(out.real, dtype=np.float64)
    if observe is not None:
        return result[:, 0, :]
    return result
