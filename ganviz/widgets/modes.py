"""The mode-collapse explorer: P_data with K modes, a P_g that covers some of them.

Choose how many (and which) of the K modes P_g covers and watch

* KL(P_data‖P_g) (mode covering) explode as soon as a mode is missed,
* KL(P_g‖P_data) (mode seeking) stay at log(K/m) for P_g on m of K modes,
* JS stay below both KLs and log 2, and coverage count the modes reached
  (3σ rule on P_g's samples).

Three buttons fit a *single* Gaussian P_g by minimising forward KL (it spreads
over every mode), reverse KL (it locks onto one mode) or JS, and draw it.

>>> from ganviz.widgets import ModeCollapseExplorer
>>> ModeCollapseExplorer()          # ring of 8 modes in 2-D   # doctest: +SKIP
>>> ModeCollapseExplorer(dim=1)     # a line of modes in 1-D    # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from ..distributions import Distribution, Gaussian, Mixture
from ..fitting import (
    DIVERGENCE_LABELS,
    DIVERGENCES,
    GaussianFit,
    fit_gaussian,
    trapezoid_grid,
)
from ..modes import mode_report
from ..plots._assign import batched
from ..plots._compose import Panel, panel, stacked_figure
from ..plots.modes import (
    mode_collapse_figure,
    mode_metrics_figure,
    update_mode_collapse_figure,
    update_mode_metrics_figure,
)
from ._base import ExplorerBase, show_figure
from ._controls import float_slider
from ._figure import FigureWidget

__all__ = ["ModeCollapseExplorer", "modes_of"]

#: Largest number of modes the explorer offers.
MAX_MODES = 12
#: Row of each panel in the explorer's stacked figure (top to bottom).
#: The numbers panel's title (the modes panel above already says how many are covered).
METRICS_TITLE = "the same P_g in numbers"
ROWS = {"modes": 1, "metrics": 2}


def modes_of(dim: int, k: int, spacing: float, spread: float) -> Mixture:
    """P_data: ``k`` equal Gaussians of std ``spread``, neighbours ``spacing`` apart.

    2-D: on a ring (radius spacing / (2·sin(π/k)), so neighbouring centres are
    ``spacing`` apart); 1-D: on a line centred at 0.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_MODES:
        raise ValueError(f"k must be an integer between 1 and {MAX_MODES}, got {k!r}")
    spacing, spread = float(spacing), float(spread)
    if not (math.isfinite(spacing) and spacing > 0):
        raise ValueError(f"spacing between modes must be > 0, got {spacing:g}")
    if not (math.isfinite(spread) and spread > 0):
        raise ValueError(f"the spread σ of each mode must be > 0, got {spread:g}")
    if dim == 1:
        centres = spacing * (np.arange(k) - (k - 1) / 2)
        return Mixture([Gaussian(float(c), spread) for c in centres])
    radius = spacing / (2.0 * math.sin(math.pi / k)) if k > 1 else 0.0
    angles = 2.0 * math.pi * np.arange(k) / k
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return Mixture([Gaussian(c, std=spread) for c in centres])


class ModeCollapseExplorer(ExplorerBase):
    """K modes for P_data, a P_g on a chosen subset (or a fitted Gaussian), and the numbers.

    Parameters
    ----------
    dim : 1 or 2
        Initial layout (a control): modes on a line (1-D) or on a ring (2-D).
    k, n_covered : int
        Initial number of modes and of modes P_g covers (the first ones).
    spacing, spread : float
        Distance between neighbouring mode centres and the std of each mode.
    n_samples : int
        Samples of P_g used for coverage (and drawn in 2-D), with ``seed``.

    Attributes
    ----------
    controls : dict
        ``layout`` (1 or 2), ``k``, ``n_covered``, ``covered`` (which modes, a
        SelectMultiple), ``spread``, ``spacing``, and the buttons
        ``fit_kl_forward``, ``fit_kl_reverse``, ``fit_js``.
    figure : plotly.graph_objects.FigureWidget
        The one FigureWidget shown now: the modes panel (1-D densities or the
        2-D ring) above the numbers. One per layout, built the first time the
        layout is shown and afterwards updated in place (each FigureWidget
        ships the whole plotly.js bundle to the browser).
    figures : dict
        ``{"1-D": FigureWidget, "2-D": FigureWidget}`` (those built so far).
    panels : dict
        ``{"modes", "metrics"}`` → ``panel(figure, row)``
        (:func:`ganviz.plots._compose.panel`) of the current layout, each with
        ``.data`` and ``.layout`` as in its stand-alone figure (to look at; the
        ``update_*`` helpers refresh ``figure`` by ``row=``).
    p_data, p_g : Distribution
        The mixture and P_g drawn now (a subset mixture, or the fitted Gaussian).
    report : ganviz.modes.ModeReport
        JS, both KLs and coverage of the current pair.
    fit_result : ganviz.fitting.GaussianFit or None
        The fit P_g shows, if any.
    """

    def __init__(
        self,
        dim: int = 2,
        k: int = 8,
        n_covered: int = 3,
        *,
        spacing: float = 1.5,
        spread: float = 0.2,
        n_samples: int = 800,
        seed: int = 0,
    ):
        super().__init__()
        if dim not in (1, 2):
            raise ValueError(f"dim must be 1 or 2, got {dim!r}")
        modes_of(dim, k, spacing, spread)  # validates
        if not 1 <= n_covered <= k:
            raise ValueError(f"n_covered must be between 1 and k={k}, got {n_covered!r}")
        self.n_samples = int(n_samples)
        self.seed = int(seed)
        self.fit_result: GaussianFit | None = None
        self._fit_cache: dict[tuple, GaussianFit] = {}
        self._syncing = False
        self.controls.update(
            layout=widgets.ToggleButtons(
                options=[("ring (2-D)", 2), ("line (1-D)", 1)], value=dim, description="modes on"
            ),
            k=widgets.IntSlider(
                value=k, min=1, max=MAX_MODES, description="K modes", continuous_update=True
            ),
            n_covered=widgets.IntSlider(
                value=n_covered, min=1, max=k, description="P_g covers", continuous_update=True
            ),
            covered=widgets.SelectMultiple(
                options=[(f"mode {i}", i) for i in range(k)],
                value=tuple(range(n_covered)),
                rows=6,
                description="which",
            ),
            spread=float_slider("σ of a mode", spread, 0.1, 0.8, 0.01),
            spacing=float_slider("spacing", spacing, 0.5, 4.0, 0.05),
        )
        for divergence in DIVERGENCES:
            button = widgets.Button(
                description=DIVERGENCE_LABELS[divergence].split("(")[0].strip(),
                tooltip=f"fit one Gaussian P_g by minimising {DIVERGENCE_LABELS[divergence]}",
                layout=widgets.Layout(width="112px"),
            )
            button.on_click(lambda _b, d=divergence: self._guarded(lambda: self.fit(d)))
            self.controls[f"fit_{divergence}"] = button
        self.status = widgets.HTML()
        c = self.controls
        # The linked controls first (K decides which modes exist; ``n_covered`` and ``covered``
        # mirror each other), then the one redraw: traitlets calls observers in order added.
        c["k"].observe(lambda _: self._on_k(), names="value")
        c["n_covered"].observe(lambda _: self._on_n_covered(), names="value")
        c["covered"].observe(lambda _: self._on_covered(), names="value")
        for name in ("layout", "spread", "spacing"):
            c[name].observe(lambda _: self._on_data(), names="value")
        self.observe_controls()

        self.p_data = self._data()
        self.p_g = self._subset(self.p_data)
        self.report = self._report(self.p_data, self.p_g)
        #: One FigureWidget per layout ("1-D", "2-D"), built the first time it is shown.
        self.figures: dict[str, go.FigureWidget] = {}
        self._build(self.p_data, self.p_g, self.report)
        self._layout()
        self._set_status()
        self._show_source()

    # -- model ------------------------------------------------------------------------------
    def _data(self) -> Mixture:
        c = self.controls
        return modes_of(
            int(c["layout"].value), int(c["k"].value), c["spacing"].value, c["spread"].value
        )

    def _subset(self, p_data: Mixture) -> Mixture:
        covered = tuple(self.controls["covered"].value)
        if not covered:
            raise ValueError("choose at least one mode for P_g to cover (P_g must have some mass)")
        return Mixture([p_data.components[i] for i in covered])

    def _report(self, p_data: Distribution, p_g: Distribution):
        # a trapezoid grid: spectrally accurate for these Gaussian mixtures, and ~10× smaller
        grid = trapezoid_grid(p_data, p_g, per_scale=4.0 if p_data.dim == 1 else 1.5)
        return mode_report(p_data, p_g, n_samples=self.n_samples, seed=self.seed, grid=grid)

    # -- figures ------------------------------------------------------------------------------
    def _build(self, p_data, p_g, report) -> None:
        """Stack the modes panel and the numbers into one FigureWidget (once per layout)."""
        dim = p_data.dim
        figure = stacked_figure(rows=len(ROWS))
        height = 470 if dim == 2 else 380
        mode_collapse_figure(
            p_data, p_g, report=report, height=height, fig=figure, row=ROWS["modes"]
        )
        mode_metrics_figure(
            report, height=330, title=METRICS_TITLE, fig=figure, row=ROWS["metrics"]
        )
        self.figures[f"{dim}-D"] = FigureWidget(figure)

    @property
    def figure(self) -> go.FigureWidget:
        """The FigureWidget shown now (the modes panel and the numbers, stacked)."""
        return self.figures[f"{self.p_data.dim}-D"]

    @property
    def panels(self) -> dict[str, Panel]:
        """``{"modes", "metrics"}`` of the current layout, each like its stand-alone figure."""
        return {name: panel(self.figure, row) for name, row in ROWS.items()}

    def _layout(self) -> None:
        c = self.controls
        data_column = widgets.VBox(
            [
                widgets.HTML("<b>P_data</b>: K equal modes"),
                c["layout"],
                c["k"],
                c["spacing"],
                c["spread"],
            ],
            layout=widgets.Layout(width="380px"),
        )
        #: Headings that say which source P_g is drawn from (the selected modes or a fit).
        self._subset_heading = widgets.HTML()
        self._fit_heading = widgets.HTML()
        g_column = widgets.VBox(
            [
                self._subset_heading,
                c["n_covered"],
                c["covered"],
                self._fit_heading,
                widgets.HBox([c["fit_kl_forward"], c["fit_kl_reverse"], c["fit_js"]]),
            ],
            layout=widgets.Layout(width="380px"),
        )
        self._figure_box = widgets.Box([self.figure])
        self.children = [
            widgets.HBox([data_column, g_column], layout=widgets.Layout(flex_flow="row wrap")),
            self.message,
            self.status,
            self._figure_box,
        ]

    # -- updates ------------------------------------------------------------------------------
    @contextmanager
    def _linking(self) -> Iterator[None]:
        """Move linked controls without re-entering their handlers or redrawing midway."""
        self._syncing = True
        try:
            with self._hold_redraw():
                yield
        finally:
            self._syncing = False

    def _on_k(self) -> None:
        if self._syncing:
            return
        c = self.controls
        k = int(c["k"].value)
        kept = tuple(i for i in c["covered"].value if i < k) or tuple(
            range(min(k, c["n_covered"].value))
        )
        with self._linking():
            c["covered"].options = [(f"mode {i}", i) for i in range(k)]
            c["covered"].value = kept
            c["n_covered"].max = k
            c["n_covered"].value = len(kept)
        self._on_data()

    def _on_n_covered(self) -> None:
        if self._syncing:
            return
        with self._linking():
            self.controls["covered"].value = tuple(range(int(self.controls["n_covered"].value)))
        self._on_data()

    def _on_covered(self) -> None:
        if self._syncing:
            return
        chosen = self.controls["covered"].value
        if chosen:
            with self._linking():
                self.controls["n_covered"].value = len(chosen)
        self._on_data()

    def _on_data(self) -> None:
        # P_data or the chosen modes changed: a fitted Gaussian no longer belongs; show the
        # modes (the redraw follows through ExplorerBase._on_change, or once after ``set``).
        self.fit_result = None

    #: Order in which :meth:`set` applies controls (K first: it decides which modes exist),
    #: as in ``set(layout=1, k=5, covered=(0, 2))``.
    _SET_ORDER = ("layout", "k", "spacing", "spread", "n_covered", "covered")

    def update(self) -> None:
        """Recompute from the controls (or the current fit) and redraw in place.

        Raises ``ValueError`` for an invalid setting, such as no covered mode
        (control callbacks are guarded: the message shows in the widget and
        the figures keep their last valid state).
        """
        p_data = self._data()
        p_g = self.fit_result.gaussian if self.fit_result is not None else self._subset(p_data)
        report = self._report(p_data, p_g)
        self._draw(p_data, p_g, report)

    def _draw(self, p_data, p_g, report) -> None:
        dim = p_data.dim
        if f"{dim}-D" not in self.figures:
            self._build(p_data, p_g, report)  # drawn from these: nothing to update
        else:
            fig = self.figures[f"{dim}-D"]
            with batched(fig):
                update_mode_collapse_figure(fig, p_data, p_g, report=report, row=ROWS["modes"])
                update_mode_metrics_figure(fig, report, title=METRICS_TITLE, row=ROWS["metrics"])
        self.p_data, self.p_g, self.report = p_data, p_g, report
        show_figure(self._figure_box, self.figure)
        self._set_status()
        self._show_source()

    def _show_source(self) -> None:
        """Mark which controls P_g comes from: the selected modes, or the pressed fit button.

        A fitted Gaussian ignores "P_g covers" and "which"; leaving them looking
        active told the learner the plot showed those modes.
        """
        fitted = self.fit_result.divergence if self.fit_result is not None else None
        active, inactive = "<b>P_g</b>", "<span style='color:#888'>P_g</span>"
        self._subset_heading.value = (
            f"{inactive} <span style='color:#888'>would cover the selected modes "
            "(move these to show them again):</span>"
            if fitted
            else f"{active} covers the selected modes:"
        )
        self._fit_heading.value = (
            f"<b>…or one Gaussian P_g</b>, fitted by minimising (shown: "
            f"{DIVERGENCE_LABELS[fitted]})"
            if fitted
            else "<b>…or one Gaussian P_g</b>, fitted by minimising"
        )
        for divergence in DIVERGENCES:
            self.controls[f"fit_{divergence}"].button_style = "info" if divergence == fitted else ""

    # -- fits -------------------------------------------------------------------------------------
    def fit(self, divergence: str) -> GaussianFit:
        """Make P_g the single Gaussian that minimises ``divergence`` to P_data, and draw it.

        ``divergence`` is ``"kl_forward"`` (mode covering: moment matching),
        ``"kl_reverse"`` (mode seeking) or ``"js"``. Fits are cached per P_data.
        """
        if divergence not in DIVERGENCES:
            raise ValueError(
                f"divergence must be one of {', '.join(DIVERGENCES)}; got {divergence!r}"
            )
        p_data = self._data()
        key = (divergence, p_data.dim, len(p_data.components), *self._data_key())
        buttons = [self.controls[f"fit_{d}"] for d in DIVERGENCES]
        if key not in self._fit_cache:
            self.status.value = (
                f"<i>fitting… (minimising {DIVERGENCE_LABELS[divergence]} from several starts)</i>"
            )
            for b in buttons:
                b.disabled = True
            try:
                self._fit_cache[key] = fit_gaussian(p_data, divergence, seed=self.seed)
            finally:
                for b in buttons:
                    b.disabled = False
        self.fit_result = self._fit_cache[key]
        self._draw(p_data, self.fit_result.gaussian, self._report(p_data, self.fit_result.gaussian))
        return self.fit_result

    def clear_fit_cache(self) -> None:
        """Forget fitted Gaussians (the next button press fits again)."""
        self._fit_cache.clear()

    def _data_key(self) -> tuple:
        c = self.controls
        return (round(float(c["spacing"].value), 9), round(float(c["spread"].value), 9))

    def _set_status(self) -> None:
        r = self.report
        numbers = (
            f"JS = {r.js:.3f} · KL(P_data‖P_g) = {r.kl_data_g:.3g} · "
            f"KL(P_g‖P_data) = {r.kl_g_data:.3g} · covered {r.modes_covered}/{r.n_modes}"
        )
        if self.fit_result is None:
            modes = ", ".join(str(i) for i in self.controls["covered"].value)
            m, k = len(self.controls["covered"].value), r.n_modes
            what = f"P_g = equal mixture of modes {{{modes}}} (log(K/m) = {math.log(k / m):.3f})"
        else:
            g = self.fit_result.gaussian
            spread = np.sqrt(np.diag(np.atleast_2d(g.covariance)))
            what = (
                f"P_g = the Gaussian minimising {DIVERGENCE_LABELS[self.fit_result.divergence]}: "
                f"mean {np.round(np.atleast_1d(g.mean), 2).tolist()}, "
                f"std {np.round(spread, 2).tolist()}"
            )
        self.status.value = f"<div style='font-size:13px'>{what}<br>{numbers}</div>"
