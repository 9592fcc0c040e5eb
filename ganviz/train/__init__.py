"""The PyTorch GAN trainer (imported lazily: ``import ganviz`` never imports torch).

>>> from ganviz.train import Trainer, TrainConfig
>>> trainer = Trainer(TrainConfig(dataset="ring8", loss="wgan-gp"))  # WGAN-GP's own recipe
>>> trainer.run(1000, callback=lambda snap: print(snap.step, snap.metrics))

Names are resolved on first access, so ``import ganviz.train`` itself is
cheap until a trainer name is used.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "TrainConfig": "config",
    "OPTIMIZERS": "config",
    "Trainer": "trainer",
    "TrainingDiverged": "trainer",
    "DiscriminatorOutput": "trainer",
    "BoundedHistory": "trainer",
    "SweepResult": "seedsweep",
    "sweep": "seedsweep",
    "SeedResult": "seedsweep",
    "SweepRuns": "seedsweep",
    "LossSummary": "seedsweep",
    "BatchedRun": "batched",
    "resolve_device": "trainer",
    "LOSSES": "losses",
    "GanLoss": "losses",
    "get_loss": "losses",
    "register_loss": "losses",
    "PENALTIES": "penalties",
    "get_penalty": "penalties",
    "DATASETS": "data",
    "Dataset": "data",
    "DatasetUnavailable": "data",
    "ImageDataset": "data",
    "PointDataset": "data",
    "make_dataset": "data",
    "from_distribution": "data",
    "from_points": "data",
    "load_idx_dataset": "data",
    "read_idx": "data",
    "write_idx": "data",
    "data_dir": "data",
    "RECIPES": "recipes",
    "Recipe": "recipes",
    "get_recipe": "recipes",
    "PRESETS": "presets",
    "preset_config": "presets",
    "ImageEvaluator": "metrics",
    "frechet_distance": "metrics",
    "histogram_divergences": "metrics",
    "write_report": "report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ganviz.train' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
