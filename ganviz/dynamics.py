"""Training dynamics of the Dirac-GAN (Mescheder, Geiger & Nowozin, ICML 2018).

"Which Training Methods for GANs do actually Converge?" reduces GAN training to
two numbers. The data distribution is a point mass at 0, P_data = δ₀; the
generator is a point mass at θ, p_θ = δ_θ; the discriminator is linear,
D_ψ(x) = ψ·x. With f(t) = −log(1 + e^(−t)) (so f′(0) = ½) the game is

.. math::

    L(\\theta, \\psi) = E_{p_\\theta}[f(D_\\psi(x))] + E_{P_{data}}[f(-D_\\psi(x))]
                    = f(\\psi\\theta) + f(0),

which the generator minimises over θ and the discriminator maximises over ψ.
(f(t) = log σ(t): this is the minimax value V(D, G) = E log D + E log(1 − D) of
Goodfellow et al. written with the logit D_ψ and the sign chosen so that the
discriminator's score is high on *fakes*.) The unique equilibrium is
(θ, ψ) = (0, 0): the generator sits on the data and the discriminator is
flat.

Gradient training follows the vector field

.. math::

    v(\\theta, \\psi) = \\bigl(-\\partial_\\theta L,\\; \\partial_\\psi L\\bigr)
                     = \\bigl(-\\psi f'(\\psi\\theta),\\; \\theta f'(\\psi\\theta)\\bigr).

Its Jacobian at the equilibrium is [[0, −f′(0)], [f′(0), 0]], with purely
imaginary eigenvalues ±i·f′(0): in continuous time the iterates circle the
equilibrium for ever (θ² + ψ² is conserved), simultaneous gradient steps of
size h multiply the distance by √(1 + h²f′(ψθ)²) per step (√(1 + h²f′(0)²)
near the equilibrium) and spiral out, alternating steps stay on a closed
orbit (for h·f′(0) < 2). Regularisers that damp the
discriminator (zero-centred gradient penalties, instance noise, consensus
optimisation) move the eigenvalues into the left half plane and training
converges; WGAN with clipping does not.

Objectives (:data:`OBJECTIVES`, parameters with their defaults):

==================== ================ ==================================================
name                 parameters       vector field v(θ, ψ)
==================== ================ ==================================================
``minimax``          —                (−ψ f′(ψθ), θ f′(ψθ))
``nonsaturating``    —                (−ψ f′(−ψθ), θ f′(ψθ))
``wgan``             clip = 1         (−ψ, θ), ψ kept in [−clip, clip]
``wgan-gp``          gamma, target    (−ψ, θ − γ (|ψ| − g₀) sign ψ)
``gradient-penalty`` gamma            (−ψ f′(ψθ), θ f′(ψθ) − γψ)      (R1 = R2 here)
``consensus``        gamma            v − γ ∇(½‖v‖²)                  (on ``minimax``)
``instance-noise``   sigma            ``minimax`` with N(0, σ²) added
==================== ================ ==================================================

Loss names are those of :mod:`ganviz.losses` (the paper's ``"gan"`` is accepted
for ``"minimax"``, see :func:`objective_name`). Each objective's docstring
(``OBJECTIVES[name].doc``) gives its formula and
the eigenvalues at the equilibrium.

Discrete training (:func:`dirac_trajectory`):

* ``simultaneous``: (θ, ψ) ← (θ, ψ) + h·v(θ, ψ); the update Jacobian at the
  equilibrium is I + hJ with eigenvalues 1 + hλ, stable iff |1 + hλ| < 1 for
  both eigenvalues λ of J (the disc of centre −1/h and radius 1/h).
* ``alternating``: one generator step θ ← θ + h·v_θ(θ, ψ), then ``d_steps``
  discriminator steps ψ ← ψ + h·v_ψ(θ, ψ), each seeing the latest values (the
  order of the paper's code). The update Jacobian is M_D^k · M_G with
  M_G = [[1 + hJ₁₁, hJ₁₂], [0, 1]] and M_D = [[1, 0], [hJ₂₁, 1 + hJ₂₂]].

Everything is numpy/scipy; the vector field accepts scalars or arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
from scipy import special

from . import _validation as check
from .losses import canonical_loss, is_loss_name

__all__ = [
    "ESCAPE_RADIUS",
    "F_PRIME_0",
    "F_SECOND_0",
    "MAX_PARAMETER",
    "MAX_STEP_SIZE",
    "METHODS",
    "OBJECTIVES",
    "DiracObjective",
    "dirac_eigenvalues",
    "dirac_f",
    "dirac_flow",
    "dirac_jacobian",
    "dirac_trajectory",
    "dirac_update_eigenvalues",
    "dirac_update_jacobian",
    "dirac_value",
    "dirac_vector_field",
    "escape_step",
    "max_stable_step_size",
    "objective_name",
]

#: f′(0) for f(t) = −log(1 + e^(−t)).
F_PRIME_0 = 0.5
#: f″(0) = −σ(0)·σ(0) = −¼.
F_SECOND_0 = -0.25

#: How the two players take turns in :func:`dirac_trajectory`.
METHODS = ("simultaneous", "alternating")

#: A trajectory that leaves the box |θ|, |ψ| < ESCAPE_RADIUS has diverged; the
#: remaining rows of :func:`dirac_trajectory` are NaN (see :func:`escape_step`).
ESCAPE_RADIUS = 1e12

#: Largest value accepted for gamma, sigma, target and clip (keeps every product finite).
MAX_PARAMETER = 1e6

#: Gauss–Hermite nodes for the instance-noise expectations over N(0, 1).
_NOISE_NODES = 64


# --------------------------------------------------------------------------------------------
# f(t) = −log(1 + e^(−t)) = log σ(t) and its derivatives, numerically stable, for floats
# (fast path used inside trajectories) and for arrays.
# --------------------------------------------------------------------------------------------
def _fp(t):
    """f′(t) = σ(−t) = 1 / (1 + e^t)."""
    if isinstance(t, float):
        if t >= 0.0:
            e = math.exp(-t)
            return e / (1.0 + e)
        return 1.0 / (1.0 + math.exp(t))
    return special.expit(-t)


def _fpp(t):
    """f″(t) = −σ(t)σ(−t) = −e/(1 + e)² with e = e^(−|t|) (no cancellation, no overflow)."""
    if isinstance(t, float):
        e = math.exp(-abs(t))
        return -e / ((1.0 + e) * (1.0 + e))
    e = np.exp(-np.abs(t))
    return -e / ((1.0 + e) * (1.0 + e))


def _fppp(t):
    """f‴(t) = −σ(t)σ(−t)(1 − 2σ(t)) = f″(t)·(−tanh(t/2))."""
    if isinstance(t, float):
        return -_fpp(t) * math.tanh(0.5 * t)
    return -_fpp(t) * np.tanh(0.5 * t)


def _sign(x):
    if isinstance(x, float):
        return 0.0 if x == 0.0 else math.copysign(1.0, x)
    return np.sign(x)


def dirac_f(t, derivative: int = 0):
    """f(t) = −log(1 + e^(−t)) = log σ(t) or one of its first three derivatives.

    .. math::

        f(t) = -\\operatorname{softplus}(-t),\\quad f'(t) = \\sigma(-t),\\quad
        f''(t) = -\\sigma(t)\\sigma(-t),\\quad f'''(t) = -\\sigma(t)\\sigma(-t)(1 - 2\\sigma(t)).

    Computed with softplus/expit forms that neither overflow nor cancel, so
    f(−800) = −800 and f′(800) ≈ e^(−800) are exact to machine precision.
    f′(0) = ½ (:data:`F_PRIME_0`), f″(0) = −¼.
    """
    if derivative not in (0, 1, 2, 3):
        raise ValueError(f"derivative must be one of 0, 1, 2, 3; got {derivative!r}")
    arr = check.finite_array(t, "t")
    compute = (_log_sigmoid, _fp, _fpp, _fppp)[derivative]
    out = compute(arr)
    return float(out) if np.ndim(out) == 0 else out


@cache
def _noise_nodes() -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Hermite nodes z and weights w with Σ w·g(z) ≈ E[g(Z)], Z ∼ N(0, 1)."""
    z, w = np.polynomial.hermite_e.hermegauss(_NOISE_NODES)
    return z, w / w.sum()


class _NoiseTables(NamedTuple):
    """Quadrature tables for one σ (cached: a trajectory evaluates the field hundreds of
    times with the same σ)."""

    eps: np.ndarray  # ε = σz at the nodes
    weights: np.ndarray  # [w, w·ε], shape (n, 2)
    w_eps: np.ndarray  # w·ε
    signed_eps: np.ndarray  # [−ε, ε], shape (2n,): arguments of both expits at once
    stacked: np.ndarray  # block-diagonal [[w, w·ε, 0], [0, 0, w·ε]], shape (2n, 3)


@lru_cache(maxsize=64)
def _noise_tables(sigma: float) -> _NoiseTables:
    z, w = _noise_nodes()
    eps = sigma * z
    n = eps.size
    stacked = np.zeros((2 * n, 3))
    stacked[:n, 0], stacked[:n, 1], stacked[n:, 2] = w, w * eps, w * eps
    return _NoiseTables(
        eps=eps,
        weights=np.column_stack([w, w * eps]),
        w_eps=w * eps,
        signed_eps=np.concatenate([-eps, eps]),
        stacked=stacked,
    )


# --------------------------------------------------------------------------------------------
# The objectives. Each field works on Python floats (trajectories) and on numpy arrays
# (vector-field grids) with the same formula; each Jacobian is analytic at one point.
# --------------------------------------------------------------------------------------------
def _gan_field(theta, psi):
    a = _fp(psi * theta)
    return -psi * a, theta * a


def _gan_jacobian(theta, psi):
    t = psi * theta
    a, b = _fp(t), _fpp(t)
    return np.array([[-psi * psi * b, -a - t * b], [a + t * b, theta * theta * b]])


def _nonsaturating_field(theta, psi):
    return -psi * _fp(-psi * theta), theta * _fp(psi * theta)


def _nonsaturating_jacobian(theta, psi):
    t = psi * theta
    a, b = _fp(t), _fpp(t)
    a_neg, b_neg = _fp(-t), _fpp(-t)
    return np.array([[psi * psi * b_neg, -a_neg + t * b_neg], [a + t * b, theta * theta * b]])


def _clip(x, bound):
    if isinstance(x, float):
        return min(max(x, -bound), bound)
    return np.clip(x, -bound, bound)


def _wgan_project(theta, psi, clip):
    return theta, _clip(psi, clip)


def _wgan_field(theta, psi, clip):
    # The critic is always clipped, so the field is the one felt at ψ̂ = clip(ψ); on the
    # boundary the ψ-component that would push ψ out of [−clip, clip] is removed.
    psi_hat = _clip(psi, clip)
    v_psi = theta
    if isinstance(theta, float) and isinstance(psi, float):
        if (psi_hat >= clip and theta > 0.0) or (psi_hat <= -clip and theta < 0.0):
            v_psi = 0.0
    else:
        theta_b, psi_b = np.broadcast_arrays(theta, psi_hat)
        outward = ((psi_b >= clip) & (theta_b > 0)) | ((psi_b <= -clip) & (theta_b < 0))
        v_psi = np.where(outward, 0.0, theta_b)
        psi_hat = psi_b
    return -psi_hat, v_psi


def _wgan_jacobian(theta, psi, clip):
    if abs(psi) <= clip:  # inside the band (on its edge: the one-sided derivative from inside)
        return np.array([[0.0, -1.0], [1.0, 0.0]])
    pushed_out = theta * psi > 0.0  # then the ψ-component is projected away
    return np.array([[0.0, 0.0], [0.0 if pushed_out else 1.0, 0.0]])


def _wgan_gp_field(theta, psi, gamma, target):
    return -psi, theta - gamma * (abs(psi) - target) * _sign(psi)


def _wgan_gp_jacobian(theta, psi, gamma, target):
    # Differentiable only off ψ = 0; at ψ = 0 both one-sided limits give this matrix.
    return np.array([[0.0, -1.0], [1.0, -gamma]])


def _gradient_penalty_field(theta, psi, gamma):
    a = _fp(psi * theta)
    return -psi * a, theta * a - gamma * psi


def _gradient_penalty_jacobian(theta, psi, gamma):
    jac = _gan_jacobian(theta, psi)
    jac[1, 1] -= gamma
    return jac


def _consensus_field(theta, psi, gamma):
    t = psi * theta
    a, b = _fp(t), _fpp(t)
    r2 = theta * theta + psi * psi
    # ∇(½‖v‖²) with ½‖v‖² = ½ f′(ψθ)² (θ² + ψ²)
    grad_theta = a * a * theta + a * b * psi * r2
    grad_psi = a * a * psi + a * b * theta * r2
    return -psi * a - gamma * grad_theta, theta * a - gamma * grad_psi


def _consensus_jacobian(theta, psi, gamma):
    t = psi * theta
    a, b, c = _fp(t), _fpp(t), _fppp(t)
    r2 = theta * theta + psi * psi
    curv = b * b + a * c  # d²(½f′²)/dt²
    hessian = np.array(
        [
            [curv * psi * psi * r2 + 4 * a * b * t + a * a, curv * t * r2 + 3 * a * b * r2],
            [curv * t * r2 + 3 * a * b * r2, curv * theta * theta * r2 + 4 * a * b * t + a * a],
        ]
    )
    return _gan_jacobian(theta, psi) - gamma * hessian


def _noise_samples(theta, psi, sigma):
    """Fake points x = θ + ε and real points ε at the Gauss–Hermite nodes (last axis)."""
    z, w = _noise_nodes()
    if isinstance(theta, float) and isinstance(psi, float):
        return theta + sigma * z, sigma * z, w, psi
    theta_b, psi_b = np.broadcast_arrays(np.asarray(theta, float), np.asarray(psi, float))
    return theta_b[..., None] + sigma * z, sigma * z, w, psi_b[..., None]


def _instance_noise_field(theta, psi, sigma):
    # With x = θ + ε:  E[x f′(ψx)] = θ·E f′(ψx) + E[ε f′(ψx)], so one product with the
    # weight matrix [w, w·ε] gives both expectations of the fake term.
    tables = _noise_tables(sigma)
    eps, weights, w_eps = tables.eps, tables.weights, tables.w_eps
    if isinstance(theta, float) and isinstance(psi, float):
        # Both expectations in one expit over [−ψ(θ + ε), ψε] (f′(t) = σ(−t), and
        # f′(−ψε) = σ(ψε)) and one product with a block matrix: four numpy calls per
        # field evaluation, of which a trajectory makes hundreds.
        args = tables.signed_eps * psi
        args[: eps.size] -= psi * theta
        fake_mean, fake_eps, real_eps = (special.expit(args) @ tables.stacked).tolist()
        # Python floats from here on: trajectories then never raise numpy overflow warnings
        return -psi * fake_mean, theta * fake_mean + fake_eps - real_eps
    theta_b, psi_b = np.broadcast_arrays(np.asarray(theta, float), np.asarray(psi, float))
    psi_n = psi_b[..., None]
    fake = _fp(psi_n * (theta_b[..., None] + eps)) @ weights
    real_eps = _fp(-psi_n * eps) @ w_eps
    return -psi_b * fake[..., 0], theta_b * fake[..., 0] + fake[..., 1] - real_eps


def _instance_noise_jacobian(theta, psi, sigma):
    x, e, w, _ = _noise_samples(theta, psi, sigma)
    a, b = _fp(psi * x), _fpp(psi * x)
    b_real = _fpp(-psi * e)
    cross = (a + psi * x * b) @ w
    return np.array(
        [
            [-psi * psi * (b @ w), -cross],
            [cross, (x * x * b) @ w + (e * e * b_real) @ w],
        ]
    )


def _log_sigmoid(t):
    return -np.logaddexp(0.0, -np.asarray(t, dtype=float))


def _gan_value(theta, psi, **_params):
    return _log_sigmoid(psi * theta) + _log_sigmoid(0.0)


def _bilinear_value(theta, psi, **_params):
    return np.asarray(psi * theta, dtype=float)


#: Points per block when a grid is evaluated with the noise nodes as an extra axis:
#: blocks of 256 × 64 temporaries stay in cache (about 40% faster than one big array).
_NOISE_BLOCK = 256


def _instance_noise_value(theta, psi, sigma, **_params):
    theta_b, psi_b = np.broadcast_arrays(np.asarray(theta, float), np.asarray(psi, float))
    theta_flat, psi_flat = theta_b.ravel(), psi_b.ravel()
    tables = _noise_tables(sigma)
    eps, w = tables.eps, tables.weights[:, 0]
    # The real-data term depends on ψ alone: evaluate it once per distinct ψ (a grid has
    # one per row), which halves the cost of a heatmap.
    psi_values, where = np.unique(psi_flat, return_inverse=True)
    real = (_log_sigmoid(-psi_values[:, None] * eps) @ w)[where.ravel()]
    fake = np.empty(theta_flat.size)
    for lo in range(0, theta_flat.size, _NOISE_BLOCK):
        block = slice(lo, lo + _NOISE_BLOCK)
        t, p = theta_flat[block, None], psi_flat[block, None]
        fake[block] = _log_sigmoid(p * (t + eps)) @ w
    return (fake + real).reshape(theta_b.shape)


def _identity_projection(theta, psi, **_params):
    return theta, psi


@dataclass(frozen=True)
class DiracObjective:
    """One way of training the Dirac-GAN: its vector field, Jacobian and value.

    ``field(θ, ψ, **params)`` returns (v_θ, v_ψ) = (−∂_θ L_G, ∂_ψ L_D);
    ``jacobian(θ, ψ, **params)`` is its analytic 2×2 derivative at one point;
    ``project`` maps a point to the feasible set (the WGAN clip);
    ``value(θ, ψ, **params)`` is the unregularised value of the game L(θ, ψ).
    """

    name: str
    title: str
    doc: str
    field: Callable[..., tuple[Any, Any]]
    jacobian: Callable[..., np.ndarray]
    value: Callable[..., np.ndarray]
    params: Mapping[str, float] = field(default_factory=dict)
    project: Callable[..., tuple[Any, Any]] = _identity_projection
    #: whether the equilibrium (0, 0) is locally asymptotically stable in continuous
    #: time for the default (positive) parameters
    converges: bool = False
    #: whether (0, 0) is a zero of the field (false for WGAN-GP: the field jumps there)
    stationary: bool = True

    def resolve(self, params: Mapping[str, Any]) -> dict[str, float]:
        """Defaults updated with ``params``, validated; unknown names raise ValueError."""
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            allowed = ", ".join(self.params) or "no parameters"
            raise ValueError(
                f"objective {self.name!r} takes {allowed}; got unexpected {', '.join(unknown)}"
            )
        out = dict(self.params)
        for key, value in params.items():
            number = check.finite_float(value, key)
            if key == "clip" and not 0.0 < number <= MAX_PARAMETER:
                raise ValueError(
                    f"clip must be a finite number in (0, {MAX_PARAMETER:g}], got {value!r}"
                )
            if key != "clip" and not 0.0 <= number <= MAX_PARAMETER:
                raise ValueError(
                    f"{key} must be a finite number ≥ 0 (at most {MAX_PARAMETER:g}), got {value!r}"
                )
            out[key] = number
        return out


def objective_name(name: Any) -> str:
    """The key of :data:`OBJECTIVES` for ``name``: a loss alias (``"gan"``) is resolved.

    Losses are named as in :data:`ganviz.losses.LOSS_TABLE`; the regularised
    objectives (``"gradient-penalty"``, ``"consensus"``, ``"instance-noise"``)
    keep their own names.
    """
    key = canonical_loss(name) if is_loss_name(name) else name
    return check.choice(key, OBJECTIVES, "objective")


def _objective(name: Any) -> DiracObjective:
    return OBJECTIVES[objective_name(name)]


OBJECTIVES: Mapping[str, DiracObjective] = MappingProxyType(
    {
        "minimax": DiracObjective(
            name="minimax",
            title="GAN (minimax)",
            doc=(
                "L = f(ψθ) + f(0); v = (−ψ f′(ψθ), θ f′(ψθ)). "
                "Eigenvalues at (0, 0): ±i·f′(0) = ±i/2 — circles, never converges."
            ),
            field=_gan_field,
            jacobian=_gan_jacobian,
            value=_gan_value,
        ),
        "nonsaturating": DiracObjective(
            name="nonsaturating",
            title="non-saturating GAN",
            doc=(
                "The generator maximises f(−ψθ) instead of minimising f(ψθ); "
                "v = (−ψ f′(−ψθ), θ f′(ψθ)). Same Jacobian at (0, 0) as the GAN: "
                "eigenvalues ±i/2."
            ),
            field=_nonsaturating_field,
            jacobian=_nonsaturating_jacobian,
            value=_gan_value,
        ),
        "wgan": DiracObjective(
            name="wgan",
            title="WGAN (weight clipping)",
            doc=(
                "f(t) = t, L = ψθ with ψ clipped to [−clip, clip] (the 1-Lipschitz "
                "constraint on D(x) = ψx); v = (−ψ, θ). Eigenvalues ±i — circles "
                "inside the band, never converges."
            ),
            field=_wgan_field,
            jacobian=_wgan_jacobian,
            value=_bilinear_value,
            params=MappingProxyType({"clip": 1.0}),
            project=_wgan_project,
        ),
        "wgan-gp": DiracObjective(
            name="wgan-gp",
            title="WGAN-GP",
            doc=(
                "L = ψθ, the critic also pays R(ψ) = γ/2 (|ψ| − g₀)² (‖∇ₓD‖ = |ψ| "
                "everywhere); v = (−ψ, θ − γ(|ψ| − g₀) sign ψ). The field jumps by "
                "2γg₀ across ψ = 0, so (0, 0) is not a fixed point and training does "
                "not converge; off ψ = 0 the Jacobian is [[0, −1], [1, −γ]] with "
                "eigenvalues −γ/2 ± √(γ²/4 − 1)."
            ),
            field=_wgan_gp_field,
            jacobian=_wgan_gp_jacobian,
            value=_bilinear_value,
            params=MappingProxyType({"gamma": 0.3, "target": 1.0}),
            stationary=False,
        ),
        "gradient-penalty": DiracObjective(
            name="gradient-penalty",
            title="GAN + zero-centred gradient penalty (R1 = R2)",
            doc=(
                "The discriminator pays R1(ψ) = γ/2 E_data‖∇ₓD‖² = γψ²/2 (R2, on the "
                "fakes, is identical here); v = (−ψ f′(ψθ), θ f′(ψθ) − γψ). "
                "Eigenvalues −γ/2 ± √(γ²/4 − f′(0)²): real part −γ/2 for γ < 2f′(0) = 1 "
                "— the flow converges for every γ > 0; simultaneous steps of size h "
                "need h < 4γ (γ ≤ 1)."
            ),
            field=_gradient_penalty_field,
            jacobian=_gradient_penalty_jacobian,
            value=_gan_value,
            params=MappingProxyType({"gamma": 0.3}),
            converges=True,
        ),
        "consensus": DiracObjective(
            name="consensus",
            title="GAN + consensus optimisation",
            doc=(
                "Both players also descend ½‖v‖² = ½ f′(ψθ)²(θ² + ψ²): "
                "v_c = v − γ∇(½‖v‖²) = v − γJᵀv. Jacobian at (0, 0): J − γJᵀJ, "
                "eigenvalues −γf′(0)² ± i f′(0) = −γ/4 ± i/2 — converges."
            ),
            field=_consensus_field,
            jacobian=_consensus_jacobian,
            value=_gan_value,
            params=MappingProxyType({"gamma": 0.3}),
            converges=True,
        ),
        "instance-noise": DiracObjective(
            name="instance-noise",
            title="GAN + instance noise",
            doc=(
                "Gaussian noise ε ∼ N(0, σ²) is added to real and fake points: "
                "L = E f(ψ(θ + ε)) + E f(−ψε); v = (−ψ E f′(ψ(θ+ε)), "
                "E[(θ+ε) f′(ψ(θ+ε))] − E[ε f′(−ψε)]), expectations by 64-node "
                "Gauss–Hermite quadrature. Eigenvalues f″(0)σ² ± √(f″(0)²σ⁴ − f′(0)²) "
                "= −σ²/4 ± √(σ⁴/16 − 1/4) — the flow converges for σ > 0; simultaneous "
                "steps of size h need h < 2σ² (σ² ≤ 2), alternating ones h²/4 + hσ² < 4."
            ),
            field=_instance_noise_field,
            jacobian=_instance_noise_jacobian,
            value=_instance_noise_value,
            params=MappingProxyType({"sigma": 1.0}),
            converges=True,
        ),
    }
)


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------
def _broadcast(theta: np.ndarray, psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    try:
        return np.broadcast_arrays(theta, psi)
    except ValueError:
        raise ValueError(
            f"theta and psi must broadcast to one shape; got shapes {theta.shape} and {psi.shape}"
        ) from None


def dirac_vector_field(objective: str, theta, psi, **params):
    """The gradient vector field v(θ, ψ) = (−∂_θ L_G, ∂_ψ L_D) of the Dirac-GAN.

    Gradient *descent* for the generator and *ascent* for the discriminator
    move along v. For the minimax GAN

    .. math:: v(\\theta, \\psi) = (-\\psi f'(\\psi\\theta),\\; \\theta f'(\\psi\\theta)),

    see the module docstring for the other objectives.

    Parameters
    ----------
    objective : str
        One of :data:`OBJECTIVES`.
    theta, psi : float or array
        Generator position and discriminator slope; arrays broadcast.
    **params
        ``gamma`` (``wgan-gp``, ``gradient-penalty``, ``consensus``), ``target``
        (``wgan-gp``), ``clip`` (``wgan``), ``sigma`` (``instance-noise``).

    Returns
    -------
    (v_theta, v_psi) : floats for scalar input, else arrays of the broadcast shape.

    Examples
    --------
    >>> dirac_vector_field("minimax", 1.0, 0.0)
    (-0.0, 0.5)
    """
    obj = _objective(objective)
    p = obj.resolve(params)
    theta_arr = check.finite_array(theta, "theta")
    psi_arr = check.finite_array(psi, "psi")
    if theta_arr.ndim == 0 and psi_arr.ndim == 0:
        v_theta, v_psi = obj.field(float(theta_arr), float(psi_arr), **p)
        return float(v_theta), float(v_psi)
    theta_b, psi_b = _broadcast(theta_arr, psi_arr)
    v_theta, v_psi = obj.field(theta_b, psi_b, **p)
    shape = theta_b.shape
    return np.broadcast_to(v_theta, shape).astype(float), np.broadcast_to(v_psi, shape).astype(
        float
    )


def dirac_value(objective: str, theta, psi, **params) -> np.ndarray:
    """The unregularised value of the game L(θ, ψ) (what the penalties are added to).

    .. math:: L(\\theta, \\psi) = f(\\psi\\theta) + f(0)

    for the GAN family (``gan``, ``nonsaturating``, ``gradient-penalty``,
    ``consensus``); ψθ for ``wgan`` and ``wgan-gp``; E f(ψ(θ + ε)) + E f(−ψε)
    with ε ∼ N(0, σ²) for ``instance-noise``. L(0, 0) = 2f(0) = −log 4, the
    value V(G, D*) at P_g = P_data.
    """
    obj = _objective(objective)
    p = obj.resolve(params)
    theta_arr = check.finite_array(theta, "theta")
    psi_arr = check.finite_array(psi, "psi")
    out = np.asarray(obj.value(*_broadcast(theta_arr, psi_arr), **p), dtype=float)
    return float(out) if out.ndim == 0 else out


def dirac_jacobian(objective: str, theta: float = 0.0, psi: float = 0.0, **params) -> np.ndarray:
    """The analytic Jacobian ∂v/∂(θ, ψ) (2×2) of the vector field at one point.

    Rows are (v_θ, v_ψ), columns (θ, ψ). At the equilibrium of the GAN,

    .. math:: J = \\begin{pmatrix} 0 & -f'(0) \\\\ f'(0) & 0 \\end{pmatrix};

    a gradient penalty subtracts γ from J₂₂, instance noise adds 2σ²f″(0) to
    J₂₂, consensus optimisation gives J − γJᵀJ. Where the field is not
    differentiable (WGAN-GP at ψ = 0, the WGAN clip boundary) the one-sided
    derivative from inside is returned.
    """
    obj = _objective(objective)
    p = obj.resolve(params)
    theta = check.finite_float(theta, "theta")
    psi = check.finite_float(psi, "psi")
    return np.asarray(obj.jacobian(theta, psi, **p), dtype=float)


def _sorted_eigenvalues(matrix: np.ndarray) -> np.ndarray:
    values = np.linalg.eigvals(matrix).astype(complex)
    # Clean −0.0 / 1e-17 round-off so that closed forms compare neatly.
    values = np.where(np.abs(values.imag) < 1e-15, values.real + 0j, values)
    values = values + 0.0  # −0.0 → 0.0, so printed eigenvalues read ±0.5j, not −0.+0.5j
    order = np.lexsort((-values.real, -values.imag))
    return values[order]


def dirac_eigenvalues(objective: str, **params) -> np.ndarray:
    """Eigenvalues λ of the Jacobian of v at the equilibrium (0, 0) (continuous time).

    Closed forms, with f′(0) = ½ and f″(0) = −¼:

    ==================== ============================================
    ``gan``, ``nonsat.``  ±i f′(0) = ±i/2
    ``wgan``              ±i
    ``wgan-gp``           −γ/2 ± √(γ²/4 − 1)   (one-sided; (0, 0) is no fixed point)
    ``gradient-penalty``  −γ/2 ± √(γ²/4 − f′(0)²)
    ``consensus``         −γ f′(0)² ± i f′(0)
    ``instance-noise``    f″(0)σ² ± √(f″(0)²σ⁴ − f′(0)²)
    ==================== ============================================

    The flow converges locally iff both real parts are negative. Returns a
    complex array of shape (2,), larger imaginary part first.
    """
    return _sorted_eigenvalues(dirac_jacobian(objective, 0.0, 0.0, **params))


def _check_method(method: Any, d_steps: Any) -> tuple[str, int]:
    check.choice(method, METHODS, "method")
    if isinstance(d_steps, bool) or not isinstance(d_steps, (int, np.integer)) or d_steps < 1:
        raise ValueError(f"d_steps must be an integer ≥ 1, got {d_steps!r}")
    if method == "simultaneous" and d_steps != 1:
        raise ValueError(
            "d_steps must be 1 for method='simultaneous' (k discriminator steps per "
            f"generator step exist only for method='alternating'); got {d_steps!r}"
        )
    return method, int(d_steps)


def dirac_update_jacobian(
    objective: str,
    method: str = "simultaneous",
    step_size: float = 0.2,
    d_steps: int = 1,
    **params,
) -> np.ndarray:
    """Jacobian of one training iteration (θ, ψ) ↦ (θ', ψ') at the equilibrium.

    With J the field's Jacobian at (0, 0) and h the step size:

    * simultaneous: M = I + hJ, eigenvalues 1 + hλ;
    * alternating (one generator step, then k = ``d_steps`` discriminator
      steps): M = M_D^k · M_G, with
      M_G = [[1 + hJ₁₁, hJ₁₂], [0, 1]] and M_D = [[1, 0], [hJ₂₁, 1 + hJ₂₂]].

    For the GAN and k = 1, M = [[1, −ha], [ha, 1 − h²a²]] (a = f′(0)) has
    determinant 1: its eigenvalues lie on the unit circle for ha < 2, so
    alternating steps neither converge nor diverge.
    """
    method, d_steps = _check_method(method, d_steps)
    h = _step_size(step_size)
    jac = dirac_jacobian(objective, 0.0, 0.0, **params)
    if method == "simultaneous":
        return np.eye(2) + h * jac
    m_g = np.array([[1.0 + h * jac[0, 0], h * jac[0, 1]], [0.0, 1.0]])
    m_d = np.array([[1.0, 0.0], [h * jac[1, 0], 1.0 + h * jac[1, 1]]])
    return np.linalg.matrix_power(m_d, d_steps) @ m_g


def dirac_update_eigenvalues(
    objective: str,
    method: str = "simultaneous",
    step_size: float = 0.2,
    d_steps: int = 1,
    **params,
) -> np.ndarray:
    """Eigenvalues μ of :func:`dirac_update_jacobian`; the iteration is locally stable iff |μ| < 1.

    For simultaneous steps μ = 1 + hλ, so |μ|² = 1 + 2h·Re λ + h²|λ|²; for the
    unregularised GAN |μ| = √(1 + h²f′(0)²) > 1 for every h > 0.
    """
    return _sorted_eigenvalues(
        dirac_update_jacobian(objective, method, step_size, d_steps, **params)
    )


def max_stable_step_size(objective: str, **params) -> float:
    """Largest h for which simultaneous steps converge locally: min over λ of −2 Re λ / |λ|².

    |1 + hλ| < 1 ⇔ h < −2 Re λ / |λ|² (for Re λ < 0). Returns 0.0 when some
    eigenvalue has Re λ ≥ 0 (no step size works) and ``inf`` if every
    eigenvalue is 0.
    """
    limits = []
    for lam in dirac_eigenvalues(objective, **params):
        if lam.real >= 0.0:
            return 0.0
        limits.append(-2.0 * lam.real / abs(lam) ** 2)
    return float(min(limits)) if limits else math.inf


def _start_point(start: Any) -> tuple[float, float]:
    arr = check.finite_array(start, "start")
    if arr.shape != (2,):
        raise ValueError(f"start must be a pair (theta, psi), got shape {arr.shape}")
    if np.abs(arr).max() >= ESCAPE_RADIUS:
        raise ValueError(f"start must have |theta|, |psi| < {ESCAPE_RADIUS:g}, got {tuple(arr)}")
    return float(arr[0]), float(arr[1])


#: Largest step size accepted (the stable disc |1 + hλ| < 1 has radius 1/h: beyond this
#: every update diverges at once and the update Jacobians overflow).
MAX_STEP_SIZE = 100.0


def _step_size(step_size: Any) -> float:
    h = check.positive_float(step_size, "step_size")
    if h > MAX_STEP_SIZE:
        raise ValueError(f"step_size must be in (0, {MAX_STEP_SIZE:g}], got {step_size!r}")
    return h


def _step_count(steps: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer ≥ 0, got {steps!r}")
    return int(steps)


def dirac_trajectory(
    objective: str,
    method: str = "simultaneous",
    steps: int = 500,
    step_size: float = 0.2,
    start=(1.0, 1.0),
    d_steps: int = 1,
    **params,
) -> np.ndarray:
    """Iterates of gradient training of the Dirac-GAN, shape (steps + 1, 2), columns (θ, ψ).

    * ``"simultaneous"``: (θ, ψ) ← (θ, ψ) + h·v(θ, ψ).
    * ``"alternating"``: θ ← θ + h·v_θ(θ, ψ), then ``d_steps`` times
      ψ ← ψ + h·v_ψ(θ, ψ) with the new θ.

    For ``wgan`` ψ is clipped to [−clip, clip] after every discriminator update
    (and in the start point). Row 0 is the start. If an iterate leaves the box
    |θ|, |ψ| < :data:`ESCAPE_RADIUS` the run has diverged: that row and all
    later ones are NaN (:func:`escape_step` returns the first such row).

    Near the equilibrium of the unregularised GAN, simultaneous steps multiply
    the distance to (0, 0) by √(1 + h²f′(0)²) per step.

    Examples
    --------
    >>> dirac_trajectory("gradient-penalty", steps=2, step_size=0.1, gamma=1.0).shape
    (3, 2)
    """
    obj = _objective(objective)
    p = obj.resolve(params)
    method, d_steps = _check_method(method, d_steps)
    steps = _step_count(steps)
    h = _step_size(step_size)
    theta, psi = obj.project(*_start_point(start), **p)
    field = obj.field
    project = obj.project
    out = np.full((steps + 1, 2), np.nan)
    out[0] = theta, psi
    simultaneous = method == "simultaneous"
    limit = ESCAPE_RADIUS
    for n in range(1, steps + 1):
        if simultaneous:
            v_theta, v_psi = field(theta, psi, **p)
            theta, psi = project(theta + h * v_theta, psi + h * v_psi, **p)
        else:
            theta = theta + h * field(theta, psi, **p)[0]
            for _ in range(d_steps):
                theta, psi = project(theta, psi + h * field(theta, psi, **p)[1], **p)
        # `not <` also catches NaN
        if not (abs(theta) < limit and abs(psi) < limit):
            break
        out[n, 0] = theta
        out[n, 1] = psi
    return out


def escape_step(trajectory) -> int | None:
    """First row of a :func:`dirac_trajectory` result that is NaN (diverged), else None."""
    arr = np.asarray(trajectory, dtype=float)
    bad = np.flatnonzero(np.isnan(arr).any(axis=-1))
    return int(bad[0]) if bad.size else None


def dirac_flow(
    objective: str,
    duration: float = 100.0,
    start=(1.0, 1.0),
    num: int = 501,
    rtol: float = 1e-9,
    atol: float = 1e-12,
    **params,
) -> tuple[np.ndarray, np.ndarray]:
    """The continuous-time flow d(θ, ψ)/dt = v(θ, ψ), the limit h → 0 of gradient steps.

    Integrated with scipy's ``solve_ivp`` (DOP853) and sampled at ``num``
    equally spaced times in [0, duration]. For the unregularised GAN and for
    WGAN inside the clip band the flow conserves θ² + ψ²:
    d/dt ½(θ² + ψ²) = θ·(−ψ f′(ψθ)) + ψ·θ f′(ψθ) = 0.

    Returns
    -------
    (t, points) : arrays of shape (num,) and (num, 2).
    """
    from scipy.integrate import solve_ivp  # deferred: keeps `import ganviz.dynamics` fast

    obj = _objective(objective)
    p = obj.resolve(params)
    duration = check.positive_float(duration, "duration")
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 2:
        raise ValueError(f"num must be an integer ≥ 2, got {num!r}")
    rtol = check.positive_float(rtol, "rtol")
    atol = check.positive_float(atol, "atol")
    theta0, psi0 = obj.project(*_start_point(start), **p)

    def rhs(_t, y):
        return obj.field(float(y[0]), float(y[1]), **p)

    times = np.linspace(0.0, duration, int(num))
    sol = solve_ivp(
        rhs, (0.0, duration), [theta0, psi0], method="DOP853", t_eval=times, rtol=rtol, atol=atol
    )
    if not sol.success:  # pragma: no cover - DOP853 fails only on non-finite fields
        raise ValueError(f"the flow could not be integrated: {sol.message}")
    points = np.stack(obj.project(sol.y[0], sol.y[1], **p), axis=-1)
    return sol.t, np.asarray(points, dtype=float)
