"""Which divergence does each GAN loss minimise? Fit one Gaussian by each and compare.

P_data is a line of 2 or 3 Gaussian modes (separation, weight of the left mode, width).
A single Gaussian P_g = N(μ, σ²) cannot match it, so each objective of
:data:`ganviz.f_divergences.OBJECTIVES` gives up something different:

* forward KL (maximum likelihood), Pearson χ² and W1 spread P_g over every mode;
* reverse KL and the non-saturating objective KL(P_g‖P_data) − 2·JS lock onto one;
* JS (minimax), LSGAN's χ²(P_data + P_g‖2P_g) and squared Hellinger switch between
  the two as the modes move apart.

Left: P_data and every objective's best Gaussian. Right: the chosen objective over the
(μ, σ) lattice — two basins where a fit must choose. Every control change recomputes
all eight landscapes at once (:func:`ganviz.divergence_landscapes.divergence_landscape`); the
dropdown only swaps the landscape shown.

>>> from ganviz.widgets import DivergenceFitExplorer
>>> DivergenceFitExplorer()      # doctest: +SKIP
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..divergence_landscapes import (
    GaussianLattice,
    Landscape,
    divergence_landscape,
    gaussian_lattice,
    mixture_of_modes,
)
from ..f_divergences import F_DIVERGENCES, OBJECTIVE_LABELS, OBJECTIVES
from ..plots import style
from ..plots.divergence_fit import (
    OBJECTIVE_COLOURS,
    divergence_fit_figure,
    update_divergence_fit_figure,
)
from ._base import ExplorerBase
from ._controls import control_row, float_slider
from ._figure import FigureWidget
from ._threads import single_blas_thread

__all__ = ["DivergenceFitExplorer", "fit_table_html"]

#: The GAN loss each objective stands for, as the table shows it.
_GAN_LOSS = {
    **{name: row.gan_loss for name, row in F_DIVERGENCES.items()},
    "w1": "WGAN critic (1-Lipschitz)",
}


def fit_table_html(landscape: Landscape, objective: str) -> str:
    """An HTML table: objective, GAN loss, fitted μ and σ, the objective's value at the fit."""
    cell = "padding:1px 10px 1px 0"
    num = f"{cell};text-align:right;font-variant-numeric:tabular-nums"
    rows = []
    for name in OBJECTIVES:
        fit, value = landscape.minima[name], landscape.minimum_values[name]
        weight = "font-weight:700;background:#f3f3f3" if name == objective else ""
        swatch = f'<span style="color:{OBJECTIVE_COLOURS[name]}">■</span>'
        rows.append(
            f'<tr style="{weight}">'
            f'<td style="{cell}">{swatch} {html.escape(OBJECTIVE_LABELS[name])}</td>'
            f'<td style="{cell}">{html.escape(_GAN_LOSS[name])}</td>'
            f'<td style="{num}">{fit.mean:+.2f}</td>'
            f'<td style="{num}">{fit.std:.2f}</td>'
            f'<td style="{num}">{value:.4f}</td></tr>'
        )
    head = "".join(
        f'<th style="{cell};text-align:left">{h}</th>'
        for h in (
            "objective (minimised over P_g)",
            "GAN loss at the optimal D",
            "fit μ",
            "fit σ",
            "value",
        )
    )
    return (
        '<table style="border-collapse:collapse;font-size:13px;line-height:1.45" '
        f'class="ganviz-fit-table"><tr>{head}</tr>' + "".join(rows) + "</table>"
    )


class DivergenceFitExplorer(ExplorerBase):
    """P_data with 2–3 modes and one Gaussian fitted by each GAN divergence.

    Parameters
    ----------
    lattice : GaussianLattice, optional
        The (μ, σ) lattice of the landscapes (default: 41 means in [−5, 5] × 31 stds
        in [0.15, 5], log-spaced).

    Attributes
    ----------
    controls : dict
        ``modes`` (2 or 3), ``separation``, ``weight`` (of the left mode), ``width`` (std of
        each mode) and ``landscape`` (the objective whose landscape is shown).
    figure : FigureWidget
        Densities and fits (left), the chosen landscape (right).
    table : ipywidgets.HTML
        Every fit: μ, σ and the objective's value.
    p_data : Mixture
    landscape : Landscape
        Every objective over the lattice and its minimum (``landscape.minima``).
    fits : dict
        objective → the fitted :class:`~ganviz.Gaussian` (``landscape.minima``).

    While the controls describe an invalid P_data a message is shown and these
    attributes, like the figure, keep the last valid state.
    """

    def __init__(self, *, lattice: GaussianLattice | None = None):
        super().__init__()
        self.lattice = gaussian_lattice() if lattice is None else lattice
        self.controls.update(
            {
                "modes": widgets.ToggleButtons(
                    options=[("2 modes", 2), ("3 modes", 3)],
                    value=2,
                    style={"button_width": "90px"},
                ),
                "separation": float_slider("separation", 3.5, 0.0, 8.0, 0.25),
                "weight": float_slider("left weight", 0.6, 0.05, 0.95, 0.05),
                "width": float_slider("mode std", 0.5, 0.2, 1.5, 0.05),
                "landscape": widgets.Dropdown(
                    options=[(OBJECTIVE_LABELS[o], o) for o in OBJECTIVES],
                    value="js",
                    description="landscape",
                    style={"description_width": "90px"},
                    layout=widgets.Layout(width="330px"),
                ),
            }
        )
        self.p_data = self._p_data_from_controls()
        with single_blas_thread():
            self.landscape = divergence_landscape(self.p_data, OBJECTIVES, self.lattice)
        self.drawn_objective = self.objective
        self.figure = FigureWidget(
            divergence_fit_figure(
                self.p_data,
                self.landscape,
                objective=self.objective,
                height=420,
                show_legend=False,  # the table's colour swatches name the fits
            )
        )
        self.table = widgets.HTML(fit_table_html(self.landscape, self.objective))

        self.observe_controls()
        c = self.controls
        data_box = widgets.VBox(
            [
                widgets.HTML(f'<b style="color:{style.DATA}">P_data: a line of Gaussian modes</b>'),
                c["modes"],
                c["separation"],
                c["weight"],
                c["width"],
                widgets.HTML("<b>landscape shown (right)</b>"),
                c["landscape"],
            ]
        )
        table_box = widgets.VBox([self.table])
        row = control_row(data_box, table_box)
        table_box.layout.width = "auto"
        self.children = [row, self.message, self.figure]

    # -- state -------------------------------------------------------------------------
    @property
    def objective(self) -> str:
        """The objective whose landscape is shown (the dropdown's value)."""
        return str(self.controls["landscape"].value)

    @property
    def fits(self) -> dict:
        """objective → the best Gaussian found for it (drawn on the left)."""
        return dict(self.landscape.minima)

    def _p_data_from_controls(self):
        c = self.controls
        return mixture_of_modes(
            int(c["modes"].value),
            float(c["separation"].value),
            float(c["weight"].value),
            float(c["width"].value),
        )

    # -- updates -----------------------------------------------------------------------
    def _refresh(self, changed: frozenset[str]) -> None:
        # ``set(modes=3, separation=6.0, landscape="kl_reverse")`` redraws once, like one slider.
        if changed == {"landscape"}:
            self._update_objective()
        else:
            self._update_all()

    def update(self) -> None:
        """Recompute everything from the controls (``ValueError`` if they are invalid)."""
        self._update_all()

    def _update_all(self) -> None:
        """P_data changed: every landscape and fit anew."""
        p_data = self._p_data_from_controls()
        with single_blas_thread():
            landscape = divergence_landscape(p_data, OBJECTIVES, self.lattice)
        self._draw(p_data, landscape)

    def _update_objective(self) -> None:
        """Only the landscape shown changed: swap it (nothing is recomputed)."""
        self._p_data_from_controls()  # keep an invalid P_data's message
        self._draw(self.p_data, self.landscape)

    def _draw(self, p_data, landscape: Landscape) -> None:
        objective = self.objective
        update_divergence_fit_figure(self.figure, p_data, landscape, objective=objective)
        self.table.value = fit_table_html(landscape, objective)
        self.p_data, self.landscape, self.drawn_objective = p_data, landscape, objective
