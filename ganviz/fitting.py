"""Mode seeking against mode covering, and the generator gradient over many separations.

Two small numerical tools behind the vanishing-gradient and mode-collapse lessons.

**Fitting one Gaussian to a multimodal P_data** (:func:`fit_gaussian`). A
single Gaussian q cannot match a mixture, so *which* divergence it minimises
decides what it gives up:

* forward KL, KL(P_data‖q) = E_data[log p − log q], punishes q for missing
  mass where the data has some: q spreads over every mode (mode covering).
  Over Gaussians it is minimised in closed form by *moment matching*,
  q = N(E_data[x], Cov_data[x]) (set the derivatives of −E_data[log q] to 0).
* reverse KL, KL(q‖P_data) = E_q[log q − log p], punishes q for putting mass
  where the data has none: q locks onto one mode (mode seeking).
* Jensen–Shannon, what the minimax GAN minimises with an optimal
  discriminator (V(G, D*) = 2·JS − 2·log 2), sits in between.

Reverse KL and JS are minimised with :func:`scipy.optimize.minimize`
(L-BFGS-B) over the mean and log-std (2-D: the mean and a Cholesky factor
L = [[e^a, 0], [c, e^b]], Σ = L Lᵀ), from several starts, keeping the best.
Both objectives are integrals over the core's quadrature grid, and so are
their exact gradients, written in score-function form (∫∇q = 0)::

    ∇_θ KL(q‖p) = E_q[∇_θ log q · (log q − log p)]
    ∇_θ JS(p‖q) = ½ E_q[∇_θ log q · log(2q / (p + q))]

:func:`trapezoid_grid` is the cheap grid the mode-collapse explorer evaluates
its divergences on. The gradient curves (:func:`gradient_curves`,
:func:`gradient_vs_separation`) now live beside :func:`ganviz.generator_gradient`
in :mod:`ganviz.gradients`, and the mode report (:func:`mode_report`,
:class:`ModeReport`, :func:`mode_std`) beside :func:`ganviz.mode_coverage` in
:mod:`ganviz.modes`; they stay importable from here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import optimize

from . import _validation as check
from .distributions import GAUSSIAN_TAIL, Distribution, Gaussian, Mixture

# Re-exported from their homes so ``ganviz.fitting.<name>`` keeps working.
from .gradients import gradient_curves, gradient_vs_separation
from .grids import Grid, auto_grid, make_grid, regular_grid
from .modes import ModeReport, mode_report, mode_std
from .theory import _js, _kl, pair_on_grid

__all__ = [
    "DIVERGENCES",
    "GaussianFit",
    "ModeReport",
    "fit_gaussian",
    "gradient_curves",
    "gradient_vs_separation",
    "mode_report",
    "mode_std",
    "trapezoid_grid",
]

#: Divergences :func:`fit_gaussian` minimises.
DIVERGENCES = ("kl_forward", "kl_reverse", "js")

#: Human-readable names of :data:`DIVERGENCES`.
DIVERGENCE_LABELS = {
    "kl_forward": "forward KL(P_data‖P_g)",
    "kl_reverse": "reverse KL(P_g‖P_data)",
    "js": "JS(P_data‖P_g)",
}

LOG2 = math.log(2.0)


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ aᵢbᵢ without BLAS: a threaded ``ddot`` costs milliseconds on a busy machine."""
    return float(np.einsum("i,i->", a, b))


# -- fitting a single Gaussian -------------------------------------------------------


class GaussianFit(NamedTuple):
    """The best Gaussian for one divergence.

    ``value`` is the divergence at ``gaussian`` computed by the core
    (:func:`ganviz.kl_divergence` / :func:`ganviz.js_divergence`);
    ``result`` is the :class:`scipy.optimize.OptimizeResult` of the best
    start (a synthetic one, with ``nit = 0``, for the closed-form forward KL);
    ``starts`` counts the optimisations run.
    """

    gaussian: Gaussian
    divergence: str
    value: float
    result: optimize.OptimizeResult
    starts: int


def _theta_of(mean, cov, dim: int) -> np.ndarray:
    """Parameters θ of N(mean, cov): (μ, log σ) in 1-D, (μ₁, μ₂, a, c, b) in 2-D."""
    if dim == 1:
        return np.array([float(mean), 0.5 * math.log(float(np.asarray(cov).reshape(-1)[0]))])
    chol = np.linalg.cholesky(np.asarray(cov, dtype=float))
    mean = np.asarray(mean, dtype=float)
    return np.array([mean[0], mean[1], math.log(chol[0, 0]), chol[1, 0], math.log(chol[1, 1])])


def _cholesky(theta: np.ndarray) -> np.ndarray:
    return np.array([[math.exp(theta[2]), 0.0], [theta[3], math.exp(theta[4])]])


def _gaussian_of(theta: np.ndarray, dim: int) -> Gaussian:
    if dim == 1:
        return Gaussian(float(theta[0]), math.exp(theta[1]))
    chol = _cholesky(theta)
    return Gaussian(theta[:2].copy(), cov=chol @ chol.T)


def _score(theta: np.ndarray, x: np.ndarray, dim: int) -> np.ndarray:
    """∇_θ log q_θ(x) at every point: shape (n, 2) in 1-D, (n, 5) in 2-D.

    1-D: ∂_μ = (x − μ)/σ², ∂_{log σ} = ((x − μ)/σ)² − 1.

    2-D: with u = L⁻¹(x − μ), ∂_μ = L⁻ᵀu and ∂_L = L⁻ᵀ(u uᵀ − I), whose
    lower-triangular entries, chained through L₀₀ = e^a and L₁₁ = e^b, are
    ∂_a = u₀² − 1 − (L₁₀/L₁₁)·u₀u₁, ∂_c = u₀u₁/L₁₁, ∂_b = u₁² − 1.
    """
    if dim == 1:
        mu, sigma = theta[0], math.exp(theta[1])
        z = (x - mu) / sigma
        return np.stack([z / sigma, z * z - 1.0], axis=1)
    l00, l10, l11 = math.exp(theta[2]), theta[3], math.exp(theta[4])
    u0 = (x[:, 0] - theta[0]) / l00
    u1 = (x[:, 1] - theta[1] - l10 * u0) / l11
    u01 = u0 * u1
    return np.stack(
        [
            u0 / l00 - l10 * u1 / (l00 * l11),
            u1 / l11,
            u0 * u0 - 1.0 - (l10 / l11) * u01,
            u01 / l11,
            u1 * u1 - 1.0,
        ],
        axis=1,
    )


#: Lattice points per axis the fits may use at most (1-D, 2-D).
_FIT_MAX_POINTS = {1: 20_000, 2: 360}
#: Largest q, in units of P_data's overall standard deviation, and the q-tail kept on the lattice.
_FIT_WIDEST = 1.25
_FIT_TAIL = 6.0


@dataclass(frozen=True)
class _Lattice:
    """The fixed quadrature lattice of one fit and the box it allows q to live in.

    A regular trapezoid grid (:func:`ganviz.grids.regular_grid`) with spacing
    h no wider than two thirds of P_data's finest length scale, over a box
    holding all of P_data and the central ±6σ of every admissible q: means
    inside P_data's view box, scales between h and 1.25 × P_data's overall
    standard deviation. The trapezoid rule integrates a Gaussian of scale
    ≥ h to ~e^{-2π²} ≈ 3e-9 relative error, and log p_data is evaluated only
    once per fit.
    """

    grid: Grid
    log_p: np.ndarray
    bounds: list


def _lattice(p_data: Distribution, grid=None) -> _Lattice:
    dim = p_data.dim
    finest = min(r.scale for axis in range(dim) for r in p_data.regions(axis))
    cov = np.atleast_2d(p_data.covariance)
    widest = _FIT_WIDEST * math.sqrt(float(np.linalg.eigvalsh(cov).max()))
    view, full = p_data.view_extent(), p_data.extent()
    box = np.column_stack(
        [
            np.minimum(view[:, 0] - _FIT_TAIL * widest, full[:, 0]),
            np.maximum(view[:, 1] + _FIT_TAIL * widest, full[:, 1]),
        ]
    )
    n = math.ceil(np.max(np.diff(box, axis=1)) / (finest / 1.5)) + 1
    if grid is None and n > _FIT_MAX_POINTS[dim]:
        # Modes too far apart for one regular lattice (its spacing would exceed the modes'
        # width and bound q's std from below: 2.4σ for two 2-D modes ±50σ apart). The core's
        # adaptive grid instead: panels of each mode's width, geometric panels across the
        # gaps, and a Gaussian region covering the box where an admissible q lives.
        half = 0.5 * np.diff(box, axis=1).reshape(-1)
        cover = Gaussian(
            box.mean(axis=1) if dim == 2 else float(box.mean()),
            cov=np.diag((half / GAUSSIAN_TAIL) ** 2)
            if dim == 2
            else float(half[0] / GAUSSIAN_TAIL) ** 2,
        )
        lattice = auto_grid(p_data, cover, names=("p_data", "q"))
        spacing = 0.5 * finest
    else:
        lattice = regular_grid(box, int(n)) if grid is None else make_grid((p_data,), grid)
        spacing = max(float(np.max(np.diff(axis))) for axis in lattice.axes)
    log_lo, log_hi = math.log(spacing), math.log(max(widest, 2.0 * spacing))
    means = [(float(lo), float(hi)) for lo, hi in view]
    if dim == 1:
        bounds = [*means, (log_lo, log_hi)]
    else:
        bounds = [*means, (log_lo, log_hi), (-widest, widest), (log_lo, log_hi)]
    return _Lattice(lattice, p_data.logpdf(lattice.points), bounds)


#: Gauss–Hermite nodes per axis for expectations under q (exact for log p quadratic in x).
_HERMITE_NODES = {1: 64, 2: 32}


@lru_cache(maxsize=4)
def _hermite(dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z and weights of E[f(z)], z ~ N(0, I_dim), tensor Gauss–Hermite (weights sum to 1)."""
    z, w = np.polynomial.hermite_e.hermegauss(_HERMITE_NODES[dim])
    w = w / w.sum()
    if dim == 1:
        return z[:, None], w
    zz = np.stack(np.meshgrid(z, z), axis=-1).reshape(-1, 2)
    return zz, np.outer(w, w).ravel()


def _reverse_kl(p_data: Distribution, theta: np.ndarray, dim: int) -> tuple[float, np.ndarray]:
    """KL(q‖p) = −H(q) − E_z[log p(μ + Lz)] and its gradient, in q's own whitened coordinates.

    H(q) = (d/2)·log(2πe) + Σ log Lᵢᵢ; the expectation is a Gauss–Hermite cubature in z,
    so q's mass is always on the nodes however far q sits from P_data (a lattice fixed in
    x lost a narrow q between its nodes). By reparametrisation, with g = ∇ log p(μ + Lz):
    ∂/∂μ = −E[g], ∂/∂L_ij = −E[g_i z_j] (chained through L₀₀ = e^a, L₁₁ = e^b in 2-D,
    σ = e^θ₁ in 1-D).
    """
    z, w = _hermite(dim)
    if dim == 1:
        sigma = math.exp(theta[1])
        x = theta[0] + sigma * z[:, 0]
        entropy = 0.5 * math.log(2 * math.pi * math.e) + theta[1]
        grad_log_p = p_data.grad_logpdf(x)
        value = -entropy - _dot(w, p_data.logpdf(x))
        return value, np.array([-_dot(w, grad_log_p), -1.0 - sigma * _dot(w, grad_log_p * z[:, 0])])
    chol = _cholesky(theta)
    x = theta[:2] + z @ chol.T
    entropy = math.log(2 * math.pi * math.e) + theta[2] + theta[4]
    gl = p_data.grad_logpdf(x)
    value = -entropy - _dot(w, p_data.logpdf(x))
    d_mu = -np.einsum("i,ij->j", w, gl)
    d_chol = -np.einsum("i,ij,ik->jk", w, gl, z)  # ∂/∂L_jk
    grad = np.array(
        [
            d_mu[0],
            d_mu[1],
            d_chol[0, 0] * chol[0, 0] - 1.0,
            d_chol[1, 0],
            d_chol[1, 1] * chol[1, 1] - 1.0,
        ]
    )
    return value, grad


@dataclass
class _Objective:
    """Divergence between P_data and q_θ, and its exact gradient in θ, on a fixed lattice."""

    p_data: Distribution
    divergence: str
    lattice: _Lattice
    evaluations: int = field(default=0)

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        self.evaluations += 1
        dim = self.p_data.dim
        if self.divergence == "kl_reverse":
            return _reverse_kl(self.p_data, theta, dim)
        g, lp = self.lattice.grid, self.lattice.log_p
        lq = _gaussian_of(theta, dim).logpdf(g.points)
        q_weights = g.weights * np.exp(lq)
        if self.divergence == "kl_reverse":
            phi = lq - lp  # finite: P_data has full support (checked by fit_gaussian)
            value = _dot(q_weights, phi)
        else:
            # JS = ½∫p log(2p/(p+q)) + ½∫q log(2q/(p+q)); d/dq of the integrand is ½ log(2q/(p+q))
            lm = np.logaddexp(lp, lq) - LOG2
            has_mass = lp > -np.inf  # 0·log 0 = 0 where P_data has no density
            p_part = np.zeros_like(lp)
            p_part[has_mass] = np.exp(lp[has_mass]) * (lp[has_mass] - lm[has_mass])
            value = 0.5 * _dot(g.weights, p_part) + 0.5 * _dot(q_weights, lq - lm)
            phi = 0.5 * (lq - lm)
        # ∫ q ∇log q = 0: subtracting the q-average of φ changes nothing exactly
        # and makes the quadrature of the gradient insensitive to that round-off.
        # Points where q carries no weight cannot move the gradient: skip them.
        keep = q_weights > 1e-16 * q_weights.max()
        q_weights, phi = q_weights[keep], phi[keep]
        baseline = _dot(q_weights, phi) / q_weights.sum()
        grad = np.einsum(
            "i,ij->j", q_weights * (phi - baseline), _score(theta, g.points[keep], dim)
        )
        return value, grad


def _moments(p_data: Distribution):
    return p_data.mean, p_data.covariance


def _candidate_starts(p_data: Distribution, seed, n_random: int) -> list[np.ndarray]:
    """Moment matching, every mixture component, and a few random Gaussians."""
    dim = p_data.dim
    mean, cov = _moments(p_data)
    starts = [_theta_of(mean, cov, dim)]
    if isinstance(p_data, Mixture):
        for weight, comp in zip(p_data.weights, p_data.components, strict=True):
            if weight > 0:
                starts.append(_theta_of(comp.mean, comp.covariance, dim))
    rng = np.random.default_rng(seed)
    centres = p_data.sample(n_random, seed=rng.integers(2**32))
    for centre in centres:
        shrink = rng.uniform(0.15, 0.8)
        starts.append(_theta_of(centre, np.asarray(cov) * shrink**2, dim))
    return starts


def _start_theta(start, dim: int) -> np.ndarray:
    if isinstance(start, Gaussian):
        if start.dim != dim:
            raise ValueError(f"start is {start.dim}-D but p_data is {dim}-D")
        return _theta_of(start.mean, start.covariance, dim)
    if isinstance(start, (tuple, list)) and len(start) == 2:
        mean, spread = start
        guess = Gaussian(mean, spread) if np.ndim(spread) <= 1 else Gaussian(mean, cov=spread)
        return _start_theta(guess, dim)
    raise ValueError(
        f"start must be None, a ganviz Gaussian, or a pair (mean, std) / (mean, cov); got {start!r}"
    )


def _closed_form_result(theta: np.ndarray, value: float) -> optimize.OptimizeResult:
    return optimize.OptimizeResult(
        x=theta,
        fun=value,
        success=True,
        status=0,
        nit=0,
        nfev=0,
        message="closed form: forward KL over Gaussians is minimised by matching "
        "the mean and covariance of P_data",
    )


def fit_gaussian(
    p_data: Distribution,
    divergence: str = "kl_reverse",
    start=None,
    seed=0,
    *,
    n_random_starts: int = 2,
    max_starts: int = 5,
    grid=None,
) -> GaussianFit:
    """The Gaussian q closest to ``p_data`` in ``divergence``: a picture of mode seeking.

    .. math::

        \\text{kl\\_forward}: \\min_q KL(P_{data}\\|q)
        \\Rightarrow q = N(E_{data}[x], Cov_{data}[x])

        \\text{kl\\_reverse}: \\min_q E_q[\\log q - \\log p_{data}]
        \\qquad \\text{js}: \\min_q JS(P_{data}\\|q)

    Forward KL is solved in closed form (moment matching). Reverse KL and JS
    run L-BFGS-B from the moment-matched Gaussian, from every mixture
    component and from ``n_random_starts`` random Gaussians drawn with
    ``seed`` (the ``max_starts`` with the lowest starting value), and keep
    the best; pass ``start`` (a :class:`~ganviz.Gaussian` or ``(mean, std)``)
    to run from that one start only.

    Parameters
    ----------
    p_data : Distribution
        The target, 1-D or 2-D. Reverse KL needs a density that is positive
        everywhere (a uniform P_data makes KL(q‖P_data) infinite for every
        Gaussian q).
    divergence : {"kl_forward", "kl_reverse", "js"}
    grid : optional
        The fixed lattice the optimisation integrates on (an ``int`` n: a
        regular grid with n points per axis over the default box; or a
        :class:`~ganviz.Grid`). The default spaces points at two thirds of
        P_data's finest scale. ``value`` is always recomputed with the core's
        adaptive quadrature.

    Returns
    -------
    GaussianFit
        ``(gaussian, divergence, value, result, starts)``.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.fitting import fit_gaussian
    >>> data = gv.line_of_gaussians(3, spacing=4.0, std=0.5)
    >>> fit_gaussian(data, "kl_forward").gaussian      # covers: N(0, 3.30²)
    >>> fit_gaussian(data, "kl_reverse").gaussian      # seeks: N(±4 or 0, ≈0.5²)
    """
    if not isinstance(p_data, Distribution):
        raise ValueError(f"p_data must be a ganviz distribution, got {type(p_data).__name__}")
    divergence = check.choice(divergence, DIVERGENCES, "divergence")
    n_random_starts = check.sample_count(n_random_starts, "n_random_starts")
    if isinstance(max_starts, bool) or not isinstance(max_starts, (int, np.integer)):
        raise ValueError(f"max_starts must be an integer ≥ 1, got {max_starts!r}")
    if max_starts < 1:
        raise ValueError(f"max_starts must be an integer ≥ 1, got {max_starts!r}")
    dim = p_data.dim
    if divergence == "kl_forward":
        mean, cov = _moments(p_data)
        theta = _theta_of(mean, cov, dim)
        best = _gaussian_of(theta, dim)
        value = _kl(p_data, best, *pair_on_grid(p_data, best))
        return GaussianFit(best, divergence, value, _closed_form_result(theta, value), 0)
    if divergence == "kl_reverse" and not p_data.full_support:
        raise ValueError(
            "divergence='kl_reverse' needs a p_data whose density is positive everywhere: "
            "KL(q‖P_data) is infinite for every Gaussian q when P_data has bounded support "
            "(use 'js' or 'kl_forward')"
        )
    lattice = _lattice(p_data, grid)
    objective = _Objective(p_data, divergence, lattice)
    lows, highs = np.array(lattice.bounds).T
    if start is None:
        candidates = [
            np.clip(theta, lows, highs)
            for theta in _candidate_starts(p_data, seed, n_random_starts)
        ]
        if len(candidates) > max_starts:
            # keep moment matching (the covering basin) and the best of the others
            values = np.array([objective(theta)[0] for theta in candidates[1:]])
            best_others = np.argsort(values, kind="stable")[: max_starts - 1]
            candidates = [candidates[0]] + [candidates[1 + i] for i in best_others]
    else:
        candidates = [np.clip(_start_theta(start, dim), lows, highs)]
    best_result = None
    for theta0 in candidates:
        result = optimize.minimize(
            objective,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=lattice.bounds,
            options={"maxiter": 200, "ftol": 1e-10, "gtol": 1e-6},
        )
        if best_result is None or result.fun < best_result.fun:
            best_result = result
    best = _gaussian_of(best_result.x, dim)
    g, lp, lq = pair_on_grid(p_data, best)  # the core's adaptive quadrature for the value
    value = _kl(best, p_data, g, lq, lp) if divergence == "kl_reverse" else _js(g, lp, lq)
    return GaussianFit(best, divergence, value, best_result, len(candidates))


# -- a grid for the mode-collapse explorer ---------------------------------------------


def trapezoid_grid(*dists: Distribution, per_scale: float = 1.5, max_per_axis: int = 400) -> Grid:
    """A regular trapezoid grid over the dists' extents, ``per_scale`` points per finest scale.

    For smooth densities that vanish at the box's edges (Gaussian mixtures)
    the trapezoid rule converges geometrically: with spacing h = σ/1.5 the
    error on ∫N(x; μ, σ²)·(polynomial) is about e^{-2π²σ²/h²} ≈ 1e-19. In 2-D
    it needs a few thousand points where the adaptive Gauss–Legendre grid
    of the core uses tens of thousands, which is what lets the mode-collapse
    explorer recompute JS and both KLs on every slider move.
    """
    dim = dists[0].dim
    per_scale = check.positive_float(per_scale, "per_scale")
    finest = min(r.scale for d in dists for axis in range(dim) for r in d.regions(axis))
    boxes = np.stack([d.extent() for d in dists])
    box = np.column_stack([boxes[:, :, 0].min(axis=0), boxes[:, :, 1].max(axis=0)])
    n = math.ceil(float(np.max(np.diff(box, axis=1))) * per_scale / finest) + 1
    return regular_grid(box, int(min(max(n, 16), max_per_axis)))
