"""Landscapes of the GAN divergences over a lattice of Gaussians, and Gaussian fits (1-D).

Which single Gaussian N(μ, σ²) is closest to a multimodal P_data depends on the
divergence (:mod:`ganviz.f_divergences`): forward KL covers every mode, reverse KL seeks
one. :func:`divergence_landscape` evaluates every objective of
:data:`~ganviz.f_divergences.OBJECTIVES` for a whole (μ, log σ) lattice at once:

* one grid serves every lattice Gaussian and P_data (:func:`_shared_grid`: x = c·sinh(u),
  trapezoid in u — fine where the narrow densities live, coarse in the far tails where
  only wide Gaussians have mass);
* what depends on the lattice only (log q, √q, q, ∫ q log q) is cached, so a new P_data
  costs one logarithm (JS) and one exponential (Pearson χ²) per lattice point and node;
* forward KL uses E_p[log q] in closed form, W1 the quantile form ∫|Q_data − Q_g|.

Each objective's lattice minimum is refined by a 5 × 5 zoom and a parabola. For a
precise fit, :func:`fit_divergence` runs scipy's Nelder–Mead from several starts.
These names are also served from :mod:`ganviz.f_divergences`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import optimize, special

from . import _validation as check
from .distributions import Distribution, Gaussian, Mixture
from .f_divergences import _HALF_LOG_2PI, LOG2, OBJECTIVES, _tail_std, divergence
from .grids import Grid

__all__ = [
    "DivergenceFit",
    "GaussianLattice",
    "Landscape",
    "divergence_landscape",
    "fit_divergence",
    "gaussian_lattice",
    "mixture_of_modes",
]


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ aᵢbᵢ without BLAS (a threaded dot costs milliseconds on a busy machine)."""
    return float(np.einsum("i,i->", a, b))


def _rows(*arrays: np.ndarray) -> np.ndarray:
    """Σ_j of the product of (m, n) arrays and a last (n,) weight vector, per row, without BLAS."""
    spec = ",".join(["ij"] * (len(arrays) - 1) + ["j"]) + "->i"
    return np.einsum(spec, *arrays)


# -- a lattice of Gaussians on one shared grid ---------------------------------------------


@dataclass(frozen=True)
class GaussianLattice:
    """Gaussians N(μ, σ²) on a (mean, log std) lattice: ``means`` (n_μ,), ``stds`` (n_σ,).

    Landscapes over it are images of shape ``(n_σ, n_μ)`` (rows along σ).
    """

    means: np.ndarray
    stds: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.stds), len(self.means)

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """(μ, σ) of every lattice point, flattened in image order."""
        mu, sigma = np.meshgrid(self.means, self.stds)
        return mu.ravel(), sigma.ravel()


def gaussian_lattice(
    mean_range=(-5.0, 5.0), std_range=(0.15, 5.0), n_means: int = 41, n_stds: int = 31
) -> GaussianLattice:
    """Evenly spaced means and log-evenly spaced standard deviations."""
    lo, hi = (check.finite_float(v, "mean_range") for v in mean_range)
    s_lo, s_hi = (check.positive_float(v, "std_range") for v in std_range)
    if not (lo < hi and s_lo < s_hi):
        raise ValueError(
            f"mean_range and std_range must be (low, high) with low < high, "
            f"got {mean_range} and {std_range}"
        )
    for n, label in ((n_means, "n_means"), (n_stds, "n_stds")):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 3:
            raise ValueError(f"{label} must be an integer ≥ 3, got {n!r}")
    return GaussianLattice(np.linspace(lo, hi, int(n_means)), np.geomspace(s_lo, s_hi, int(n_stds)))


#: Nodes per standard deviation of the narrowest density there, and the tail kept (in σ).
_NODES_PER_SCALE = 1.5
_LATTICE_TAIL = 6.5
#: Nodes of the quantile grid z (W1 in quantile form) and of P_data's CDF table.
_Z = np.linspace(-8.5, 8.5, 681)
_CDF_NODES = 6001


def _shared_grid(p_data: Distribution, lattice: GaussianLattice) -> Grid:
    """One grid for P_data and every lattice Gaussian: x = c·sinh(u), trapezoid in u.

    The spacing, h·√(c² + x²), is fine where the narrow densities live and grows
    linearly in the tails, where only wide lattice Gaussians have mass (a Gaussian of
    width σ centred inside the mean range reaches 6.5σ beyond it). Trapezoid in u of an
    integrand that is smooth in u converges geometrically, as on a regular grid.
    """
    m_lo, m_hi = float(lattice.means[0]), float(lattice.means[-1])
    s_lo, s_hi = float(lattice.stds[0]), float(lattice.stds[-1])
    regions = p_data.regions(0)
    x_lo = min(m_lo - _LATTICE_TAIL * s_hi, min(r.low for r in regions))
    x_hi = max(m_hi + _LATTICE_TAIL * s_hi, max(r.high for r in regions))
    ends = [v for r in regions for v in (r.low, 0.5 * (r.low + r.high), r.high)]
    probe = np.unique(np.concatenate([np.linspace(x_lo, x_hi, 4001), ends]))
    outside = np.maximum(np.maximum(m_lo - probe, probe - m_hi), 0.0)
    need = np.maximum(s_lo, outside / _LATTICE_TAIL)
    for r in regions:
        inside = (probe >= r.low) & (probe <= r.high)
        need = np.where(inside, np.minimum(need, r.scale), need)
    need = need / _NODES_PER_SCALE
    best = None
    for c in (1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 1e6):
        h = float(np.min(need / np.hypot(c, probe)))
        u_lo, u_hi = math.asinh(x_lo / c), math.asinh(x_hi / c)
        n = math.ceil((u_hi - u_lo) / h) + 1
        if best is None or n < best[0]:
            best = (n, c, u_lo, u_hi)
    n, c, u_lo, u_hi = best
    u = np.linspace(u_lo, u_hi, n)
    x = c * np.sinh(u)
    w = (u[1] - u[0]) * c * np.cosh(u)
    w[[0, -1]] *= 0.5
    return Grid(x, w, (x,))


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@lru_cache(maxsize=2)
def _lattice_terms_cached(means: bytes, stds: bytes, x: bytes, w: bytes) -> dict:
    mu, sigma = np.meshgrid(np.frombuffer(means), np.frombuffer(stds))
    mu, sigma = mu.ravel(), sigma.ravel()
    xs, ws = np.frombuffer(x), np.frombuffer(w)
    z = (xs[None, :] - mu[:, None]) / sigma[:, None]
    z *= z
    z *= -0.5
    z -= (np.log(sigma) + _HALF_LOG_2PI)[:, None]
    sqrt_q = np.exp(0.5 * z)
    q = sqrt_q * sqrt_q
    terms = {"lq": z, "sqrt_q": sqrt_q, "q": q, "q_log_q": _rows(q, z, ws)}
    return {key: _readonly(value) for key, value in terms.items()}


def _lattice_terms(lattice: GaussianLattice, x: np.ndarray, w: np.ndarray) -> dict:
    """log q, √q, q and ∫ q log q for every lattice Gaussian on the grid (x, w), cached.

    They do not depend on P_data: while a slider moves P_data inside the grid's box and
    above its finest scale the grid stays the same, and only P_data's terms are new.
    """
    return _lattice_terms_cached(
        lattice.means.tobytes(), lattice.stds.tobytes(), x.tobytes(), w.tobytes()
    )


@dataclass
class _Data:
    """P_data on the shared grid: log density, moments and quantiles Q(Φ(z))."""

    p_data: Distribution
    x: np.ndarray
    w: np.ndarray
    lp: np.ndarray
    p: np.ndarray
    p_log_p: np.ndarray
    entropy: float
    mean: float
    var: float
    quantiles: np.ndarray
    z_weights: np.ndarray = field(repr=False)


def _prepare(p_data: Distribution, lattice: GaussianLattice) -> _Data:
    if not isinstance(p_data, Distribution) or p_data.dim != 1:
        raise ValueError("p_data must be a 1-D ganviz distribution")
    g = _shared_grid(p_data, lattice)
    lp = p_data.logpdf(g.points)
    p = np.exp(lp)
    p_log_p = special.xlogy(p, p)
    entropy = -_dot(g.weights, p_log_p)
    # W1 in quantile form: ∫ |Q_data(Φ(z)) − μ − σz| φ(z) dz (trapezoid in z)
    lo, hi = p_data.extent()[0]
    xs = np.linspace(lo, hi, _CDF_NODES)
    cdf = np.maximum.accumulate(p_data.cdf(xs))
    keep = np.concatenate([[True], np.diff(cdf) > 0])
    quantiles = np.interp(special.ndtr(_Z), cdf[keep], xs[keep])
    z_weights = np.full_like(_Z, _Z[1] - _Z[0]) * np.exp(-0.5 * _Z**2 - _HALF_LOG_2PI)
    z_weights[[0, -1]] *= 0.5
    return _Data(
        p_data,
        g.points,
        g.weights,
        lp,
        p,
        p_log_p,
        entropy,
        float(p_data.mean),
        float(p_data.covariance),
        quantiles,
        z_weights,
    )


def _evaluate(
    data: _Data, mu: np.ndarray, sigma: np.ndarray, names, terms: dict | None = None
) -> dict[str, np.ndarray]:
    """Every objective in ``names`` for the Gaussians N(μᵢ, σᵢ²) at once: name → (m,).

    One exponential pass gives √q (and q = √q²); JS needs one logarithm, of p + q.
    ``terms`` holds what depends on the Gaussians and the grid only (:func:`_lattice_terms`):

    .. math:: JS = \\tfrac12\\int p\\log p + q\\log q - (p+q)\\log\\tfrac{p+q}{2},
              \\quad \\text{lsgan} = \\int \\frac{(p-q)^2}{p+q}
    """
    out: dict[str, np.ndarray] = {}
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    log_sigma = np.log(sigma)
    full = data.p_data.full_support
    w, lp, p = data.w, data.lp, data.p
    cache: dict[str, np.ndarray] = dict(terms or {})

    def lq():
        if "lq" not in cache:
            z = (data.x[None, :] - mu[:, None]) / sigma[:, None]
            z *= z
            z *= -0.5
            z -= (log_sigma + _HALF_LOG_2PI)[:, None]
            cache["lq"] = z
        return cache["lq"]

    def sqrt_q():
        if "sqrt_q" not in cache:
            cache["sqrt_q"] = np.exp(0.5 * lq())
        return cache["sqrt_q"]

    def q():
        if "q" not in cache:
            cache["q"] = sqrt_q() * sqrt_q()
        return cache["q"]

    def q_log_q():
        if "q_log_q" not in cache:
            cache["q_log_q"] = _rows(q(), lq(), w)  # −H(q) on the grid
        return cache["q_log_q"]

    def p_plus_q():
        if "s" not in cache:
            cache["s"] = q() + p[None, :]
        return cache["s"]

    def reverse():
        if "reverse" not in cache:
            if not full:
                cache["reverse"] = np.full(len(mu), np.inf)
            else:  # −H(q) − E_q[log p]
                cache["reverse"] = q_log_q() - _rows(q(), w * lp)
        return cache["reverse"]

    def js():
        if "js" not in cache:
            s = p_plus_q()
            log_s = np.zeros_like(s)
            np.log(s, out=log_s, where=s > 0)  # 0·log 0 = 0 (not s·log(s/2): s/2 may underflow)
            log_s -= LOG2
            value = _dot(w, data.p_log_p) + q_log_q() - _rows(s, log_s, w)
            cache["js"] = np.clip(0.5 * value, 0.0, LOG2)
        return cache["js"]

    for name in names:
        if name == "kl_forward":  # −H(p) − E_p[log q], E_p[log q] in closed form
            value = -data.entropy + log_sigma + _HALF_LOG_2PI
            value = value + (data.var + (data.mean - mu) ** 2) / (2.0 * sigma**2)
        elif name == "kl_reverse":
            value = reverse()
        elif name == "js":
            value = js()
        elif name == "nonsaturating":
            value = reverse() - 2.0 * js()
        elif name == "hellinger":
            value = np.clip(1.0 - _rows(sqrt_q(), w * np.sqrt(p)), 0.0, 1.0)
        elif name == "lsgan":
            s = p_plus_q()
            diff = q() - p[None, :]
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(s > 0, diff * diff / s, 0.0)
            value = np.clip(_rows(ratio, w), 0.0, 2.0)
        elif name == "pearson":
            value = np.full(len(mu), np.inf)
            s_tail = _tail_std(data.p_data)
            rows = np.ones(len(mu), dtype=bool)
            if full and s_tail is not None:
                rows = 2.0 * sigma**2 > s_tail**2
            if np.any(rows):
                has_mass = lp > -np.inf
                with np.errstate(over="ignore"):
                    log_p2 = np.where(has_mass, 2.0 * lp, -np.inf)
                    ratio = np.exp(log_p2[None, :] - lq()[rows])
                value[rows] = np.maximum(_rows(ratio, w) - 1.0, 0.0)
        elif name == "w1":
            gap = data.quantiles[None, :] - mu[:, None] - sigma[:, None] * _Z[None, :]
            value = _rows(np.abs(gap, out=gap), data.z_weights)
        else:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}; got {name!r}")
        out[name] = np.where(np.isnan(value), np.inf, value)
    return out


def _parabola_min(values: np.ndarray) -> float:
    """Offset, in steps from the middle of three values, of the parabola through them."""
    a, b, c = values
    curvature = a - 2.0 * b + c
    if not (np.isfinite(curvature) and curvature > 0):
        return 0.0
    return float(np.clip(0.5 * (a - c) / curvature, -1.0, 1.0))


#: Offsets, in lattice steps, of the 5 × 5 zoom around a lattice minimum.
_ZOOM = np.linspace(-1.0, 1.0, 5)


def _refine(data, lattice, name: str, i: int, j: int) -> tuple[Gaussian, float]:
    """A lattice minimum refined: a 5 × 5 zoom at half steps, then a parabola per axis."""
    d_mu = float(lattice.means[1] - lattice.means[0])
    log_stds = np.log(lattice.stds)
    d_log = float(log_stds[1] - log_stds[0])
    mu = np.clip(lattice.means[j] + _ZOOM * d_mu, lattice.means[0], lattice.means[-1])
    log_s = np.clip(log_stds[i] + _ZOOM * d_log, log_stds[0], log_stds[-1])
    grid_mu, grid_log_s = np.meshgrid(mu, log_s)
    zoom = _evaluate(data, grid_mu.ravel(), np.exp(grid_log_s.ravel()), (name,))[name]
    zoom = zoom.reshape(grid_mu.shape)
    a, b = np.unravel_index(int(np.argmin(zoom)), zoom.shape)
    best_mu, best_log_s = float(mu[b]), float(log_s[a])
    best = Gaussian(best_mu, math.exp(best_log_s))
    best_value = float(zoom[a, b])
    if 0 < a < 4 and 0 < b < 4:
        step_mu, step_log = float(mu[b + 1] - mu[b]), float(log_s[a + 1] - log_s[a])
        mean = best_mu + step_mu * _parabola_min(zoom[a, b - 1 : b + 2])
        log_std = best_log_s + step_log * _parabola_min(zoom[a - 1 : a + 2, b])
        value = float(_evaluate(data, [mean], [math.exp(log_std)], (name,))[name][0])
        if value <= best_value:
            best, best_value = Gaussian(mean, math.exp(log_std)), value
    return best, best_value


@dataclass(frozen=True)
class Landscape:
    """Objective values over a :class:`GaussianLattice` and each objective's minimum.

    ``values[name]`` has the lattice's image shape ``(n_σ, n_μ)``, ``inf`` where infinite.
    ``minima[name]`` is the lattice minimum refined by a 5 × 5 zoom at half lattice steps
    and a parabola along each axis (in μ and log σ); ``minimum_values[name]`` is the
    objective there, on the same grid; ``lattice_minima[name]`` the (row, column) of the
    lattice minimum.
    """

    lattice: GaussianLattice
    values: dict[str, np.ndarray]
    minima: dict[str, Gaussian]
    minimum_values: dict[str, float]
    lattice_minima: dict[str, tuple[int, int]]


def divergence_landscape(
    p_data: Distribution, objectives=OBJECTIVES, lattice: GaussianLattice | None = None
) -> Landscape:
    """Every objective between ``p_data`` and each Gaussian of ``lattice``, vectorised (1-D).

    One grid serves P_data and the whole lattice (:func:`_shared_grid`); what depends on
    the lattice alone is cached between calls. Forward KL uses E_p[log q] in closed form,
    W1 the quantile form ∫₀¹ |Q_data(u) − Q_g(u)| du (trapezoid in z = Φ⁻¹(u), ~0.3 %
    where P_data has a gap). The default lattice is :func:`gaussian_lattice`'s.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.f_divergences import divergence_landscape
    >>> data = gv.Mixture([gv.Gaussian(-2, 0.5), gv.Gaussian(2, 0.5)], [0.6, 0.4])
    >>> land = divergence_landscape(data)
    >>> land.minima["kl_reverse"]          # seeks the heavier mode, N(≈−2, ≈0.5²)
    """
    if isinstance(objectives, str):
        objectives = (objectives,)
    objectives = tuple(check.choice(o, OBJECTIVES, "objective") for o in objectives)
    lattice = gaussian_lattice() if lattice is None else lattice
    data = _prepare(p_data, lattice)
    mu, sigma = lattice.flat()
    flat = _evaluate(data, mu, sigma, objectives, _lattice_terms(lattice, data.x, data.w))
    values = {name: flat[name].reshape(lattice.shape) for name in objectives}
    minima, minimum_values, lattice_minima = {}, {}, {}
    for name, image in values.items():
        i, j = np.unravel_index(int(np.argmin(image)), image.shape)
        lattice_minima[name] = (int(i), int(j))
        minima[name], minimum_values[name] = _refine(data, lattice, name, int(i), int(j))
    return Landscape(lattice, values, minima, minimum_values, lattice_minima)


# -- fitting one Gaussian ----------------------------------------------------------------


class DivergenceFit(NamedTuple):
    """The best Gaussian for one objective: ``value`` by the adaptive core (:func:`divergence`)."""

    gaussian: Gaussian
    objective: str
    value: float
    result: optimize.OptimizeResult
    starts: int


def fit_divergence(
    p_data: Distribution,
    objective: str,
    *,
    lattice: GaussianLattice | None = None,
    starts=None,
) -> DivergenceFit:
    """The Gaussian N(μ, σ²) minimising ``objective`` between ``p_data`` and it (1-D).

    Nelder–Mead over (μ, log σ) on the landscape's shared grid, from the lattice minimum,
    from moment matching and from every mixture component (or from ``starts``, a list of
    ``(mean, std)``), keeping the best. Nothing is solved in closed form — so forward KL
    landing on moment matching, N(E_data[x], Var_data[x]), is a result, not an assumption.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.f_divergences import fit_divergence
    >>> fit_divergence(gv.Gaussian(1, 2), "hellinger").gaussian     # N(1, 2²)
    """
    objective = check.choice(objective, OBJECTIVES, "objective")
    lattice = gaussian_lattice() if lattice is None else lattice
    data = _prepare(p_data, lattice)
    if starts is None:
        land = divergence_landscape(p_data, (objective,), lattice)
        best = land.minima[objective]
        starts = [(best.mean, best.std), (data.mean, math.sqrt(data.var))]
        if isinstance(p_data, Mixture):
            starts += [
                (float(c.mean), math.sqrt(float(c.covariance)))
                for wt, c in zip(p_data.weights, p_data.components, strict=True)
                if wt > 0
            ]

    def loss(theta):
        value = _evaluate(data, [theta[0]], [math.exp(theta[1])], (objective,))[objective][0]
        return value if np.isfinite(value) else 1e300

    best_result = None
    for mean, std in starts:
        theta0 = np.array([float(mean), math.log(check.positive_float(std, "start std"))])
        result = optimize.minimize(
            loss,
            theta0,
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-12, "maxiter": 2000},
        )
        if best_result is None or result.fun < best_result.fun:
            best_result = result
    gaussian = Gaussian(float(best_result.x[0]), math.exp(float(best_result.x[1])))
    value = divergence(p_data, gaussian, objective)
    return DivergenceFit(gaussian, objective, value, best_result, len(starts))


# -- the explorer's P_data ---------------------------------------------------------------


def mixture_of_modes(
    n_modes: int = 2, separation: float = 3.5, weight: float = 0.6, width: float = 0.5
) -> Mixture:
    """P_data of the lesson: 2 or 3 Gaussians of std ``width`` on a line centred at 0.

    The outer modes are ``separation`` apart (a third sits halfway); ``weight`` is the
    left mode's weight, the others share the rest equally.

    >>> mixture_of_modes(2, 4.0, 0.5, 0.5)   # N(−2, 0.5²) and N(2, 0.5²), equal weights
    """
    if isinstance(n_modes, bool) or n_modes not in (2, 3):
        raise ValueError(f"n_modes must be 2 or 3, got {n_modes!r}")
    separation = check.finite_float(separation, "separation")
    if separation < 0:
        raise ValueError(f"separation must be ≥ 0, got {separation}")
    weight = check.finite_float(weight, "weight")
    if not 0.0 < weight < 1.0:
        raise ValueError(f"weight must be strictly between 0 and 1, got {weight}")
    width = check.positive_float(width, "width")
    centres = np.linspace(-0.5 * separation, 0.5 * separation, n_modes)
    weights = [weight] + [(1.0 - weight) / (n_modes - 1)] * (n_modes - 1)
    return Mixture([Gaussian(float(c), width) for c in centres], weights)
