"""What the training dashboards share: inputs, controls and the play / pause machinery.

:class:`~ganviz.widgets.training.TrainingExplorer`,
:class:`~ganviz.widgets.comparison.ComparisonExplorer` and
:class:`~ganviz.widgets.seeds.SeedSweepExplorer` take the same ``config``,
``threads``, ``**overrides`` and ``p_data`` arguments (:func:`base_config`,
:func:`as_distribution`) and offer a dataset choice (:func:`dataset_options`).
The first two also share their training controls, the six run buttons and
everything around the :class:`~ganviz.widgets._live.LiveRunner` that trains
them (:class:`LiveDashboard`).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import _validation as check
from ..distributions import Distribution, Empirical
from ..train import TrainConfig
from ._base import ExplorerBase
from ._live import Emission, LiveRunner

__all__ = [
    "CUSTOM",
    "DEFAULT_SPEED",
    "LiveDashboard",
    "as_distribution",
    "base_config",
    "d_steps_slider",
    "dataset_options",
    "depth_slider",
    "hidden_dropdown",
    "positive_count",
    "run_buttons",
    "seed_box",
    "speed_slider",
]

#: The dataset choice that trains on the distribution given as ``p_data``.
CUSTOM = "custom"
#: Default steps between redraws (a redraw costs roughly 10–40 ms of training time).
DEFAULT_SPEED = 20
#: Widths offered for the hidden layers (the config's own value is added).
HIDDEN_CHOICES = (8, 16, 32, 64, 128, 256, 512)
#: The run buttons of a live dashboard: name → (label, button style, icon). Icons are
#: ipywidgets' (Font Awesome) names: glyphs such as ⏸ render as an empty box in many fonts.
RUN_BUTTONS = {
    "play": ("play", "success", "play"),
    "pause": ("pause", "warning", "pause"),
    "step_d": ("step D", "", ""),
    "step_g": ("step G", "", ""),
    "step": ("step", "", ""),
    "reset": ("reset", "danger", "refresh"),
}


# -- inputs ------------------------------------------------------------------------------------


def base_config(config: TrainConfig | None, threads: int | None, overrides: dict) -> TrainConfig:
    """``config`` (default ``TrainConfig()``) with ``threads`` (unless None) and ``overrides``."""
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    if threads is not None:
        overrides.setdefault("threads", threads)
    if overrides:
        config = config.replace(**overrides)
    return config


def as_distribution(p_data) -> Distribution:
    """A 2-D distribution as given, or ``Empirical(points)`` for an (n, 2) point array."""
    if isinstance(p_data, Distribution):
        if p_data.dim != 2:
            raise ValueError(
                f"p_data must be a 2-D distribution (the trainer's toys are 2-D), "
                f"got {p_data.dim}-D"
            )
        return p_data
    points = check.finite_array(p_data, "p_data")
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(
            f"p_data must be a 2-D ganviz distribution or an (n, 2) point array, "
            f"got shape {points.shape}"
        )
    return Empirical(points)


def dataset_options(names, custom: bool) -> list[tuple[str, str]]:
    """Dropdown options for the registered datasets ``names``, then ``custom`` when given."""
    options = [(name, name) for name in names]
    if custom:
        options.append(("custom (your P_data)", CUSTOM))
    return options


def positive_count(n) -> int:
    """``n`` of ``step(n)`` and its siblings: an integer ≥ 1."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer ≥ 1, got {n!r}")
    return int(n)


# -- controls ----------------------------------------------------------------------------------


def seed_box(value: int, style: dict, *, description: str = "seed", width: str = "200px"):
    """A seed: an integer box from 0 to 2³¹ − 1."""
    return widgets.BoundedIntText(
        value=value,
        min=0,
        max=2**31 - 1,
        description=description,
        style=style,
        layout=widgets.Layout(width=width),
    )


def d_steps_slider(value: int, style: dict, layout: widgets.Layout) -> widgets.IntSlider:
    """k, the discriminator steps per generator step."""
    return widgets.IntSlider(
        value=value,
        min=1,
        max=max(10, value),
        description="k (D steps)",
        style=style,
        layout=layout,
    )


def hidden_dropdown(value: int, style: dict, layout: widgets.Layout) -> widgets.Dropdown:
    """The width of the hidden layers."""
    return widgets.Dropdown(
        options=sorted(set(HIDDEN_CHOICES) | {value}),
        value=value,
        description="width",
        style=style,
        layout=layout,
    )


def depth_slider(value: int, style: dict, layout: widgets.Layout) -> widgets.IntSlider:
    """The number of hidden layers."""
    return widgets.IntSlider(
        value=value, min=1, max=max(6, value), description="depth", style=style, layout=layout
    )


def speed_slider(speed: int, style: dict, layout: widgets.Layout) -> widgets.IntSlider:
    """Steps between two redraws."""
    return widgets.IntSlider(
        value=int(speed),
        min=1,
        max=max(500, int(speed)),
        description="steps/redraw",
        style=style,
        layout=layout,
    )


def run_buttons(tooltips: dict[str, str], width: str) -> dict[str, widgets.Button]:
    """The :data:`RUN_BUTTONS` with the dashboard's ``tooltips``; *pause* starts disabled."""
    buttons = {
        name: widgets.Button(
            description=text,
            button_style=kind,
            icon=icon,
            tooltip=tooltips[name],
            layout=widgets.Layout(width=width),
        )
        for name, (text, kind, icon) in RUN_BUTTONS.items()
    }
    buttons["pause"].disabled = True
    return buttons


# -- the live dashboards ---------------------------------------------------------------------


class LiveDashboard(ExplorerBase):
    """A dashboard trained by ``self.runner`` (a LiveRunner) behind :func:`run_buttons`.

    Subclasses make the runner (drawing with :meth:`_draw`), the run buttons and a
    ``speed`` slider, and define ``reset``, ``step_d``, ``step_g``, ``step`` and
    ``_draw_frame`` (draw a frame of the current run).
    """

    #: the engine that trains and redraws; None until the subclass has built it (a
    #: constructor that fails before that may still be closed, which pauses)
    runner: LiveRunner | None = None
    #: the run being drawn; frames of an older run (before a rebuild) are not drawn
    _generation: int = 0

    def _wire_run_buttons(self) -> None:
        c = self.controls
        c["speed"].observe(self._on_speed, names="value")
        c["play"].on_click(lambda _b: self.play())
        c["pause"].on_click(lambda _b: self.pause())
        c["step_d"].on_click(lambda _b: self._guarded(self.step_d))
        c["step_g"].on_click(lambda _b: self._guarded(self.step_g))
        c["step"].on_click(lambda _b: self._guarded(self.step))
        c["reset"].on_click(lambda _b: self.reset())

    def _on_speed(self, change) -> None:
        self.runner.speed = int(change["new"])

    def play(self, steps: int | None = None) -> None:
        """Train in the background (``steps`` steps, or until :meth:`pause`); returns at once."""
        if self.runner.running:
            return
        self.clear_error()
        if self.runner.start(steps):
            self._set_playing(True)

    def pause(self) -> None:
        """Stop after the current step and draw the final state (waits for the step to end)."""
        if self.runner is not None:
            self.runner.stop()
            self._set_playing(False)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a background run started with ``play(steps)`` ends (True) or ``timeout``."""
        return self.runner.join(timeout)

    @property
    def playing(self) -> bool:
        return self.runner.running

    def _set_playing(self, playing: bool) -> None:
        self.controls["play"].disabled = playing
        self.controls["pause"].disabled = not playing

    def close(self) -> None:
        """Stop training and close the widgets."""
        self.pause()
        for fig in self.figures.values():
            fig.close()
        super().close()

    def _draw(self, emission: Emission) -> None:
        """Draw a frame of the current run (owner thread), then its error and its end."""
        frame = emission.frame
        if frame is not None and frame.generation == self._generation:
            self._draw_frame(frame)
        if emission.error:
            self.show_error(emission.error)
        if emission.final:
            self._set_playing(False)
