"""The GAN trainer: Algorithm 1 of Goodfellow et al. (2014) with snapshots for the plots.

One :meth:`Trainer.step` is ``d_steps`` discriminator updates followed by
one generator update::

    for k steps:   x ∼ P_data, z ∼ p_z;  D ← D − η_D ∇_D [ℓ_D(D(x), D(G(z))) + λ·penalty]
    once:          z ∼ p_z;              G ← G − η_G ∇_G mean ℓ_G(D(G(z)))

with ℓ_D, ℓ_G from the loss registry (:mod:`ganviz.train.losses`).

How it stays fast on small networks (see ``benchmarks/trainer_speed.py``):

* real and fake samples go through D in **one** forward pass (penalty
  points in a second one, so the penalty's double backward touches only them);
* the fake batch of a D update is made under ``torch.no_grad`` (no graph
  for G), and the G update asks autograd for G's gradients only (no D
  weight gradients are formed), so no ``zero_grad`` pass is needed either;
* losses are summed **on the device** and read once per snapshot: no host
  synchronisation per step;
* optimisers use the fused (or else multi-tensor ``foreach``) implementations.

Observation never disturbs training: snapshots and metrics draw from their
own fixed noise and fixed real samples, so a run gives the same parameters
whether it is observed every step or never, and a checkpoint resumes the
very same run.

The trainer is assembled from one module per job, each read top to bottom:

* :mod:`~ganviz.train.step` — the Algorithm-1 updates and the live settings;
* :mod:`~ganviz.train.observe` — snapshots, metrics, samples, D on points;
* :mod:`~ganviz.train.rollback` — finite checks and the rollback on divergence;
* :mod:`~ganviz.train.checkpoint` — save and resume;
* :mod:`~ganviz.train.runtime` — device, CPU threads and lock, Ctrl-C, seed streams;

and this module, which builds the networks and runs the loop.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..snapshot import Snapshot
from .checkpoint import CHECKPOINT_FORMAT as CHECKPOINT_FORMAT
from .checkpoint import CHECKPOINT_VERSION as CHECKPOINT_VERSION
from .checkpoint import Checkpoints
from .config import TrainConfig
from .data import Dataset, make_dataset
from .losses import get_loss
from .models import build_models
from .observe import REFERENCE_SAMPLES as REFERENCE_SAMPLES
from .observe import SNAPSHOT_IMAGES as SNAPSHOT_IMAGES
from .observe import BoundedHistory, DiscriminatorOutput, Observation
from .penalties import get_penalty
from .rollback import Rollback, TrainingDiverged
from .runtime import ComputeGuard, deferred_sigint, resolve_device, sub_seeds
from .step import AlgorithmStep

__all__ = [
    "BoundedHistory",
    "DiscriminatorOutput",
    "Trainer",
    "TrainingDiverged",
    "resolve_device",
]

# Older private names, kept for code that imported them from here.
_deferred_sigint = deferred_sigint
_Guard = ComputeGuard
_sub_seeds = sub_seeds

#: Divergence-check interval (generator steps) in ``run`` when snapshots are off.
GUARD_EVERY = 100


class Trainer(AlgorithmStep, Observation, Rollback, Checkpoints):
    """Train a GAN and observe it.

    Parameters
    ----------
    config : TrainConfig, optional
        The run's configuration (defaults: ring8, non-saturating loss).
    dataset : optional
        A ganviz 2-D distribution, an (n, 2) point array or a
        :class:`~ganviz.train.data.Dataset`, trained on instead of
        ``config.dataset`` (which then reads "custom" unless it names a
        registered set).
    **overrides
        Field changes applied to ``config`` (``Trainer(loss="wgan-gp")``).

    Examples
    --------
    >>> from ganviz.train import Trainer, preset_config
    >>> trainer = Trainer(preset_config("ring8-wgan-gp", seed=1))
    >>> trainer.run(500, callback=lambda snap: print(snap.step, snap.metrics["modes_covered"]))
    >>> trainer.save("ring8.pt"); Trainer.load("ring8.pt").step_count
    500
    """

    def __init__(self, config: TrainConfig | None = None, *, dataset=None, **overrides):
        config = TrainConfig() if config is None else config
        if not isinstance(config, TrainConfig):
            raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
        if dataset is not None and not isinstance(dataset, str):
            # A data object is recorded as "custom" unless it is a registered set rebuilt by name.
            registered = isinstance(dataset, Dataset) and dataset.name == config.dataset
            if not registered:
                overrides.setdefault("dataset", "custom")
        if overrides:
            config = config.replace(**overrides)
        if isinstance(dataset, str):
            config = config.replace(dataset=dataset)
            dataset = None
        if dataset is None and config.dataset == "custom":
            raise ValueError(
                "config.dataset is 'custom': pass the data as Trainer(config, dataset=...)"
            )
        self.config = config
        self.device = resolve_device(config.device)
        # CPU threads while the trainer computes (restored after each call): the networks here
        # are small, and one thread avoids OpenMP's collapse on a busy shared machine (a 10×
        # slowdown measured with two threads on a loaded 2-core box; see docs/trainer.md).
        self._threads = config.threads or (1 if self.device.type == "cpu" else 0)
        self._lock = threading.RLock()
        self._guard = ComputeGuard(self._lock, self._threads)
        with self._guard:
            self._build(config, dataset)

    def _build(self, config: TrainConfig, dataset) -> None:
        source = dataset if dataset is not None else config.dataset
        options = {} if dataset is not None else config.dataset_options
        self.dataset: Dataset = make_dataset(source, **options).to(self.device)
        self.images = self.dataset.kind == "images"
        self.z_dim = config.resolved_z_dim(self.images)
        self.loss = get_loss(config.loss)
        penalty_name = self.loss.penalty if config.penalty == "auto" else config.penalty
        self.penalty = None if penalty_name in (None, "none") else get_penalty(penalty_name)
        self.penalty_name = penalty_name or "none"

        model_seed, train_seed, obs_seed, sample_seed = sub_seeds(config.seed, 4)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(model_seed)
            G, D = build_models(config.replace(z_dim=self.z_dim), self.dataset.sample_shape)
        self.G, self.D = G.to(self.device), D.to(self.device)
        self._g_params = list(self.G.parameters())
        #: the exponential moving average of G's weights (``config.ema`` > 0), else None;
        #: when present, snapshots, metrics and :meth:`sample` use it
        self.G_ema = copy.deepcopy(self.G).requires_grad_(False) if config.ema > 0 else None
        self._ema_params = [] if self.G_ema is None else list(self.G_ema.parameters())
        self._d_params = list(self.D.parameters())
        self.optimizer_g = self._optimizer(self._g_params, config.lr_g)
        self.optimizer_d = self._optimizer(self._d_params, config.lr_d)

        #: training randomness (data batches, noise, penalty interpolation)
        self._rng = torch.Generator(device=self.device).manual_seed(train_seed)
        #: randomness of :meth:`sample` without a seed (never touches training)
        self._sample_rng = torch.Generator(device=self.device).manual_seed(sample_seed)
        self._obs_seed = obs_seed
        self._setup_observation(obs_seed)

        #: generator updates done
        self.step_count = 0
        #: discriminator updates done
        self.d_step_count = 0
        self._reset_accumulators()
        self._last_losses: dict[str, float] = {}
        #: snapshots recorded by :meth:`run` (bounded, thinned when full)
        self.history = BoundedHistory(config.history_size)
        #: one row per recorded snapshot: step, losses, metrics, seconds (bounded)
        self.records = BoundedHistory(max(10 * config.history_size, 1000))
        #: class counts of the last image evaluation (images only)
        self.last_class_counts: np.ndarray | None = None
        #: wall seconds spent in :meth:`run`
        self.train_seconds = 0.0
        self._run_start: float | None = None
        self._stop_requested = False
        self._last_good = self._capture_state()

    # -- construction helpers ------------------------------------------------------------
    def _optimizer(self, params, lr):
        cfg = self.config
        if cfg.optimizer == "adam":
            kind, kwargs = torch.optim.Adam, {"lr": lr, "betas": cfg.betas}
        elif cfg.optimizer == "sgd":
            kind, kwargs = torch.optim.SGD, {"lr": lr, "momentum": cfg.momentum}
        else:
            return torch.optim.RMSprop(params, lr=lr, foreach=True)
        # One fused kernel per tensor where torch has it for this device (2-3× faster than
        # foreach on CPU for small MLPs); the multi-tensor foreach path otherwise.
        try:
            return kind(params, fused=True, **kwargs)
        except (RuntimeError, ValueError, TypeError):
            return kind(params, foreach=True, **kwargs)

    # -- running -------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask a :meth:`run` in progress (e.g. in another thread) to stop after its current step."""
        self._stop_requested = True

    def run(
        self,
        steps: int | None = None,
        callback: Callable[[Snapshot], Any] | None = None,
        *,
        progress=None,
    ) -> Snapshot | None:
        """Do ``steps`` generator steps (default ``config.steps``), snapshotting as configured.

        ``callback(snapshot)`` is called with each recorded snapshot; returning
        ``False`` stops the run. ``progress`` is anything with ``update(n)``
        and ``set_postfix(dict)`` (a tqdm bar). A run stops only between
        steps — Ctrl-C (main thread) and :meth:`stop` included — so the trainer
        is never seen half-updated; Ctrl-C then raises ``KeyboardInterrupt``.

        Raises :class:`TrainingDiverged` when a loss or parameter is not
        finite (checked at each snapshot, or every 100 steps without
        snapshots); the trainer is rolled back to the last good check first.

        Returns the last snapshot recorded, or None.
        """
        steps = self.config.steps if steps is None else steps
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"steps must be an integer ≥ 0, got {steps!r}")
        every = self.config.snapshot_every
        guard = every or GUARD_EVERY
        self._stop_requested = False
        last = None
        if every and self.step_count == 0 and len(self.history) == 0:
            last = self.record_snapshot()
            if callback is not None and callback(last) is False:
                return last
        start = self._run_start = time.perf_counter()
        pending = 0
        try:
            with deferred_sigint() as sigint:
                for _ in range(int(steps)):
                    self.step()
                    pending += 1
                    if every and self.step_count % every == 0:
                        last = self.record_snapshot()
                        if progress is not None:
                            progress.update(pending)
                            pending = 0
                            progress.set_postfix(self._postfix(last), refresh=False)
                        if callback is not None and callback(last) is False:
                            break
                    elif self.step_count % guard == 0:
                        self.check_finite()
                    if progress is not None and pending >= 10:
                        progress.update(pending)
                        pending = 0
                    if sigint["hit"] or self._stop_requested:
                        break
                self.check_finite()
            if sigint["hit"]:
                raise KeyboardInterrupt
        finally:
            self.train_seconds += time.perf_counter() - start
            self._run_start = None
            if progress is not None and pending:
                progress.update(pending)
        return last

    @staticmethod
    def _postfix(snap: Snapshot) -> dict:
        out = {k: f"{v:.3g}" for k, v in snap.losses.items() if k in ("d", "g")}
        m = snap.metrics
        if "modes_covered" in m:
            out["modes"] = f"{m['modes_covered']}/{m['modes_total']}"
            out["hq"] = f"{m['high_quality']:.2f}"
        if "classes_covered" in m:
            out["classes"] = f"{m['classes_covered']}/{m['classes_total']}"
            out["fid"] = f"{m['fid']:.3g}"
        return out

    def __repr__(self) -> str:
        c = self.config
        return (
            f"Trainer({self.dataset.name}, loss={c.loss}, penalty={self.penalty_name}, "
            f"step={self.step_count}, device={self.device.type})"
        )


def __getattr__(name: str):
    # The sequential seed sweep lives with the batched one (:mod:`~ganviz.train.seedsweep`,
    # which imports this module, hence the late import).
    if name in ("SweepResult", "sweep"):
        from . import seedsweep

        return seedsweep.SweepResult if name == "SweepResult" else seedsweep.sequential_sweep
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
