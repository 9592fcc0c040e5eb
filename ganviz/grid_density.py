"""Log densities and scores of a distribution on a whole 2-D tensor grid, fast.

A 2-D quadrature :class:`~ganviz.grids.Grid` is a tensor product of two axes
u (nodes aᵢ) and v (nodes bⱼ) in a rotated frame F (x = a·F[:, 0] + b·F[:, 1]).
A normal piece N(μ, Σ) whose precision is diagonal in that frame (P' = FᵀΣ⁻¹F,
P'₀₁ = 0; every isotropic component, every kernel of a KDE) factorises:

.. math::

    w_k N_k(x) = e^{α_k(a)}\\, e^{β_k(b)}, \\quad
    α_k(a) = \\log w_k - \\log 2π - \\log|L_k| - ½P'_{00}(a - c_0)^2, \\quad
    β_k(b) = -½P'_{11}(b - c_1)^2

with c = Fᵀμ, so the mixture on the grid is one matrix product

.. math:: \\sum_k w_k N_k = e^{A(a) + B(b)} \\sum_k e^{α_k(a) - A(a)} e^{β_k(b) - B(b)}

(A, B the maxima over k), and its score in the frame is two more products
(∂_a log p = Σ_k w_k N_k·(−P'_{00,k}(a − c_{0,k})) / p, likewise in b). The
mixture of K pieces on an n×n grid thus costs K·n exponentials and an
(n×K)(K×n) product instead of K·n² exponentials: the 25-component "grid25"
on a 464² grid drops from ~120 ms to a few ms. Where the scaled sum is too
small to trust (no single piece is near both coordinates of a node: between
the modes of a ring) those nodes are recomputed exactly, from the same α and
β; pieces not diagonal in the frame
are added in log space node by node; distributions without normal pieces use
their own :meth:`~ganviz.distributions.Distribution.logpdf`. A
:meth:`~ganviz.grids.Grid.union` is evaluated part by part.
"""

from __future__ import annotations

import math

import numpy as np

from .distributions import Distribution
from .grids import Grid

__all__ = ["log_density", "log_density_and_score"]

#: Relative off-diagonal of P' below which a piece counts as diagonal in the frame
#: (the neglected cross term is at most this fraction of the quadratic form).
_DIAGONAL = 1e-14
#: Factors e^{α_k(a) − A(a)}, e^{β_k(b) − B(b)} below e^{_DROP} are set to 0, and nodes whose
#: scaled sum is below _TRUSTED are recomputed exactly. Why: x86 multiplies and
#: exponentiates subnormal numbers (below 2.2e-308) ~100 times slower, and a ring's grid
#: is half such nodes (exp alone took 65 ms per 10⁶ of them). A kept product is ≥ e^{2·_DROP}
#: ≈ 1e-296, never subnormal; the dropped terms add at most K·e^{_DROP} ≈ K·1e-148 to a sum
#: that is trusted only above 1e-100, a relative error far below round-off.
_DROP = -340.0
_TRUSTED = 1e-100
#: Exponents are clipped here in the exact recomputation: e^{-700} ≈ 1e-304 is still a
#: normal float (no slow subnormal path), and a term that small cannot move a sum ≥ 1.
_LOWEST_EXPONENT = -700.0


def _frame(g: Grid) -> np.ndarray:
    return np.eye(2) if g.frame is None else g.frame


def _normal_pieces(dist: Distribution):
    """(log w, c, P', log|L|) per normal piece in the grid frame, or ``None`` (not all normal)."""
    try:
        pieces = dist.pieces()
    except LookupError:
        return None
    if not pieces or any(p.base != "normal" for p in pieces):
        return None
    return pieces


def _split(pieces, frame: np.ndarray):
    """Arrays for the frame-diagonal pieces and a list of the others."""
    diag, other = [], []
    for piece in pieces:
        prec = np.linalg.inv(piece.scale @ piece.scale.T)
        pf = frame.T @ prec @ frame
        centre = frame.T @ piece.loc
        log_norm = (
            math.log(piece.weight)
            - math.log(2 * math.pi)
            - math.log(abs(float(np.linalg.det(piece.scale))))
        )
        row = (log_norm, centre[0], centre[1], pf[0, 0], pf[0, 1], pf[1, 1])
        if abs(pf[0, 1]) <= _DIAGONAL * math.sqrt(pf[0, 0] * pf[1, 1]):
            diag.append(row)
        else:
            other.append(row)
    return np.array(diag).reshape(-1, 6), other


def _kept_exp(x: np.ndarray) -> np.ndarray:
    """e^x, and exactly 0 where x < _DROP (no subnormal factors, see :data:`_DROP`)."""
    return np.where(x >= _DROP, np.exp(np.maximum(x, _DROP)), 0.0)


def _tensor_product(eb: np.ndarray, ea: np.ndarray) -> np.ndarray:
    """Σ_k eb[k, j]·ea[k, i] as an (nb, na) image.

    einsum, not ``eb.T @ ea``: on a loaded 2-core machine a multithreaded BLAS
    product of this size took 10–16 ms against 0.1–0.4 ms in one thread.
    """
    return np.einsum("kb,ka->ba", eb, ea)


#: Lost nodes per block of :func:`_exact_nodes` times the number of pieces: a block's
#: (pieces × nodes) terms, 1 MB, stay in cache through the passes over them (a ring's
#: 2·10⁵ lost nodes with scores took 19 ms in one go, 10–11 ms in blocks).
_EXACT_BLOCK = 1 << 17


def _exact_nodes(alpha, beta, score_a, score_b, lost, out, score) -> None:
    """log Σ_k e^{α_k(a) + β_k(b)} at the ``lost`` nodes one by one (no scaling), in place.

    The fallback for nodes where the scaled tensor sum is too small to trust. With
    t_k = α_k(a) + β_k(b) and T = max_k t_k,

    .. math:: \\log p = T + \\log \\sum_k e^{t_k - T}, \\quad
              ∂_a \\log p = \\frac{\\sum_k e^{t_k - T} g_k(a)}{\\sum_k e^{t_k - T}}

    (likewise ∂_b), with ``score_a`` = g_k(a) = −P'_{00,k}(a − c_{0,k}) and ``score_b``
    the same in b: each piece's own score along the axis. ``lost`` are flat indices
    into the (nb, na) image ``out`` and the (nb, na, 2) image ``score`` (``None``: no
    scores), which receive the results.
    """
    n_pieces, na = alpha.shape
    out, flat_score = out.reshape(-1), None if score is None else score.reshape(-1)
    block = max(1024, _EXACT_BLOCK // n_pieces)
    for start in range(0, len(lost), block):
        nodes = lost[start : start + block]
        ib, ia = np.divmod(nodes, na)
        # np.take, not alpha[:, ia]: the fancy index takes twice as long
        terms = np.take(alpha, ia, axis=1)
        terms += np.take(beta, ib, axis=1)
        top = terms.max(axis=0)
        terms -= top
        np.maximum(terms, _LOWEST_EXPONENT, out=terms)
        np.exp(terms, out=terms)
        total = terms.sum(axis=0)
        out[nodes] = np.log(total) + top
        if flat_score is not None:
            su = np.einsum("kn,kn->n", terms, np.take(score_a, ia, axis=1))
            sv = np.einsum("kn,kn->n", terms, np.take(score_b, ib, axis=1))
            # flat indices 2i, 2i + 1 of the (n, 2) score: twice as fast as score[nodes] = …
            flat_score[2 * nodes] = su / total
            flat_score[2 * nodes + 1] = sv / total


def _diag_on_tensor(d: np.ndarray, a: np.ndarray, b: np.ndarray, want_score: bool):
    """log Σ_k e^{α_k(a) + β_k(b)} on the tensor a × b (shape (nb, na)), and its frame score."""
    du = a[None, :] - d[:, 1:2]  # (K, na)
    dv = b[None, :] - d[:, 2:3]  # (K, nb)
    alpha = d[:, :1] - 0.5 * d[:, 3:4] * du * du
    beta = -0.5 * d[:, 5:6] * dv * dv
    a_max, b_max = alpha.max(axis=0), beta.max(axis=0)
    ea, eb = _kept_exp(alpha - a_max), _kept_exp(beta - b_max)
    total = _tensor_product(eb, ea)  # (nb, na)
    score = score_a = score_b = None
    if want_score:
        score_a, score_b = -d[:, 3:4] * du, -d[:, 5:6] * dv  # each piece's own score
        score = np.empty((*total.shape, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(_tensor_product(eb, ea * score_a), total, out=score[..., 0])
            np.divide(_tensor_product(eb * score_b, ea), total, out=score[..., 1])
    lost = np.flatnonzero(total < _TRUSTED)
    with np.errstate(divide="ignore"):
        out = np.log(total)
    out += b_max[:, None]
    out += a_max[None, :]
    if len(lost):
        _exact_nodes(alpha, beta, score_a, score_b, lost, out, score)
    return out, score


def _other_on_tensor(row, a: np.ndarray, b: np.ndarray, want_score: bool):
    log_norm, c0, c1, p00, p01, p11 = row
    du, dv = (a - c0)[None, :], (b - c1)[:, None]
    out = log_norm - 0.5 * (p00 * du * du + 2.0 * p01 * du * dv + p11 * dv * dv)
    if not want_score:
        return out, None
    su = -(p00 * du + p01 * dv)
    sv = -(p01 * du + p11 * dv)
    return out, np.stack(np.broadcast_arrays(su, sv), axis=-1)


def _on_tensor(dist: Distribution, g: Grid, want_score: bool):
    if g.parts:  # a union of tensor grids: each part factorised in its own frame
        results = [_on_tensor(dist, part, want_score) for part in g.parts]
        log_p = np.concatenate([r[0] for r in results])
        return log_p, (np.concatenate([r[1] for r in results]) if want_score else None)
    pieces = _normal_pieces(dist) if g.dim == 2 and g.axes else None
    if pieces is None:
        lp = dist.logpdf(g.points)
        return lp, (dist.grad_logpdf(g.points) if want_score else None)
    frame = _frame(g)
    a, b = g.axes
    diag, other = _split(pieces, frame)
    parts = []
    if len(diag):
        parts.append(_diag_on_tensor(diag, a, b, want_score))
    parts += [_other_on_tensor(row, a, b, want_score) for row in other]
    if len(parts) == 1:
        log_p, score = parts[0]
    else:
        logs = np.stack([p[0] for p in parts])
        top = logs.max(axis=0)
        weights = np.exp(logs - top)
        total = weights.sum(axis=0)
        log_p = np.log(total) + top
        score = None
        if want_score:
            score = sum(w[..., None] * p[1] for w, p in zip(weights, parts, strict=True))
            score = score / total[..., None]
    log_p = log_p.reshape(-1)
    if want_score:
        score = score.reshape(-1, 2)
        if g.frame is not None:
            # frame score → coordinates, ∇ₓ = F ∇_(a, b), by broadcasting: an (n×2)(2×2)
            # BLAS product may spin up threads (milliseconds on a loaded machine)
            score = score[:, :1] * frame[:, 0] + score[:, 1:] * frame[:, 1]
    return log_p, score


def log_density(dist: Distribution, g: Grid) -> np.ndarray:
    """log p at ``g.points`` (flat, the grid's order), factorised on 2-D tensor grids."""
    return _on_tensor(dist, g, False)[0]


def log_density_and_score(dist: Distribution, g: Grid) -> tuple[np.ndarray, np.ndarray]:
    """log p and the score ∇ log p at ``g.points``: shapes ``(n,)`` and ``(n, dim)`` (2-D)."""
    return _on_tensor(dist, g, True)
