"""Theory calls at extreme scales and separations, against independent references only.

References: closed forms (KL between Gaussians, JS/KL/TV of nested uniform
intervals, W1 of translates), scipy.integrate.quad / dblquad in each
density's own whitened coordinates, tensor-product Gauss–Hermite rules in
each mixture component's whitened coordinates (heavy 2-D mixtures),
scipy.spatial.distance.jensenshannon (the *square root* of JS, base e) and
scipy.stats.wasserstein_distance.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial.hermite_e import hermegauss
from scipy import integrate, special, stats
from scipy.spatial.distance import jensenshannon

import ganviz as gv

LOG2 = math.log(2)


def kl_gaussians(mu_p, cov_p, mu_q, cov_q) -> float:
    """½[tr(Σq⁻¹Σp) + (μq−μp)ᵀΣq⁻¹(μq−μp) − k + log det Σq/det Σp]."""
    mu_p, mu_q = np.atleast_1d(mu_p).astype(float), np.atleast_1d(mu_q).astype(float)
    cov_p, cov_q = np.atleast_2d(cov_p).astype(float), np.atleast_2d(cov_q).astype(float)
    prec_q = np.linalg.inv(cov_q)
    d = mu_q - mu_p
    _, logdet_q = np.linalg.slogdet(cov_q)
    _, logdet_p = np.linalg.slogdet(cov_p)
    k = len(mu_p)
    return 0.5 * (np.trace(prec_q @ cov_p) + d @ prec_q @ d - k + logdet_q - logdet_p)


def gaussian_logpdf(mu, cov):
    """log N(x; μ, Σ) from scipy.stats (independent of ganviz)."""
    return stats.multivariate_normal(mean=mu, cov=cov).logpdf


def expectation_whitened_2d(mu, cov, f, radius=9.0):
    """E_{x∼N(μ,Σ)}[f(x)] by dblquad over z ∈ [−r, r]², x = μ + L z (L Lᵀ = Σ)."""
    chol = np.linalg.cholesky(np.asarray(cov, float))
    mu = np.asarray(mu, float)

    def integrand(z2, z1):
        x = mu + chol @ np.array([z1, z2])
        return math.exp(-0.5 * (z1 * z1 + z2 * z2)) / (2 * math.pi) * f(x)

    return integrate.dblquad(
        integrand, -radius, radius, -radius, radius, epsabs=1e-11, epsrel=1e-9
    )[0]


def js_whitened_2d(mu_p, cov_p, mu_q, cov_q):
    """JS = ½E_p[log 2p/(p+q)] + ½E_q[log 2q/(p+q)], each expectation in its own whitened frame."""
    lp, lq = gaussian_logpdf(mu_p, cov_p), gaussian_logpdf(mu_q, cov_q)

    def log_ratio(a, b):  # log 2a/(a+b) = log 2 − softplus(log b − log a)
        return lambda x: LOG2 - np.logaddexp(0.0, b(x) - a(x))

    return 0.5 * (
        expectation_whitened_2d(mu_p, cov_p, log_ratio(lp, lq))
        + expectation_whitened_2d(mu_q, cov_q, log_ratio(lq, lp))
    )


def js_whitened_1d(mu_p, s_p, mu_q, s_q):
    """1-D JS with each expectation by quad in its own standardised variable."""

    def half(mu_a, s_a, mu_b, s_b):
        def f(z):
            x = mu_a + s_a * z
            la = stats.norm(mu_a, s_a).logpdf(x)
            lb = stats.norm(mu_b, s_b).logpdf(x)
            return stats.norm.pdf(z) * (LOG2 - np.logaddexp(0.0, lb - la))

        return integrate.quad(f, -40, 40, points=[0.0], limit=400, epsabs=1e-13)[0]

    return 0.5 * (half(mu_p, s_p, mu_q, s_q) + half(mu_q, s_q, mu_p, s_p))


# -- 2-D Gaussians far apart -------------------------------------------------------


@pytest.mark.parametrize("distance", [30.0, 1e3, 3e3, 1e6])
@pytest.mark.parametrize("angle", [0.0, 0.7])
def test_far_apart_2d_gaussians(distance, angle):
    direction = np.array([math.cos(angle), math.sin(angle)])
    p, q = gv.Gaussian([0.0, 0.0], std=1.0), gv.Gaussian(distance * direction, std=1.0)
    assert gv.js_divergence(p, q) == pytest.approx(LOG2, rel=1e-12)
    assert gv.total_variation(p, q) == pytest.approx(1.0, rel=1e-12)
    assert gv.value_function(p, q) == pytest.approx(0.0, abs=1e-12)
    exact = kl_gaussians([0, 0], np.eye(2), q.mean, np.eye(2))
    assert gv.kl_divergence(p, q) == pytest.approx(exact, rel=1e-8)
    assert gv.kl_divergence(q, p) == pytest.approx(exact, rel=1e-8)


def minimax_gradient_reference(distance: float) -> float:
    """Δ·∫ q σ(s) for unit Gaussians Δ apart.

    By quad in u = x − Δ/2 (centred on the switch), the integrand scaled by e^{Δ²/8}.
    """
    d = distance
    if d * d / 8 > 800:  # below the smallest float64: exactly 0
        return 0.0

    def f(u):  # log q(Δ/2 + u) + Δ²/8 = −½(u − Δ/2)² + Δ²/8 − ½log 2π ;  s = −Δu
        return math.exp(
            -0.5 * u * u + 0.5 * d * u - 0.5 * math.log(2 * math.pi) + special.log_expit(-d * u)
        )

    scaled = integrate.quad(f, -40, 40, points=[0.0], limit=400, epsabs=0, epsrel=1e-12)[0]
    return d * scaled * math.exp(-d * d / 8)


@pytest.mark.parametrize("distance", [3.0, 8.0, 12.0, 30.0])
@pytest.mark.parametrize("angle", [0.0, 0.4])
def test_2d_minimax_gradient_far_apart_matches_quadrature(distance, angle):
    direction = np.array([math.cos(angle), math.sin(angle)])
    p, q = gv.Gaussian([0.0, 0.0], std=1.0), gv.Gaussian(distance * direction, std=1.0)
    ref = minimax_gradient_reference(distance)
    got = gv.generator_gradient(p, q, "minimax")
    np.testing.assert_allclose(got, ref * direction, rtol=1e-5, atol=1e-5 * ref)


# -- correlated 2-D Gaussians --------------------------------------------------------


@pytest.mark.parametrize("rho", [0.9, 0.99, 0.999, 0.99999])
def test_correlated_gaussian_kl_closed_form(rho):
    cov = np.array([[1.0, rho], [rho, 1.0]])
    p, q = gv.Gaussian([0, 0], cov=cov), gv.Gaussian([0, 0], std=1.0)
    assert gv.kl_divergence(p, q) == pytest.approx(-0.5 * math.log(1 - rho * rho), rel=1e-7)
    exact_qp = kl_gaussians([0, 0], np.eye(2), [0, 0], cov)
    assert gv.kl_divergence(q, p) == pytest.approx(exact_qp, rel=1e-6)


@pytest.mark.parametrize("rho", [0.99, 0.999])
def test_correlated_gaussian_js_and_value_against_dblquad(rho):
    cov = np.array([[1.0, rho], [rho, 1.0]])
    p, q = gv.Gaussian([0, 0], cov=cov), gv.Gaussian([0, 0], std=1.0)
    ref = js_whitened_2d([0, 0], cov, [0, 0], np.eye(2))
    js = gv.js_divergence(p, q)
    assert js == pytest.approx(ref, abs=1e-6)
    assert js < LOG2 - 0.05  # not clipped to log 2
    assert gv.value_function(p, q) == pytest.approx(2 * ref - 2 * LOG2, abs=2e-6)


def test_rotated_ridges_kl_closed_form():
    a = np.array([[1.0, 0.999], [0.999, 1.0]])
    b = np.array([[1.0, -0.999], [-0.999, 1.0]])
    p, q = gv.Gaussian([0, 0], cov=a), gv.Gaussian([0.3, -0.2], cov=b)
    assert gv.kl_divergence(p, q) == pytest.approx(kl_gaussians([0, 0], a, q.mean, b), rel=1e-5)


def test_correlated_gaussian_far_from_a_narrow_one():
    a = np.array([[4.0, 1.98], [1.98, 1.0]])  # ρ = 0.99
    p, q = gv.Gaussian([0, 0], cov=a), gv.Gaussian([500.0, -300.0], std=1e-3)
    assert gv.js_divergence(p, q) == pytest.approx(LOG2, rel=1e-12)
    exact = kl_gaussians(q.mean, 1e-6 * np.eye(2), [0, 0], a)
    assert gv.kl_divergence(q, p) == pytest.approx(exact, rel=1e-8)


# -- elongated Gaussians in different orientations ----------------------------------------


def log_ratio_quadratic(mu_a, cov_a, mu_b, cov_b):
    """r(z) = log b(x) − log a(x) at x = μa + La z (La Laᵀ = Σa) as ½zᵀHz + gᵀz + c.

    r is exactly quadratic for two Gaussians; its coefficients are read off
    scipy's log densities at six points (central differences are exact here).
    """
    chol = np.linalg.cholesky(np.asarray(cov_a, float))
    log_a, log_b = gaussian_logpdf(mu_a, cov_a), gaussian_logpdf(mu_b, cov_b)

    def r(z):
        x = np.asarray(mu_a, float) + np.asarray(z, float) @ chol.T
        return log_b(x) - log_a(x)

    e = np.eye(2)
    c = float(r(np.zeros(2)))
    plus, minus = r(e), r(-e)
    g = 0.5 * (plus - minus)
    h = plus + minus - 2 * c
    h01 = float(r(e[0] + e[1])) - c - g[0] - g[1] - 0.5 * (h[0] + h[1])
    return np.array([[h[0], h01], [h01, h[1]]]), g, c


def expectation_of_log_ratio(mu_a, cov_a, mu_b, cov_b, f, radius=9.0):
    """E_{x∼a}[f(log b(x) − log a(x))] by nested quad in a's whitened coordinates.

    The inner integral over z₂ is split at the real roots of the quadratic r, so
    a kink of f at r = 0 (total variation) is a breakpoint, not a source of error.
    """
    hess, g, c = log_ratio_quadratic(mu_a, cov_a, mu_b, cov_b)
    norm = 1 / math.sqrt(2 * math.pi)

    def inner(z1):
        coef = [
            0.5 * hess[1, 1],
            hess[0, 1] * z1 + g[1],
            0.5 * hess[0, 0] * z1 * z1 + g[0] * z1 + c,
        ]
        roots = sorted(
            t.real for t in np.roots(coef) if abs(t.imag) < 1e-12 and abs(t.real) < radius
        )

        def h(z2):
            return norm * math.exp(-0.5 * z2 * z2) * f(np.polyval(coef, z2))

        return integrate.quad(
            h, -radius, radius, points=roots or None, limit=200, epsabs=1e-13, epsrel=1e-11
        )[0]

    def outer(z1):
        return norm * math.exp(-0.5 * z1 * z1) * inner(z1)

    return integrate.quad(outer, -radius, radius, limit=200, epsabs=1e-12, epsrel=1e-10)[0]


def js_lines(mu_p, cov_p, mu_q, cov_q):
    """JS = ½E_p[log 2 − softplus(log q − log p)] + ½E_q[the same with p, q swapped]."""

    def half(r):
        return LOG2 - np.logaddexp(0.0, r)

    return 0.5 * (
        expectation_of_log_ratio(mu_p, cov_p, mu_q, cov_q, half)
        + expectation_of_log_ratio(mu_q, cov_q, mu_p, cov_p, half)
    )


def tv_lines(mu_p, cov_p, mu_q, cov_q):
    """TV = ∫(p − q)₊ = E_p[(1 − q/p)₊]."""
    return expectation_of_log_ratio(mu_p, cov_p, mu_q, cov_q, lambda r: max(0.0, -math.expm1(r)))


CROSSED_RIDGES = [
    # ρ = 0.999 against a ridge along x (sd 3 and 0.1): V − (2·JS − 2 log 2) was 1.7e-3
    ([0.0, 0.0], [[4.0, 3.996], [3.996, 4.0]], [0.0, 0.0], [[9.0, 0.0], [0.0, 0.01]]),
    # ρ = 0.99 against a ridge along y: was 1.1e-5
    ([0.0, 0.0], [[4.0, 3.99], [3.99, 4.0]], [0.0, 0.0], [[0.01, 0.0], [0.0, 4.0]]),
    ([0.0, 0.0], [[4.0, 3.99], [3.99, 4.0]], [1.0, -0.5], [[0.01, 0.0], [0.0, 4.0]]),
]


@pytest.mark.parametrize(("mu_p", "cov_p", "mu_q", "cov_q"), CROSSED_RIDGES)
def test_crossed_ridges_kl_closed_form(mu_p, cov_p, mu_q, cov_q):
    p, q = gv.Gaussian(mu_p, cov=cov_p), gv.Gaussian(mu_q, cov=cov_q)
    kl_pq = kl_gaussians(mu_p, cov_p, mu_q, cov_q)
    kl_qp = kl_gaussians(mu_q, cov_q, mu_p, cov_p)
    assert gv.kl_divergence(p, q) == pytest.approx(kl_pq, rel=1e-8)
    assert gv.kl_divergence(q, p) == pytest.approx(kl_qp, rel=1e-8)
    d = gv.divergences(p, q, n_samples=16)
    assert (d.kl_data_g, d.kl_g_data) == pytest.approx((kl_pq, kl_qp), rel=1e-8)
    assert d.value == pytest.approx(d.two_js_minus_log4, abs=1e-9)


def test_crossed_ridges_each_side_in_its_own_frame_keeps_both_masses():
    from ganviz.grids import own_frames
    from ganviz.pair_grids import pair_on_grid

    mu_p, cov_p, mu_q, cov_q = CROSSED_RIDGES[0]
    p, q = gv.Gaussian(mu_p, cov=cov_p), gv.Gaussian(mu_q, cov=cov_q)
    g, lp, lq = pair_on_grid(p, q)
    assert len(g.parts) == 2  # p's frame over p's extent, q's over q's
    # the weights w·D* and w·(1 − D*) share out ∫p = ∫q = 1 between the two grids
    # (to the ~1e-8 of 4-node panels a σ wide)
    assert g.integrate(np.exp(lp)) == pytest.approx(1.0, abs=1e-8)
    assert g.integrate(np.exp(lq)) == pytest.approx(1.0, abs=1e-8)
    with pytest.raises(ValueError, match="no image shape"):
        _ = g.shape
    # parallel ridges, or a ridge against a round Gaussian, keep one grid
    ridge = gv.Gaussian([0, 0], cov=cov_p)
    assert own_frames(ridge, gv.Gaussian([1, 0], cov=np.array(cov_p) / 4)) is None
    assert own_frames(ridge, gv.Gaussian([0, 0], std=0.1)) is None


@pytest.mark.parametrize(("mu_p", "cov_p", "mu_q", "cov_q"), CROSSED_RIDGES[:2])
def test_crossed_ridges_js_and_value_against_quadrature(mu_p, cov_p, mu_q, cov_q):
    p, q = gv.Gaussian(mu_p, cov=cov_p), gv.Gaussian(mu_q, cov=cov_q)
    ref = js_lines(mu_p, cov_p, mu_q, cov_q)
    assert gv.js_divergence(p, q) == pytest.approx(ref, abs=1e-7)
    assert gv.value_function(p, q) == pytest.approx(2 * ref - 2 * LOG2, abs=2e-7)


@pytest.mark.parametrize(
    ("mu_p", "cov_p", "mu_q", "cov_q"),
    [
        CROSSED_RIDGES[0],
        # perpendicular ridges: |p − q| has its kink on the two diagonals, through nodes
        ([0.0, 0.0], [[4.0, 3.9], [3.9, 4.0]], [0.0, 0.0], [[4.0, -3.9], [-3.9, 4.0]]),
        # a common pair: the switch is a hyperbola whose vertices touch grid lines (was 1.4e-4)
        ([0.0, 0.0], [[1.0, 0.3], [0.3, 0.8]], [1.0, 1.0], [[0.5, 0.0], [0.0, 1.0]]),
    ],
)
def test_total_variation_across_the_kink_against_quadrature(mu_p, cov_p, mu_q, cov_q):
    p, q = gv.Gaussian(mu_p, cov=cov_p), gv.Gaussian(mu_q, cov=cov_q)
    ref = tv_lines(mu_p, cov_p, mu_q, cov_q)
    assert gv.total_variation(p, q) == pytest.approx(ref, abs=1e-7)
    assert gv.divergences(p, q, n_samples=16).tv == pytest.approx(ref, abs=1e-7)


@st.composite
def gaussian_pairs_2d(draw):
    """Two 2-D Gaussians: sds 10^±1.5 (ratios up to 10³), |ρ| ≤ 0.999, up to 100 sd apart."""

    def cov():
        sx, sy = 10 ** draw(st.floats(-1.5, 1.5)), 10 ** draw(st.floats(-1.5, 1.5))
        rho = draw(st.floats(-0.999, 0.999))
        return np.array([[sx * sx, rho * sx * sy], [rho * sx * sy, sy * sy]])

    cov_p, cov_q = cov(), cov()
    angle = draw(st.floats(0.0, 2 * math.pi))
    u = np.array([math.cos(angle), math.sin(angle)])
    sds = draw(st.sampled_from([0.0, 1.0, 100.0])) * draw(st.floats(0.0, 1.0))
    return np.zeros(2), cov_p, sds * math.sqrt(u @ cov_p @ u) * u, cov_q


@settings(max_examples=40, deadline=None)
@given(gaussian_pairs_2d())
def test_random_2d_gaussian_pairs_kl_closed_form_and_value_identity(pair):
    mu_p, cov_p, mu_q, cov_q = pair
    d = gv.divergences(gv.Gaussian(mu_p, cov=cov_p), gv.Gaussian(mu_q, cov=cov_q), n_samples=16)
    # rel 3e-7: a σ-wide 4-node Gauss–Legendre panel is good to ~1e-7 of a second moment
    assert d.kl_data_g == pytest.approx(kl_gaussians(mu_p, cov_p, mu_q, cov_q), rel=3e-7)
    assert d.kl_g_data == pytest.approx(kl_gaussians(mu_q, cov_q, mu_p, cov_p), rel=3e-7)
    assert d.value == pytest.approx(d.two_js_minus_log4, abs=1e-7)


# -- scales 10¹² apart -----------------------------------------------------------------


def test_uniforms_twelve_orders_apart():
    a, b = 1e-6, 1e6
    p, q = gv.Uniform(0, a), gv.Uniform(0, b)
    # densities are constant on [0, a] and [a, b]: JS equals the JS of the cell masses
    ref_js = jensenshannon([1.0, 0.0], [a / b, 1 - a / b]) ** 2
    closed = 0.5 * math.log(2 / (1 + a / b)) + 0.5 * (
        (a / b) * math.log(2 / (1 + b / a)) + (1 - a / b) * LOG2
    )
    assert ref_js == pytest.approx(closed, rel=1e-12)
    assert gv.js_divergence(p, q) == pytest.approx(closed, rel=1e-10)
    assert gv.kl_divergence(p, q) == pytest.approx(math.log(b / a), rel=1e-12)
    assert gv.kl_divergence(q, p) == math.inf
    assert gv.total_variation(p, q) == pytest.approx(1 - a / b, rel=1e-12)
    assert gv.value_function(p, q) == pytest.approx(2 * closed - 2 * LOG2, abs=1e-10)


def test_gaussians_twelve_orders_apart_in_scale():
    p, q = gv.Gaussian(0, 1e-6), gv.Gaussian(0, 1e6)
    assert gv.kl_divergence(p, q) == pytest.approx(kl_gaussians(0, 1e-12, 0, 1e12), rel=1e-12)
    assert gv.kl_divergence(q, p) == pytest.approx(kl_gaussians(0, 1e12, 0, 1e-12), rel=1e-10)
    ref = js_whitened_1d(0, 1e-6, 0, 1e6)
    assert gv.js_divergence(p, q) == pytest.approx(ref, abs=1e-10)
    assert gv.value_function(p, q) == pytest.approx(2 * ref - 2 * LOG2, abs=1e-9)
    # W1 between centred normals is |σ_q − σ_p|·√(2/π)
    assert gv.wasserstein_distance(p, q) == pytest.approx((1e6 - 1e-6) * math.sqrt(2 / math.pi))


def test_gaussians_twelve_orders_apart_in_scale_2d():
    p, q = gv.Gaussian([0, 0], std=1e-6), gv.Gaussian([1, -1], std=1e6)
    exact = kl_gaussians([0, 0], 1e-12 * np.eye(2), [1, -1], 1e12 * np.eye(2))
    assert gv.kl_divergence(p, q) == pytest.approx(exact, rel=1e-10)
    assert gv.js_divergence(p, q) == pytest.approx(LOG2, abs=1e-10)


def test_uniform_w1_against_scipy_quantiles():
    p, q = gv.Uniform(0, 1e-6), gv.Uniform(0, 1e6)
    u = (np.arange(200_000) + 0.5) / 200_000
    ref = stats.wasserstein_distance(1e-6 * u, 1e6 * u)
    assert gv.wasserstein_distance(p, q) == pytest.approx(ref, rel=1e-6)


# -- 1-D Gaussians very far apart --------------------------------------------------------


@pytest.mark.parametrize("distance", [1e6, 1e7, 1e8, 1e12])
def test_far_apart_1d_gaussians(distance):
    p, q = gv.Gaussian(0, 1), gv.Gaussian(distance, 1)
    start = time.perf_counter()
    d = gv.divergences(p, q)
    assert time.perf_counter() - start < 0.5
    assert d.js == pytest.approx(LOG2, rel=1e-12)
    assert d.tv == pytest.approx(1.0, rel=1e-12)
    assert d.value == pytest.approx(0.0, abs=1e-12)
    assert d.kl_data_g == pytest.approx(distance**2 / 2, rel=1e-10)
    assert d.w1 == pytest.approx(distance, rel=1e-10)  # W1 of translates
    assert gv.generator_gradient(p, q, "nonsaturating") == pytest.approx(distance, rel=1e-10)
    assert gv.generator_gradient(p, q, "wasserstein") == pytest.approx(1.0)


def test_1d_kde_clusters_far_apart():
    p = gv.Empirical([0.0, 0.5, 1e9, 1e9 + 0.5], bandwidth=0.2)
    q = gv.Gaussian(0.25, 0.2)

    # Half of p's mass sits 5·10⁹ bandwidths from q and adds ½·½·log 2 to JS; the rest
    # by quad with scipy densities: p_near = ¼N(0, .2²) + ¼N(.5, .2²).
    a, b, c = stats.norm(0, 0.2), stats.norm(0.5, 0.2), stats.norm(0.25, 0.2)

    def p_near(x):
        return 0.25 * (a.pdf(x) + b.pdf(x))

    def q_pdf(x):
        return c.pdf(x)

    def term(a, b):
        return lambda x: 0.0 if a(x) == 0 else a(x) * math.log(2 * a(x) / (a(x) + b(x)))

    near = [
        integrate.quad(f, -6, 7, limit=200, epsabs=1e-13)[0]
        for f in (term(p_near, q_pdf), term(q_pdf, p_near))
    ]
    ref = 0.5 * (near[0] + near[1]) + 0.25 * LOG2
    js = gv.js_divergence(p, q)
    assert js == pytest.approx(ref, abs=1e-8)
    assert gv.value_function(p, q) == pytest.approx(2 * ref - 2 * LOG2, abs=1e-8)


# -- what float64 cannot represent ---------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: gv.js_divergence(gv.Gaussian(0, 1), gv.Gaussian(1e20, 1)), "q"),
        (lambda: gv.kl_divergence(gv.Gaussian(1e20, 1), gv.Gaussian(1e20 + 1, 1)), "p"),
        (lambda: gv.value_function(gv.Gaussian(0, 1), gv.Gaussian(1e20, 1)), "p_g"),
        (lambda: gv.generator_gradient(gv.Gaussian(0, 1), gv.Gaussian(1e20, 1)), "p_g"),
        (
            lambda: gv.generator_gradient(gv.Gaussian(0, 1), gv.Gaussian(1e20, 1), "wasserstein"),
            "p_g",
        ),
        (lambda: gv.wasserstein_distance(gv.Gaussian(0, 1), gv.Gaussian(1e20, 1)), "q"),
        (lambda: gv.divergences(gv.Gaussian(1e20, 1), gv.Gaussian(0, 1)), "p_data"),
        (lambda: gv.total_variation(gv.Gaussian(0, 1e-200), gv.Gaussian(0, 1)), "p"),
        (
            lambda: gv.js_divergence(gv.Gaussian([1e20, 0], std=1), gv.Gaussian([0, 0], std=1)),
            "p",
        ),
        (lambda: gv.js_divergence(gv.Uniform(1e20, 1e20 + 1e4), gv.Gaussian(0, 1)), "p"),
    ],
)
def test_unrepresentable_inputs_raise_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=rf"^{name} has a length scale .* float64"):
        call()


def test_overflowing_std_raises():
    with pytest.raises(ValueError, match="std"):
        gv.Gaussian(0, 1e200)
    with pytest.raises(ValueError, match="cov"):
        gv.Gaussian([0, 0], std=1e200)


# -- bounded runtime ------------------------------------------------------------------------

EXTREME_PAIRS = [
    (gv.Gaussian(0, 1), gv.Gaussian(1e12, 1)),
    (gv.Gaussian(0, 1e-6), gv.Gaussian(0, 1e6)),
    (gv.Uniform(0, 1e-6), gv.Uniform(0, 1e6)),
    (gv.Mixture([gv.Gaussian(0, 1), gv.Gaussian(1e8, 1)]), gv.Gaussian(5e7, 1e-3)),
    (gv.Gaussian([0, 0], std=1), gv.Gaussian([3000, 1000], std=1)),
    (gv.Gaussian([0, 0], cov=[[1, 0.99999], [0.99999, 1]]), gv.Gaussian([0, 0], std=1)),
    (gv.Gaussian([0, 0], std=1e-6), gv.Gaussian([0, 0], std=1e6)),
    (gv.Uniform([0, 0], [1, 1]), gv.Uniform([1e6, 1e6], [1e6 + 1, 1e6 + 1])),
    (
        gv.Gaussian([0, 0], cov=[[4, 3.996], [3.996, 4]]),
        gv.Gaussian([0, 0], cov=[[9, 0], [0, 0.01]]),
    ),
]


@pytest.mark.parametrize(("p", "q"), EXTREME_PAIRS)
def test_extreme_inputs_run_in_bounded_time(p, q):
    """Each public call < 0.5 s (the ~0.1 s target is a row of benchmarks/core_speed.py)."""
    x = p.sample(100, seed=0)
    n = {"n_samples": 128} if p.dim == 2 else {}  # 2-D W1 is an OT estimate on samples
    calls = [
        lambda: gv.js_divergence(p, q),
        lambda: gv.kl_divergence(p, q),
        lambda: gv.total_variation(p, q),
        lambda: gv.value_function(p, q),
        lambda: gv.optimal_discriminator(p, q, x),
        lambda: gv.generator_gradient(p, q, "minimax"),
        lambda: gv.generator_gradient(p, q, "nonsaturating"),
        lambda: gv.wasserstein_distance(p, q, **n),
        lambda: gv.divergences(p, q, **n),
    ]
    for call in calls:
        start = time.perf_counter()
        value = call()
        elapsed = time.perf_counter() - start
        assert elapsed < 0.5, (call, elapsed)
        assert not np.any(np.isnan(np.asarray(getattr(value, "js", value), dtype=float)))


# -- gradient curves over many separations (ganviz.fitting.gradient_curves) -----------------


def test_gradient_curves_far_separations_match_quadrature():
    from ganviz.fitting import gradient_curves

    seps = np.array([3.0, 12.0, 30.0, 1e3, 1e4, 1e6])
    curves = gradient_curves(gv.Gaussian(0, 1), gv.Gaussian(0, 1), seps)
    minimax = np.array([minimax_gradient_reference(d) for d in seps])
    np.testing.assert_allclose(curves["minimax"], minimax, rtol=1e-6, atol=0)
    # non-saturating + minimax = E_g[s'] = Δ for unit Gaussians
    np.testing.assert_allclose(curves["nonsaturating"], seps - minimax, rtol=1e-9)
    np.testing.assert_allclose(curves["wasserstein"], 1.0)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_gradient_curves_six_decades_apart_in_scale():
    """Minimax gradient of N(0, 1e-3) against N(Δ, 1e3): quad in P_data's whitened variable."""
    from ganviz.fitting import gradient_curves

    sp, sq = 1e-3, 1e3
    seps = np.array([0.3, 1.0, 8.0])

    def reference(delta):
        p, q = stats.norm(0, sp), stats.norm(delta, sq)

        def f(z):  # q · D* · (−s'), x = σ_p z
            x = sp * z
            ds = -x / sp**2 + (x - delta) / sq**2
            return sp * q.pdf(x) * special.expit(p.logpdf(x) - q.logpdf(x)) * -ds

        return integrate.quad(f, -60, 60, points=[0.0], epsabs=0, epsrel=1e-10, limit=400)[0]

    got = gradient_curves(gv.Gaussian(0, sp), gv.Gaussian(0, sq), seps)["minimax"]
    np.testing.assert_allclose(got, [reference(d) for d in seps], rtol=1e-6)


# -- shift sweeps (ganviz.sweeps.shift_sweep) ---------------------------------------------------


def test_shift_sweep_over_a_million_sigma():
    from ganviz.sweeps import shift_sweep

    shifts = np.linspace(-1e6, 1e6, 5)
    sweep = shift_sweep(gv.Gaussian(0, 1), gv.Gaussian(0, 1), shifts)
    np.testing.assert_allclose(sweep.js, [LOG2, LOG2, 0.0, LOG2, LOG2], atol=1e-12)
    np.testing.assert_allclose(sweep.kl_data_g, shifts**2 / 2, rtol=1e-10)
    np.testing.assert_allclose(sweep.w1, np.abs(shifts), rtol=1e-10)
    np.testing.assert_allclose(sweep.value, 2 * sweep.js - 2 * LOG2, atol=1e-10)


def test_shift_sweep_twelve_decades_apart_in_scale():
    from ganviz.sweeps import shift_sweep

    shifts = np.array([0.0, 1.0])
    sweep = shift_sweep(gv.Gaussian(0, 1e-6), gv.Gaussian(0, 1e6), shifts)
    exact = [kl_gaussians(0, 1e-12, t, 1e12) for t in shifts]
    np.testing.assert_allclose(sweep.kl_data_g, exact, rtol=1e-10)


# -- heavy 2-D mixtures (log densities factorised on the tensor grid) ----------------------


def mixture_logpdf_scipy(mix):
    """log Σ_k w_k N_k(x) from scipy.stats densities (independent of ganviz)."""
    comps = [stats.multivariate_normal(c.mean, c.covariance) for c in mix.components]
    weights = np.log(mix.weights)

    def logpdf(x):
        return special.logsumexp(
            [w + c.logpdf(x) for w, c in zip(weights, comps, strict=True)], axis=0
        )

    return logpdf


@pytest.mark.parametrize(
    "pair",
    [
        (gv.grid_of_gaussians(5, 2.0, 0.05), gv.Gaussian([0, 0], std=1.0)),
        (gv.ring_of_gaussians(8, 2.0, 0.02), gv.grid_of_gaussians(5, 2.0, 0.05)),
        (
            gv.Mixture(
                [
                    *gv.grid_of_gaussians(3, 1.0, 0.1).components,
                    gv.Gaussian([0.3, 0], cov=[[1, 0.8], [0.8, 1]]),
                ]
            ),
            gv.ring_of_gaussians(8, 2.0, 0.1),
        ),
    ],
)
def test_log_densities_on_a_tensor_grid_match_scipy(pair):
    from ganviz.grid_density import log_density, log_density_and_score
    from ganviz.grids import auto_grid

    g = auto_grid(*pair)
    for dist in pair:
        ref = (
            mixture_logpdf_scipy(dist)
            if isinstance(dist, gv.Mixture)
            else gaussian_logpdf(dist.mean, dist.covariance)
        )
        got, score = log_density_and_score(dist, g)
        idx = np.random.default_rng(0).choice(len(g), 4000, replace=False)
        x, h = g.points[idx], 1e-7
        np.testing.assert_allclose(got[idx], ref(x), rtol=1e-13, atol=1e-11)
        # without scores too (the exact fallback between a ring's modes has its own branch)
        np.testing.assert_allclose(log_density(dist, g)[idx], ref(x), rtol=1e-13, atol=1e-11)
        # the score against central differences of scipy's log density
        for axis in range(2):
            e = np.eye(2)[axis] * h
            fd = (ref(x + e) - ref(x - e)) / (2 * h)
            np.testing.assert_allclose(score[idx, axis], fd, rtol=1e-5, atol=1e-4)


# -- heavy 2-D mixtures against Gauss–Hermite quadrature ------------------------------------
#
# An independent reference for mixtures of many narrow Gaussians (a dblquad of grid25 vs
# N(0, I) took minutes). For p = Σᵢ wᵢ N(μᵢ, Σᵢ), E_p[f] = Σᵢ wᵢ E_{N(μᵢ,Σᵢ)}[f], each
# term a tensor-product Gauss–Hermite rule in that component's whitened coordinates
# x = μᵢ + Lᵢz (LᵢLᵢᵀ = Σᵢ). Only p's components carry nodes: the expectations under q
# are moved onto p by the change of measure q = p·e^{−t}, t = log p − log q,
#
#     E_q[g(t)] = g(−∞) + E_p[e^{−t}(g(t) − g(−∞))],
#
# because under a broad q (N(0, I)) the integrand has features as narrow as p's modes,
# which no Hermite rule in q's coordinates resolves (JS by E_q directly was off by 1e-2
# at 40–160 nodes per axis). With p's modes narrower than q everywhere, t is smooth in
# each of p's whitened frames. Densities and scores come from scipy.stats, written out
# here; nothing is shared with ganviz's grids. Total variation (a kink where t = 0) is
# not checked here: a Hermite rule converges slowly across a kink.


def gaussian_components(dist):
    """(weight, mean, covariance) of each Gaussian component, read off the ganviz object."""
    pairs = (
        zip(dist.weights, dist.components, strict=True)
        if isinstance(dist, gv.Mixture)
        else [(1.0, dist)]
    )
    return [
        (float(w), np.asarray(c.mean, float), np.asarray(c.covariance, float)) for w, c in pairs
    ]


def mixture_log_density_and_score(components):
    """x ↦ (log Σ wₖN(x; μₖ, Σₖ), its gradient) from scipy.stats densities."""
    parts = [
        (math.log(w), stats.multivariate_normal(mean, cov), mean, np.linalg.inv(cov))
        for w, mean, cov in components
    ]

    def evaluate(x):
        logs = np.stack([log_w + normal.logpdf(x) for log_w, normal, _, _ in parts])
        total = special.logsumexp(logs, axis=0)
        responsibility = np.exp(logs - total)
        score = sum(
            r[:, None] * -((x - mean) @ precision)
            for r, (_, _, mean, precision) in zip(responsibility, parts, strict=True)
        )
        return total, score

    return evaluate


def hermite_expectation(components, f, nodes: int):
    """Σᵢ wᵢ E_{N(μᵢ,Σᵢ)}[f] by an nodes × nodes Gauss–Hermite rule in each whitened frame."""
    z, w = hermegauss(nodes)  # weight e^{−z²/2}: Σ w = √(2π)
    w = w / math.sqrt(2 * math.pi)
    zz = np.stack(np.meshgrid(z, z, indexing="ij"), axis=-1).reshape(-1, 2)
    ww = np.outer(w, w).ravel()
    return sum(
        weight * (ww @ f(mean + zz @ np.linalg.cholesky(cov).T)) for weight, mean, cov in components
    )


def exp_neg_times_softplus(t):
    """e^{−t}·softplus(t) = e^{−t} log(1 + e^t), without overflow (→ 1 as t → −∞)."""
    u = np.exp(-np.abs(t))
    below = np.where(u > 0, np.log1p(u) / np.where(u > 0, u, 1.0), 1.0)  # t < 0: log1p(u)/u
    above = u * (np.abs(t) + np.log1p(u))  # t ≥ 0: e^{−t}(t + log1p(e^{−t}))
    return np.where(t < 0, below, above)


def hermite_reference(p, q, nodes: int) -> dict:
    """JS, KL(p‖q), V(G, D*) and the minimax generator gradient, all as expectations under p.

    With t = log p − log q, D* = σ(t) and the change of measure E_q[g] = E_p[e^{−t} g]:
    JS = log 2 − ½E_p[softplus(−t)] − ½E_q[softplus(t)], E_q[softplus(t)] = E_p[e^{−t}softplus(t)];
    V = E_p[log D*] + E_q[log(1 − D*)] = −E_p[softplus(−t)] − E_q[softplus(t)];
    KL(p‖q) = E_p[t]; minimax gradient −E_q[D*∇t] = −E_p[(1 − D*)∇t].
    """
    p_parts = gaussian_components(p)
    log_p, log_q = (mixture_log_density_and_score(gaussian_components(d)) for d in (p, q))

    def integrand(x):
        (lp, score_p), (lq, score_q) = log_p(x), log_q(x)
        t = lp - lq
        return np.column_stack(
            [
                np.logaddexp(0.0, -t),
                exp_neg_times_softplus(t),
                t,
                special.expit(-t)[:, None] * (score_p - score_q),
            ]
        )

    p_softplus, q_softplus, kl, *gradient = hermite_expectation(p_parts, integrand, nodes)
    return {
        "js": LOG2 - 0.5 * (p_softplus + q_softplus),
        "kl": kl,
        "value": -(p_softplus + q_softplus),
        "minimax": -np.array(gradient),
    }


def random_gaussian(rng, mean, stds: tuple[float, float]) -> gv.Gaussian:
    """N(mean, RDRᵀ): principal stds drawn from ``stds``, a random rotation R."""
    angle = rng.uniform(0, math.pi)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    cov = rotation @ np.diag(rng.uniform(*stds, size=2) ** 2) @ rotation.T
    return gv.Gaussian(mean, cov=cov)


def random_mixture_pair(seed: int):
    """Five narrow correlated modes (σ 0.04–0.15) against a broad 3-mixture (σ 0.7–1.5).

    The modes sit on a jittered lattice (spacing 1.5, jitter ±0.3), so that no mode lies
    inside another (the reference integrates p's modes in their own frames only).
    """
    rng = np.random.default_rng(seed)
    sites = 1.5 * np.array(list(itertools.product([-1, 0, 1], repeat=2)), dtype=float)
    sites = sites[rng.choice(len(sites), 5, replace=False)] + rng.uniform(-0.3, 0.3, (5, 2))
    narrow = [random_gaussian(rng, m, (0.04, 0.15)) for m in sites]
    broad = [random_gaussian(rng, rng.uniform(-1, 1, 2), (0.7, 1.5)) for _ in range(3)]
    return (
        gv.Mixture(narrow, weights=rng.uniform(0.5, 2.0, 5)),
        gv.Mixture(broad, weights=rng.uniform(0.5, 2.0, 3)),
    )


HEAVY_MIXTURE_PAIRS = {
    "grid25 vs N(0, I)": (gv.grid_of_gaussians(5, 2.0, 0.05), gv.Gaussian([0, 0], std=1.0)),
    "ring8 vs grid25": (gv.ring_of_gaussians(8, 2.0, 0.02), gv.grid_of_gaussians(5, 2.0, 0.05)),
    "random pair, seed 1": random_mixture_pair(1),
    "random pair, seed 2": random_mixture_pair(2),
}
#: What ganviz achieves against the reference (abs for JS and V, relative for KL and the
#: gradient, whose size ranges from 1e-17 to 0.1): grid25 vs N(0, I) and the random pairs
#: to ~1e-9; ring8 vs grid25 to ~3e-7, where σ = 0.02 and 0.05 modes need more than the
#: 600² node budget at 4 nodes per σ; the gradient, which lives in the switch of D*
#: around every mode (a curve the grid's axes do not follow), to ~3e-6 relative.
HEAVY_MIXTURE_TOLERANCES = {
    "grid25 vs N(0, I)": {"js": 2e-9, "value": 4e-9, "kl": 1e-9, "minimax": 1e-5},
    "ring8 vs grid25": {"js": 5e-7, "value": 1e-6, "kl": 1e-6, "minimax": 1e-5},
    "random pair, seed 1": {"js": 4e-9, "value": 8e-9, "kl": 1e-8, "minimax": 1e-5},
    "random pair, seed 2": {"js": 4e-9, "value": 8e-9, "kl": 1e-8, "minimax": 1e-5},
}


@pytest.mark.parametrize("name", list(HEAVY_MIXTURE_PAIRS))
def test_heavy_mixtures_against_gauss_hermite(name):
    p, q = HEAVY_MIXTURE_PAIRS[name]
    coarse, fine = hermite_reference(p, q, 60), hermite_reference(p, q, 120)
    # the reference converges: 60 and 120 nodes per axis agree far below the tolerances
    for key in ("js", "value", "kl"):
        assert coarse[key] == pytest.approx(fine[key], rel=1e-9, abs=1e-9), key
    gradient_scale = np.max(np.abs(fine["minimax"]))
    np.testing.assert_allclose(
        coarse["minimax"], fine["minimax"], rtol=0, atol=1e-6 * gradient_scale + 1e-15
    )

    tol = HEAVY_MIXTURE_TOLERANCES[name]
    assert gv.js_divergence(p, q) == pytest.approx(fine["js"], rel=0, abs=tol["js"])
    assert gv.value_function(p, q) == pytest.approx(fine["value"], rel=0, abs=tol["value"])
    assert gv.kl_divergence(p, q) == pytest.approx(fine["kl"], rel=tol["kl"])
    both = gv.divergences(p, q, n_samples=16)
    assert both.js == pytest.approx(fine["js"], rel=0, abs=tol["js"])
    assert both.kl_data_g == pytest.approx(fine["kl"], rel=tol["kl"])
    np.testing.assert_allclose(
        gv.generator_gradient(p, q, "minimax"),
        fine["minimax"],
        rtol=0,
        atol=tol["minimax"] * gradient_scale + 1e-15,
    )


# -- fit_gaussian with modes far apart --------------------------------------------------------


@pytest.mark.parametrize("sep", [50.0, 1000.0])
def test_fit_gaussian_far_apart_modes_1d(sep):
    from ganviz.fitting import fit_gaussian

    data = gv.Mixture([gv.Gaussian(-sep, 1.0), gv.Gaussian(sep, 1.0)])
    fwd = fit_gaussian(data, "kl_forward").gaussian
    assert fwd.mean == pytest.approx(0.0, abs=1e-9)
    assert fwd.std == pytest.approx(math.sqrt(1 + sep * sep), rel=1e-12)  # moment matching
    rev = fit_gaussian(data, "kl_reverse")
    assert abs(abs(rev.gaussian.mean) - sep) < 0.05 and rev.gaussian.std == pytest.approx(
        1, abs=0.02
    )
    assert rev.value == pytest.approx(LOG2, abs=1e-6)  # q = one mode: KL = log 2
    js = fit_gaussian(data, "js").gaussian
    assert abs(abs(js.mean) - sep) < 1.0


def js_quad_1d(data, mu, sd):
    """JS(data‖N(mu, sd²)) by quad over each density's own ±12σ windows (independent)."""
    comps = [(w, c.mean, c.std) for w, c in zip(data.weights, data.components, strict=True)]

    def log_normal(x, m, s):
        return -0.5 * ((x - m) / s) ** 2 - math.log(s) - 0.5 * math.log(2 * math.pi)

    def lp(x):
        return special.logsumexp([math.log(w) + log_normal(x, m, s) for w, m, s in comps])

    def lq(x):
        return log_normal(x, mu, sd)

    def term(la, lb):
        return lambda x: math.exp(la(x)) * (LOG2 - np.logaddexp(0.0, lb(x) - la(x)))

    # the line split at every density's ±12σ window ends: each piece by quad
    total = 0.0
    edges = sorted(
        {e for _, m, s in comps for e in (m - 12 * s, m + 12 * s)} | {mu - 12 * sd, mu + 12 * sd}
    )
    for a, b in itertools.pairwise(edges):
        for la, lb in ((lp, lq), (lq, lp)):
            total += integrate.quad(term(la, lb), a, b, limit=200, epsabs=1e-13)[0]
    return 0.5 * total


def test_fit_gaussian_js_is_a_local_minimum_far_apart():
    from ganviz.fitting import fit_gaussian

    data = gv.Mixture([gv.Gaussian(-50.0, 1.0), gv.Gaussian(50.0, 1.0)])
    fit = fit_gaussian(data, "js").gaussian
    best = js_quad_1d(data, fit.mean, fit.std)
    assert best == pytest.approx(gv.js_divergence(data, fit), abs=1e-8)
    for dm, ds in [(0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05)]:
        assert js_quad_1d(data, fit.mean + dm, fit.std * (1 + ds)) > best


@pytest.mark.parametrize("sep", [50.0, 1000.0])
def test_fit_gaussian_far_apart_modes_2d(sep):
    from ganviz.fitting import fit_gaussian

    cov_b = np.array([[1.0, 0.5], [0.5, 2.0]])
    data = gv.Mixture([gv.Gaussian([-sep, 0.3 * sep], std=1.0), gv.Gaussian([sep, 0.0], cov=cov_b)])
    fwd = fit_gaussian(data, "kl_forward").gaussian
    np.testing.assert_allclose(fwd.mean, data.mean, atol=1e-9 * sep)
    np.testing.assert_allclose(fwd.covariance, data.covariance, rtol=1e-10)
    rev = fit_gaussian(data, "kl_reverse").gaussian
    modes = [(np.array([-sep, 0.3 * sep]), np.eye(2)), (np.array([sep, 0.0]), cov_b)]
    mean, cov = min(modes, key=lambda m: np.linalg.norm(m[0] - rev.mean))
    assert np.linalg.norm(rev.mean - mean) < 0.05
    np.testing.assert_allclose(rev.covariance, cov, atol=0.05)
