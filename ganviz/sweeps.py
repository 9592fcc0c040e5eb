"""Divergences along a slide: P_g translated across P_data, every shift at once.

The lesson "JS saturates at log 2 when the supports separate, W1 keeps
growing" needs the divergences between p = p_data and the translated

.. math:: q_t(x) = p_g(x - t)

for a whole range of shifts t. Calling the scalar functions of
:mod:`ganviz.theory` once per shift costs a grid choice and a density
evaluation per shift; :func:`shift_sweep` instead evaluates both densities
*once*, on one regular lattice of spacing h whose shifts are whole multiples
of h (t_k = t_0 + k·m·h), so that

.. math:: q_{t_k}(x_i) = p_g(x_i - t_0 - k m h) = p_g(u_{i - k m})

is a sliding window over a single array of values of p_g. Each divergence is
then one trapezoid sum per shift, vectorised over all shifts:

.. math::

    JS(t) &= ½\\,KL(p\\|m_t) + ½\\,KL(q_t\\|m_t),\\quad m_t = ½(p + q_t) \\\\
    V(t) &= \\int p \\log D^*_t + q_t \\log(1 - D^*_t) = 2\\,JS(t) - 2\\log 2 \\\\
    KL(t) &= \\int p \\log(p / q_t),\\quad TV(t) = ½ \\int |p - q_t| \\\\
    W_1(t) &= \\int |F_p(x) - F_{p_g}(x - t)|\\,dx

V is integrated from its definition (log D* and log(1 − D*)), so the
identity V = 2·JS − 2·log 2 holds up to the quadrature's error, as a check.

The trapezoid rule on a regular lattice is spectrally accurate for smooth,
fast-decaying integrands (Gaussians, mixtures, kernel estimates), so a
spacing of a quarter of the narrowest length scale gives ~1e-9; a uniform's
jump costs O(h), so the lattice is made 400 times finer than the narrowest
uniform (a relative error below ~1e-3). Whether KL is infinite is decided
from the supports themselves (exact), not from the lattice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import _validation as check
from .distributions import Distribution

__all__ = ["ShiftSweep", "default_shifts", "shift_sweep"]

LOG2 = math.log(2.0)

#: Lattice points per narrowest smooth length scale (σ, KDE bandwidth).
SMOOTH_RESOLUTION = 2
#: Lattice points per narrowest uniform width (a jump's error is O(h)).
JUMP_RESOLUTION = 100
#: Largest (shifts × lattice points) the sweep allocates per working array.
MAX_ELEMENTS = 2_000_000


@dataclass(frozen=True)
class ShiftSweep:
    """Divergences between P_data and P_g translated by each of ``shifts``.

    All arrays have the length of ``shifts``. ``kl_data_g`` is
    KL(P_data‖P_g,t) (mode covering), ``kl_g_data`` is KL(P_g,t‖P_data)
    (mode seeking), both possibly ``inf``; ``value`` is V(G, D*) integrated
    from its definition.
    """

    shifts: np.ndarray
    js: np.ndarray
    kl_data_g: np.ndarray
    kl_g_data: np.ndarray
    tv: np.ndarray
    w1: np.ndarray
    value: np.ndarray

    @property
    def two_js_minus_log4(self) -> np.ndarray:
        """2·JS − 2·log 2 at every shift (equal to :attr:`value` by Goodfellow's Theorem 1)."""
        return 2.0 * self.js - 2.0 * LOG2

    def index_of(self, shift: float) -> int:
        """Index of the sweep point nearest to ``shift``."""
        return int(np.argmin(np.abs(self.shifts - float(shift))))

    def __len__(self) -> int:
        return len(self.shifts)


# -- length scales and supports ---------------------------------------------


def _length_scales(dist: Distribution) -> tuple[list[float], list[float]]:
    """(smooth scales, jump scales): σ and KDE bandwidths, and uniform widths."""
    try:
        pieces = dist.pieces()
    except LookupError:
        return [min(r.scale for r in dist.regions())], []
    smooth = [float(p.scale[0, 0]) for p in pieces if p.base == "normal"]
    jumps = [float(p.scale[0, 0]) for p in pieces if p.base == "uniform"]
    return smooth, jumps


def _support_not_nested(p_int, q_int, shifts: np.ndarray, tol: float) -> np.ndarray:
    """True at shifts t where supp p ⊄ supp q + t (then KL(p‖q_t) = ∞)."""
    if q_int is None:  # q_t has mass everywhere
        return np.zeros(len(shifts), dtype=bool)
    if p_int is None:  # p has mass everywhere, q_t does not
        return np.ones(len(shifts), dtype=bool)
    # Interval i of supp p is covered iff one merged interval j of supp q + t contains it.
    t = shifts[None, None, :]
    q_lo, q_hi = q_int[None, :, 0, None] + t, q_int[None, :, 1, None] + t
    p_lo, p_hi = p_int[:, None, 0, None], p_int[:, None, 1, None]
    covered = ((q_lo <= p_lo + tol) & (p_hi <= q_hi + tol)).any(axis=1)
    return ~covered.all(axis=0)


# -- the sweep ----------------------------------------------------------------


def default_shifts(p_data: Distribution, p_g: Distribution, num: int = 161) -> np.ndarray:
    """Shifts that slide P_g from well left of P_data to well right of it (and include 0).

    Centred on the shift that aligns the means, spanning 1.5× the sum of the
    two view widths, always containing t = 0.
    """
    view_d, view_g = p_data.view_extent()[0], p_g.view_extent()[0]
    centre = float(p_data.mean) - float(p_g.mean)
    half = 0.75 * ((view_d[1] - view_d[0]) + (view_g[1] - view_g[0]))
    return np.linspace(min(centre - half, 0.0), max(centre + half, 0.0), int(num))


def _check_shifts(shifts) -> np.ndarray:
    t = check.finite_array(shifts, "shifts").reshape(-1)
    if len(t) < 2:
        raise ValueError(f"shifts must hold at least 2 evenly spaced values, got {len(t)}")
    step = np.diff(t)
    if np.any(step <= 0) or not np.allclose(step, step[0], rtol=1e-6, atol=0.0):
        raise ValueError("shifts must be strictly increasing and evenly spaced (np.linspace)")
    return t


def _lattice(p_data, p_g, t: np.ndarray, resolution: float, max_elements: int):
    """Spacing h = step/m, lattice start and size covering p and every q_t."""
    (smooth_d, jumps_d), (smooth_g, jumps_g) = _length_scales(p_data), _length_scales(p_g)
    smooth, jumps = smooth_d + smooth_g, jumps_d + jumps_g
    targets = [s / resolution for s in smooth] + [w / JUMP_RESOLUTION for w in jumps]
    step = float(t[1] - t[0])
    m = max(1, math.ceil(step / min(targets) - 1e-9))
    ext_d, ext_g = p_data.extent()[0], p_g.extent()[0]
    x_lo = min(ext_d[0], ext_g[0] + t[0])
    x_hi = max(ext_d[1], ext_g[1] + t[-1])
    span = x_hi - x_lo
    # Cap the work (shifts × points): coarsen the lattice before allocating too much.
    while m > 1 and len(t) * (span / (step / m) + 1) > max_elements:
        m = max(1, m // 2)
    h = step / m
    # Two empty cells beyond each end: a uniform edge on the last node would lose half a
    # cell's mass to the trapezoid's end weight h/2.
    x_lo -= 2 * h
    n = math.ceil(min(span / h, 1e18) - 1e-9) + 5
    # Too coarse to trust: the shifts (or the cap) forced h above twice the target spacing.
    coarse = h > 2.0 * min(targets) or n * len(t) > check.MAX_GRID_POINTS
    return h, m, x_lo, n, coarse


def _per_shift(p_data: Distribution, p_g: Distribution, t: np.ndarray) -> ShiftSweep:
    """The sweep from the core's adaptive quadrature, one shift at a time.

    Used when one common lattice cannot resolve every shift: shifts far apart
    compared with the narrowest scale (10⁶σ slides), or scales many decades apart.
    """
    from .theory import divergences  # deferred: theory is not needed on the fast path

    rows = [divergences(p_data, p_g.shift(float(shift))) for shift in t]

    def column(name: str) -> np.ndarray:
        return np.array([getattr(r, name) for r in rows], dtype=float)

    return ShiftSweep(
        shifts=t,
        js=column("js"),
        kl_data_g=column("kl_data_g"),
        kl_g_data=column("kl_g_data"),
        tv=column("tv"),
        w1=column("w1"),
        value=column("value"),
    )


#: Stand-in for log 0: exp(LOG_ZERO) is 0 in double precision and 0·LOG_ZERO = 0
#: (where 0·(−inf) would be NaN), so every 0·log 0 term vanishes without masks. Where
#: p has mass and q_t none, KL is set to inf from the supports afterwards.
LOG_ZERO = -1500.0


def _floor_zeros(log_density: np.ndarray) -> np.ndarray:
    # Only exact zeros: a finite log density far below LOG_ZERO still counts in KL(q‖p).
    return np.where(log_density == -np.inf, LOG_ZERO, log_density)


def _row_sums(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    # einsum, not BLAS: a threaded matrix-vector product is slower here on shared cores.
    return np.einsum("ij,j->i", a, w)


def shift_sweep(
    p_data: Distribution,
    p_g: Distribution,
    shifts=None,
    *,
    resolution: float = SMOOTH_RESOLUTION,
    max_elements: int = MAX_ELEMENTS,
) -> ShiftSweep:
    """JS, KL both ways, TV, W1 and V(G, D*) between P_data and P_g shifted by each t in ``shifts``.

    ``shifts`` must be evenly spaced (``np.linspace``); by default
    :func:`default_shifts`. 1-D only. The result matches the scalar
    functions of :mod:`ganviz.theory` (``js_divergence(p_data, p_g.shift(t))``
    and so on) to ~1e-8 for smooth densities (TV and W1, whose integrands
    have kinks, to ~1e-3) and ~1e-3 with uniforms.

    Examples
    --------
    >>> import numpy as np, ganviz as gv
    >>> from ganviz.sweeps import shift_sweep
    >>> sweep = shift_sweep(gv.Uniform(0, 1), gv.Uniform(0, 1), np.linspace(-3, 3, 61))
    >>> sweep.js[[30, 60]].round(6)      # identical, then disjoint: JS stuck at log 2
    array([0.      , 0.693147])
    >>> sweep.w1[[30, 60]].round(6)      # ... while W1 keeps measuring the distance
    array([0., 3.])
    """
    check.same_dim(p_data, p_g)
    if p_data.dim != 1:
        raise ValueError(
            f"shift_sweep slides 1-D distributions; these are {p_data.dim}-D "
            "(use ganviz.divergences on p_g.shift(delta) in 2-D)"
        )
    t = default_shifts(p_data, p_g) if shifts is None else _check_shifts(shifts)
    resolution = check.positive_float(resolution, "resolution")
    max_elements = check.sample_count(max_elements, "max_elements")
    h, m, x_lo, n, coarse = _lattice(p_data, p_g, t, resolution, max_elements)
    if coarse:
        return _per_shift(p_data, p_g, t)
    k = len(t)
    check.grid_size(n * k, "shifts × lattice")

    # p on the lattice x_i = x_lo + i·h; p_g on u_j = x_lo − t_0 + (j − (k−1)m)·h, so that
    # row k of the sliding windows (reversed, every m-th) is p_g(x_i − t_k).
    x = x_lo + h * np.arange(n)
    u = x_lo - t[0] + h * (np.arange(n + (k - 1) * m) - (k - 1) * m)

    def windows(values: np.ndarray) -> np.ndarray:
        return sliding_window_view(values, n)[::m][::-1]

    lp = _floor_zeros(p_data.cell_logpdf(x, h))
    lq_u = _floor_zeros(p_g.cell_logpdf(u, h))
    p, q_u = np.exp(lp), np.exp(lq_u)
    lq, q = windows(lq_u), windows(q_u)
    w = np.full(n, h)
    w[[0, -1]] = 0.5 * h
    pw = p * w

    # log(p + q_t); where both vanish 1e-300 keeps it finite (and it is multiplied by 0).
    lnorm = np.log(p + q + 1e-300)
    p_log_p = float(np.einsum("i,i->", pw, lp))
    q_log_q = np.einsum("ij,ij,j->i", q, lq, w)
    value = (p_log_p - _row_sums(lnorm, pw)) + (q_log_q - np.einsum("ij,ij,j->i", q, lnorm, w))
    mass_p, mass_q = float(np.sum(pw)), _row_sums(q, w)
    js = 0.5 * (value + LOG2 * (mass_p + mass_q))
    kl_dg = np.maximum(p_log_p - _row_sums(lq, pw), 0.0)
    kl_gd = np.maximum(q_log_q - _row_sums(q, w * lp), 0.0)
    tv = 0.5 * _row_sums(np.abs(p - q), w)
    w1 = _row_sums(np.abs(p_data.cdf(x) - windows(p_g.cdf(u))), w)

    tol = 1e-9 * max(1.0, float(np.max(np.abs(x))))
    try:
        p_int, q_int = p_data.support(), p_g.support()
        inf_dg = _support_not_nested(p_int, q_int, t, tol)
        # q_t ⊄ supp p  ⇔  supp p_g ⊄ supp p − t: the same test with the roles swapped.
        inf_gd = _support_not_nested(q_int, p_int, -t, tol)
    except LookupError:  # an unknown bounded density: trust the lattice
        inf_dg = np.any((p > 0) & (q == 0), axis=1)
        inf_gd = np.any((q > 0) & (p == 0), axis=1)
    kl_dg = np.where(inf_dg, np.inf, kl_dg)
    kl_gd = np.where(inf_gd, np.inf, kl_gd)

    return ShiftSweep(
        shifts=t,
        js=np.clip(js, 0.0, LOG2),
        kl_data_g=kl_dg,
        kl_g_data=kl_gd,
        tv=np.clip(tv, 0.0, 1.0),
        w1=np.maximum(w1, 0.0),
        value=np.asarray(value, dtype=float),
    )
