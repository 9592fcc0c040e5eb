"""ganviz.fitting against closed forms, scipy quadrature and the scalar core."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize, special

import ganviz as gv
from ganviz.fitting import (
    ModeReport,
    _lattice,
    _Objective,
    _theta_of,
    fit_gaussian,
    gradient_curves,
    gradient_vs_separation,
    mode_report,
    mode_std,
    trapezoid_grid,
)

# -- forward KL: moment matching in closed form ----------------------------------------------


def test_forward_kl_is_moment_matching_in_1d():
    means, stds, weights = np.array([-3.0, 0.5, 4.0]), np.array([0.5, 1.0, 0.3]), [1, 2, 1]
    data = gv.Mixture([gv.Gaussian(m, s) for m, s in zip(means, stds, strict=True)], weights)
    w = np.array(weights) / 4
    mean = w @ means
    var = w @ (stds**2 + means**2) - mean**2  # law of total variance
    fit = fit_gaussian(data, "kl_forward")
    assert fit.gaussian.mean == pytest.approx(mean, abs=1e-12)
    assert fit.gaussian.std == pytest.approx(math.sqrt(var), rel=1e-12)
    assert fit.result.success and fit.result.nit == 0
    assert fit.value == pytest.approx(gv.kl_divergence(data, fit.gaussian), rel=1e-12)


def test_forward_kl_closed_form_is_the_numerical_minimum():
    data = gv.line_of_gaussians(3, spacing=3.0, std=0.6, weights=[1, 1, 2])
    fit = fit_gaussian(data, "kl_forward")

    def forward(theta):
        return gv.kl_divergence(data, gv.Gaussian(theta[0], math.exp(theta[1])))

    numeric = optimize.minimize(forward, [0.3, 0.5], method="BFGS", options={"gtol": 1e-8})
    assert numeric.x[0] == pytest.approx(fit.gaussian.mean, abs=1e-4)
    assert math.exp(numeric.x[1]) == pytest.approx(fit.gaussian.std, rel=1e-4)


def test_forward_kl_is_moment_matching_in_2d():
    ring = gv.ring_of_gaussians(6, radius=2.0, std=0.3, weights=[3, 1, 1, 1, 1, 1])
    centres = gv.mixture_centres(ring)
    w = ring.weights
    mean = w @ centres
    second = sum(wi * (0.09 * np.eye(2) + np.outer(c, c)) for wi, c in zip(w, centres, strict=True))
    fit = fit_gaussian(ring, "kl_forward")
    np.testing.assert_allclose(fit.gaussian.mean, mean, atol=1e-12)
    np.testing.assert_allclose(fit.gaussian.covariance, second - np.outer(mean, mean), atol=1e-12)


# -- reverse KL seeks a mode, forward KL covers ----------------------------------------------


def test_reverse_kl_locks_onto_one_mode_in_1d():
    data = gv.line_of_gaussians(3, spacing=5.0, std=0.5)
    fit = fit_gaussian(data, "kl_reverse")
    centres = gv.mixture_centres(data)
    assert np.min(np.abs(centres - fit.gaussian.mean)) < 0.02
    assert fit.gaussian.std == pytest.approx(0.5, rel=0.02)
    # a Gaussian equal to one of three far-apart modes: KL(q‖p) ≈ log 3
    assert fit.value == pytest.approx(math.log(3), abs=1e-3)
    covering = fit_gaussian(data, "kl_forward").gaussian
    assert gv.kl_divergence(covering, data) > fit.value + 1.0
    assert covering.std > 3.0


def test_reverse_kl_fit_is_a_local_minimum_of_the_core_divergence():
    data = gv.line_of_gaussians(2, spacing=3.0, std=0.8, weights=[2, 1])
    fit = fit_gaussian(data, "kl_reverse")
    mu, sd = fit.gaussian.mean, fit.gaussian.std
    best = gv.kl_divergence(fit.gaussian, data)
    for dmu, dsd in [(0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05)]:
        assert gv.kl_divergence(gv.Gaussian(mu + dmu, sd * (1 + dsd)), data) > best
    # the heavier mode wins
    assert mu < 0


def test_reverse_kl_on_a_ring_seeks_one_mode_with_its_covariance():
    ring = gv.ring_of_gaussians(8, radius=2.0, std=0.2)
    fit = fit_gaussian(ring, "kl_reverse")
    distances = np.linalg.norm(gv.mixture_centres(ring) - fit.gaussian.mean, axis=1)
    assert distances.min() < 0.02
    np.testing.assert_allclose(fit.gaussian.covariance, 0.04 * np.eye(2), atol=2e-3)
    assert fit.value == pytest.approx(math.log(8), abs=2e-3)


def test_js_fit_minimises_js_among_the_alternatives():
    data = gv.line_of_gaussians(3, spacing=4.0, std=0.5)
    fit = fit_gaussian(data, "js")
    one_mode = gv.Gaussian(4.0, 0.5)
    covering = fit_gaussian(data, "kl_forward").gaussian
    assert fit.value <= gv.js_divergence(data, one_mode) + 1e-9
    assert fit.value <= gv.js_divergence(data, covering) + 1e-9
    assert fit.value == pytest.approx(gv.js_divergence(data, fit.gaussian), rel=1e-12)
    mu, sd = fit.gaussian.mean, fit.gaussian.std
    for dmu, dsd in [(0.05, 0), (-0.05, 0), (0, 0.03), (0, -0.03)]:
        assert gv.js_divergence(data, gv.Gaussian(mu + dmu, sd * (1 + dsd))) > fit.value


def test_js_seeks_a_mode_when_the_modes_are_narrow():
    """JS between two-thirds disjoint pieces: one mode (≈ 0.50) beats covering (≈ log 2)."""
    ring = gv.ring_of_gaussians(8, radius=2.0, std=0.1)
    fit = fit_gaussian(ring, "js")
    assert np.linalg.norm(gv.mixture_centres(ring) - fit.gaussian.mean, axis=1).min() < 0.05
    assert fit.value < 0.55


def test_start_runs_one_optimisation_from_there():
    data = gv.line_of_gaussians(3, spacing=5.0, std=0.5)
    fit = fit_gaussian(data, "kl_reverse", start=(4.0, 1.0))
    assert fit.starts == 1
    assert fit.gaussian.mean == pytest.approx(5.0, abs=0.02)
    fit = fit_gaussian(data, "kl_reverse", start=gv.Gaussian(-4.0, 0.7))
    assert fit.gaussian.mean == pytest.approx(-5.0, abs=0.02)


@pytest.mark.parametrize(
    ("data", "theta"),
    [
        (gv.line_of_gaussians(3, spacing=4.0, std=0.5), np.array([0.7, 0.3])),
        (
            gv.ring_of_gaussians(5, radius=1.5, std=0.3),
            _theta_of([0.5, 1.2], [[0.5, 0.1], [0.1, 0.3]], 2),
        ),
    ],
)
@pytest.mark.parametrize("divergence", ["kl_reverse", "js"])
def test_objective_gradient_matches_finite_differences(data, theta, divergence):
    objective = _Objective(data, divergence, _lattice(data))
    _, grad = objective(theta)
    step = 1e-5
    numeric = [
        (objective(theta + step * e)[0] - objective(theta - step * e)[0]) / (2 * step)
        for e in np.eye(len(theta))
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("divergence", ["kl_reverse", "js"])
def test_objective_value_matches_the_core(divergence):
    data = gv.ring_of_gaussians(5, radius=1.5, std=0.3)
    q = gv.Gaussian([0.4, 0.9], cov=[[0.5, 0.1], [0.1, 0.3]])
    value, _ = _Objective(data, divergence, _lattice(data))(_theta_of(q.mean, q.covariance, 2))
    expected = (
        gv.kl_divergence(q, data) if divergence == "kl_reverse" else gv.js_divergence(data, q)
    )
    # the fit's fixed lattice guides the optimiser; the reported value uses the core's grid
    assert value == pytest.approx(expected, rel=1e-3)


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError, match="divergence must be one of"):
        fit_gaussian(gv.Gaussian(0, 1), "tv")
    with pytest.raises(ValueError, match="positive everywhere"):
        fit_gaussian(gv.Uniform(-1, 1), "kl_reverse")
    with pytest.raises(ValueError, match="p_data must be a ganviz distribution"):
        fit_gaussian([0.0, 1.0], "js")
    with pytest.raises(ValueError, match="start must be"):
        fit_gaussian(gv.Gaussian(0, 1), "js", start="middle")
    with pytest.raises(ValueError, match="max_starts"):
        fit_gaussian(gv.Gaussian(0, 1), "js", max_starts=0)
    # a uniform P_data is fine for JS and forward KL
    fit = fit_gaussian(gv.Uniform(-1, 1), "js")
    assert fit.gaussian.mean == pytest.approx(0.0, abs=1e-3)


# -- gradient curves ---------------------------------------------------------------------------


PAIRS = [
    (gv.Gaussian(0, 1), gv.Gaussian(0, 1)),
    (gv.Gaussian(0, 0.4), gv.Gaussian(0, 1.7)),
    (gv.Gaussian(0, 0.2), gv.Gaussian(0, 0.2)),
    (gv.line_of_gaussians(3, 2.0, 0.5), gv.Gaussian(0, 1)),
    (gv.Uniform(-1, 1), gv.Uniform(-0.5, 0.5)),
]


@pytest.mark.parametrize(("data", "base"), PAIRS, ids=lambda d: repr(d)[:30])
def test_gradient_curves_equal_the_scalar_core(data, base):
    seps = np.array([0.1, 0.7, 2.0, 4.5, 8.0, 12.0])
    curves = gradient_curves(data, base, seps)
    for loss in gv.LOSSES:
        expected = np.array([gv.generator_gradient(data, base.shift(s), loss) for s in seps])
        tolerance = 1e-9 if loss == "wasserstein" else 1e-7
        np.testing.assert_allclose(curves[loss], expected, rtol=tolerance, atol=1e-300)
        np.testing.assert_array_equal(gradient_vs_separation(data, base, seps, loss), curves[loss])


def _equal_variance_reference(delta, sigma, loss):
    """(Δ/σ²)·E_q[D*] or (Δ/σ²)·E_q[1 − D*] for N(0, σ²) vs N(Δ, σ²), by scipy quadrature."""

    def integrand(x):
        s = ((x - delta) ** 2 - x**2) / (2 * sigma**2)  # log p_data − log p_g
        factor = special.expit(s) if loss == "minimax" else special.expit(-s)
        q = math.exp(-((x - delta) ** 2) / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi))
        return q * factor

    lo, hi = min(-10 * sigma, delta - 10 * sigma), max(10 * sigma, delta + 10 * sigma)
    value, _ = integrate.quad(integrand, lo, hi, points=[delta / 2], limit=400, epsabs=0)
    return delta / sigma**2 * value


@pytest.mark.parametrize("sigma", [0.7, 1.5])
def test_gradient_curves_match_equal_variance_closed_forms(sigma):
    seps = np.array([0.5, 2.0, 5.0, 9.0])
    curves = gradient_curves(gv.Gaussian(0, sigma), gv.Gaussian(0, sigma), seps)
    for loss in ("minimax", "nonsaturating"):
        expected = [_equal_variance_reference(d, sigma, loss) for d in seps]
        np.testing.assert_allclose(curves[loss], expected, rtol=1e-7)
    np.testing.assert_allclose(curves["wasserstein"], np.sign(seps))
    np.testing.assert_allclose(
        gradient_curves(gv.Gaussian(0, sigma), gv.Gaussian(0, sigma), -seps)["wasserstein"], -1.0
    )


def test_far_minimax_gradient_is_resolved_not_rounded_to_zero():
    """Δ/σ = 60: the minimax gradient is ~1e-195, far below double precision of 1 − D*."""
    curves = gradient_curves(gv.Gaussian(0, 0.2), gv.Gaussian(0, 0.2), [12.0])
    tiny = curves["minimax"][0]
    assert 1e-200 < tiny < 1e-190
    assert tiny == pytest.approx(
        gv.generator_gradient(gv.Gaussian(0, 0.2), gv.Gaussian(12, 0.2), "minimax"), rel=1e-6
    )
    assert curves["nonsaturating"][0] == pytest.approx(12.0 / 0.04, rel=1e-9)


def test_uniform_supports_give_exactly_zero_d_star_gradients():
    curves = gradient_curves(gv.Uniform(-1, 1), gv.Uniform(-1, 1), [0.5, 3.0, 6.0])
    np.testing.assert_array_equal(curves["minimax"], 0.0)
    np.testing.assert_array_equal(curves["nonsaturating"], 0.0)
    np.testing.assert_allclose(curves["wasserstein"], 1.0)


def test_gradient_curves_reject_bad_input():
    with pytest.raises(ValueError, match="1-D only"):
        gradient_curves(gv.Gaussian([0, 0]), gv.Gaussian([1, 0]), [1.0])
    with pytest.raises(ValueError, match="loss must be one of"):
        gradient_vs_separation(gv.Gaussian(0, 1), gv.Gaussian(0, 1), [1.0], "hinge")
    with pytest.raises(ValueError, match="separations"):
        gradient_curves(gv.Gaussian(0, 1), gv.Gaussian(0, 1), [1.0, np.nan])
    assert gradient_curves(gv.Gaussian(0, 1), gv.Gaussian(0, 1), [])["minimax"].shape == (0,)


# -- mode report ----------------------------------------------------------------------------------


def _subset_js(k, m):
    """JS between K equal far-apart modes and an equal mixture of m of them."""
    p, q = 1 / k, 1 / m
    covered = p * math.log(2 * p / (p + q)) + q * math.log(2 * q / (p + q))
    return 0.5 * ((k - m) * p * math.log(2) + m * covered)


@pytest.mark.parametrize(("dim", "k", "m"), [(1, 5, 2), (2, 8, 3), (2, 6, 6)])
def test_mode_report_matches_closed_forms_for_far_modes(dim, k, m):
    data = (
        gv.line_of_gaussians(k, spacing=6.0, std=0.3)
        if dim == 1
        else gv.ring_of_gaussians(k, radius=4.0, std=0.2)
    )
    p_g = gv.Mixture(data.components[:m])
    report = mode_report(data, p_g, n_samples=600, seed=1)
    assert isinstance(report, ModeReport)
    assert report.kl_g_data == pytest.approx(math.log(k / m), abs=1e-6)
    assert report.js == pytest.approx(_subset_js(k, m), abs=1e-6)
    assert report.modes_covered == m and report.n_modes == k
    assert np.all(report.counts[:m] > 0) and np.all(report.counts[m:] == 0)
    centres, std = gv.mixture_centres(data), mode_std(data)
    assert (report.modes_covered, report.high_quality) == tuple(
        gv.mode_coverage(report.samples, centres, std)
    )
    if m < k:
        assert report.kl_data_g > 10  # missing a mode costs (distance/σ)²/2 nats per missed mass
    else:
        assert report.kl_data_g == pytest.approx(0.0, abs=1e-9)


def test_trapezoid_grid_agrees_with_the_adaptive_core_grid():
    ring = gv.ring_of_gaussians(8, radius=2.0, std=0.2)
    for p_g in (gv.Mixture(ring.components[:3]), fit_gaussian(ring, "kl_reverse").gaussian):
        grid = trapezoid_grid(ring, p_g)
        fast, slow = mode_report(ring, p_g, grid=grid), mode_report(ring, p_g)
        assert len(grid) < 10_000
        assert fast.js == pytest.approx(slow.js, rel=1e-6)
        assert fast.kl_data_g == pytest.approx(slow.kl_data_g, rel=1e-3)
        assert fast.kl_g_data == pytest.approx(slow.kl_g_data, rel=1e-4)


def test_moved_names_stay_importable_from_fitting():
    import ganviz.fitting as fitting
    import ganviz.gradients as gradients
    import ganviz.modes as modes

    assert fitting.gradient_curves is gradients.gradient_curves is gv.gradient_curves
    assert fitting.gradient_vs_separation is gradients.gradient_vs_separation
    assert fitting.mode_report is modes.mode_report is gv.mode_report
    assert fitting.ModeReport is modes.ModeReport and fitting.mode_std is modes.mode_std
