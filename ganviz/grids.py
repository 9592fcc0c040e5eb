"""Quadrature grids chosen from the distributions' extents.

Every integral in the theory functions is a weighted sum

.. math:: \\int f(x)\\,dx \\approx \\sum_i w_i f(x_i).

The automatic rule is *composite Gauss–Legendre*: the real line (or each axis
of the plane) is cut into panels no wider than the narrowest length scale of
the densities that live there (a Gaussian's σ, a KDE's bandwidth), with panel
edges exactly on every uniform's boundary, and each panel gets a few
Gauss–Legendre nodes. Smooth densities are then integrated to ~1e-10, and a
jump in a density never sits inside a panel. In 2-D the rule is the tensor
product of the two axis rules.

A user may pass ``grid=`` to any theory function instead:

* an ``int`` n: a regular n-point (n × n in 2-D) trapezoid grid over the
  distributions' extent;
* a 1-D array of increasing points (1-D) or a pair ``(xs, ys)`` (2-D):
  trapezoid weights on those points;
* a :class:`Grid`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import _validation as check
from .distributions import Distribution, Region

__all__ = ["Grid", "auto_grid", "make_grid", "regular_grid", "view_axes"]

#: Gauss–Legendre nodes per panel and the largest number of nodes per axis.
_NODES_PER_PANEL = {1: 8, 2: 4}
_MAX_NODES_PER_AXIS = {1: 200_000, 2: 600}


@dataclass(frozen=True)
class Grid:
    """Quadrature nodes ``points`` and weights ``weights`` (∫ f ≈ Σ wᵢ f(xᵢ)).

    ``axes`` holds the per-axis nodes of a tensor grid; ``points`` is flat:
    ``(n,)`` in 1-D, ``(nx·ny, 2)`` in 2-D with x varying fastest, so that
    ``values.reshape(len(ys), len(xs))`` gives an image with rows along y.
    """

    points: np.ndarray
    weights: np.ndarray
    axes: tuple[np.ndarray, ...]

    @property
    def dim(self) -> int:
        return len(self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """Image shape: ``(nx,)`` in 1-D, ``(ny, nx)`` in 2-D."""
        return tuple(len(a) for a in reversed(self.axes))

    def integrate(self, values: np.ndarray) -> float:
        """Σ wᵢ f(xᵢ) for ``values`` = f at :attr:`points`."""
        # einsum, not ``@``: a BLAS dot may spin up threads, which on a loaded
        # 2-core machine costs milliseconds for a sum of a few thousand terms.
        return float(np.einsum("i,i->", self.weights, np.asarray(values, dtype=float).reshape(-1)))

    def __len__(self) -> int:
        return len(self.weights)


def _tensor(axes: tuple[np.ndarray, ...], axis_weights: tuple[np.ndarray, ...]) -> Grid:
    if len(axes) == 1:
        return Grid(axes[0], axis_weights[0], axes)
    xs, ys = axes
    check.grid_size(len(xs) * len(ys))
    gx, gy = np.meshgrid(xs, ys)  # rows follow y
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    weights = np.outer(axis_weights[1], axis_weights[0]).ravel()
    return Grid(points, weights, axes)


@lru_cache(maxsize=8)
def _legendre(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(m)


def _panel_edges(regions: list[Region], refine: float, extra_edges=()) -> np.ndarray:
    """Sorted panel edges, each panel no wider than the finest scale living there.

    Walks along the axis: from each edge the next one is one local scale
    away (the smallest ``scale·refine`` of the regions covering that point;
    the largest scale in gaps between regions, where far-apart densities
    meet), never stepping over a region's end. Region ends and
    ``extra_edges`` are always edges, so a uniform's jump is never inside a
    panel.
    """
    lows = np.array([r.low for r in regions])
    highs = np.array([r.high for r in regions])
    scales = np.array([r.scale for r in regions]) * refine
    extra = np.asarray(extra_edges, dtype=float).reshape(-1)
    stops = np.unique(np.concatenate([lows, highs, extra]))
    left, right = stops[:-1], stops[1:]
    mid = 0.5 * (left + right)
    covering = (lows <= mid[:, None]) & (highs >= mid[:, None])
    width = np.where(covering, scales, np.inf).min(axis=1)
    width = np.where(np.isfinite(width), width, scales.max())
    counts = np.maximum(1, np.ceil((right - left) / width - 1e-9)).astype(int)
    # interval i contributes left_i + (right_i − left_i)·k/counts_i for k = 0 … counts_i − 1
    which = np.repeat(np.arange(len(counts)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    edges = left[which] + (right - left)[which] * k / counts[which]
    edges = np.concatenate([edges, stops[-1:]])
    span = edges[-1] - edges[0]
    # Drop edges closer than round-off to their neighbour (two regions sharing a bound).
    keep = np.concatenate([[True], np.diff(edges) > 1e-12 * span])
    return edges[keep]


def _axis_rule(regions: list[Region], dim: int, extra_edges=()) -> tuple[np.ndarray, np.ndarray]:
    m = _NODES_PER_PANEL[dim]
    nodes, weights = _legendre(m)
    refine = 1.0
    while True:
        edges = _panel_edges(regions, refine, extra_edges)
        if (len(edges) - 1) * m <= _MAX_NODES_PER_AXIS[dim]:
            break
        refine *= 2.0  # too many panels: widen them (accuracy degrades gracefully)
    left, width = edges[:-1, None], np.diff(edges)[:, None]
    x = (left + 0.5 * width * (nodes + 1.0)).ravel()
    w = (0.5 * width * weights).ravel()
    return x, w


def auto_grid(*dists: Distribution, extra_edges=()) -> Grid:
    """Composite Gauss–Legendre grid resolving every density in ``dists``.

    ``extra_edges`` (1-D only) adds panel edges, e.g. where an integrand has a kink.
    """
    dim = dists[0].dim
    rules = [
        _axis_rule(
            [r for d in dists for r in d.regions(axis)], dim, extra_edges if dim == 1 else ()
        )
        for axis in range(dim)
    ]
    return _tensor(tuple(r[0] for r in rules), tuple(r[1] for r in rules))


def _trapezoid_weights(x: np.ndarray, name: str) -> np.ndarray:
    if x.ndim != 1 or len(x) < 2:
        raise ValueError(f"{name} must be a 1-D array of at least 2 points")
    dx = np.diff(x)
    if np.any(dx <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    w = np.zeros_like(x)
    w[:-1] += 0.5 * dx
    w[1:] += 0.5 * dx
    return w


def _union_extent(dists: tuple[Distribution, ...]) -> np.ndarray:
    boxes = np.stack([d.extent() for d in dists])
    return np.stack([boxes[:, :, 0].min(axis=0), boxes[:, :, 1].max(axis=0)], axis=1)


def regular_grid(extent, n: int) -> Grid:
    """Regular trapezoid grid with ``n`` points per axis over ``extent`` (shape ``(dim, 2)``)."""
    extent = check.finite_array(extent, "extent").reshape(-1, 2)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"grid must be an integer ≥ 2 points per axis, got {n!r}")
    check.grid_size(int(n) ** len(extent))
    axes = tuple(np.linspace(lo, hi, int(n)) for lo, hi in extent)
    return _tensor(axes, tuple(_trapezoid_weights(a, "grid") for a in axes))


def make_grid(dists: tuple[Distribution, ...], grid=None) -> Grid:
    """Resolve the ``grid=`` keyword of the theory functions (see module docstring)."""
    dim = dists[0].dim
    if grid is None:
        return auto_grid(*dists)
    if isinstance(grid, Grid):
        if grid.dim != dim:
            raise ValueError(f"grid is {grid.dim}-D but the distributions are {dim}-D")
        return grid
    if isinstance(grid, (int, np.integer)) and not isinstance(grid, bool):
        return regular_grid(_union_extent(dists), int(grid))
    if dim == 1:
        xs = check.finite_array(grid, "grid")
        check.grid_size(xs.size)
        return _tensor((xs,), (_trapezoid_weights(xs, "grid"),))
    if not (isinstance(grid, (tuple, list)) and len(grid) == 2):
        raise ValueError("grid must be an int, a Grid, or a pair (xs, ys) of 1-D arrays in 2-D")
    axes = tuple(check.finite_array(a, "grid") for a in grid)
    check.grid_size(axes[0].size * axes[1].size)
    return _tensor(axes, tuple(_trapezoid_weights(a, "grid") for a in axes))


def view_axes(*dists: Distribution, n: int = 400, pad: float = 0.08) -> tuple[np.ndarray, ...]:
    """Evenly spaced plotting axes over the union of the distributions' view extents.

    Returns ``(xs,)`` in 1-D and ``(xs, ys)`` in 2-D, each padded by ``pad``
    of its span on both sides.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer ≥ 2, got {n!r}")
    boxes = np.stack([d.view_extent() for d in dists])
    lo, hi = boxes[:, :, 0].min(axis=0), boxes[:, :, 1].max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    lo, hi = lo - pad * span, hi + pad * span
    check.grid_size(int(n) ** len(lo), "n")
    return tuple(np.linspace(a, b, int(n)) for a, b in zip(lo, hi, strict=True))
