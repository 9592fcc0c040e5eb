"""What the generator feels: its loss and gradient when the discriminator is optimal.

Three generator losses, with s(x) = log p_data(x) − log p_g(x) the logit of
D* = σ(s):

====================  ==========================  =====================================
loss                  per-sample loss ℓ(x)         ∂ℓ/∂x
====================  ==========================  =====================================
``"minimax"``         log(1 − D*(x)) = −softplus(s)  −D*(x) ∇s(x)
``"nonsaturating"``   −log D*(x) = softplus(−s)      −(1 − D*(x)) ∇s(x)
``"wgan"``            −f*(x) (optimal critic)        −∇f*(x); in 1-D −sign(F_g − F_data)
====================  ==========================  =====================================

The minimax gradient carries a factor D*(x): where the discriminator
confidently rejects the fakes (D* → 0, supports far apart) it vanishes. The
non-saturating "log D trick" carries 1 − D* → 1 instead, and the Wasserstein
critic has slope of magnitude 1 wherever the CDFs differ.

:func:`generator_gradient` is d/dt of the expected loss when P_g is
translated by t with the discriminator held fixed at D* (or f*). By the
change of variables x = y + t this equals E_{x∼p_g}[∂ℓ/∂x], so the arrows of
:func:`sample_gradients` average to it.

:func:`gradient_curves` evaluates that gradient for P_g translated by every
separation at once, on one common set of panels, so a widget can redraw
three curves of sixty separations per slider move.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from . import _validation as check
from .distributions import Distribution
from .grids import _legendre, auto_grid
from .losses import LossDict, canonical_loss, losses_for
from .theory import (
    _logit_of_logs,
    _roots,
    cdf_crossings,
    critic_slope,
    optimal_discriminator_logit,
    pair_on_grid,
    wasserstein_distance,
)

__all__ = [
    "GENERATOR_COSTS",
    "LOSSES",
    "generator_cost",
    "generator_cost_gradient",
    "generator_gradient",
    "generator_loss",
    "gradient_curves",
    "gradient_vs_separation",
    "sample_gradients",
]

#: Loss names understood by :func:`generator_gradient` and :func:`sample_gradients` (the
#: theory's rows of :data:`ganviz.losses.LOSS_TABLE`; aliases such as ``"wasserstein"`` for
#: ``"wgan"`` are accepted everywhere a loss is named).
LOSSES = losses_for("theory")

#: Generator costs as functions of D(G(z)) (Goodfellow, NIPS 2016 tutorial, Fig. 16).
GENERATOR_COSTS = ("minimax", "nonsaturating", "maximum_likelihood")


def _score_difference(p_data: Distribution, p_g: Distribution, x: np.ndarray) -> np.ndarray:
    """∇s(x) = ∇log p_data − ∇log p_g, set to 0 where either density is exactly 0.

    There D* is locally constant (0 or 1) and so is every loss built on it:
    the flat discriminator of disjoint supports passes no gradient at all.
    """
    grad = p_data.grad_logpdf(x) - p_g.grad_logpdf(x)
    flat = (p_data.logpdf(x) == -np.inf) | (p_g.logpdf(x) == -np.inf)
    if p_data.dim == 2:
        flat = flat[..., None]
    return np.where(flat, 0.0, grad)


def _wasserstein_arrows_2d(p_data: Distribution, x: np.ndarray, seed) -> np.ndarray:
    """−∇f* at the fakes ``x`` from the optimal transport of ``x`` to as many data points.

    For empirical measures the Kantorovich potential grows at unit rate from
    each fake towards the data point it is matched with, so
    ∂(−f*)/∂x_j = (x_j − y_σ(j)) / |x_j − y_σ(j)|.
    """
    from scipy.optimize import linear_sum_assignment  # deferred: keeps `import ganviz` fast

    flat = x.reshape(-1, 2)
    out = np.zeros_like(flat)
    # One data draw with ``seed`` (common random numbers with fakes drawn the same way).
    all_data = p_data.sample(len(flat), seed=seed)
    chunk = 768  # assignment is O(n³): solve it in blocks
    for start in range(0, len(flat), chunk):
        fakes = flat[start : start + chunk]
        data = all_data[start : start + chunk]
        diff = fakes[:, None, :] - data[None, :, :]
        cost = np.linalg.norm(diff, axis=-1)
        rows, cols = linear_sum_assignment(cost)
        vec = diff[rows, cols]
        norm = np.linalg.norm(vec, axis=-1, keepdims=True)
        out[start + rows] = np.divide(vec, norm, out=np.zeros_like(vec), where=norm > 0)
    return out.reshape(x.shape)


def sample_gradients(
    p_data: Distribution, p_g: Distribution, x, loss: str = "nonsaturating", *, seed=0
) -> np.ndarray:
    """Per-sample generator gradients ∂ℓ/∂x at generated points ``x``.

    The arrow a fake sample at ``x`` should move along is ``-sample_gradients(...)``
    (gradient descent on the generator loss). Unlike GAN Lab, which draws ∇D
    whatever the loss, this is the gradient of the chosen loss:

    * minimax: ∂/∂x log(1 − D*(x)) = −D*(x)·∇s(x)
    * nonsaturating: ∂/∂x (−log D*(x)) = −(1 − D*(x))·∇s(x)
    * wgan: ∂/∂x (−f*(x)); in 1-D −sign(F_g(x) − F_data(x)); in 2-D the
      unit vector from the data point optimally matched with each fake (the
      optimal transport between ``x`` and an equally large data sample drawn
      with ``seed``; an estimate, as W1 is in 2-D).

    with s = log p_data − log p_g. Returns the shape of ``x``.
    """
    check.same_dim(p_data, p_g)
    loss = canonical_loss(loss, LOSSES)
    x = check.points(x, p_data.dim)
    if loss == "wgan":
        if p_data.dim == 1:
            return -critic_slope(p_data, p_g, x)
        return _wasserstein_arrows_2d(p_data, x, seed)
    s = optimal_discriminator_logit(p_data, p_g, x)
    # D* = σ(s) and 1 − D* = σ(−s): never 1 − σ(s), which rounds to 0 once D* > 1 − 1e-16.
    factor = special.expit(s) if loss == "minimax" else special.expit(-s)
    grad_s = _score_difference(p_data, p_g, x)
    if p_data.dim == 2:
        factor = factor[..., None]
    return -factor * grad_s


def _wasserstein_gradient_1d(p_data: Distribution, p_g: Distribution) -> float:
    """−E_g[sign(F_g − F_data)], exactly: P_g's mass on each interval between CDF crossings.

    The slope of the optimal critic is piecewise constant, so the expectation
    is a signed sum of P_g-probabilities of intervals; no quadrature of a
    discontinuous integrand is needed.
    """
    g = auto_grid(p_data, p_g, names=("p_data", "p_g"))
    roots = cdf_crossings(p_data, p_g, g)
    edges = np.concatenate([[-np.inf], np.sort(roots), [np.inf]])
    diff = p_g.cdf(g.points) - p_data.cdf(g.points)
    # sign on each interval: that of the node where |F_g − F_data| is largest inside it
    which = np.searchsorted(edges, g.points) - 1
    signs = np.zeros(len(edges) - 1)
    for i in range(len(signs)):
        inside = diff[which == i]
        if len(inside):
            signs[i] = np.sign(inside[np.argmax(np.abs(inside))])
    cdf = np.concatenate([[0.0], p_g.cdf(edges[1:-1]), [1.0]])
    return float(-np.sum(signs * np.diff(cdf)))


def generator_gradient(
    p_data: Distribution,
    p_g: Distribution,
    loss: str = "nonsaturating",
    grid=None,
    *,
    n_samples: int = 2048,
    seed=0,
):
    """d/dt of the generator loss when P_g is translated by t, discriminator held optimal.

    .. math:: \\frac{d}{dt} E_{y∼p_g}[ℓ(y + t)]\\Big|_{t=0} = E_{x∼p_g}[∂ℓ/∂x]

    for the per-sample losses of :func:`sample_gradients` with D = D* (or the
    optimal critic f* for ``"wgan"``, old spelling ``"wasserstein"``). Returns a float in 1-D and a
    length-2 array in 2-D. The expectation is a quadrature on the grid,
    except for the 2-D Wasserstein case, which averages the optimal-transport
    arrows of ``n_samples`` fakes (an estimate).

    Examples
    --------
    >>> import ganviz as gv
    >>> data, fake = gv.Gaussian(0, 1), gv.Gaussian(8, 1)
    >>> gv.generator_gradient(data, fake, "minimax")        # ≈ 3.93e-4: vanishing
    >>> gv.generator_gradient(data, fake, "nonsaturating")  # ≈ 7.9996: alive
    >>> gv.generator_gradient(data, fake, "wgan")           # 1.0: the critic's slope

    (For unit Gaussians Δ apart the minimax value is Δ·∫ p_g D* dx, about
    3.93·10⁻⁴ at Δ = 8 (scipy.integrate.quad gives 3.9287e-4), 4.5·10⁻⁶ at
    Δ = 10 and 1.7·10⁻⁴⁹ at Δ = 30; the non-saturating one is Δ minus that.)
    """
    check.same_dim(p_data, p_g)
    loss = canonical_loss(loss, LOSSES)
    if loss == "wgan" and p_data.dim == 1 and grid is None:
        return _wasserstein_gradient_1d(p_data, p_g)
    if loss == "wgan" and p_data.dim == 2:
        n = check.sample_count(n_samples, "n_samples")
        fakes = p_g.sample(n, seed=seed)
        return _wasserstein_arrows_2d(p_data, fakes, seed).mean(axis=0)
    if p_data.dim == 1:
        g, lp, lq = pair_on_grid(p_data, p_g, grid, ("p_data", "p_g"))
        return g.integrate(np.exp(lq) * sample_gradients(p_data, p_g, g.points, loss))
    # 2-D: the arrows of sample_gradients from the log densities and scores on the grid,
    # both from one pass over its nodes per density (a second pass for the scores repeated
    # the exact fallback at the nodes between a ring's modes).
    g, lp, lq, score_p, score_q = pair_on_grid(p_data, p_g, grid, ("p_data", "p_g"), scores=True)
    q = np.exp(lq)
    grad_s = score_p - score_q
    flat = (lp == -np.inf) | (lq == -np.inf)
    s = _logit_of_logs(lp, lq)
    factor = special.expit(s) if loss == "minimax" else special.expit(-s)
    coef = np.where(flat, 0.0, g.weights * q * factor)
    if np.any(flat):
        grad_s = np.where(flat[:, None], 0.0, grad_s)
    return -np.einsum("i,ij->j", coef, grad_s)


def generator_loss(
    p_data: Distribution, p_g: Distribution, loss: str = "nonsaturating", grid=None
) -> float:
    """Expected generator loss with the discriminator at its optimum.

    * minimax: E_{p_g}[log(1 − D*)] (≤ 0; → 0 as D* → 0: saturated)
    * nonsaturating: E_{p_g}[−log D*] (``inf`` if p_g has mass where p_data has none)
    * wgan: W1(p_data, p_g) = E_data[f*] − E_g[f*], i.e. −E_g[f*] up to a
      constant that does not depend on P_g.
    """
    check.same_dim(p_data, p_g)
    loss = canonical_loss(loss, LOSSES)
    if loss == "wgan":
        return wasserstein_distance(p_data, p_g, grid)
    g, lp, lq = pair_on_grid(p_data, p_g, grid, ("p_data", "p_g"))
    s = _logit_of_logs(lp, lq)  # 0 (D* = ½) where both densities are 0
    # log(1 − σ(s)) = −softplus(s);  −log σ(s) = softplus(−s)
    per_point = -np.logaddexp(0.0, s) if loss == "minimax" else np.logaddexp(0.0, -s)
    has_mass = lq > -np.inf
    if loss == "nonsaturating" and np.any(has_mass & np.isinf(per_point)):
        return math.inf
    return g.integrate(np.exp(lq) * np.where(has_mass, per_point, 0.0))


# -- the generator gradient over many separations ---------------------------------------


#: Pilot points per row used to place the quadrature panels of each separation.
_PILOT_POINTS = 129
#: Gauss–Legendre nodes per panel, and the most panels one separation may use.
_CURVE_NODES_PER_PANEL = 8
_CURVE_MAX_PANELS = 600
#: |log p − log q| below which D* is still switching (e^-40 ≈ 4e-18).
_SWITCH_BAND = 40.0
#: Most panels one pilot interval may get for a switch of D*.
_SWITCH_PANELS = 64.0


def _region_arrays(dist: Distribution) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    regions = dist.regions(0)
    return (
        np.array([r.low for r in regions]),
        np.array([r.high for r in regions]),
        np.array([r.scale for r in regions]),
    )


def _separation_edges(p_data: Distribution, p_g: Distribution, seps: np.ndarray) -> np.ndarray:
    """Panel edges, one row per separation, all rows with the same number of edges.

    Row i integrates over y in P_g's own frame, where the pair is
    (p_data(y + Δᵢ), p_g(y)): P_g's jumps (a uniform's ends) are fixed edges
    and P_data's move with Δᵢ. Panels are *equidistributed* in a panel density
    λᵢ(y): one panel per local density scale (a Gaussian's σ), and 2/|s'| per
    unit length where D* switches from 1 to 0 (|s| < 40, s = log p − log q):
    between far-apart densities the minimax gradient lives entirely in that
    switch, of width σ²/Δ. Every row thus resolves its own switch with a few
    hundred nodes, instead of one common grid fine enough for all of them.
    """
    q_low, q_high, q_scale = _region_arrays(p_g)
    p_low, p_high, p_scale = _region_arrays(p_data)
    broadest = max(q_scale.max(), p_scale.max())
    lo = np.minimum(q_low.min(), p_low.min() - seps)  # (m,)
    hi = np.maximum(q_high.max(), p_high.max() - seps)
    u = np.linspace(0.0, 1.0, _PILOT_POINTS)
    y = lo[:, None] + (hi - lo)[:, None] * u  # (m, n) pilot points
    x = y + seps[:, None]
    # local density scale: the finest region covering the point (the broadest in gaps)
    scale = np.full(y.shape, broadest)
    for low, high, sc in zip(q_low, q_high, q_scale, strict=True):
        scale = np.where((y >= low) & (y <= high), np.minimum(scale, sc), scale)
    for low, high, sc in zip(p_low, p_high, p_scale, strict=True):
        scale = np.where((x >= low) & (x <= high), np.minimum(scale, sc), scale)
    lp, lq = p_data.logpdf(x), p_g.logpdf(y)
    s = _logit_of_logs(lp, lq)  # 0 (D* = ½) where both densities are 0
    both = (lp > -np.inf) & (lq > -np.inf)
    slope = np.where(both, np.abs(p_data.grad_logpdf(x) - p_g.grad_logpdf(y)), 0.0)
    crosses = (np.sign(s[:, :-1]) != np.sign(s[:, 1:])) | (
        np.minimum(np.abs(s[:, :-1]), np.abs(s[:, 1:])) < _SWITCH_BAND
    )
    steep = np.where(crosses, 0.5 * np.maximum(slope[:, :-1], slope[:, 1:]), 0.0)
    # A switch far narrower than a pilot interval would otherwise claim every panel of
    # the row (at Δ = 1000σ it starved P_g of panels: non-saturating 9 % low): at most
    # _SWITCH_PANELS panels per pilot interval for the switch.
    steep = np.minimum(steep, _SWITCH_PANELS / np.diff(y, axis=1))
    density = np.maximum(1.0 / np.minimum(scale[:, :-1], scale[:, 1:]), steep)
    cumulative = np.concatenate(
        [np.zeros((len(seps), 1)), np.cumsum(density * np.diff(y, axis=1), axis=1)], axis=1
    )
    n_panels = int(min(_CURVE_MAX_PANELS, max(8, math.ceil(cumulative[:, -1].max()))))
    targets = np.linspace(0.0, 1.0, n_panels + 1)
    edges = np.empty((len(seps), n_panels + 1))
    for i in range(len(seps)):  # one interpolation per row: cheap next to the integrands
        edges[i] = np.interp(targets * cumulative[i, -1], cumulative[i], y[i])
    # jumps of either density are always panel edges
    fixed = np.concatenate([q_low, q_high])[None, :].repeat(len(seps), axis=0)
    moving = np.concatenate([p_low, p_high])[None, :] - seps[:, None]
    extra = np.clip(np.concatenate([fixed, moving], axis=1), lo[:, None], hi[:, None])
    return np.sort(np.concatenate([edges, extra], axis=1), axis=1)


def _nodes_and_weights(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nodes, weights = _legendre(_CURVE_NODES_PER_PANEL)
    left, span = edges[:, :-1, None], np.diff(edges, axis=1)[:, :, None]
    m = len(edges)
    return (
        (left + 0.5 * span * (nodes + 1.0)).reshape(m, -1),
        (0.5 * span * weights).reshape(m, -1),
    )


def _wasserstein_curve(p_data, p_g, seps, edges) -> np.ndarray:
    """−E_g[sign(F_g − F_data)] for every separation, exact up to locating CDF crossings.

    The optimal critic's slope is piecewise constant, so the expectation is a
    signed sum of P_g-probabilities of the intervals between crossings of
    F_g(y) and F_data(y + Δ); a crossing between two edges is located to
    round-off by the core's safeguarded Newton iteration.
    """
    y = edges  # (m, n)
    x = y + seps[:, None]
    fq = p_g.cdf(y)
    diff = fq - p_data.cdf(x)
    sign = np.sign(diff)
    s0, s1 = sign[:, :-1], sign[:, 1:]
    # Without a strict sign change the interval has one sign (where F_g − F_data is exactly
    # 0 at one end — both CDFs 0 or 1 in the far tails — the other end's).
    crossing = s0 * s1 < 0
    one_sign = np.where(s0 != 0, s0, s1)
    total = np.where(crossing, 0.0, one_sign * np.diff(fq, axis=1)).sum(axis=1)
    rows, cols = np.nonzero(crossing)
    if len(rows):
        shift = seps[rows]
        root = _roots(
            lambda t: p_g.cdf(t) - p_data.cdf(t + shift),
            lambda t: p_g.pdf(t) - p_data.pdf(t + shift),
            y[rows, cols],
            y[rows, cols + 1],
        )
        f_root = p_g.cdf(root)
        part = s0[rows, cols] * (f_root - fq[rows, cols]) + s1[rows, cols] * (
            fq[rows, cols + 1] - f_root
        )
        np.add.at(total, rows, part)
    # P_g's mass beyond the outermost edges
    total += sign[:, 0] * fq[:, 0] + sign[:, -1] * (1.0 - fq[:, -1])
    return -total


def gradient_curves(
    p_data: Distribution, p_g: Distribution, separations, losses=LOSSES
) -> dict[str, np.ndarray]:
    """Generator gradient of each loss for P_g translated by every separation, at once (1-D).

    For each Δ in ``separations`` this is
    ``ganviz.generator_gradient(p_data, p_g.shift(Δ), loss)``:

    .. math::

        g(Δ) = E_{y∼p_g}[ℓ'(y + Δ)], \\quad
        ℓ' = -D^*·s' \\text{ (minimax)},\\ -(1 - D^*)·s' \\text{ (non-saturating)},\\
        -\\operatorname{sign}(F_g - F_{data}) \\text{ (Wasserstein)}

    with s = log p_data − log p_g. All separations are evaluated at once, each
    on its own panels in P_g's frame (same count for every row, placed where
    that pair needs them; see :func:`_separation_edges`). The minimax and
    non-saturating integrands are formed in log space, so a minimax gradient
    of 1e-200 is resolved, not rounded to 0; below about 1e-308 it is exactly 0.
    For equal-variance Gaussians N(0, σ²) and N(Δ, σ²): minimax = (Δ/σ²)·E_g[D*],
    non-saturating = (Δ/σ²)·E_g[1 − D*], Wasserstein = sign(Δ).

    Returns a dict loss → array of the shape of ``separations`` (signed).

    Examples
    --------
    >>> import numpy as np, ganviz as gv
    >>> from ganviz.gradients import gradient_curves
    >>> curves = gradient_curves(gv.Gaussian(0, 1), gv.Gaussian(0, 1), np.linspace(0.1, 12, 60))
    >>> curves["minimax"][-1], curves["nonsaturating"][-1], curves["wgan"][-1]
    """
    check.same_dim(p_data, p_g)
    if p_data.dim != 1:
        raise ValueError(
            "gradient_curves is 1-D only (p_data and p_g are 2-D); in 2-D use "
            "ganviz.generator_gradient for each separation"
        )
    if isinstance(losses, str):
        losses = (losses,)
    losses = tuple(canonical_loss(loss, LOSSES) for loss in losses)
    seps = check.finite_array(separations, "separations")
    shape = seps.shape
    seps = seps.reshape(-1)
    if seps.size == 0:
        return LossDict((loss, np.zeros(shape)) for loss in losses)
    edges = _separation_edges(p_data, p_g, seps)
    out: dict[str, np.ndarray] = {}
    score_losses = [loss for loss in losses if loss != "wgan"]
    if score_losses:
        y, w = _nodes_and_weights(edges)  # (m, n) each
        x = y + seps[:, None]
        lq = p_g.logpdf(y)
        lp = p_data.logpdf(x)
        flat = (lp == -np.inf) | (lq == -np.inf)  # D* locally constant: no gradient
        slope = np.where(flat, 0.0, p_data.grad_logpdf(x) - p_g.grad_logpdf(y))
        s = _logit_of_logs(lp, lq)  # 0 (D* = ½) where both densities are 0
        with np.errstate(divide="ignore"):
            log_q_slope = lq + np.log(np.abs(slope))  # −inf where the slope is 0
        sign = -np.sign(slope)
        # log(q·D*) = lq − softplus(−s) and log(q·(1 − D*)) = lq − softplus(s), sharing
        # softplus(±s) = max(±s, 0) + log1p(e^{−|s|}) (s = ±inf only where the slope is 0).
        shared = log_q_slope - np.log1p(np.exp(-np.abs(s)))
        for loss in score_losses:
            part = np.minimum(s, 0.0) if loss == "minimax" else np.minimum(-s, 0.0)
            with np.errstate(invalid="ignore"):
                terms = sign * np.exp(shared + part)
            terms[flat] = 0.0
            out[loss] = np.einsum("ij,ij->i", terms, w).reshape(shape)
        # Rows whose pilot points are too sparse to see the densities (separations or
        # scale ratios far beyond the view: pilot spacing > 2 × the finest scale) go
        # through the core's adaptive grid instead, one separation at a time.
        for i in np.nonzero(_coarse_rows(p_data, p_g, seps))[0]:
            shifted = p_g.shift(float(seps[i]))
            for loss in score_losses:
                out[loss].flat[i] = generator_gradient(p_data, shifted, loss)
    if "wgan" in losses:
        out["wgan"] = _wasserstein_curve(p_data, p_g, seps, edges).reshape(shape)
    return LossDict((loss, out[loss]) for loss in losses)


def _coarse_rows(p_data: Distribution, p_g: Distribution, seps: np.ndarray) -> np.ndarray:
    """True where the pilot spacing of :func:`_separation_edges` exceeds 2 × the finest scale."""
    q_low, q_high, q_scale = _region_arrays(p_g)
    p_low, p_high, p_scale = _region_arrays(p_data)
    lo = np.minimum(q_low.min(), p_low.min() - seps)
    hi = np.maximum(q_high.max(), p_high.max() - seps)
    finest = min(q_scale.min(), p_scale.min())
    return (hi - lo) / (_PILOT_POINTS - 1) > 2.0 * finest


def gradient_vs_separation(
    p_data: Distribution, p_g: Distribution, separations, loss: str = "nonsaturating"
) -> np.ndarray:
    """One loss of :func:`gradient_curves`: the generator gradient for P_g shifted by each Δ (1-D).

    .. math:: g(Δ) = \\frac{d}{dt} E_{y∼p_g}[ℓ(y + Δ + t)]\\Big|_{t=0}

    Examples
    --------
    >>> import numpy as np, ganviz as gv
    >>> from ganviz.gradients import gradient_vs_separation
    >>> gradient_vs_separation(gv.Gaussian(0, 1), gv.Gaussian(0, 1), [2.0, 8.0], "minimax")
    """
    loss = canonical_loss(loss, LOSSES)
    return gradient_curves(p_data, p_g, separations, (loss,))[loss]


# -- generator costs against D(G(z)) -----------------------------------------


def _logit_of(d) -> np.ndarray:
    d = check.finite_array(d, "d")
    if np.any((d < 0) | (d > 1)):
        raise ValueError("d must be probabilities D(G(z)) in [0, 1]")
    with np.errstate(divide="ignore"):
        return special.logit(d)


def generator_cost(d, loss: str = "minimax") -> np.ndarray:
    """Generator cost J(G) as a function of the discriminator's output D = D(G(z)).

    * minimax: log(1 − D)  (flat near D = 0, where a good D puts the fakes)
    * nonsaturating: −log D  (steep near D = 0: the "log D trick")
    * maximum_likelihood: −½·D/(1 − D) = −½·exp(σ⁻¹(D))

    Computed from the logit a = σ⁻¹(D) with softplus, so D = 0 and D = 1 give
    ±inf or 0, never NaN.
    """
    loss = check.choice(loss, GENERATOR_COSTS, "loss")
    a = _logit_of(d)
    if loss == "minimax":
        return -np.logaddexp(0.0, a)
    if loss == "nonsaturating":
        return np.logaddexp(0.0, -a)
    return -0.5 * np.exp(a)


def generator_cost_gradient(d, loss: str = "minimax", wrt: str = "logit") -> np.ndarray:
    """Derivative of :func:`generator_cost` with respect to the logit a (default) or D.

    With respect to the discriminator's logit a (what back-propagates into
    the generator): minimax −D, nonsaturating −(1 − D), maximum_likelihood
    −½·D/(1 − D). With respect to D: −1/(1 − D), −1/D, −½/(1 − D)².
    """
    loss = check.choice(loss, GENERATOR_COSTS, "loss")
    wrt = check.choice(wrt, ("logit", "d"), "wrt")
    a = _logit_of(d)
    dd = special.expit(a)
    if wrt == "logit":
        if loss == "minimax":
            return -dd
        if loss == "nonsaturating":
            return -special.expit(-a)
        return -0.5 * np.exp(a)
    with np.errstate(divide="ignore"):
        if loss == "minimax":
            return -1.0 / (1.0 - dd)
        if loss == "nonsaturating":
            return -1.0 / dd
        return -0.5 / (1.0 - dd) ** 2
