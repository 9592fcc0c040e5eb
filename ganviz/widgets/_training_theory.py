"""The theory side of the TrainingExplorer: D* for the current generator, on the snapshot's grid.

Where P_data has a known density (ring8, grid25, gaussian — see
:func:`ganviz.train.data.dataset_density` — or a distribution drawn in the
theory explorers), the optimal discriminator for the *current* generator is

.. math:: D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + \\hat p_g(x)},

with :math:`\\hat p_g` a Gaussian KDE of the current fakes
(``ganviz.Empirical(fakes)``). Every formula is the core's:
:meth:`ganviz.Empirical.logpdf_on_grid` (the KDE on a grid),
:func:`ganviz.theory.optimal_discriminator_from_logpdfs` (D*) and
:func:`ganviz.sample_gradients` (the arrows at D*). This module only chooses
what to evaluate and keeps log p_data while the grid stays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..distributions import Distribution, Empirical
from ..gradients import sample_gradients
from ..snapshot import Snapshot
from ..theory import optimal_discriminator_from_logpdfs

__all__ = ["TheoryCache", "TheoryOverlay", "kde_logpdf_on_grid", "known_density", "theory_overlay"]

#: Core loss names of the trainer's losses whose optimal-D arrows the core knows.
CORE_LOSS = {"minimax": "minimax", "nonsaturating": "nonsaturating"}


def known_density(dataset) -> Distribution | None:
    """The exact density of a trainer's dataset when it has one, else None.

    ``dataset`` is a :class:`ganviz.train.Dataset` (``trainer.dataset``) or a
    registered name; the dataset gives its own density
    (:func:`ganviz.train.data.dataset_density`): ring8, grid25 and gaussian
    with their actual parameters; moons, circles, spirals and images have no
    closed form.
    """
    from ..train.data import dataset_density  # torch: only once a trainer exists

    return dataset_density(dataset)


def kde_logpdf_on_grid(kde: Empirical, xs, ys) -> np.ndarray:
    """log p̂ of a 2-D KDE on the grid ``xs × ys`` (:meth:`ganviz.Empirical.logpdf_on_grid`)."""
    return kde.logpdf_on_grid(xs, ys)


@dataclass
class TheoryOverlay:
    """D* for the current generator, on the snapshot's grid.

    ``d_star`` = p_data/(p_data + p̂_g) with p̂_g = ``Empirical(fakes)``;
    ``data_density`` and ``g_density`` are p_data and p̂_g on the grid;
    ``gradients`` the per-fake ∂ℓ/∂x at D* (minimax and non-saturating
    losses, else None); ``gap`` = E_m|D − D*| with m = (p_data + p̂_g)/2 on
    the grid, when the trained D is a probability.
    """

    d_star: np.ndarray
    data_density: np.ndarray
    g_density: np.ndarray
    gradients: np.ndarray | None
    gap: float | None
    bandwidth: float


def theory_overlay(
    p_data: Distribution, snapshot: Snapshot, *, data_logpdf: np.ndarray | None = None
) -> TheoryOverlay:
    """The optimal discriminator against a KDE of ``snapshot.fake``, on ``snapshot``'s grid.

    .. math:: D^*(x) = σ(\\log p_{data}(x) - \\log \\hat p_g(x)),
              \\quad \\hat p_g = \\mathrm{KDE}(\\text{fakes})

    (½ where both densities vanish). Each log-density is evaluated once and
    reused for D*, the contours and the gap; ``data_logpdf`` (log p_data on
    the grid, shape (ny, nx)) may be passed when already known — it does not
    change while the grid stays.
    """
    if snapshot.grid_x is None or snapshot.grid_y is None or snapshot.fake.ndim != 2:
        raise ValueError("snapshot must be a 2-D toy snapshot with a discriminator grid")
    if p_data.dim != 2:
        raise ValueError(f"p_data must be 2-D, got a {p_data.dim}-D distribution")
    p_g = Empirical(snapshot.fake)
    shape = (len(snapshot.grid_y), len(snapshot.grid_x))
    lp = _grid_logpdf(p_data, snapshot) if data_logpdf is None else np.asarray(data_logpdf, float)
    if lp.shape != shape:
        raise ValueError(f"data_logpdf must have the grid's shape {shape}, got {lp.shape}")
    lq = p_g.logpdf_on_grid(snapshot.grid_x, snapshot.grid_y)
    d_star = optimal_discriminator_from_logpdfs(lp, lq)
    data_density, g_density = np.exp(lp), np.exp(lq)
    loss = CORE_LOSS.get(snapshot.loss)
    gradients = None if loss is None else sample_gradients(p_data, p_g, snapshot.fake, loss)
    gap = None
    if snapshot.d_is_probability and snapshot.d_grid is not None:
        weight = data_density + g_density
        total = weight.sum()
        if total > 0:
            gap = float(np.sum(weight * np.abs(snapshot.d_grid - d_star)) / total)
    return TheoryOverlay(d_star, data_density, g_density, gradients, gap, p_g.bandwidth)


def _grid_logpdf(p: Distribution, snapshot: Snapshot) -> np.ndarray:
    gx, gy = np.meshgrid(snapshot.grid_x, snapshot.grid_y)
    return p.logpdf(np.stack([gx, gy], axis=-1))


class TheoryCache:
    """:func:`theory_overlay` for one run's P_data, keeping log p_data while the grid stays."""

    def __init__(self, p_data: Distribution | None):
        #: the exact P_data density of the run (None when unknown: no overlay)
        self.p_data = p_data
        self._key: tuple | None = None
        self._logpdf: np.ndarray | None = None

    def overlay(self, snapshot: Snapshot) -> TheoryOverlay | None:
        """D* against a KDE of the snapshot's fakes, or None without a known P_data."""
        if self.p_data is None:
            return None
        key = (snapshot.grid_x.tobytes(), snapshot.grid_y.tobytes())
        if self._key != key:
            self._logpdf, self._key = _grid_logpdf(self.p_data, snapshot), key
        return theory_overlay(self.p_data, snapshot, data_logpdf=self._logpdf)
