"""Checkpoints: everything a run needs to continue, written atomically.

A checkpoint holds tensors and plain values only, so it loads with
``torch.load(weights_only=True)``; it is written to a temporary file and
renamed, so a crash never leaves half a file, and a diverged state is never
written over a good one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from .config import TrainConfig
from .data import dataset_from_state
from .observe import BoundedHistory
from .runtime import sub_seeds

if TYPE_CHECKING:
    from .trainer import Trainer

__all__ = ["CHECKPOINT_FORMAT", "CHECKPOINT_VERSION", "Checkpoints"]

#: Checkpoint format tag and version.
CHECKPOINT_FORMAT = "ganviz-checkpoint"
CHECKPOINT_VERSION = 1


class Checkpoints:
    """Save and resume a :class:`~ganviz.train.Trainer` (a part of it)."""

    def state_dict(self) -> dict:
        """Everything :meth:`load` needs: tensors and plain values (``weights_only``-safe)."""
        with self._guard:
            self.check_finite()
            return {
                "format": CHECKPOINT_FORMAT,
                "version": CHECKPOINT_VERSION,
                "config": self.config.to_dict(),
                "dataset": self.dataset.state_dict(),
                "device_type": self.device.type,
                "step_count": self.step_count,
                "d_step_count": self.d_step_count,
                "generator": self.G.state_dict(),
                **({} if self.G_ema is None else {"generator_ema": self.G_ema.state_dict()}),
                "discriminator": self.D.state_dict(),
                "optimizer_g": self.optimizer_g.state_dict(),
                "optimizer_d": self.optimizer_d.state_dict(),
                "rng": self._rng.get_state(),
                "sample_rng": self._sample_rng.get_state(),
                "last_losses": dict(self._last_losses),
                "train_seconds": self.train_seconds,
                "records": list(self.records),
            }

    def save(self, path) -> Path:
        """Write a checkpoint (atomically: a crash never leaves half a file).

        Raises :class:`TrainingDiverged` rather than overwrite a good file with a diverged state.
        """
        path = Path(path)
        state = self.state_dict()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        torch.save(state, tmp)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path, *, device: str | None = None, **overrides) -> Trainer:
        """A trainer restored from :meth:`save`, ready to continue the same run.

        Loads with ``torch.load(weights_only=True)``. ``device`` moves the run
        (exact continuation needs the same device type); ``overrides``
        change observation fields such as ``snapshot_every``.
        """
        state = torch.load(Path(path), map_location="cpu", weights_only=True)
        if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"{path} is not a ganviz checkpoint")
        if state.get("version", 0) > CHECKPOINT_VERSION:
            raise ValueError(
                f"{path} was written by a newer ganviz (checkpoint version {state['version']})"
            )
        config = TrainConfig.from_dict(state["config"])
        if device is not None:
            overrides["device"] = device
        if overrides:
            config = config.replace(**overrides)
        ds_state = state["dataset"]
        dataset = dataset_from_state(ds_state) if ds_state["kind"] == "points" else None
        trainer = cls(config, dataset=dataset) if dataset is not None else cls(config)
        trainer.load_state_dict(state)
        return trainer

    def load_state_dict(self, state: dict) -> None:
        """Restore networks, optimisers, random streams and counters from :meth:`state_dict`."""
        with self._guard:
            self.G.load_state_dict(state["generator"])
            if self.G_ema is not None:
                self.G_ema.load_state_dict(state.get("generator_ema", state["generator"]))
            self.D.load_state_dict(state["discriminator"])
            self.optimizer_g.load_state_dict(state["optimizer_g"])
            self.optimizer_d.load_state_dict(state["optimizer_d"])
            same_device = state.get("device_type") == self.device.type
            if same_device:
                self._rng.set_state(state["rng"])
                self._sample_rng.set_state(state["sample_rng"])
            else:  # another device's generator state cannot be set; derive one from the run
                self._rng.manual_seed(sub_seeds(self.config.seed + state["step_count"], 1)[0])
            self.step_count = int(state["step_count"])
            self.d_step_count = int(state["d_step_count"])
            self._last_losses = dict(state.get("last_losses", {}))
            self.train_seconds = float(state.get("train_seconds", 0.0))
            self.records = BoundedHistory(self.records.capacity, state.get("records", []))
            self._reset_accumulators()
            self._last_good = self._capture_state()
