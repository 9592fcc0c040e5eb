"""The optimal discriminator explorer: shape P_data and P_g, watch D*, V and the divergences.

1-D (``dim=1``): the densities with D*(x) = p_data/(p_data + p_g) on a second
axis, the optimal WGAN critic on request, V(G, D*) on a gauge with
2·JS − 2·log 2 beside it, and a table of JS, both KLs, TV and W1.

2-D (``dim=2``): D* as a heatmap with its ½ contour and the density contours,
samples from both distributions, and on every fake sample an arrow along
−∂ℓ_G/∂x for the chosen generator loss. Click on the plot (or type
``x, y`` lines) to draw your own P_data.

>>> from ganviz.widgets import OptimalDiscriminatorExplorer
>>> OptimalDiscriminatorExplorer()          # doctest: +SKIP
>>> OptimalDiscriminatorExplorer(dim=2)     # doctest: +SKIP
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from ..distributions import Distribution
from ..gradients import LOSSES, sample_gradients
from ..grids import auto_grid
from ..losses import canonical_loss
from ..plots import style
from ..plots.density import density_plot, update_density_plot
from ..plots.field import (
    auto_arrow_scale,
    discriminator_field,
    theory_field_data,
    update_discriminator_field,
)
from ..theory import Divergences, divergences
from ._base import ExplorerBase
from ._controls import (
    GAUSSIAN,
    MIXTURE,
    POINTS,
    UNIFORM,
    DistributionPanel,
    checkbox,
    control_row,
    float_slider,
)
from ._figure import FigureWidget
from ._threads import single_blas_thread
from ._value_panel import ValuePanel

__all__ = ["OptimalDiscriminatorExplorer", "arrow_scale", "field_arrays", "pair_divergences"]

#: Samples per distribution used for the 2-D W1 estimate on every move (exact OT on 512
#: samples costs ~100 ms; 128 costs ~5 ms and is labelled as an estimate in the table).
W1_SAMPLES_2D = 128
W1_LABEL_2D = f"W1 ≈ (OT, {W1_SAMPLES_2D} samples)"


def pair_divergences(p_data: Distribution, p_g: Distribution) -> Divergences:
    """Every divergence between P_data and P_g, cheaply enough for a slider move.

    1-D: :func:`ganviz.divergences` on the composite Gauss–Legendre grid of
    :func:`ganviz.auto_grid` (JS, KL and V agree with the default, refined
    grid to ~1e-11; TV and W1, whose integrands have kinks, to ~1e-3) — the
    refinement where D* switches costs ~20 ms per call for mixtures.
    2-D: the default grid, W1 estimated by exact OT on
    :data:`W1_SAMPLES_2D` samples.
    """
    if p_data.dim == 1:
        return divergences(p_data, p_g, grid=auto_grid(p_data, p_g))
    return divergences(p_data, p_g, n_samples=W1_SAMPLES_2D)


def field_arrays(
    p_data: Distribution,
    p_g: Distribution,
    *,
    n: int = 80,
    n_samples: int = 150,
    loss: str = "nonsaturating",
    seed: int = 0,
) -> dict:
    """Everything the 2-D field draws, evaluating each density once on the plane.

    The keys are those of :func:`ganviz.plots.field.theory_field_data` (``xs``,
    ``ys``, ``d`` = D* on the grid, the two densities, ``real``, ``fake``,
    ``fake_gradients``) and ``arrow_scale`` (see :func:`arrow_scale`).
    """
    arrays = theory_field_data(p_data, p_g, n=n, n_samples=n_samples, loss=loss, seed=seed)
    arrays["arrow_scale"] = arrow_scale(
        arrays["xs"],
        arrays["ys"],
        p_data,
        p_g,
        arrays["fake"],
        loss,
        arrays["fake_gradients"],
        seed=seed,
    )
    return arrays


def arrow_scale(xs, ys, p_data, p_g, fake, loss, gradients, *, seed: int = 0) -> float:
    """Arrow length per unit gradient, shared by the minimax and non-saturating arrows.

    Both losses push a fake along ∇s = ∇log p_data − ∇log p_g, weighted by D*
    (minimax) or 1 − D* (non-saturating). Scaling both by the *non-saturating*
    arrows (95th percentile at 8 % of the view's diagonal) keeps their lengths
    comparable: switch to minimax where D* ≈ 0 and the arrows vanish, as the
    gradient does. Wasserstein arrows (unit vectors of the optimal transport)
    get their own scale.
    """
    if canonical_loss(loss, LOSSES) == "wgan":
        return auto_arrow_scale(xs, ys, -gradients)
    reference = (
        gradients
        if loss == "nonsaturating"
        else sample_gradients(p_data, p_g, fake, "nonsaturating")
    )
    return auto_arrow_scale(xs, ys, -reference)


class OptimalDiscriminatorExplorer(ExplorerBase):
    """Shape P_data and P_g; see D*(x) = p_data/(p_data + p_g), V(G, D*) and the divergences.

    Parameters
    ----------
    dim : 1 or 2
        1-D densities with D* on a second axis, or the 2-D field with
        per-sample generator-gradient arrows and click-to-add data points.
    loss : str
        2-D only: the generator loss whose gradient the arrows show
        (``"minimax"``, ``"nonsaturating"`` or ``"wgan"``, old spelling
        ``"wasserstein"``); a control.
    n_samples : int
        2-D only: samples drawn from each distribution.

    Attributes
    ----------
    controls : dict
        name → widget: ``data_family``, ``data_mean`` …, ``g_family``,
        ``g_mean`` …, ``shift`` (1-D) or ``shift_x``/``shift_y`` (2-D),
        ``show_critic``/``shade`` (1-D) or ``loss`` (2-D).
    figures : dict
        ``{"density", "value"}`` in 1-D, ``{"field", "value"}`` in 2-D
        (``plotly.graph_objects.FigureWidget``); ``figure`` is the first.
    p_data, p_g : Distribution
        The distributions drawn now (P_g includes the shift).
    loss : str or None
        2-D: the loss whose arrows are drawn now.
    show_critic, shade : bool or None
        1-D: what the density figure shows now.

    When the controls describe an invalid combination, a message appears and
    all of these keep the last valid state, as the figures do.
    """

    _LOSS_CONTROLS = frozenset({"loss"})

    def __init__(self, dim: int = 1, *, loss: str = "nonsaturating", n_samples: int = 150):
        super().__init__()
        if dim not in (1, 2):
            raise ValueError(f"dim must be 1 or 2, got {dim!r}")
        loss = canonical_loss(loss, LOSSES)
        self.dim = dim
        self.n_samples = int(n_samples)
        #: Plot points per axis of the 2-D field: 80 × 80 (four such arrays move per update,
        #: 26 kB each as float32 rows).
        self.n_grid = 80
        #: Seed of the samples: fixed, so moving a slider moves the same samples.
        self.seed = 0
        self.data_panel = DistributionPanel(
            "data",
            "P_data",
            dim=dim,
            families=(GAUSSIAN, MIXTURE, UNIFORM, POINTS),
            colour=style.DATA,
        )
        g_defaults = {"std": 0.7} if dim == 1 else {"std_x": 0.7, "std_y": 0.7}
        self.g_panel = DistributionPanel(
            "g", "P_g", dim=dim, defaults=g_defaults, colour=style.FAKE
        )
        self.controls.update(self.data_panel.controls)
        self.controls.update(self.g_panel.controls)
        if dim == 1:
            self.controls["shift"] = float_slider("shift of P_g", 2.0, -6.0, 6.0, 0.1)
            self.controls["show_critic"] = checkbox(False, "show the WGAN critic f*(x)")
            self.controls["shade"] = checkbox(True, "shade where each density dominates")
        else:
            self.controls["shift_x"] = float_slider("shift x", 2.0, -6.0, 6.0, 0.1)
            self.controls["shift_y"] = float_slider("shift y", 1.0, -6.0, 6.0, 0.1)
            self.controls["loss"] = widgets.Dropdown(
                options=list(LOSSES), value=loss, description="arrows for"
            )
        # What the figures show now (kept when the controls become invalid).
        self.p_data = self.data_panel.distribution()
        self.p_g = self._shifted(self.g_panel.distribution())
        self.divergences = pair_divergences(self.p_data, self.p_g)
        self.loss = loss if dim == 2 else None
        self.show_critic = self.shade = None
        if dim == 1:
            self.show_critic, self.shade = False, True
        self.figures = self._build_figures()
        self.figure = next(iter(self.figures.values()))
        self._layout()
        self.observe_controls()

    # -- construction -------------------------------------------------------------
    def _shifted(self, base: Distribution) -> Distribution:
        c = self.controls
        if self.dim == 1:
            return base.shift(c["shift"].value)
        return base.shift([c["shift_x"].value, c["shift_y"].value])

    def _build_figures(self) -> dict[str, go.FigureWidget]:
        if self.dim == 1:
            main = density_plot(
                self.p_data,
                self.p_g,
                show_critic=self.controls["show_critic"].value,
                shade=self.controls["shade"].value,
                title="p_data, p_g and the optimal discriminator D*(x)",
                height=380,
            )
            name, w1_label = "density", "W1"
        else:
            arrays = self._field_arrays(self.p_data, self.p_g, self.loss)
            main = discriminator_field(
                **arrays,
                d_name="D*(x)",
                title="D*(x) with −∂ℓ/∂x on every fake (click to add data points)",
                height=520,
            )
            name, w1_label = "field", W1_LABEL_2D
        self.value_panel = ValuePanel(self.divergences, w1_label=w1_label, height=270)
        figures = {name: FigureWidget(main), "value": self.value_panel.figure}
        if self.dim == 2:
            # a smooth D*, not 80 × 80 tiles; "fast" lets the browser scale the image (what
            # "best" interpolates in JavaScript costs ~15 ms of every slider step's redraw)
            figures["field"].data[0].zsmooth = "fast"
            for trace in figures["field"].data:
                trace.on_click(self._on_click)
        return figures

    def _layout(self) -> None:
        c = self.controls
        if self.dim == 1:
            extra = [c["shift"], c["show_critic"], c["shade"]]
        else:
            self.clear_button = widgets.Button(
                description="clear my points", icon="eraser", layout=widgets.Layout(width="160px")
            )
            self.clear_button.on_click(lambda _b: self.clear_points())
            extra = [c["shift_x"], c["shift_y"], c["loss"], self.clear_button]
        moves = widgets.VBox([widgets.HTML("<b>P_g moves</b>"), *extra])
        row = control_row(self.data_panel, self.g_panel, moves)
        self.children = [row, self.message, self.figure, self.value_panel]

    # -- updates ------------------------------------------------------------------------
    def update(self) -> None:
        """Recompute everything from the controls and redraw in place.

        Raises ``ValueError`` for an invalid combination (control callbacks go
        through ``_guarded``, which shows it as a message instead).
        """
        with single_blas_thread():
            self._update()

    def _update(self) -> None:
        p_data = self.data_panel.distribution()
        p_g = self._shifted(self.g_panel.distribution())
        c = self.controls
        # Everything that can fail is computed first: an error leaves the figures as they were.
        divs = pair_divergences(p_data, p_g)
        arrays = None if self.dim == 1 else self._field_arrays(p_data, p_g, c["loss"].value)
        # The small gauge and table go first: their redraw is over before the main figure
        # arrives, so the page's last redraw is the big one's (~12 ms less per slider step
        # than the other order, which waits for the browser to paint the main figure).
        w1_label = "W1" if self.dim == 1 else W1_LABEL_2D
        self.value_panel.show(divs, w1_label=w1_label)
        if self.dim == 1:
            update_density_plot(
                self.figures["density"],
                p_data,
                p_g,
                show_critic=c["show_critic"].value,
                shade=c["shade"].value,
            )
            self.show_critic, self.shade = c["show_critic"].value, c["shade"].value
        else:
            self._draw(arrays)
            self.loss = c["loss"].value
        self.p_data, self.p_g, self.divergences = p_data, p_g, divs

    def _field_arrays(self, p_data: Distribution, p_g: Distribution, loss: str) -> dict:
        return field_arrays(
            p_data, p_g, n=self.n_grid, n_samples=self.n_samples, loss=loss, seed=self.seed
        )

    def _draw(self, arrays: dict) -> None:
        fig = self.figures["field"]
        xs, ys = arrays["xs"], arrays["ys"]
        with fig.batch_update():
            update_discriminator_field(fig, **arrays)
            fig.layout.xaxis.range = [float(xs[0]), float(xs[-1])]
            fig.layout.yaxis.range = [float(ys[0]), float(ys[-1])]

    # -- the learner's own points (2-D clicks, or the points box in both dims) --------
    def _on_click(self, trace, points, state) -> None:
        if points.xs:
            self._guarded(lambda: self.add_points(list(zip(points.xs, points.ys, strict=True))))

    def add_points(self, points) -> None:
        """Append points to P_data's points box and make P_data "Your points" (one redraw)."""
        pts = np.asarray(points, dtype=float).reshape(-1, self.dim)
        box = self.controls["data_points"]
        current = box.value.strip() if self.data_panel.family == POINTS else ""
        if self.dim == 1:
            added = ", ".join(f"{v:.3g}" for v in pts[:, 0])
            text = f"{current}, {added}" if current else added
        else:
            added = "\n".join(f"{x:.3g}, {y:.3g}" for x, y in pts)
            text = f"{current}\n{added}" if current else added
        self.set(data_family=POINTS, data_points=text)

    def add_point(self, x: float, y: float | None = None) -> None:
        """Add one data point (what a click on the 2-D plot does)."""
        self.add_points([[x] if y is None else [x, y]])

    def clear_points(self) -> None:
        """Empty P_data's points box (then click to add new ones)."""
        self.set(data_family=POINTS, data_points="")
