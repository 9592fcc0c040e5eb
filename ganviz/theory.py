"""The optimal discriminator, the value of the game and the divergences between P_data and P_g.

Notation: p = p_data, q = p_g, m = (p + q)/2, all integrals by quadrature on
a grid chosen from the distributions (see :mod:`ganviz.grids`). Everything
is evaluated in log space, so Gaussians a hundred standard deviations apart
still give JS = log 2 and D* = 0 or 1 instead of ``0/0``.

Key identities a learner can check with these functions (Goodfellow et al.
2014, Theorem 1):

.. math::

    D^*(x) = \\frac{p(x)}{p(x) + q(x)}, \\qquad
    V(G, D^*) = E_p[\\log D^*] + E_q[\\log(1 - D^*)] = 2\\,JS(p\\|q) - 2\\log 2,

so V(G, D*) lies in [−log 4, 0] and equals −log 4 exactly when q = p.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np
from scipy import special

from . import _validation as check
from .distributions import Distribution
from .grids import Grid, auto_grid, make_grid, view_axes
from .pair_grids import (
    _logit_of_logs,
    _on_grid,
    _roots,
    _sign_change_brackets,
    cut_at_kinks,
    pair_on_grid,
)

__all__ = [
    "Divergences",
    "PlaneField",
    "critic_slope",
    "divergences",
    "js_divergence",
    "kl_divergence",
    "optimal_critic",
    "optimal_discriminator",
    "optimal_discriminator_from_logpdfs",
    "optimal_discriminator_logit",
    "optimal_discriminator_plane",
    "total_variation",
    "value_function",
    "wasserstein_distance",
]

LOG2 = math.log(2.0)


def _xlogy_terms(lp: np.ndarray, log_ratio: np.ndarray) -> np.ndarray:
    """p·log(p/r) pointwise with the convention 0·log 0 = 0 (where p = 0)."""
    # one masked pass (np.where), not boolean indexing: this runs on every node of a 2-D grid
    with np.errstate(invalid="ignore"):
        return np.where(lp > -np.inf, np.exp(lp) * log_ratio, 0.0)


# -- the optimal discriminator ---------------------------------------------


def optimal_discriminator_logit(p_data: Distribution, p_g: Distribution, x) -> np.ndarray:
    """Logit of D*: s(x) = log p_data(x) − log p_g(x).

    ±inf where one density is 0, and 0 (D* = ½) where both are.
    """
    check.same_dim(p_data, p_g)
    return _logit_of_logs(p_data.logpdf(x), p_g.logpdf(x))


def optimal_discriminator_from_logpdfs(log_p_data, log_p_g) -> np.ndarray:
    """D* from the two log-densities already evaluated at the same points.

    .. math:: D^*(x) = σ(\\log p_{data}(x) - \\log p_g(x))

    (½ where both are −inf), the same D* as :func:`optimal_discriminator`
    for callers that reuse the log-densities (a dashboard's fixed grid, the
    contours it draws from them).
    """
    lp, lq = np.asarray(log_p_data, dtype=float), np.asarray(log_p_g, dtype=float)
    if lp.shape != lq.shape:
        raise ValueError(
            f"log_p_data and log_p_g must have one shape, got {lp.shape} and {lq.shape}"
        )
    return special.expit(_logit_of_logs(lp, lq))


def optimal_discriminator(p_data: Distribution, p_g: Distribution, x) -> np.ndarray:
    """Optimal discriminator for a fixed generator (Goodfellow et al. 2014, Prop. 1).

    .. math:: D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + p_g(x)}
              = σ(\\log p_{data}(x) - \\log p_g(x))

    It is ½ where both densities vanish. ``x`` is shape ``(n,)`` in 1-D and
    ``(n, 2)`` in 2-D; the result has shape ``(n,)``.

    Examples
    --------
    >>> import ganviz as gv
    >>> gv.optimal_discriminator(gv.Gaussian(0, 1), gv.Gaussian(0, 1), [0.0, 3.0])
    array([0.5, 0.5])
    """
    return special.expit(optimal_discriminator_logit(p_data, p_g, x))


class PlaneField(NamedTuple):
    """D* and both densities on a regular 2-D plane (arrays of shape (len(ys), len(xs)))."""

    xs: np.ndarray
    ys: np.ndarray
    d: np.ndarray
    data_density: np.ndarray
    g_density: np.ndarray


def optimal_discriminator_plane(p_data: Distribution, p_g: Distribution, n: int = 80) -> PlaneField:
    """D*(x) = σ(log p_data(x) − log p_g(x)) and both densities on the view's n × n plane.

    The plane is :func:`ganviz.view_axes` of the pair (rows along y). Each
    density is evaluated once, as a log density: D* comes from their
    difference (½ where both vanish) and the densities from their exponentials,
    which is what a 2-D field redrawn on every slider move needs.
    """
    check.same_dim(p_data, p_g)
    xs, ys = view_axes(p_data, p_g, n=n)
    gx, gy = np.meshgrid(xs, ys)
    plane = np.stack([gx, gy], axis=-1)
    lp, lq = p_data.logpdf(plane), p_g.logpdf(plane)
    d = special.expit(_logit_of_logs(lp, lq))
    return PlaneField(xs, ys, d, np.exp(lp), np.exp(lq))


# -- divergences -------------------------------------------------------------


def _softplus_terms(lp: np.ndarray, lq: np.ndarray) -> np.ndarray:
    """p·softplus(−s) + q·softplus(s), s = log p − log q, with 0·(anything) = 0.

    Pointwise −(p log D* + q log(1 − D*)): the integrand of −V(G, D*).
    """
    s = _logit_of_logs(lp, lq)
    with np.errstate(invalid="ignore"):  # 0·inf where a density is 0: masked to 0
        p_term = np.where(lp > -np.inf, np.exp(lp) * np.logaddexp(0.0, -s), 0.0)
        q_term = np.where(lq > -np.inf, np.exp(lq) * np.logaddexp(0.0, s), 0.0)
    return p_term + q_term


def _js(g: Grid, lp: np.ndarray, lq: np.ndarray) -> float:
    """JS = log 2 − ½∫[p·softplus(−s) + q·softplus(s)] (s = log p − log q).

    The same as ½∫ p log(p/m) + ½∫ q log(q/m), with the exact masses ∫p = ∫q = 1
    in place of their quadrature: written the usual way, JS carries log 2 times
    the quadrature error of ∫(p + q) (grid25 vs N(0, I): 2.5e-8), while this
    integrand vanishes wherever one density dominates.
    """
    return float(np.clip(LOG2 - 0.5 * g.integrate(_softplus_terms(lp, lq)), 0.0, LOG2))


def _kl(p: Distribution, q: Distribution, g: Grid, lp: np.ndarray, lq: np.ndarray) -> float:
    if p.full_support and not q.full_support:
        return math.inf  # p has mass everywhere, q has none outside a bounded set
    has_mass = lp > -np.inf
    if np.any(has_mass & (lq == -np.inf)):
        return math.inf
    with np.errstate(invalid="ignore"):
        value = g.integrate(_xlogy_terms(lp, lp - lq))
    return max(float(value), 0.0)


def _tv(g: Grid, lp: np.ndarray, lq: np.ndarray) -> float:
    """TV = ½∫|p − q| = 1 − ∫min(p, q), using the exact masses ∫p = ∫q = 1 (as :func:`_js`)."""
    return float(np.clip(1.0 - g.integrate(np.exp(np.minimum(lp, lq))), 0.0, 1.0))


def js_divergence(p: Distribution, q: Distribution, grid=None) -> float:
    """Jensen–Shannon divergence in nats, in [0, log 2].

    .. math:: JS(p\\|q) = ½ KL(p\\|m) + ½ KL(q\\|m), \\quad m = ½(p + q)

    (``scipy.spatial.distance.jensenshannon`` returns the *square root* of this.)
    """
    return _js(*pair_on_grid(p, q, grid))


def kl_divergence(p: Distribution, q: Distribution, grid=None) -> float:
    """Kullback–Leibler divergence KL(p‖q) = ∫ p log(p/q) in nats.

    ``inf`` when p puts mass where q has none. The order matters:
    KL(P_data‖P_g) punishes a P_g that misses modes (mode covering),
    KL(P_g‖P_data) punishes a P_g that puts mass off the data (mode seeking).
    """
    g, lp, lq = pair_on_grid(p, q, grid)
    return _kl(p, q, g, lp, lq)


def total_variation(p: Distribution, q: Distribution, grid=None) -> float:
    """Total variation distance ½ ∫ |p − q| dx, in [0, 1]."""
    g, lp, lq = pair_on_grid(p, q, grid)
    return _tv(*(cut_at_kinks(p, q, g, lp, lq) if grid is None else (g, lp, lq)))


def value_function(
    p_data: Distribution,
    p_g: Distribution,
    discriminator: Callable[[np.ndarray], np.ndarray] | None = None,
    grid=None,
    *,
    logits: bool = False,
) -> float:
    """Value of the GAN game, integrated from its definition.

    .. math:: V(G, D) = E_{x∼p_{data}}[\\log D(x)] + E_{x∼p_g}[\\log(1 - D(x))]

    With ``discriminator=None`` it uses D* and returns V(G, D*), which equals
    2·JS(p_data‖p_g) − 2·log 2 ∈ [−log 4, 0]. It is integrated from log D* and
    log(1 − D*); :func:`js_divergence` integrates the same two terms (with the
    exact masses ∫p = ∫q = 1 for its log 2), so on the grid the identity holds
    to round-off. The tests check both against independent quadrature.

    ``discriminator`` may be any callable mapping points ``x`` to
    probabilities D(x) (or to logits when ``logits=True``, which is the
    numerically safe choice). The result is ``-inf`` when D is 0 where
    p_data has mass (or 1 where p_g has mass).
    """
    g, lp, lq = pair_on_grid(p_data, p_g, grid, ("p_data", "p_g"))
    if discriminator is None:
        lnorm = np.logaddexp(lp, lq)
        with np.errstate(invalid="ignore"):
            log_d, log_1md = lp - lnorm, lq - lnorm
    else:
        out = np.asarray(discriminator(g.points), dtype=float).reshape(-1)
        if out.shape != (len(g),):
            raise ValueError(
                f"discriminator must return one value per point ({len(g)}), got shape {out.shape}"
            )
        if np.any(np.isnan(out)):
            raise ValueError("discriminator returned NaN")
        if logits:
            log_d, log_1md = -np.logaddexp(0.0, -out), -np.logaddexp(0.0, out)
        else:
            if np.any((out < 0) | (out > 1)):
                raise ValueError(
                    "discriminator must return probabilities in [0, 1] (or pass logits=True)"
                )
            with np.errstate(divide="ignore"):
                log_d, log_1md = np.log(out), np.log1p(-out)
    # 0·log 0 = 0 where a density vanishes: mask before multiplying (no 0·(−inf))
    p_term = np.exp(lp) * np.where(lp > -np.inf, log_d, 0.0)
    q_term = np.exp(lq) * np.where(lq > -np.inf, log_1md, 0.0)
    with np.errstate(invalid="ignore"):
        value = g.integrate(p_term) + g.integrate(q_term)
    return float(value)


# -- Wasserstein ------------------------------------------------------------


def critic_slope(p_data: Distribution, p_g: Distribution, x) -> np.ndarray:
    """Slope f*'(x) = sign(F_g(x) − F_data(x)) of the optimal 1-D critic.

    From W1 = ∫|F_data − F_g| dx = sup_{|f'| ≤ 1} E_data[f] − E_g[f], attained
    by this slope (integrate by parts: E_data f − E_g f = ∫ f' (F_g − F_data)).
    """
    check.same_dim(p_data, p_g)
    if p_data.dim != 1:
        raise ValueError("critic_slope is defined in 1-D only")
    return np.sign(p_g.cdf(x) - p_data.cdf(x))


def optimal_critic(p_data: Distribution, p_g: Distribution, x, grid=None) -> np.ndarray:
    """An optimal 1-Lipschitz WGAN critic f* in 1-D, evaluated at ``x``.

    f* maximises E_data[f] − E_g[f] over 1-Lipschitz f; its slope is
    :func:`critic_slope`. The additive constant is fixed so that f* averages
    to 0 under ½(p_data + p_g). Unlike D*, which saturates at 0 and 1 when
    the supports separate, f* keeps slope ±1 (WGAN paper, Figure 2).
    """
    g, lp, lq = _on_grid(p_data, p_g, grid, ("p_data", "p_g"))
    if g.dim != 1:
        raise ValueError("optimal_critic is defined in 1-D only; use sample-based W1 in 2-D")
    x_arr = check.points(x, 1)
    nodes = np.unique(np.concatenate([g.points, x_arr.reshape(-1)]))
    slope = critic_slope(p_data, p_g, nodes)
    f_nodes = np.concatenate([[0.0], np.cumsum(0.5 * (slope[1:] + slope[:-1]) * np.diff(nodes))])
    mixture = 0.5 * (np.exp(lp) + np.exp(lq))
    offset = g.integrate(mixture * np.interp(g.points, nodes, f_nodes))
    return np.interp(x_arr, nodes, f_nodes) - offset


def cdf_crossings(p: Distribution, q: Distribution, g: Grid) -> np.ndarray:
    """Points where F_p − F_q changes sign (1-D), located to round-off.

    There the optimal critic's slope flips and |F_p − F_q| has a kink.
    """
    diff = p.cdf(g.points) - q.cdf(g.points)
    lo, hi = _sign_change_brackets(g.points, diff)
    if len(lo) == 0:
        return np.zeros(0)
    return _roots(lambda t: p.cdf(t) - q.cdf(t), lambda t: p.pdf(t) - q.pdf(t), lo, hi)


def _w1_1d(p: Distribution, q: Distribution, g: Grid, grid=None) -> float:
    """∫|F_p − F_q|, with panel edges on the kinks where the CDFs cross (automatic grids)."""
    if grid is None:
        roots = cdf_crossings(p, q, g)
        if 0 < len(roots) <= 64:
            g = auto_grid(p, q, extra_edges=roots)
    return float(g.integrate(np.abs(p.cdf(g.points) - q.cdf(g.points))))


def _w1_samples(p: Distribution, q: Distribution, n_samples: int, seed) -> float:
    # Common random numbers: a translated copy gives exactly translated samples,
    # so a pure shift is measured without sampling noise.
    xs, ys = p.sample(n_samples, seed=seed), q.sample(n_samples, seed=seed)
    cost = np.linalg.norm(xs[:, None, :] - ys[None, :, :], axis=-1)
    from scipy.optimize import linear_sum_assignment  # deferred: keeps `import ganviz` fast

    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def wasserstein_distance(
    p: Distribution, q: Distribution, grid=None, *, n_samples: int = 512, seed=0
) -> float:
    """Earth mover's distance W1(p, q).

    1-D: exact, W1 = ∫ |F_p(x) − F_q(x)| dx by quadrature of the CDFs.

    2-D: an *estimate* — the exact optimal transport cost between
    ``n_samples`` points drawn from each distribution (an assignment
    problem solved by :func:`scipy.optimize.linear_sum_assignment`). The
    empirical cost is biased upward by O(n^{-1/2}) for spread-out
    distributions; both samples use ``seed`` so that a pure translation is
    measured exactly.
    """
    check.same_dim(p, q, ("p", "q"))
    if p.dim == 1:
        return _w1_1d(p, q, make_grid((p, q), grid, ("p", "q")), grid)
    n = check.sample_count(n_samples, "n_samples")
    if n < 2:
        raise ValueError(f"n_samples must be ≥ 2, got {n_samples}")
    return _w1_samples(p, q, n, seed)


# -- all at once --------------------------------------------------------------


@dataclass(frozen=True)
class Divergences:
    """Every divergence between P_data and P_g, from one evaluation of both densities.

    ``kl_data_g`` is KL(P_data‖P_g) (mode covering), ``kl_g_data`` is
    KL(P_g‖P_data) (mode seeking), ``value`` is V(G, D*) integrated from its
    definition and ``two_js_minus_log4`` is 2·JS − 2·log 2 (equal to it).
    """

    js: float
    kl_data_g: float
    kl_g_data: float
    tv: float
    w1: float
    value: float

    @property
    def two_js_minus_log4(self) -> float:
        return 2.0 * self.js - 2.0 * LOG2

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "two_js_minus_log4": self.two_js_minus_log4}


def divergences(
    p_data: Distribution, p_g: Distribution, grid=None, *, n_samples: int = 512, seed=0
) -> Divergences:
    """JS, both KLs, TV, W1 and V(G, D*) at once, sharing one grid evaluation.

    This is what a widget calls on every slider move.
    """
    g, lp, lq = pair_on_grid(p_data, p_g, grid, ("p_data", "p_g"))
    # V = −∫[p·softplus(−s) + q·softplus(s)] and JS = log 2 + V/2: one integral for both
    # (+ 0.0: disjoint supports integrate to exactly 0, and −0.0 would print as "-0.0000")
    value = -g.integrate(_softplus_terms(lp, lq)) + 0.0
    if g.dim == 1:
        w1 = _w1_1d(p_data, p_g, g, grid)
    else:
        w1 = _w1_samples(p_data, p_g, check.sample_count(n_samples, "n_samples"), seed)
    return Divergences(
        js=float(np.clip(LOG2 + 0.5 * value, 0.0, LOG2)),
        kl_data_g=_kl(p_data, p_g, g, lp, lq),
        kl_g_data=_kl(p_g, p_data, g, lq, lp),
        tv=_tv(*(cut_at_kinks(p_data, p_g, g, lp, lq) if grid is None else (g, lp, lq))),
        w1=w1,
        value=float(value),
    )
