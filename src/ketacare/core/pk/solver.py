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

Shortcuts keep it fast without losing precision: mammillary models (the usual IV ketamine sets,
with or without absorption depots) get their exponents from the roots of the characteristic
polynomial instead of a batched ``eig`` (``mammillary_modes``, array expressions over all patients
at once); patients sharing one rate matrix share one unit response; patients whose matrices are
multiples ``s_p A`` of one matrix (allometric sets) share one set of roots, scaled by ``s_p``
(``_common_scale``); a few time points are evaluated time-major (``_evaluate_few``), for such
proportional sets one row of patients at a time with small reused buffers
(``_evaluate_scaled_few``: large temporaries cost more in fresh, page-faulting memory than the
exponentials themselves), and uniform time grids split each exponential into two small tables
(``_modal_sum``).

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
#: patient-time points solved together; larger batches are split into blocks of patients (at
#: least _MIN_BLOCK) so that the temporaries stay small (8 MB per array).
_BLOCK_POINTS = 1 << 20
_MIN_BLOCK = 256
#: from this many time points on, a uniform grid takes the two-table split (_modal_sum)
_GRID_MIN = 64
#: patients per block when checking that matrices are multiples of one another
_CHECK_BLOCK = 2048
#: from this |x| on, expm1(x) is taken as exp(x) - 1 (relative error below (1 + 1/cut) ulp)
_EXPM1_CUT = 0.01


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
    scale: FloatArray | None = None,
) -> FloatArray:
    """Amounts (mg) at ``times_min``.

    ``a`` has shape (P, n, n). With ``observe`` an index the result has shape (P, T) (amount in that
    compartment); with ``observe=None`` it has shape (P, n, T) (every compartment).

    ``method``: ``"eig"`` (general eigen-decomposition), ``"mammillary"`` (closed-form roots for a
    central compartment with up to three peripheral compartments and first-order depots into it,
    observed in the central compartment) or ``"auto"`` (the closed form when it applies).

    ``scale`` (P,), with ``a`` of shape (1, n, n): patient p's matrix is ``scale[p] * a[0]``
    (``PKModel.build_scaled`` gives this form for allometric sets), so that the P matrices need
    not be built nor compared.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 3 or a.shape[1] != a.shape[2]:
        raise ValueError("a must have shape (P, n, n)")
    times = np.asarray(times_min, dtype=np.float64)
    if scale is not None:
        s = np.asarray(scale, dtype=np.float64)
        if a.shape[0] != 1 or s.ndim != 1 or s.size == 0 or not np.all(s > 0.0):
            raise ValueError(
                "with scale, a must have shape (1, n, n) and scale be positive, shape (P,), P >= 1"
            )
        if np.all(s == s[0]):  # one matrix for every patient (linear sets): a view suffices
            a = np.broadcast_to(a * s[0], (s.size, *a.shape[1:]))
            scale = None
        elif observe is not None and method == "auto" and times.size < _GRID_MIN:
            return _solve_scaled(a, s, inputs, times, observe, method)
        if scale is not None:
            # many times (memory: the general path works in blocks of patients) or another
            # method: build the matrices; the general path finds the common scale again
            a = np.multiply.outer(s, a[0])
    p = a.shape[0]
    if p > 1 and observe is not None and _all_same(a):
        # every patient has the same rate matrix (weight-proportional volumes and clearances):
        # solve one unit response per input and scale it by each patient's amount (linearity)
        out: FloatArray | None = None
        for inp in inputs:
            unit = Input(inp.compartment, np.ones(1), inp.start_min, inp.duration_min)
            response = solve(a[:1], [unit], times, observe, method=method)[0]
            amount = np.broadcast_to(np.asarray(inp.amount_mg, dtype=np.float64), (p,))
            term = np.multiply.outer(amount, response)  # one pass: amount_p * response(t)
            if out is None:
                out = term
            else:
                out += term
        return out if out is not None else np.zeros((p, times.size))
    chunk = max(_MIN_BLOCK, _BLOCK_POINTS // max(times.size, 1))
    if p > chunk:  # blocks of patients keep the temporaries in cache
        parts = []
        for i in range(0, p, chunk):
            block = [
                Input(
                    inp.compartment,
                    np.broadcast_to(np.asarray(inp.amount_mg, dtype=np.float64), (p,))[
                        i : i + chunk
                    ],
                    inp.start_min,
                    inp.duration_min,
                )
                for inp in inputs
            ]
            parts.append(solve(a[i : i + chunk], block, times, observe, method=method))
        return np.concatenate(parts, axis=0)
    comps = sorted({inp.compartment for inp in inputs})
    if observe is None:
        return np.stack(
            [_solve_one(a, inputs, times, o, comps, "eig") for o in range(a.shape[1])], 1
        )
    scale = _common_scale(a) if p > 1 and method == "auto" else None
    if scale is not None:
        return _solve_scaled(a[:1], scale, inputs, times, observe, method)
    return _solve_one(a, inputs, times, observe, comps, method)


def _solve_scaled(
    a_ref: FloatArray,
    scale: FloatArray,
    inputs: Sequence[Input],
    times: FloatArray,
    observe: int,
    method: str,
) -> FloatArray:
    """Patients whose matrices are ``scale[p] * a_ref[0]`` (allometric sets: every rate constant
    goes as weight^-0.25): the exponents scale with the matrix and the modal weights do not, so
    one set of roots serves every patient (exact: exp(s A t) is the response of A at time s t)."""
    lam0, coefs0 = _modes(a_ref, observe, sorted({i.compartment for i in inputs}), method)
    if times.size < _GRID_MIN and not np.iscomplexobj(lam0) and np.all(lam0 < -_ZERO):
        ref = {j: np.asarray(c[0], dtype=np.float64) for j, c in coefs0.items()}
        return _evaluate_scaled_few(lam0[0], ref, scale, inputs, times)
    lam = lam0 * scale[:, None]
    coefs = {j: np.broadcast_to(c, lam.shape) for j, c in coefs0.items()}
    return evaluate(lam, coefs, inputs, times)


def _all_same(a: FloatArray) -> bool:
    """Whether every patient's matrix equals the first one (one column is compared first)."""
    ref = a[0]
    i, j = divmod(int(np.argmax(np.abs(ref))), ref.shape[1])
    if not np.all(a[:, i, j] == ref[i, j]):
        return False
    return bool(np.array_equal(a, np.broadcast_to(ref, a.shape)))


def _common_scale(a: FloatArray) -> FloatArray | None:
    """``s`` (P,) with ``a[p] == s[p] * a[0]`` to 1e-14 in every entry, else ``None``.

    Checked in blocks of ``_CHECK_BLOCK`` patients, so that the temporaries stay small (no fresh
    memory mapped per call) and a mismatch stops the check early.
    """
    ref = a[0]
    flat = int(np.argmax(np.abs(ref)))
    i, j = divmod(flat, ref.shape[1])
    if ref[i, j] == 0.0:
        return None
    s: FloatArray = a[:, i, j] / ref[i, j]
    if not np.all(s > 0.0):
        return None
    tol = 1e-14 * np.abs(ref)
    for k in range(0, a.shape[0], _CHECK_BLOCK):
        gap = a[k : k + _CHECK_BLOCK] / s[k : k + _CHECK_BLOCK, None, None]
        gap -= ref
        np.abs(gap, out=gap)
        if not np.all(gap <= tol):
            return None
    return s


def _solve_one(
    a: FloatArray,
    inputs: Sequence[Input],
    times: FloatArray,
    observe: int,
    comps: list[int],
    method: str,
) -> FloatArray:
    lam, coefs = _modes(a, observe, comps, method)
    return evaluate(lam, coefs, inputs, times)


def _modes(a: FloatArray, observe: int, comps: list[int], method: str) -> Modes:
    modes = None
    if method in ("auto", "mammillary"):
        modes = mammillary_modes(a, observe, comps)
        if modes is None and method == "mammillary":
            raise ValueError(
                "the model is not a mammillary model observed in its central compartment"
            )
    if modes is None:
        modes = eig_modes(a, observe, comps)
    return modes


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

    Everything is computed for all patients at once: the structure is read from the first
    patient's matrix (and checked to be the same for every patient), roots and weights are array
    expressions over the patient axis (no loop over patients).
    """
    p, n, _ = a.shape
    pattern = a[0] != 0
    if p > 1 and not np.array_equal(a != 0, np.broadcast_to(pattern, a.shape)):
        return None  # patients differ in structure: the eigen path handles it
    periph: list[int] = []
    depots: list[int] = []
    for j in range(n):
        if j == central:
            continue
        row, col = pattern[j].copy(), pattern[:, j].copy()
        row[[j, central]] = False
        col[[j, central]] = False
        if row.any() or col.any():
            return None
        into, back = bool(pattern[j, central]), bool(pattern[central, j])
        if not into and not back:
            continue  # an unconnected compartment (a depot nobody doses)
        if not back or np.any(a[:, central, j] <= 0):
            return None
        if into and np.any(a[:, j, central] <= 0):
            return None
        # the compartment returns (or passes on) drug to the central compartment only
        if np.max(np.abs(a[:, j, j] + a[:, central, j])) > 1e-14 * np.max(a[:, central, j]):
            return None
        (periph if into else depots).append(j)
    if len(periph) > 3 or any(c not in depots and c != central for c in comps):
        return None
    # rate constants as contiguous per-patient vectors (P,): out of / back into the central one
    k_out = [np.ascontiguousarray(a[:, j, central]) for j in periph]
    k_back = [np.ascontiguousarray(a[:, central, j]) for j in periph]
    k10 = -a[:, central, central] - sum(k_out, np.zeros(p))
    roots = _roots(k10, k_out, k_back)  # decay rates, positive, each (P,)
    m = len(roots)
    weights = []
    for k, lk in enumerate(roots):  # a handful of modes: array expressions over all patients
        numer = np.ones(p)
        for kb in k_back:
            numer *= kb - lk
        denom = np.ones(p)
        for q, lq in enumerate(roots):
            if q != k:
                denom *= lq - lk
        weights.append(numer / denom)
    lam = np.stack(roots, axis=1)
    weight = np.stack(weights, axis=1)
    if not np.all(np.isfinite(weight)):
        return None
    dosed_depots = [j for j in comps if j != central]
    if dosed_depots:
        ka = a[:, central, dosed_depots]  # (P, D)
        if np.any(np.abs(ka[:, :, None] - lam[:, None, :]) <= 1e-6 * ka[:, :, None]):
            return None  # near-equal rates: the eigen path handles them
        lam_all = np.concatenate([lam, ka], axis=1)
    else:
        lam_all = lam
    out: dict[int, AnyArray] = {}
    for j in comps:
        w = np.zeros_like(lam_all)
        if j == central:
            w[:, :m] = weight
        else:
            ka_j = a[:, central, j]
            scaled = weight * (ka_j[:, None] / (ka_j[:, None] - lam))
            w[:, :m] = scaled
            w[:, m + dosed_depots.index(j)] = -scaled.sum(axis=1)
        out[j] = w
    return -lam_all, out


def _roots(k10: FloatArray, k_out: list[FloatArray], k_back: list[FloatArray]) -> list[FloatArray]:
    """Positive decay rates of a mammillary model with 0-3 peripheral compartments, each (P,).

    One peripheral compartment: the quadratic, the small root from the product of the roots (no
    cancellation). Two: the trigonometric solution of the characteristic cubic
    ``l^3 - a2 l^2 + a1 l - a0``, the smallest root again from the product of the roots. Three:
    the symmetric eigenproblem (still exact).
    """
    m = len(k_out)
    if m == 0:
        return [k10.copy()]
    if m == 1:
        s = k10 + k_out[0] + k_back[0]
        prod = k10 * k_back[0]
        big = (s + np.sqrt(np.maximum(s * s - 4.0 * prod, 0.0))) * 0.5
        return [big, prod / big]
    if m > 2:
        both = _polynomial_roots(k10, np.stack(k_out, 1), np.stack(k_back, 1))
        return [np.ascontiguousarray(both[:, i]) for i in range(both.shape[1])]
    k12, k13 = k_out
    k21, k31 = k_back
    a2 = k10 + k12 + k13 + k21 + k31
    a1 = k10 * (k21 + k31) + k21 * k31 + k12 * k31 + k13 * k21
    a0 = k10 * k21 * k31
    third = a2 / 3.0
    pp = a1 - a2 * third
    qq = third * (a1 - 2.0 * third * third) - a0
    r = np.sqrt(np.maximum(-pp / 3.0, 0.0))
    theta = np.arccos(np.clip(1.5 * qq / (pp * r), -1.0, 1.0)) / 3.0
    r2 = 2.0 * r
    l1 = r2 * np.cos(theta) + third
    l2 = r2 * np.cos(theta - 2.0 * np.pi / 3.0) + third
    return [l1, l2, a0 / (l1 * l2)]  # the smallest from the product of the roots


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
    if not np.iscomplexobj(lam) and lam.size and float(np.max(lam)) < -_ZERO:
        return _evaluate_decaying(lam, coefs, inputs, times)
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


def _evaluate_decaying(
    lam: FloatArray,
    coefs: dict[int, AnyArray],
    inputs: Sequence[Input],
    times: FloatArray,
) -> FloatArray:
    """``evaluate`` for real, strictly negative exponents (every mammillary model): fewer passes.

    After a zero-order input (and for a bolus) the response is a weighted sum of ``exp(l tau)``
    (``_modal_sum``: uniform grids use the two-table split). While the input runs it is
    ``sum_k (w_k / l_k) expm1(l_k tau)`` point by point, exact with no cancellation at any tau.
    """
    p = lam.shape[0]
    if times.size < _GRID_MIN:
        return _evaluate_few(lam, coefs, inputs, times)
    out = np.zeros((p, times.size))
    for inp in inputs:
        amount = np.broadcast_to(np.asarray(inp.amount_mg, dtype=np.float64), (p,))
        tau = times - inp.start_min
        d = inp.duration_min
        if d <= 0:
            _add_modal(out, tau >= 0.0, tau, coefs[inp.compartment] * amount[:, None], lam)
            continue
        per_rate = coefs[inp.compartment] * (amount / d)[:, None] / lam  # w_k rate / l_k
        _add_modal(out, tau > d, tau - d, per_rate * np.expm1(lam * d), lam)
        idx = np.nonzero((tau > 0.0) & (tau <= d))[0]
        if idx.size:
            sel = _contiguous(idx)
            lam_t = np.ascontiguousarray(lam.T)
            phase = np.multiply.outer(tau[sel], lam_t)  # (T, K, P), as in _modal_sum
            np.expm1(phase, out=phase)
            phase *= per_rate.T
            out[:, sel] += phase.sum(axis=1).T
    return out


def _evaluate_few(
    lam: FloatArray,
    coefs: dict[int, AnyArray],
    inputs: Sequence[Input],
    times: FloatArray,
) -> FloatArray:
    """``_evaluate_decaying`` for a few time points, accumulated time-major (T, P).

    Every array operation then runs along the long patient axis: per input and phase an outer
    product (time, mode, patient), one exp or expm1 in place, a product with the weights and a
    sum over the few modes, added to whole rows of the result.
    """
    p = lam.shape[0]
    lam_t = np.ascontiguousarray(lam.T)  # (K, P)
    out_t = np.zeros((times.size, p))
    for inp in inputs:
        amount = np.broadcast_to(np.asarray(inp.amount_mg, dtype=np.float64), (p,))
        tau = times - inp.start_min
        d = inp.duration_min
        w_t = coefs[inp.compartment].T  # (K, P)
        if d <= 0:
            rows = tau >= 0.0
            if rows.any():
                out_t[rows] += _mode_terms(np.exp, tau[rows], lam_t, w_t * amount)
            continue
        per_rate = w_t * (amount / d) / lam_t  # w_k rate / l_k
        rows = tau > d
        if rows.any():
            after = per_rate * np.expm1(lam_t * d)
            out_t[rows] += _mode_terms(np.exp, tau[rows] - d, lam_t, after)
        rows = (tau > 0.0) & (tau <= d)
        if rows.any():
            out_t[rows] += _mode_terms(np.expm1, tau[rows], lam_t, per_rate)
    return np.ascontiguousarray(out_t.T)


def _evaluate_scaled_few(
    lam0: FloatArray,
    coefs0: dict[int, FloatArray],
    scale: FloatArray,
    inputs: Sequence[Input],
    times: FloatArray,
) -> FloatArray:
    """``_evaluate_few`` for exponents ``lam0[k] * scale[p]`` sharing the weights ``coefs0[j][k]``.

    Allometric sets at a few time points. The work is done one (time, mode) row of patients at a
    time: an exponential row ``exp(t lam0_k s_p)`` (argument built as ``(t lam0_k) s_p``), times
    a weight, added to an accumulator; the patient factor ``rate / s`` is applied once per time.
    Every temporary is one row of patients (a few reused buffers), so the heap is reused from
    call to call instead of mapping fresh (page-faulting) memory for (time, mode, patient) arrays,
    which cost more than the exponentials themselves. ``expm1(x)`` is taken as ``exp(x) - 1`` when
    every patient's ``|x|`` is at least ``_EXPM1_CUT`` (relative error below
    ``(1 + 1/_EXPM1_CUT)`` units in the last place, about 2e-14) and by ``np.expm1`` otherwise.
    """
    p = scale.size
    s_min = float(np.min(scale))
    out = np.zeros((p, times.size))
    row = np.empty(p)
    acc = np.empty(p)
    for inp in inputs:
        amount = np.broadcast_to(np.asarray(inp.amount_mg, dtype=np.float64), (p,))
        tau = times - inp.start_min
        d = inp.duration_min
        w = coefs0[inp.compartment]
        if d <= 0:
            for j in np.nonzero(tau >= 0.0)[0]:
                acc.fill(0.0)
                for lk, wk in zip(lam0, w, strict=True):
                    np.multiply(scale, float(tau[j]) * lk, out=row)
                    np.exp(row, out=row)
                    row *= wk
                    acc += row
                acc *= amount
                out[:, j] += acc
            continue
        if not np.any(tau > 0.0):
            continue
        c = w / lam0  # (K,): w_k / l_k; the patient factor rate / s follows
        r = amount / (d * scale)
        # after the input ends, mode k carries c_k expm1(l_k s_p d): one row per mode
        h = []
        for lk, ck in zip(lam0, c, strict=True):
            hk = _expm1_row(np.empty(p), d * lk, scale, s_min)
            hk *= ck
            h.append(hk)
        for j in np.nonzero(tau > 0.0)[0]:
            t = float(tau[j])
            acc.fill(0.0)
            if t == d:  # the end of the input: the sum of h
                for hk in h:
                    acc += hk
            elif t < d:
                for lk, ck in zip(lam0, c, strict=True):
                    _expm1_row(row, t * lk, scale, s_min)
                    row *= ck
                    acc += row
            else:
                for lk, hk in zip(lam0, h, strict=True):
                    np.multiply(scale, (t - d) * lk, out=row)
                    np.exp(row, out=row)
                    row *= hk
                    acc += row
            acc *= r
            out[:, j] += acc
    return out


def _expm1_row(out: FloatArray, arg: float, scale: FloatArray, s_min: float) -> FloatArray:
    """``out[:] = expm1(arg * scale)``; by ``exp(x) - 1`` when ``|arg| min(scale) >= cut``."""
    np.multiply(scale, arg, out=out)
    if abs(arg) * s_min >= _EXPM1_CUT:
        np.exp(out, out=out)
        out -= 1.0
    else:
        np.expm1(out, out=out)
    return out


def _mode_terms(fn: Any, tau: FloatArray, lam_t: FloatArray, c_t: FloatArray) -> FloatArray:
    """``sum_k c_t[k] * fn(lam_t[k] * tau_j)`` as (T, P); ``fn`` is ``np.exp`` or ``np.expm1``."""
    x = np.multiply.outer(tau, lam_t)  # (T, K, P)
    fn(x, out=x)
    x *= c_t
    summed: FloatArray = x.sum(axis=1)
    return summed


def _contiguous(idx: npt.NDArray[np.intp]) -> slice | npt.NDArray[np.intp]:
    """A slice when the (sorted) indices are contiguous, else the indices themselves."""
    if idx[-1] - idx[0] + 1 == idx.size:
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


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
    if t >= _GRID_MIN:
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
    # few points: time-major layout (T, K, P), so every array operation runs along the long
    # patient axis (an outer product, one exp, a product and a sum over the few modes)
    terms = np.multiply.outer(tau, np.ascontiguousarray(lam.T))
    np.exp(terms, out=terms)  # in place: no second (T, K, P) array
    terms *= w.T
    summed: AnyArray = terms.sum(axis=1).T
    return summed
