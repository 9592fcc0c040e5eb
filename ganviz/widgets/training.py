"""TrainingExplorer: watch a real GAN learn, beside the theory.

The dashboard trains a :class:`ganviz.train.Trainer` in a worker thread
(see :mod:`ganviz.widgets._live` for why a thread and how redraws reach the
notebook safely) and draws every observation with the very helpers that draw
the theory in notebooks 01–04: the trained D beside D* for the *current*
generator,

.. math:: D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + \\hat p_g(x)},

with :math:`\\hat p_g` a Gaussian KDE of the current fakes, wherever P_data
has a known density. The status line reports :math:`E_m|D - D^*|` with
:math:`m = (p_{data} + \\hat p_g)/2`: how close the network is to the optimum.

Every setting is a control; changing one starts a new run (same seed ⇒ same
run). ``speed`` (steps between redraws) and the theory switch act live.

The explorer is assembled from one module per job:

* :mod:`~ganviz.widgets._training_controls` — the controls, their panel and
  the config they describe;
* :mod:`~ganviz.widgets._training_figures` — the figures and how a frame
  updates them;
* :mod:`~ganviz.widgets._training_theory` — D* against a KDE of the fakes;
* :mod:`~ganviz.widgets._dashboard` and :mod:`~ganviz.widgets._live` — the
  run buttons and the worker thread;

and this module, which builds a trainer from the controls and runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from ..distributions import Distribution
from ..plots.training import image_mosaic, png_bytes
from ..snapshot import Snapshot
from ..train import PRESETS, DatasetUnavailable, TrainConfig, Trainer, TrainingDiverged
from ._controls import beside, wrapping_row
from ._dashboard import (
    CUSTOM,
    DEFAULT_SPEED,
    LiveDashboard,
    as_distribution,
    base_config,
    dataset_options,
    positive_count,
)
from ._live import LiveRunner
from ._training_controls import BATCH_CHOICES as BATCH_CHOICES
from ._training_controls import CONFIG_CONTROLS as CONFIG_CONTROLS
from ._training_controls import (
    IMAGE_DATASETS,
    TOY_DATASETS,
    config_from_controls,
    control_panel,
    kind_defaults,
    set_control,
    training_controls,
)
from ._training_figures import IMAGE_COLUMNS, TrainingFigures, TrainingFrame
from ._training_figures import IMAGE_METRICS as IMAGE_METRICS
from ._training_figures import TOY_METRICS as TOY_METRICS

# The field helpers other dashboards draw with (their home is ``_training_figures``).
from ._training_figures import _configure_heatmap as _configure_heatmap
from ._training_figures import _empty_field as _empty_field
from ._training_figures import _frame_axes as _frame_axes
from ._training_figures import _no_density as _no_density
from ._training_theory import CORE_LOSS as CORE_LOSS
from ._training_theory import (
    TheoryCache,
    TheoryOverlay,
    kde_logpdf_on_grid,
    known_density,
    theory_overlay,
)

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

    _LOSS_CONTROLS = frozenset({"loss"})

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
        self._generation = 0
        self.trainer: Trainer | None = None
        #: D* for the current run (its P_data, log p_data on the grid)
        self._theory = TheoryCache(None)
        #: the last frame and snapshot drawn
        self.frame: TrainingFrame | None = None
        self.snapshot: Snapshot | None = None

        self.controls = training_controls(
            dataset, self._dataset_options(), config, speed or DEFAULT_SPEED, theory
        )
        self.drawing = TrainingFigures()
        self.figures: dict[str, go.FigureWidget] = self.drawing.figures
        #: the generated images, one PNG per redraw
        self.image = self.drawing.image
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
    @property
    def figure(self) -> go.FigureWidget:
        """The main figure: the trained discriminator field (2-D toys)."""
        return self.figures["field"]

    def _layout(self) -> None:
        panel = control_panel(self.controls)
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

    @property
    def p_data(self) -> Distribution | None:
        """The exact P_data density of the current run (None when unknown)."""
        return self._theory.p_data

    @p_data.setter
    def p_data(self, value: Distribution | None) -> None:
        self._theory = TheoryCache(value)

    def config_from_controls(self) -> TrainConfig:
        """The TrainConfig the controls describe (``ValueError`` when invalid)."""
        return config_from_controls(self.controls, self.base_config)

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
        set_control(self.controls[name], value)

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
        for key, value in kind_defaults(old, new).items():
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

    def _redraw_if_idle(self) -> None:
        if not self.runner.running and self.trainer is not None:
            self._guarded(self.runner.refresh)

    # -- drawing (owner thread) -------------------------------------------------------------
    def _draw_frame(self, frame: TrainingFrame) -> None:
        snap = frame.snapshot
        if not snap.is_image and self.controls["theory"].value:
            # Computed here, on the owner thread: its KDE (~20–90 ms) then overlaps with
            # training on the other core instead of delaying the next step.
            frame.theory = self._theory.overlay(snap)
        self.drawing.draw(frame, self._no_theory_reason())
        self.frame, self.snapshot = frame, snap
        self.status.value = self.drawing.status_html(frame, self.runner.running)

    def _no_theory_reason(self) -> str:
        if not self.controls["theory"].value:
            return "theory overlay switched off"
        return f"theory: {self.dataset} has no closed-form density (no D* to draw)"
