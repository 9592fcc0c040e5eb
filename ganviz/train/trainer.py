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
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import Tensor

from ..snapshot import Snapshot
from .config import TrainConfig
from .data import Dataset, ImageDataset, dataset_from_state, make_dataset
from .losses import get_loss
from .metrics import HistogramReference, ImageEvaluator, toy_metrics
from .models import build_models
from .penalties import get_penalty
from .recipes import RECIPE_FIELDS

__all__ = [
    "BoundedHistory",
    "DiscriminatorOutput",
    "SweepResult",
    "Trainer",
    "TrainingDiverged",
    "resolve_device",
    "sweep",
]

#: Checkpoint format tag and version.
CHECKPOINT_FORMAT = "ganviz-checkpoint"
CHECKPOINT_VERSION = 1
#: Divergence-check interval (generator steps) in ``run`` when snapshots are off.
GUARD_EVERY = 100
#: Images shown in an image snapshot.
SNAPSHOT_IMAGES = 64
#: Real samples the data histogram of the KL/JS estimate is counted from.
REFERENCE_SAMPLES = 20_000


class TrainingDiverged(RuntimeError):
    """A loss or a parameter became NaN or infinite.

    The trainer has been rolled back to ``last_good_step`` (the last check at
    which everything was finite); ``checkpoint`` names the last good file
    when the caller saved one.
    """

    def __init__(self, message: str, *, step: int, last_good_step: int, checkpoint=None):
        super().__init__(message)
        self.step = step
        self.last_good_step = last_good_step
        self.checkpoint = checkpoint


class DiscriminatorOutput(NamedTuple):
    """D on points: ``probability`` = σ(raw output) and the raw ``logit`` (a WGAN critic score)."""

    probability: np.ndarray
    logit: np.ndarray


def resolve_device(name: str = "auto") -> torch.device:
    """``"auto"`` → cuda if available, else mps, else cpu; other names are checked."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device 'cuda' was asked for but torch sees no CUDA device; use 'auto' or 'cpu'"
        )
    if device.type == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise ValueError("device 'mps' was asked for but it is not available; use 'auto' or 'cpu'")
    return device


class BoundedHistory(Sequence):
    """A list that keeps at most ``capacity`` items by dropping every other old one.

    When full, items ``0, 2, 4, …`` of the oldest part are kept and the newest
    item always stays, so the history spans the whole run at a resolution that
    halves as the run grows; memory stays bounded however long the run is.
    """

    def __init__(self, capacity: int, items: Iterable = ()):
        if capacity < 2:
            raise ValueError(f"capacity must be ≥ 2, got {capacity}")
        self.capacity = int(capacity)
        self._items: list = []
        for item in items:
            self.append(item)

    def append(self, item) -> None:
        self._items.append(item)
        if len(self._items) > self.capacity:
            last = self._items[-1]
            self._items = [*self._items[:-1][::2], last]

    def clear(self) -> None:
        self._items.clear()

    def __getitem__(self, index):
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __repr__(self) -> str:
        return f"BoundedHistory({len(self)}/{self.capacity})"


@contextlib.contextmanager
def _deferred_sigint():
    """Hold a Ctrl-C until the current step is done (main thread); a second one acts at once.

    Yields a dict whose ``"hit"`` entry turns True when Ctrl-C was pressed.
    """
    state = {"hit": False}
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is None:
        previous = signal.default_int_handler

    def handler(signum, frame):
        state["hit"] = True
        signal.signal(signal.SIGINT, previous)

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # pragma: no cover - not the main interpreter
        yield state
        return
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


class _Guard:
    """The trainer's lock plus its CPU thread count, set on entry and restored on exit.

    Re-entrant (an ``RLock``); only the outermost entry touches the thread count.
    """

    def __init__(self, lock: threading.RLock, threads: int):
        self._lock, self._threads = lock, threads
        self._depth = 0
        self._previous = 0

    def __enter__(self):
        self._lock.acquire()
        self._depth += 1
        if self._depth == 1 and self._threads:
            self._previous = torch.get_num_threads()
            if self._previous != self._threads:
                torch.set_num_threads(self._threads)
        return self

    def __exit__(self, *exc):
        self._depth -= 1
        if self._depth == 0 and self._threads and self._previous != self._threads:
            torch.set_num_threads(self._previous)
        self._lock.release()
        return False


def _sub_seeds(seed: int, n: int) -> list[int]:
    return [
        int(s)
        for s in np.random.SeedSequence(seed).generate_state(n, dtype=np.uint64) >> np.uint64(1)
    ]


class Trainer:
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
        self._guard = _Guard(self._lock, self._threads)
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

        model_seed, train_seed, obs_seed, sample_seed = _sub_seeds(config.seed, 4)
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

    def _setup_observation(self, seed: int) -> None:
        """Fixed noise and real samples for snapshots and metrics (independent of training)."""
        cfg = self.config
        gen = torch.Generator().manual_seed(seed)
        n_eval = cfg.eval_samples
        self._image_evaluator: ImageEvaluator | None = None
        if self.images:
            n_vis = min(SNAPSHOT_IMAGES, cfg.snapshot_samples)
            self._z_vis = self._noise_cpu(n_vis, gen).to(self.device)
            self._real_vis = (self.dataset.reference(n_vis, seed) + 1.0) / 2.0
            self._real_vis.setflags(write=False)
            self._z_eval = None  # sized by the image evaluator, built on first use
            self._eval_gen_seed = seed + 1
            return
        n_vis = min(cfg.snapshot_samples, n_eval)
        self._z_eval = self._noise_cpu(n_eval, gen).to(self.device)
        self._n_vis = n_vis
        real = self.dataset.reference(n_vis, seed)
        self._real_vis_t = torch.tensor(real, dtype=torch.float32, device=self.device)
        real.setflags(write=False)  # shared by every snapshot: nobody may modify it
        self._real_vis = real
        box = np.asarray(self.dataset.view_box, float)
        span = box[:, 1] - box[:, 0]
        pad = np.maximum(0.15 * span, 0.5)
        self.view_box = np.stack([box[:, 0] - pad, box[:, 1] + pad], axis=1)
        self.grid_x = np.linspace(*self.view_box[0], cfg.grid_size)
        self.grid_y = np.linspace(*self.view_box[1], cfg.grid_size)
        gx, gy = np.meshgrid(self.grid_x, self.grid_y)
        self._grid_t = torch.as_tensor(
            np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32, device=self.device
        )
        self._reference = HistogramReference(
            self.dataset.reference(REFERENCE_SAMPLES, seed + 2), self.view_box
        )
        self._z_manifold = None
        if self.z_dim >= 2:
            m = cfg.manifold_size
            lim = 2.0 if cfg.noise == "gaussian" else 1.0
            axis = torch.linspace(-lim, lim, m)
            zx, zy = torch.meshgrid(axis, axis, indexing="xy")
            z = torch.zeros(m * m, self.z_dim)
            z[:, 0], z[:, 1] = zx.reshape(-1), zy.reshape(-1)
            self._z_manifold = z.to(self.device)

    def _noise_cpu(self, n: int, gen: torch.Generator) -> Tensor:
        if self.config.noise == "gaussian":
            return torch.randn(n, self.z_dim, generator=gen)
        return torch.rand(n, self.z_dim, generator=gen).mul_(2).sub_(1)

    def _noise(self, n: int, gen: torch.Generator | None = None) -> Tensor:
        gen = self._rng if gen is None else gen
        if self.config.noise == "gaussian":
            return torch.randn(n, self.z_dim, generator=gen, device=self.device)
        return torch.rand(n, self.z_dim, generator=gen, device=self.device).mul_(2).sub_(1)

    def _reset_accumulators(self) -> None:
        # Loss sums live on the device; reading them is the only host sync, once per snapshot.
        self._acc_d = torch.zeros((), device=self.device)
        self._acc_g = torch.zeros((), device=self.device)
        self._acc_pen = torch.zeros((), device=self.device)
        self._n_d = 0
        self._n_g = 0

    # -- the updates ---------------------------------------------------------------------
    def _d_update(self) -> None:
        cfg = self.config
        n = cfg.batch_size
        real = self.dataset.sample(n, self._rng)
        with torch.no_grad():
            fake = self.G(self._noise(n))
        if self.penalty is None:
            out = self.D(torch.cat([real, fake]))
            loss = self.loss.d_loss(out[:n], out[n:])
            total = loss
        else:
            out = self.D(torch.cat([real, fake]))
            loss = self.loss.d_loss(out[:n], out[n:])
            # Penalty points get their own pass: the double backward then runs on them alone
            # (fused into the batch above it would run over all 3n rows, 2n of them zeros).
            points = self.penalty.points(real, fake, self._rng).detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.D(points).sum(), points, create_graph=True)
            pen = self.penalty.value(grad)
            total = loss + cfg.penalty_weight * pen
            self._acc_pen.add_(pen.detach())
        grads = torch.autograd.grad(total, self._d_params)
        for p, g in zip(self._d_params, grads, strict=True):
            p.grad = g
        self.optimizer_d.step()
        if self.loss.weight_clip:
            with torch.no_grad():
                for p in self._d_params:
                    p.clamp_(-cfg.clip, cfg.clip)
        self._acc_d.add_(loss.detach())
        self._n_d += 1
        self.d_step_count += 1

    def _g_update(self) -> None:
        fake = self.G(self._noise(self.config.batch_size))
        loss = self.loss.g_loss(self.D(fake)).mean()
        # Gradients for G only: autograd skips D's weight gradients altogether.
        grads = torch.autograd.grad(loss, self._g_params)
        for p, g in zip(self._g_params, grads, strict=True):
            p.grad = g
        self.optimizer_g.step()
        if self._ema_params:  # θ_ema ← β θ_ema + (1 − β) θ, on the device (no host sync)
            with torch.no_grad():
                for e, p in zip(self._ema_params, self._g_params, strict=True):
                    e.lerp_(p, 1.0 - self.config.ema)
        self._acc_g.add_(loss.detach())
        self._n_g += 1
        self.step_count += 1

    def d_step(self) -> None:
        """One discriminator update (no generator update; ``step_count`` is unchanged)."""
        with self._guard:
            self._apply_schedule()
            self._d_update()

    def g_step(self) -> None:
        """One generator update against the current discriminator."""
        with self._guard:
            self._apply_schedule()
            self._g_update()

    def _apply_schedule(self) -> None:
        cfg = self.config
        if cfg.lr_schedule == "constant":
            return
        factor = max(0.0, 1.0 - self.step_count / cfg.steps) if cfg.steps else 0.0
        for group in self.optimizer_d.param_groups:
            group["lr"] = cfg.lr_d * factor
        for group in self.optimizer_g.param_groups:
            group["lr"] = cfg.lr_g * factor

    def step(self) -> None:
        """One iteration of Algorithm 1: ``d_steps`` D updates, then one G update."""
        with self._guard:
            self._apply_schedule()
            for _ in range(self.config.d_steps):
                self._d_update()
            self._g_update()

    #: Fields :meth:`reconfigure` may change during a run (no network is rebuilt).
    LIVE_FIELDS = frozenset(
        {
            "loss",
            "penalty",
            "penalty_weight",
            "clip",
            "lr_d",
            "lr_g",
            "betas",
            "momentum",
            "lr_schedule",
            "d_steps",
            "batch_size",
            "steps",
            "snapshot_every",
        }
    )

    def reconfigure(self, **changes) -> TrainConfig:
        """Change live settings between steps (a dashboard's sliders) and return the new config.

        Allowed: :attr:`LIVE_FIELDS` — the loss and its penalty, learning rates,
        Adam's betas, SGD's momentum, the schedule, ``d_steps``,
        ``batch_size``, ``steps`` and ``snapshot_every``. Anything that would
        rebuild the networks or the data raises ``ValueError``. Fields not
        named keep their values (a new loss does not bring its recipe mid-run).
        """
        fixed = sorted(set(changes) - self.LIVE_FIELDS)
        if fixed:
            raise ValueError(
                f"{', '.join(fixed)} cannot change during a run (build a new Trainer); "
                f"live fields are {', '.join(sorted(self.LIVE_FIELDS))}"
            )
        with self._guard:
            # Only the named fields change: mid-run a new loss does not bring its recipe
            # (the optimiser is already built); ``config.replace`` does, for a new Trainer.
            current = {name: getattr(self.config, name) for name in RECIPE_FIELDS}
            config = self.config.replace(**{**current, **changes})
            loss = get_loss(config.loss)
            penalty_name = loss.penalty if config.penalty == "auto" else config.penalty
            self.config, self.loss = config, loss
            self.penalty = None if penalty_name in (None, "none") else get_penalty(penalty_name)
            self.penalty_name = penalty_name or "none"
            for optimizer, lr in ((self.optimizer_d, config.lr_d), (self.optimizer_g, config.lr_g)):
                for group in optimizer.param_groups:
                    group["lr"] = lr
                    if "betas" in group:
                        group["betas"] = config.betas
                    if "momentum" in group and config.optimizer == "sgd":
                        group["momentum"] = config.momentum
            self._apply_schedule()
            return config

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
            with _deferred_sigint() as sigint:
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

    # -- divergence guard ----------------------------------------------------------------
    def _capture_state(self) -> dict:
        return {
            "G": {k: v.detach().clone() for k, v in self.G.state_dict().items()},
            "G_ema": None
            if self.G_ema is None
            else {k: v.detach().clone() for k, v in self.G_ema.state_dict().items()},
            "D": {k: v.detach().clone() for k, v in self.D.state_dict().items()},
            "opt_g": copy.deepcopy(self.optimizer_g.state_dict()),
            "opt_d": copy.deepcopy(self.optimizer_d.state_dict()),
            "rng": self._rng.get_state(),
            "step_count": self.step_count,
            "d_step_count": self.d_step_count,
        }

    def _restore_state(self, state: dict) -> None:
        self.G.load_state_dict(state["G"])
        if self.G_ema is not None:
            self.G_ema.load_state_dict(state["G_ema"])
        self.D.load_state_dict(state["D"])
        self.optimizer_g.load_state_dict(copy.deepcopy(state["opt_g"]))
        self.optimizer_d.load_state_dict(copy.deepcopy(state["opt_d"]))
        self._rng.set_state(state["rng"])
        self.step_count = state["step_count"]
        self.d_step_count = state["d_step_count"]
        self._reset_accumulators()

    def check_finite(self) -> dict[str, float]:
        """Read the loss sums (one host sync) and check losses and parameters are finite.

        Returns the mean losses since the previous check. On a NaN or an
        infinity the trainer is rolled back to the last good check and
        :class:`TrainingDiverged` is raised.
        """
        with self._guard:
            if self._n_d == 0 and self._n_g == 0:
                return dict(self._last_losses)
            params = self._g_params + self._d_params
            # sum of sums is non-finite iff some entry is (inf − inf gives NaN, still caught)
            param_sum = torch.stack([p.detach().sum() for p in params]).sum()
            values = torch.stack([self._acc_d, self._acc_g, self._acc_pen, param_sum]).tolist()
            d_sum, g_sum, pen_sum, _ = values
            if not all(math.isfinite(v) for v in values):
                bad_step = self.step_count
                good = self._last_good["step_count"]
                what = "a loss" if not all(map(math.isfinite, values[:3])) else "a parameter"
                self._restore_state(self._last_good)
                raise TrainingDiverged(
                    f"training diverged: {what} became NaN or infinite between generator steps "
                    f"{good} and {bad_step} ({self.config.loss} loss, lr_d={self.config.lr_d:g}, "
                    f"lr_g={self.config.lr_g:g}). The trainer was rolled back to step {good}; "
                    "lower the learning rates or add a penalty.",
                    step=bad_step,
                    last_good_step=good,
                )
            losses = {}
            if self._n_d:
                losses["d"] = d_sum / self._n_d
                if self.penalty is not None:
                    losses["penalty"] = pen_sum / self._n_d
            if self._n_g:
                losses["g"] = g_sum / self._n_g
            self._last_losses = {**self._last_losses, **losses}
            self._reset_accumulators()
            self._last_good = self._capture_state()
            return dict(self._last_losses)

    # -- observation ---------------------------------------------------------------------
    def _image_eval(self) -> ImageEvaluator:
        if self._image_evaluator is None:
            assert isinstance(self.dataset, ImageDataset)
            self._image_evaluator = ImageEvaluator(self.dataset)
            gen = torch.Generator().manual_seed(self._eval_gen_seed)
            self._z_eval = self._noise_cpu(self._image_evaluator.sample_size, gen).to(self.device)
        return self._image_evaluator

    @torch.no_grad()
    def _generate(self, z: Tensor, chunk: int = 4096) -> Tensor:
        G = self._observed_generator
        return torch.cat([G(z[i : i + chunk]) for i in range(0, len(z), chunk)])

    @property
    def _observed_generator(self):
        """The generator observation draws: the weight average when ``ema`` is on."""
        return self.G if self.G_ema is None else self.G_ema

    def evaluate(self) -> dict[str, float]:
        """Metrics of the generator on the fixed evaluation noise (:mod:`~ganviz.train.metrics`)."""
        with self._guard:
            if self.images:
                evaluator = self._image_eval()
                metrics, counts = evaluator.evaluate(self._generate(self._z_eval))
                self.last_class_counts = counts
                return metrics
            return self._toy_metrics(self._generate(self._z_eval))

    def _toy_metrics(self, fake_eval: Tensor) -> dict[str, float]:
        fake = fake_eval.double().cpu().numpy()
        return toy_metrics(fake, self.dataset.centers, self.dataset.std, self._reference)

    def snapshot(self) -> Snapshot:
        """The current state as a plain-numpy :class:`ganviz.Snapshot` (cheap for 2-D toys).

        Losses are the means since the previous snapshot or check. Raises
        :class:`TrainingDiverged` like :meth:`run` when they are not finite.
        """
        with self._guard:
            losses = self.check_finite()
            if not self.images:
                return self._toy_snapshot(losses)
            metrics = self.evaluate()
            fake = ((self._generate(self._z_vis)[:, 0] + 1.0) / 2.0).clamp_(0, 1)
            return Snapshot(
                step=self.step_count,
                real=self._real_vis,
                fake=fake.float().cpu().numpy(),
                losses=losses,
                metrics=metrics,
                loss=self.loss.name,
                d_is_probability=self.loss.probability,
            )

    @contextlib.contextmanager
    def _observing(self):
        """D in eval mode: a spectrally normalised D then reuses its power-iteration vectors
        instead of advancing them, so observing never changes training."""
        was_training = self.D.training
        self.D.eval()
        try:
            yield
        finally:
            self.D.train(was_training)

    def _toy_snapshot(self, losses) -> Snapshot:
        with self._observing():
            return self._toy_snapshot_eval(losses)

    def _toy_snapshot_eval(self, losses) -> Snapshot:
        n = self._n_vis
        with torch.no_grad():
            fake_eval = self._generate(self._z_eval)
            fake = fake_eval[:n]  # the drawn fakes are the first of the evaluation fakes
            d_grid = self.D(self._grid_t)
            d_real = self.D(self._real_vis_t)
            manifold = (
                None if self._z_manifold is None else self._observed_generator(self._z_manifold)
            )
        # ∂ℓ_G/∂x at each fake, through D, for the loss being trained.
        x = fake.detach().requires_grad_(True)
        with torch.enable_grad():
            d_fake = self.D(x)
            (grad,) = torch.autograd.grad(self.loss.g_loss(d_fake).sum(), x)
        prob = self.loss.probability
        if prob:
            d_grid, d_real_v, d_fake_v = (
                torch.sigmoid(d_grid),
                torch.sigmoid(d_real),
                torch.sigmoid(d_fake.detach()),
            )
        else:
            d_real_v, d_fake_v = d_real, d_fake.detach()
        gnorm = grad.norm(dim=1)
        stats = torch.stack([d_real_v.mean(), d_fake_v.mean(), gnorm.mean()]).tolist()
        metrics = self._toy_metrics(fake_eval)
        metrics.update(d_real=stats[0], d_fake=stats[1], grad_norm=stats[2])
        m = self.config.manifold_size
        return Snapshot(
            step=self.step_count,
            real=self._real_vis,
            fake=fake.double().cpu().numpy(),
            losses=losses,
            metrics=metrics,
            loss=self.loss.name,
            grid_x=self.grid_x,
            grid_y=self.grid_y,
            d_grid=d_grid.double().cpu().numpy().reshape(len(self.grid_y), len(self.grid_x)),
            d_is_probability=prob,
            fake_gradients=grad.double().cpu().numpy(),
            manifold=None if manifold is None else manifold.double().cpu().numpy().reshape(m, m, 2),
        )

    @property
    def elapsed(self) -> float:
        """Wall seconds spent in :meth:`run` so far, the current run included."""
        running = 0.0 if self._run_start is None else time.perf_counter() - self._run_start
        return self.train_seconds + running

    def record_snapshot(self) -> Snapshot:
        """Take a :meth:`snapshot`, append it to :attr:`history` and a row to :attr:`records`."""
        snap = self.snapshot()
        self.history.append(snap)
        self.records.append(
            {
                "step": snap.step,
                "d_steps": self.d_step_count,
                "seconds": round(self.elapsed, 4),
                "losses": dict(snap.losses),
                "metrics": dict(snap.metrics),
            }
        )
        return snap

    # -- using the networks --------------------------------------------------------------
    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """``n`` generated samples as numpy: (n, 2) points or (n, H, W) images in [0, 1].

        Without ``seed`` the noise comes from the trainer's own sampling
        stream, which training never touches.
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be an integer ≥ 1, got {n!r}")
        with self._guard:
            gen = (
                self._sample_rng
                if seed is None
                else torch.Generator(device=self.device).manual_seed(int(seed))
            )
            out = self._generate(self._noise(int(n), gen))
            if self.images:
                return ((out[:, 0] + 1.0) / 2.0).clamp_(0, 1).float().cpu().numpy()
            return out.double().cpu().numpy()

    def discriminator(self, x) -> DiscriminatorOutput:
        """D on points ``x`` ((n, 2), or images (n, H, W) in [0, 1]): σ(output) and raw output."""
        arr = np.asarray(x, dtype=np.float32)
        if not self.images:
            if arr.ndim != 2 or arr.shape[1] != 2:
                raise ValueError(f"x must have shape (n, 2), got {arr.shape}")
            t = torch.as_tensor(arr, device=self.device)
        else:
            if arr.ndim != 3 or arr.shape[1:] != self.dataset.sample_shape:
                h, w = self.dataset.sample_shape
                raise ValueError(f"x must have shape (n, {h}, {w}), got {arr.shape}")
            t = torch.as_tensor(arr, device=self.device).unsqueeze(1) * 2.0 - 1.0
        if not np.all(np.isfinite(arr)):
            raise ValueError("x must contain only finite numbers")
        with self._guard, self._observing(), torch.no_grad():
            out = self.D(t)
        logit = out.double().cpu().numpy()
        return DiscriminatorOutput(1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700))), logit)

    # -- checkpoints ---------------------------------------------------------------------
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
                self._rng.manual_seed(_sub_seeds(self.config.seed + state["step_count"], 1)[0])
            self.step_count = int(state["step_count"])
            self.d_step_count = int(state["d_step_count"])
            self._last_losses = dict(state.get("last_losses", {}))
            self.train_seconds = float(state.get("train_seconds", 0.0))
            self.records = BoundedHistory(self.records.capacity, state.get("records", []))
            self._reset_accumulators()
            self._last_good = self._capture_state()

    def __repr__(self) -> str:
        c = self.config
        return (
            f"Trainer({self.dataset.name}, loss={c.loss}, penalty={self.penalty_name}, "
            f"step={self.step_count}, device={self.device.type})"
        )


# -- many short runs -----------------------------------------------------------------------------


@dataclass
class SweepResult:
    """Outcome of one run of :func:`sweep`."""

    config: TrainConfig
    steps: int
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    diverged: bool = False

    @property
    def seed(self) -> int:
        return self.config.seed

    @property
    def loss(self) -> str:
        return self.config.loss

    @property
    def modes_covered(self) -> int | None:
        value = self.metrics.get("modes_covered", self.metrics.get("classes_covered"))
        return None if value is None else int(value)

    @property
    def high_quality(self) -> float | None:
        return self.metrics.get("high_quality")


def sweep(
    base: TrainConfig | None = None,
    *,
    seeds: Sequence[int] = (0,),
    losses: Sequence[str] | None = None,
    steps: int | None = None,
    configs: Sequence[TrainConfig] | None = None,
    dataset=None,
    callback: Callable[[SweepResult], Any] | None = None,
) -> list[SweepResult]:
    """Train one short run per (loss, seed) and report final metrics (modes covered, …).

    Either give ``configs`` explicitly, or a ``base`` config with ``seeds``
    and ``losses`` (default: the base's loss); runs go loss-major. Each loss
    brings its recipe to the base's fields that were not given explicitly. Each run is
    exactly ``Trainer(config, dataset=dataset).run(steps)`` without snapshots
    (observation never changes training), so its counts equal a separate run
    with the same seed. A diverged run is reported with ``diverged=True`` and
    the metrics of its last good state. ``callback(result)`` follows each run.
    """
    if configs is None:
        base = TrainConfig() if base is None else base
        losses = [base.loss] if losses is None else list(losses)
        seeds = list(seeds)
        if not seeds or not losses:
            raise ValueError("seeds and losses must each hold at least one value")
        configs = [base.replace(loss=loss, seed=int(seed)) for loss in losses for seed in seeds]
    results = []
    for config in configs:
        config = config.replace(snapshot_every=0)
        n = config.steps if steps is None else steps
        start = time.perf_counter()
        trainer = Trainer(config, dataset=dataset)
        diverged = False
        try:
            trainer.run(n)
        except TrainingDiverged:
            diverged = True
        result = SweepResult(
            config, trainer.step_count, trainer.evaluate(), time.perf_counter() - start, diverged
        )
        results.append(result)
        if callback is not None:
            callback(result)
    return results
