"""Quadrature grids chosen from the distributions' own length scales.

Every integral in the theory functions is a weighted sum

.. math:: \\int f(x)\\,dx \\approx \\sum_i w_i f(x_i).

The automatic rule is *composite Gauss–Legendre* along each axis:

* where a density lives (a Gaussian's ±10σ, a uniform's interval, a KDE's
  points ± 10h) the axis is cut into panels no wider than the narrowest
  length scale living there, with panel edges exactly on every uniform's
  boundary, so a jump never sits inside a panel;
* in a *gap* between such regions, where every density is below e^-50 of
  its peak, panels grow geometrically (×2) from the scale at each end, so
  two unit Gaussians 10⁶σ apart cost 78 panels and 10¹²σ apart 118, not 10¹²;
* panel edges closer than a few float64 spacings are merged (never a fixed
  fraction of the span, which used to erase a 10⁻⁶-wide density next to a
  10⁶-wide one).

Smooth densities are then integrated to ~1e-10. In 2-D the rule is a
tensor product of two such axis rules in a *frame* chosen from the
components: the principal axes of the most elongated Gaussian (so a
correlated Gaussian with ρ = 0.999 is resolved across its narrow axis), or
else the direction joining the two distributions' means (so the line where
D* switches is straight across one axis). Along a frame axis each
component contributes its marginal extent and its *conditional* width
(1/√(eᵀΣ⁻¹e)), which resolves components not aligned with the frame.
Uniform boxes keep the coordinate axes as frame. The node budget is 600²
nodes in the plane (one axis up to 2400 when the other needs fewer); over
budget the extra edges (where D* switches) go first, then each axis is held
to 600 nodes by widening its panels.

One frame cannot follow two elongated Gaussians in *different* orientations
(ρ = 0.999 against a ridge along x): the oblique ridge would need more nodes
than the budget and the accuracy dropped to ~1e-3. For such a pair
(:func:`own_frames`) the theory functions split every integrand with the
partition of unity D* + (1 − D*) = 1,

.. math:: \\int f = \\int f\\,\\frac{p}{p+q} + \\int f\\,\\frac{q}{p+q},

and integrate each part on its own grid: the first in p's frame over p's
extent only (``auto_grid(p, q, within=0)``), the second in q's frame over
q's (:meth:`Grid.union` joins them). Each part lives where its density has
mass, its own ridge lies along a frame axis, and the other density is
resolved by its conditional widths there; the split is exact in the limit.
Total variation's |p − q| has a kink where D* switches; for two Gaussians
its panels are also cut there (:func:`ganviz.pair_grids.cut_at_kinks`).

Inputs the float64 grid cannot resolve raise :class:`ValueError` naming the
distribution: a length scale below 2¹⁰ float spacings of the coordinates
where the density lives (so nodes sit within 2⁻¹¹ of a scale of where they
should; e.g. ``Gaussian(1e12, 1)`` next to ``Gaussian(0, 1)`` is fine,
``Gaussian(1e20, 1)`` is not), a scale below 1e-150, or an extent that
overflows.

A user may pass ``grid=`` to any theory function instead:

* an ``int`` n: a regular n-point (n × n in 2-D) trapezoid grid over the
  distributions' extent;
* a 1-D array of increasing points (1-D) or a pair ``(xs, ys)`` (2-D):
  trapezoid weights on those points;
* a :class:`Grid`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from . import _validation as check
from .distributions import Distribution, Region

__all__ = ["Grid", "auto_grid", "make_grid", "own_frames", "regular_grid", "view_axes"]

#: Gauss–Legendre nodes per panel and the largest number of nodes per axis.
_NODES_PER_PANEL = {1: 8, 2: 4}
_MAX_NODES_PER_AXIS = {1: 200_000, 2: 600}
#: In 2-D one axis may take up to this many times its share when the other needs less.
_WIDEST_AXIS_FACTOR = 4
#: Bisections of the last doubling when an axis over budget widens its panels (the
#: panels end within a factor 2^(1/2⁵) ≈ 1.02 of the narrowest width that fits).
_WIDENING_BISECTIONS = 5
#: Growth factor of panel widths across a gap between regions.
_GAP_GROWTH = 2.0
#: A length scale must span at least this many float64 spacings of its coordinates.
_MIN_ULPS_PER_SCALE = 2.0**10
#: Panel edges closer than this many float64 spacings are merged.
_MERGE_ULPS = 16.0
#: Elongation (ratio of principal standard deviations) above which the 2-D frame
#: follows a Gaussian's principal axes.
_ELONGATED = 1.25


@dataclass(frozen=True)
class Grid:
    """Quadrature nodes ``points`` and weights ``weights`` (∫ f ≈ Σ wᵢ f(xᵢ)).

    ``axes`` holds the per-axis nodes of a tensor grid; ``points`` is flat:
    ``(n,)`` in 1-D, ``(nx·ny, 2)`` in 2-D with x varying fastest, so that
    ``values.reshape(len(ys), len(xs))`` gives an image with rows along y.
    ``frame`` (2-D automatic grids only) is the 2×2 rotation whose columns
    are the directions of ``axes``: ``points = (a0, a1) @ frame.T``; ``None``
    means the coordinate axes. ``edges`` (automatic grids) holds the panel
    edges of each axis. ``parts`` is set on a :meth:`union` of grids; a union,
    like any grid of scattered nodes, has empty ``axes``.
    """

    points: np.ndarray
    weights: np.ndarray
    axes: tuple[np.ndarray, ...]
    frame: np.ndarray | None = None
    parts: tuple[Grid, ...] = ()
    edges: tuple[np.ndarray, ...] | None = None

    @classmethod
    def union(cls, parts: tuple[Grid, ...], weights: tuple[np.ndarray, ...]) -> Grid:
        """The nodes of all ``parts`` in order, with the given weights per part.

        With weights wᵢ·φ(xᵢ) on one part and wᵢ·(1 − φ(xᵢ)) on the other, for a
        partition of unity φ, this integrates ∫ f = ∫ fφ + ∫ f(1 − φ), each part
        on the grid that resolves it (module doc).
        """
        return cls(
            np.concatenate([g.points for g in parts]), np.concatenate(weights), (), None, parts
        )

    @property
    def dim(self) -> int:
        return 1 if self.points.ndim == 1 else self.points.shape[1]

    @property
    def shape(self) -> tuple[int, ...]:
        """Image shape: ``(nx,)`` in 1-D, ``(ny, nx)`` in 2-D (not defined for a union)."""
        if not self.axes:
            raise ValueError("a grid of scattered nodes (a union) has no image shape")
        return tuple(len(a) for a in reversed(self.axes))

    def integrate(self, values: np.ndarray) -> float:
        """Σ wᵢ f(xᵢ) for ``values`` = f at :attr:`points`."""
        # einsum, not ``@``: a BLAS dot may spin up threads, which on a loaded
        # 2-core machine costs milliseconds for a sum of a few thousand terms.
        return float(np.einsum("i,i->", self.weights, np.asarray(values, dtype=float).reshape(-1)))

    def __len__(self) -> int:
        return len(self.weights)


def _tensor(
    axes: tuple[np.ndarray, ...], axis_weights: tuple[np.ndarray, ...], frame=None, edges=None
) -> Grid:
    if len(axes) == 1:
        return Grid(axes[0], axis_weights[0], axes, edges=edges)
    xs, ys = axes
    check.grid_size(len(xs) * len(ys))
    if frame is None:
        gx, gy = np.meshgrid(xs, ys)  # rows follow y
        points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    else:
        # x = a·F[:, 0] + b·F[:, 1] by broadcasting, not ``@``: a BLAS product may spin up
        # threads (up to 0.1 s on a loaded machine) for a 2-column product
        points = np.empty((len(xs) * len(ys), 2))
        for k in range(2):
            points[:, k] = (xs[None, :] * frame[k, 0] + ys[:, None] * frame[k, 1]).ravel()
    weights = np.outer(axis_weights[1], axis_weights[0]).ravel()
    return Grid(points, weights, axes, frame, edges=edges)


@lru_cache(maxsize=8)
def _legendre(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(m)


# -- regions along an axis ------------------------------------------------------


def _frame_regions(dist: Distribution, axis: int, frame) -> list[Region]:
    """Regions of ``dist`` along frame axis ``axis`` (column ``axis`` of ``frame``)."""
    if frame is None:
        return dist.regions(axis)
    return dist.regions_along(frame[:, axis])


def _choose_frame(dists: tuple[Distribution, ...]) -> np.ndarray | None:
    """Rotation for a 2-D tensor grid, or ``None`` for the coordinate axes (see module doc)."""
    try:
        pieces = [p for d in dists for p in d.pieces()]
    except LookupError:
        return None  # an unknown density: keep the axes its regions are known on
    if any(p.base != "normal" for p in pieces):
        return None  # uniform boxes: their edges must stay panel edges
    best = _most_elongated(pieces)
    if best is not None:
        frame = best
    elif len(dists) == 2:
        delta = np.asarray(dists[0].mean, float) - np.asarray(dists[1].mean, float)
        finest = min(r.scale for d in dists for a in range(2) for r in d.regions(a))
        norm = float(np.hypot(*delta))
        if not norm > finest:
            return None
        e0 = delta / norm
        frame = np.array([[e0[0], -e0[1]], [e0[1], e0[0]]])
    else:
        return None
    if np.allclose(np.abs(frame), np.eye(2), atol=1e-12):
        return None  # already the coordinate axes: keep them exact
    return frame


def _most_elongated(pieces) -> np.ndarray | None:
    """Principal axes (eigenvectors) of the most elongated Gaussian piece, if any is."""
    best, elongation = None, _ELONGATED
    for piece in pieces:
        if not piece.kernel:  # a Gaussian's own axes (a KDE's kernels are round)
            var, vec = np.linalg.eigh(piece.scale @ piece.scale.T)
            ratio = math.sqrt(var[1] / var[0])
            if ratio > elongation:
                best, elongation = vec, ratio
    return best


def own_frames(p: Distribution, q: Distribution) -> tuple[np.ndarray, np.ndarray] | None:
    """Each side's own 2-D frame when one frame cannot serve both (module doc), else ``None``.

    That is when both are made of normal pieces, each has an elongated Gaussian
    piece, their long axes differ, and one frame would need more nodes than the
    budget (each ridge's fine width along the other's whole length). A pair one
    frame resolves keeps its single grid.
    """
    frames = []
    for dist in (p, q):
        try:
            pieces = dist.pieces()
        except LookupError:
            return None
        if dist.dim != 2 or any(piece.base != "normal" for piece in pieces):
            return None
        axes = _most_elongated(pieces)
        if axes is None:
            return None
        frames.append(axes)
    if 1.0 - abs(float(frames[0][:, 1] @ frames[1][:, 1])) <= 1e-12:
        return None  # parallel ridges: one frame follows both
    shared = _choose_frame((p, q))
    share = _MAX_NODES_PER_AXIS[2] // _NODES_PER_PANEL[2]
    edges = [
        _panel_edges([r for d in (p, q) for r in _frame_regions(d, axis, shared)], 1.0)
        for axis in range(2)
    ]
    if (len(edges[0]) - 1) * (len(edges[1]) - 1) <= share * share and all(
        len(e) - 1 <= _WIDEST_AXIS_FACTOR * share for e in edges
    ):
        return None
    return frames[0], frames[1]


def _within(regions: list[Region], bounds: list[Region]) -> list[Region]:
    """``regions`` clipped to the span of ``bounds`` (those outside it dropped)."""
    low, high = min(r.low for r in bounds), max(r.high for r in bounds)
    return [
        replace(r, low=max(r.low, low), high=min(r.high, high))
        for r in regions
        if r.high > low and r.low < high
    ]


def _check_resolvable(regions: list[Region], name: str) -> None:
    for r in regions:
        if not (math.isfinite(r.low) and math.isfinite(r.high) and math.isfinite(r.scale)):
            raise ValueError(
                f"{name} extends beyond the float64 range (region [{r.low:g}, {r.high:g}]); "
                "use smaller means or scales"
            )
        where = max(abs(r.low), abs(r.high))
        if not r.scale >= _MIN_ULPS_PER_SCALE * np.spacing(where) or r.scale < 1e-150:
            raise ValueError(
                f"{name} has a length scale {r.scale:g} too small to resolve in float64 at "
                f"coordinates ~{where:g} (spacing {np.spacing(where):.3g}); a scale must be "
                f"≥ {_MIN_ULPS_PER_SCALE:.0f} spacings and ≥ 1e-150: use a larger std/bandwidth "
                "or coordinates nearer 0"
            )


def _nearest_scale(points: np.ndarray, bounds: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Scale of the region boundary nearest to each point (``bounds`` sorted)."""
    idx = np.searchsorted(bounds, points)
    lo = np.clip(idx - 1, 0, len(bounds) - 1)
    hi = np.clip(idx, 0, len(bounds) - 1)
    take_hi = np.abs(bounds[hi] - points) < np.abs(points - bounds[lo])
    return np.where(take_hi, scales[hi], scales[lo])


def _gap_edges(a: float, b: float, h_a: float, h_b: float) -> np.ndarray:
    """Interior edges of [a, b]: widths h, 2h, 4h, … growing from both ends to the middle."""
    mid = 0.5 * (a + b)
    half = 0.5 * (b - a)
    if half <= min(h_a, h_b):
        return np.zeros(0)
    k_a = math.ceil(math.log(half / h_a + 1.0, _GAP_GROWTH)) if h_a < half else 0
    k_b = math.ceil(math.log(half / h_b + 1.0, _GAP_GROWTH)) if h_b < half else 0
    left = a + h_a * (_GAP_GROWTH ** np.arange(1, k_a + 1) - 1.0)
    right = b - h_b * (_GAP_GROWTH ** np.arange(1, k_b + 1) - 1.0)
    return np.concatenate([left[left < mid], [mid], right[right > mid]])


def _panel_edges(regions: list[Region], refine: float, extra_edges=(), max_panels=None):
    """Sorted panel edges, each panel no wider than the finest scale living there.

    Inside regions the panels are uniform at the finest covering scale
    (``scale·refine``); gaps covered by no region get geometric panels.
    Region ends and ``extra_edges`` are always edges. Returns ``None`` when
    more than ``max_panels`` panels would be needed (nothing is allocated).
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
    covered = np.isfinite(width)
    counts = np.ones(len(left))
    counts[covered] = np.maximum(1.0, np.ceil((right - left)[covered] / width[covered] - 1e-9))
    if max_panels is not None and counts.sum() > max_panels:
        return None
    counts = counts.astype(int)
    # covered interval i: left_i + (right_i − left_i)·k/counts_i for k = 0 … counts_i − 1
    which = np.repeat(np.arange(len(counts)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    parts = [left[which] + (right - left)[which] * k / counts[which], stops[-1:]]
    gaps = np.nonzero(~covered)[0]
    if len(gaps):
        bounds = np.concatenate([lows, highs])
        order = np.argsort(bounds)
        bounds, bscales = bounds[order], np.concatenate([scales, scales])[order]
        h_left = _nearest_scale(left[gaps], bounds, bscales)
        h_right = _nearest_scale(right[gaps], bounds, bscales)
        parts += [
            _gap_edges(left[i], right[i], ha, hb)
            for i, ha, hb in zip(gaps, h_left, h_right, strict=True)
        ]
    edges = np.sort(np.concatenate(parts))
    if max_panels is not None and len(edges) - 1 > max_panels:
        return None
    # Merge edges within a few float spacings of their neighbour (shared bounds, round-off).
    gap = np.diff(edges)
    tiny = _MERGE_ULPS * np.spacing(np.maximum(np.abs(edges[:-1]), np.abs(edges[1:])))
    keep = np.concatenate([[True], gap > tiny])
    if len(keep) > 2 and not keep[-1]:
        keep[-1], keep[-2] = True, False  # the last stop wins over a round-off twin before it
    return edges[keep]


def _axis_edges(regions: list[Region], dim: int, extra_edges=()) -> np.ndarray:
    max_panels = _MAX_NODES_PER_AXIS[dim] // _NODES_PER_PANEL[dim]
    # Over budget: first drop the extra edges (the densities' own panels matter more),
    # then widen the panels (accuracy degrades gracefully).
    edges = _panel_edges(regions, 1.0, extra_edges, max_panels)
    if edges is not None:
        return edges
    # Widen by doublings until the axis fits, then bisect the last doubling (in log
    # scale) so that the axis uses its budget: a blanket ×2 left ring8 vs grid25 at
    # 464 of its 600 nodes and JS off by 7e-6 (4e-7 at the width that fits).
    fits, refine = None, 1.0
    while fits is None:
        refine *= 2.0
        fits = _panel_edges(regions, refine, (), max_panels)
    low, high = refine / 2.0, refine
    for _ in range(_WIDENING_BISECTIONS):
        mid = math.sqrt(low * high)
        edges = _panel_edges(regions, mid, (), max_panels)
        if edges is None:
            low = mid
        else:
            high, fits = mid, edges
    return fits


def _plane_edges(per_axis, extras) -> list[np.ndarray]:
    """Panel edges of both 2-D axes under a budget on the *product* of their nodes.

    An axis may exceed its share (600 nodes) when the other needs fewer, as long
    as the plane holds at most 600² nodes; only beyond that are extra edges
    dropped and then panels widened, axis by axis.
    """
    m = _NODES_PER_PANEL[2]
    share = _MAX_NODES_PER_AXIS[2] // m
    for extra in (extras, ((), ())):
        edges = [
            _panel_edges(regs, 1.0, e, _WIDEST_AXIS_FACTOR * share)
            for regs, e in zip(per_axis, extra, strict=True)
        ]
        if all(e is not None for e in edges) and (
            (len(edges[0]) - 1) * (len(edges[1]) - 1) <= share * share
        ):
            return edges
    return [_axis_edges(regs, 2, e) for regs, e in zip(per_axis, extras, strict=True)]


def _axis_pieces(lows: np.ndarray, highs: np.ndarray, dim: int = 2):
    """Gauss–Legendre nodes and weights of the panels [lowsᵢ, highsᵢ], panel by panel."""
    nodes, weights = _legendre(_NODES_PER_PANEL[dim])
    left, width = lows[:, None], (highs - lows)[:, None]
    return (left + 0.5 * width * (nodes + 1.0)).ravel(), (0.5 * width * weights).ravel()


def _axis_rule(edges: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    return _axis_pieces(edges[:-1], edges[1:], dim)


def _names(dists, names) -> tuple[str, ...]:
    if names is None:
        return tuple(f"distribution {i + 1}" for i in range(len(dists)))
    return tuple(names)


def auto_grid(
    *dists: Distribution, extra_edges=(), frame=None, names=None, within: int | None = None
) -> Grid:
    """Composite Gauss–Legendre grid resolving every density in ``dists``.

    ``extra_edges`` adds panel edges, e.g. where an integrand has a kink:
    points in 1-D, a pair ``(along axis 0, along axis 1)`` of frame
    coordinates in 2-D. ``frame`` fixes the 2-D frame (a 2×2 rotation, see
    :class:`Grid`); by default it is chosen from the components (module doc).
    ``names`` name the distributions in error messages. ``within`` (an index
    into ``dists``) limits the grid to that distribution's extent, for an
    integrand that lives where it has mass (the others are still resolved there).
    """
    dim = dists[0].dim
    names = _names(dists, names)
    if dim == 2 and frame is None:
        frame = _choose_frame(dists)
    per_axis = []
    for axis in range(dim):
        regions = []
        for d, name in zip(dists, names, strict=True):
            regs = _frame_regions(d, axis, frame) if dim == 2 else d.regions(0)
            _check_resolvable(regs, name)
            regions += regs
        if within is not None:
            own = dists[within]
            bounds = _frame_regions(own, axis, frame) if dim == 2 else own.regions(0)
            regions = _within(regions, bounds)
        per_axis.append(regions)
    if dim == 1:
        extras = (extra_edges,)
    elif len(extra_edges):
        extras = tuple(extra_edges)
    else:
        extras = ((), ())
    edges = _plane_edges(per_axis, extras) if dim == 2 else [_axis_edges(per_axis[0], 1, extras[0])]
    rules = [_axis_rule(e, dim) for e in edges]
    return _tensor(tuple(r[0] for r in rules), tuple(r[1] for r in rules), frame, tuple(edges))


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


def make_grid(dists: tuple[Distribution, ...], grid=None, names=None) -> Grid:
    """Resolve the ``grid=`` keyword of the theory functions (see module docstring)."""
    dim = dists[0].dim
    if grid is None:
        return auto_grid(*dists, names=names)
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
