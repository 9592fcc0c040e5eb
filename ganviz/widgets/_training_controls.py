"""The TrainingExplorer's controls: the widgets, their panel, and the config they describe.

Every training setting is a control (:data:`CONFIG_CONTROLS`); the fields
without one (penalty weight, Adam β, snapshot sizes …) come from the base
config. :func:`config_from_controls` turns the controls into a
:class:`~ganviz.train.TrainConfig`; :func:`kind_defaults` says which
controls move when the dataset changes between toys and image sets.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..train import DATASETS, LOSSES, OPTIMIZERS, PRESETS, TrainConfig
from ..train.config import NOISES
from ._controls import checkbox
from ._dashboard import (
    CUSTOM,
    d_steps_slider,
    depth_slider,
    hidden_dropdown,
    run_buttons,
    seed_box,
    speed_slider,
)

__all__ = [
    "BATCH_CHOICES",
    "CONFIG_CONTROLS",
    "IMAGE_DATASETS",
    "TOY_DATASETS",
    "config_from_controls",
    "control_panel",
    "kind_defaults",
    "set_control",
    "training_controls",
]

#: Registered 2-D toys and image sets, in dropdown order.
TOY_DATASETS = tuple(name for name, (kind, _) in DATASETS.items() if kind == "points")
IMAGE_DATASETS = tuple(name for name, (kind, _) in DATASETS.items() if kind == "images")
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


def training_controls(
    dataset: str, dataset_choices, config: TrainConfig, speed: int, theory: bool
) -> dict[str, widgets.Widget]:
    """Every control by name: the :data:`CONFIG_CONTROLS`, ``dataset``, ``speed``, ``theory``
    and the run buttons, starting from ``config``'s values."""
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

    def dropdown(options, value, description):
        return widgets.Dropdown(
            options=options, value=value, description=description, style=style_, layout=wide
        )

    z_dim = config.resolved_z_dim(images)
    c = {
        "dataset": dropdown(dataset_choices, dataset, "dataset"),
        "loss": dropdown(list(LOSSES), config.loss, "loss"),
        "d_steps": d_steps_slider(config.d_steps, style_, wide),
        "lr_d": lr_slider(config.lr_d, "lr of D"),
        "lr_g": lr_slider(config.lr_g, "lr of G"),
        "optimizer": dropdown(list(OPTIMIZERS), config.optimizer, "optimiser"),
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
        "noise": dropdown(list(NOISES), config.noise, "noise p_z"),
        "batch_size": dropdown(
            sorted(set(BATCH_CHOICES) | {config.batch_size}), config.batch_size, "batch size"
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
    return c


def control_panel(controls: dict[str, widgets.Widget]) -> widgets.VBox:
    """The controls in one column, grouped under headings."""
    c = controls

    def heading(text):
        return widgets.HTML(f"<b style='font-size:12.5px'>{text}</b>")

    return widgets.VBox(
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


def config_from_controls(controls: dict[str, widgets.Widget], base: TrainConfig) -> TrainConfig:
    """The TrainConfig the controls describe on top of ``base`` (``ValueError`` when invalid).

    A registered dataset keeps the base's options only when it is the base's
    dataset; an MLP/conv choice of the base becomes "auto" (it would not fit
    every dataset).
    """
    fields = {name: controls[name].value for name in CONFIG_CONTROLS}
    fields["lr_d"], fields["lr_g"] = float(fields["lr_d"]), float(fields["lr_g"])
    dataset = controls["dataset"].value
    fields["dataset"] = dataset
    if dataset == CUSTOM:
        fields["dataset_options"] = {}
    else:
        fields["dataset_options"] = dict(base.dataset_options) if base.dataset == dataset else {}
    if base.model != "auto":
        fields["model"] = "auto"
    return base.replace(**fields)


def kind_defaults(old: str, new: str) -> dict:
    """Control values that move with the dataset: an image set's preset, or back to toy defaults."""
    if new in IMAGE_DATASETS:
        fields = PRESETS["digits" if new == "digits" else "mnist"][1]
    elif old in IMAGE_DATASETS:
        fields = {"z_dim": 2, "batch_size": TrainConfig().batch_size}
    else:
        return {}
    return {key: value for key, value in fields.items() if key in CONFIG_CONTROLS}


def set_control(control: widgets.Widget, value) -> None:
    """Set a control's value; a dropdown first gains ``value`` as an option when it lacks it."""
    if isinstance(control, widgets.Dropdown):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        if value not in values:
            control.options = sorted({*values, value})
    control.value = value
