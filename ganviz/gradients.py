"""What the generator feels: its loss and gradient when the discriminator is optimal.

Three generator losses, with s(x) = log p_data(x) − log p_g(x) the logit of
D* = σ(s):

====================  ==========================  =====================================
loss                  per-sample loss ℓ(x)         ∂ℓ/∂x
====================  ==========================  =====================================
``"minimax"``         log(1 − D*(x)) = −softplus(s)  −D*(x) ∇s(x)
``"nonsaturating"``   −log D*(x) = softplus(−s)      −(1 − D*(x)) ∇s(x)
``"wasserstein"``     −f*(x) (optimal critic)        −∇f*(x); in 1-D −sign(F_g − F_data)
====================  ==========================  =====================================

The minimax gradient carries a factor D*(x): where the discriminator
confidently rejects the fakes (D* → 0, supports far apart) it vanishes. The
non-saturating "log D trick" carries 1 − D* → 1 instead, and the Wasserstein
critic has slope of magnitude 1 wherever the CDFs differ.

:func:`generator_gradient` is d/dt of the expected loss when P_g is
translated by t with the discriminator held fixed at D* (or f*). By the
change of variables x = y + t this equals E_{x∼p_g}[∂ℓ/∂x], so the arrows of
:func:`sample_gradients` average to it.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from . import _validation as check
from .distributions import Distribution
from .grids import auto_grid
from .theory import (
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
    "sample_gradients",
]

#: Loss names understood by :func:`generator_gradient` and :func:`sample_gradients`.
LOSSES = ("minimax", "nonsaturating", "wasserstein")

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
    * wasserstein: ∂/∂x (−f*(x)); in 1-D −sign(F_g(x) − F_data(x)); in 2-D the
      unit vector from the data point optimally matched with each fake (the
      optimal transport between ``x`` and an equally large data sample drawn
      with ``seed``; an estimate, as W1 is in 2-D).

    with s = log p_data − log p_g. Returns the shape of ``x``.
    """
    check.same_dim(p_data, p_g)
    loss = check.choice(loss, LOSSES, "loss")
    x = check.points(x, p_data.dim)
    if loss == "wasserstein":
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
    optimal critic f* for ``"wasserstein"``). Returns a float in 1-D and a
    length-2 array in 2-D. The expectation is a quadrature on the grid,
    except for the 2-D Wasserstein case, which averages the optimal-transport
    arrows of ``n_samples`` fakes (an estimate).

    Examples
    --------
    >>> import ganviz as gv
    >>> data, fake = gv.Gaussian(0, 1), gv.Gaussian(8, 1)
    >>> gv.generator_gradient(data, fake, "minimax")        # ≈ 3.93e-4: vanishing
    >>> gv.generator_gradient(data, fake, "nonsaturating")  # ≈ 7.9996: alive
    >>> gv.generator_gradient(data, fake, "wasserstein")    # 1.0: the critic's slope

    (For unit Gaussians Δ apart the minimax value is Δ·∫ p_g D* dx, about
    3.93·10⁻⁴ at Δ = 8 (scipy.integrate.quad gives 3.9287e-4), 4.5·10⁻⁶ at
    Δ = 10 and 1.7·10⁻⁴⁹ at Δ = 30; the non-saturating one is Δ minus that.)
    """
    check.same_dim(p_data, p_g)
    loss = check.choice(loss, LOSSES, "loss")
    if loss == "wasserstein" and p_data.dim == 1 and grid is None:
        return _wasserstein_gradient_1d(p_data, p_g)
    if loss == "wasserstein" and p_data.dim == 2:
        n = check.sample_count(n_samples, "n_samples")
        fakes = p_g.sample(n, seed=seed)
        return _wasserstein_arrows_2d(p_data, fakes, seed).mean(axis=0)
    g, _, lq = pair_on_grid(p_data, p_g, grid, ("p_data", "p_g"))
    q = np.exp(lq)
    arrows = sample_gradients(p_data, p_g, g.points, loss)
    if p_data.dim == 1:
        return g.integrate(q * arrows)
    return np.array([g.integrate(q * arrows[:, 0]), g.integrate(q * arrows[:, 1])])


def generator_loss(
    p_data: Distribution, p_g: Distribution, loss: str = "nonsaturating", grid=None
) -> float:
    """Expected generator loss with the discriminator at its optimum.

    * minimax: E_{p_g}[log(1 − D*)] (≤ 0; → 0 as D* → 0: saturated)
    * nonsaturating: E_{p_g}[−log D*] (``inf`` if p_g has mass where p_data has none)
    * wasserstein: W1(p_data, p_g) = E_data[f*] − E_g[f*], i.e. −E_g[f*] up to a
      constant that does not depend on P_g.
    """
    check.same_dim(p_data, p_g)
    loss = check.choice(loss, LOSSES, "loss")
    if loss == "wasserstein":
        return wasserstein_distance(p_data, p_g, grid)
    g, lp, lq = pair_on_grid(p_data, p_g, grid, ("p_data", "p_g"))
    with np.errstate(invalid="ignore"):
        s = lp - lq
    s = np.where(np.isnan(s), 0.0, s)  # both densities 0: D* = ½
    # log(1 − σ(s)) = −softplus(s);  −log σ(s) = softplus(−s)
    per_point = -np.logaddexp(0.0, s) if loss == "minimax" else np.logaddexp(0.0, -s)
    has_mass = lq > -np.inf
    if loss == "nonsaturating" and np.any(has_mass & np.isinf(per_point)):
        return math.inf
    return g.integrate(np.exp(lq) * np.where(has_mass, per_point, 0.0))


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
