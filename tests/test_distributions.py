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


# -- structure: pieces, support, jumps, cell averages, rotated regions ----------------


def _pieces_pdf(pieces, x) -> np.ndarray:
    """Σ_k w_k · density of loc_k + S_k z, from scipy (the independent reference)."""
    total = np.zeros(len(x))
    for p in pieces:
        if p.base == "normal":
            law = stats.multivariate_normal(p.loc, p.scale @ p.scale.T)
            total += p.weight * law.pdf(x)
        else:
            lows, widths = p.loc, np.diag(p.scale)
            inside = np.all((x >= lows) & (x <= lows + widths), axis=-1)
            total += p.weight * inside / np.prod(widths)
    return total


def test_pieces_of_each_family_are_its_closed_form():
    (g,) = gv.Gaussian(1.5, 0.3).pieces()
    assert (g.weight, g.base, g.kernel) == (1.0, "normal", False)
    np.testing.assert_array_equal(g.loc, [1.5])
    np.testing.assert_array_equal(g.scale, [[0.3]])
    cov = np.array([[1.0, 0.6], [0.6, 0.5]])
    (g2,) = gv.Gaussian([1.0, -2.0], cov=cov).pieces()
    np.testing.assert_allclose(g2.scale @ g2.scale.T, cov, rtol=1e-14)
    assert g2.scale[0, 1] == 0.0  # lower triangular: the Cholesky factor
    (u,) = gv.Uniform([0.0, -1.0], [2.0, 0.5]).pieces()
    assert u.base == "uniform"
    np.testing.assert_array_equal(u.loc, [0.0, -1.0])
    np.testing.assert_array_equal(u.scale, [[2.0, 0.0], [0.0, 1.5]])
    pts = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, -1.0]])
    kernels = gv.Empirical(pts, bandwidth=0.4).pieces()
    assert all(p.kernel and p.base == "normal" for p in kernels)
    np.testing.assert_allclose([p.weight for p in kernels], [1 / 3] * 3)
    np.testing.assert_array_equal(np.array([p.loc for p in kernels]), pts)
    np.testing.assert_array_equal(kernels[0].scale, 0.4 * np.eye(2))


def test_a_mixtures_pieces_reproduce_its_density_and_skip_zero_weights():
    inner = gv.Mixture([gv.Gaussian([2.0, 0.0], std=0.5), gv.Uniform([-1, -1], [0, 1])], [1, 3])
    dist = gv.Mixture(
        [inner, gv.Empirical([[0.0, 2.0], [1.0, 2.5]], bandwidth=0.3), gv.Gaussian([9, 9], std=1)],
        weights=[2, 2, 0],
    )
    pieces = dist.pieces()
    assert len(pieces) == 4  # 2 from the inner mixture, 2 kernels, none of weight 0
    np.testing.assert_allclose(sorted(p.weight for p in pieces), [0.125, 0.25, 0.25, 0.375])
    x = np.random.default_rng(0).uniform(-2, 3, size=(400, 2))
    np.testing.assert_allclose(_pieces_pdf(pieces, x), dist.pdf(x), rtol=1e-10, atol=1e-300)


def test_support_is_the_merged_union_of_the_boxes():
    np.testing.assert_array_equal(gv.Uniform(-1.0, 2.0).support(), [[-1.0, 2.0]])
    m = gv.Mixture(
        [gv.Uniform(5, 6), gv.Uniform(1, 3), gv.Uniform(0, 2), gv.Uniform(-9, -8)],
        weights=[1, 1, 1, 0],
    )
    np.testing.assert_array_equal(m.support(), [[0.0, 3.0], [5.0, 6.0]])
    assert gv.Gaussian(0, 1).support() is None
    assert gv.Mixture([gv.Uniform(0, 1), gv.Empirical([3.0])]).support() is None
    with pytest.raises(ValueError, match="1-D"):
        gv.Uniform([0, 0], [1, 1]).support()


def test_jumps_are_the_box_edges_of_components_with_weight():
    assert gv.Uniform(-1.0, 2.0).jumps() == [-1.0, 2.0]
    assert gv.Uniform([0, 10], [1, 12]).jumps(axis=1) == [10.0, 12.0]
    m = gv.Mixture([gv.Uniform(0, 1), gv.Gaussian(0, 1), gv.Uniform(4, 5)], weights=[1, 1, 0])
    assert m.jumps() == [0.0, 1.0]
    assert gv.Gaussian(0, 1).jumps() == [] and gv.Empirical([0.0, 1.0]).jumps() == []


def test_cell_logpdf_is_the_cell_average_from_the_cdf():
    h = 0.4
    x = np.array([-1.5, -0.9, 0.0, 1.0, 1.95, 2.3])
    u = gv.Uniform(-1.0, 2.0)
    ref = (stats.uniform(-1, 3).cdf(x + h / 2) - stats.uniform(-1, 3).cdf(x - h / 2)) / h
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(u.cell_logpdf(x, h), np.log(ref), rtol=1e-12)
    m = gv.Mixture([u, gv.Gaussian(0.5, 0.7)], weights=[1, 3])
    ref_m = 0.25 * ref + 0.75 * stats.norm(0.5, 0.7).pdf(x)  # point values where smooth
    np.testing.assert_allclose(m.cell_logpdf(x, h), np.log(ref_m), rtol=1e-12)
    smooth = gv.Mixture([gv.Gaussian(0, 1), gv.Gaussian(2, 0.5)])
    np.testing.assert_allclose(smooth.cell_logpdf(x, h), smooth.logpdf(x))


def test_regions_along_a_direction_use_the_marginal_and_conditional_std():
    cov = np.array([[2.0, 0.9], [0.9, 1.0]])
    g = gv.Gaussian([1.0, -1.0], cov=cov)
    e = np.array([3.0, 4.0]) / 5.0
    (r,) = g.regions_along(e)
    marginal = math.sqrt(e @ cov @ e)
    centre = float(e @ [1.0, -1.0])
    assert math.isclose(r.view_low, centre - 4 * marginal) and math.isclose(
        r.view_high, centre + 4 * marginal
    )
    (rx,) = g.regions_along([1.0, 0.0])
    # along x the panel scale is the conditional std: the Schur complement Σ₀₀ − Σ₀₁²/Σ₁₁
    assert math.isclose(rx.scale, math.sqrt(2.0 - 0.9**2 / 1.0), rel_tol=1e-12)
    kde = gv.Empirical([[0.0, 0.0], [0.1, 0.0], [50.0, 50.0]], bandwidth=0.2)
    regions = kde.regions_along(np.array([1.0, 1.0]) / math.sqrt(2))
    assert len(regions) == 2  # two clusters of projected points, far apart
    assert math.isclose(regions[1].view_low, 100 / math.sqrt(2) - 0.6)
    with pytest.raises(LookupError):
        gv.Uniform([0, 0], [1, 1]).regions_along([1.0, 0.0])


class _Triangle(gv.Distribution):
    """p(x) = 4x on [0, ½], 4(1 − x) on [½, 1]: a density ganviz knows only pointwise."""

    dim = 1

    def logpdf(self, x):
        x = self._points(x)
        with np.errstate(divide="ignore"):
            return np.log(np.clip(np.minimum(4 * x, 4 * (1 - x)), 0.0, None))

    def grad_logpdf(self, x):
        return np.zeros_like(self._points(x))

    def _cdf(self, x):
        x = np.clip(x, 0.0, 1.0)
        return np.where(x < 0.5, 2 * x * x, 1 - 2 * (1 - x) ** 2)

    def _sample(self, n, rng):
        return 0.5 * (rng.uniform(size=n) + rng.uniform(size=n))

    mean = 0.5
    covariance = 1 / 24
    full_support = False

    def regions(self, axis=0):
        return [gv.distributions.Region(0.0, 1.0, 0.05, 0.0, 1.0)]

    def shift(self, delta):  # pragma: no cover - not needed here
        raise NotImplementedError


def test_a_distribution_without_pieces_says_so_and_keeps_the_defaults():
    tri = _Triangle()
    with pytest.raises(LookupError, match="_Triangle"):
        tri.pieces()
    with pytest.raises(LookupError, match="support"):
        tri.support()
    assert tri.jumps() == []
    np.testing.assert_allclose(tri.cell_logpdf([0.25], 0.1), np.log([1.0]))
    with pytest.raises(LookupError):
        gv.Mixture([tri, gv.Gaussian(0, 1)]).pieces()


def test_callers_fall_back_when_a_distribution_has_no_pieces():
    """The shift sweep (lattice scales, supports) still works from the regions and the density."""
    from ganviz.sweeps import shift_sweep

    sweep = shift_sweep(_Triangle(), gv.Uniform(0.0, 1.0), np.linspace(-2.0, 2.0, 41))
    # KL(tri ‖ U[0,1]) = ∫ p log p = log 2 − ½ (closed form); disjoint at |t| ≥ 1
    assert math.isclose(sweep.kl_data_g[20], math.log(2) - 0.5, abs_tol=2e-3)
    assert np.isinf(sweep.kl_data_g[0]) and np.isinf(sweep.kl_g_data[-1])
    assert math.isclose(sweep.js[0], math.log(2), abs_tol=1e-9)


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
