"""Observing a run: snapshots, metrics, samples and D on points — without disturbing it.

Observation draws from its own fixed noise and fixed real samples (made once
from the run's observation seed), never from the training stream, and puts a
spectrally normalised D in eval mode so its power iteration does not advance:
a run gives the same parameters whether it is observed every step or never.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from ..snapshot import Snapshot
from .data import ImageDataset
from .metrics import HistogramReference, ImageEvaluator, toy_metrics

__all__ = [
    "REFERENCE_SAMPLES",
    "SNAPSHOT_IMAGES",
    "BoundedHistory",
    "DiscriminatorOutput",
    "Observation",
]

#: Images shown in an image snapshot.
SNAPSHOT_IMAGES = 64
#: Real samples the data histogram of the KL/JS estimate is counted from.
REFERENCE_SAMPLES = 20_000


class DiscriminatorOutput(NamedTuple):
    """D on points: ``probability`` = σ(raw output) and the raw ``logit`` (a WGAN critic score)."""

    probability: np.ndarray
    logit: np.ndarray


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


class Observation:
    """Snapshots, evaluation and sampling of a :class:`~ganviz.train.Trainer` (a part of it).

    Uses the trainer's ``config``, ``dataset``, ``G``/``G_ema``/``D``, ``loss``,
    the guard ``_guard``, the sampling stream ``_sample_rng`` and ``_noise``.
    """

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
