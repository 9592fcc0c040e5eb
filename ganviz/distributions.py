"""Probability distributions in 1-D and 2-D: the P_data and P_g a learner shapes.

Every distribution works in log space first (:meth:`Distribution.logpdf`) so
that far-apart densities never underflow into ``0/0``; :meth:`pdf` is its
exponential. All of them know

* ``dim`` (1 or 2), ``mean`` and ``covariance``;
* ``pdf(x)``, ``logpdf(x)`` and ``grad_logpdf(x)`` (the score ∇ log p);
* ``sample(n, seed=None)``: ``(n,)`` in 1-D, ``(n, 2)`` in 2-D;
* ``cdf(x)`` in 1-D;
* ``extent()``: a box that holds all but a negligible part of the mass,
  used to choose integration and plotting grids;
* ``shift(delta)``: the same distribution translated by ``delta`` (how the
  generator gradient is defined: P_g moved by t);
* ``pieces()``: the density as weighted location-scale pieces (a Gaussian, a
  box, a KDE kernel), from which ``support()`` follows; ``jumps(axis)`` (where
  the density is discontinuous) and ``cell_logpdf(x, h)`` (its cell averages).
  Code that needs one of these asks the distribution instead of testing its
  type, so a new distribution class touches this module only.

Points ``x`` are shape ``(n,)`` (any shape, in fact) in 1-D and ``(n, 2)``
(any ``(..., 2)``) in 2-D; results have the shape of the points.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from . import _validation as check

__all__ = [
    "Distribution",
    "Empirical",
    "Gaussian",
    "Mixture",
    "Piece",
    "Uniform",
    "grid_of_gaussians",
    "line_of_gaussians",
    "ring_of_gaussians",
]

#: Half-width of a Gaussian's extent in standard deviations. exp(-10**2/2) is
#: about 2e-22, far below anything the theory functions can resolve.
GAUSSIAN_TAIL = 10.0
#: Largest standard deviation: its square (and a 2×2 determinant of such squares) fits in float64.
_LARGEST_STD = 1e75


@dataclass(frozen=True)
class Region:
    """An axis interval ``[low, high]`` where a density lives, with its length scale.

    Quadrature grids place panels no wider than ``scale`` inside the region and
    put panel edges on ``low`` and ``high`` (so a uniform's jump is a panel edge).
    ``view_low``/``view_high`` bound the part worth drawing.
    """

    low: float
    high: float
    scale: float
    view_low: float
    view_high: float


@dataclass(frozen=True)
class Piece:
    """One location-scale piece of a density: ``weight`` × the law of ``loc + scale @ z``.

    ``z`` is standard normal (``base="normal"``: N(loc, scale·scaleᵀ)) or uniform on
    the unit box [0, 1]^d (``base="uniform"``: the box [loc, loc + diag(scale)]).
    ``loc`` has shape ``(dim,)`` and ``scale`` ``(dim, dim)``. ``kernel`` marks one
    of a density estimate's kernels, one per data point, which is not a mode of its own.
    """

    weight: float
    loc: np.ndarray
    scale: np.ndarray
    base: str
    kernel: bool = False

    def weighted(self, w: float) -> Piece:
        """The same piece inside a mixture that gives its parent weight ``w``."""
        return Piece(w * self.weight, self.loc, self.scale, self.base, self.kernel)


class Distribution(ABC):
    """Base class of all ganviz distributions."""

    dim: int

    # -- densities ---------------------------------------------------------
    @abstractmethod
    def logpdf(self, x) -> np.ndarray:
        """log p(x); ``-inf`` outside the support."""

    def pdf(self, x) -> np.ndarray:
        """Density p(x) (``exp`` of :meth:`logpdf`)."""
        return np.exp(self.logpdf(x))

    @abstractmethod
    def grad_logpdf(self, x) -> np.ndarray:
        """Score ∇ₓ log p(x), shape of ``x``; 0 where the density is flat or zero."""

    def cdf(self, x) -> np.ndarray:
        """Cumulative distribution function F(x) = P(X ≤ x) (1-D only)."""
        self._check_1d("cdf")
        return self._cdf(check.points(x, 1))

    def _cdf(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - every 1-D class overrides
        raise NotImplementedError

    # -- sampling ----------------------------------------------------------
    def sample(self, n: int, seed=None) -> np.ndarray:
        """Draw ``n`` points: shape ``(n,)`` in 1-D, ``(n, 2)`` in 2-D.

        ``seed`` is anything :func:`numpy.random.default_rng` accepts. Two
        distributions that differ by a translation, sampled with the same
        seed, give the same points translated (common random numbers).
        """
        n = check.sample_count(n)
        return self._sample(n, np.random.default_rng(seed))

    @abstractmethod
    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray: ...

    # -- geometry ----------------------------------------------------------
    @property
    @abstractmethod
    def mean(self):
        """Mean: a float in 1-D, a length-2 array in 2-D."""

    @property
    @abstractmethod
    def covariance(self):
        """Variance (float) in 1-D, 2×2 covariance matrix in 2-D."""

    @abstractmethod
    def regions(self, axis: int = 0) -> list[Region]:
        """Intervals along ``axis`` where the density lives, with their length scales."""

    def extent(self) -> np.ndarray:
        """Box holding all but a negligible part of the mass: shape ``(dim, 2)``."""
        out = np.empty((self.dim, 2))
        for axis in range(self.dim):
            regs = self.regions(axis)
            out[axis] = (min(r.low for r in regs), max(r.high for r in regs))
        return out

    def view_extent(self) -> np.ndarray:
        """Box worth *looking at*: shape ``(dim, 2)``, tighter than :meth:`extent`.

        Gaussians contribute mean ± 4σ, uniforms their box, a KDE its points ± 3h.
        Plot helpers pad it a little and draw there.
        """
        out = np.empty((self.dim, 2))
        for axis in range(self.dim):
            regs = self.regions(axis)
            out[axis] = (min(r.view_low for r in regs), max(r.view_high for r in regs))
        return out

    @property
    @abstractmethod
    def full_support(self) -> bool:
        """True when the density is positive everywhere (Gaussian tails)."""

    @abstractmethod
    def shift(self, delta) -> Distribution:
        """The same distribution translated by ``delta`` (a float in 1-D, a 2-vector in 2-D)."""

    # -- structure -----------------------------------------------------------
    def pieces(self) -> list[Piece]:
        """p = Σ_k w_k · law(loc_k + S_k z): the location-scale pieces with weight > 0.

        Their weights sum to 1. Raises ``LookupError`` for a distribution that has
        no such form (a subclass that only defines its density); callers then fall
        back on :meth:`regions` or the density itself.
        """
        raise LookupError(f"{type(self).__name__} has no location-scale pieces")

    def support(self) -> np.ndarray | None:
        """1-D: the support as merged closed intervals, shape ``(k, 2)``, sorted.

        ``None`` when the density is positive on the whole line. ``LookupError``
        for a bounded density whose support is not known exactly (a subclass that
        does not override this).
        """
        self._check_1d("support")
        if self.full_support:
            return None
        raise LookupError(f"the support of {type(self).__name__} is not known")

    def regions_along(self, direction) -> list[Region]:
        """2-D: like :meth:`regions`, for the coordinate x·e along the unit vector ``e``.

        Known for smooth densities made of Gaussian pieces; ``LookupError`` otherwise
        (a box's edges must stay on the coordinate axes to be panel edges).
        """
        raise LookupError(f"{type(self).__name__} has no regions along a rotated axis")

    def jumps(self, axis: int = 0) -> list[float]:
        """Coordinates along ``axis`` where the density jumps (a box's edges); none here.

        Smooth densities keep this default; densities with edges override it.
        """
        return []

    def cell_logpdf(self, x, h: float) -> np.ndarray:
        """1-D: log of the density averaged over the cells [x − h/2, x + h/2].

        Exact for uniforms (a cell's overlap with the interval over its length),
        so a lattice sees the exact mass of a cell cut by a jump; a smooth density
        uses its point values, log p(x) (the trapezoid rule is spectrally accurate
        for it).
        """
        return self.logpdf(x)

    # -- helpers -----------------------------------------------------------
    def _check_1d(self, what: str) -> None:
        if self.dim != 1:
            raise ValueError(f"{what} is defined for 1-D distributions; this one is {self.dim}-D")

    def _check_2d(self, what: str) -> None:
        if self.dim != 2:
            raise ValueError(f"{what} is defined for 2-D distributions; this one is {self.dim}-D")

    def _points(self, x) -> np.ndarray:
        return check.points(x, self.dim)

    def _delta(self, delta) -> np.ndarray | float:
        if self.dim == 1:
            return check.finite_float(delta, "delta")
        arr = check.finite_array(delta, "delta")
        if arr.shape != (2,):
            raise ValueError(f"delta must be a length-2 vector in 2-D, got shape {arr.shape}")
        return arr


def _dim_of_mean(mean) -> tuple[int, np.ndarray]:
    arr = check.finite_array(mean, "mean")
    if arr.ndim == 0:
        return 1, arr
    if arr.shape == (1,):
        return 1, arr.reshape(())
    if arr.shape == (2,):
        return 2, arr
    raise ValueError(
        f"mean must be a number (1-D) or a length-2 vector (2-D), got shape {arr.shape}"
    )


class Gaussian(Distribution):
    """Normal distribution N(μ, σ²) in 1-D or N(μ, Σ) in 2-D.

    .. math:: p(x) = (2π)^{-d/2} |Σ|^{-1/2} \\exp(-½ (x-μ)^T Σ^{-1} (x-μ))

    Examples
    --------
    >>> Gaussian(0.0, 1.0)                      # 1-D, mean 0, std 1
    >>> Gaussian(mean=[0, 0], cov=[[1, 0.5], [0.5, 1]])
    >>> Gaussian(mean=[1, 2], std=0.3)          # 2-D isotropic
    """

    def __init__(self, mean=0.0, std=None, *, cov=None):
        self.dim, mean_arr = _dim_of_mean(mean)
        if std is not None and cov is not None:
            raise ValueError("give either std or cov, not both")
        if self.dim == 1:
            if cov is not None:
                var = check.positive_float(np.asarray(cov, dtype=float).reshape(-1)[0], "cov")
                std_value = math.sqrt(var)
            else:
                std_value = check.positive_float(1.0 if std is None else std, "std")
            if std_value > _LARGEST_STD:
                raise ValueError(
                    f"std must be ≤ {_LARGEST_STD:g} (its square must fit in float64), "
                    f"got {std_value!r}"
                )
            self._mean = float(mean_arr)
            self._std = std_value
            self._cov = np.array([[std_value**2]])
        else:
            if cov is None:
                std_arr = check.finite_array(1.0 if std is None else std, "std")
                if std_arr.ndim == 0:
                    std_arr = np.full(2, float(std_arr))
                if std_arr.shape != (2,) or np.any(std_arr <= 0):
                    raise ValueError(
                        f"std must be a number > 0 or two numbers > 0 in 2-D, got {std!r}"
                    )
                with np.errstate(over="ignore"):
                    cov_arr = np.diag(std_arr**2)
            else:
                cov_arr = check.finite_array(cov, "cov")
                if cov_arr.shape != (2, 2):
                    raise ValueError(f"cov must be a 2×2 matrix in 2-D, got shape {cov_arr.shape}")
                if not np.allclose(cov_arr, cov_arr.T, rtol=1e-10, atol=1e-12):
                    raise ValueError("cov must be symmetric (cov[0][1] == cov[1][0])")
                cov_arr = 0.5 * (cov_arr + cov_arr.T)
            with np.errstate(over="ignore"):
                det = cov_arr[0, 0] * cov_arr[1, 1] - cov_arr[0, 1] ** 2
            if not (np.all(np.isfinite(cov_arr)) and np.isfinite(det)):
                raise ValueError(
                    "cov (or std²) overflows float64: standard deviations must be "
                    f"≤ {_LARGEST_STD:g}, got cov={cov_arr.tolist()}"
                )
            if cov_arr[0, 0] <= 0 or det <= 1e-300:
                raise ValueError(
                    "cov must be positive definite (variances > 0 and "
                    f"cov[0][0]*cov[1][1] > cov[0][1]**2), got {cov_arr.tolist()}"
                )
            self._mean = mean_arr.copy()
            self._cov = cov_arr
            self._precision = np.linalg.inv(cov_arr)
            self._chol = np.linalg.cholesky(cov_arr)
            self._log_norm = -math.log(2 * math.pi) - 0.5 * math.log(det)

    # properties ---------------------------------------------------------
    @property
    def mean(self):
        return self._mean if self.dim == 1 else self._mean.copy()

    @property
    def std(self):
        """Standard deviation (1-D) or per-axis standard deviations (2-D)."""
        return self._std if self.dim == 1 else np.sqrt(np.diag(self._cov))

    @property
    def covariance(self):
        return self._std**2 if self.dim == 1 else self._cov.copy()

    cov = covariance

    @property
    def full_support(self) -> bool:
        return True

    # densities ----------------------------------------------------------
    def logpdf(self, x) -> np.ndarray:
        x = self._points(x)
        if self.dim == 1:
            z = (x - self._mean) / self._std
            return -0.5 * z * z - math.log(self._std) - 0.5 * math.log(2 * math.pi)
        d0 = x[..., 0] - self._mean[0]
        d1 = x[..., 1] - self._mean[1]
        a, b, c = self._precision[0, 0], self._precision[0, 1], self._precision[1, 1]
        return self._log_norm - 0.5 * (a * d0 * d0 + 2.0 * b * d0 * d1 + c * d1 * d1)

    def grad_logpdf(self, x) -> np.ndarray:
        x = self._points(x)
        if self.dim == 1:
            return -(x - self._mean) / self._std**2
        return -(x - self._mean) @ self._precision  # precision is symmetric

    def _cdf(self, x):
        return special.ndtr((x - self._mean) / self._std)

    def _sample(self, n, rng):
        if self.dim == 1:
            return self._mean + self._std * rng.standard_normal(n)
        return self._mean + rng.standard_normal((n, 2)) @ self._chol.T

    def regions(self, axis: int = 0) -> list[Region]:
        if self.dim == 1:
            mu, sd = self._mean, self._std
            width = sd
        else:
            # extent from the marginal std, panel scale from the conditional one
            # (1/√(Σ⁻¹)ₐₐ): a correlated Gaussian is a ridge that narrow across the axis
            mu, sd = self._mean[axis], math.sqrt(self._cov[axis, axis])
            width = 1.0 / math.sqrt(self._precision[axis, axis])
        tail = GAUSSIAN_TAIL * sd
        return [Region(mu - tail, mu + tail, width, mu - 4 * sd, mu + 4 * sd)]

    def shift(self, delta) -> Gaussian:
        d = self._delta(delta)
        if self.dim == 1:
            return Gaussian(self._mean + d, self._std)
        return Gaussian(self._mean + d, cov=self._cov)

    def regions_along(self, direction) -> list[Region]:
        """Centre e·μ, extent from the marginal std √(eᵀΣe), panels from 1/√(eᵀΣ⁻¹e) (2-D)."""
        self._check_2d("regions_along")
        e = np.asarray(direction, dtype=float)
        c = float(e @ self._mean)
        marginal = math.sqrt(float(e @ self._cov @ e))
        conditional = 1.0 / math.sqrt(float(e @ self._precision @ e))
        t = GAUSSIAN_TAIL * marginal
        return [Region(c - t, c + t, conditional, c - 4 * marginal, c + 4 * marginal)]

    def pieces(self) -> list[Piece]:
        """One normal piece: loc = mean, scale = σ (1-D) or the Cholesky factor L, LLᵀ = Σ."""
        scale = np.array([[self._std]]) if self.dim == 1 else self._chol.copy()
        return [Piece(1.0, np.atleast_1d(self.mean).astype(float), scale, "normal")]

    def __repr__(self) -> str:
        if self.dim == 1:
            return f"Gaussian(mean={self._mean:g}, std={self._std:g})"
        return f"Gaussian(mean={self._mean.tolist()}, cov={self._cov.tolist()})"


class Uniform(Distribution):
    """Uniform distribution on an interval ``[low, high]`` or a box in 2-D.

    .. math:: p(x) = 1/\\prod_i (high_i - low_i) \\text{ inside, } 0 \\text{ outside}

    Examples
    --------
    >>> Uniform(-1, 1)
    >>> Uniform(low=[0, 0], high=[1, 2])
    """

    def __init__(self, low=0.0, high=1.0):
        low_arr = check.finite_array(low, "low")
        high_arr = check.finite_array(high, "high")
        if low_arr.shape != high_arr.shape or low_arr.shape not in ((), (1,), (2,)):
            raise ValueError(
                "low and high must both be numbers (1-D) or both length-2 vectors (2-D), "
                f"got shapes {low_arr.shape} and {high_arr.shape}"
            )
        if np.any(low_arr >= high_arr):
            raise ValueError(
                f"low must be < high on every axis, got low={low_arr.tolist()}, "
                f"high={high_arr.tolist()}"
            )
        self.dim = 2 if low_arr.shape == (2,) else 1
        self._low = low_arr.reshape(-1)
        self._high = high_arr.reshape(-1)
        self._log_volume = float(np.sum(np.log(self._high - self._low)))

    @property
    def low(self):
        return float(self._low[0]) if self.dim == 1 else self._low.copy()

    @property
    def high(self):
        return float(self._high[0]) if self.dim == 1 else self._high.copy()

    @property
    def mean(self):
        m = 0.5 * (self._low + self._high)
        return float(m[0]) if self.dim == 1 else m

    @property
    def covariance(self):
        var = (self._high - self._low) ** 2 / 12.0
        return float(var[0]) if self.dim == 1 else np.diag(var)

    @property
    def full_support(self) -> bool:
        return False

    def _inside(self, x: np.ndarray) -> np.ndarray:
        if self.dim == 1:
            return (x >= self._low[0]) & (x <= self._high[0])
        return np.all((x >= self._low) & (x <= self._high), axis=-1)

    def logpdf(self, x) -> np.ndarray:
        x = self._points(x)
        return np.where(self._inside(x), -self._log_volume, -np.inf)

    def grad_logpdf(self, x) -> np.ndarray:
        return np.zeros_like(self._points(x))

    def _cdf(self, x):
        return np.clip((x - self._low[0]) / (self._high[0] - self._low[0]), 0.0, 1.0)

    def _sample(self, n, rng):
        if self.dim == 1:
            return rng.uniform(self._low[0], self._high[0], size=n)
        return rng.uniform(self._low, self._high, size=(n, 2))

    def regions(self, axis: int = 0) -> list[Region]:
        lo, hi = float(self._low[axis]), float(self._high[axis])
        return [Region(lo, hi, (hi - lo) / 4.0, lo, hi)]

    def shift(self, delta) -> Uniform:
        d = self._delta(delta)
        if self.dim == 1:
            return Uniform(self._low[0] + d, self._high[0] + d)
        return Uniform(self._low + d, self._high + d)

    def pieces(self) -> list[Piece]:
        """One uniform piece: loc = low, scale = diag(high − low)."""
        return [Piece(1.0, self._low.copy(), np.diag(self._high - self._low), "uniform")]

    def support(self) -> np.ndarray | None:
        """[[low, high]] (1-D)."""
        self._check_1d("support")
        return np.array([[self.low, self.high]])

    def jumps(self, axis: int = 0) -> list[float]:
        """The box's two edges along ``axis``: low and high."""
        return [float(self._low[axis]), float(self._high[axis])]

    def cell_logpdf(self, x, h: float) -> np.ndarray:
        """log of |[x − h/2, x + h/2] ∩ [low, high]| / (h·(high − low)) (1-D)."""
        lo, hi = self.low, self.high
        overlap = np.minimum(x + 0.5 * h, hi) - np.maximum(x - 0.5 * h, lo)
        avg = np.clip(overlap, 0.0, h) / (h * (hi - lo))
        with np.errstate(divide="ignore"):
            return np.log(avg)

    def __repr__(self) -> str:
        if self.dim == 1:
            return f"Uniform(low={self._low[0]:g}, high={self._high[0]:g})"
        return f"Uniform(low={self._low.tolist()}, high={self._high.tolist()})"


class Mixture(Distribution):
    """Finite mixture p(x) = Σ_k w_k p_k(x) of ganviz distributions.

    ``weights`` default to uniform; they must be finite, ≥ 0 and not all 0,
    and are normalised to sum to 1.

    Examples
    --------
    >>> Mixture([Gaussian(-2, 0.5), Gaussian(2, 0.5)], weights=[1, 3])
    """

    def __init__(self, components: Sequence[Distribution], weights=None):
        components = list(components)
        if not components:
            raise ValueError("components must hold at least one distribution")
        for i, comp in enumerate(components):
            if not isinstance(comp, Distribution):
                raise ValueError(
                    f"components[{i}] must be a ganviz distribution, got {type(comp).__name__}"
                )
        dims = {c.dim for c in components}
        if len(dims) != 1:
            raise ValueError(
                "components must all be 1-D or all 2-D (mixing 1-D with 2-D is not allowed)"
            )
        self.dim = dims.pop()
        if weights is None:
            w = np.full(len(components), 1.0 / len(components))
        else:
            w = check.finite_array(weights, "weights").reshape(-1)
            if w.shape != (len(components),):
                raise ValueError(
                    f"weights must have one entry per component ({len(components)}), got {w.size}"
                )
            if np.any(w < 0):
                raise ValueError(f"weights must be ≥ 0, got {w.tolist()}")
            total = w.sum()
            if total <= 0:
                raise ValueError("weights must not sum to 0 (at least one weight > 0)")
            w = w / total
        self.components = components
        self.weights = w
        with np.errstate(divide="ignore"):
            self._log_weights = np.log(w)

    def _active(self):
        return [
            (lw, c)
            for lw, c in zip(self._log_weights, self.components, strict=True)
            if lw > -np.inf
        ]

    @property
    def mean(self):
        m = sum(
            w * np.asarray(c.mean, dtype=float)
            for w, c in zip(self.weights, self.components, strict=True)
        )
        return float(m) if self.dim == 1 else m

    @property
    def covariance(self):
        mu = np.atleast_1d(self.mean)
        second = np.zeros((self.dim, self.dim))
        for w, c in zip(self.weights, self.components, strict=True):
            m = np.atleast_1d(c.mean)
            second += w * (np.atleast_2d(c.covariance) + np.outer(m, m))
        cov = second - np.outer(mu, mu)
        return float(cov[0, 0]) if self.dim == 1 else cov

    @property
    def full_support(self) -> bool:
        return any(c.full_support for _, c in self._active())

    def logpdf(self, x) -> np.ndarray:
        x = self._points(x)
        terms = [lw + c.logpdf(x) for lw, c in self._active()]
        return _logsumexp(np.stack(terms), axis=0)

    def grad_logpdf(self, x) -> np.ndarray:
        x = self._points(x)
        active = self._active()
        logs = np.stack([lw + c.logpdf(x) for lw, c in active])
        total = _logsumexp(logs, axis=0)
        with np.errstate(invalid="ignore"):
            resp = np.exp(logs - total)
        resp = np.nan_to_num(resp, nan=0.0)  # where every component is 0 the score is 0
        out = np.zeros_like(x)
        for r, (_, c) in zip(resp, active, strict=True):
            g = c.grad_logpdf(x)
            out += r[..., None] * g if self.dim == 2 else r * g
        return out

    def _cdf(self, x):
        return sum(w * c.cdf(x) for w, c in zip(self.weights, self.components, strict=True))

    def _sample(self, n, rng):
        counts = rng.multinomial(n, self.weights)
        seeds = rng.integers(0, 2**63 - 1, size=len(self.components))
        parts = [
            c.sample(int(k), seed=int(s))
            for c, k, s in zip(self.components, counts, seeds, strict=True)
        ]
        out = np.concatenate(parts, axis=0)
        return out[rng.permutation(n)]

    def regions(self, axis: int = 0) -> list[Region]:
        return [r for _, c in self._active() for r in c.regions(axis)]

    def shift(self, delta) -> Mixture:
        d = self._delta(delta)
        return Mixture([c.shift(d) for c in self.components], self.weights)

    def pieces(self) -> list[Piece]:
        """Every component's pieces, their weights multiplied by the component's weight."""
        return [
            piece.weighted(float(w))
            for w, c in zip(self.weights, self.components, strict=True)
            if w > 0
            for piece in c.pieces()
        ]

    def support(self) -> np.ndarray | None:
        """The union of the supports of the components with weight > 0, merged (1-D)."""
        self._check_1d("support")
        if self.full_support:
            return None
        boxes = np.concatenate([b for _, c in self._active() if (b := c.support()) is not None])
        boxes = boxes[np.argsort(boxes[:, 0])]
        merged = [boxes[0].copy()]
        for lo, hi in boxes[1:]:
            if lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append(np.array([lo, hi]))
        return np.array(merged)

    def regions_along(self, direction) -> list[Region]:
        """The regions of the components with weight > 0 (2-D)."""
        return [r for _, c in self._active() for r in c.regions_along(direction)]

    def jumps(self, axis: int = 0) -> list[float]:
        """The jumps of the components with weight > 0."""
        return [e for _, c in self._active() for e in c.jumps(axis)]

    def cell_logpdf(self, x, h: float) -> np.ndarray:
        """log Σ_k w_k · (cell average of p_k) (1-D): exact wherever the uniforms' edges fall."""
        if all(c.full_support for c in self.components):
            return self.logpdf(x)
        terms = [
            math.log(w) + c.cell_logpdf(x, h)
            for w, c in zip(self.weights, self.components, strict=True)
            if w > 0
        ]
        top = np.max(terms, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = top + np.log(np.sum(np.exp(np.array(terms) - top), axis=0))
        return np.where(np.isfinite(top), out, -np.inf)

    def __repr__(self) -> str:
        inner = ", ".join(repr(c) for c in self.components)
        return f"Mixture([{inner}], weights={np.round(self.weights, 4).tolist()})"


class Empirical(Distribution):
    """A learner's own points smoothed by a Gaussian kernel density estimate.

    .. math:: p(x) = \\frac1n \\sum_{i=1}^n N(x; x_i, h^2 I)

    ``bandwidth`` h defaults to Scott's rule h = σ̂·n^{-1/(d+4)}, with σ̂ the
    average per-axis standard deviation of the points (0.5 when there are
    fewer than two distinct points).

    Examples
    --------
    >>> Empirical([0.1, 0.4, 2.0, 2.2])                  # 1-D
    >>> Empirical([[0, 0], [1, 1], [2, 0]], bandwidth=0.3)
    """

    def __init__(self, points, bandwidth=None):
        pts = check.finite_array(points, "points")
        if pts.ndim == 1:
            self.dim = 1
        elif pts.ndim == 2 and pts.shape[1] == 2:
            self.dim = 2
        elif pts.ndim == 2 and pts.shape[1] == 1:
            self.dim, pts = 1, pts[:, 0]
        else:
            raise ValueError(
                f"points must have shape (n,) for 1-D or (n, 2) for 2-D, got {pts.shape}"
            )
        if len(pts) == 0:
            raise ValueError("points must hold at least one point")
        self.points = pts.copy()
        if bandwidth is None:
            spread = float(np.mean(np.std(pts.reshape(len(pts), -1), axis=0)))
            if len(pts) < 2 or spread <= 0:
                spread = 0.5 * len(pts) ** (1.0 / (self.dim + 4))
            bandwidth = spread * len(pts) ** (-1.0 / (self.dim + 4))
        self.bandwidth = check.positive_float(bandwidth, "bandwidth")
        h = self.bandwidth
        self._log_norm = -math.log(len(pts)) - self.dim * (
            math.log(h) + 0.5 * math.log(2 * math.pi)
        )

    @property
    def mean(self):
        m = self.points.mean(axis=0)
        return float(m) if self.dim == 1 else m

    @property
    def covariance(self):
        if self.dim == 1:
            return float(np.var(self.points) + self.bandwidth**2)
        centred = self.points - self.points.mean(axis=0)
        return centred.T @ centred / len(self.points) + self.bandwidth**2 * np.eye(2)

    @property
    def full_support(self) -> bool:
        return True

    def _sq_dist(self, x: np.ndarray) -> np.ndarray:
        """Squared distances, shape ``x.shape[:-1 or 0] + (n_points,)``."""
        if self.dim == 1:
            return (x[..., None] - self.points) ** 2
        d0 = x[..., 0, None] - self.points[:, 0]
        d1 = x[..., 1, None] - self.points[:, 1]
        return d0 * d0 + d1 * d1

    def _chunks(self, x: np.ndarray):
        """Split a flat set of points so each (chunk × n_points) block stays small."""
        flat = x.reshape(-1) if self.dim == 1 else x.reshape(-1, 2)
        step = max(1, 2_000_000 // len(self.points))
        return flat, [slice(i, i + step) for i in range(0, len(flat), step)]

    def logpdf(self, x) -> np.ndarray:
        x = self._points(x)
        flat, chunks = self._chunks(x)
        out = np.empty(len(flat))
        inv = -0.5 / self.bandwidth**2
        for sl in chunks:
            out[sl] = _logsumexp(inv * self._sq_dist(flat[sl]), axis=-1)
        shape = x.shape if self.dim == 1 else x.shape[:-1]
        return out.reshape(shape) + self._log_norm

    def grad_logpdf(self, x) -> np.ndarray:
        x = self._points(x)
        flat, chunks = self._chunks(x)
        out = np.empty_like(flat)
        inv = -0.5 / self.bandwidth**2
        for sl in chunks:
            logs = inv * self._sq_dist(flat[sl])
            resp = np.exp(logs - logs.max(axis=-1, keepdims=True))
            resp /= resp.sum(axis=-1, keepdims=True)
            # ∇ log p = Σ_i r_i (x_i - x) / h²
            out[sl] = (resp @ self.points - flat[sl]) / self.bandwidth**2
        return out.reshape(x.shape)

    def logpdf_on_grid(self, xs, ys) -> np.ndarray:
        """log p(x, y) of a 2-D KDE on the grid ``xs × ys``, shape (ny, nx) — fast.

        The kernel factorises, N((x, y); x_i, h²I) ∝ e^{a_i(x)} e^{b_i(y)} with
        a_i(x) = −(x − x_{i,1})²/2h², b_i(y) = −(y − x_{i,2})²/2h², so

        .. math:: \\log \\sum_i e^{a_i(x) + b_i(y)} = A(x) + B(y)
                  + \\log \\sum_i e^{a_i(x) - A(x)}\\, e^{b_i(y) - B(y)}

        with A, B the maxima over i: one (ny × n)·(n × nx) matrix product
        instead of n·nx·ny exponentials (~2 ms instead of ~60 ms for 512
        points on 64²). Where the sum underflows (every kernel negligible in
        x *or* in y) those grid points fall back to the exact :meth:`logpdf`.
        """
        if self.dim != 2:
            raise ValueError(f"logpdf_on_grid needs a 2-D KDE, this one is {self.dim}-D")
        xs = check.finite_array(xs, "xs").reshape(-1)
        ys = check.finite_array(ys, "ys").reshape(-1)
        h = self.bandwidth
        a = -0.5 * ((xs[None, :] - self.points[:, :1]) / h) ** 2  # (n, nx)
        b = -0.5 * ((ys[None, :] - self.points[:, 1:]) / h) ** 2  # (n, ny)
        a_max, b_max = a.max(axis=0), b.max(axis=0)
        total = np.exp(b - b_max).T @ np.exp(a - a_max)  # (ny, nx)
        with np.errstate(divide="ignore"):
            out = np.log(total) + b_max[:, None] + a_max[None, :] + self._log_norm
        lost = total < 1e-280  # underflow: recompute those points exactly
        if np.any(lost):
            gy, gx = np.nonzero(lost)
            out[lost] = self.logpdf(np.stack([xs[gx], ys[gy]], axis=1))
        return out

    def _cdf(self, x):
        z = (x[..., None] - self.points) / self.bandwidth
        return special.ndtr(z).mean(axis=-1)

    def _sample(self, n, rng):
        idx = rng.integers(0, len(self.points), size=n)
        noise = rng.standard_normal(n if self.dim == 1 else (n, 2))
        return self.points[idx] + self.bandwidth * noise

    def regions(self, axis: int = 0) -> list[Region]:
        coords = self.points if self.dim == 1 else self.points[:, axis]
        return self.cluster_regions(coords, self.bandwidth)

    @staticmethod
    def cluster_regions(coords: np.ndarray, h: float) -> list[Region]:
        """One region per cluster of kernel centres ``coords`` (a gap > 2·10h splits them).

        Far-apart groups of points thus leave a gap between their regions, which
        quadrature bridges with a few geometric panels instead of panels of width h.
        """
        c = np.sort(np.asarray(coords, dtype=float).reshape(-1))
        breaks = np.nonzero(np.diff(c) > 2 * GAUSSIAN_TAIL * h)[0]
        starts = np.concatenate([[0], breaks + 1])
        ends = np.concatenate([breaks, [len(c) - 1]])
        return [
            Region(
                float(c[i]) - GAUSSIAN_TAIL * h,
                float(c[j]) + GAUSSIAN_TAIL * h,
                h,
                float(c[i]) - 3 * h,
                float(c[j]) + 3 * h,
            )
            for i, j in zip(starts, ends, strict=True)
        ]

    def shift(self, delta) -> Empirical:
        return Empirical(self.points + self._delta(delta), self.bandwidth)

    def regions_along(self, direction) -> list[Region]:
        """The kernel clusters of the projected points x_i·e (2-D)."""
        self._check_2d("regions_along")
        return self.cluster_regions(self.points @ np.asarray(direction, float), self.bandwidth)

    def pieces(self) -> list[Piece]:
        """One normal kernel per point: weight 1/n, loc = x_i, scale = h·I."""
        w, scale = 1.0 / len(self.points), self.bandwidth * np.eye(self.dim)
        locs = self.points.reshape(len(self.points), self.dim).copy()  # rows: views of a copy
        return [Piece(w, loc, scale, "normal", kernel=True) for loc in locs]

    def __repr__(self) -> str:
        return f"Empirical({len(self.points)} points, dim={self.dim}, bandwidth={self.bandwidth:g})"


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    """log Σ exp(a) along ``axis``, stable, and -inf where every term is -inf.

    (scipy.special.logsumexp does the same with ~0.1 ms of dispatch per call,
    which matters when a slider refreshes a dozen mixtures.)
    """
    peak = np.max(a, axis=axis, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - peak), axis=axis, keepdims=True)) + peak
    return np.squeeze(out, axis=axis)


# -- ready-made mixtures used by the lessons and the toy datasets -----------


def ring_of_gaussians(k: int = 8, radius: float = 2.0, std: float = 0.02, weights=None) -> Mixture:
    """``k`` isotropic 2-D Gaussians evenly spaced on a circle (the "ring8" toy).

    Centres are ``radius·(cos 2πi/k, sin 2πi/k)`` for ``i = 0 … k-1``.
    """
    k = _mode_count(k)
    radius = check.positive_float(radius, "radius")
    angles = 2 * np.pi * np.arange(k) / k
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return Mixture([Gaussian(c, std=std) for c in centres], weights)


def grid_of_gaussians(
    side: int = 5, spacing: float = 2.0, std: float = 0.05, weights=None
) -> Mixture:
    """``side × side`` isotropic 2-D Gaussians on a square grid centred at 0 (the "grid25" toy)."""
    side = _mode_count(side, "side")
    spacing = check.positive_float(spacing, "spacing")
    ticks = spacing * (np.arange(side) - (side - 1) / 2)
    centres = [(x, y) for x in ticks for y in ticks]
    return Mixture([Gaussian(c, std=std) for c in centres], weights)


def line_of_gaussians(k: int = 3, spacing: float = 4.0, std: float = 0.5, weights=None) -> Mixture:
    """``k`` 1-D Gaussians evenly spaced by ``spacing`` and centred at 0."""
    k = _mode_count(k)
    spacing = check.positive_float(spacing, "spacing")
    centres = spacing * (np.arange(k) - (k - 1) / 2)
    return Mixture([Gaussian(float(c), std) for c in centres], weights)


def mixture_centres(dist: Distribution) -> np.ndarray:
    """Means of a mixture's components (or the mean of a single distribution)."""
    comps = dist.components if isinstance(dist, Mixture) else [dist]
    return np.array([c.mean for c in comps])


def _mode_count(k, name: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{name} must be an integer ≥ 1, got {k!r}")
    return int(k)
