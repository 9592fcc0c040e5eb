"""ganviz.f_divergences against independent references: closed forms, scipy quad, scipy.stats.

The references here never call ganviz's quadrature: Gaussian closed forms, integrals by
``scipy.integrate.quad`` of integrands written with ``scipy.stats.norm``,
``scipy.spatial.distance.jensenshannon`` and ``scipy.stats.wasserstein_distance``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize, stats
from scipy.spatial.distance import jensenshannon

import ganviz as gv
from ganviz import f_divergences as fd

LOG2, LOG4 = math.log(2.0), math.log(4.0)

# -- independent references --------------------------------------------------------------

PAIRS = [((0.3, 1.0), (1.0, 1.4)), ((0.0, 1.0), (2.5, 0.8)), ((-1.0, 0.5), (1.0, 2.0))]


def kl_closed(m1, s1, m2, s2):
    """KL(N(m1, s1²)‖N(m2, s2²))."""
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


def hellinger_closed(m1, s1, m2, s2):
    """H² = 1 − ∫√(pq) (Bhattacharyya coefficient of two Gaussians)."""
    bc = math.sqrt(2 * s1 * s2 / (s1**2 + s2**2)) * math.exp(
        -((m1 - m2) ** 2) / (4 * (s1**2 + s2**2))
    )
    return 1.0 - bc


def pearson_closed(mp, sp, mq, sq):
    """χ²(P‖Q) = ∫p²/q − 1 for Gaussians, finite when 2σq² > σp².

    Completing the square in ∫ p²/q: the exponent is −a x² + … with
    a = (2σq² − σp²)/(2σp²σq²), giving σq² / (σp √(2σq² − σp²)) · exp((μp − μq)²/(2σq² − σp²)).
    (Check: σp = σq = σ gives exp(Δ²/σ²) − 1, the known equal-width result.)
    """
    d = 2 * sq**2 - sp**2
    return sq**2 / (sp * math.sqrt(d)) * math.exp((mp - mq) ** 2 / d) - 1.0


def quad(f, lo=-40.0, hi=40.0, points=()):
    value, _ = integrate.quad(f, lo, hi, points=list(points) or None, limit=400, epsabs=1e-13)
    return value


def mixture_logpdf(means, stds, weights):
    means, stds, weights = map(np.asarray, (means, stds, weights))

    def logpdf(x):
        return float(
            np.logaddexp.reduce(np.log(weights) + stats.norm.logpdf(x, means, stds), axis=0)
        )

    return logpdf


def norm_logpdf(m, s):
    return lambda x: float(stats.norm.logpdf(x, m, s))


def js_quad(lp, lq, points=()):
    def integrand(x):
        a, b = lp(x), lq(x)
        lm = np.logaddexp(a, b) - LOG2
        return 0.5 * (math.exp(a) * (a - lm) + math.exp(b) * (b - lm))

    return quad(integrand, points=points)


def kl_quad(lp, lq, points=()):
    return quad(lambda x: math.exp(lp(x)) * (lp(x) - lq(x)), points=points)


DATA = gv.Mixture([gv.Gaussian(-2.0, 0.5), gv.Gaussian(2.0, 0.5)], [0.6, 0.4])
DATA_LOGPDF = mixture_logpdf([-2.0, 2.0], [0.5, 0.5], [0.6, 0.4])


# -- one pair ----------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_gaussian_pairs_match_closed_forms(a, b):
    p, q = gv.Gaussian(*a), gv.Gaussian(*b)
    assert fd.f_divergence(p, q, "kl_forward") == pytest.approx(kl_closed(*a, *b), rel=1e-9)
    assert fd.f_divergence(p, q, "kl_reverse") == pytest.approx(kl_closed(*b, *a), rel=1e-9)
    assert fd.f_divergence(p, q, "hellinger") == pytest.approx(hellinger_closed(*a, *b), rel=1e-8)
    assert fd.f_divergence(p, q, "pearson") == pytest.approx(pearson_closed(*a, *b), rel=1e-7)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_js_gan_lsgan_and_nonsaturating_match_scipy_quad(a, b):
    p, q = gv.Gaussian(*a), gv.Gaussian(*b)
    lp, lq = norm_logpdf(*a), norm_logpdf(*b)
    pts = (a[0], b[0])
    js = js_quad(lp, lq, pts)
    assert fd.f_divergence(p, q, "js") == pytest.approx(js, abs=1e-9)
    assert fd.f_divergence(p, q, "gan") == pytest.approx(2 * js - LOG4, abs=1e-9)

    def lsgan_integrand(x):  # (p − q)²/(p + q) = (p + q)·tanh²(½ log(p/q))
        return math.exp(np.logaddexp(lp(x), lq(x))) * math.tanh(0.5 * (lp(x) - lq(x))) ** 2

    lsgan = quad(lsgan_integrand, points=pts)
    assert fd.f_divergence(p, q, "lsgan") == pytest.approx(lsgan, abs=1e-9)
    nonsat = kl_quad(lq, lp, pts) - 2 * js
    assert fd.f_divergence(p, q, "nonsaturating") == pytest.approx(nonsat, abs=1e-8)


def test_nonsaturating_objective_is_twice_kl_of_the_mixture_from_the_data():
    """KL(Q‖P) − 2·JS(P‖Q) = 2·KL(M‖P), M = ½(P + Q): an f-divergence, ≥ 0."""
    for mean, std in ((0.0, 1.0), (1.5, 0.4), (-2.0, 2.0)):
        lq = norm_logpdf(mean, std)

        def lm(x, lq=lq):
            return float(np.logaddexp(DATA_LOGPDF(x), lq(x)) - LOG2)

        reference = 2 * kl_quad(lm, DATA_LOGPDF, (-2.0, 2.0, mean))
        value = fd.f_divergence(DATA, gv.Gaussian(mean, std), "nonsaturating")
        assert value == pytest.approx(reference, rel=1e-7)
        assert value > 0


def test_js_matches_scipy_jensenshannon_on_a_fine_discretisation():
    x = np.linspace(-12, 12, 200_001)
    p, q = DATA, gv.Gaussian(0.5, 1.2)
    root = jensenshannon(p.pdf(x), q.pdf(x))  # the SQUARE ROOT of JS, natural log
    assert fd.f_divergence(p, q, "js") == pytest.approx(root**2, rel=1e-6)


def test_w1_matches_scipy_wasserstein_distance():
    x = np.linspace(-15, 15, 60_001)
    q = gv.Gaussian(0.5, 1.2)
    reference = stats.wasserstein_distance(x, x, DATA.pdf(x), q.pdf(x))
    assert fd.divergence(DATA, q, "w1") == pytest.approx(reference, rel=1e-5)


def test_mixture_pairs_match_quad_for_every_row():
    q = gv.Gaussian(0.4, 1.5)
    lq = norm_logpdf(0.4, 1.5)
    pts = (-2.0, 0.4, 2.0)

    def p_and_q(x):
        return math.exp(DATA_LOGPDF(x)), math.exp(lq(x))

    refs = {
        "kl_forward": kl_quad(DATA_LOGPDF, lq, pts),
        "kl_reverse": kl_quad(lq, DATA_LOGPDF, pts),
        "js": js_quad(DATA_LOGPDF, lq, pts),
        "hellinger": 1 - quad(lambda x: math.sqrt(p_and_q(x)[0] * p_and_q(x)[1]), points=pts),
        "pearson": quad(lambda x: math.exp(2 * DATA_LOGPDF(x) - lq(x)), points=pts) - 1,
    }
    for name, ref in refs.items():
        assert fd.f_divergence(DATA, q, name) == pytest.approx(ref, rel=1e-7, abs=1e-10), name


def test_at_the_nash_equilibrium_every_divergence_is_zero_and_v_is_minus_log4():
    for name in fd.F_DIVERGENCES:
        expected = -LOG4 if name == "gan" else 0.0
        assert fd.f_divergence(DATA, DATA, name) == pytest.approx(expected, abs=1e-9), name
    assert fd.divergence(DATA, DATA, "w1") == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(gv.optimal_discriminator(DATA, DATA, [-2.0, 0.0, 3.0]), 0.5)


def test_pearson_is_infinite_when_the_model_tails_are_too_light():
    p = gv.Gaussian(0.0, 1.0)
    assert math.isinf(fd.f_divergence(p, gv.Gaussian(0.0, 0.7), "pearson"))  # 2·0.49 < 1
    assert math.isinf(fd.f_divergence(p, gv.Gaussian(0.3, 1 / math.sqrt(2)), "pearson"))
    assert math.isfinite(fd.f_divergence(p, gv.Gaussian(0.0, 0.75), "pearson"))
    assert math.isinf(fd.f_divergence(DATA, gv.Gaussian(0.0, 0.3), "pearson"))  # 0.18 < 0.25
    assert math.isinf(fd.f_divergence(p, gv.Uniform(-1, 1), "pearson"))
    assert math.isfinite(fd.f_divergence(gv.Uniform(-1, 1), p, "pearson"))
    assert math.isinf(fd.f_divergence(gv.Uniform(-1, 1), gv.Gaussian(0, 1), "kl_reverse"))


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="name"):
        fd.f_divergence(DATA, DATA, "tv")
    with pytest.raises(ValueError, match="objective"):
        fd.divergence_landscape(DATA, ("nope",))
    with pytest.raises(ValueError, match="n_modes"):
        fd.mixture_of_modes(4)
    with pytest.raises(ValueError, match="weight"):
        fd.mixture_of_modes(2, 3.0, 1.0)


# -- the table -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(fd.F_DIVERGENCES))
def test_each_generator_is_convex_vanishes_at_one_and_integrates_to_the_named_divergence(name):
    row = fd.F_DIVERGENCES[name]
    u = np.geomspace(1e-3, 1e3, 2001)
    f = row.f(u)
    # convex: second divided differences on a non-uniform grid are ≥ 0
    slopes = np.diff(f) / np.diff(u)
    assert np.all(np.diff(slopes) >= -1e-9 * np.abs(slopes[1:]).max())
    f1 = float(row.f(np.array([1.0]))[0])
    assert f1 == pytest.approx(-LOG4 if name == "gan" else 0.0, abs=1e-12)
    # ∫ q f(p/q) by scipy quad (no log-space care) equals the log-space integral
    q = (0.4, 1.5)
    lq = norm_logpdf(*q)

    def integrand(x):
        pp, qq = math.exp(DATA_LOGPDF(x)), math.exp(lq(x))
        return qq * float(row.f(np.array([pp / qq]))[0]) if qq > 1e-300 else 0.0

    reference = quad(integrand, -15, 15, points=(-2.0, 0.4, 2.0))
    value = fd.f_divergence(DATA, gv.Gaussian(*q), name)
    assert value == pytest.approx(reference, rel=1e-6, abs=1e-9)
    assert fd.generator_integral(DATA, gv.Gaussian(*q), row.f) == pytest.approx(value, rel=1e-6)


@pytest.mark.parametrize("name", sorted(n for n, r in fd.F_DIVERGENCES.items() if r.conjugate))
def test_each_conjugate_is_the_supremum_of_tu_minus_f(name):
    row = fd.F_DIVERGENCES[name]
    domain_top = {"kl_reverse": -0.05, "js": 0.5 * LOG2 - 0.05, "gan": -0.05, "lsgan": 0.9,
                  "hellinger": 0.45}.get(name, 2.0)  # fmt: skip
    for t in np.linspace(-3.5, domain_top, 7):
        if name == "kl_reverse" and t >= 0:
            continue
        res = optimize.minimize_scalar(
            lambda log_u, t=t: (
                -(t * math.exp(log_u) - float(row.f(np.array([math.exp(log_u)]))[0]))
            ),
            bounds=(-30, 12),
            method="bounded",
            options={"xatol": 1e-12},
        )
        with np.errstate(divide="ignore"):
            at_zero = -float(row.f(np.array([0.0]))[0])  # u = 0 is allowed too
        sup = max(-res.fun, at_zero)
        assert float(row.conjugate(np.array([t]))[0]) == pytest.approx(sup, abs=1e-6), (name, t)


def test_table_rows_carry_their_loss_and_source():
    for row in fd.F_DIVERGENCES.values():
        assert row.gan_loss and row.source and row.f_text
    assert "Mao" in fd.F_DIVERGENCES["lsgan"].source
    assert "Arjovsky" in fd.F_DIVERGENCES["nonsaturating"].source
    assert set(fd.OBJECTIVES) - set(fd.F_DIVERGENCES) == {"w1"}


# -- Arjovsky & Bottou 2017, Theorem 2.5 ------------------------------------------------------


def test_nonsaturating_expected_gradient_is_that_of_kl_reverse_minus_two_js():
    """d/dθ E_{P_θ}[−log D*] (D* of θ₀ held fixed) = d/dθ [KL(P_θ‖P_data) − 2·JS] at θ₀."""
    std, theta0, eps = 0.8, 0.7, 1e-4

    def log_d_star(x):  # log D*(x) of the generator at θ₀, held fixed
        a, b = DATA_LOGPDF(x), stats.norm.logpdf(x, theta0, std)
        return a - np.logaddexp(a, b)

    def generator_cost(theta):
        return quad(lambda x: -stats.norm.pdf(x, theta, std) * log_d_star(x), points=(-2, 2, theta))

    def objective(theta):
        lq = norm_logpdf(theta, std)
        pts = (-2.0, 2.0, theta)
        return kl_quad(lq, DATA_LOGPDF, pts) - 2 * js_quad(DATA_LOGPDF, lq, pts)

    lhs = (generator_cost(theta0 + eps) - generator_cost(theta0 - eps)) / (2 * eps)
    rhs = (objective(theta0 + eps) - objective(theta0 - eps)) / (2 * eps)
    assert lhs == pytest.approx(rhs, rel=1e-5)
    # and ganviz agrees: the core's non-saturating gradient, and its objective's slope
    assert gv.generator_gradient(DATA, gv.Gaussian(theta0, std), "nonsaturating") == pytest.approx(
        lhs, rel=1e-5
    )
    slope = (
        fd.f_divergence(DATA, gv.Gaussian(theta0 + eps, std), "nonsaturating")
        - fd.f_divergence(DATA, gv.Gaussian(theta0 - eps, std), "nonsaturating")
    ) / (2 * eps)
    assert slope == pytest.approx(lhs, rel=1e-5)


# -- landscapes and fits ---------------------------------------------------------------------


def test_landscape_values_equal_the_single_pair_divergences():
    land = fd.divergence_landscape(DATA)
    assert land.values["js"].shape == land.lattice.shape == (31, 41)
    mu, sigma = land.lattice.flat()
    rng = np.random.default_rng(1)
    for k in rng.integers(0, len(mu), 12):
        q = gv.Gaussian(float(mu[k]), float(sigma[k]))
        for name in fd.OBJECTIVES:
            value = land.values[name].ravel()[k]
            ref = fd.divergence(DATA, q, name)
            if math.isinf(ref):
                assert math.isinf(value), (name, q)
            elif name == "w1":
                assert value == pytest.approx(ref, rel=5e-3), (name, q)
            elif name == "pearson" and 2 * sigma[k] ** 2 < 2 * 0.5**2:
                assert value == pytest.approx(ref, rel=0.3), (name, q)  # truncated tails
            else:
                assert value == pytest.approx(ref, rel=1e-6, abs=1e-9), (name, q)


@pytest.mark.parametrize("name", fd.OBJECTIVES)
def test_fits_recover_a_unimodal_p_data(name):
    data = gv.Gaussian(0.7, 1.3)
    fit = fd.fit_divergence(data, name)
    assert fit.gaussian.mean == pytest.approx(0.7, abs=2e-3)
    assert fit.gaussian.std == pytest.approx(1.3, rel=2e-3)
    assert fit.value == pytest.approx(0.0, abs=1e-5)
    lattice_fit = fd.divergence_landscape(data, (name,)).minima[name]
    assert lattice_fit.mean == pytest.approx(0.7, abs=0.03)
    assert lattice_fit.std == pytest.approx(1.3, rel=0.03)


def test_forward_kl_fit_is_moment_matching():
    fit = fd.fit_divergence(DATA, "kl_forward")  # numerical: nothing assumes the answer
    assert fit.gaussian.mean == pytest.approx(DATA.mean, abs=1e-4)  # −0.4
    assert fit.gaussian.std == pytest.approx(math.sqrt(DATA.covariance), rel=1e-4)  # √4.09
    assert fit.value == pytest.approx(kl_quad(DATA_LOGPDF, norm_logpdf(-0.4, math.sqrt(4.09))),
                                      rel=1e-6)  # fmt: skip


def test_reverse_kl_seeks_a_mode_and_forward_kl_covers_both():
    data = fd.mixture_of_modes(2, separation=6.0, weight=0.5, width=0.5)
    seek = fd.fit_divergence(data, "kl_reverse").gaussian
    assert min(abs(seek.mean - 3.0), abs(seek.mean + 3.0)) < 0.02
    assert seek.std == pytest.approx(0.5, rel=0.02)
    cover = fd.fit_divergence(data, "kl_forward").gaussian
    assert abs(cover.mean) < 1e-3 and cover.std == pytest.approx(math.sqrt(9.25), rel=1e-3)
    land = fd.divergence_landscape(data)
    assert (
        min(abs(land.minima["kl_reverse"].mean - 3.0), abs(land.minima["kl_reverse"].mean + 3.0))
        < 0.05
    )


def test_lesson_default_splits_the_objectives_into_seekers_and_coverers():
    data = fd.mixture_of_modes()  # 2 modes 3.5 apart, weights 0.6 / 0.4, std 0.5
    land = fd.divergence_landscape(data)
    for name in ("kl_reverse", "js", "nonsaturating", "lsgan"):
        assert land.minima[name].mean == pytest.approx(-1.75, abs=0.05), name
        assert land.minima[name].std < 0.6, name
    for name in ("kl_forward", "pearson", "hellinger", "w1"):
        assert abs(land.minima[name].mean) < 0.5 and land.minima[name].std > 1.5, name
    # each lattice minimum agrees with scipy's fit of the same objective
    for name in fd.OBJECTIVES:
        fit = fd.fit_divergence(data, name)
        assert land.minimum_values[name] == pytest.approx(fit.value, rel=2e-3, abs=1e-4), name


def test_two_d_pairs_factorise_into_the_one_d_closed_forms():
    """Axis-aligned 2-D Gaussians: ∫p²/q and ∫√(pq) are products of the 1-D integrals."""
    p = gv.Gaussian([0.0, 0.5], cov=[[1.0, 0.0], [0.0, 0.6]])
    q = gv.Gaussian([1.0, 0.0], cov=[[1.44, 0.0], [0.0, 0.5]])
    axes = [((0.0, 1.0), (1.0, 1.2)), ((0.5, math.sqrt(0.6)), (0.0, math.sqrt(0.5)))]
    chi = np.prod([pearson_closed(*a, *b) + 1 for a, b in axes]) - 1
    bc = np.prod([1 - hellinger_closed(*a, *b) for a, b in axes])
    assert fd.f_divergence(p, q, "pearson") == pytest.approx(chi, rel=1e-7)
    assert fd.f_divergence(p, q, "hellinger") == pytest.approx(1 - bc, rel=1e-7)
    kl = sum(kl_closed(*a, *b) for a, b in axes)
    assert fd.f_divergence(p, q, "kl_forward") == pytest.approx(kl, rel=1e-8)
    # too light along one axis only (2·0.4 < 1): infinite
    light = gv.Gaussian([0.0, 0.0], cov=[[0.4, 0.0], [0.0, 2.0]])
    assert math.isinf(fd.f_divergence(gv.Gaussian([0.0, 0.0], std=1.0), light, "pearson"))
