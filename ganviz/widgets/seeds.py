"""SeedSweepExplorer: the probability of mode collapse, not one anecdote.

One training run covers 8 modes or 1 depending on its seed. This explorer
trains N ≥ 8 short runs per loss with :func:`ganviz.train.sweep` — a few
seeds at a time as one stacked network (batched), each seed with the initial
weights and random streams of ``Trainer(config).run(steps)``, so its count is
that of a separate run with the same seed up to float rounding — and shows,
per loss, the distribution of modes covered at the end:

* a strip plot (one dot per seed) and a histogram of modes covered per loss;
* the modes covered per seed as grouped bars
  (:func:`ganviz.plots.training.coverage_chart`);
* a table with the estimated probabilities P(all modes), P(a mode missed) and
  P(≤ 1 mode: collapse), with their 95 % Wilson intervals — with 8 seeds
  they are wide, which is the honest answer.

Runs go in a worker thread with a progress bar; *stop* takes effect after
the current batch (about a quarter of a loss's seeds, so it is short), *run*
resumes where the sweep stopped.
"""

from __future__ import annotations

import html
import time
from collections import deque
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..distributions import Distribution
from ..losses import canonical_loss
from ..modes import wilson_interval
from ..plots import style
from ..plots.training import coverage_chart
from ..train import LOSSES, SweepResult, TrainConfig, make_dataset, sweep
from ..train.recipes import loss_configs
from ._base import ExplorerBase
from ._controls import checkbox
from ._dashboard import CUSTOM, as_distribution, base_config, dataset_options, seed_box
from ._figure import FigureWidget
from ._live import Emission, LiveRunner
from .comparison import DEFAULT_LOSSES

__all__ = ["SeedSweepExplorer", "SweepFrame", "wilson_interval"]

#: Registered toys whose mode centres are known (the coverage metric needs them).
SWEEP_DATASETS = ("ring8", "grid25")
#: Fewest seeds per loss (a distribution, not an anecdote).
MIN_SEEDS = 8
#: Most seeds trained together as one stacked network (one step of the worker).
MAX_BATCH = 16


def batch_seeds(seeds: int) -> int:
    """Seeds trained together: a quarter of a loss's seeds (1 … MAX_BATCH), so *stop* is quick."""
    return max(1, min(MAX_BATCH, -(-seeds // 4)))


@dataclass
class SweepFrame:
    """The results so far (made in the worker, drawn on the owner thread)."""

    generation: int
    results: list[SweepResult]
    total: int
    seconds: float


def _distribution_figure(losses) -> go.Figure:
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.45, 0.55],
        horizontal_spacing=0.1,
        subplot_titles=["modes covered, one dot per seed", "histogram over seeds"],
    )
    for loss in losses:
        colour = style.loss_colour(loss)
        fig.add_trace(
            go.Scatter(
                x=[],
                y=[],
                mode="markers",
                name=loss,
                legendgroup=loss,
                meta=f"strip:{loss}",
                marker={"color": colour, "size": 9, "opacity": 0.75, "line": {"width": 0.5}},
                hovertemplate="seed %{customdata[0]}: %{y} modes, high quality "
                "%{customdata[1]:.0%}<extra>" + loss + "</extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Bar(
                x=[],
                y=[],
                name=loss,
                legendgroup=loss,
                showlegend=False,
                meta=f"hist:{loss}",
                marker_color=colour,
                hovertemplate="%{x} modes: %{y:.0%} of seeds<extra>" + loss + "</extra>",
            ),
            row=1,
            col=2,
        )
    style.base_layout(fig, title="Mode coverage over seeds", height=380)
    # 880 px: fits a 1280-px screen with the file browser open
    fig.update_layout(barmode="group", width=880)
    fig.update_xaxes(title_text="loss", row=1, col=1)
    fig.update_yaxes(title_text="modes covered", rangemode="tozero", row=1, col=1)
    fig.update_xaxes(title_text="modes covered at the end", row=1, col=2)
    fig.update_yaxes(title_text="fraction of seeds", range=[0, 1.02], row=1, col=2)
    return fig


class SeedSweepExplorer(ExplorerBase):
    """Train N short runs per loss and show the distribution of modes covered.

    Parameters
    ----------
    dataset : str, optional
        ``"ring8"`` or ``"grid25"`` (toys with known mode centres), or
        ``"custom"`` with ``p_data`` (an isotropic Gaussian mixture, whose
        centres the trainer finds). Default ring8.
    losses : sequence of str
        Losses compared (default minimax, non-saturating, WGAN-GP).
    seeds : int
        Runs per loss, N ≥ 8 (seeds ``first_seed … first_seed + N − 1``).
    steps : int
        Generator steps per run (a notebook passes fewer when ``GANVIZ_FAST=1``).
    first_seed : int
    p_data : Distribution, optional
    config : TrainConfig, optional
        Shared settings of every run.
    recommended : bool
        Give each loss its documented recipe (WGAN-GP: k = 5, λ = 0.1 …).
    threads : int or None
        torch CPU threads (1 by default).
    batched : bool
        Train a few seeds at a time as one stacked network (default; much
        faster), or every run separately.
    **overrides
        TrainConfig fields applied to ``config``.

    Examples
    --------
    >>> from ganviz.widgets import SeedSweepExplorer
    >>> sweep = SeedSweepExplorer(seeds=8, steps=600)
    >>> sweep.play()            # in the background; a progress bar follows  # doctest: +SKIP
    >>> sweep.wait(); sweep.counts()  # doctest: +SKIP
    {'minimax': [8, 5, ...], 'nonsaturating': [...], 'wgan-gp': [...]}
    """

    _LOSS_CONTROLS = frozenset({"losses"})

    #: runs the sweep in the background; made last in ``__init__``
    runner: LiveRunner | None = None

    def __init__(
        self,
        dataset: str | None = None,
        losses=DEFAULT_LOSSES,
        *,
        seeds: int = MIN_SEEDS,
        steps: int = 600,
        first_seed: int = 0,
        p_data=None,
        config: TrainConfig | None = None,
        recommended: bool = True,
        threads: int | None = 1,
        batched: bool = True,
        **overrides,
    ):
        super().__init__()
        self.batched = bool(batched)
        config = base_config(config, threads, overrides)
        self._custom: Distribution | None = None
        if p_data is not None:
            self._custom = as_distribution(p_data)
            if make_dataset(self._custom).centers is None:
                raise ValueError(
                    "p_data must be a mixture of isotropic Gaussians with one common σ "
                    "(its mode centres are needed to count modes covered)"
                )
        if dataset is None:
            dataset = CUSTOM if self._custom is not None else "ring8"
        allowed = [v for _, v in self._dataset_options()]
        if dataset not in allowed:
            raise ValueError(f"dataset must be one of {', '.join(allowed)}; got {dataset!r}")
        losses = [canonical_loss(loss, LOSSES, "losses") for loss in losses]
        if not losses:
            raise ValueError(f"losses must be a non-empty list among {', '.join(LOSSES)}")
        if isinstance(seeds, bool) or not isinstance(seeds, int) or not MIN_SEEDS <= seeds <= 256:
            raise ValueError(f"seeds must be an integer from {MIN_SEEDS} to 256, got {seeds!r}")
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"steps must be an integer ≥ 1, got {steps!r}")
        self.base_config = config
        #: finished runs, in the order they ran (loss-major)
        self.results: list[SweepResult] = []
        self._pending: list[TrainConfig] = []
        self._plan: list[TrainConfig] = []
        self._chunks: deque[int] = deque()
        self._generation = 0
        self._elapsed = 0.0
        self._build_controls(dataset, losses, seeds, steps, first_seed, recommended)
        self._build_figures()
        self._layout()
        self.runner = LiveRunner(self._run_next, self._observe, self._draw, speed=1)
        self._wire()
        self.reset()
        if self.error is not None:
            raise ValueError(self.error)

    # -- construction -----------------------------------------------------------------------
    def _dataset_options(self):
        return dataset_options(SWEEP_DATASETS, self._custom is not None)

    def _build_controls(self, dataset, losses, seeds, steps, first_seed, recommended) -> None:
        style_ = {"description_width": "96px"}
        wide = widgets.Layout(width="300px")
        self.controls = {
            "dataset": widgets.Dropdown(
                options=self._dataset_options(), value=dataset, description="dataset",
                style=style_, layout=wide,
            ),
            "losses": widgets.SelectMultiple(
                options=list(LOSSES), value=tuple(losses), description="losses",
                rows=len(LOSSES), style=style_, layout=wide,
            ),
            "seeds": widgets.IntSlider(
                value=seeds, min=MIN_SEEDS, max=max(64, seeds), description="seeds N",
                style=style_, layout=wide,
            ),
            "steps": widgets.BoundedIntText(
                value=steps, min=1, max=100_000, description="steps per run",
                style=style_, layout=widgets.Layout(width="220px"),
            ),
            "first_seed": seed_box(first_seed, style_, description="first seed", width="220px"),
            "recommended": checkbox(recommended, "each loss's recommended settings"),
            "play": widgets.Button(
                description="run",
                icon="play",
                button_style="success",
                tooltip="run (or resume) the sweep",
                layout=widgets.Layout(width="96px"),
            ),
            "pause": widgets.Button(
                description="stop", icon="stop", button_style="warning", disabled=True,
                tooltip="stop after the current batch of runs", layout=widgets.Layout(width="96px"),
            ),
            "reset": widgets.Button(
                description="clear",
                icon="refresh",
                button_style="danger",
                tooltip="forget the results",
                layout=widgets.Layout(width="96px"),
            ),
        }  # fmt: skip
        self.progress = widgets.IntProgress(
            value=0, min=0, max=1, description="runs", layout=widgets.Layout(width="420px")
        )
        self.progress_label = widgets.HTML()
        self.summary = widgets.HTML()

    def _build_figures(self) -> None:
        per_seed = coverage_chart(
            [{"loss": loss, "seed": 0, "modes_covered": 0} for loss in LOSSES],
            title="Modes covered per seed",
        )
        per_seed.update_layout(width=860, height=300)
        for bar in per_seed.data:
            bar.x, bar.y, bar.customdata = [], [], []
        self.figures: dict[str, go.FigureWidget] = {
            "distribution": FigureWidget(_distribution_figure(LOSSES)),
            "per_seed": FigureWidget(per_seed),
        }

    @property
    def figure(self) -> go.FigureWidget:
        """The distribution of modes covered per loss."""
        return self.figures["distribution"]

    def _layout(self) -> None:
        c = self.controls
        left = widgets.VBox([c["dataset"], c["losses"]])
        right = widgets.VBox(
            [
                c["seeds"],
                c["steps"],
                c["first_seed"],
                c["recommended"],
                widgets.HBox([c["play"], c["pause"], c["reset"]]),
            ]
        )
        self.children = [
            widgets.HBox([left, right]),
            widgets.HBox([self.progress, self.progress_label]),
            self.message,
            self.figures["distribution"],
            self.summary,
            self.figures["per_seed"],
        ]

    def _wire(self) -> None:
        c = self.controls
        self.observe_controls()
        c["play"].on_click(lambda _b: self.play())
        c["pause"].on_click(lambda _b: self.pause())
        c["reset"].on_click(lambda _b: self.reset())

    # -- the plan ---------------------------------------------------------------------------
    @property
    def losses(self) -> list[str]:
        return list(self.controls["losses"].value)

    @property
    def seeds(self) -> list[int]:
        first = int(self.controls["first_seed"].value)
        return list(range(first, first + int(self.controls["seeds"].value)))

    @property
    def steps(self) -> int:
        return int(self.controls["steps"].value)

    def configs_from_controls(self) -> list[TrainConfig]:
        """Every run's config, loss-major (the order :func:`ganviz.train.sweep` uses)."""
        c = self.controls
        if not self.losses:
            raise ValueError("losses: select at least one loss")
        per_loss = loss_configs(
            self.base_config,
            c["dataset"].value,
            self.losses,
            c["recommended"].value,
            snapshot_every=0,
            steps=self.steps,
        )
        return [config.replace(seed=seed) for config in per_loss for seed in self.seeds]

    def _refresh(self, changed: frozenset[str]) -> None:
        # Any setting, and ``set(...)`` of several, clears the results once.
        self._replan()

    def reset(self) -> None:
        """Forget the results and plan the sweep the controls describe."""
        self._guarded(self._replan)

    def _replan(self) -> None:
        self.pause()
        plan = self.configs_from_controls()
        self._generation += 1
        self._plan = plan
        self._pending = list(plan)
        self.results = []
        self._elapsed = 0.0
        self.runner.refresh()

    # -- running ----------------------------------------------------------------------------
    def _chunk_sizes(self, runs: int | None = None) -> list[int]:
        """How the next ``runs`` pending runs (default all) split into batches of one loss."""
        size = batch_seeds(len(self.seeds)) if self.batched else 1
        pending = self._pending[: len(self._pending) if runs is None else runs]
        sizes: list[int] = []
        i = 0
        while i < len(pending):
            key = pending[i].replace(seed=0)
            n = 1
            while n < size and i + n < len(pending) and pending[i + n].replace(seed=0) == key:
                n += 1
            sizes.append(n)
            i += n
        return sizes

    def _run_next(self) -> None:
        """One batch of runs of the sweep (the worker's 'step'), with ``ganviz.train.sweep``."""
        n = self._chunks.popleft() if self._chunks else 1
        configs = self._pending[:n]
        dataset = self._custom if configs[0].dataset == CUSTOM else None
        started = time.perf_counter()
        results = sweep(
            configs=configs, steps=configs[0].steps, dataset=dataset, batched=self.batched
        )
        self._elapsed += time.perf_counter() - started
        self.results.extend(results)
        del self._pending[:n]

    def play(self) -> None:
        """Run (or resume) the sweep in the background; returns at once."""
        if self.runner.running or not self._pending:
            return
        self.clear_error()
        self._chunks = deque(self._chunk_sizes())
        if self.runner.start(len(self._chunks)):
            self._set_running(True)

    def pause(self) -> None:
        """Stop after the current batch of runs (waits for it) and draw the results so far."""
        if self.runner is not None:  # None while the explorer is still being built
            self.runner.stop()
            self._set_running(False)

    stop = pause

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the background sweep ends (True) or ``timeout`` passes (False)."""
        return self.runner.join(timeout)

    def advance(self, runs: int | None = None) -> list[SweepResult]:
        """Do ``runs`` more runs (default: all that remain) synchronously; returns the results."""
        self.pause()
        runs = len(self._pending) if runs is None else min(int(runs), len(self._pending))
        self._chunks = deque(self._chunk_sizes(runs))
        self.runner.advance(len(self._chunks))
        return self.results

    @property
    def done(self) -> bool:
        """True when every planned run has finished."""
        return not self._pending

    def _set_running(self, running: bool) -> None:
        self.controls["play"].disabled = running or not self._pending
        self.controls["pause"].disabled = not running

    def close(self) -> None:
        self.pause()
        for fig in self.figures.values():
            fig.close()
        super().close()

    # -- results ----------------------------------------------------------------------------
    def counts(self) -> dict[str, list[int]]:
        """Modes covered at the end of each finished run, per loss, in seed order."""
        out: dict[str, list[int]] = {}
        for result in self.results:
            out.setdefault(result.loss, []).append(result.modes_covered)
        return out

    def probabilities(self) -> dict[str, dict[str, float]]:
        """Per loss: runs, P(all modes), P(a mode missed), P(≤ 1 mode) and mean high quality."""
        out = {}
        for loss, values in self.counts().items():
            mine = [r for r in self.results if r.loss == loss]
            total = int(mine[0].metrics.get("modes_total", max(values)))
            n = len(values)
            out[loss] = {
                "runs": n,
                "modes_total": total,
                "all_modes": sum(v == total for v in values) / n,
                "missed": sum(v < total for v in values) / n,
                "collapse": sum(v <= 1 for v in values) / n,
                "mean_modes": float(np.mean(values)),
                "high_quality": float(np.mean([r.high_quality or 0.0 for r in mine])),
                "diverged": sum(r.diverged for r in mine),
            }
        return out

    # -- observation and drawing ------------------------------------------------------------
    def _observe(self) -> SweepFrame:
        return SweepFrame(self._generation, list(self.results), len(self._plan), self._elapsed)

    def _draw(self, emission: Emission) -> None:
        frame = emission.frame
        if frame is not None and frame.generation == self._generation:
            self._draw_progress(frame)
            self._draw_distribution(frame)
            self._draw_per_seed(frame)
            self.summary.value = self._summary_html()
        if emission.error:
            self.show_error(emission.error)
        if emission.final:
            self._set_running(False)

    def _draw_progress(self, frame: SweepFrame) -> None:
        done = len(frame.results)
        self.progress.max = max(frame.total, 1)
        self.progress.value = done
        if done:
            per_run = frame.seconds / done
            left = per_run * (frame.total - done)
            eta = f" · about {left:.0f} s left" if frame.total > done else " · done"
            text = f"{done}/{frame.total} runs · {per_run:.1f} s per run{eta}"
        else:
            text = f"0/{frame.total} runs planned ({self.steps} steps each) · press run"
        self.progress_label.value = f"<span style='font-size:12.5px'>{text}</span>"

    def _draw_distribution(self, frame: SweepFrame) -> None:
        fig = self.figures["distribution"]
        traces = {trace.meta: trace for trace in fig.data}
        by_loss: dict[str, list[SweepResult]] = {}
        for result in frame.results:
            by_loss.setdefault(result.loss, []).append(result)
        total = max([int(r.metrics.get("modes_total", 0)) for r in frame.results] or [0])
        axis = list(range(total + 1))
        shown = [loss for loss in self.losses if loss in by_loss] or list(by_loss)
        rng = np.random.default_rng(0)  # fixed jitter: dots do not dance between redraws
        with fig.batch_update():
            for loss in LOSSES:
                mine = by_loss.get(loss, [])
                strip, hist = traces[f"strip:{loss}"], traces[f"hist:{loss}"]
                strip.visible = hist.visible = bool(mine)
                values = np.array([r.modes_covered for r in mine], dtype=float)
                position = shown.index(loss) if loss in shown else 0
                strip.x = position + rng.uniform(-0.25, 0.25, len(values))
                strip.y = values
                strip.customdata = [[r.seed, r.high_quality or 0.0] for r in mine]
                if mine:
                    counts = np.bincount(values.astype(int), minlength=total + 1)[: total + 1]
                    hist.x, hist.y = axis, counts / len(values)
                else:
                    hist.x, hist.y = [], []
            fig.layout.xaxis.update(
                tickvals=list(range(len(shown))), ticktext=shown, range=[-0.6, len(shown) - 0.4]
            )
            fig.layout.xaxis2.dtick = 1 if total <= 30 else None

    def _draw_per_seed(self, frame: SweepFrame) -> None:
        fig = self.figures["per_seed"]
        with fig.batch_update():
            for bar in fig.data:
                mine = [r for r in frame.results if r.loss == bar.name]
                bar.visible = bool(mine)
                bar.x = [f"seed {r.seed}" for r in mine]
                bar.y = [r.modes_covered for r in mine]
                bar.customdata = [r.high_quality or 0.0 for r in mine]
            total = max([int(r.metrics.get("modes_total", 0)) for r in frame.results] or [0])
            if fig.layout.shapes:
                fig.layout.shapes[0].y0 = fig.layout.shapes[0].y1 = total

    def _summary_html(self) -> str:
        probs = self.probabilities()
        if not probs:
            return ""
        head = (
            "<tr><th>loss</th><th>runs</th><th>mean modes</th><th>P(all modes)</th>"
            "<th>P(a mode missed)</th><th>P(≤ 1 mode)</th><th>high quality</th></tr>"
        )
        rows = []
        for loss, p in probs.items():
            n = p["runs"]

            def cell(key, n=n, p=p):
                lo, hi = wilson_interval(round(p[key] * n), n)
                return f"<td>{p[key]:.0%} <small>[{lo:.0%}, {hi:.0%}]</small></td>"

            colour = style.loss_colour(loss)
            note = f" ({p['diverged']} diverged)" if p["diverged"] else ""
            rows.append(
                f"<tr><td><b style='color:{colour}'>{html.escape(loss)}</b>{note}</td>"
                f"<td>{n}</td><td>{p['mean_modes']:.1f}/{p['modes_total']}</td>"
                f"{cell('all_modes')}{cell('missed')}{cell('collapse')}"
                f"<td>{p['high_quality']:.0%}</td></tr>"
            )
        return (
            "<table style='font-size:12.5px;border-collapse:collapse' cellpadding='4'>"
            f"{head}{''.join(rows)}</table>"
            "<div style='font-size:11.5px;color:#555'>[95 % Wilson intervals over seeds]</div>"
        )
