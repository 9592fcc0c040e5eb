"""TrainingExplorer: watch a real GAN learn, beside the theory.

The dashboard trains a :class:`ganviz.train.Trainer` in a worker thread
(see :mod:`ganviz.widgets._live` for why a thread and how redraws reach the
notebook safely) and draws every observation with the very helpers that draw
the theory in notebooks 01–04:

* **trained D** — :func:`ganviz.plots.discriminator_field` of the trainer's
  :class:`~ganviz.Snapshot`: D(x) (or the WGAN critic) as a heatmap with its
  D = ½ contour, real and fake samples, the arrows −∂ℓ_G/∂x of the loss being
  trained on every fake, and the generator's image of a noise grid (the
  manifold);
* **theory** — where P_data has a known density (ring8, grid25, gaussian, or a
  distribution drawn in the theory explorers), the optimal discriminator for
  the *current* generator,

  .. math:: D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + \\hat p_g(x)},

  with :math:`\\hat p_g` a Gaussian KDE of the current fakes
  (``ganviz.Empirical(fakes)``), and the arrows the same loss would give at
  D*. The status line reports :math:`E_m|D - D^*|` with
  :math:`m = (p_{data} + \\hat p_g)/2`: how close the network is to the optimum;
* losses of D and G, and metrics over time (modes covered, high-quality
  fraction, grid JS/KL estimates, mean generator-gradient norm);
* for image datasets (``digits``, ``mnist``, ``fashion-mnist``): a grid of
  generated images sent as one PNG per redraw, the classifier's class
  histogram and the image metrics over time.

Every setting is a control; changing one starts a new run (same seed ⇒ same
run). ``speed`` (steps between redraws) and the theory switch act live.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from scipy import special

from ..distributions import (
    Distribution,
    Empirical,
    Gaussian,
    grid_of_gaussians,
    ring_of_gaussians,
)
from ..gradients import sample_gradients
from ..plots import discriminator_field, style, update_discriminator_field
from ..plots.field import auto_arrow_scale
from ..plots.training import (
    METRIC_LABELS,
    class_histogram,
    image_mosaic,
    loss_curves,
    metric_curves,
    png_bytes,
)
from ..snapshot import Snapshot
from ..train import (
    DATASETS,
    LOSSES,
    OPTIMIZERS,
    PRESETS,
    DatasetUnavailable,
    TrainConfig,
    Trainer,
    TrainingDiverged,
)
from ..train.config import NOISES
from ._controls import beside, checkbox, wrapping_row
from ._dashboard import (
    CUSTOM,
    DEFAULT_SPEED,
    LiveDashboard,
    as_distribution,
    base_config,
    d_steps_slider,
    dataset_options,
    depth_slider,
    hidden_dropdown,
    positive_count,
    run_buttons,
    seed_box,
    speed_slider,
)
from ._figure import FigureWidget
from ._live import LiveRunner

__all__ = [
    "CUSTOM",
    "IMAGE_DATASETS",
    "TOY_DATASETS",
    "TheoryOverlay",
    "TrainingExplorer",
    "TrainingFrame",
    "kde_logpdf_on_grid",
    "known_density",
    "theory_overlay",
]

#: Registered 2-D toys and image sets, in dropdown order.
TOY_DATASETS = tuple(name for name, (kind, _) in DATASETS.items() if kind == "points")
IMAGE_DATASETS = tuple(name for name, (kind, _) in DATASETS.items() if kind == "images")
#: Metrics drawn over time for 2-D toys and for images.
TOY_METRICS = ("modes_covered", "high_quality", "js", "kl", "grad_norm")
IMAGE_METRICS = ("classes_covered", "class_kl", "fid")
#: Core loss names of the trainer's losses whose optimal-D arrows the core knows.
CORE_LOSS = {"minimax": "minimax", "nonsaturating": "nonsaturating"}
#: Images in the generated grid.
IMAGE_COLUMNS = 8
#: Config fields that are controls (the rest come from the base config).
CONFIG_CONTROLS = (
    "loss",
    "d_steps",
    "lr_d",
    "lr_g",
    "optimizer",
    "hidden",
    "depth",
    "z_dim",
    "noise",
    "batch_size",
    "seed",
)
BATCH_CHOICES = (16, 32, 64, 128, 256, 512, 1024)


# -- the theory side ------------------------------------------------------------------------


def known_density(dataset) -> Distribution | None:
    """The exact density of a trainer's dataset when it has one, else None.

    ``dataset`` is a :class:`ganviz.train.Dataset` (``trainer.dataset``) or a
    registered name. ring8, grid25 and gaussian are rebuilt from their
    options with the core's :func:`~ganviz.ring_of_gaussians`,
    :func:`~ganviz.grid_of_gaussians` and :class:`~ganviz.Gaussian`; moons,
    circles, spirals and images have no closed-form density.
    """
    if isinstance(dataset, str):
        name, options = dataset, {}
    else:
        name, options = dataset.name, dict(getattr(dataset, "options", {}) or {})
    if name == "ring8":
        keys = ("k", "radius", "std")
        return ring_of_gaussians(**{k: options[k] for k in keys if k in options})
    if name == "grid25":
        keys = ("side", "spacing", "std")
        return grid_of_gaussians(**{k: options[k] for k in keys if k in options})
    if name == "gaussian":
        mean = options.get("mean", (1.0, 1.0))
        return Gaussian(list(mean), std=options.get("std", 0.3))
    return None


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


def kde_logpdf_on_grid(kde: Empirical, xs, ys) -> np.ndarray:
    """log p̂(x, y) of a 2-D Gaussian KDE on the grid ``xs × ys``, shape (ny, nx).

    The kernel factorises, N((x, y); x_i, h²I) ∝ e^{a_i(x)} e^{b_i(y)} with
    a_i(x) = −(x − x_{i,1})²/2h², b_i(y) = −(y − x_{i,2})²/2h², so

    .. math:: \\log \\sum_i e^{a_i(x) + b_i(y)} = A(x) + B(y)
              + \\log \\sum_i e^{a_i(x) - A(x)}\\, e^{b_i(y) - B(y)}

    with A, B the maxima over i: one (ny × n)·(n × nx) matrix product
    instead of n·nx·ny exponentials (~2 ms instead of ~60 ms for 512 fakes on
    64²). Where the sum underflows (every kernel negligible in x *or* in y)
    those grid points fall back to the exact logsumexp of ``kde.logpdf``.
    """
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    points, h = kde.points, kde.bandwidth
    a = -0.5 * ((xs[None, :] - points[:, :1]) / h) ** 2  # (n, nx)
    b = -0.5 * ((ys[None, :] - points[:, 1:]) / h) ** 2  # (n, ny)
    a_max, b_max = a.max(axis=0), b.max(axis=0)
    total = np.exp(b - b_max).T @ np.exp(a - a_max)  # (ny, nx)
    log_norm = -math.log(len(points)) - 2.0 * (math.log(h) + 0.5 * math.log(2.0 * math.pi))
    with np.errstate(divide="ignore"):
        out = np.log(total) + b_max[:, None] + a_max[None, :] + log_norm
    lost = total < 1e-280  # underflow: recompute those points exactly
    if np.any(lost):
        gy, gx = np.nonzero(lost)
        out[lost] = kde.logpdf(np.stack([xs[gx], ys[gy]], axis=1))
    return out


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
    gx, gy = np.meshgrid(snapshot.grid_x, snapshot.grid_y)
    plane = np.stack([gx, gy], axis=-1)
    lp = p_data.logpdf(plane) if data_logpdf is None else np.asarray(data_logpdf, float)
    if lp.shape != gx.shape:
        raise ValueError(f"data_logpdf must have the grid's shape {gx.shape}, got {lp.shape}")
    lq = kde_logpdf_on_grid(p_g, snapshot.grid_x, snapshot.grid_y)
    with np.errstate(invalid="ignore"):
        logit = lp - lq
    d_star = special.expit(np.where(np.isnan(logit), 0.0, logit))
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


@dataclass
class TrainingFrame:
    """One observation of a run (made in the training thread, drawn on the owner thread).

    ``theory`` is filled in on the owner thread, just before drawing.
    """

    generation: int
    snapshot: Snapshot
    records: list
    d_steps: int
    steps_per_second: float
    theory: TheoryOverlay | None = None
    png: bytes | None = None
    class_counts: np.ndarray | None = None


# -- figures (built once, updated in place) --------------------------------------------------


def _placeholder_rows(keys, section) -> list[dict]:
    """One row with every key, so the plot helpers create every trace (emptied afterwards)."""
    return [{"step": 0, "losses": {}, "metrics": {}} | {section: dict.fromkeys(keys, 0.0)}]


def _no_density(xs, ys) -> np.ndarray:
    """Zeros for a density contour with nothing to show.

    Not NaN: a FigureWidget sends 2-D arrays as JSON lists, where NaN is not valid
    (jupyter_client then warns in the notebook and takes a slow path).
    """
    return np.zeros((len(ys), len(xs)))


def _empty_field(title: str, d_name: str) -> go.Figure:
    axis = np.array([-1.0, 1.0])
    blank = _no_density(axis, axis)
    fig = discriminator_field(
        axis,
        axis,
        np.full((2, 2), 0.5),
        data_density=blank,
        g_density=blank,
        d_name=d_name,
        title=title,
        height=430,
    )
    fig.update_layout(width=440, margin={"l": 45, "r": 10, "t": 75, "b": 40})
    return fig


def _find_trace(fig: go.FigureWidget, name: str):
    for trace in fig.data:
        if trace.name == name:
            return trace
    return None


def _trace(fig: go.FigureWidget, name: str):
    trace = _find_trace(fig, name)
    if trace is None:  # pragma: no cover - the figures are built with every trace
        raise KeyError(name)
    return trace


def _configure_heatmap(fig: go.FigureWidget, probability: bool, name: str) -> None:
    """Switch the D heatmap between a probability in [0, 1] and an unbounded critic."""
    heat = fig.data[0]
    if probability:
        heat.colorscale = style.D_COLORSCALE
        heat.zmin, heat.zmax, heat.zmid = 0.0, 1.0, None
        heat.zauto = False
    else:
        heat.colorscale = style.CRITIC_COLORSCALE
        heat.zmin = heat.zmax = None
        heat.zauto = True
        heat.zmid = 0.0
    heat.colorbar.title.text = name
    heat.hovertemplate = "x=%{x:.2f}<br>y=%{y:.2f}<br>" + name + "=%{z:.3f}<extra></extra>"
    fig.data[1].visible = probability
    fig.data[1].showlegend = probability


def _frame_axes(fig: go.FigureWidget, xs, ys) -> None:
    """Set the axes to the grid ``xs × ys`` (only when they changed: a relayout is costly)."""
    x_range = [float(xs[0]), float(xs[-1])]
    if tuple(fig.layout.xaxis.range or ()) != tuple(x_range):
        fig.layout.xaxis.range = x_range
        fig.layout.yaxis.range = [float(ys[0]), float(ys[-1])]


def _update_series(fig: go.FigureWidget, rows, metrics, references) -> None:
    for metric in metrics:
        steps, values = [], []
        for row in rows:
            value = row["metrics"].get(metric)
            if value is not None:
                steps.append(row["step"])
                values.append(float(value))
        line = _trace(fig, METRIC_LABELS.get(metric, metric))
        line.x, line.y = steps, values
        ref = references.get(metric)
        ref_trace = _find_trace(fig, f"{metric} reference")
        if ref_trace is None:
            continue
        if ref is None or not steps:
            ref_trace.x, ref_trace.y = [], []
        else:
            ref_trace.x, ref_trace.y = [steps[0], steps[-1]], [ref, ref]


def _references(rows, image: bool) -> dict:
    last = rows[-1]["metrics"] if rows else {}
    if image:
        return {
            "classes_covered": last.get("classes_total"),
            "class_kl": 0.0,
            "fid": last.get("fid_floor"),
        }
    return {
        "modes_covered": last.get("modes_total"),
        "high_quality": 1.0,
        "js": 0.0,
        "kl": 0.0,
        "grad_norm": None,
    }


# -- the explorer ------------------------------------------------------------------------------


class TrainingExplorer(LiveDashboard):
    """Train a GAN live and compare the trained discriminator with the optimal one.

    Parameters
    ----------
    dataset : str, optional
        A registered 2-D toy (``"ring8"``, ``"grid25"``, ``"moons"`` …) or
        image set (``"digits"``, ``"mnist"``, ``"fashion-mnist"``), or
        ``"custom"`` for ``p_data``. Default: ``"custom"`` when ``p_data`` is
        given, else the config's dataset (ring8).
    p_data : Distribution or array (n, 2), optional
        The P_data drawn in a theory explorer (``explorer.p_data``) or a
        learner's points (trained on as ``ganviz.Empirical(points)``).
    config : TrainConfig, optional
        Base configuration; the controls start from its values and the
        fields without a control (penalty weight, Adam β, snapshot sizes …)
        are taken from it.
    speed : int, optional
        Training steps between redraws (default 20).
    theory : bool
        Draw the D* overlay (costs a KDE per redraw).
    threads : int or None
        torch CPU threads (process-wide). 1 by default: these small networks
        gain nothing from more, extra threads thrash on a busy 2-core machine
        (10× slower measured), and the notebook's main thread keeps a core
        to draw. None keeps the config's value.
    **overrides
        TrainConfig fields applied to ``config`` (``loss="wgan-gp"``, ``hidden=64``).

    Examples
    --------
    >>> from ganviz.widgets import TrainingExplorer
    >>> explorer = TrainingExplorer(dataset="ring8", loss="nonsaturating")
    >>> explorer          # doctest: +SKIP  (press play)
    >>> explorer.advance(200); explorer.snapshot.metrics["modes_covered"]  # doctest: +SKIP
    """

    def __init__(
        self,
        dataset: str | None = None,
        *,
        p_data=None,
        config: TrainConfig | None = None,
        speed: int | None = None,
        theory: bool = True,
        threads: int | None = 1,
        **overrides,
    ):
        super().__init__()
        config = base_config(config, threads, overrides)
        self._custom: Distribution | None = None
        if p_data is not None:
            self._custom = as_distribution(p_data)
        if dataset is None:
            dataset = CUSTOM if self._custom is not None else config.dataset
        self._check_dataset(dataset)
        self.base_config = config
        self._holding = False
        self._holding_dirty = False
        self._field_probability: bool | None = None
        self._data_logpdf_key: tuple | None = None
        self._data_logpdf: np.ndarray | None = None
        self._generation = 0
        self.trainer: Trainer | None = None
        #: the exact P_data density of the current run (None when unknown)
        self.p_data: Distribution | None = None
        #: the last frame and snapshot drawn
        self.frame: TrainingFrame | None = None
        self.snapshot: Snapshot | None = None

        self._build_controls(dataset, config, speed or DEFAULT_SPEED, theory)
        self._build_figures()
        self.status = widgets.HTML(layout=widgets.Layout(margin="2px 0 0 0"))
        self._layout()
        self.runner = LiveRunner(
            self._step_once,
            self._observe,
            self._draw,
            check=lambda: self.trainer.check_finite(),
            speed=self.controls["speed"].value,
            error_types=(TrainingDiverged,),
        )
        self._wire()
        self._rebuild(raise_errors=True)

    # -- inputs -----------------------------------------------------------------------------
    def _dataset_options(self) -> list[tuple[str, str]]:
        options = dataset_options(TOY_DATASETS, self._custom is not None)
        return options + [(f"{name} (images)", name) for name in IMAGE_DATASETS]

    def _check_dataset(self, dataset: str) -> None:
        allowed = [value for _, value in self._dataset_options()]
        if dataset not in allowed:
            extra = "" if self._custom is not None else " ('custom' needs p_data=)"
            raise ValueError(f"dataset must be one of {', '.join(allowed)}{extra}; got {dataset!r}")

    # -- construction -----------------------------------------------------------------------
    def _build_controls(self, dataset, config: TrainConfig, speed, theory) -> None:
        style_ = {"description_width": "96px"}
        wide = widgets.Layout(width="310px")
        images = dataset in IMAGE_DATASETS

        def lr_slider(value, description):
            return widgets.FloatLogSlider(
                value=value,
                base=10,
                min=-5,
                max=-1,
                step=0.1,
                description=description,
                readout_format=".1e",
                style=style_,
                layout=wide,
            )

        z_dim = config.resolved_z_dim(images)
        c = {
            "dataset": widgets.Dropdown(
                options=self._dataset_options(),
                value=dataset,
                description="dataset",
                style=style_,
                layout=wide,
            ),
            "loss": widgets.Dropdown(
                options=list(LOSSES),
                value=config.loss,
                description="loss",
                style=style_,
                layout=wide,
            ),
            "d_steps": d_steps_slider(config.d_steps, style_, wide),
            "lr_d": lr_slider(config.lr_d, "lr of D"),
            "lr_g": lr_slider(config.lr_g, "lr of G"),
            "optimizer": widgets.Dropdown(
                options=list(OPTIMIZERS),
                value=config.optimizer,
                description="optimiser",
                style=style_,
                layout=wide,
            ),
            "hidden": hidden_dropdown(config.hidden, style_, wide),
            "depth": depth_slider(config.depth, style_, wide),
            "z_dim": widgets.IntSlider(
                value=z_dim,
                min=1,
                max=max(128, z_dim),
                description="noise dim",
                style=style_,
                layout=wide,
            ),
            "noise": widgets.Dropdown(
                options=list(NOISES),
                value=config.noise,
                description="noise p_z",
                style=style_,
                layout=wide,
            ),
            "batch_size": widgets.Dropdown(
                options=sorted(set(BATCH_CHOICES) | {config.batch_size}),
                value=config.batch_size,
                description="batch size",
                style=style_,
                layout=wide,
            ),
            "seed": seed_box(config.seed, style_),
            "speed": speed_slider(speed, style_, wide),
            "theory": checkbox(theory, "theory overlay: D* of a KDE of the fakes"),
        }
        tooltips = {
            "play": "train until paused",
            "pause": "stop after the current step",
            "step_d": "one discriminator update",
            "step_g": "one generator update",
            "step": "one full step: k D updates, then one G update",
            "reset": "start the run again (same seed ⇒ same run)",
        }
        c.update(run_buttons(tooltips, "96px"))
        self.controls = c

    def _build_figures(self) -> None:
        field = _empty_field("trained D", "D(x)")
        theory = _empty_field("theory: D* against a KDE of the fakes", "D*(x)")
        losses = loss_curves(_placeholder_rows(("d", "g", "penalty"), "losses"), height=300)
        losses.update_layout(width=560)
        toy_metrics = metric_curves(
            _placeholder_rows(TOY_METRICS, "metrics"),
            metrics=TOY_METRICS,
            references={"modes_covered": 0, "high_quality": 1.0, "js": 0.0, "kl": 0.0},
            title="Metrics",
            height=560,
        )
        toy_metrics.update_layout(width=560)
        toy_metrics.update_yaxes(
            type="log", dtick=1, exponentformat="power", row=len(TOY_METRICS), col=1
        )
        image_metrics = metric_curves(
            _placeholder_rows(IMAGE_METRICS, "metrics"),
            metrics=IMAGE_METRICS,
            references={"classes_covered": 10, "class_kl": 0.0, "fid": 0.0},
            title="Image metrics",
            height=420,
        )
        image_metrics.update_layout(width=560)
        classes = class_histogram(np.zeros(10), title="classes of the generated images")
        classes.update_layout(width=440)
        self.figures: dict[str, go.FigureWidget] = {
            "field": FigureWidget(field),
            "theory": FigureWidget(theory),
            "losses": FigureWidget(losses),
            "metrics": FigureWidget(toy_metrics),
            "classes": FigureWidget(classes),
            "image_metrics": FigureWidget(image_metrics),
        }
        for fig in self.figures.values():
            with fig.batch_update():
                for trace in fig.data:
                    if isinstance(trace, go.Scatter) and trace.name != "D = ½":
                        trace.x, trace.y = [], []
        #: the generated images, one PNG per redraw
        self.image = widgets.Image(
            format="png", layout=widgets.Layout(width="420px", border="1px solid #ddd")
        )

    @property
    def figure(self) -> go.FigureWidget:
        """The main figure: the trained discriminator field (2-D toys)."""
        return self.figures["field"]

    def _layout(self) -> None:
        c = self.controls

        def heading(text):
            return widgets.HTML(f"<b style='font-size:12.5px'>{text}</b>")

        panel = widgets.VBox(
            [
                heading("data and objective"),
                c["dataset"],
                c["loss"],
                c["d_steps"],
                heading("networks and noise"),
                c["hidden"],
                c["depth"],
                c["z_dim"],
                c["noise"],
                heading("optimisation"),
                c["optimizer"],
                c["lr_d"],
                c["lr_g"],
                c["batch_size"],
                c["seed"],
                heading("run"),
                widgets.HBox([c["play"], c["pause"], c["reset"]]),
                widgets.HBox([c["step_d"], c["step_g"], c["step"]]),
                c["speed"],
                c["theory"],
            ],
            layout=widgets.Layout(width="320px"),
        )
        # the theory panel (and the class histogram) wrap below on a narrow screen
        self._toy_box = wrapping_row(self.figures["field"], self.figures["theory"])
        image_title = widgets.HTML("<b>generated images</b> (fixed noise)")
        self._image_box = wrapping_row(
            widgets.VBox([image_title, self.image]), self.figures["classes"]
        )
        self._toy_metrics_box = widgets.VBox([self.figures["metrics"]])
        self._image_metrics_box = widgets.VBox([self.figures["image_metrics"]])
        curves = wrapping_row(
            self.figures["losses"], self._toy_metrics_box, self._image_metrics_box
        )
        plots = widgets.VBox(
            [self._toy_box, self._image_box],
            layout=widgets.Layout(flex="1 1 0%", min_width="450px"),
        )
        top = beside(panel, plots)
        self.children = [top, self.status, self.message, curves]

    def _wire(self) -> None:
        c = self.controls
        for name in ("dataset", *CONFIG_CONTROLS):
            c[name].observe(self._on_config_change, names="value")
        c["theory"].observe(lambda _change: self._redraw_if_idle(), names="value")
        self._wire_run_buttons()

    # -- configuration ----------------------------------------------------------------------
    @property
    def dataset(self) -> str:
        return self.controls["dataset"].value

    @property
    def images(self) -> bool:
        return self.dataset in IMAGE_DATASETS

    def config_from_controls(self) -> TrainConfig:
        """The TrainConfig the controls describe (``ValueError`` when invalid)."""
        c = self.controls
        fields = {name: c[name].value for name in CONFIG_CONTROLS}
        fields["lr_d"], fields["lr_g"] = float(fields["lr_d"]), float(fields["lr_g"])
        base = self.base_config
        if self.dataset == CUSTOM:
            fields["dataset"] = CUSTOM
            fields["dataset_options"] = {}
        else:
            fields["dataset"] = self.dataset
            same = base.dataset == self.dataset
            fields["dataset_options"] = dict(base.dataset_options) if same else {}
        if base.model != "auto":
            fields["model"] = "auto"  # an MLP/conv choice would not fit every dataset
        return base.replace(**fields)

    def set(self, **values) -> None:
        """Set several controls at once (names as in ``.controls``); the run restarts once."""
        self._check_settable(values)
        with self._hold():
            for name, value in values.items():
                self._set_control(name, value)

    def use_preset(self, name: str) -> None:
        """Load a documented trainer preset (``ganviz.train.PRESETS``) and restart the run.

        Preset fields that are controls set the controls; the others (penalty
        weight, Adam β …) replace those of the base config.
        """
        if name not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(PRESETS)}; got {name!r}")
        fields = dict(PRESETS[name][1])
        fields.pop("steps", None)
        fields.pop("snapshot_every", None)
        controls = {k: fields.pop(k) for k in list(fields) if k in self.controls}
        if fields:
            self.base_config = self.base_config.replace(**fields)
        with self._hold():
            for key, value in controls.items():
                self._set_control(key, value)
            self._holding_dirty = True

    def _set_control(self, name: str, value) -> None:
        control = self.controls[name]
        if isinstance(control, widgets.Dropdown):
            values = [o[1] if isinstance(o, tuple) else o for o in control.options]
            if value not in values:
                control.options = sorted({*values, value})
        control.value = value

    @contextmanager
    def _hold(self) -> Iterator[None]:
        outer = not self._holding
        self._holding = True
        if outer:
            self._holding_dirty = False
        try:
            yield
        finally:
            if outer:
                self._holding = False
                if self._holding_dirty:
                    self._guarded(self._rebuild)

    def _on_config_change(self, change) -> None:
        # One rebuild per change, however many controls the change itself moves.
        with self._hold():
            self._holding_dirty = True
            if change["owner"] is self.controls["dataset"]:
                self._apply_kind_defaults(change["old"], change["new"])

    def _apply_kind_defaults(self, old: str, new: str) -> None:
        """Moving to an image set takes its preset; moving back to toys, the toy defaults."""
        if new in IMAGE_DATASETS:
            fields = PRESETS["digits" if new == "digits" else "mnist"][1]
        elif old in IMAGE_DATASETS:
            fields = {"z_dim": 2, "batch_size": TrainConfig().batch_size}
        else:
            return
        for key, value in fields.items():
            if key in CONFIG_CONTROLS:
                self._set_control(key, value)

    # -- the run ----------------------------------------------------------------------------
    def _rebuild(self, raise_errors: bool = False) -> None:
        """Build a new trainer from the controls and draw its first state."""
        self.pause()
        config = self.config_from_controls()
        try:
            if self.dataset == CUSTOM:
                trainer = Trainer(config, dataset=self._custom)
            else:
                trainer = Trainer(config)
        except DatasetUnavailable as exc:
            if raise_errors:
                raise
            # Image files missing offline: say where to put them, keep the previous run.
            raise ValueError(str(exc)) from None
        self._generation += 1
        self.trainer = trainer
        if self.dataset == CUSTOM:
            self.p_data = self._custom
        elif trainer.images:
            self.p_data = None
        else:
            self.p_data = known_density(trainer.dataset)
        toy, image = ("none", "") if trainer.images else ("", "none")
        self._toy_box.layout.display = self._toy_metrics_box.layout.display = toy
        self._image_box.layout.display = self._image_metrics_box.layout.display = image
        self.clear_error()
        self.runner.refresh()

    def reset(self) -> None:
        """Start the run again from the controls' settings (same seed ⇒ the same run)."""
        self._guarded(self._rebuild)

    def _step_once(self) -> None:
        self.trainer.step()

    def advance(self, steps: int) -> Snapshot:
        """Train ``steps`` generator steps synchronously, redrawing as the dashboard does.

        Returns the snapshot of the final state (also ``self.snapshot``).
        """
        self.pause()
        self.clear_error()
        self.runner.advance(steps)
        return self.snapshot

    def _single(self, update) -> None:
        self.pause()
        update()
        self.runner.refresh()

    def step_d(self, n: int = 1) -> None:
        """``n`` discriminator updates only (the generator stays put), then redraw."""
        self._single(lambda: [self.trainer.d_step() for _ in range(positive_count(n))])

    def step_g(self, n: int = 1) -> None:
        """``n`` generator updates only (against the current D), then redraw."""
        self._single(lambda: [self.trainer.g_step() for _ in range(positive_count(n))])

    def step(self, n: int = 1) -> None:
        """``n`` full steps of Algorithm 1 (k D updates, then one G update), then redraw."""
        self._single(lambda: [self.trainer.step() for _ in range(positive_count(n))])

    # -- observation (training thread) ------------------------------------------------------
    def _observe(self) -> TrainingFrame:
        trainer = self.trainer
        snap = trainer.record_snapshot()
        frame = TrainingFrame(
            generation=self._generation,
            snapshot=snap,
            records=list(trainer.records),
            d_steps=trainer.d_step_count,
            steps_per_second=self.runner.steps_per_second,
        )
        if snap.is_image:
            frame.png = png_bytes(image_mosaic(snap.fake, columns=IMAGE_COLUMNS))
            counts = trainer.last_class_counts
            frame.class_counts = None if counts is None else np.array(counts)
        # The D* overlay is computed at draw time, on the owner thread: its KDE (~20–90 ms)
        # then overlaps with training on the other core instead of delaying the next step.
        return frame

    def _theory(self, snap: Snapshot) -> TheoryOverlay | None:
        if self.p_data is None or not self.controls["theory"].value:
            return None
        key = (self._generation, snap.grid_x.tobytes(), snap.grid_y.tobytes())
        if self._data_logpdf_key != key:
            gx, gy = np.meshgrid(snap.grid_x, snap.grid_y)
            self._data_logpdf = self.p_data.logpdf(np.stack([gx, gy], axis=-1))
            self._data_logpdf_key = key
        return theory_overlay(self.p_data, snap, data_logpdf=self._data_logpdf)

    def _redraw_if_idle(self) -> None:
        if not self.runner.running and self.trainer is not None:
            self._guarded(self.runner.refresh)

    # -- drawing (owner thread) -------------------------------------------------------------
    def _draw_frame(self, frame: TrainingFrame) -> None:
        if frame.snapshot.is_image:
            self._draw_images(frame)
        else:
            frame.theory = self._theory(frame.snapshot)
            self._draw_toy(frame)
        self._draw_losses(frame)
        self.frame, self.snapshot = frame, frame.snapshot
        self.status.value = self._status_html(frame)

    def _draw_toy(self, frame: TrainingFrame) -> None:
        snap, theory = frame.snapshot, frame.theory
        xs, ys = snap.grid_x, snap.grid_y
        pull = [-snap.fake_gradients] if snap.fake_gradients is not None else []
        if theory is not None and theory.gradients is not None:
            pull.append(-theory.gradients)
        # One arrow scale for both panels, so trained and optimal pulls compare by length.
        scale = auto_arrow_scale(xs, ys, np.concatenate(pull) if pull else None)
        if theory is not None:
            densities = {"data_density": theory.data_density, "g_density": theory.g_density}
        else:
            densities = {"data_density": _no_density(xs, ys), "g_density": _no_density(xs, ys)}
        name = "D(x)" if snap.d_is_probability else "critic"
        field = self.figures["field"]
        with field.batch_update():
            _frame_axes(field, xs, ys)
            if self._field_probability is not snap.d_is_probability:
                _configure_heatmap(field, snap.d_is_probability, name)
                self._field_probability = snap.d_is_probability
            update_discriminator_field(
                field,
                xs,
                ys,
                snap.d_grid,
                real=snap.real,
                fake=snap.fake,
                fake_gradients=snap.fake_gradients,
                manifold=snap.manifold,
                arrow_scale=scale,
                **densities,
            )
            kind = "D(x)" if snap.d_is_probability else "critic (unbounded)"
            field.layout.title.text = f"trained {kind} · step {snap.step} · {snap.loss}"
        theory_fig = self.figures["theory"]
        with theory_fig.batch_update():
            _frame_axes(theory_fig, xs, ys)
            if theory is None:
                blank = np.full((len(ys), len(xs)), 0.5)  # white: nothing to show
                update_discriminator_field(theory_fig, xs, ys, blank, real=snap.real, **densities)
                theory_fig.layout.title.text = self._no_theory_reason()
            else:
                update_discriminator_field(
                    theory_fig,
                    xs,
                    ys,
                    theory.d_star,
                    real=snap.real,
                    fake=snap.fake,
                    fake_gradients=theory.gradients,
                    arrow_scale=scale,
                    data_density=theory.data_density,
                    g_density=theory.g_density,
                )
                theory_fig.layout.title.text = (
                    f"theory: D* vs a KDE of the fakes (h = {theory.bandwidth:.2g})"
                )
        metrics = self.figures["metrics"]
        with metrics.batch_update():
            _update_series(metrics, frame.records, TOY_METRICS, _references(frame.records, False))

    def _no_theory_reason(self) -> str:
        if not self.controls["theory"].value:
            return "theory overlay switched off"
        return f"theory: {self.dataset} has no closed-form density (no D* to draw)"

    def _draw_images(self, frame: TrainingFrame) -> None:
        if frame.png is not None:
            self.image.value = frame.png
        classes = self.figures["classes"]
        counts = frame.class_counts
        if counts is not None:
            with classes.batch_update():
                bars = classes.data[0]
                bars.x = [str(i) for i in range(len(counts))]
                bars.y = counts
                uniform = float(counts.sum()) / len(counts)
                if classes.layout.shapes:
                    classes.layout.shapes[0].y0 = classes.layout.shapes[0].y1 = uniform
                if classes.layout.annotations:
                    classes.layout.annotations[0].y = uniform
        metrics = self.figures["image_metrics"]
        with metrics.batch_update():
            _update_series(metrics, frame.records, IMAGE_METRICS, _references(frame.records, True))

    def _draw_losses(self, frame: TrainingFrame) -> None:
        fig = self.figures["losses"]
        with fig.batch_update():
            for key, label in (("d", "discriminator"), ("g", "generator"), ("penalty", "penalty")):
                steps, values = [], []
                for row in frame.records:
                    value = row["losses"].get(key)
                    if value is not None:
                        steps.append(row["step"])
                        values.append(value)
                trace = _trace(fig, label)
                trace.x, trace.y = steps, values

    def _status_html(self, frame: TrainingFrame) -> str:
        snap, m = frame.snapshot, frame.snapshot.metrics
        parts = [f"<b>step {snap.step}</b> ({frame.d_steps} D updates)"]
        if self.runner.running or frame.steps_per_second:
            parts.append(f"{frame.steps_per_second:.0f} steps/s")
        parts += [f"{k} loss {v:.3g}" for k, v in snap.losses.items() if k in ("d", "g")]
        if "modes_covered" in m:
            parts.append(f"modes {m['modes_covered']}/{m['modes_total']}")
            parts.append(f"high quality {m['high_quality']:.0%}")
        if "js" in m:
            parts.append(f"JS≈{m['js']:.3f}")
        if "classes_covered" in m:
            parts.append(f"classes {m['classes_covered']}/{m['classes_total']}")
            parts.append(f"FD {m['fid']:.3g} (floor {m['fid_floor']:.3g})")
        if frame.theory is not None and frame.theory.gap is not None:
            parts.append(f"E|D − D*| = {frame.theory.gap:.3f}")
        text = " · ".join(html.escape(p) if not p.startswith("<b>") else p for p in parts)
        return f"<div style='font-size:12.5px'>{text}</div>"
