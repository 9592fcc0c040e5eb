"""One iteration of Algorithm 1 (Goodfellow et al., 2014) and the settings it may change live.

::

    for k steps:   x ∼ P_data, z ∼ p_z;  D ← D − η_D ∇_D [ℓ_D(D(x), D(G(z))) + λ·penalty]
    once:          z ∼ p_z;              G ← G − η_G ∇_G mean ℓ_G(D(G(z)))

with ℓ_D, ℓ_G from the loss registry (:mod:`ganviz.train.losses`) and the
penalty from :mod:`ganviz.train.penalties`. The speed notes of
:mod:`ganviz.train.trainer` are about this code: one D pass for real and
fake, no graph for G in a D update, G's gradients only in a G update, loss
sums kept on the device.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .config import TrainConfig
from .losses import get_loss
from .penalties import get_penalty
from .recipes import RECIPE_FIELDS

__all__ = ["AlgorithmStep"]


class AlgorithmStep:
    """The updates of a :class:`~ganviz.train.Trainer` (a part of it).

    Uses the trainer's ``config``, ``G``/``D`` with their parameter lists and
    optimisers, ``dataset``, ``loss``, ``penalty``, the guard ``_guard`` and the
    training stream ``_rng``.
    """

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
