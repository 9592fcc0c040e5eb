"""Property tests on random mixtures: bounds, symmetry, non-negativity, the value identity."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import ganviz as gv

LOG2 = math.log(2)

means = st.floats(-6, 6, allow_nan=False)
stds = st.floats(0.2, 3.0, allow_nan=False)
weights = st.floats(0.05, 1.0, allow_nan=False)


@st.composite
def mixtures_1d(draw):
    k = draw(st.integers(1, 3))
    comps = [gv.Gaussian(draw(means), draw(stds)) for _ in range(k)]
    return gv.Mixture(comps, [draw(weights) for _ in range(k)])


@st.composite
def mixtures_2d(draw):
    k = draw(st.integers(1, 2))
    comps = []
    for _ in range(k):
        sx, sy, rho = draw(stds), draw(stds), draw(st.floats(-0.8, 0.8))
        cov = [[sx * sx, rho * sx * sy], [rho * sx * sy, sy * sy]]
        comps.append(gv.Gaussian([draw(means), draw(means)], cov=cov))
    return gv.Mixture(comps, [draw(weights) for _ in range(k)])


@settings(max_examples=60, deadline=None)
@given(mixtures_1d(), mixtures_1d())
def test_1d_divergence_properties(p, q):
    js_pq, js_qp = gv.js_divergence(p, q), gv.js_divergence(q, p)
    assert 0.0 <= js_pq <= LOG2
    assert math.isclose(js_pq, js_qp, abs_tol=1e-10)
    assert gv.kl_divergence(p, q) >= 0.0 and gv.kl_divergence(q, p) >= 0.0
    # V(G, D*) integrated from log D* and log(1 − D*) equals 2·JS − 2·log 2
    assert math.isclose(gv.value_function(p, q), 2 * js_pq - 2 * LOG2, abs_tol=1e-9)
    # Pinsker-type sandwich linking TV and JS: JS ≤ TV·log 2 and TV² / 2 ≤ ... (Lin 1991)
    tv = gv.total_variation(p, q)
    assert js_pq <= tv * LOG2 + 1e-9
    assert gv.js_divergence(p, p) <= 1e-12
    x = np.linspace(-10, 10, 101)
    d = gv.optimal_discriminator(p, q, x)
    assert np.all((d >= 0) & (d <= 1))


@settings(max_examples=15, deadline=None)
@given(mixtures_2d(), mixtures_2d())
def test_2d_divergence_properties(p, q):
    js = gv.js_divergence(p, q)
    assert 0.0 <= js <= LOG2
    assert math.isclose(js, gv.js_divergence(q, p), abs_tol=1e-9)
    assert math.isclose(gv.value_function(p, q), 2 * js - 2 * LOG2, abs_tol=1e-8)
    assert gv.kl_divergence(p, q) >= 0.0


# -- wide ranges of scales and separations (std 1e-6 … 1e6, separations up to 1e6σ) --------

log_stds = st.floats(-6.0, 6.0, allow_nan=False)
separations = st.one_of(st.just(0.0), st.floats(1e-3, 1e6, allow_nan=False))
signs = st.sampled_from([-1.0, 1.0])


def _kl_gaussians(mu_p, cov_p, mu_q, cov_q) -> float:
    """½[tr(Σq⁻¹Σp) + (μq−μp)ᵀΣq⁻¹(μq−μp) − k + log det Σq/det Σp] (closed form)."""
    mu_p, mu_q = np.atleast_1d(mu_p), np.atleast_1d(mu_q)
    cov_p, cov_q = np.atleast_2d(cov_p), np.atleast_2d(cov_q)
    prec_q = np.linalg.inv(cov_q)
    d = mu_q - mu_p
    logdet = np.linalg.slogdet(cov_q)[1] - np.linalg.slogdet(cov_p)[1]
    return 0.5 * (np.trace(prec_q @ cov_p) + d @ prec_q @ d - len(mu_p) + logdet)


@settings(max_examples=80, deadline=None)
@given(log_stds, log_stds, separations, signs)
def test_1d_gaussians_over_twelve_decades(log_sp, log_sq, k, sign):
    """Separation k·min(σ) up to 10⁶σ: JS in [0, log 2], V identity, KL closed form."""
    sp, sq = 10.0**log_sp, 10.0**log_sq
    mu = sign * k * min(sp, sq)
    p, q = gv.Gaussian(0.0, sp), gv.Gaussian(mu, sq)
    d = gv.divergences(p, q)
    assert 0.0 <= d.js <= LOG2
    assert math.isclose(d.value, 2 * d.js - 2 * LOG2, rel_tol=1e-9, abs_tol=1e-9)
    for got, (a, b) in ((d.kl_data_g, (p, q)), (d.kl_g_data, (q, p))):
        exact = _kl_gaussians(a.mean, a.covariance, b.mean, b.covariance)
        assert math.isclose(got, exact, rel_tol=1e-7, abs_tol=1e-9)
    if k * min(sp, sq) > 40 * max(sp, sq):  # ≥ 40σ of the wider one apart
        assert math.isclose(d.js, LOG2, rel_tol=1e-10)


@st.composite
def gaussians_2d_wide(draw):
    """(cov_p, cov_q): p correlated (|ρ| ≤ 0.9999, axis ratio ≤ 10, scale 1e-6 … 1e6);
    q isotropic or p's shape rescaled, at its own scale 1e-6 … 1e6.

    (Two elongated Gaussians in *different* orientations are outside this
    strategy: the tensor grid follows one frame and its node budget then
    limits the accuracy to ~1e-5.)
    """
    s1 = 10.0 ** draw(log_stds)
    s2 = s1 * 10.0 ** draw(st.floats(-1.0, 1.0))
    rho = draw(st.floats(-0.9999, 0.9999))
    cov_p = np.array([[s1 * s1, rho * s1 * s2], [rho * s1 * s2, s2 * s2]])
    scale = 10.0 ** draw(log_stds)
    cov_q = scale**2 * (np.eye(2) if draw(st.booleans()) else cov_p / (s1 * s2))
    if draw(st.booleans()):
        cov_p, cov_q = cov_q, cov_p
    return cov_p, cov_q


@settings(max_examples=40, deadline=None)
@given(gaussians_2d_wide(), separations, st.floats(0, 2 * math.pi))
def test_2d_gaussians_over_twelve_decades(covs, k, angle):
    """Separation k·(finest σ) up to 10⁶: JS in [0, log 2], V identity, KL closed form."""
    cov_p, cov_q = covs
    finest = math.sqrt(min(np.linalg.eigvalsh(cov_p)[0], np.linalg.eigvalsh(cov_q)[0]))
    mu = k * finest * np.array([math.cos(angle), math.sin(angle)])
    p, q = gv.Gaussian([0.0, 0.0], cov=cov_p), gv.Gaussian(mu, cov=cov_q)
    js = gv.js_divergence(p, q)
    assert 0.0 <= js <= LOG2
    assert math.isclose(gv.value_function(p, q), 2 * js - 2 * LOG2, abs_tol=1e-6)
    exact = _kl_gaussians([0.0, 0.0], cov_p, mu, cov_q)
    assert math.isclose(gv.kl_divergence(p, q), exact, rel_tol=1e-5, abs_tol=1e-7)
