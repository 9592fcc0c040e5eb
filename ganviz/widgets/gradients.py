"""The vanishing-gradient explorer: pull P_g away from P_data and watch the minimax gradient die.

With the discriminator at its optimum D* = σ(s), s = log p_data − log p_g,
the generator's per-sample gradients are

* minimax, ℓ = log(1 − D*):   ∂ℓ/∂x = −D*·∇s   (a factor D* → 0 on rejected fakes);
* non-saturating, ℓ = −log D*: ∂ℓ/∂x = −(1 − D*)·∇s   (the factor 1 − D* → 1);
* Wasserstein, ℓ = −f*:        |∂ℓ/∂x| = 1 wherever the CDFs differ (the critic's slope).

Three panels say it three ways: |generator gradient| against the separation
of the two distributions for each loss (log axis, the current separation
marked); the generator costs against D(G(z)) with the current fakes' D*
marked (Goodfellow's NIPS 2016 tutorial figure); and the per-sample arrows
−∂ℓ/∂x on the fakes, one lane per loss (1-D), or the 2-D field of D* with
the arrows of one loss.

The 2-D view uses P_data = N(0, σ_d² I) and P_g = N((Δ, 0), diag(σ_g², σ_d²)):
both share their x₂-marginal, so D* depends on x₁ alone and every 2-D
gradient's x₁-component equals the 1-D one — the curves hold in both views.

>>> from ganviz.widgets import VanishingGradientExplorer
>>> VanishingGradientExplorer()          # doctest: +SKIP
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from ..distributions import Distribution, Gaussian, Uniform
from ..gradients import LOSSES, gradient_curves, sample_gradients
from ..grids import view_axes
from ..losses import LossDict
from ..plots._assign import batched, relayout
from ..plots._compose import Panel, panel, stacked_figure
from ..plots.field import discriminator_field, update_discriminator_field
from ..plots.gradients import (
    generator_loss_figure,
    sample_arrows_figure,
    update_generator_loss_figure,
    update_sample_arrows_figure,
    update_vanishing_gradient_figure,
    vanishing_gradient_figure,
)
from ..theory import optimal_discriminator
from ._base import ExplorerBase, show_figure
from ._controls import float_slider
from ._figure import FigureWidget

__all__ = ["FAMILIES", "VIEWS", "VanishingGradientExplorer", "pair_for"]

#: Panels of each view, stacked top to bottom in one FigureWidget.
VIEWS = {1: ("gradients", "losses", "arrows"), 2: ("gradients", "losses", "field")}

#: P_data / P_g families of the explorer: label → key.
FAMILIES = {"Gaussian": "gaussian", "Uniform (disjoint supports)": "uniform"}


def _spread(value: float, name: str) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"{name} must be > 0, got {value:g}: a point mass has no density, "
            "so D* = p_data/(p_data + p_g) is not defined"
        )
    return value


def pair_for(
    family: str, separation: float, data_spread: float, fake_spread: float, dim: int = 1
) -> tuple[Distribution, Distribution]:
    """The (P_data, P_g) pair the explorer draws.

    1-D: P_data centred at 0 with standard deviation ``data_spread``, P_g
    centred at ``separation`` with ``fake_spread`` (a uniform of standard
    deviation σ has half-width √3·σ). 2-D: the same along x₁, with both
    sharing P_data's spread along x₂, so that D* depends on x₁ only.
    """
    sd = _spread(data_spread, "the spread of P_data")
    sg = _spread(fake_spread, "the spread of P_g")
    delta = float(separation)
    if not math.isfinite(delta):
        raise ValueError(f"separation must be a finite number, got {separation!r}")
    if family not in FAMILIES.values():
        raise ValueError(f"family must be one of {', '.join(FAMILIES.values())}; got {family!r}")
    if family == "gaussian":
        if dim == 1:
            return Gaussian(0.0, sd), Gaussian(delta, sg)
        return Gaussian([0.0, 0.0], std=sd), Gaussian([delta, 0.0], std=[sg, sd])
    a, b = math.sqrt(3.0) * sd, math.sqrt(3.0) * sg
    if dim == 1:
        return Uniform(-a, a), Uniform(delta - b, delta + b)
    return Uniform([-a, -a], [a, a]), Uniform([delta - b, -a], [delta + b, a])


class VanishingGradientExplorer(ExplorerBase):
    """Separate P_data and P_g; compare the generator gradient of three losses.

    Parameters
    ----------
    separation, data_spread, fake_spread : float
        Initial Δ = mean(P_g) − mean(P_data) and the two standard deviations.
    family : {"gaussian", "uniform"}
        Uniforms have disjoint supports as soon as Δ exceeds √3·(σ_d + σ_g):
        D* is then flat on the fakes and both D*-based gradients are exactly 0.
    dim : 1 or 2
        Initial view (a control): 1-D arrows, or the 2-D D* field.
    max_separation : float
        Right end of the separation slider and of the curves.
    n_fakes : int
        Fakes drawn in the 1-D view (one arrow each per loss lane).
    n_field, n_field_samples : int
        Grid points per axis of the 2-D field, and samples per distribution drawn on
        it. 100 samples: every fake is also marked on the four loss panels, and a
        slider step redraws each of those SVG markers (150 cost ~12 ms more per step).

    Attributes
    ----------
    controls : dict
        ``separation``, ``data_spread``, ``fake_spread``, ``family``, ``view``
        (1 or 2), ``arrows`` (the loss whose arrows the 2-D field shows).
    figure : plotly.graph_objects.FigureWidget
        The one FigureWidget shown now: the panels of the current view stacked
        (``gradients``: |gradient| vs separation, ``losses``: cost vs D(G(z)),
        then ``arrows``: 1-D lanes, or ``field``: 2-D). One per view, built the
        first time the view is shown and afterwards updated in place: one plot
        element in the page, redrawn once per change.
    figures : dict
        ``{"1-D": FigureWidget, "2-D": FigureWidget}`` (those built so far).
    panels : dict
        Name → ``panel(figure, row)`` (:func:`ganviz.plots._compose.panel`) of
        the current view: each panel with ``.data`` and ``.layout`` as in its
        stand-alone figure (to look at; the ``update_*`` helpers refresh
        ``figure`` by ``row=``).
    p_data, p_g : Distribution
        The pair drawn now (2-D in the 2-D view); ``pair_1d`` is always the
        1-D pair behind the curves.
    separations, curves, current_gradients, fakes
        What the gradient panel and the loss marks show now.
    """

    _LOSS_CONTROLS = frozenset({"arrows"})

    def __init__(
        self,
        *,
        separation: float = 4.0,
        data_spread: float = 1.0,
        fake_spread: float = 1.0,
        family: str = "gaussian",
        dim: int = 1,
        max_separation: float = 12.0,
        n_separations: int = 40,
        n_fakes: int = 12,
        n_field: int = 70,
        n_field_samples: int = 100,
        seed: int = 0,
    ):
        super().__init__()
        if dim not in (1, 2):
            raise ValueError(f"dim must be 1 or 2, got {dim!r}")
        if family not in FAMILIES.values():
            raise ValueError(
                f"family must be one of {', '.join(FAMILIES.values())}; got {family!r}"
            )
        self.seed = int(seed)
        self.n_fakes = int(n_fakes)
        self.n_field = int(n_field)
        self.n_field_samples = int(n_field_samples)
        self.max_separation = float(max_separation)
        self.separations = np.linspace(
            self.max_separation / n_separations, self.max_separation, int(n_separations)
        )
        self._curve_cache: dict[tuple, dict[str, np.ndarray]] = {}
        self.controls.update(
            separation=float_slider("separation Δ", separation, 0.0, self.max_separation, 0.1),
            data_spread=float_slider("σ of P_data", data_spread, 0.0, 3.0, 0.05),
            fake_spread=float_slider("σ of P_g", fake_spread, 0.0, 3.0, 0.05),
            family=widgets.Dropdown(
                options=list(FAMILIES.items()), value=family, description="family"
            ),
            view=widgets.ToggleButtons(
                options=[("1-D arrows", 1), ("2-D field", 2)], value=dim, description="view"
            ),
            arrows=widgets.Dropdown(
                options=[(loss, loss) for loss in LOSSES], value="minimax", description="2-D arrows"
            ),
        )
        self.readout = widgets.HTML()
        #: One FigureWidget per view ("1-D", "2-D"), built the first time the view is shown.
        self.figures: dict[str, go.FigureWidget] = {}
        self._drawn_curves: dict[int, dict] = {}
        state = self._compute()
        self._apply(state, draw=False)
        self._layout()
        self.observe_controls()

    # -- model ----------------------------------------------------------------------------
    def _settings(self) -> dict:
        c = self.controls
        return {
            "family": c["family"].value,
            "separation": float(c["separation"].value),
            "data_spread": _spread(c["data_spread"].value, "the spread of P_data"),
            "fake_spread": _spread(c["fake_spread"].value, "the spread of P_g"),
            "dim": int(c["view"].value),
            "arrows": c["arrows"].value,
        }

    def _curves(self, family: str, data_spread: float, fake_spread: float) -> dict:
        key = (family, data_spread, fake_spread)
        if key not in self._curve_cache:
            base_data, base_g = pair_for(family, 0.0, data_spread, fake_spread)
            if len(self._curve_cache) > 64:  # keep memory flat under long slider sessions
                self._curve_cache.clear()
            self._curve_cache[key] = gradient_curves(base_data, base_g, self.separations)
        return self._curve_cache[key]

    def _compute(self) -> dict:
        """Everything the figures show, computed before anything is drawn."""
        s = self._settings()
        p_data, p_g = pair_for(s["family"], s["separation"], s["data_spread"], s["fake_spread"])
        state = {
            **s,
            "pair_1d": (p_data, p_g),
            "curves": self._curves(s["family"], s["data_spread"], s["fake_spread"]),
            # the current point of each curve, by the same vectorised quadrature (one call
            # for the three losses; equal to ganviz.generator_gradient to ~1e-9)
            "current": LossDict(
                (loss, float(values[0]))
                for loss, values in gradient_curves(
                    p_data, p_g.shift(-s["separation"]), [s["separation"]]
                ).items()
            ),
            "fakes": p_g.sample(self.n_fakes, seed=self.seed),
        }
        if s["dim"] == 2:
            data2, g2 = pair_for(
                s["family"], s["separation"], s["data_spread"], s["fake_spread"], 2
            )
            state["pair"] = (data2, g2)
            state["field"] = self._field_arrays(data2, g2, s["arrows"], state)
            state["d_fakes"] = optimal_discriminator(data2, g2, state["field"]["fake"])
        else:
            state["pair"] = (p_data, p_g)
            state["d_fakes"] = optimal_discriminator(p_data, p_g, state["fakes"])
        return state

    def _field_arrays(self, p_data, p_g, loss, state) -> dict:
        """The 2-D field's data, keyed as the arguments of ``discriminator_field``."""
        xs, ys = view_axes(p_data, p_g, n=self.n_field)
        gx, gy = np.meshgrid(xs, ys)
        plane = np.stack([gx, gy], axis=-1)
        fake = p_g.sample(self.n_field_samples, seed=self.seed + 1)
        grads = sample_gradients(p_data, p_g, fake, loss, seed=self.seed)
        # One arrow scale for every loss, set by the largest pull of any of them
        # (non-saturating or the critic's unit slope; the x₁-components are the
        # 1-D ones): switching to minimax then shows its arrows shrink.
        one_d = sample_gradients(*state["pair_1d"], fake[:, 0], "nonsaturating")
        largest = max(float(np.abs(one_d).max(initial=0.0)), 1.0)
        diagonal = float(np.hypot(xs[-1] - xs[0], ys[-1] - ys[0]))
        return {
            "xs": xs,
            "ys": ys,
            "d": optimal_discriminator(p_data, p_g, plane),
            "real": p_data.sample(self.n_field_samples, seed=self.seed),
            "fake": fake,
            "fake_gradients": grads,
            "data_density": p_data.pdf(plane),
            "g_density": p_g.pdf(plane),
            "arrow_scale": 0.12 * diagonal / largest,
        }

    # -- figures --------------------------------------------------------------------------
    def _draw_panel(self, name: str, state: dict, fig: go.Figure, row: int) -> None:
        """Draw panel ``name`` from ``state`` into band ``row`` of the stacked ``fig``."""
        at = {"fig": fig, "row": row}
        p_data, p_g = state["pair_1d"]
        if name == "gradients":
            return vanishing_gradient_figure(
                p_data,
                p_g,
                self.separations,
                curves=state["curves"],
                current_gradients=state["current"],
                height=360,
                **at,
            )
        elif name == "losses":
            generator_loss_figure(state["d_fakes"], height=400, **at)
        elif name == "arrows":
            sample_arrows_figure(p_data, p_g, state["fakes"], n=300, height=420, **at)
        else:
            discriminator_field(
                **state["field"],
                d_name="D*(x)",
                title="D*(x) and −∂ℓ/∂x on the fakes (2-D)",
                height=480,
                **at,
            )

    def _build(self, state: dict) -> None:
        """Stack the panels of the current view into one FigureWidget (once per view)."""
        dim = state["dim"]
        figure = stacked_figure(rows=len(VIEWS[dim]))
        for row, name in enumerate(VIEWS[dim], start=1):
            self._draw_panel(name, state, figure, row)
        self.figures[f"{dim}-D"] = FigureWidget(figure)
        self._drawn_curves[dim] = state["curves"]

    @property
    def figure(self) -> go.FigureWidget:
        """The FigureWidget shown now (all panels of the current view, stacked)."""
        return self.figures[f"{self._dim}-D"]

    @property
    def panels(self) -> dict[str, Panel]:
        """The panels shown now, each looking like its stand-alone figure (``.data``, ``.layout``).

        Keys: :data:`VIEWS` of the current view.
        """
        return {name: panel(self.figure, row) for row, name in enumerate(VIEWS[self._dim], 1)}

    def _layout(self) -> None:
        c = self.controls
        c["view"].style.button_width = "110px"
        controls = widgets.HBox(
            [
                widgets.VBox(
                    [c["separation"], c["data_spread"], c["fake_spread"]],
                    layout=widgets.Layout(width="340px"),
                ),
                widgets.VBox([c["family"], c["view"], c["arrows"]]),
            ],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        self._figure_box = widgets.Box([self.figure])
        self.children = [controls, self.message, self.readout, self._figure_box]
        self.controls["arrows"].layout.display = "none" if self._dim == 1 else None

    # -- updates ---------------------------------------------------------------------------
    def update(self) -> None:
        """Recompute from the controls and redraw every visible figure in place.

        Raises ``ValueError`` for an invalid setting (control callbacks are
        guarded: the message shows in the widget and the figures keep their
        last valid state).
        """
        self._apply(self._compute(), draw=True)

    def _apply(self, state: dict, *, draw: bool) -> None:
        dim = state["dim"]
        p_data, p_g = state["pair_1d"]
        if f"{dim}-D" not in self.figures:
            self._build(state)  # drawn from this state: nothing to update
        elif draw:
            self._draw(state)
        self._dim = dim
        if draw:
            show_figure(self._figure_box, self.figure)
            self.controls["arrows"].layout.display = "none" if dim == 1 else None
        self.pair_1d = (p_data, p_g)
        self.p_data, self.p_g = state["pair"]
        self.curves = state["curves"]
        self.current_gradients = state["current"]
        self.fakes = state["fakes"]
        self.d_fakes = state["d_fakes"]
        self.readout.value = self._readout(state)

    def _draw(self, state: dict) -> None:
        dim = state["dim"]
        p_data, p_g = state["pair_1d"]
        fig = self.figures[f"{dim}-D"]
        row = {name: row for row, name in enumerate(VIEWS[dim], start=1)}
        with batched(fig):
            update_vanishing_gradient_figure(
                fig,
                p_data,
                p_g,
                self.separations,
                curves=state["curves"],
                current_gradients=state["current"],
                # the curves depend on the shapes only: redraw them when those changed
                redraw_curves=state["curves"] is not self._drawn_curves[dim],
                row=row["gradients"],
            )
            self._drawn_curves[dim] = state["curves"]
            update_generator_loss_figure(fig, state["d_fakes"], row=row["losses"])
            if dim == 1:
                update_sample_arrows_figure(fig, p_data, p_g, state["fakes"], row=row["arrows"])
            else:
                xs, ys = state["field"]["xs"], state["field"]["ys"]
                update_discriminator_field(fig, **state["field"], row=row["field"])
                ranges = {
                    "xaxis.range": [float(xs[0]), float(xs[-1])],
                    "yaxis.range": [float(ys[0]), float(ys[-1])],
                }
                relayout(fig, panel(fig, row["field"]).paths(ranges))

    @staticmethod
    def _readout(state: dict) -> str:
        d = np.asarray(state["d_fakes"], dtype=float)
        g = state["current"]
        return (
            "<div style='font-size:13px'>"
            f"D* on the fakes: mean <b>{d.mean():.3g}</b> → minimax factor D* ≈ "
            f"{d.mean():.2g}, non-saturating factor 1 − D* ≈ {1 - d.mean():.2g}. "
            f"Generator gradient now: minimax <b>{abs(g['minimax']):.3g}</b>, "
            f"non-saturating <b>{abs(g['nonsaturating']):.3g}</b>, "
            f"Wasserstein <b>{abs(g['wgan']):.3g}</b>.</div>"
        )
