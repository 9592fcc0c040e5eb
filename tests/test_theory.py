"""D*, JS, KL, TV, V and W1 against closed forms, scipy quadrature and scipy's own metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.spatial.distance import jensenshannon

import ganviz as gv
from ganviz.theory import optimal_discriminator_from_logpdfs

LOG2 = math.log(2)


def quad(f, lo, hi, points=None):
    return integrate.quad(f, lo, hi, limit=800, epsabs=1e-13, epsrel=1e-11, points=points)[0]


def js_by_quadrature(p, q, lo, hi, points=None):
    """JS from its definition with scipy.stats densities and adaptive quadrature."""

    def term(x, a, b):
        pa, pb = a(x), b(x)
        return 0.0 if pa == 0 else pa * math.log(2 * pa / (pa + pb))

    return 0.5 * (
        quad(lambda x: term(x, p, q), lo, hi, points)
        + quad(lambda x: term(x, q, p), lo, hi, points)
    )


# -- the optimal discriminator -----------------------------------------------


def test_optimal_discriminator_is_the_density_ratio():
    data, fake = gv.Gaussian(0, 1), gv.Mixture([gv.Gaussian(-1, 0.5), gv.Gaussian(2, 1)])
    x = np.linspace(-4, 4, 33)
    p = stats.norm(0, 1).pdf(x)
    q = 0.5 * stats.norm(-1, 0.5).pdf(x) + 0.5 * stats.norm(2, 1).pdf(x)
    np.testing.assert_allclose(gv.optimal_discriminator(data, fake, x), p / (p + q), rtol=1e-12)


def test_optimal_discriminator_is_one_half_when_distributions_agree_or_vanish():
    g = gv.Gaussian([1, 1], cov=[[1, 0.3], [0.3, 2]])
    x = np.random.default_rng(0).normal(size=(20, 2))
    np.testing.assert_allclose(gv.optimal_discriminator(g, g, x), 0.5)
    a, b = gv.Uniform(0, 1), gv.Uniform(2, 3)
    np.testing.assert_allclose(gv.optimal_discriminator(a, b, [0.5, 2.5, 5.0]), [1.0, 0.0, 0.5])


def test_optimal_discriminator_from_log_densities_is_the_density_ratio():
    x = np.linspace(-4, 4, 33)
    p, q = stats.norm(0, 1), stats.norm(1.5, 0.5)
    d = optimal_discriminator_from_logpdfs(p.logpdf(x), q.logpdf(x))
    np.testing.assert_allclose(d, p.pdf(x) / (p.pdf(x) + q.pdf(x)), rtol=1e-12)
    # ½ where both densities vanish, 1 and 0 where only one does
    inf = -np.inf
    np.testing.assert_array_equal(
        optimal_discriminator_from_logpdfs([inf, 0.0, inf], [inf, inf, 0.0]), [0.5, 1.0, 0.0]
    )
    with pytest.raises(ValueError, match="one shape"):
        optimal_discriminator_from_logpdfs(np.zeros(3), np.zeros(4))


def test_optimal_discriminator_far_apart_gives_zero_and_one_not_nan():
    d = gv.optimal_discriminator(gv.Gaussian(0, 1), gv.Gaussian(200, 1), [0.0, 200.0])
    np.testing.assert_array_equal(d, [1.0, 0.0])


def test_optimal_discriminator_maximises_the_pointwise_objective():
    """D* maximises a·log y + b·log(1 − y) over y: the one-line proof, numerically."""
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(1, 2)
    x = np.array([-1.0, 0.3, 2.5])
    a, b = stats.norm(0, 1).pdf(x), stats.norm(1, 2).pdf(x)
    y = np.linspace(1e-4, 1 - 1e-4, 200_001)[:, None]
    best = y[np.argmax(a * np.log(y) + b * np.log(1 - y), axis=0), 0]
    np.testing.assert_allclose(gv.optimal_discriminator(data, fake, x), best, atol=1e-5)


# -- Jensen–Shannon ---------------------------------------------------------------


@pytest.mark.parametrize("shift", [0.0, 0.3, 1.0, 2.5, 6.0])
@pytest.mark.parametrize("std_g", [1.0, 0.4])
def test_js_of_shifted_gaussians_matches_scipy_quadrature(shift, std_g):
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(shift, std_g)
    ref = js_by_quadrature(
        stats.norm(0, 1).pdf, stats.norm(shift, std_g).pdf, -15, 15 + shift, points=[0, shift]
    )
    assert abs(gv.js_divergence(data, fake) - ref) <= 1e-6  # the issue asks for 1e-4


def test_js_uniform_against_gaussian_matches_quadrature():
    data, fake = gv.Uniform(-1, 2), gv.Gaussian(0.5, 0.8)
    ref = js_by_quadrature(stats.uniform(-1, 3).pdf, stats.norm(0.5, 0.8).pdf, -10, 10, [-1, 2])
    assert abs(gv.js_divergence(data, fake) - ref) <= 1e-6


def test_js_of_mixtures_matches_scipy_jensenshannon_on_a_fine_grid():
    data = gv.Mixture([gv.Gaussian(-2, 0.3), gv.Gaussian(1, 0.8), gv.Gaussian(3, 0.2)], [1, 2, 1])
    fake = gv.Mixture([gv.Gaussian(-1, 1.0), gv.Gaussian(2.5, 0.5)], [3, 1])
    x = np.linspace(-9, 9, 400_001)
    p = (
        0.25 * stats.norm(-2, 0.3).pdf(x)
        + 0.5 * stats.norm(1, 0.8).pdf(x)
        + 0.25 * stats.norm(3, 0.2).pdf(x)
    )
    q = 0.75 * stats.norm(-1, 1.0).pdf(x) + 0.25 * stats.norm(2.5, 0.5).pdf(x)
    ref = jensenshannon(p, q) ** 2  # scipy returns the square root of JS (in nats by default)
    assert abs(gv.js_divergence(data, fake) - ref) <= 1e-6


def test_js_in_2d_matches_scipy_jensenshannon():
    data = gv.Gaussian([0, 0], cov=[[1.0, 0.4], [0.4, 0.8]])
    fake = gv.Mixture([gv.Gaussian([1.5, 0], std=0.6), gv.Gaussian([-1, 1], std=0.5)])
    xs = np.linspace(-8, 8, 1201)
    gx, gy = np.meshgrid(xs, xs)
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
    p = stats.multivariate_normal([0, 0], [[1.0, 0.4], [0.4, 0.8]]).pdf(pts)
    q = 0.5 * stats.multivariate_normal([1.5, 0], 0.36 * np.eye(2)).pdf(pts)
    q += 0.5 * stats.multivariate_normal([-1, 1], 0.25 * np.eye(2)).pdf(pts)
    ref = jensenshannon(p, q) ** 2
    assert abs(gv.js_divergence(data, fake) - ref) <= 1e-5


def test_js_bounds_and_saturation():
    g = gv.Gaussian(0, 1)
    assert gv.js_divergence(g, g) == pytest.approx(0.0, abs=1e-12)
    assert gv.js_divergence(g, gv.Gaussian(60, 1)) == pytest.approx(LOG2, abs=1e-12)
    assert gv.js_divergence(gv.Uniform(0, 1), gv.Uniform(1, 2)) == pytest.approx(LOG2, abs=1e-12)


def test_two_dimensional_isotropic_shift_equals_one_dimensional_shift():
    for shift in [0.5, 2.0, 4.0]:
        one = gv.js_divergence(gv.Gaussian(0, 1), gv.Gaussian(shift, 1))
        two = gv.js_divergence(gv.Gaussian([0, 0], std=1), gv.Gaussian([shift, 0], std=1))
        diag = gv.js_divergence(
            gv.Gaussian([0, 0], std=1), gv.Gaussian([shift / math.sqrt(2)] * 2, std=1)
        )
        assert two == pytest.approx(one, abs=2e-6)
        assert diag == pytest.approx(one, abs=2e-6)


# -- KL, TV --------------------------------------------------------------------------


def kl_gauss(m1, s1, m2, s2):
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


@pytest.mark.parametrize(("m1", "s1", "m2", "s2"), [(0, 1, 1, 1), (0, 1, 0, 3), (2, 0.3, -1, 1.7)])
def test_kl_of_gaussians_matches_closed_form(m1, s1, m2, s2):
    p, q = gv.Gaussian(m1, s1), gv.Gaussian(m2, s2)
    assert gv.kl_divergence(p, q) == pytest.approx(kl_gauss(m1, s1, m2, s2), rel=1e-9, abs=1e-12)
    assert gv.kl_divergence(q, p) == pytest.approx(kl_gauss(m2, s2, m1, s1), rel=1e-9, abs=1e-12)


def test_kl_of_2d_gaussians_matches_closed_form():
    m1, c1 = np.array([0.0, 1.0]), np.array([[1.0, 0.3], [0.3, 0.5]])
    m2, c2 = np.array([1.0, -0.5]), np.array([[2.0, -0.4], [-0.4, 1.0]])
    inv2 = np.linalg.inv(c2)
    d = m2 - m1
    closed = 0.5 * (
        np.trace(inv2 @ c1) + d @ inv2 @ d - 2 + math.log(np.linalg.det(c2) / np.linalg.det(c1))
    )
    value = gv.kl_divergence(gv.Gaussian(m1, cov=c1), gv.Gaussian(m2, cov=c2))
    assert value == pytest.approx(closed, rel=1e-6)


def test_kl_is_infinite_where_support_is_not_covered():
    assert gv.kl_divergence(gv.Gaussian(0, 1), gv.Uniform(-50, 50)) == math.inf
    assert gv.kl_divergence(gv.Uniform(0, 2), gv.Uniform(0, 1)) == math.inf
    assert gv.kl_divergence(gv.Uniform(0, 1), gv.Uniform(0, 2)) == pytest.approx(LOG2, abs=1e-12)
    assert gv.kl_divergence(gv.Uniform(0, 1), gv.Gaussian(0, 1)) == pytest.approx(
        quad(lambda x: -stats.norm.logpdf(x), 0, 1), abs=1e-10
    )


def test_total_variation_of_shifted_gaussians():
    for shift in [0.2, 1.0, 3.0]:
        closed = 2 * stats.norm.cdf(shift / 2) - 1
        assert gv.total_variation(gv.Gaussian(0, 1), gv.Gaussian(shift, 1)) == pytest.approx(
            closed, abs=1e-10
        )
    assert gv.total_variation(gv.Uniform(0, 1), gv.Uniform(0.5, 1.5)) == pytest.approx(0.5)


# -- the value function ----------------------------------------------------------------


@pytest.mark.parametrize("shift", [0.0, 0.7, 2.0, 10.0])
def test_value_at_optimum_equals_two_js_minus_log4(shift):
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(shift, 1.3)
    ref_js = js_by_quadrature(
        stats.norm(0, 1).pdf, stats.norm(shift, 1.3).pdf, -20, 20 + shift, [0, shift]
    )
    value = gv.value_function(data, fake)
    assert value == pytest.approx(2 * ref_js - 2 * LOG2, abs=1e-6)
    assert -math.log(4) - 1e-12 <= value <= 1e-12


def test_value_is_minus_log4_exactly_when_generator_matches_data():
    data = gv.Mixture([gv.Gaussian(-1, 0.5), gv.Uniform(0, 2)])
    assert gv.value_function(data, data) == pytest.approx(-math.log(4), abs=1e-10)
    assert gv.value_function(data, data.shift(0.1)) > -math.log(4) + 1e-4


def test_value_of_a_given_discriminator():
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(2, 1)
    # constant D = 1/2 gives log(1/2) + log(1/2)
    assert gv.value_function(data, fake, lambda x: np.full(len(x), 0.5)) == pytest.approx(
        -math.log(4)
    )

    # a logistic D(x) = σ(1 − x) by quadrature with scipy
    def logits(x):
        return 1.0 - x

    ref = quad(lambda x: stats.norm.pdf(x) * -np.logaddexp(0, -(1 - x)), -15, 15) + quad(
        lambda x: stats.norm.pdf(x, 2) * -np.logaddexp(0, 1 - x), -15, 17
    )
    assert gv.value_function(data, fake, logits, logits=True) == pytest.approx(ref, abs=1e-9)
    # D* is the best discriminator
    assert gv.value_function(data, fake, logits, logits=True) < gv.value_function(data, fake)


def test_value_function_rejects_bad_discriminators():
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(2, 1)
    with pytest.raises(ValueError, match="probabilities"):
        gv.value_function(data, fake, lambda x: np.full(len(x), 2.0))
    with pytest.raises(ValueError, match="NaN"):
        gv.value_function(data, fake, lambda x: np.full(len(x), np.nan))
    with pytest.raises(ValueError, match="one value per point"):
        gv.value_function(data, fake, lambda x: np.zeros(3))


# -- Wasserstein --------------------------------------------------------------------------


def test_w1_closed_forms_in_1d():
    assert gv.wasserstein_distance(gv.Gaussian(0, 1), gv.Gaussian(3, 1)) == pytest.approx(3.0)
    assert gv.wasserstein_distance(gv.Uniform(0, 1), gv.Uniform(0, 2)) == pytest.approx(0.5)
    assert gv.wasserstein_distance(gv.Gaussian(0, 1), gv.Gaussian(1000, 1)) == pytest.approx(1000)


def test_w1_1d_matches_scipy_on_samples_and_on_fine_grid_weights():
    p = gv.Mixture([gv.Gaussian(-2, 0.5), gv.Gaussian(1, 1)], [1, 2])
    q = gv.Gaussian(0.5, 2.0)
    exact = gv.wasserstein_distance(p, q)
    xs = np.linspace(-15, 15, 200_001)
    grid_ref = stats.wasserstein_distance(xs, xs, p.pdf(xs), q.pdf(xs))
    assert exact == pytest.approx(grid_ref, abs=1e-5)
    sample_ref = stats.wasserstein_distance(p.sample(200_000, seed=1), q.sample(200_000, seed=2))
    assert exact == pytest.approx(sample_ref, abs=0.02)


def test_w1_2d_translation_is_exact_and_product_measures_reduce_to_1d():
    a = gv.Gaussian([0, 0], cov=[[1.0, 0.2], [0.2, 0.5]])
    assert gv.wasserstein_distance(a, a.shift([3.0, 4.0])) == pytest.approx(5.0, abs=1e-9)
    # p = N(0,1)⊗N(0,1) and q = N(0.5,2²)⊗N(0,1): with common random numbers the
    # optimal plan moves only the first coordinate, so the 2-D empirical W1 equals
    # scipy's 1-D W1 between the first coordinates of the same samples.
    p, q = gv.Gaussian([0, 0], std=1), gv.Gaussian([0.5, 0], std=[2.0, 1.0])
    est = gv.wasserstein_distance(p, q, n_samples=300, seed=5)
    ref = stats.wasserstein_distance(p.sample(300, seed=5)[:, 0], q.sample(300, seed=5)[:, 0])
    assert est == pytest.approx(ref, rel=1e-9)


def test_optimal_critic_attains_w1_and_is_1_lipschitz():
    data, fake = gv.Gaussian(0, 1), gv.Mixture([gv.Gaussian(2, 0.5), gv.Gaussian(-3, 0.5)])
    x = np.linspace(-9, 9, 20_001)
    f = gv.optimal_critic(data, fake, x)
    assert np.max(np.abs(np.diff(f) / np.diff(x))) <= 1 + 1e-9
    dual = integrate.trapezoid(f * (data.pdf(x) - fake.pdf(x)), x)
    assert dual == pytest.approx(gv.wasserstein_distance(data, fake), abs=1e-6)


def test_optimal_critic_stays_linear_when_supports_separate():
    data, fake = gv.Gaussian(0, 0.3), gv.Gaussian(10, 0.3)
    x = np.linspace(-2, 12, 50)
    f = gv.optimal_critic(data, fake, x)
    np.testing.assert_allclose(np.diff(f) / np.diff(x), -1.0, atol=1e-9)


def test_divergences_bundle_agrees_with_the_single_functions():
    data, fake = gv.Mixture([gv.Gaussian(-1, 0.4), gv.Gaussian(1, 0.4)]), gv.Gaussian(0.5, 1)
    d = gv.divergences(data, fake)
    assert d.js == pytest.approx(gv.js_divergence(data, fake), abs=1e-12)
    assert d.kl_data_g == pytest.approx(gv.kl_divergence(data, fake), abs=1e-12)
    assert d.kl_g_data == pytest.approx(gv.kl_divergence(fake, data), abs=1e-12)
    assert d.tv == pytest.approx(gv.total_variation(data, fake), abs=1e-12)
    assert d.w1 == pytest.approx(gv.wasserstein_distance(data, fake), abs=1e-12)
    assert d.value == pytest.approx(gv.value_function(data, fake), abs=1e-12)
    assert d.two_js_minus_log4 == pytest.approx(d.value, abs=1e-9)
    assert set(d.as_dict()) >= {"js", "kl_data_g", "kl_g_data", "tv", "w1", "value"}


# -- grids and errors -----------------------------------------------------------------------


def test_user_grids_are_accepted():
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(1, 1)
    exact = gv.js_divergence(data, fake)
    assert gv.js_divergence(data, fake, grid=4001) == pytest.approx(exact, abs=1e-7)
    assert gv.js_divergence(data, fake, grid=np.linspace(-12, 13, 5001)) == pytest.approx(
        exact, abs=1e-7
    )
    data2, fake2 = gv.Gaussian([0, 0], std=1), gv.Gaussian([1, 0], std=1)
    axes = (np.linspace(-10, 11, 401), np.linspace(-10, 10, 401))
    assert gv.js_divergence(data2, fake2, grid=axes) == pytest.approx(exact, abs=1e-6)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: gv.js_divergence(gv.Gaussian(0, 1), gv.Gaussian([0, 0], std=1)), "mixing 1-D"),
        (lambda: gv.kl_divergence(gv.Gaussian(0, 1), "normal"), "ganviz distribution"),
        (lambda: gv.js_divergence(gv.Gaussian(0, 1), gv.Gaussian(1, 1), grid=10**8), "allowed"),
        (
            lambda: gv.js_divergence(
                gv.Gaussian([0, 0], std=1), gv.Gaussian([1, 1], std=1), grid=5000
            ),
            "allowed",
        ),
        (lambda: gv.js_divergence(gv.Gaussian(0, 1), gv.Gaussian(1, 1), grid=[3, 2, 1]), "grid"),
        (lambda: gv.optimal_critic(gv.Gaussian([0, 0]), gv.Gaussian([1, 1]), [[0, 0]]), "1-D"),
        (
            lambda: gv.wasserstein_distance(gv.Gaussian([0, 0]), gv.Gaussian([1, 1]), n_samples=1),
            "n_samples",
        ),
    ],
)
def test_theory_bad_input(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()


def test_auto_grid_2d_stays_within_its_node_budget():
    """Narrow modes on a ring do not blow the 2-D tensor grid up."""
    grid = gv.auto_grid(gv.ring_of_gaussians(8, 2.0, 0.02), gv.Gaussian([0, 0], std=1))
    assert len(grid) <= 600 * 600


def test_disjoint_supports_give_a_value_of_plus_zero_not_minus_zero():
    """V(G, D*) = 0 exactly on disjoint supports; −0.0 would print as "-0.0000" in the lesson."""
    import math

    import ganviz as gv

    d = gv.divergences(gv.Uniform(-1.0, 1.0), gv.Uniform(2.0, 4.0))
    assert d.value == 0.0 and math.copysign(1.0, d.value) == 1.0
    assert f"{d.value:.4f}" == "0.0000"
