"""Which divergence does each GAN loss minimise? The f-divergence table, landscapes and fits.

An **f-divergence** (Csiszár; Ali & Silvey) compares P = P_data with Q = P_g through a convex
generator f with f(1) = 0:

.. math:: D_f(P\\|Q) = \\int q(x)\\, f\\Big(\\frac{p(x)}{q(x)}\\Big)\\, dx
          = \\sup_T\\; E_P[T(x)] - E_Q[f^*(T(x))],

where f*(t) = sup_u (t·u − f(u)) is f's convex conjugate. The variational form is the f-GAN
of Nowozin, Cseke & Tomioka (2016): the discriminator plays T, the generator minimises the
supremum. At the optimal discriminator each classic GAN loss minimises one divergence:

=================  =================================  ===============================  ==========
name               generator f(u)                     GAN loss at the optimal D        source
=================  =================================  ===============================  ==========
``kl_forward``     u log u                            maximum likelihood               [N16]
``kl_reverse``     −log u                             f-GAN (reverse KL)               [N16]
``js``             ½[u log u − (u+1) log((u+1)/2)]    minimax (as 2·JS − log 4)        [G14, N16]
``gan``            u log u − (u+1) log(u+1)           minimax: V(G, D*) = 2·JS − log 4 [G14, N16]
``nonsaturating``  (u+1) log((u+1)/(2u))              −log D (expected gradient)       [AB17]
``lsgan``          (u−1)²/(u+1)                       LSGAN, a=−1, b=1, c=0            [M17]
``pearson``        (u−1)²                             f-GAN (Pearson χ²)               [N16]
``hellinger``      ½(√u − 1)²                         f-GAN (squared Hellinger)        [N16]
=================  =================================  ===============================  ==========

and the WGAN critic gives W1 (``w1``, not an f-divergence) [A17]. In words:

* KL(P_data‖P_g) = E_data[log p_data] − E_data[log p_g]: minimising it over P_g *is* maximum
  likelihood (the first term does not depend on P_g).
* ``nonsaturating``: with D held at D*, the expected gradient of E_g[−log D*] equals the
  gradient of KL(P_g‖P_data) − 2·JS(P_data‖P_g) (Arjovsky & Bottou 2017, Thm 2.5). That
  difference is itself an f-divergence: KL(Q‖P) − 2·JS = 2·KL(M‖P), M = ½(P + Q).
* ``lsgan``: Mao et al. (2017, eq. 9) write it χ²_Pearson(P_data + P_g ‖ 2P_g)
  = ∫ (p − q)²/(p + q) dx, bounded by 2 like JS.
* ``pearson`` is χ²(P_data‖P_g) = ∫ (p − q)²/q = ∫ p²/q − 1, infinite when P_g's tails are
  too light (for Gaussian tails of widths s_data, s_g: unless 2·s_g² > s_data²).
* ``hellinger`` is H² = 1 − ∫ √(pq) ∈ [0, 1]; Nowozin et al.'s row f(u) = (√u − 1)² is 2·H².

[G14] Goodfellow et al., *Generative Adversarial Nets*, 2014, Thm 1.
[N16] Nowozin, Cseke & Tomioka, *f-GAN*, 2016, Tables 1–2.
[AB17] Arjovsky & Bottou, *Towards Principled Methods for Training GANs*, 2017, Thm 2.5.
[M17] Mao et al., *Least Squares Generative Adversarial Networks*, 2017, Sec. 3.2.
[A17] Arjovsky, Chintala & Bottou, *Wasserstein GAN*, 2017.

Everything here is numpy/scipy. :func:`f_divergence` integrates on the core's adaptive grid
(:func:`ganviz.theory.pair_on_grid`) in log space. :func:`divergence_landscape` (every
objective for a whole lattice of Gaussians N(μ, σ²) at once), :func:`fit_divergence`
(scipy) and :func:`mixture_of_modes` live in :mod:`ganviz.divergence_landscapes` and are
served from here too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special

from . import _validation as check
from .distributions import Distribution, Gaussian
from .grids import make_grid
from .theory import _js, _kl, pair_on_grid, wasserstein_distance

__all__ = [
    "F_DIVERGENCES",
    "OBJECTIVES",
    "OBJECTIVE_LABELS",
    "FDivergence",
    "divergence",
    "f_divergence",
    "generator_integral",
]

LOG2 = math.log(2.0)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


@dataclass(frozen=True)
class FDivergence:
    """One row of the table: D_f(P_data‖P_g) = ∫ p_g f(p_data/p_g), its conjugate and its GAN."""

    name: str
    label: str
    f: Callable[[np.ndarray], np.ndarray]
    conjugate: Callable[[np.ndarray], np.ndarray] | None
    f_text: str
    conjugate_text: str
    gan_loss: str
    source: str


def _xlogx(u):
    return special.xlogy(u, u)


def _lsgan_conjugate(t):
    t = np.asarray(t, dtype=float)
    with np.errstate(invalid="ignore"):
        inner = 4.0 - t - 4.0 * np.sqrt(1.0 - t)
    return np.where(t < -3.0, -1.0, inner)


def _pearson_conjugate(t):
    t = np.asarray(t, dtype=float)
    return np.where(t < -2.0, -1.0, t * t / 4.0 + t)


#: The f-divergence table (see the module docstring). ``conjugate`` is ``None`` without a
#: closed form.
F_DIVERGENCES: dict[str, FDivergence] = {
    row.name: row
    for row in (
        FDivergence(
            "kl_forward",
            "KL(P_data‖P_g)",
            _xlogx,
            lambda t: np.exp(np.asarray(t) - 1.0),
            "u log u",
            "exp(t − 1)",
            "maximum likelihood (explicit density)",
            "Nowozin et al. 2016, Table 1",
        ),
        FDivergence(
            "kl_reverse",
            "KL(P_g‖P_data)",
            lambda u: -np.log(u),
            lambda t: -1.0 - np.log(-np.asarray(t)),
            "−log u",
            "−1 − log(−t), t < 0",
            "f-GAN, reverse KL",
            "Nowozin et al. 2016, Table 1",
        ),
        FDivergence(
            "js",
            "JS(P_data‖P_g)",
            lambda u: 0.5 * (_xlogx(u) - (u + 1.0) * np.log((u + 1.0) / 2.0)),
            lambda t: -0.5 * np.log(2.0 - np.exp(2.0 * np.asarray(t))),
            "½[u log u − (u+1) log((u+1)/2)]",
            "−½ log(2 − e^{2t}), t < ½ log 2",
            "minimax, V(G, D*) = 2·JS − log 4",
            "Goodfellow et al. 2014, Thm 1; Nowozin et al. 2016, Table 1",
        ),
        FDivergence(
            "gan",
            "2·JS − log 4",
            lambda u: _xlogx(u) - (u + 1.0) * np.log(u + 1.0),
            lambda t: -np.log(1.0 - np.exp(np.asarray(t))),
            "u log u − (u+1) log(u+1)",
            "−log(1 − e^t), t < 0",
            "minimax: V(G, D*) itself",
            "Goodfellow et al. 2014, Thm 1; Nowozin et al. 2016, Table 2",
        ),
        FDivergence(
            "nonsaturating",
            "KL(P_g‖P_data) − 2·JS",
            lambda u: (u + 1.0) * np.log((u + 1.0) / (2.0 * u)),
            None,
            "(u+1) log((u+1)/(2u))",
            "— (no closed form)",
            "non-saturating −log D: same expected gradient",
            "Arjovsky & Bottou 2017, Thm 2.5",
        ),
        FDivergence(
            "lsgan",
            "χ²(P_data+P_g‖2P_g)",
            lambda u: (u - 1.0) ** 2 / (u + 1.0),
            _lsgan_conjugate,
            "(u−1)²/(u+1)",
            "4 − t − 4√(1−t) for −3 ≤ t < 1, −1 below",
            "least squares (LSGAN, a=−1, b=1, c=0)",
            "Mao et al. 2017, eq. 9",
        ),
        FDivergence(
            "pearson",
            "Pearson χ²(P_data‖P_g)",
            lambda u: (u - 1.0) ** 2,
            _pearson_conjugate,
            "(u − 1)²",
            "t²/4 + t for t ≥ −2, −1 below (f-GAN extends f to u < 0: t²/4 + t)",
            "f-GAN, Pearson χ²",
            "Nowozin et al. 2016, Table 1",
        ),
        FDivergence(
            "hellinger",
            "squared Hellinger H²",
            lambda u: 0.5 * (np.sqrt(u) - 1.0) ** 2,
            lambda t: np.asarray(t) / (1.0 - 2.0 * np.asarray(t)),
            "½(√u − 1)²",
            "t/(1 − 2t), t < ½",
            "f-GAN, squared Hellinger (their f is 2·H²)",
            "Nowozin et al. 2016, Table 1",
        ),
    )
}

#: What a single Gaussian P_g can be fitted by, in the explorer's order.
OBJECTIVES = (
    "kl_forward",
    "kl_reverse",
    "js",
    "nonsaturating",
    "lsgan",
    "pearson",
    "hellinger",
    "w1",
)

#: Short labels of :data:`OBJECTIVES` (legends, dropdowns).
OBJECTIVE_LABELS = {
    "kl_forward": "forward KL = MLE",
    "kl_reverse": "reverse KL",
    "js": "JS (minimax)",
    "nonsaturating": "KL(g‖data) − 2·JS (non-saturating)",
    "lsgan": "χ²(data+g‖2g) (LSGAN)",
    "pearson": "Pearson χ²(data‖g)",
    "hellinger": "squared Hellinger",
    "w1": "W1 (WGAN)",
}


# -- tails: when is Pearson χ² finite? -------------------------------------------------


def _gaussian_pieces(dist: Distribution):
    """The normal pieces whose tails ``dist`` has (none for bounded support); None when unknown."""
    try:
        return [p for p in dist.pieces() if p.base == "normal"]
    except LookupError:
        return None


def _tail_std(dist: Distribution) -> float | None:
    """Width s of the Gaussian tails (0 for bounded support; None when unknown, 1-D)."""
    pieces = _gaussian_pieces(dist)
    if pieces is None:
        return None
    return max((float(p.scale[0, 0]) for p in pieces), default=0.0)


def _component_covariances(dist: Distribution) -> list[np.ndarray] | None:
    """Covariances S·Sᵀ of the Gaussian pieces whose tails ``dist`` has (2-D); None when unknown."""
    pieces = _gaussian_pieces(dist)
    if pieces is None:
        return None
    # A KDE's kernels share one covariance: check each distinct one once.
    unique = {p.scale.tobytes(): p.scale for p in pieces}
    return [s @ s.T for s in unique.values()]


def _pearson_tails_infinite(p: Distribution, q: Distribution) -> bool:
    """∫ p²/q diverges in the tails.

    1-D: Gaussian-like tails of widths s_p, s_q need 2·s_q² > s_p². 2-D (q a Gaussian):
    every Gaussian piece Σ_k of p needs 2Σ_k⁻¹ − Σ_q⁻¹ positive definite.
    """
    if not p.full_support:
        return False
    if p.dim == 1:
        s_p, s_q = _tail_std(p), _tail_std(q)
        if s_p is None or s_q is None:
            return False
        return not 2.0 * s_q**2 > s_p**2
    pieces = _component_covariances(p)
    if pieces is None or not isinstance(q, Gaussian):
        return False
    q_precision = np.linalg.inv(np.atleast_2d(q.covariance))
    return any(
        np.linalg.eigvalsh(2.0 * np.linalg.inv(cov) - q_precision).min() <= 0 for cov in pieces
    )


# -- one pair, adaptive quadrature -------------------------------------------------------


def _pearson_grid(p: Distribution, q: Distribution, g, lp, lq):
    """Extend the pair's grid over the bump of p²/q, which may lie far outside both densities.

    For Gaussian tails of widths s_p < s_q√2 the integrand is a Gaussian of width
    (2/s_p² − 1/s_q²)^{−½} centred at (2μ_p/s_p² − μ_q/s_q²)/(2/s_p² − 1/s_q²): far out when
    q is narrow and offset. The bump is found on a wide probe and given panels of its own.
    """
    spread = max(r.high - r.low for d in (p, q) for r in d.regions(0))
    lo, hi = float(g.points[0]), float(g.points[-1])
    probe = np.linspace(lo - 3.0 * spread, hi + 3.0 * spread, 8001)
    with np.errstate(invalid="ignore"):
        log_terms = 2.0 * p.logpdf(probe) - q.logpdf(probe)
    log_terms = np.where(np.isnan(log_terms), -np.inf, log_terms)
    top = float(np.max(log_terms))
    if not np.isfinite(top):
        return g, lp, lq
    inside = probe[log_terms > top - 60.0]  # e^{−60} of the peak is negligible
    if inside[0] >= lo and inside[-1] <= hi:
        return g, lp, lq
    centre = float(probe[np.argmax(log_terms)])
    width = max(float(inside[-1] - inside[0]) / 22.0, float(probe[1] - probe[0]))
    extra = Gaussian(centre, width)
    fine = make_grid((p, q, extra), None)
    return fine, p.logpdf(fine.points), q.logpdf(fine.points)


def f_divergence(p: Distribution, q: Distribution, name: str, grid=None) -> float:
    """D_f(P‖Q) for a row of :data:`F_DIVERGENCES`, by quadrature in log space (nats).

    p is P_data and q is P_g (``D_f(P‖Q) = ∫ q f(p/q)``). Each row is integrated from a
    stable log-space form of its integrand rather than from f (``kl_forward`` and
    ``kl_reverse`` and ``js`` reuse :mod:`ganviz.theory`):

    .. math::

        \\chi^2 = \\int e^{2\\log p - \\log q} - 1, \\quad
        H^2 = 1 - \\int e^{(\\log p + \\log q)/2}, \\quad
        \\text{lsgan} = \\int (p + q)\\tanh^2\\frac{\\log p - \\log q}{2}

    ``inf`` where the divergence is infinite (KL with missing support; Pearson χ² with
    tails of P_g too light, see :func:`_pearson_tails_infinite`). ``grid`` as in the
    theory functions.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.f_divergences import f_divergence
    >>> f_divergence(gv.Gaussian(0, 1), gv.Gaussian(1, 1), "hellinger")   # 1 − e^{−1/8}
    0.1175030974...
    """
    name = check.choice(name, F_DIVERGENCES, "name")
    g, lp, lq = pair_on_grid(p, q, grid, ("p", "q"))
    if name == "kl_forward":
        return _kl(p, q, g, lp, lq)
    if name == "kl_reverse":
        return _kl(q, p, g, lq, lp)
    if name == "js":
        return _js(g, lp, lq)
    if name == "gan":
        return 2.0 * _js(g, lp, lq) - 2.0 * LOG2
    if name == "nonsaturating":
        reverse = _kl(q, p, g, lq, lp)
        return reverse if math.isinf(reverse) else reverse - 2.0 * _js(g, lp, lq)
    if name == "hellinger":
        return float(np.clip(1.0 - g.integrate(np.exp(0.5 * (lp + lq))), 0.0, 1.0))
    if name == "lsgan":
        with np.errstate(invalid="ignore"):
            ratio = np.tanh(0.5 * (lp - lq))
        terms = np.where(np.isnan(ratio), 0.0, np.exp(np.logaddexp(lp, lq)) * ratio**2)
        return float(np.clip(g.integrate(terms), 0.0, 2.0))
    # pearson: ∫ p²/q − 1
    has_mass = lp > -np.inf
    if np.any(has_mass & (lq == -np.inf)) or (p.full_support and not q.full_support):
        return math.inf
    if _pearson_tails_infinite(p, q):
        return math.inf
    if grid is None and p.dim == 1:
        g, lp, lq = _pearson_grid(p, q, g, lp, lq)
        has_mass = lp > -np.inf
    with np.errstate(over="ignore"):
        terms = np.where(has_mass, np.exp(2.0 * lp - np.where(has_mass, lq, 0.0)), 0.0)
    return max(float(g.integrate(terms)) - 1.0, 0.0)


def divergence(p_data: Distribution, p_g: Distribution, name: str, grid=None) -> float:
    """Any objective of :data:`OBJECTIVES` (and :data:`F_DIVERGENCES`) between P_data and P_g.

    ``"w1"`` is :func:`ganviz.wasserstein_distance`; the others :func:`f_divergence`.
    """
    if name == "w1":
        return wasserstein_distance(p_data, p_g, grid=grid)
    return f_divergence(p_data, p_g, name, grid)


def generator_integral(p: Distribution, q: Distribution, f, grid=None) -> float:
    """∫ q f(p/q) straight from a generator f (a check of the table; no log-space care).

    Points where q = 0 are skipped (where p > 0 there the f-divergence adds p·f'(∞)).
    """
    g = make_grid((p, q), grid)
    pp, qq = p.pdf(g.points), q.pdf(g.points)
    keep = qq > 0
    terms = np.zeros_like(qq)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms[keep] = qq[keep] * f(pp[keep] / qq[keep])
    return g.integrate(np.nan_to_num(terms, nan=0.0))


# The lattice, landscapes and fits live in their own module (which imports this one);
# its public names are served from here too, lazily, as ``ganviz`` serves its own.
def __getattr__(name: str):
    from . import divergence_landscapes

    if name not in divergence_landscapes.__all__:
        raise AttributeError(f"module 'ganviz.f_divergences' has no attribute {name!r}")
    value = getattr(divergence_landscapes, name)
    globals()[name] = value
    return value
