"""Generator gradients against finite differences of independently integrated losses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize, stats

import ganviz as gv


def quad(f, lo, hi, points=None):
    return integrate.quad(f, lo, hi, limit=800, epsabs=0, epsrel=1e-12, points=points)[0]


def held_loss_1d(p_pdf, q_pdf, loss, t, lo, hi, points):
    """E_{x∼q(·−t)}[ℓ(x)] with ℓ built from D* of the *unshifted* pair (D held fixed)."""

    def ell(x):
        log_p, log_q = math.log(p_pdf(x)), math.log(q_pdf(x))
        s = log_p - log_q
        if loss == "minimax":
            return -np.logaddexp(0.0, s)  # log(1 − σ(s))
        return np.logaddexp(0.0, -s)  # −log σ(s)

    return quad(lambda x: q_pdf(x - t) * ell(x), lo, hi, points)


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating"])
@pytest.mark.parametrize(("shift", "std_g"), [(1.0, 1.0), (2.5, 0.6), (-1.5, 1.4)])
def test_generator_gradient_is_the_derivative_of_the_held_loss(loss, shift, std_g):
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(shift, std_g)
    p, q = stats.norm(0, 1).pdf, stats.norm(shift, std_g).pdf
    lo, hi, pts = -12 + min(0, shift), 12 + max(0, shift), [0, shift]
    h = 1e-4
    fd = (held_loss_1d(p, q, loss, h, lo, hi, pts) - held_loss_1d(p, q, loss, -h, lo, hi, pts)) / (
        2 * h
    )
    assert gv.generator_gradient(data, fake, loss) == pytest.approx(fd, rel=1e-6, abs=1e-10)


def test_minimax_gradient_matches_closed_form_factor_for_equal_variances():
    """For N(0,1) vs N(Δ,1): ∇s = −Δ, so d/dt E[log(1−D*)] = Δ·E_q[D*]."""
    for delta in [2.0, 5.0, 12.0, 25.0]:
        e_d = quad(
            lambda x, d=delta: stats.norm.pdf(x, d) * 1 / (1 + math.exp(x * d - d * d / 2)),
            delta / 2 - 12,
            delta / 2 + 12,
            [delta / 2],
        )
        assert gv.generator_gradient(
            gv.Gaussian(0, 1), gv.Gaussian(delta, 1), "minimax"
        ) == pytest.approx(delta * e_d, rel=1e-8)


def test_minimax_gradient_vanishes_while_the_others_survive():
    data = gv.Gaussian(0, 1)
    near, far = gv.Gaussian(2, 1), gv.Gaussian(30, 1)
    mm_near, mm_far = (gv.generator_gradient(data, g, "minimax") for g in (near, far))
    ns_far = gv.generator_gradient(data, far, "nonsaturating")
    w_far = gv.generator_gradient(data, far, "wasserstein")
    assert 0 < mm_far < 1e-40 < mm_near  # tiny but positive, not NaN
    assert ns_far == pytest.approx(30.0, rel=1e-9)  # (1 − D*) → 1, ∇s = −Δ/σ²
    assert w_far == pytest.approx(1.0, abs=1e-12)  # the critic's unit slope
    extreme = gv.generator_gradient(data, gv.Gaussian(500, 1), "minimax")
    assert extreme == 0.0 and not math.isnan(extreme)  # underflow is 0.0, never NaN


def test_wasserstein_gradient_is_the_derivative_of_w1():
    data = gv.Mixture([gv.Gaussian(-1, 0.5), gv.Gaussian(2, 0.7)], [1, 2])
    fake = gv.Gaussian(0.3, 1.2)
    h = 1e-5

    def f_data(x):
        return (stats.norm.cdf(x, -1, 0.5) + 2 * stats.norm.cdf(x, 2, 0.7)) / 3

    def gap(x):
        return stats.norm.cdf(x, 0.3, 1.2) - f_data(x)

    # |F_data − F_g| has kinks where the CDFs cross: tell quad where they are.
    scan = np.linspace(-10, 10, 20_001)
    values = gap(scan)
    brackets = np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0]
    kinks = [optimize.brentq(gap, scan[i], scan[i + 1], xtol=1e-15) for i in brackets]

    def w1(t):
        return quad(lambda x: abs(f_data(x) - stats.norm.cdf(x, 0.3 + t, 1.2)), -15, 15, kinks)

    fd = (w1(h) - w1(-h)) / (2 * h)
    assert gv.generator_gradient(data, fake, "wasserstein") == pytest.approx(fd, abs=1e-6)


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating", "wasserstein"])
def test_two_dimensional_isotropic_shift_equals_one_dimensional(loss):
    one = gv.generator_gradient(gv.Gaussian(0, 1), gv.Gaussian(2.0, 1), loss)
    two = gv.generator_gradient(gv.Gaussian([0, 0], std=1), gv.Gaussian([2.0, 0], std=1), loss)
    assert two.shape == (2,)
    assert two[0] == pytest.approx(one, rel=1e-4)
    assert two[1] == pytest.approx(0.0, abs=1e-9)
    angle = math.pi / 5
    direction = np.array([math.cos(angle), math.sin(angle)])
    rotated = gv.generator_gradient(
        gv.Gaussian([0, 0], std=1), gv.Gaussian(2.0 * direction, std=1), loss
    )
    np.testing.assert_allclose(rotated, one * direction, rtol=2e-4, atol=1e-6)


#: (p Gaussian, q, relative tolerance): crossed ridges (each side on a grid in its own
#: frame, the scores joined part by part), and rings of σ = 0.02 modes whose grid is
#: mostly nodes where the factorised mixture underflows (log density and score from the
#: exact fallback); grid25 to 4e-7 only (its σ = 0.05 modes at the node budget).
SCORE_SUM_PAIRS = {
    "crossed ridges": (
        gv.Gaussian([0, 0], cov=[[4, 3.996], [3.996, 4]]),
        gv.Gaussian([0.5, -0.3], cov=[[9, 0], [0, 0.01]]),
        1e-9,
    ),
    "N vs ring8": (gv.Gaussian([0.2, -0.1], std=1.0), gv.ring_of_gaussians(8, 2.0, 0.02), 2e-9),
    "N vs shifted ring8": (
        gv.Gaussian([0.0, 0.0], std=0.7),
        gv.ring_of_gaussians(8, 2.0, 0.02).shift([0.4, 0.25]),
        2e-8,
    ),
    "correlated N vs grid25": (
        gv.Gaussian([0.3, 0.1], cov=[[1, 0.6], [0.6, 0.8]]),
        gv.grid_of_gaussians(5, 2.0, 0.05),
        2e-6,
    ),
}


@pytest.mark.parametrize("name", list(SCORE_SUM_PAIRS))
def test_2d_minimax_plus_nonsaturating_is_the_mean_data_score(name):
    """minimax + non-saturating = −E_q[D*∇s] − E_q[(1 − D*)∇s] = −E_q[∇log p] + E_q[∇log q].

    E_q[∇log q] = ∫∇q = 0, and for a Gaussian p, ∇log p(x) = −Σ⁻¹(x − μ_p) is linear:
    the sum is Σ⁻¹(E_q[x] − μ_p), whatever q is. Both gradients integrate the scores on
    the grid, so a score off anywhere q has mass breaks the identity.
    """
    p, q, rtol = SCORE_SUM_PAIRS[name]
    total = gv.generator_gradient(p, q, "minimax") + gv.generator_gradient(p, q, "nonsaturating")
    exact = np.linalg.solve(p.covariance, np.asarray(q.mean) - np.asarray(p.mean))
    np.testing.assert_allclose(total, exact, rtol=0, atol=rtol * np.max(np.abs(exact)))


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating"])
def test_sample_gradients_are_pointwise_derivatives(loss):
    data = gv.Gaussian([0, 0], cov=[[1.0, 0.3], [0.3, 0.7]])
    fake = gv.Mixture([gv.Gaussian([1.5, 0.5], std=0.6), gv.Gaussian([-1, 1], std=0.8)])
    ref_p = stats.multivariate_normal([0, 0], [[1.0, 0.3], [0.3, 0.7]])
    ref_q = [
        stats.multivariate_normal([1.5, 0.5], 0.36 * np.eye(2)),
        stats.multivariate_normal([-1, 1], 0.64 * np.eye(2)),
    ]

    def ell(x):
        s = ref_p.logpdf(x) - np.logaddexp(ref_q[0].logpdf(x), ref_q[1].logpdf(x)) - math.log(0.5)
        return -np.logaddexp(0, s) if loss == "minimax" else np.logaddexp(0, -s)

    x = np.array([[0.5, 0.5], [1.5, 0.2], [-0.8, 1.1]])
    grads = gv.sample_gradients(data, fake, x, loss)
    h = 1e-6
    for axis in range(2):
        e = np.zeros(2)
        e[axis] = h
        fd = (ell(x + e) - ell(x - e)) / (2 * h)
        np.testing.assert_allclose(grads[:, axis], fd, rtol=1e-5, atol=1e-9)


def test_sample_gradients_average_to_the_generator_gradient():
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(1.5, 0.8)
    x = fake.sample(400_000, seed=0)
    for loss in gv.LOSSES:
        mc = gv.sample_gradients(data, fake, x, loss).mean()
        assert mc == pytest.approx(gv.generator_gradient(data, fake, loss), abs=5e-3)


def test_wasserstein_arrows_in_2d_point_to_the_matched_data():
    data = gv.Gaussian([0, 0], std=0.1)
    fakes = np.array([[5.0, 0.0], [0.0, -5.0]])
    arrows = -gv.sample_gradients(data, gv.Gaussian([3, 3], std=1), fakes, "wasserstein")
    np.testing.assert_allclose(np.linalg.norm(arrows, axis=1), 1.0)
    np.testing.assert_allclose(arrows, [[-1, 0], [0, 1]], atol=0.05)


def test_flat_discriminator_of_disjoint_uniforms_passes_no_gradient():
    data, fake = gv.Uniform(0, 1), gv.Uniform(3, 4)
    for loss in ["minimax", "nonsaturating"]:
        assert gv.generator_gradient(data, fake, loss) == 0.0
    assert gv.generator_gradient(data, fake, "wasserstein") == pytest.approx(1.0)
    assert gv.generator_loss(data, fake, "nonsaturating") == math.inf
    assert gv.generator_loss(data, fake, "minimax") == 0.0


def test_generator_loss_values():
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(1, 1)
    p, q = stats.norm(0, 1), stats.norm(1, 1)

    def d_star(x):
        return p.pdf(x) / (p.pdf(x) + q.pdf(x))

    ref_mm = quad(lambda x: q.pdf(x) * math.log(1 - d_star(x)), -12, 13)
    ref_ns = quad(lambda x: -q.pdf(x) * math.log(d_star(x)), -12, 13)
    assert gv.generator_loss(data, fake, "minimax") == pytest.approx(ref_mm, rel=1e-9)
    assert gv.generator_loss(data, fake, "nonsaturating") == pytest.approx(ref_ns, rel=1e-9)
    assert gv.generator_loss(data, fake, "wasserstein") == pytest.approx(1.0)


# -- generator costs against D(G(z)) -------------------------------------------------------


def test_generator_costs_closed_forms_and_derivatives():
    d = np.array([1e-6, 0.1, 0.5, 0.9])
    np.testing.assert_allclose(gv.generator_cost(d, "minimax"), np.log1p(-d), rtol=1e-12)
    np.testing.assert_allclose(gv.generator_cost(d, "nonsaturating"), -np.log(d), rtol=1e-12)
    np.testing.assert_allclose(
        gv.generator_cost(d, "maximum_likelihood"), -0.5 * d / (1 - d), rtol=1e-12
    )
    a = np.log(d / (1 - d))
    h = 1e-6
    for loss in gv.GENERATOR_COSTS:
        up = gv.generator_cost(1 / (1 + np.exp(-(a + h))), loss)
        down = gv.generator_cost(1 / (1 + np.exp(-(a - h))), loss)
        np.testing.assert_allclose(
            gv.generator_cost_gradient(d, loss), (up - down) / (2 * h), rtol=1e-5, atol=1e-9
        )
        np.testing.assert_allclose(
            gv.generator_cost_gradient(d, loss, wrt="d"),
            (gv.generator_cost(d + 1e-9, loss) - gv.generator_cost(d - 1e-9, loss)) / 2e-9,
            rtol=1e-4,
        )


def test_generator_costs_at_the_ends_are_not_nan():
    for loss in gv.GENERATOR_COSTS:
        values = gv.generator_cost([0.0, 1.0], loss)
        grads = gv.generator_cost_gradient([0.0, 1.0], loss)
        assert not np.any(np.isnan(values)) and not np.any(np.isnan(grads))
    # saturation: the minimax cost is flat where a good D puts the fakes
    np.testing.assert_allclose(gv.generator_cost_gradient([0.0], "minimax"), [0.0])
    np.testing.assert_allclose(gv.generator_cost_gradient([0.0], "nonsaturating"), [-1.0])


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: gv.generator_gradient(gv.Gaussian(0, 1), gv.Gaussian(1, 1), "hinge"), "loss"),
        (lambda: gv.sample_gradients(gv.Gaussian(0, 1), gv.Gaussian(1, 1), [0.0], "x"), "loss"),
        (lambda: gv.generator_cost([1.5]), "probabilities"),
        (lambda: gv.generator_cost([0.5], "wgan"), "loss"),
        (lambda: gv.generator_cost_gradient([0.5], wrt="z"), "wrt"),
    ],
)
def test_gradient_bad_input(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()
