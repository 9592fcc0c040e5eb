"""The TrainConfig flags of ``ganviz train`` and ``ganviz sweep``: one map, one parser helper.

Each command picks the flags it offers by name from :func:`flag_specs`
(flag name with ``_`` → the ``--flag-name`` on the command line), adds them
with :func:`add_config_flags` and turns what was given into TrainConfig
fields with :func:`config_overrides`, so a flag means the same thing,
with the same check and help, in both commands.
"""

from __future__ import annotations

import argparse

__all__ = ["add_config_flags", "config_overrides", "flag_specs", "given_flags", "loss_name"]


def loss_name(text: str) -> str:
    """``--loss`` values: an alias of :data:`ganviz.losses.LOSS_ALIASES` becomes its name.

    Unknown names pass through unchanged, for argparse's "invalid choice" message.
    """
    from ..losses import LOSS_ALIASES

    return LOSS_ALIASES.get(text, text)


def flag_specs() -> dict[str, tuple[str, dict]]:
    """flag → (TrainConfig field, keyword arguments of ``add_argument``)."""
    # Imported here: `ganviz --help` must not pay for torch.
    from .config import DEVICES, MODELS, NOISES, OPTIMIZERS, SCHEDULES
    from .data import DATASETS
    from .losses import LOSSES
    from .models import ACTIVATIONS
    from .penalties import PENALTIES

    recipe = "(default: the loss's recipe)"
    return {
        "dataset": (
            "dataset",
            {"choices": list(DATASETS), "help": "training data (default ring8)"},
        ),
        "loss": (
            "loss",
            {
                "type": loss_name,
                "choices": list(LOSSES),
                "help": "GAN loss (default nonsaturating; old spellings such as wasserstein too)",
            },
        ),
        "penalty": (
            "penalty",
            {"choices": ["auto", "none", *PENALTIES], "help": "regulariser (default auto)"},
        ),
        "penalty_weight": (
            "penalty_weight",
            {
                "type": float,
                "metavar": "W",
                "help": f"λ of the gradient penalty / γ of R1 {recipe}",
            },
        ),
        "clip": (
            "clip",
            {"type": float, "metavar": "C", "help": "weight-clipping bound of the wgan critic"},
        ),
        "steps": (
            "steps",
            {"type": int, "metavar": "N", "help": f"generator steps of a run {recipe}"},
        ),
        "seed": ("seed", {"type": int, "metavar": "S", "help": "random seed (default 0)"}),
        "batch_size": ("batch_size", {"type": int, "metavar": "B"}),
        "hidden": (
            "hidden",
            {"type": int, "metavar": "W", "help": "width of the hidden MLP layers"},
        ),
        "depth": ("depth", {"type": int, "metavar": "L", "help": "number of hidden MLP layers"}),
        "z_dim": (
            "z_dim",
            {"type": int, "metavar": "Z", "help": "noise dimension (default 2 toys, 32 images)"},
        ),
        "noise": ("noise", {"choices": list(NOISES)}),
        "activation": ("activation", {"choices": list(ACTIVATIONS)}),
        "model": ("model", {"choices": list(MODELS)}),
        "channels": (
            "channels",
            {"type": int, "metavar": "C", "help": "base channels of the conv pair"},
        ),
        "spectral_norm": (
            "spectral_norm",
            {
                "action": "store_true",
                "default": None,
                "help": "spectral normalisation of every D layer",
            },
        ),
        "optimizer": ("optimizer", {"choices": list(OPTIMIZERS), "help": recipe}),
        "lr_d": ("lr_d", {"type": float, "metavar": "LR", "help": "discriminator learning rate"}),
        "lr_g": ("lr_g", {"type": float, "metavar": "LR", "help": "generator learning rate"}),
        "lr_schedule": (
            "lr_schedule",
            {"choices": list(SCHEDULES), "help": "constant, or linear decay to 0 at --steps"},
        ),
        "betas": (
            "betas",
            {"type": float, "nargs": 2, "metavar": ("B1", "B2"), "help": "Adam's betas"},
        ),
        "momentum": ("momentum", {"type": float, "metavar": "M", "help": "SGD momentum"}),
        "ema": (
            "ema",
            {
                "type": float,
                "metavar": "BETA",
                "help": "average G's weights (β, e.g. 0.999); snapshots and metrics use the "
                "average (0: off)",
            },
        ),
        "d_steps": (
            "d_steps",
            {"type": int, "metavar": "K", "help": "discriminator updates per generator update"},
        ),
        "device": (
            "device",
            {"metavar": "DEV", "help": f"one of {', '.join(DEVICES)} or cuda:N (default auto)"},
        ),
        "eval_every": (
            "snapshot_every",
            {"type": int, "metavar": "N", "help": "generator steps between evaluations"},
        ),
        "eval_samples": (
            "eval_samples",
            {"type": int, "metavar": "N", "help": "generated samples the metrics count"},
        ),
        "threads": (
            "threads",
            {"type": int, "metavar": "T", "help": "torch CPU threads while training (default 1)"},
        ),
    }


def add_config_flags(parser: argparse.ArgumentParser, names) -> None:
    """Add the flags ``names`` (keys of :func:`flag_specs`) to ``parser``, in that order."""
    specs = flag_specs()
    for name in names:
        parser.add_argument("--" + name.replace("_", "-"), **specs[name][1])


def given_flags(args: argparse.Namespace, names) -> dict:
    """flag → value of the flags among ``names`` that were given (not left at None)."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def config_overrides(args: argparse.Namespace, names) -> dict:
    """TrainConfig field → value of the flags among ``names`` that were given."""
    specs = flag_specs()
    return {specs[name][0]: value for name, value in given_flags(args, names).items()}
