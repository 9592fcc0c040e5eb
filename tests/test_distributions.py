"""Distributions against scipy.stats and closed forms."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy import integrate, special, stats

import ganviz as gv


def test_gaussian_1d_matches_scipy():
    g = gv.Gaussian(1.5, 0.7)
    x = np.linspace(-3, 6, 41)
    np.testing.assert_allclose(g.pdf(x), stats.norm(1.5, 0.7).pdf(x), rtol=1e-12)
    np.testing.assert_allclose(g.logpdf(x), stats.norm(1.5, 0.7).logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(g.cdf(x), stats.norm(1.5, 0.7).cdf(x), rtol=1e-12, atol=1e-300)
    assert g.dim == 1 and g.mean == 1.5 and math.isclose(g.covariance, 0.49)


def test_gaussian_2d_matches_scipy():
    cov = [[1.0, 0.6], [0.6, 2.0]]
    g = gv.Gaussian(mean=[0.5, -1.0], cov=cov)
    x = np.random.default_rng(0).normal(size=(50, 2)) * 2
    ref = stats.multivariate_normal([0.5, -1.0], cov)
    np.testing.assert_allclose(g.logpdf(x), ref.logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(g.pdf(x), ref.pdf(x), rtol=1e-12)
    assert g.dim == 2


def test_gaussian_2d_isotropic_std_shortcut():
    g = gv.Gaussian([1.0, 2.0], std=0.5)
    np.testing.assert_allclose(g.covariance, 0.25 * np.eye(2))


def test_score_matches_finite_differences():
    dists = [
        gv.Gaussian(mean=[0.5, -1.0], cov=[[1.0, 0.6], [0.6, 2.0]]),
        gv.Mixture([gv.Gaussian([0, 0], std=1.0), gv.Gaussian([2, 1], std=0.5)], [0.3, 0.7]),
        gv.Empirical([[0, 0], [1, 0.5], [2, 2]], bandwidth=0.6),
    ]
    x = np.array([[0.3, 0.2], [1.1, -0.4], [2.0, 1.5]])
    h = 1e-6
    for dist in dists:
        grad = dist.grad_logpdf(x)
        for axis in range(2):
            e = np.zeros(2)
            e[axis] = h
            fd = (dist.logpdf(x + e) - dist.logpdf(x - e)) / (2 * h)
            np.testing.assert_allclose(grad[:, axis], fd, rtol=1e-6, atol=1e-8)


def test_uniform_1d_and_2d():
    u = gv.Uniform(-1.0, 3.0)
    x = np.array([-2.0, -1.0, 0.0, 3.0, 3.5])
    np.testing.assert_allclose(u.pdf(x), stats.uniform(-1, 4).pdf(x))
    np.testing.assert_allclose(u.cdf(x), stats.uniform(-1, 4).cdf(x))
    box = gv.Uniform([0, 0], [2, 0.5])
    assert box.dim == 2
    np.testing.assert_allclose(box.pdf([[1, 0.25], [3, 0.25]]), [1.0, 0.0])
    assert math.isclose(u.covariance, 16 / 12)


def test_mixture_pdf_cdf_and_moments():
    m = gv.Mixture([gv.Gaussian(-2, 0.5), gv.Gaussian(1, 1.5)], weights=[1, 3])
    x = np.linspace(-5, 5, 31)
    ref = 0.25 * stats.norm(-2, 0.5).pdf(x) + 0.75 * stats.norm(1, 1.5).pdf(x)
    np.testing.assert_allclose(m.pdf(x), ref, rtol=1e-12)
    ref_cdf = 0.25 * stats.norm(-2, 0.5).cdf(x) + 0.75 * stats.norm(1, 1.5).cdf(x)
    np.testing.assert_allclose(m.cdf(x), ref_cdf, rtol=1e-12)
    mean = integrate.quad(lambda t: t * m.pdf(t), -30, 30)[0]
    var = integrate.quad(lambda t: (t - mean) ** 2 * m.pdf(t), -30, 30)[0]
    assert math.isclose(m.mean, mean, rel_tol=1e-9)
    assert math.isclose(m.covariance, var, rel_tol=1e-9)


def test_mixture_weights_are_normalised_and_zero_weights_allowed():
    m = gv.Mixture([gv.Gaussian(0, 1), gv.Gaussian(5, 1)], weights=[2, 0])
    np.testing.assert_allclose(m.weights, [1.0, 0.0])
    np.testing.assert_allclose(m.pdf([0.0, 5.0]), stats.norm(0, 1).pdf([0.0, 5.0]))


def test_empirical_is_a_kde():
    pts = np.array([0.0, 1.0, 4.0])
    e = gv.Empirical(pts, bandwidth=0.5)
    x = np.linspace(-2, 6, 17)
    ref = np.mean([stats.norm(p, 0.5).pdf(x) for p in pts], axis=0)
    np.testing.assert_allclose(e.pdf(x), ref, rtol=1e-12)
    np.testing.assert_allclose(
        e.cdf(x), np.mean([stats.norm(p, 0.5).cdf(x) for p in pts], axis=0), rtol=1e-12
    )
    # Scott's rule by default, as scipy's gaussian_kde (same factor, std of the data)
    data = np.random.default_rng(1).normal(size=200)
    kde = gv.Empirical(data)
    scipy_kde = stats.gaussian_kde(data)
    assert math.isclose(kde.bandwidth, scipy_kde.factor * np.std(data, ddof=0), rel_tol=1e-12)


def test_empirical_2d_matches_scipy_kde_with_isotropic_bandwidth():
    pts = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, -1.0]])
    e = gv.Empirical(pts, bandwidth=0.8)
    x = np.array([[0.5, 0.5], [2.0, 0.0]])
    ref = np.mean([stats.multivariate_normal(p, 0.64 * np.eye(2)).pdf(x) for p in pts], axis=0)
    np.testing.assert_allclose(e.pdf(x), ref, rtol=1e-12)


@pytest.mark.parametrize(
    "dist",
    [
        gv.Gaussian(1.0, 2.0),
        gv.Uniform(-1.0, 2.0),
        gv.Mixture([gv.Gaussian(-3, 0.5), gv.Uniform(1, 2)], [0.4, 0.6]),
        gv.Empirical([0.0, 0.5, 3.0], bandwidth=0.4),
    ],
)
def test_1d_densities_integrate_to_one_and_samples_match_cdf(dist):
    lo, hi = dist.extent()[0]
    total = integrate.quad(dist.pdf, lo, hi, limit=400, points=[-3, -1, 0, 1, 2, 3])[0]
    assert math.isclose(total, 1.0, abs_tol=1e-7)
    samples = dist.sample(4000, seed=3)
    assert samples.shape == (4000,)
    assert stats.kstest(samples, dist.cdf).pvalue > 1e-3


def test_2d_sampling_moments():
    g = gv.Gaussian(mean=[1.0, -2.0], cov=[[1.0, 0.5], [0.5, 0.75]])
    s = g.sample(200_000, seed=0)
    assert s.shape == (200_000, 2)
    np.testing.assert_allclose(s.mean(axis=0), [1.0, -2.0], atol=0.01)
    np.testing.assert_allclose(np.cov(s.T), g.covariance, atol=0.01)


def test_seeds_are_reproducible_and_translation_uses_common_random_numbers():
    m = gv.ring_of_gaussians(8, radius=2.0, std=0.1)
    a, b = m.sample(100, seed=7), m.sample(100, seed=7)
    np.testing.assert_array_equal(a, b)
    shifted = m.shift([1.0, -0.5]).sample(100, seed=7)
    np.testing.assert_allclose(shifted - a, np.tile([1.0, -0.5], (100, 1)), atol=1e-12)
    assert not np.array_equal(m.sample(100, seed=8), a)


def test_ready_made_mixtures():
    ring = gv.ring_of_gaussians(8, radius=2.0, std=0.02)
    centres = gv.mixture_centres(ring)
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 2.0)
    grid = gv.grid_of_gaussians(5, spacing=2.0, std=0.05)
    assert sorted(set(np.round(gv.mixture_centres(grid)[:, 0], 9))) == [-4, -2, 0, 2, 4]
    line = gv.line_of_gaussians(3, spacing=4.0, std=0.5)
    np.testing.assert_allclose(gv.mixture_centres(line), [-4.0, 0.0, 4.0])


def test_view_extent_is_inside_extent():
    for d in [gv.Gaussian(0, 1), gv.Mixture([gv.Gaussian(-5, 1), gv.Gaussian(5, 2)])]:
        view, full = d.view_extent(), d.extent()
        assert full[0, 0] < view[0, 0] < view[0, 1] < full[0, 1]


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: gv.Gaussian(0, -1), "std"),
        (lambda: gv.Gaussian(0, 0), "std"),
        (lambda: gv.Gaussian(float("nan"), 1), "mean"),
        (lambda: gv.Gaussian(0, float("inf")), "std"),
        (lambda: gv.Gaussian([0, 0], cov=[[1, 2], [2, 1]]), "positive definite"),
        (lambda: gv.Gaussian([0, 0], cov=[[1, 0.1], [0.2, 1]]), "symmetric"),
        (lambda: gv.Gaussian([0, 0, 0], std=1), "mean"),
        (lambda: gv.Uniform(1, 1), "low must be < high"),
        (lambda: gv.Uniform([0, 0], [1, -1]), "low must be < high"),
        (lambda: gv.Uniform(0, [1, 2]), "low and high"),
        (lambda: gv.Mixture([gv.Gaussian(0, 1)], weights=[-1]), "weights"),
        (lambda: gv.Mixture([gv.Gaussian(0, 1), gv.Gaussian(1, 1)], [0, 0]), "sum to 0"),
        (lambda: gv.Mixture([gv.Gaussian(0, 1), gv.Gaussian([0, 0], std=1)]), "1-D with 2-D"),
        (lambda: gv.Mixture([]), "at least one"),
        (lambda: gv.Mixture([gv.Gaussian(0, 1)], [1, 2]), "one entry per component"),
        (lambda: gv.Empirical([[0, 1, 2]]), "points"),
        (lambda: gv.Empirical([0.0, 1.0], bandwidth=0), "bandwidth"),
        (lambda: gv.Gaussian(0, 1).sample(-1), "n"),
        (lambda: gv.Gaussian(0, 1).sample(2.5), "n"),
        (lambda: gv.Gaussian([0, 0], std=1).pdf([1.0, 2.0, 3.0]), "shape (n, 2)"),
        (lambda: gv.Gaussian(0, 1).pdf([0.0, float("nan")]), "finite"),
        (lambda: gv.Gaussian([0, 0], std=1).cdf([[0, 0]]), "1-D"),
        (lambda: gv.ring_of_gaussians(0), "k"),
    ],
)
def test_bad_input_raises_a_clear_value_error(build, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        build()


@pytest.mark.parametrize(
    ("points", "bandwidth"),
    [
        (np.random.default_rng(1).normal(size=(300, 2)), None),  # spread: the fast product
        (np.array([[0.0, 2.5], [2.5, 0.0], [-2.0, -2.0]]), 0.01),  # far clusters: underflow
        (np.random.default_rng(2).normal(size=(200, 2)) * 0.01 + 1.0, None),  # a tight cluster
    ],
)
def test_kde_logpdf_on_a_grid_is_the_mean_of_scipy_normals(points, bandwidth):
    kde = gv.Empirical(points, bandwidth=bandwidth)
    h = kde.bandwidth
    xs, ys = np.linspace(-3, 3, 31), np.linspace(-2.5, 3.5, 29)
    gx, gy = np.meshgrid(xs, ys)
    plane = np.stack([gx.ravel(), gy.ravel()], axis=1)
    # log (1/n) Σ_i N(x; x_i, h²I), each kernel from scipy
    kernels = np.stack([stats.multivariate_normal(p, h * h).logpdf(plane) for p in points])
    expected = (special.logsumexp(kernels, axis=0) - np.log(len(points))).reshape(gx.shape)
    got = kde.logpdf_on_grid(xs, ys)
    assert got.shape == (29, 31) and np.all(np.isfinite(got))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


def test_kde_logpdf_on_a_grid_needs_a_2d_kde():
    with pytest.raises(ValueError, match="2-D"):
        gv.Empirical([0.0, 1.0]).logpdf_on_grid([0.0], [0.0])
