"""The Dirac-GAN against hand-derived values (Mescheder, Geiger & Nowozin 2018).

References used here, none of them the code under test:
closed-form eigenvalues, the exact solution and invariants of the bilinear
game, finite differences, scipy quadrature for the instance-noise
expectations, and the value of the game differentiated numerically.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import integrate

from ganviz.dynamics import (
    ESCAPE_RADIUS,
    F_PRIME_0,
    METHODS,
    OBJECTIVES,
    dirac_eigenvalues,
    dirac_f,
    dirac_flow,
    dirac_jacobian,
    dirac_trajectory,
    dirac_update_eigenvalues,
    dirac_update_jacobian,
    dirac_value,
    dirac_vector_field,
    escape_step,
    max_stable_step_size,
)

A = F_PRIME_0  # f′(0) = ½


def sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


# ------------------------------------------------------------------ f and its derivatives
def test_f_matches_closed_form_and_is_stable_far_out():
    ts = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(dirac_f(ts), -np.log1p(np.exp(-ts)), rtol=1e-13, atol=1e-15)
    assert dirac_f(-800.0) == pytest.approx(-800.0, rel=1e-15)
    assert dirac_f(800.0) == pytest.approx(-math.exp(-800.0), abs=1e-300)
    assert dirac_f(0.0, 1) == 0.5 == F_PRIME_0
    assert dirac_f(0.0, 2) == -0.25
    assert dirac_f(800.0, 1) == pytest.approx(math.exp(-800.0), rel=1e-12)
    assert dirac_f(-800.0, 1) == 1.0
    assert dirac_f(900.0, 2) <= 0.0 and np.isfinite(dirac_f(-900.0, 3))


@pytest.mark.parametrize("derivative", [1, 2, 3])
def test_f_derivatives_match_finite_differences(derivative):
    ts = np.linspace(-6, 6, 25)
    eps = 1e-5
    fd = (dirac_f(ts + eps, derivative - 1) - dirac_f(ts - eps, derivative - 1)) / (2 * eps)
    np.testing.assert_allclose(dirac_f(ts, derivative), fd, atol=1e-9)


# ------------------------------------------------------------------ vector fields
def test_gan_field_by_hand():
    # v(1, 1) = (−f′(1), f′(1)) with f′(1) = σ(−1) = 1/(1 + e)
    fp1 = 1.0 / (1.0 + math.e)
    assert dirac_vector_field("gan", 1.0, 1.0) == pytest.approx((-fp1, fp1), rel=1e-14)
    assert dirac_vector_field("gan", 2.0, 0.0) == pytest.approx((0.0, 2 * A))
    # non-saturating: the generator sees f′(−ψθ) = σ(ψθ)
    v = dirac_vector_field("nonsaturating", 1.0, 1.0)
    assert v == pytest.approx((-sigmoid(1.0), fp1), rel=1e-14)
    # WGAN-GP just right of ψ = 0: the penalty pushes ψ towards g₀ with force γg₀
    assert dirac_vector_field("wgan-gp", 0.0, 1e-12, gamma=2.0) == pytest.approx(
        (0.0, 2.0), abs=1e-11
    )
    assert dirac_vector_field("wgan-gp", 0.5, -2.0, gamma=2.0, target=1.0) == pytest.approx(
        (2.0, 0.5 - 2.0 * (2.0 - 1.0) * -1.0)
    )
    # gradient penalty adds −γψ to the discriminator's component only
    g = dirac_vector_field("gradient-penalty", 1.0, 1.0, gamma=0.7)
    assert g == pytest.approx((-fp1, fp1 - 0.7))


def test_wgan_field_respects_the_clip_band():
    # inside the band: the bilinear field (−ψ, θ)
    assert dirac_vector_field("wgan", 0.4, 0.3) == pytest.approx((-0.3, 0.4))
    # on the edge and pushed outwards: the ψ-component is projected away
    assert dirac_vector_field("wgan", 0.4, 1.0) == pytest.approx((-1.0, 0.0))
    # on the edge and pushed inwards: unchanged
    assert dirac_vector_field("wgan", -0.4, 1.0) == pytest.approx((-1.0, -0.4))
    # infeasible points feel the clipped critic
    assert dirac_vector_field("wgan", -0.4, 3.0, clip=0.5) == pytest.approx((-0.5, -0.4))


@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_field_derives_from_the_value_of_the_game(objective):
    """−∂_θ L and ∂_ψ (L − penalty) by finite differences of the value, for the plain games."""
    rng = np.random.default_rng(3)
    eps = 1e-6
    for theta, psi in rng.uniform(-1.5, 1.5, size=(5, 2)):
        if objective == "wgan":
            psi = 0.9 * np.clip(psi, -1, 1)
        d_theta = (
            dirac_value(objective, theta + eps, psi) - dirac_value(objective, theta - eps, psi)
        ) / (2 * eps)
        d_psi = (
            dirac_value(objective, theta, psi + eps) - dirac_value(objective, theta, psi - eps)
        ) / (2 * eps)
        v_theta, v_psi = dirac_vector_field(objective, theta, psi)
        params = OBJECTIVES[objective].params
        if objective == "nonsaturating":
            # the generator minimises −f(−ψθ) instead: −∂_θ[−f(−ψθ)] = −ψ f′(−ψθ)
            assert v_theta == pytest.approx(-psi * dirac_f(-psi * theta, 1), rel=1e-12)
        elif objective == "consensus":
            continue  # checked against ½‖v‖² below
        else:
            assert v_theta == pytest.approx(-d_theta, abs=1e-7)
        penalty_slope = {
            "gradient-penalty": params.get("gamma", 0) * psi,
            "wgan-gp": params.get("gamma", 0) * (abs(psi) - params.get("target", 0)) * np.sign(psi),
        }.get(objective, 0.0)
        assert v_psi == pytest.approx(d_psi - penalty_slope, abs=1e-7)


def test_consensus_is_the_gan_field_minus_the_gradient_of_half_its_squared_norm():
    gamma, eps = 0.8, 1e-6

    def half_norm(theta, psi):
        v = np.array(dirac_vector_field("gan", theta, psi))
        return 0.5 * v @ v

    for theta, psi in [(0.3, -1.2), (1.5, 0.7), (-2.0, -0.4), (0.0, 0.9)]:
        grad = np.array(
            [
                (half_norm(theta + eps, psi) - half_norm(theta - eps, psi)) / (2 * eps),
                (half_norm(theta, psi + eps) - half_norm(theta, psi - eps)) / (2 * eps),
            ]
        )
        expected = np.array(dirac_vector_field("gan", theta, psi)) - gamma * grad
        got = dirac_vector_field("consensus", theta, psi, gamma=gamma)
        np.testing.assert_allclose(got, expected, atol=1e-8)


@pytest.mark.parametrize(
    ("theta", "psi", "sigma"), [(0.7, -0.4, 1.0), (-1.3, 2.0, 0.5), (2.0, 1.0, 2.0)]
)
def test_instance_noise_expectations_match_scipy_quad(theta, psi, sigma):
    def gauss(e):
        return math.exp(-0.5 * (e / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))

    def expect(g):
        return integrate.quad(lambda e: g(e) * gauss(e), -12 * sigma, 12 * sigma, limit=200)[0]

    def fp(t):
        return 1.0 / (1.0 + math.exp(t))

    v_theta = -psi * expect(lambda e: fp(psi * (theta + e)))
    v_psi = expect(lambda e: (theta + e) * fp(psi * (theta + e))) - expect(
        lambda e: e * fp(-psi * e)
    )
    got = dirac_vector_field("instance-noise", theta, psi, sigma=sigma)
    assert got == pytest.approx((v_theta, v_psi), abs=1e-9)
    value = expect(lambda e: -math.log1p(math.exp(-psi * (theta + e)))) + expect(
        lambda e: -math.log1p(math.exp(psi * e))
    )
    assert dirac_value("instance-noise", theta, psi, sigma=sigma) == pytest.approx(value, abs=1e-9)


def test_instance_noise_with_zero_sigma_is_the_gan():
    assert dirac_vector_field("instance-noise", 0.8, -0.3, sigma=0.0) == pytest.approx(
        dirac_vector_field("gan", 0.8, -0.3), rel=1e-14
    )


@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_array_and_scalar_evaluations_agree(objective):
    theta = np.linspace(-2, 2, 7)[:, None]
    psi = np.linspace(-1.5, 1.5, 5)[None, :]
    v_theta, v_psi = dirac_vector_field(objective, theta, psi)
    assert v_theta.shape == v_psi.shape == (7, 5)
    for i, j in [(0, 0), (3, 2), (6, 4), (2, 1)]:
        scalar = dirac_vector_field(objective, float(theta[i, 0]), float(psi[0, j]))
        assert all(isinstance(c, float) for c in scalar)
        assert scalar == pytest.approx((v_theta[i, j], v_psi[i, j]), rel=1e-12, abs=1e-15)


def test_value_at_equilibrium_is_minus_log_four():
    assert dirac_value("gan", 0.0, 0.0) == pytest.approx(-math.log(4.0))
    assert dirac_value("wgan", 0.5, 2.0) == pytest.approx(1.0)
    grid = dirac_value("gan", np.zeros((3, 4)), np.ones((3, 4)))
    assert grid.shape == (3, 4)


# ------------------------------------------------------------------ Jacobians
def _finite_difference_jacobian(objective, theta, psi, eps=1e-6, **params):
    jac = np.zeros((2, 2))
    for col, (dt, dp) in enumerate([(eps, 0.0), (0.0, eps)]):
        plus = np.array(dirac_vector_field(objective, theta + dt, psi + dp, **params))
        minus = np.array(dirac_vector_field(objective, theta - dt, psi - dp, **params))
        jac[:, col] = (plus - minus) / (2 * eps)
    return jac


JACOBIAN_PARAMS = {
    "minimax": {},
    "nonsaturating": {},
    "wgan": {"clip": 1.0},
    "wgan-gp": {"gamma": 0.7, "target": 1.0},
    "gradient-penalty": {"gamma": 0.4},
    "consensus": {"gamma": 0.9},
    "instance-noise": {"sigma": 0.8},
}


@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_analytic_jacobian_matches_finite_differences(objective):
    params = JACOBIAN_PARAMS[objective]
    rng = np.random.default_rng(11)
    points = [(0.0, 0.0), *rng.uniform(-2.0, 2.0, size=(6, 2))]
    for theta, psi in points:
        theta, psi = float(theta), float(psi)
        if objective == "wgan":
            psi = 0.8 * max(min(psi, 1.0), -1.0)  # differentiable inside the clip band
        if objective == "wgan-gp" and abs(psi) < 1e-3:
            psi = 0.3  # the field jumps across ψ = 0
        analytic = dirac_jacobian(objective, theta, psi, **params)
        numeric = _finite_difference_jacobian(objective, theta, psi, **params)
        np.testing.assert_allclose(analytic, numeric, atol=1e-7, err_msg=f"at {(theta, psi)}")


# ------------------------------------------------------------------ eigenvalues, closed forms
def _pair(real, disc):
    """real ± √disc as a complex pair, larger imaginary part (then real part) first."""
    root = np.sqrt(complex(disc))
    return np.array(sorted([real + root, real - root], key=lambda z: (-z.imag, -z.real)))


@pytest.mark.parametrize("objective", ["gan", "nonsaturating"])
def test_unregularised_eigenvalues_are_purely_imaginary(objective):
    np.testing.assert_allclose(dirac_eigenvalues(objective), [0.5j, -0.5j], atol=1e-15)


def test_wgan_eigenvalues():
    np.testing.assert_allclose(dirac_eigenvalues("wgan"), [1j, -1j], atol=1e-15)


@pytest.mark.parametrize("gamma", [0.0, 0.3, 0.99, 1.0, 2.5])
def test_gradient_penalty_eigenvalues(gamma):
    expected = _pair(-gamma / 2, gamma**2 / 4 - A**2)
    np.testing.assert_allclose(
        dirac_eigenvalues("gradient-penalty", gamma=gamma), expected, atol=1e-7
    )
    if gamma < 2 * A:
        assert dirac_eigenvalues("gradient-penalty", gamma=gamma).real == pytest.approx(
            [-gamma / 2] * 2
        )


@pytest.mark.parametrize("gamma", [0.1, 0.3, 2.0])
def test_consensus_eigenvalues(gamma):
    np.testing.assert_allclose(
        dirac_eigenvalues("consensus", gamma=gamma),
        [-gamma * A**2 + 1j * A, -gamma * A**2 - 1j * A],
    )


@pytest.mark.parametrize("sigma", [0.0, 0.5, 1.0, 2.0, 3.0])
def test_instance_noise_eigenvalues(sigma):
    f2 = -0.25
    expected = _pair(f2 * sigma**2, f2**2 * sigma**4 - A**2)
    np.testing.assert_allclose(
        dirac_eigenvalues("instance-noise", sigma=sigma), expected, atol=1e-7
    )


@pytest.mark.parametrize("gamma", [0.3, 3.0])
def test_wgan_gp_one_sided_eigenvalues(gamma):
    np.testing.assert_allclose(
        dirac_eigenvalues("wgan-gp", gamma=gamma), _pair(-gamma / 2, gamma**2 / 4 - 1), atol=1e-7
    )
    assert not OBJECTIVES["wgan-gp"].stationary


# ------------------------------------------------------------------ discrete updates
@pytest.mark.parametrize("step_size", [0.05, 0.2, 0.5, 1.0])
def test_simultaneous_steps_spiral_out_by_the_closed_form_factor(step_size):
    """Near (0, 0) each step multiplies ‖(θ, ψ)‖ by √(1 + h² f′(0)²)."""
    traj = dirac_trajectory("gan", "simultaneous", steps=40, step_size=step_size, start=(1e-6, 0.0))
    ratios = np.linalg.norm(traj[1:], axis=1) / np.linalg.norm(traj[:-1], axis=1)
    np.testing.assert_allclose(ratios, math.sqrt(1 + step_size**2 * A**2), rtol=1e-8)


def test_bilinear_game_simultaneous_growth_is_exact():
    """For L = ψθ (WGAN inside a wide clip band) ‖x_n‖ = ‖x_0‖ (1 + h²)^(n/2) exactly."""
    h = 0.1
    traj = dirac_trajectory(
        "wgan", "simultaneous", steps=30, step_size=h, start=(0.3, -0.2), clip=100.0
    )
    n = np.arange(31)
    np.testing.assert_allclose(
        np.linalg.norm(traj, axis=1), math.hypot(0.3, -0.2) * (1 + h * h) ** (n / 2), rtol=1e-12
    )


def test_bilinear_game_alternating_conserves_the_modified_energy():
    """Generator then discriminator step on L = ψθ conserves Q = θ² + ψ² − hθψ exactly."""
    h = 0.3
    traj = dirac_trajectory(
        "wgan", "alternating", steps=2000, step_size=h, start=(1.0, 0.5), clip=100.0
    )
    q = traj[:, 0] ** 2 + traj[:, 1] ** 2 - h * traj[:, 0] * traj[:, 1]
    np.testing.assert_allclose(q, q[0], rtol=1e-10)


def test_alternating_stays_bounded_where_simultaneous_spirals_out():
    h, steps = 0.2, 3000
    start = (0.3, 0.2)
    r0 = math.hypot(*start)
    alternating = dirac_trajectory("gan", "alternating", steps=steps, step_size=h, start=start)
    simultaneous = dirac_trajectory("gan", "simultaneous", steps=steps, step_size=h, start=start)
    r_alt = np.linalg.norm(alternating, axis=1)
    r_sim = np.linalg.norm(simultaneous, axis=1)
    assert r_alt.max() < 1.2 * r0 and r_alt[-1] > 0.8 * r0  # neither converges nor diverges
    assert r_sim[-1] > 5 * r0  # spirals out


def test_flow_of_the_gan_conserves_the_squared_distance():
    for start in [(1.0, 1.0), (2.0, -0.5), (-0.3, 1.7)]:
        _, points = dirac_flow("gan", duration=60.0, start=start)
        r2 = np.sum(points**2, axis=1)
        np.testing.assert_allclose(r2, r2[0], rtol=1e-7)


def test_flow_of_the_bilinear_game_is_a_rotation():
    """θ(t) = θ₀ cos t − ψ₀ sin t, ψ(t) = ψ₀ cos t + θ₀ sin t for L = ψθ."""
    t, points = dirac_flow("wgan", duration=20.0, start=(0.6, -0.3), num=201)
    np.testing.assert_allclose(points[:, 0], 0.6 * np.cos(t) + 0.3 * np.sin(t), atol=1e-8)
    np.testing.assert_allclose(points[:, 1], -0.3 * np.cos(t) + 0.6 * np.sin(t), atol=1e-8)


@pytest.mark.parametrize("objective", ["gradient-penalty", "consensus", "instance-noise"])
def test_flow_of_regularised_games_decays_at_the_eigenvalue_rate(objective):
    """Late in the flow ‖x(t)‖ ≈ C e^(Re λ · t): the slope of log ‖x‖ is Re λ."""
    rate = dirac_eigenvalues(objective)[0].real
    duration = 14.0 / abs(rate)  # ‖x‖ falls to about e^(−14) ≈ 1e-6, far above the tolerance
    t, points = dirac_flow(objective, duration=duration, start=(1.0, 1.0), num=2001)
    r = np.linalg.norm(points, axis=1)
    early = len(t) // 2
    slope = (math.log(r[-1]) - math.log(r[early])) / (t[-1] - t[early])
    assert slope == pytest.approx(rate, rel=0.05)
    assert r[-1] < 1e-4


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("gamma", [0.1, 0.3, 1.0, 3.0])
def test_gradient_penalty_converges_for_every_positive_gamma(method, gamma):
    traj = dirac_trajectory(
        "gradient-penalty", method, steps=6000, step_size=0.1, start=(1.0, 1.0), gamma=gamma
    )
    assert np.linalg.norm(traj[-1]) < 1e-6


@pytest.mark.parametrize("method", METHODS)
def test_convergence_rate_is_the_update_spectral_radius(method):
    h, gamma, n = 0.2, 0.4, 400
    traj = dirac_trajectory(
        "gradient-penalty", method, steps=n, step_size=h, start=(1e-4, 1e-4), gamma=gamma
    )
    rho = max(abs(dirac_update_eigenvalues("gradient-penalty", method, h, gamma=gamma)))
    observed = (np.linalg.norm(traj[n]) / np.linalg.norm(traj[n // 2])) ** (1 / (n - n // 2))
    assert observed == pytest.approx(rho, rel=1e-3)
    if method == "simultaneous":  # |1 + hλ| with λ = −γ/2 ± i√(f′(0)² − γ²/4)
        assert rho == pytest.approx(
            abs(1 + h * complex(-gamma / 2, math.sqrt(A**2 - gamma**2 / 4)))
        )


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("objective", ["consensus", "instance-noise"])
def test_other_regularisers_converge(method, objective):
    traj = dirac_trajectory(objective, method, steps=1500, step_size=0.2, start=(1.0, 1.0))
    assert np.linalg.norm(traj[-1]) < 1e-4


@pytest.mark.parametrize("method", METHODS)
def test_wgan_with_clipping_does_not_converge(method):
    traj = dirac_trajectory("wgan", method, steps=3000, step_size=0.1, start=(1.0, 0.5))
    assert np.abs(traj[:, 1]).max() <= 1.0
    assert np.linalg.norm(traj[1000:], axis=1).min() > 0.5


def test_wgan_clips_the_start():
    traj = dirac_trajectory("wgan", steps=1, start=(0.2, 5.0), clip=0.5)
    assert traj[0].tolist() == [0.2, 0.5]


def test_wgan_gp_does_not_converge():
    traj = dirac_trajectory("wgan-gp", "alternating", steps=4000, step_size=0.05, start=(0.5, 0.5))
    assert np.linalg.norm(traj[2000:], axis=1).min() > 0.05


@pytest.mark.parametrize(
    ("method", "d_steps"), [("simultaneous", 1), ("alternating", 1), ("alternating", 3)]
)
@pytest.mark.parametrize("objective", ["gan", "gradient-penalty", "consensus", "instance-noise"])
def test_update_jacobian_matches_finite_differences_of_one_iteration(objective, method, d_steps):
    h, eps = 0.3, 1e-6
    numeric = np.zeros((2, 2))
    for col, delta in enumerate([(eps, 0.0), (0.0, eps)]):
        plus = dirac_trajectory(
            objective, method, steps=1, step_size=h, start=delta, d_steps=d_steps
        )[1]
        minus = dirac_trajectory(
            objective, method, steps=1, step_size=h, start=(-delta[0], -delta[1]), d_steps=d_steps
        )[1]
        numeric[:, col] = (plus - minus) / (2 * eps)
    analytic = dirac_update_jacobian(objective, method, h, d_steps)
    np.testing.assert_allclose(analytic, numeric, atol=1e-8)


def test_update_eigenvalues_in_closed_form():
    h = 0.4
    # simultaneous: μ = 1 + hλ
    np.testing.assert_allclose(
        dirac_update_eigenvalues("gradient-penalty", "simultaneous", h, gamma=0.3),
        1 + h * dirac_eigenvalues("gradient-penalty", gamma=0.3),
    )
    # alternating GAN, k = 1: det = 1, trace = 2 − h²a², so μ = e^(±iω) with cos ω = 1 − h²a²/2
    mu = dirac_update_eigenvalues("gan", "alternating", h)
    np.testing.assert_allclose(np.abs(mu), 1.0, atol=1e-14)
    np.testing.assert_allclose(mu.real, 1 - (h * A) ** 2 / 2, atol=1e-14)
    # beyond ha = 2 alternating steps diverge too
    assert max(abs(dirac_update_eigenvalues("gan", "alternating", 4.5))) > 1.0


def test_max_stable_step_size_separates_convergence_from_divergence():
    gamma = 0.3
    h_max = max_stable_step_size("gradient-penalty", gamma=gamma)
    assert h_max == pytest.approx(gamma / A**2)  # −2 Re λ / |λ|² = γ / f′(0)²
    inside = dirac_trajectory("gradient-penalty", steps=3000, step_size=0.9 * h_max, gamma=gamma)
    outside = dirac_trajectory("gradient-penalty", steps=3000, step_size=1.1 * h_max, gamma=gamma)
    assert np.linalg.norm(inside[-1]) < 1e-3 < np.linalg.norm(outside[-1])
    assert max_stable_step_size("gan") == 0.0
    assert max_stable_step_size("wgan") == 0.0


def test_divergent_runs_end_in_nan_rows_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = dirac_trajectory("wgan-gp", "simultaneous", steps=500, step_size=2.0, gamma=10.0)
    n = escape_step(traj)
    assert n is not None and 1 <= n < 500
    assert np.isnan(traj[n:]).all() and np.isfinite(traj[:n]).all()
    assert np.abs(traj[:n]).max() < ESCAPE_RADIUS
    assert escape_step(dirac_trajectory("gan", steps=10)) is None


def test_trajectory_shape_and_start():
    traj = dirac_trajectory("gan", steps=0, start=(0.25, -0.5))
    assert traj.shape == (1, 2) and traj[0].tolist() == [0.25, -0.5]
    assert dirac_trajectory("gan", steps=7).shape == (8, 2)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: dirac_vector_field("lsgan", 0.0, 0.0), ["objective", "'minimax'", "'consensus'"]),
        (
            lambda: dirac_trajectory("gan", method="adam"),
            ["method", "'simultaneous'", "'alternating'"],
        ),
        (lambda: dirac_trajectory("gan", step_size=0.0), ["step_size", "> 0"]),
        (lambda: dirac_trajectory("gan", step_size=float("nan")), ["step_size"]),
        (lambda: dirac_trajectory("gan", step_size=-1), ["step_size"]),
        (lambda: dirac_trajectory("gan", steps=-1), ["steps", "≥ 0"]),
        (lambda: dirac_trajectory("gan", steps=2.5), ["steps"]),
        (lambda: dirac_trajectory("gan", d_steps=0, method="alternating"), ["d_steps", "≥ 1"]),
        (lambda: dirac_trajectory("gan", d_steps=2), ["d_steps", "alternating"]),
        (lambda: dirac_trajectory("gan", start=(1.0, float("inf"))), ["start"]),
        (lambda: dirac_trajectory("gan", start=(1.0, 2.0, 3.0)), ["start", "pair"]),
        (lambda: dirac_trajectory("gan", gamma=1.0), ["minimax", "gamma"]),
        (lambda: dirac_trajectory("gradient-penalty", gamma=-0.1), ["gamma", "≥ 0"]),
        (lambda: dirac_trajectory("instance-noise", sigma=float("nan")), ["sigma"]),
        (lambda: dirac_trajectory("wgan", clip=0.0), ["clip", "(0, "]),
        (lambda: dirac_trajectory("gan", step_size=1e3), ["step_size", "(0, 100]"]),
        (lambda: dirac_trajectory("gan", start=(1e13, 0.0)), ["start", "<"]),
        (lambda: dirac_trajectory("consensus", gamma=1e9), ["gamma", "at most"]),
        (lambda: dirac_eigenvalues("consensus", sigma=1.0), ["consensus", "gamma", "sigma"]),
        (lambda: dirac_vector_field("gan", [0.0, float("nan")], 0.0), ["theta"]),
        (lambda: dirac_vector_field("gan", [0.0, 1.0], [0.0, 1.0, 2.0]), ["theta", "psi", "shape"]),
        (lambda: dirac_value("gan", [0.0, 1.0], [0.0, 1.0, 2.0]), ["theta", "psi", "shape"]),
        (lambda: dirac_flow("gan", duration=0.0), ["duration"]),
        (lambda: dirac_f(0.0, derivative=4), ["derivative"]),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)
