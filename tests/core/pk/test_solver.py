"""The exact solver against scipy.linalg.expm and a tight ODE solve, plus its invariants."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from ketacare.core.pk import Dose, get_model, list_models, solver
from ketacare.core.pk.simulate import prepare
from ketacare.core.pk.solver import Input, solve

TIMES = np.array([0.0, 0.5, 3.0, 10.0, 39.9, 40.0, 41.0, 60.0, 125.0, 240.0, 1440.0])
SIX_TIMES = np.array([10.0, 40.0, 60.0, 120.0, 240.0, 480.0])  # the benchmark's points


def expm_oracle(a: np.ndarray, inputs: list[Input], times: np.ndarray, observe: int) -> np.ndarray:
    """Amounts by matrix exponential of the augmented matrix, one patient at a time."""
    p, n, _ = a.shape
    out = np.zeros((p, times.size))
    for i in range(p):
        for inp in inputs:
            amount = float(np.broadcast_to(inp.amount_mg, (p,))[i])
            for k, t in enumerate(times):
                tau = t - inp.start_min
                if inp.duration_min <= 0:
                    if tau >= 0:
                        out[i, k] += expm(a[i] * tau)[observe, inp.compartment] * amount
                    continue
                if tau <= 0:
                    continue
                aug = np.zeros((n + 1, n + 1))
                aug[:n, :n] = a[i]
                aug[inp.compartment, n] = amount / inp.duration_min
                x = expm(aug * min(tau, inp.duration_min))[:n, n]
                if tau > inp.duration_min:
                    x = expm(a[i] * (tau - inp.duration_min)) @ x
                out[i, k] += x[observe]
    return out


def ode_oracle(a: np.ndarray, inputs: list[Input], times: np.ndarray, observe: int) -> np.ndarray:
    """Amounts by DOP853 at rtol 1e-13, integrating piecewise between input events."""
    n = a.shape[0]
    events = sorted(
        {0.0, float(times.max())}
        | {i.start_min for i in inputs}
        | {i.start_min + i.duration_min for i in inputs}
    )
    x = np.zeros(n)
    out = np.zeros(times.size)
    for t0, t1 in itertools.pairwise(events):
        for inp in inputs:
            if inp.duration_min <= 0 and inp.start_min == t0:
                x[inp.compartment] += float(inp.amount_mg[0])
        u = np.zeros(n)
        for inp in inputs:
            if inp.duration_min > 0 and inp.start_min <= t0 < inp.start_min + inp.duration_min:
                u[inp.compartment] += float(inp.amount_mg[0]) / inp.duration_min
        mask = (times >= t0) & (times < t1)
        t_eval = np.append(times[mask], t1)
        sol = solve_ivp(
            lambda _t, y, u=u: a @ y + u,
            (t0, t1),
            x,
            method="DOP853",
            rtol=1e-13,
            atol=1e-18,
            t_eval=t_eval,
        )
        out[mask] = sol.y[observe, :-1]
        x = sol.y[:, -1].copy()
    out[times == events[-1]] = x[observe]
    return out


def _regimen(model_id: str, weight: float = 70.0) -> tuple[np.ndarray, list[Input], int]:
    model = get_model(model_id)
    doses = [Dose("iv", 35.0, 0.0, 40.0), Dose("iv", 5.0, 60.0)]
    if "po" in model.routes:
        doses.append(Dose("po", 50.0, 30.0))
    if model.nasal is not None:
        doses.append(Dose("in", 56.0, 120.0))
    plan = prepare(model, doses, np.array([weight]))
    return plan.a, list(plan.inputs), plan.central


@pytest.mark.parametrize("model_id", [m.id for m in list_models()])
def test_solver_matches_scipy_expm_for_every_shipped_model(model_id: str) -> None:
    a, inputs, central = _regimen(model_id)
    ours = solve(a, inputs, TIMES, central)
    ref = expm_oracle(a, inputs, TIMES, central)
    # Exact closed forms and expm "agree to machine precision" (pharmacokinetics.md §4);
    # brief: relative difference at most 1e-9.
    mask = ref > 1e-12
    assert np.all(np.abs(ours[mask] - ref[mask]) / ref[mask] <= 1e-9)
    assert np.all(np.abs(ours[~mask]) <= 1e-12)


@pytest.mark.parametrize("model_id", ["domino1982", "kamp2020", "perez-ruixo2021"])
def test_solver_matches_a_tight_ode_solve(model_id: str) -> None:
    a, inputs, central = _regimen(model_id)
    times = TIMES[TIMES > 0]
    ours = solve(a, inputs, times, central)[0]
    ref = ode_oracle(a[0], inputs, times, central)
    # LSODA/DOP853 at a tight tolerance agree to ~1e-11 (pharmacokinetics.md §4); bound 1e-9.
    assert np.all(np.abs(ours - ref) / ref <= 1e-9)


def test_vectorised_patients_match_one_at_a_time() -> None:
    model = get_model("kamp2020")
    weights = np.array([45.0, 70.0, 120.0])
    plan = prepare(model, [Dose("iv", 35.0, 0.0, 40.0)], weights)
    together = solve(plan.a, plan.inputs, TIMES, plan.central)
    for i, w in enumerate(weights):
        one = prepare(model, [Dose("iv", 35.0, 0.0, 40.0)], np.array([w]))
        alone = solve(one.a, one.inputs, TIMES, one.central)[0]
        np.testing.assert_allclose(together[i], alone, rtol=1e-12, atol=0)


def _random_model(seed: int, n: int) -> np.ndarray:
    """A random mammillary model with a depot: central 0, peripherals 1..n-2, depot n-1."""
    rng = np.random.default_rng(seed)
    a = np.zeros((n, n))
    k10 = rng.uniform(0.005, 0.5)
    a[0, 0] -= k10
    for j in range(1, n - 1):
        k1j, kj1 = rng.uniform(0.001, 0.6, 2)
        a[0, 0] -= k1j
        a[j, 0] += k1j
        a[j, j] -= kj1
        a[0, j] += kj1
    ka = rng.uniform(0.01, 0.3)
    a[n - 1, n - 1] = -ka
    a[0, n - 1] = ka
    return a[None]


inputs_strategy = st.lists(
    st.tuples(
        st.floats(0.1, 500.0),  # amount
        st.floats(0.0, 300.0),  # start
        st.sampled_from([0.0, 0.0, 5.0, 40.0, 90.0]),  # duration
        st.booleans(),  # into the depot instead of the central compartment
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 4), regimen=inputs_strategy)
def test_concentrations_never_go_negative(seed: int, n: int, regimen: list) -> None:
    a = _random_model(seed, n + 1)
    inputs = [
        Input(a.shape[1] - 1 if depot else 0, np.array([amt]), start, dur)
        for amt, start, dur, depot in regimen
    ]
    x = solve(a, inputs, np.linspace(0, 1500, 301), None)
    scale = sum(amt for amt, *_ in regimen)
    assert np.all(x >= -1e-9 * scale)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    regimen=inputs_strategy,
    factor=st.floats(0.01, 100.0),
)
def test_doses_superpose_and_scale_linearly(seed: int, regimen: list, factor: float) -> None:
    a = _random_model(seed, 4)
    inputs = [
        Input(3 if depot else 0, np.array([amt]), start, dur) for amt, start, dur, depot in regimen
    ]
    times = np.linspace(0, 720, 97)
    together = solve(a, inputs, times, 0)
    separately = sum(solve(a, [inp], times, 0) for inp in inputs)
    scaled = solve(
        a,
        [Input(i.compartment, i.amount_mg * factor, i.start_min, i.duration_min) for i in inputs],
        times,
        0,
    )
    peak = np.max(np.abs(together)) + 1e-300
    assert np.max(np.abs(together - separately)) <= 1e-10 * peak
    assert np.max(np.abs(scaled - factor * together)) <= 1e-10 * factor * peak


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 4), regimen=inputs_strategy)
def test_mass_is_conserved_with_an_elimination_sink(seed: int, n: int, regimen: list) -> None:
    a = _random_model(seed, n + 1)
    m = a.shape[1]
    aug = np.zeros((1, m + 1, m + 1))
    aug[:, :m, :m] = a
    aug[0, m, 0] = -a[0, :, 0].sum()  # what leaves the system goes to the sink
    inputs = [
        Input(m - 1 if depot else 0, np.array([amt]), start, dur)
        for amt, start, dur, depot in regimen
    ]
    times = np.linspace(0, 1500, 151)
    total = solve(aug, inputs, times, None)[0].sum(axis=0)
    given_by = np.zeros_like(times)
    for amt, start, dur, _ in regimen:
        given_by += amt * (np.clip((times - start) / dur, 0, 1) if dur > 0 else times >= start)
    np.testing.assert_allclose(total, given_by, rtol=1e-9, atol=1e-9 * sum(r[0] for r in regimen))


def test_a_lagged_dose_is_the_same_curve_shifted() -> None:
    a = _random_model(3, 4)
    times = np.linspace(0, 600, 121)
    base = solve(a, [Input(3, np.array([10.0]), 0.0)], times, 0)[0]
    lagged = solve(a, [Input(3, np.array([10.0]), 15.0)], times + 15.0, 0)[0]
    np.testing.assert_allclose(lagged, base, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("model_id", ["domino1982", "kamp2020", "hijazi2003", "fanta2015"])
@pytest.mark.parametrize("route", ["iv", "po"])
def test_closed_form_roots_match_the_eigen_path(model_id: str, route: str) -> None:
    model = get_model(model_id)
    weights = np.linspace(40.0, 140.0, 7)
    doses = [Dose("iv", 30.0, 0.0, 40.0), Dose(route, 20.0, 90.0)]
    plan = prepare(model, doses, weights)
    closed = solve(plan.a, plan.inputs, TIMES, plan.central, method="mammillary")
    general = solve(plan.a, plan.inputs, TIMES, plan.central, method="eig")
    np.testing.assert_allclose(closed, general, rtol=1e-10, atol=1e-13)


def test_the_closed_form_refuses_a_non_mammillary_model() -> None:
    plan = prepare(get_model("perez-ruixo2021"), [Dose("in", 56.0)], np.array([70.0]))
    with pytest.raises(ValueError, match="mammillary"):
        solve(plan.a, plan.inputs, TIMES, plan.central, method="mammillary")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 5), regimen=inputs_strategy)
def test_closed_form_matches_expm_on_random_mammillary_models(
    seed: int, n: int, regimen: list
) -> None:
    a = _random_model(seed, n)
    inputs = [
        Input(n - 1 if depot else 0, np.array([amt]), start, dur)
        for amt, start, dur, depot in regimen
    ]
    times = np.array([30.0, 700.0])
    ours = solve(a, inputs, times, 0)
    ref = expm_oracle(a, inputs, times, 0)
    assert np.all(np.abs(ours - ref) <= 1e-8 * np.abs(ref) + 1e-12 * sum(r[0] for r in regimen))


@pytest.mark.parametrize("model_id", ["domino1982", "perez-ruixo2021"])
def test_uniform_grid_shortcut_matches_pointwise_exponentials(model_id: str) -> None:
    model = get_model(model_id)
    route = "in" if model.nasal is not None else "iv"
    doses = [Dose("iv", 35.0, 0.0, 40.0), Dose(route, 56.0, 300.0)]
    plan = prepare(model, doses, np.array([60.0, 90.0]))
    grid = np.arange(0.0, 1441.0, 1.0)
    on_grid = solve(plan.a, plan.inputs, grid, plan.central)
    # the same times one at a time never take the grid path
    pointwise = np.stack(
        [
            solve(plan.a, plan.inputs, grid[i : i + 1], plan.central)[:, 0]
            for i in range(0, 1441, 37)
        ],
        axis=1,
    )
    np.testing.assert_allclose(on_grid[:, ::37], pointwise, rtol=1e-11, atol=1e-15)


def test_large_batches_are_split_without_changing_the_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(solver, "_BLOCK_POINTS", 1024)  # blocks of 256 patients here
    model = get_model("kamp2020")
    weights = np.linspace(40.0, 150.0, 9001)
    plan = prepare(model, [Dose("iv", 35.0, 0.0, 40.0)], weights)
    whole = solve(plan.a, plan.inputs, TIMES, plan.central)
    first = solve(
        plan.a[:10],
        [Input(0, i.amount_mg[:10], 0.0, 40.0) for i in plan.inputs],
        TIMES,
        plan.central,
    )
    assert whole.shape == (9001, TIMES.size)
    np.testing.assert_allclose(whole[:10], first, rtol=1e-13)


def test_patients_sharing_one_rate_matrix_are_scaled_unit_responses() -> None:
    # Linear weight scaling: every patient has the same rate matrix; the shared path must equal
    # the per-patient closed form (exact by linearity).
    model = get_model("domino1982")
    weights = np.array([50.0, 80.0, 110.0])
    plan = prepare(model, [Dose("iv", 35.0, 0.0, 40.0), Dose("im", 10.0, 60.0)], weights)
    shared = solve(plan.a, plan.inputs, TIMES, plan.central)
    jittered = plan.a.copy()
    jittered[1:] *= 1.0 + 1e-15  # defeats the equality test, not the arithmetic
    separate = solve(jittered, plan.inputs, TIMES, plan.central)
    np.testing.assert_allclose(shared, separate, rtol=1e-12)


def test_allometric_patients_share_roots_scaled_by_their_rate_factor() -> None:
    # Fanta 2015 scales clearances with weight^0.75 and volumes with weight, so every rate
    # constant goes as weight^-0.25: each patient's matrix is a multiple of the first one and the
    # solver reuses one set of roots (exponents times the factor, same modal weights). It must
    # agree with roots computed patient by patient and with expm (brief: within 1e-9). (An oral
    # dose adds a depot whose assumed absorption rate does not scale, and the shortcut is off.)
    model = get_model("fanta2015")
    weights = np.array([45.0, 63.0, 70.0, 98.0, 120.0])
    plan = prepare(model, [Dose("iv", 30.0, 0.0, 40.0), Dose("iv", 5.0, 90.0)], weights)
    scale = solver._common_scale(plan.a)
    assert scale is not None
    # relative to the first patient: (w / w0)^-0.25
    np.testing.assert_allclose(scale, (weights / weights[0]) ** -0.25, rtol=1e-14)
    shared = solve(plan.a, plan.inputs, TIMES, plan.central)
    per_patient = solve(plan.a, plan.inputs, TIMES, plan.central, method="mammillary")
    np.testing.assert_allclose(shared, per_patient, rtol=1e-12, atol=1e-15)
    ref = expm_oracle(plan.a, list(plan.inputs), TIMES, plan.central)
    mask = ref > 1e-12
    assert np.all(np.abs(shared[mask] - ref[mask]) / ref[mask] <= 1e-9)


def test_matrices_that_are_not_multiples_get_their_own_roots() -> None:
    model = get_model("fanta2015")
    oral = prepare(model, [Dose("po", 20.0)], np.array([60.0, 90.0]))
    assert solver._common_scale(oral.a) is None  # the depot rate does not scale with weight
    plan = prepare(model, [Dose("iv", 30.0, 0.0, 40.0)], np.array([60.0, 90.0]))
    a = plan.a.copy()
    a[1, 0, 0] *= 1.0 + 1e-9  # elimination changed for patient 2 only
    assert solver._common_scale(a) is None
    auto = solve(a, plan.inputs, TIMES, plan.central)
    ref = expm_oracle(a, list(plan.inputs), TIMES, plan.central)
    mask = ref > 1e-12
    assert np.all(np.abs(auto[mask] - ref[mask]) / ref[mask] <= 1e-9)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    start=st.sampled_from([0.0, 5.0]),
    duration=st.sampled_from([0.0, 1e-3, 2.0, 40.0]),
)
def test_allometric_few_times_match_the_general_modal_evaluation(
    seed: int, start: float, duration: float
) -> None:
    # The allometric few-times path (one row of patients per time and mode, exp(x) - 1 for
    # expm1(x) when |x| >= 0.01) must equal the general modal evaluation with the scaled exponents
    # (np.expm1 everywhere): the only difference is rounding, bounded by about 1e-14 relative.
    rng = np.random.default_rng(seed)
    model = get_model("fanta2015")
    weights = rng.uniform(45.0, 120.0, 7)
    a, _ = model.build(weights)
    c = model.index(model.central)
    times = np.sort(np.concatenate([rng.uniform(0.0, 600.0, 5), [0.0, 1e-4, 5.0, 45.0]]))
    inputs = [
        Input(c, 0.5 * weights, start, duration),
        Input(c, np.full(7, 3.0), 50.0),  # a later bolus
    ]
    scale = solver._common_scale(a)
    assert scale is not None
    lam0, coefs0 = solver.mammillary_modes(a[:1], c, [c]) or (None, None)
    assert lam0 is not None and coefs0 is not None
    lam = lam0 * scale[:, None]
    general = solver.evaluate(lam, {c: np.broadcast_to(coefs0[c], lam.shape)}, inputs, times)
    fast = solve(a, inputs, times, c)
    np.testing.assert_allclose(fast, general, rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("model_id", ["fanta2015", "domino1982", "kamp2020"])
@pytest.mark.parametrize("n_times", [6, 200])
def test_one_matrix_and_a_scale_per_patient_equals_the_built_matrices(
    model_id: str, n_times: int
) -> None:
    # build_scaled gives one matrix at the reference weight and a factor per patient
    # ((w / 70)^-0.25 for Fanta's allometric set, 1 for the linear sets); solve(..., scale=...)
    # must give what the materialised matrices give (build), which are tested against expm
    # above: the two differ only by rounding (brief: 1e-9; measured about 1e-15).
    model = get_model(model_id)
    weights = np.array([45.0, 63.0, 70.0, 98.0, 120.0])
    a_ref, scale, vols = model.build_scaled(weights)
    a, vols_built = model.build(weights)
    np.testing.assert_allclose(np.multiply.outer(scale, a_ref[0]), a, rtol=1e-14)
    np.testing.assert_array_equal(vols, vols_built)
    c = model.index(model.central)
    inputs = [Input(c, 0.5 * weights, 0.0, 40.0), Input(c, np.full(5, 3.0), 90.0)]
    times = np.linspace(0.0, 480.0, n_times) if n_times > 6 else SIX_TIMES
    fast = solve(a_ref, inputs, times, c, scale=scale)
    built = solve(a, inputs, times, c)
    np.testing.assert_allclose(fast, built, rtol=1e-12, atol=1e-300)


def test_a_scale_needs_one_matrix_and_positive_factors() -> None:
    model = get_model("fanta2015")
    a, _ = model.build(np.array([60.0, 90.0]))
    c = model.index(model.central)
    dose = [Input(c, np.ones(2), 0.0)]
    with pytest.raises(ValueError, match="scale"):
        solve(a, dose, SIX_TIMES, c, scale=np.ones(2))
    with pytest.raises(ValueError, match="scale"):
        solve(a[:1], dose, SIX_TIMES, c, scale=np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="scale"):
        solve(a[:1], dose, SIX_TIMES, c, scale=np.array([]))
