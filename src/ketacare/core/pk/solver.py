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

Two shortcuts keep it fast without losing precision: mammillary models (the usual IV ketamine
sets, with or without absorption depots) get their exponents from the roots of the characteristic
polynomial instead of a batched ``eig`` (``mammillary_modes``), and uniform time grids split each
exponential into two small tables (``_modal_sum``).

All arrays are numpy; the leading axis is the patient.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
AnyArray = npt.NDArray[Any]  # float64, or complex128 for a model with complex eigenvalues

#: eigenvalues closer to zero than this are treated as zero (a sink compartment).
_ZERO = 1e-300
#: patients solved together; larger batches are split (memory stays in cache).
_CHUNK = 4096


@dataclass(frozen=True)
class Input:
    """``amount_mg`` (per patient) into ``compartment`` at ``start_min`` over ``duration_min``.

    ``duration_min == 0`` is a bolus; otherwise a zero-order input at ``amount/duration`` mg/min.
    """

    compartment: int
    amount_mg: FloatArray  # shape (P,)
    start_min: float
    duration_min: float = 0.0


def _phi(lam: AnyArray, tau: FloatArray) -> AnyArray:
    """``expm1(lam * tau) / lam`` with the limit ``tau`` at ``lam == 0`` (shapes broadcast)."""
    small = np.abs(lam) < _ZERO
    safe = np.where(small, 1.0, lam)
    return np.where(small, tau, np.expm1(safe * tau) / safe)


def solve(
    a: FloatArray,
    inputs: Sequence[Input],
    times_min: FloatArray,
    observe: int | None,
    *,
    method: str = "auto",
) -> FloatArray:
    """Amounts (mg) at ``times_min``.

    ``a`` has shape (P, n, n). With ``observe`` an index the result has shape (P, T) (amount in that
    compartment); with ``observe=None`` it has shape (P, n, T) (every compartment).

    ``method``: ``"eig"`` (general eigen-decomposition), ``"mammillary"`` (closed-form roots for a
    central compartment with up to three peripheral compartments and first-order depots into it,
    observed in the central compartment) or ``"auto"`` (the closed form when it applies).
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 3 or a.shape[1] != a.shape[2]:
        raise ValueError("a must have shape (P, n, n)")
    times = np.asarray(times_min, dtype=np.float64)
    p = a.shape[0]
    if p > 1 and observe is not None and np.array_equal(a, np.broadcast_to(a[:1], a.shape)):
        # every patient has the same rate matrix (weight-proportional volumes and clearances):
        # solve one unit response per input and scale it by each patient's amount (linearity)
        out = np.zeros((p, times.size))
        for inp in inputs:
            unit = Input(inp.compartment, np.ones(1), inp.start_min, inp.duration_min)
            response = solve(a[:1], [unit], times, observe, method=method)
            amount = np.broadcast_to(np.asarray(inp.amount_mg, dtype=np.float64), (p,))
            out += amount[:, None] * response
        return out
    if p > _CHUNK:  # blocks of patients keep the temporaries in cache
        parts = []
        for i in range(0, p, _CHUNK):
            block = [
                Input(
                    inp.compartment,
                    np.broadcast_to(np.asarray(inp.amount_mg, dtype=np.float64), (p,))[
                        i : i + _CHUNK
                    ],
                    inp.start_min,
                    inp.duration_min,
                )
                for inp in inputs
            ]
            parts.append(solve(a[i : i + _CHUNK], block, times, observe, method=method))
        return np.concatenate(parts, axis=0)
    comps = sorted({inp.compartment for inp in inputs})
    if observe is None:
        return np.stack(
            [_solve_one(a, inputs, times, o, comps, "eig") for o in range(a.shape[1])], 1
        )
    return _solve_one(a, inputs, times, observe, comps, method)


def _solve_one(
    a: FloatArray,
    inputs: Sequence[Input],
    times: FloatArray,
    observe: int,
    comps: list[int],
    method: str,
) -> FloatArray:
    modes = None
    if method in ("auto", "mammillary"):
        modes = mammillary_modes(a, observe, comps)
        if modes is None and method == "mammillary":
            raise ValueError(
                "the model is not a mammillary model observed in its central compartment"
            )
    if modes is None:
        modes = eig_modes(a, observe, comps)
    lam, coefs = modes
    return evaluate(lam, coefs, inputs, times)


Modes = tuple[AnyArray, dict[int, AnyArray]]


def eig_modes(a: FloatArray, observe: int, comps: Sequence[int]) -> Modes:
    """Exponents (P, n) and, per input compartment, mode weights (P, n) by eigen-decomposition.

    The amount in ``observe`` after a unit bolus into ``j`` is ``sum_k w_jk exp(lam_k t)``.
    """
    lam, vecs = np.linalg.eig(a)
    if np.iscomplexobj(lam) and np.all(lam.imag == 0) and np.all(vecs.imag == 0):
        lam, vecs = lam.real, vecs.real
    inv = np.linalg.inv(vecs)
    return lam, {j: vecs[:, observe, :] * inv[:, :, j] for j in comps}


def mammillary_modes(a: FloatArray, central: int, comps: Sequence[int]) -> Modes | None:
    """Closed-form modes when ``a`` is mammillary around ``central`` (else ``None``).

    Peripheral compartments exchange only with the central one and eliminate nothing; depots empty
    first-order into the central compartment only. The disposition exponents are the roots of the
    characteristic polynomial (quadratic or trigonometric cubic; the smallest root from the product
    of the roots, so it suffers no cancellation); the weight of root k after a central bolus is
    prod_j (k_j1 - l_k) / prod_(m != k) (l_m - l_k), and a depot with rate ka adds the mode ka and
    scales each weight by ka / (ka - l_k).
    """
    p, n, _ = a.shape
    first = a[0]
    others = [j for j in range(n) if j != central]
    periph: list[int] = []
    depots: list[int] = []
    for j in others:
        row, col = first[j].copy(), first[:, j].copy()
        row[[j, central]] = 0.0
        col[[j, central]] = 0.0
        if np.any(row != 0) or np.any(col != 0):
            return None
        if np.all(a[:, j, central] == 0) and np.all(a[:, central, j] > 0):
            if not np.allclose(a[:, j, j], -a[:, central, j], rtol=1e-14, atol=0):
                return None
            depots.append(j)
        elif np.all(a[:, j, central] > 0) and np.all(a[:, central, j] > 0):
            periph.append(j)
        elif np.all(a[:, j, central] == 0) and np.all(a[:, central, j] == 0):
            continue  # an unconnected compartment (a depot nobody doses)
        else:
            return None
    if len(periph) > 3 or any(c not in depots and c != central for c in comps):
        return None
    k_out = np.stack([a[:, j, central] for j in periph], 1) if periph else np.zeros((p, 0))
    k_back = np.stack([a[:, central, j] for j in periph], 1) if periph else np.zeros((p, 0))
    for j in periph:  # a peripheral compartment only returns drug to the central one
        if np.max(np.abs(a[:, j, j] + a[:, central, j])) > 1e-14 * np.max(a[:, central, j]):
            return None
    k10 = -a[:, central, central] - k_out.sum(axis=1)
    lam = _mammillary_roots(k10, k_out, k_back)  # decay rates, positive, (P, m)
    m = lam.shape[1]
    weight = np.ones_like(lam)
    for k in range(m):
        for j in range(k_back.shape[1]):
            weight[:, k] *= k_back[:, j] - lam[:, k]
        for q in range(m):
            if q != k:
                weight[:, k] /= lam[:, q] - lam[:, k]
    if not np.all(np.isfinite(weight)):
        return None
    coefs: dict[int, AnyArray] = {}
    extra: list[FloatArray] = []
    for j in comps:
        if j == central:
            coefs[j] = weight
            continue
        ka = a[:, central, j]
        gap = ka[:, None] - lam
        if np.any(np.abs(gap) <= 1e-6 * ka[:, None]):
            return None  # near-equal rates: the eigen path handles them
        extra.append(ka)
    lam_all = np.concatenate([lam] + [e[:, None] for e in extra], axis=1)
    out: dict[int, AnyArray] = {}
    pos = m
    for j in comps:
        w = np.zeros_like(lam_all)
        if j == central:
            w[:, :m] = weight
        else:
            ka = a[:, central, j]
            scaled = weight * ka[:, None] / (ka[:, None] - lam)
            w[:, :m] = scaled
            w[:, pos] = -scaled.sum(axis=1)
            pos += 1
        out[j] = w
    return -lam_all, out


def _mammillary_roots(k10: FloatArray, k_out: FloatArray, k_back: FloatArray) -> FloatArray:
    """Positive decay rates of a mammillary model with 0-3 peripheral compartments, (P, m)."""
    m = k_out.shape[1]
    if m == 0:
        return k10[:, None].copy()
    if m == 1:
        s = k10 + k_out[:, 0] + k_back[:, 0]
        prod = k10 * k_back[:, 0]
        disc = np.sqrt(np.maximum(s * s - 4.0 * prod, 0.0))
        big = (s + disc) / 2.0
        roots = np.stack([big, prod / big], 1)  # small root from the product: no cancellation
    else:
        if m > 2:
            return _polynomial_roots(k10, k_out, k_back)
        k12, k13 = k_out[:, 0], k_out[:, 1]
        k21, k31 = k_back[:, 0], k_back[:, 1]
        a2 = k10 + k12 + k13 + k21 + k31
        a1 = k10 * (k21 + k31) + k21 * k31 + k12 * k31 + k13 * k21
        a0 = k10 * k21 * k31
        third = a2 / 3.0
        pp = a1 - a2 * third
        qq = third * (a1 - 2.0 * third * third) - a0
        r = np.sqrt(np.maximum(-pp / 3.0, 0.0))
        theta = np.arccos(np.clip(1.5 * qq / (pp * r), -1.0, 1.0)) / 3.0
        roots = np.empty((k10.size, 3))
        roots[:, 0] = 2.0 * r * np.cos(theta) + third
        roots[:, 1] = 2.0 * r * np.cos(theta - 2.0 * np.pi / 3.0) + third
        roots[:, 2] = a0 / (roots[:, 0] * roots[:, 1])  # smallest from the product of roots
    return roots


def _polynomial_roots(k10: FloatArray, k_out: FloatArray, k_back: FloatArray) -> FloatArray:
    """Roots for four or more compartments, from the symmetric eigenproblem (still exact)."""
    p, m = k_out.shape
    n = m + 1
    a = np.zeros((p, n, n))
    a[:, 0, 0] = -(k10 + k_out.sum(axis=1))
    for j in range(m):
        a[:, j + 1, 0] = k_out[:, j]
        a[:, 0, j + 1] = k_back[:, j]
        a[:, j + 1, j + 1] = -k_back[:, j]
    # similar to a symmetric matrix: s_ij = sqrt(a_ij a_ji)
    sym = a.copy()
    for j in range(m):
        sym[:, 0, j + 1] = sym[:, j + 1, 0] = np.sqrt(k_out[:, j] * k_back[:, j])
    roots: FloatArray = -np.linalg.eigvalsh(sym)
    return roots


def evaluate(
    lam: AnyArray,
    coefs: dict[int, AnyArray],
    inputs: Sequence[Input],
    times: FloatArray,
) -> FloatArray:
    """Superpose every input's response ``sum_k w_k f_k(t)``; shape (P, T).

    A bolus gives ``exp(l tau)``; a zero-order input of duration ``d`` gives ``expm1(l tau) / l``
    while it runs and ``exp(l (tau - d)) * expm1(l d) / l`` after it. While it runs the sum is taken
    as ``sum_k (w_k / l_k) exp(l_k tau) - sum_k w_k / l_k``, except at times so short that
    ``|l tau| < 1e-3`` for some mode, where ``expm1`` is used to avoid cancellation.
    """
    p = lam.shape[0]
    dtype = np.result_type(lam, np.float64)
    out = np.zeros((p, times.size), dtype=dtype)
    has_zero = bool(np.any(np.abs(lam) < _ZERO))
    safe_lam = np.where(np.abs(lam) < _ZERO, 1.0, lam) if has_zero else lam
    min_rate = float(np.min(np.abs(lam))) if lam.size else 0.0
    for inp in inputs:
        amount = np.broadcast_to(np.asarray(inp.amount_mg, dtype=np.float64), (p,))
        tau = times - inp.start_min
        d = inp.duration_min
        w = coefs[inp.compartment]
        if d <= 0:
            _add_modal(out, tau >= 0.0, tau, w * amount[:, None], lam)
            continue
        rate = amount / d
        g = _phi(lam, np.full(lam.shape, d)) if has_zero else np.expm1(lam * d) / lam
        _add_modal(out, tau > d, tau - d, w * g * rate[:, None], lam)
        during = (tau > 0.0) & (tau <= d)
        short = during & (tau * min_rate < 1e-3) if not has_zero else during
        wl = w / safe_lam * rate[:, None]
        _add_modal(out, during & ~short, tau, wl, lam, minus=wl.sum(axis=1))
        slow = np.nonzero(short)[0]
        if slow.size:
            f = _phi(lam[:, :, None], np.broadcast_to(tau[slow], (p, lam.shape[1], slow.size)))
            out[:, slow] += rate[:, None] * np.einsum("pk,pkt->pt", w, f)
    result: FloatArray = np.asarray(out.real, dtype=np.float64)
    return result


def _add_modal(
    out: AnyArray,
    mask: npt.NDArray[np.bool_],
    tau: FloatArray,
    w: AnyArray,
    lam: AnyArray,
    minus: AnyArray | None = None,
) -> None:
    """``out[:, mask] += sum_k w_k exp(lam_k tau[mask]) - minus`` (a slice when contiguous)."""
    idx = np.nonzero(mask)[0]
    if idx.size == 0:
        return
    sel: slice | npt.NDArray[np.intp] = idx
    if idx[-1] - idx[0] + 1 == idx.size:
        sel = slice(int(idx[0]), int(idx[-1]) + 1)
    values = _modal_sum(w, lam, tau[sel])
    if minus is not None:
        values -= minus[:, None]
    out[:, sel] += values


def _modal_sum(w: AnyArray, lam: AnyArray, tau: FloatArray) -> AnyArray:
    """``sum_k w[:, k] * exp(lam[:, k] * tau)``, shape (P, T).

    On a uniform time grid ``tau_j = tau_0 + j h`` (the usual curve) the exponentials are split as
    ``exp(l (tau_0 + q m h)) * exp(l r h)`` with ``j = q m + r`` and ``m ~ sqrt(T)``: two small
    tables of exponentials and one multiplication per point, each factor exact to rounding, so
    the result keeps full double precision while computing about ``2 sqrt(T)`` exponentials per
    mode instead of ``T``.
    """
    t = tau.size
    if t >= 64:
        h = (tau[-1] - tau[0]) / (t - 1)
        if h > 0 and np.allclose(np.diff(tau), h, rtol=1e-12, atol=1e-12 * abs(tau[-1])):
            m = math.ceil(math.sqrt(t))
            q = -(-t // m)
            coarse = tau[0] + h * m * np.arange(q)
            fine = h * np.arange(m)
            a = np.exp(lam[:, :, None] * coarse) * w[:, :, None]  # (P, K, q)
            b = np.exp(lam[:, :, None] * fine)  # (P, K, m)
            acc: AnyArray = np.matmul(a.transpose(0, 2, 1), b)  # (P, q, m): sum over modes
            return acc.reshape(lam.shape[0], q * m)[:, :t]
    summed: AnyArray = np.einsum("pk,pkt->pt", w, np.exp(lam[:, :, None] * tau))
    return summed
