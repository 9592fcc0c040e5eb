"""The quadrature grid of a pair (p, q): refined where D* switches, split by frames.

Every theory function integrates on :func:`pair_on_grid`'s grid with both log
densities on it (and, for the generator gradient, both scores, from the same pass
over the nodes). An automatic grid (:func:`ganviz.grids.auto_grid`) is refined
where D* = σ(s), s = log p − log q, switches (panel edges at the crossings of
s = 0; narrow panels around a sharp switch). Two elongated Gaussians in
different orientations get a union of grids in each one's own frame
(:func:`_split_pair_grid`, see :mod:`ganviz.grids`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import special

from . import _validation as check
from .distributions import Distribution
from .grid_density import log_density, log_density_and_score
from .grids import Grid, _axis_pieces, _axis_rule, _tensor, auto_grid, make_grid, own_frames
from .grids import _frame_regions as _grid_regions


def _densities(p: Distribution, q: Distribution, g: Grid, scores: bool = False) -> tuple:
    """(log p, log q) at ``g.points``; with ``scores`` (log p, log q, ∇log p, ∇log q).

    The scores come from the same pass over the grid as the log densities: on a
    ring's grid most of the cost is the exact fallback of
    :mod:`~ganviz.grid_density`, which a second pass for the scores would repeat.
    """
    if not scores:
        return log_density(p, g), log_density(q, g)
    (lp, sp), (lq, sq) = log_density_and_score(p, g), log_density_and_score(q, g)
    return lp, lq, sp, sq


def _on_grid(p: Distribution, q: Distribution, grid, names=("p", "q"), scores: bool = False):
    check.same_dim(p, q, names)
    g = make_grid((p, q), grid, names)
    return (g, *_densities(p, q, g, scores))


def _logit_of_logs(lp: np.ndarray, lq: np.ndarray) -> np.ndarray:
    """s = lp − lq, with 0 (D* = ½) where both log densities are −inf."""
    with np.errstate(invalid="ignore"):
        s = lp - lq
    return np.where(np.isnan(s), 0.0, s)


def _roots(f, df, lo: np.ndarray, hi: np.ndarray, tol: float = 1e-13) -> np.ndarray:
    """Vectorised safeguarded Newton for roots of ``f`` bracketed in [lo, hi].

    Starts from the secant point of the bracket (already close on a fine grid)
    and falls back to bisection whenever a Newton step leaves the bracket.
    Stops when every step is below ``tol`` relative to max(1, |x|).
    """
    f_lo, f_hi = f(lo), f(hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = lo - f_lo * (hi - lo) / (f_hi - f_lo)
    x = np.where(np.isfinite(x) & (x > lo) & (x < hi), x, 0.5 * (lo + hi))
    for _ in range(40):
        fx, dfx = f(x), df(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - fx / dfx
        same = np.sign(fx) == np.sign(f_lo)
        lo, hi = np.where(same, x, lo), np.where(same, hi, x)
        f_lo = np.where(same, fx, f_lo)
        # A converged Newton step lands on the bracket's end: accept it (≤, ≥),
        # and never move a point where f is exactly 0.
        inside = np.isfinite(newton) & (newton >= lo) & (newton <= hi)
        x_new = np.where(fx == 0, x, np.where(inside, newton, 0.5 * (lo + hi)))
        if np.all(np.abs(x_new - x) <= tol * np.maximum(1.0, np.abs(x))):
            return x_new
        x = x_new
    return x


def _sign_change_brackets(nodes: np.ndarray, values: np.ndarray):
    finite = np.isfinite(values)
    idx = np.nonzero(finite[:-1] & finite[1:] & (np.sign(values[:-1]) * np.sign(values[1:]) < 0))[0]
    return nodes[idx], nodes[idx + 1]


def _switch_edges(
    roots: np.ndarray, steepness: np.ndarray, finest: float, dim: int = 1
) -> np.ndarray:
    """Panel edges around the points where s = log p − log q crosses 0 along an axis.

    There D* = σ(s) switches from 1 to 0 over a width 1/|s'|, which for
    far-apart densities is much narrower than the densities themselves (the
    vanishing minimax gradient is an integral over exactly that switch), and
    |p − q| has a kink. Every real crossing becomes an edge; sharp ones get
    panels of width 2/|s'| over ±30/|s'|. Where p ≈ q, round-off "crossings"
    have slope ~0 and are ignored. Returns an empty array when there is
    nothing worth refining (or too many crossings: a wiggly KDE).
    """
    real = steepness * finest > 1e-8
    roots, steepness = roots[real], steepness[real]
    if len(roots) == 0:
        return roots
    sharp = steepness * finest > _SHARP[dim]
    width = 1.0 / steepness[sharp]
    edges = (roots[sharp, None] + width[:, None] * _SWITCH_OFFSETS[dim]).ravel()
    return np.concatenate([roots, edges])


#: A switch is refined when it is this many times narrower than the finest density scale,
#: with edges at these offsets (in units of the switch width 1/|s'|) around it. In 2-D,
#: where every edge costs a whole line of nodes, the offsets grow geometrically.
_SHARP = {1: 1.0, 2: 2.0}
_SWITCH_OFFSETS = {
    1: np.arange(-30.0, 31.0, 2.0),
    2: np.concatenate([-(2.0 ** np.arange(5, -2, -1)), 2.0 ** np.arange(-1, 6)]),
}


def _refined_pair_grid(p: Distribution, q: Distribution, g: Grid, logs: tuple):
    """Add panel edges where D* switches (1-D; see :func:`_switch_edges`).

    ``logs`` is :func:`_densities` on ``g``; returns the grid and the same on it.
    """
    lp, lq = logs[:2]
    with np.errstate(invalid="ignore"):
        s = lp - lq
    lo, hi = _sign_change_brackets(g.points, s)
    if len(lo) == 0 or len(lo) > 64:  # none, or a wiggly KDE not worth refining
        return (g, *logs)

    def log_ratio(t):
        return p.logpdf(t) - q.logpdf(t)

    def slope(t):
        return p.grad_logpdf(t) - q.grad_logpdf(t)

    roots = _roots(log_ratio, slope, lo, hi)
    finest = min(r.scale for d in (p, q) for r in d.regions(0))
    extra = _switch_edges(roots, np.abs(slope(roots)), finest)
    if len(extra) == 0:
        return (g, *logs)
    fine = auto_grid(p, q, extra_edges=extra)
    return (fine, *_densities(p, q, fine, len(logs) == 4))


def _along_lines(p, q, e: np.ndarray, f: np.ndarray, fixed: np.ndarray):
    """s(t) = log p − log q and ds/dt at x = t·e + fixedᵢ·f, one line per entry of ``fixed``."""

    def log_ratio(t):
        x = t[:, None] * e + fixed[:, None] * f
        return p.logpdf(x) - q.logpdf(x)

    def slope(t):
        x = t[:, None] * e + fixed[:, None] * f
        return (p.grad_logpdf(x) - q.grad_logpdf(x)) @ e

    return log_ratio, slope


def _refined_pair_grid_2d(p, q, g: Grid, logs: tuple, names, within=None):
    """2-D: edges along each frame axis where D* switches across that axis.

    Crossings of s along the grid lines of each frame axis are located by
    safeguarded Newton; when they line up (a switch straight across the
    axis, as between two Gaussians once the frame follows their separation)
    they become panel edges of that axis. An oblique or curved switch
    (more than 4 distinct crossings along an axis) is left to the grid.
    ``within`` is that of :func:`~ganviz.grids.auto_grid` (a grid over one side's extent).
    ``logs`` is :func:`_densities` on ``g``; returns the grid and the same on it.
    """
    lp, lq = logs[:2]
    frame = np.eye(2) if g.frame is None else g.frame
    with np.errstate(invalid="ignore"):
        s = (lp - lq).reshape(g.shape)  # rows along frame axis 1
    # finite and of either sign (NaN, where both densities are 0, is neither); boolean images
    # of both axes from one pass over s, not signs and products along each axis
    positive, negative = (s > 0) & (s < np.inf), (s < 0) & (s > -np.inf)
    extras = []
    for axis in range(2):
        nodes, other = g.axes[axis], g.axes[1 - axis]
        # each row: the signs along this axis
        pos, neg = (positive, negative) if axis == 0 else (positive.T, negative.T)
        hit = (pos[:, :-1] & neg[:, 1:]) | (neg[:, :-1] & pos[:, 1:])
        rows, cols = np.nonzero(hit)
        # Crossings in many separate runs of grid intervals (a mixture's switch around every
        # mode) cannot be a few switches straight across the axis: skip locating them.
        runs = np.unique(cols)
        if len(rows) == 0 or np.count_nonzero(np.diff(runs) > 1) + 1 > 16:
            extras.append(())
            continue
        log_ratio, slope = _along_lines(p, q, frame[:, axis], frame[:, 1 - axis], other[rows])
        roots = _roots(log_ratio, slope, nodes[cols], nodes[cols + 1])
        steep = np.abs(slope(roots))
        # one representative per cluster of crossings narrower than the switch itself
        order = np.argsort(roots)
        roots, steep = roots[order], steep[order]
        width = 1.0 / np.maximum(steep, 1e-300)
        new = np.concatenate([[True], np.diff(roots) > np.minimum(width[1:], width[:-1])])
        if new.sum() > 4:  # not a switch straight across this axis
            extras.append(())
            continue
        roots, steep = roots[new], steep[new]
        finest = min(r.scale for d in (p, q) for r in _grid_regions(d, axis, g.frame))
        extras.append(_switch_edges(roots, steep, finest, dim=2))
    if not any(len(e) for e in extras):
        return (g, *logs)
    fine = auto_grid(p, q, extra_edges=tuple(extras), frame=g.frame, names=names, within=within)
    return (fine, *_densities(p, q, fine, len(logs) == 4))


#: More crossings of s = 0 than this per grid line on average (a mixture's switch around
#: every mode) are left to the grid by :func:`_split_at_kinks`.
_KINKS_PER_LINE = 4


def _line_crossings(g: Grid, lp: np.ndarray, lq: np.ndarray):
    """(line, node) of each sign change of s along the lines of frame axis 0, or ``None``.

    ``None`` also when there are none or too many (:data:`_KINKS_PER_LINE`).
    """
    if not g.axes or g.edges is None:
        return None
    a, b = g.axes
    with np.errstate(invalid="ignore"):
        s = (lp - lq).reshape(len(b), len(a))
    finite = np.isfinite(s)
    # s ≥ 0 against s < 0, so that a crossing exactly on a node (by symmetry) is found too
    side = s >= 0
    rows, cols = np.nonzero(finite[:, :-1] & finite[:, 1:] & (side[:, :-1] != side[:, 1:]))
    if len(rows) == 0 or len(rows) > _KINKS_PER_LINE * len(b):
        return None
    return rows, cols


#: Edges along axis 1 around a tangent line b₀, at b₀ ± w·2⁻ᵏ (w its panel's width, k ≥ −1).
_HALVINGS = 2.0 ** -np.arange(-1.0, 11.0)
_TANGENT_OFFSETS = np.concatenate([-_HALVINGS, [0.0], _HALVINGS])


def _tangent_lines(p: Distribution, q: Distribution, g: Grid, lp: np.ndarray, lq: np.ndarray):
    """The lines b = b₀ of frame axis 1 that touch the curve s = 0 (frame axis 0 along them).

    Where a line of axis 0 is tangent to the curve, two crossings merge and the
    line integral I(b) = ∫|p − q| da behaves like |b − b₀|^{3/2}: Gauss–Legendre
    across b₀ converges slowly (TV off by 1e-5). b₀ is where the extremum of s
    along the line, φ(b) = s(a*(b), b) with ∂ₐs(a*, b) = 0, crosses 0; it is
    bracketed by neighbouring lines with different numbers of crossings and
    located by safeguarded Newton (φ'(b) = ∂_b s(a*, b), the envelope theorem).
    """
    crossings = _line_crossings(g, lp, lq)
    if crossings is None:
        return np.zeros(0)
    rows, cols = crossings
    a, b = g.axes
    counts = np.bincount(rows, minlength=len(b))
    change = np.nonzero(counts[:-1] != counts[1:])[0]
    if len(change) == 0 or len(change) > 8:
        return np.zeros(0)
    # the closest pair of crossings on the line that has more of them starts a*
    rich = np.where(counts[change] > counts[change + 1], change, change + 1)
    start = np.empty(len(rich))
    for i, line in enumerate(rich):
        c = cols[rows == line]
        k = int(np.argmin(np.diff(c))) if len(c) > 1 else 0
        start[i] = 0.5 * (a[c[k]] + a[c[min(k + 1, len(c) - 1)] + 1])
    frame = np.eye(2) if g.frame is None else g.frame
    e, f = frame[:, 0], frame[:, 1]
    step = 1e-6 * (a[-1] - a[0])

    last = {}  # φ and φ' are asked at the same b in turn: locate a*(b) once

    def extremum(bs):
        key = bs.tobytes()
        if key in last:
            return last[key]

        def grad(t):
            x = t[:, None] * e + bs[:, None] * f
            return p.grad_logpdf(x) - q.grad_logpdf(x)

        t = start.copy()
        for _ in range(8):  # Newton on ∂ₐs = 0, ∂²ₐs by a central difference
            curv = ((grad(t + step) - grad(t - step)) @ e) / (2 * step)
            with np.errstate(divide="ignore", invalid="ignore"):
                new = np.where(curv != 0, t - (grad(t) @ e) / curv, t)
            done = np.all(np.abs(new - t) <= 1e-9 * (a[-1] - a[0]))
            t = new
            if done:  # one step for two Gaussians (s is quadratic)
                break
        start[:] = t  # the next b starts from here: the extremum moves little
        x = t[:, None] * e + bs[:, None] * f
        last.clear()
        last[key] = (x, p.logpdf(x) - q.logpdf(x), (p.grad_logpdf(x) - q.grad_logpdf(x)) @ f)
        return last[key]

    def phi(bs):
        return extremum(bs)[1]

    def dphi(bs):
        return extremum(bs)[2]

    lo, hi = b[change], b[change + 1]
    ok = np.sign(phi(lo)) * np.sign(phi(hi)) < 0
    if not np.any(ok):
        return np.zeros(0)
    start = start[ok]
    # 1e-9: the graded edges reach 2⁻¹⁰ of a panel, and a*(b) is only that accurate
    return _roots(phi, dphi, lo[ok], hi[ok], tol=1e-9)


def _graded_bands(p, q, g: Grid, lp: np.ndarray, lq: np.ndarray, b0: np.ndarray):
    """Replace the b-panels around each tangent line b₀ by panels graded toward b₀.

    The panel holding b₀ and its two neighbours (I(b) ~ |b − b₀|^{3/2} spoils a
    panel that merely ends near b₀ too) become one band with edges at
    b₀ ± w·2⁻ᵏ (w the panel width). Returns the tensor parts (``g`` with those
    lines at weight 0, then one band per run of replaced panels) with their log
    densities; the other panels stay as they are (moving their edges would cost
    accuracy: a σ-wide 4-node panel is good to ~1e-8 only where it sits).
    """
    a, b = g.axes
    a_edges, b_edges = g.edges
    m = len(b) // (len(b_edges) - 1)
    _, a_weights = _axis_rule(a_edges, 2)
    weights = g.weights.reshape(len(b), len(a)).copy()
    held = np.clip(np.searchsorted(b_edges, b0) - 1, 0, len(b_edges) - 2)
    replaced = np.unique(np.clip(np.concatenate([held - 1, held, held + 1]), 0, len(b_edges) - 2))
    runs = np.split(replaced, np.nonzero(np.diff(replaced) > 1)[0] + 1)
    cuts = (b0[:, None] + np.diff(b_edges)[held, None] * _TANGENT_OFFSETS).ravel()
    parts = []
    for run in runs:
        low, high = b_edges[run[0]], b_edges[run[-1] + 1]
        inside = cuts[(cuts > low) & (cuts < high)]
        edges = np.unique(np.concatenate([b_edges[run[0] : run[-1] + 2], inside]))
        nodes, node_weights = _axis_pieces(edges[:-1], edges[1:])
        band = _tensor((a, nodes), (a_weights, node_weights), g.frame, (a_edges, edges))
        parts.append((band, log_density(p, band), log_density(q, band)))
        weights[run[0] * m : (run[-1] + 1) * m] = 0.0
    return [(replace(g, weights=weights.ravel()), lp, lq), *parts]


def _split_at_kinks(p: Distribution, q: Distribution, g: Grid, lp: np.ndarray, lq: np.ndarray):
    """2-D: Gauss–Legendre panels cut where s = log p − log q crosses 0 along frame axis 0.

    ½|p − q| (total variation) has a kink on the curve s = 0; a panel that the
    curve cuts obliquely integrates it only to O(h²) (TV was off by 1e-5 to 5e-4
    for crossed ridges). Along each grid line b = bⱼ the crossings tᵢ are located
    by safeguarded Newton and every panel [eₖ, eₖ₊₁] they cut is integrated piece
    by piece,

    .. math:: \\int_{e_k}^{e_{k+1}} f = \\sum_i \\int_{t_i}^{t_{i+1}} f,
              \\quad e_k = t_0 < t_1 < … < t_m = e_{k+1},

    each piece smooth and with its own Gauss–Legendre nodes. The cut panel's
    nodes keep weight 0 (the tensor stays factorisable) and the new nodes join
    as a scattered part of a :meth:`~ganviz.grids.Grid.union`.
    """
    crossings = _line_crossings(g, lp, lq)
    if crossings is None:
        return g, lp, lq
    rows, cols = crossings
    a, b = g.axes
    edges = g.edges[0]
    # weight of each line: Σₐ wₐ w_b = w_b·(span of a); 0 on lines a graded band replaces
    b_weights = g.weights.reshape(len(b), len(a)).sum(axis=1) / (edges[-1] - edges[0])
    live = b_weights[rows] > 0
    if not np.any(live):
        return g, lp, lq
    rows, cols = rows[live], cols[live]
    frame = np.eye(2) if g.frame is None else g.frame
    log_ratio, slope = _along_lines(p, q, frame[:, 0], frame[:, 1], b[rows])
    roots = _roots(log_ratio, slope, a[cols], a[cols + 1])
    panel = np.clip(np.searchsorted(edges, roots) - 1, 0, len(edges) - 2)
    # group the crossings by cut panel (line, panel), sorted along the line; a group
    # t₁ < … < tₘ cuts its panel into [eₖ, t₁], [t₁, t₂], …, [tₘ, eₖ₊₁]
    order = np.lexsort((roots, panel, rows))
    rows, panel, roots = rows[order], panel[order], roots[order]
    first = np.concatenate([[True], (np.diff(rows) != 0) | (np.diff(panel) != 0)])
    last = np.concatenate([first[1:], [True]])
    previous = np.concatenate([[0.0], roots[:-1]])
    lows = np.concatenate([np.where(first, edges[panel], previous), roots[last]])
    highs = np.concatenate([roots, edges[panel[last] + 1]])
    lines = np.concatenate([rows, rows[last]])
    t, w = _axis_pieces(lows, highs)
    m = len(t) // len(lows)
    points = t[:, None] * frame[:, 0] + np.repeat(b[lines], m)[:, None] * frame[:, 1]
    extra_w = np.repeat(b_weights[lines], m) * w
    kept = g.weights.reshape(len(b), len(a)).copy()
    for row, k in zip(rows[last], panel[last], strict=True):
        kept[row, k * m : (k + 1) * m] = 0.0
    union = Grid.union((g, Grid(points, extra_w, ())), (kept.ravel(), extra_w))
    return union, np.concatenate([lp, p.logpdf(points)]), np.concatenate([lq, q.logpdf(points)])


def _joined(parts, weights=None):
    """One union grid and its arrays from (grid, log p, log q[, ∇log p, ∇log q]) parts."""
    if weights is None:
        weights = [part[0].weights for part in parts]
    grids, *arrays = zip(*parts, strict=True)
    return (Grid.union(grids, tuple(weights)), *(np.concatenate(a) for a in arrays))


def _kinked(p: Distribution, q: Distribution, g: Grid, lp: np.ndarray, lq: np.ndarray):
    """An automatic 2-D tensor grid with graded bands at tangent lines, cut at the kinks."""
    b0 = _tangent_lines(p, q, g, lp, lq)
    if len(b0) == 0:
        return _split_at_kinks(p, q, g, lp, lq)
    return _joined([_split_at_kinks(p, q, *part) for part in _graded_bands(p, q, g, lp, lq, b0)])


def _partitioned(parts):
    """The two sides' parts joined with weights wᵢ·D*(xᵢ) on p's, wᵢ·(1 − D*(xᵢ)) on q's."""
    weights = [
        g.weights * special.expit(sign * _logit_of_logs(lp, lq))
        for (g, lp, lq, *_), sign in zip(parts, (1.0, -1.0), strict=True)
    ]
    return _joined(parts, weights)


def _split_pair_grid(p: Distribution, q: Distribution, frames, names, scores: bool = False):
    """∫ f = ∫ f·D* + ∫ f·(1 − D*), each part on a grid in its own side's frame and extent.

    For two elongated Gaussians in different orientations (see :mod:`ganviz.grids`):
    the nodes of p's grid carry weights wᵢ·D*(xᵢ), those of q's grid wᵢ·(1 − D*(xᵢ)),
    so every integrand of the theory functions is integrated unchanged on the union.
    """
    parts = []
    for side, frame in enumerate(frames):
        g = auto_grid(p, q, frame=frame, names=names, within=side)
        parts.append(_refined_pair_grid_2d(p, q, g, _densities(p, q, g, scores), names, side))
    return _partitioned(parts)


def pair_on_grid(
    p: Distribution, q: Distribution, grid=None, names=("p", "q"), *, scores: bool = False
):
    """Grid and both log densities on it; automatic grids are refined where D* switches.

    Returns ``(g, log p, log q)`` at ``g.points``, with ``scores=True``
    ``(g, log p, log q, ∇log p, ∇log q)`` (the scores of shape ``(n, dim)`` in 2-D),
    computed in the same pass over the grid as the log densities.

    Two elongated Gaussians in different orientations get the union of a grid
    in each one's own frame (:func:`_split_pair_grid`).
    """
    check.same_dim(p, q, names)
    if grid is None and p.dim == 2:
        frames = own_frames(p, q)
        if frames is not None:
            return _split_pair_grid(p, q, frames, names, scores)
    g, *logs = _on_grid(p, q, grid, names, scores)
    if grid is None and g.dim == 1:
        return _refined_pair_grid(p, q, g, tuple(logs))
    if grid is None:
        return _refined_pair_grid_2d(p, q, g, tuple(logs), names)
    return (g, *logs)


def _two_gaussians(p: Distribution, q: Distribution) -> bool:
    """True when p and q are one normal piece each (s = log p − log q is a quadratic)."""
    try:
        pieces = [d.pieces() for d in (p, q)]
    except LookupError:
        return False
    return all(len(ps) == 1 and ps[0].base == "normal" for ps in pieces)


def cut_at_kinks(p: Distribution, q: Distribution, g: Grid, lp: np.ndarray, lq: np.ndarray):
    """:func:`pair_on_grid`'s automatic 2-D grid, for an integrand with a kink where D* switches.

    ½|p − q| (total variation) has a kink on the curve s = 0. Its panels are cut
    there along frame axis 0 (:func:`_split_at_kinks`) and graded toward lines
    tangent to the curve (:func:`_graded_bands`); the smooth integrands keep
    the grid they were given, whose panel errors cancel better. Only for two
    Gaussians, where s is a quadratic (a conic switch, at most two crossings
    per line, found in a few Newton steps); mixtures keep their grid (their TV
    stays as accurate as an oblique kink allows, ~1e-5), and so does 1-D, where
    every crossing is already a panel edge.
    """
    if g.dim != 2 or not _two_gaussians(p, q):
        return g, lp, lq
    if not g.parts:
        return _kinked(p, q, g, lp, lq) if g.edges is not None else (g, lp, lq)
    sides, start = [], 0
    for part in g.parts:  # the two sides of a split grid: cut each, then share out again
        end = start + len(part)
        sides.append(_kinked(p, q, part, lp[start:end], lq[start:end]))
        start = end
    return _partitioned(sides)
