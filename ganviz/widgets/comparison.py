"""ComparisonExplorer: the same data, the same seed, different losses — in lock-step.

Two or more :class:`ganviz.train.Trainer` runs share the dataset, the seed
(so the same initial generator and discriminator weights) and every
setting but the loss. One worker thread advances them in **lock-step**:
every step does one step of Algorithm 1 on each run, so all columns always
show the same generator step. Each column draws its run with
:func:`ganviz.plots.discriminator_field` — D or the critic, samples, the
arrows −∂ℓ_G/∂x of *its* loss and the manifold — with one arrow scale for all
columns, so arrow lengths compare across losses (press *step D* a few hundred
times and watch the minimax arrows vanish while the non-saturating ones stay).
A shared figure plots modes covered, the JS estimate and the mean generator
gradient norm of every run against the step.

"Recommended settings" gives each critic loss its trainer recipe
(``ganviz.train.recipes``: on toys WGAN-GP with k = 5 critic steps, λ = 0.1,
Adam 1e-3 → 0, β = (0.5, 0.9)); the runs still share data, seed and networks,
and the losses on probabilities keep the shared k and learning rates.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..distributions import Distribution
from ..losses import canonical_loss
from ..plots import style
from ..plots.field import auto_arrow_scale
from ..snapshot import Snapshot
from ..train import LOSSES, TrainConfig, Trainer, TrainingDiverged

# The per-loss recipes live with the trainer; re-exported here, where they were first.
from ..train.recipes import loss_configs, recommended_settings
from ._controls import checkbox, wrapping_row
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
from ._training_figures import draw_trained_field
from .training import TOY_DATASETS, _configure_heatmap, _empty_field, _frame_axes

__all__ = ["ComparisonExplorer", "ComparisonFrame", "recommended_settings"]

#: Losses compared by default.
DEFAULT_LOSSES = ("minimax", "nonsaturating", "wgan-gp")
#: Most runs shown side by side.
MAX_RUNS = 4
#: Metrics of the shared figure (one line per run).
COMPARED_METRICS = (
    ("modes_covered", "modes covered"),
    ("js", "JS estimate (nats)"),
    ("grad_norm", "mean ‖∂ℓ_G/∂x‖ (log)"),
)


@dataclass
class ComparisonFrame:
    """One lock-step observation: a snapshot and the record rows of every run."""

    generation: int
    snapshots: list[Snapshot]
    records: list[list]
    d_steps: list[int]
    steps_per_second: float


def _metrics_figure(n_runs: int) -> go.Figure:
    fig = make_subplots(
        rows=len(COMPARED_METRICS),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=[label for _, label in COMPARED_METRICS],
    )
    for row, (metric, _) in enumerate(COMPARED_METRICS, start=1):
        for i in range(n_runs):
            fig.add_trace(
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    name=f"run {i}",
                    legendgroup=f"run {i}",
                    showlegend=row == 1,
                    meta=f"{metric}:{i}",
                ),
                row=row,
                col=1,
            )
    fig.update_yaxes(type="log", dtick=1, exponentformat="power", row=len(COMPARED_METRICS), col=1)
    fig.update_xaxes(title_text="generator step", row=len(COMPARED_METRICS), col=1)
    style.base_layout(fig, title="the runs side by side", height=480)
    return fig


class ComparisonExplorer(LiveDashboard):
    """Train several losses on the same data and seed, advanced in lock-step, one column each.

    Parameters
    ----------
    losses : sequence of str
        Two to four trainer losses (default minimax, non-saturating, WGAN-GP).
    dataset : str, optional
        A registered 2-D toy, or ``"custom"`` with ``p_data`` (default ring8).
    p_data : Distribution or array (n, 2), optional
        A distribution drawn in a theory explorer, or points.
    config : TrainConfig, optional
        Shared base configuration (everything but the loss).
    recommended : bool
        Give each loss its documented recipe (see :func:`recommended_settings`).
    speed : int, optional
        Lock-steps between redraws.
    threads : int or None
        torch CPU threads (1 by default, see :class:`TrainingExplorer`).
    **overrides
        TrainConfig fields applied to ``config``.

    Examples
    --------
    >>> from ganviz.widgets import ComparisonExplorer
    >>> cmp = ComparisonExplorer(losses=("minimax", "nonsaturating"))
    >>> cmp.step_d(200)        # the same D for both; now compare the arrows  # doctest: +SKIP
    >>> cmp.advance(500); [t.step_count for t in cmp.trainers]  # doctest: +SKIP
    [500, 500]
    """

    _LOSS_CONTROLS = frozenset({"loss_0", "loss_1", "loss_2"})

    def __init__(
        self,
        losses=DEFAULT_LOSSES,
        dataset: str | None = None,
        *,
        p_data=None,
        config: TrainConfig | None = None,
        recommended: bool = True,
        speed: int | None = None,
        threads: int | None = 1,
        **overrides,
    ):
        super().__init__()
        losses = [canonical_loss(loss, LOSSES, "losses") for loss in losses]
        if not 2 <= len(losses) <= MAX_RUNS:
            raise ValueError(f"losses must hold 2 to {MAX_RUNS} loss names, got {len(losses)}")
        config = base_config(config, threads, overrides)
        self._custom: Distribution | None = None if p_data is None else as_distribution(p_data)
        if dataset is None:
            dataset = CUSTOM if self._custom is not None else config.dataset
        options = self._dataset_options()
        if dataset not in [v for _, v in options]:
            names = ", ".join(v for _, v in options)
            raise ValueError(f"dataset must be one of {names} (2-D toys); got {dataset!r}")
        self.base_config = config
        self.trainers: list[Trainer] = []
        self.frame: ComparisonFrame | None = None
        self.snapshots: list[Snapshot] = []
        self._generation = 0
        self._probability: list[bool | None] = [None] * len(losses)
        self._build_controls(losses, dataset, config, recommended, speed or DEFAULT_SPEED)
        self._build_figures(len(losses))
        self._layout()
        self.runner = LiveRunner(
            self._step_all,
            self._observe,
            self._draw,
            check=self._check_all,
            speed=self.controls["speed"].value,
            error_types=(TrainingDiverged,),
        )
        self._wire()
        self._rebuild()

    # -- construction -----------------------------------------------------------------------
    def _dataset_options(self) -> list[tuple[str, str]]:
        return dataset_options(TOY_DATASETS, self._custom is not None)

    def _build_controls(self, losses, dataset, config, recommended, speed) -> None:
        style_ = {"description_width": "92px"}
        wide = widgets.Layout(width="290px")
        c: dict[str, widgets.Widget] = {
            "dataset": widgets.Dropdown(
                options=self._dataset_options(),
                value=dataset,
                description="dataset",
                style=style_,
                layout=wide,
            ),
            "seed": seed_box(config.seed, style_),
            "d_steps": d_steps_slider(config.d_steps, style_, wide),
            "hidden": hidden_dropdown(config.hidden, style_, wide),
            "depth": depth_slider(config.depth, style_, wide),
            "recommended": checkbox(recommended, "each loss's recommended settings (k, λ, lr, β)"),
            "speed": speed_slider(speed, style_, wide),
        }
        for i, loss in enumerate(losses):
            c[f"loss_{i}"] = widgets.Dropdown(
                options=list(LOSSES),
                value=loss,
                description=f"run {i + 1} loss",
                style=style_,
                layout=wide,
            )
        tooltips = {
            "play": "train every run until paused",
            "pause": "stop after the current lock-step",
            "step_d": "one discriminator update in every run",
            "step_g": "one generator update in every run",
            "step": "one full step in every run",
            "reset": "start every run again",
        }
        c.update(run_buttons(tooltips, "92px"))
        self.controls = c
        self.n_runs = len(losses)

    def _build_figures(self, n: int) -> None:
        self.figures: dict[str, go.FigureWidget] = {}
        for i in range(n):
            fig = _empty_field(f"run {i + 1}", "D(x)")
            fig.update_layout(width=380, height=400, showlegend=(i == 0))
            self.figures[f"run_{i}"] = FigureWidget(fig)
        metrics = _metrics_figure(n)
        # at most 880 px: fits a 1280-px screen with the file browser open
        metrics.update_layout(width=min(880, 390 * n))
        self.figures["metrics"] = FigureWidget(metrics)
        self.headers = [widgets.HTML() for _ in range(n)]

    @property
    def figure(self) -> go.FigureWidget:
        """The shared metrics figure."""
        return self.figures["metrics"]

    def _layout(self) -> None:
        c = self.controls
        loss_box = widgets.VBox([c[f"loss_{i}"] for i in range(self.n_runs)])
        shared = widgets.VBox([c["dataset"], c["seed"], c["d_steps"], c["hidden"], c["depth"]])
        run_box = widgets.VBox(
            [
                widgets.HBox([c["play"], c["pause"], c["reset"]]),
                widgets.HBox([c["step_d"], c["step_g"], c["step"]]),
                c["speed"],
                c["recommended"],
            ]
        )
        columns = wrapping_row(
            *[widgets.VBox([self.headers[i], self.figures[f"run_{i}"]]) for i in range(self.n_runs)]
        )
        self.children = [
            wrapping_row(shared, loss_box, run_box),
            self.message,
            columns,
            self.figures["metrics"],
        ]

    def _wire(self) -> None:
        self.observe_controls()
        self._wire_run_buttons()

    # -- configuration ----------------------------------------------------------------------
    @property
    def losses(self) -> list[str]:
        return [self.controls[f"loss_{i}"].value for i in range(self.n_runs)]

    def configs_from_controls(self) -> list[TrainConfig]:
        """One TrainConfig per column: shared settings, each column's loss (and recipe)."""
        c = self.controls
        return loss_configs(
            self.base_config,
            c["dataset"].value,
            self.losses,
            c["recommended"].value,
            seed=int(c["seed"].value),
            d_steps=int(c["d_steps"].value),
            hidden=int(c["hidden"].value),
            depth=int(c["depth"].value),
        )

    #: The runner reads the speed as it goes: setting it restarts nothing.
    _READ_LIVE = frozenset({"speed"})

    def _refresh(self, changed: frozenset[str]) -> None:
        # Any setting but the speed, and ``set(...)`` of several, restarts the runs once.
        self._rebuild()

    # -- the runs ---------------------------------------------------------------------------
    def _rebuild(self) -> None:
        self.pause()
        configs = self.configs_from_controls()
        dataset = self._custom if self.controls["dataset"].value == CUSTOM else None
        self.trainers = [Trainer(cfg, dataset=dataset) for cfg in configs]
        self._generation += 1
        self.clear_error()
        self.runner.refresh()

    def reset(self) -> None:
        """Start every run again from the controls' settings."""
        self._guarded(self._rebuild)

    def _step_all(self) -> None:
        for trainer in self.trainers:
            trainer.step()

    def _check_all(self) -> None:
        for trainer in self.trainers:
            self._checked(trainer, trainer.check_finite)

    @staticmethod
    def _checked(trainer: Trainer, action):
        try:
            return action()
        except TrainingDiverged as exc:
            raise TrainingDiverged(
                f"{trainer.config.loss}: {exc} The runs are no longer in lock-step: press reset.",
                step=exc.step,
                last_good_step=exc.last_good_step,
            ) from exc

    def advance(self, steps: int) -> list[Snapshot]:
        """``steps`` lock-steps synchronously; returns the final snapshot of each run."""
        self.pause()
        self.clear_error()
        self.runner.advance(steps)
        return self.snapshots

    def _single(self, method: str, n) -> None:
        n = positive_count(n)
        self.pause()
        for _ in range(n):
            for trainer in self.trainers:
                getattr(trainer, method)()
        self.runner.refresh()

    def step_d(self, n: int = 1) -> None:
        """``n`` discriminator updates in every run (generators stay put)."""
        self._single("d_step", n)

    def step_g(self, n: int = 1) -> None:
        """``n`` generator updates in every run."""
        self._single("g_step", n)

    def step(self, n: int = 1) -> None:
        """``n`` full steps of Algorithm 1 in every run."""
        self._single("step", n)

    # -- observation (training thread) ------------------------------------------------------
    def _observe(self) -> ComparisonFrame:
        snapshots = [self._checked(t, t.record_snapshot) for t in self.trainers]
        return ComparisonFrame(
            generation=self._generation,
            snapshots=snapshots,
            records=[list(t.records) for t in self.trainers],
            d_steps=[t.d_step_count for t in self.trainers],
            steps_per_second=self.runner.steps_per_second,
        )

    # -- drawing (owner thread) -------------------------------------------------------------
    def _draw_frame(self, frame: ComparisonFrame) -> None:
        self._draw_columns(frame)
        self._draw_metrics(frame)
        self.frame, self.snapshots = frame, frame.snapshots

    def _draw_columns(self, frame: ComparisonFrame) -> None:
        snaps = frame.snapshots
        first = snaps[0]
        pulls = [-s.fake_gradients for s in snaps if s.fake_gradients is not None]
        # One scale for every column: arrow lengths compare across losses.
        scale = auto_arrow_scale(first.grid_x, first.grid_y, np.concatenate(pulls))
        for i, (snap, config) in enumerate(
            zip(snaps, [t.config for t in self.trainers], strict=True)
        ):
            fig = self.figures[f"run_{i}"]
            with fig.batch_update():
                if self._probability[i] is not snap.d_is_probability:
                    name = "D(x)" if snap.d_is_probability else "critic"
                    _configure_heatmap(fig, snap.d_is_probability, name)
                    self._probability[i] = snap.d_is_probability
                _frame_axes(fig, snap.grid_x, snap.grid_y)
                draw_trained_field(fig, snap, scale)
                fig.layout.title.text = f"{snap.loss} · step {snap.step}"
            self.headers[i].value = self._header(snap, config, frame.d_steps[i])

    @staticmethod
    def _header(snap: Snapshot, config: TrainConfig, d_steps: int) -> str:
        colour = style.loss_colour(snap.loss)
        m = snap.metrics
        parts = [f"k = {config.d_steps}", f"lr {config.lr_d:.0e}/{config.lr_g:.0e}"]
        if "modes_covered" in m:
            parts.append(f"modes {m['modes_covered']}/{m['modes_total']}")
            parts.append(f"HQ {m['high_quality']:.0%}")
        if "grad_norm" in m:
            parts.append(f"‖∂ℓ/∂x‖ {m['grad_norm']:.2g}")
        parts.append(f"{d_steps} D updates")
        text = " · ".join(html.escape(p) for p in parts)
        return (
            f"<div style='font-size:12px;border-top:4px solid {colour};padding-top:2px'>"
            f"<b>{html.escape(snap.loss)}</b> · {text}</div>"
        )

    def _draw_metrics(self, frame: ComparisonFrame) -> None:
        fig = self.figures["metrics"]
        traces = {trace.meta: trace for trace in fig.data}
        with fig.batch_update():
            for i, (snap, rows) in enumerate(zip(frame.snapshots, frame.records, strict=True)):
                colour = style.loss_colour(snap.loss)
                dash = "solid" if self.losses.index(snap.loss) == i else "dash"
                for metric, _ in COMPARED_METRICS:
                    trace = traces[f"{metric}:{i}"]
                    kept = [r for r in rows if r["metrics"].get(metric) is not None]
                    trace.x = [r["step"] for r in kept]
                    trace.y = [r["metrics"][metric] for r in kept]
                    trace.name = f"{i + 1}: {snap.loss}"
                    trace.line.color = colour
                    trace.line.dash = dash
