"""Documented, measured starting points (``ganviz train --preset NAME``).

Each preset is a set of :class:`~ganviz.train.TrainConfig` fields; command
line flags given next to ``--preset`` override them. The quality numbers in
``docs/trainer.md`` were measured with ``benchmarks/trainer_quality.py``.
"""

from __future__ import annotations

from .config import TrainConfig

__all__ = ["PRESETS", "preset_config"]

#: name → (one-line description, TrainConfig fields)
PRESETS: dict[str, tuple[str, dict]] = {
    "ring8-wgan-gp": (
        "ring of 8 Gaussians (σ 0.02), WGAN-GP, 5 critic steps per generator step: all 8 modes",
        {
            "dataset": "ring8",
            "loss": "wgan-gp",
            "penalty_weight": 0.1,
            "d_steps": 5,
            "lr_d": 1e-3,
            "lr_g": 1e-3,
            "lr_schedule": "linear",
            "betas": (0.5, 0.9),
            "steps": 4000,
        },
    ),
    "ring8-nonsaturating": (
        "the same ring with the non-saturating loss: watch it hop between modes and drop some",
        {
            "dataset": "ring8",
            "loss": "nonsaturating",
            "d_steps": 1,
            "lr_d": 2e-4,
            "lr_g": 2e-4,
            "betas": (0.5, 0.999),
            "steps": 3000,
        },
    ),
    "grid25-wgan-gp": (
        "5×5 grid of Gaussians (σ 0.05, the VEEGAN/PacGAN grid), WGAN-GP, 12,000 steps",
        {
            # The samples gather in the modes only as the learning rate decays (at step 3,000 of
            # 5,000 half of them still lie in the gaps between modes): 12,000 steps give the
            # low-rate phase the time it needs (docs/trainer.md, grid25).
            "dataset": "grid25",
            "loss": "wgan-gp",
            "penalty_weight": 0.1,
            "d_steps": 5,
            "lr_d": 1e-3,
            "lr_g": 1e-3,
            "lr_schedule": "linear",
            "betas": (0.5, 0.9),
            "steps": 12000,
        },
    ),
    "digits": (
        "scikit-learn's 8×8 digits (offline), DCGAN-style conv pair, hinge loss with a "
        "spectrally normalised D, averaged generator",
        {
            "dataset": "digits",
            # SN-GAN (Miyato et al. 2018): hinge loss, spectral norm on every D layer, their
            # setting with Adam 2e-4, β = (0.5, 0.999), n_dis = 1. The plain non-saturating
            # DCGAN pair collapsed at some seeds (seed 13: one image for steps 1,000–2,000,
            # 5/10 classes at the end); see docs/trainer.md for the per-seed numbers.
            "loss": "hinge",
            "spectral_norm": True,
            "d_steps": 1,
            "z_dim": 32,
            "channels": 32,
            "batch_size": 64,
            "lr_d": 2e-4,
            "lr_g": 2e-4,
            "lr_schedule": "linear",
            "betas": (0.5, 0.999),
            "ema": 0.999,
            "steps": 5000,
            "snapshot_every": 250,
        },
    ),
    "mnist": (
        "MNIST 28×28 (downloaded to the cache folder), DCGAN-style conv pair, non-saturating loss",
        {
            "dataset": "mnist",
            "loss": "nonsaturating",
            "z_dim": 64,
            "channels": 32,
            "batch_size": 64,
            "lr_d": 2e-4,
            "lr_g": 2e-4,
            "betas": (0.5, 0.999),
            "steps": 5000,
            "snapshot_every": 500,
        },
    ),
}


def preset_config(name: str, **overrides) -> TrainConfig:
    """The :class:`TrainConfig` of preset ``name`` with ``overrides`` applied."""
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}; got {name!r}")
    return TrainConfig(**{**PRESETS[name][1], **overrides})
