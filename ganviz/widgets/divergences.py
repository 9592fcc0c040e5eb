"""The divergence explorer: slide P_g across P_data and watch JS saturate while W1 grows.

Three views of one pair of 1-D distributions:

* the densities with D*(x) (as in the optimal-discriminator explorer);
* every divergence against the shift t of P_g — JS with its ceiling log 2,
  V = 2·JS − 2·log 2 with its floor −log 4, W1 and both KLs — with the
  current shift marked;
* V(G, D*) on a gauge, 2·JS − 2·log 2 beside it, and the table of values.

Moving the shift only moves the markers (the curves do not depend on it);
changing either distribution recomputes the whole sweep at once with
:func:`ganviz.sweeps.shift_sweep`.

>>> from ganviz.widgets import DivergenceExplorer
>>> DivergenceExplorer()      # doctest: +SKIP
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..distributions import Distribution
from ..plots import style
from ..plots.density import density_plot, update_density_plot
from ..plots.value import sweep_figure, update_sweep_figure
from ..sweeps import ShiftSweep, shift_sweep
from ._base import ExplorerBase
from ._controls import GAUSSIAN, MIXTURE, UNIFORM, DistributionPanel, control_row, float_slider
from ._figure import FigureWidget
from ._threads import single_blas_thread
from ._value_panel import ValuePanel
from .discriminator import pair_divergences

__all__ = ["DivergenceExplorer"]


class DivergenceExplorer(ExplorerBase):
    """P_g slides across P_data: JS, 2·JS − 2·log 2 = V, KL and W1 against the shift.

    Parameters
    ----------
    shift_range : (float, float)
        Range of the shift slider and of the sweep's x-axis.
    n_shifts : int
        Points of the sweep (evenly spaced over ``shift_range``).

    Attributes
    ----------
    controls : dict
        ``data_family``, ``data_mean`` …, ``g_family``, ``g_mean`` …, ``shift``.
    figures : dict
        ``{"density", "sweep", "value"}`` ``FigureWidget`` s; ``figure`` is the sweep.
    p_data, p_g : Distribution
        The distributions drawn now (P_g includes the shift).
    p_g_base : Distribution
        P_g before the shift: the sweep translates this one.
    sweep : ShiftSweep
        The divergences along the shift axis.
    drawn_shift : float
        The shift drawn now.

    While the controls describe an invalid combination a message is shown and
    these attributes, like the figures, keep the last valid state.
    """

    def __init__(self, *, shift_range=(-6.0, 6.0), n_shifts: int = 121):
        super().__init__()
        low, high = (float(v) for v in shift_range)
        if not low < high:
            raise ValueError(f"shift_range must be (low, high) with low < high, got {shift_range}")
        self.shifts = np.linspace(low, high, int(n_shifts))
        step = float(self.shifts[1] - self.shifts[0])
        families = (GAUSSIAN, MIXTURE, UNIFORM)
        self.data_panel = DistributionPanel(
            "data", "P_data", families=families, defaults={"std": 0.5}, colour=style.DATA
        )
        self.g_panel = DistributionPanel(
            "g", "P_g", families=families, defaults={"std": 0.5}, colour=style.FAKE
        )
        self.controls.update(self.data_panel.controls)
        self.controls.update(self.g_panel.controls)
        self.controls["shift"] = float_slider("shift t of P_g", 2.5, low, high, step)

        # What the figures show now (kept when the controls become invalid).
        self.p_data = self.data_panel.distribution()
        self.p_g_base = self.g_panel.distribution()
        self.drawn_shift = self.shift
        self.p_g = self.p_g_base.shift(self.shift)
        self.sweep = shift_sweep(self.p_data, self.p_g_base, self.shifts)
        self.divergences = pair_divergences(self.p_data, self.p_g)
        self.figures = {
            "density": FigureWidget(
                # No shading here: the sweep is the lesson, and 4 fewer traces move per drag.
                density_plot(
                    self.p_data, self.p_g, shade=False, title="p_data, p_g and D*(x)", height=300
                )
            ),
            "sweep": FigureWidget(
                sweep_figure(
                    self.sweep, current_shift=self.shift, current=self.divergences, height=460
                )
            ),
        }
        self.value_panel = ValuePanel(self.divergences, height=260)
        self.figures["value"] = self.value_panel.figure
        self.figure = self.figures["sweep"]

        self.observe_controls()
        slide = widgets.VBox([widgets.HTML("<b>slide P_g</b>"), self.controls["shift"]])
        row = control_row(self.data_panel, self.g_panel, slide)
        f = self.figures
        self.children = [row, self.message, f["sweep"], f["density"], self.value_panel]

    @property
    def shift(self) -> float:
        """The shift slider's value."""
        return float(self.controls["shift"].value)

    # -- updates ----------------------------------------------------------------------
    def _refresh(self, changed: frozenset[str]) -> None:
        # ``set(data_family="Uniform", g_family="Uniform", shift=3.0)`` redraws once.
        if changed == {"shift"}:
            self._update_shift()
        else:
            self._update_all()

    def _update_all(self) -> None:
        """A distribution changed: new sweep, new densities, new markers."""
        p_data = self.data_panel.distribution()
        p_g_base = self.g_panel.distribution()
        sweep = shift_sweep(p_data, p_g_base, self.shifts)
        self._redraw(p_data, p_g_base, sweep, markers_only=False)

    def _update_shift(self) -> None:
        """Only the shift moved: the sweep stands, the markers and densities move."""
        # Re-read the panels (cheap) so that an invalid shape keeps its message.
        self.data_panel.distribution()
        self.g_panel.distribution()
        self._redraw(self.p_data, self.p_g_base, self.sweep, markers_only=True)

    def update(self) -> None:
        """Recompute everything from the controls (``ValueError`` if they are invalid)."""
        self._update_all()

    def _redraw(
        self, p_data: Distribution, p_g_base: Distribution, sweep: ShiftSweep, *, markers_only
    ) -> None:
        p_g = p_g_base.shift(self.shift)
        with single_blas_thread():
            divs = pair_divergences(p_data, p_g)
        # Everything that can fail is computed above; from here on only drawing.
        update_density_plot(self.figures["density"], p_data, p_g)
        update_sweep_figure(
            self.figures["sweep"],
            sweep,
            current_shift=self.shift,
            current=divs,
            markers_only=markers_only,
        )
        self.value_panel.show(divs)
        self.p_data, self.p_g_base, self.p_g = p_data, p_g_base, p_g
        self.sweep, self.divergences, self.drawn_shift = sweep, divs, self.shift
