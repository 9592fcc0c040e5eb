"""Many seeds of one MLP GAN trained as one stacked network (batched multi-seed training).

N runs that differ only in their seed have the same architecture, so their
weights stack on a leading *seed axis*: a linear layer of run s is
``W[s] ∈ R^{out×in}``, ``b[s] ∈ R^{out}``, and one batched matrix product
does all N layers at once::

    h[s] = b[s] + x[s] · W[s]ᵀ        for s = 1 … N     (torch.baddbmm)

with activations applied elementwise to the whole (N, batch, width) tensor.
The objective summed over seeds, ``L = Σ_s L_s`` with each ``L_s`` the
seed's own *batch-mean* loss (and penalty), has ``∂L/∂θ_s = ∂L_s/∂θ_s``
because seed s's weights appear in no other term: every seed receives the
gradient of its own separate run. Adam, RMSprop and SGD are elementwise, so
one optimiser over the stacked tensors keeps exactly the per-seed state of N
separate optimisers (their step counters advance together).

Each seed keeps its own random streams: :class:`BatchedRun` is built from N
:class:`~ganviz.train.Trainer` objects (one per seed, seeded as a separate
run: same initial weights, same data/noise ``torch.Generator``), draws every
seed's real batch, noise and penalty interpolation from that seed's own
generator in the order the Trainer draws them, and at the end writes the
trained weights and optimiser state back into those trainers — so metrics,
samples and checkpoints come from the Trainer's own code.

What matches a separate run, and how closely: the same initial weights, the
same data, noise and penalty draws, the same update rule. The float
arithmetic differs in the last bits (a batched GEMM and a single-output
layer's GEMV sum in another order), so a long chaotic GAN run drifts from its
separate twin like a run on another BLAS: results are *statistically* the
same, and close to identical for short runs (tested in tests/train/test_sweep.py).

Only MLP toys batch (2-D point datasets; every layer a ``Linear`` or an
elementwise activation). :func:`batch_support` says why not otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn
from torch.func import vmap

from .config import TrainConfig
from .models import MLPDiscriminator, MLPGenerator
from .trainer import GUARD_EVERY, Trainer

__all__ = ["BatchedRun", "StackedMLP", "batch_support"]

#: Elementwise layers a stacked MLP may contain (every activation of ``models.ACTIVATIONS``).
ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.ELU, nn.GELU, nn.SiLU)


def batch_support(config: TrainConfig, dataset=None) -> str | None:
    """None when runs of ``config`` can be batched, else the reason they cannot (one sentence).

    ``dataset`` is the data object passed instead of ``config.dataset`` (if any).
    """
    if dataset is None and config.dataset != "custom" and config.images:
        return f"{config.dataset!r} is an image dataset (only MLP toy GANs are batched)"
    if dataset is not None and getattr(dataset, "kind", "points") == "images":
        return "the dataset holds images (only MLP toy GANs are batched)"
    if config.model == "conv":
        return "conv models are not batched (only MLPs)"
    return None


class StackedMLP(nn.Module):
    """N copies of one ``nn.Sequential`` MLP as one module with stacked weights.

    ``forward(x)`` takes ``x`` of shape (N, batch, in) and returns (N, batch, out);
    slice s is ``nets[s](x[s])``. Weights are stored as (N, in, out) (the
    transpose of ``nn.Linear.weight``), biases as (N, out).
    """

    def __init__(self, nets: Sequence[nn.Sequential]):
        super().__init__()
        nets = list(nets)
        first = nets[0]
        self.layers: list[tuple[int, int] | nn.Module] = []
        self.weights = nn.ParameterList()
        for i, layer in enumerate(first):
            if isinstance(layer, nn.Linear):
                # (N, in, out): x · W lands in baddbmm without a transpose, and the weight
                # gradient comes out contiguous (fused Adam needs grads laid out like params).
                weight = torch.stack([n[i].weight.detach().t() for n in nets]).contiguous()
                self.weights.append(nn.Parameter(weight))
                self.weights.append(nn.Parameter(torch.stack([n[i].bias.detach() for n in nets])))
                self.layers.append((len(self.weights) - 2, len(self.weights) - 1))
            elif isinstance(layer, ELEMENTWISE):
                self.layers.append(layer)
            else:
                raise ValueError(f"cannot stack a {type(layer).__name__} layer (only Linear MLPs)")
        self.n = len(nets)

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            if isinstance(layer, tuple):
                w, b = self.weights[layer[0]], self.weights[layer[1]]
                x = torch.baddbmm(b.unsqueeze(1), x, w)
            elif type(layer) is nn.ReLU:
                x = torch.relu_(x)  # in place on the fresh product (baddbmm keeps no output)
            else:
                x = layer(x)
        return x

    @torch.no_grad()
    def write_back(self, nets: Sequence[nn.Sequential], seeds: Sequence[int] | None = None) -> None:
        """Copy slice s of each stacked tensor into ``nets[s]`` (s in ``seeds``, default all)."""
        seeds = range(self.n) if seeds is None else seeds
        for s in seeds:
            linears = [layer for layer in nets[s] if isinstance(layer, nn.Linear)]
            targets = [p for layer in linears for p in (layer.weight, layer.bias)]
            for target, stacked in zip(targets, self.weights, strict=True):
                target.copy_(stacked[s].t() if stacked.dim() == 3 else stacked[s])


def _net(module: nn.Module) -> nn.Sequential:
    if not isinstance(module, (MLPGenerator, MLPDiscriminator)) or getattr(module, "images", False):
        raise ValueError(f"only the MLP toy networks are batched, got {type(module).__name__}")
    return module.net


class BatchedRun:
    """Train the trainers' runs (same config but the seed) together, as stacked networks.

    Parameters
    ----------
    trainers : sequence of Trainer
        Freshly built trainers, one per seed, of configs equal except for
        ``seed`` (and observation fields). Their weights, data and random
        streams are the runs' starting point; :meth:`finish` writes the
        result back into them.
    """

    def __init__(self, trainers: Sequence[Trainer]):
        trainers = list(trainers)
        if not trainers:
            raise ValueError("trainers must hold at least one Trainer")
        first = trainers[0]
        shared = first.config.replace(seed=0).to_dict()
        for t in trainers[1:]:
            if t.config.replace(seed=0).to_dict() != shared:
                raise ValueError("batched runs must share every setting but the seed")
        reason = batch_support(first.config, first.dataset)
        if reason is not None:
            raise ValueError(f"cannot batch these runs: {reason}")
        self.trainers = trainers
        self.n = len(trainers)
        self.config = first.config
        self.device = first.device
        self.loss, self.penalty = first.loss, first.penalty
        self.dataset = first.dataset
        with first._guard:
            self.G = StackedMLP([_net(t.G) for t in trainers]).to(self.device)
            self.D = StackedMLP([_net(t.D) for t in trainers]).to(self.device)
            self._g_params = list(self.G.parameters())
            self._d_params = list(self.D.parameters())
            # The generator's weight average (``config.ema``), stacked like G and updated
            # after each G step as the Trainer updates its own: θ_ema ← β θ_ema + (1 − β) θ.
            self.G_ema = None
            self._ema_params: list[Tensor] = []
            if first.G_ema is not None:
                self.G_ema = StackedMLP([_net(t.G_ema) for t in trainers]).to(self.device)
                self.G_ema.requires_grad_(False)
                self._ema_params = list(self.G_ema.parameters())
            # The Trainer's optimiser choice (fused Adam/SGD, foreach RMSprop) on stacked tensors.
            self.optimizer_g = first._optimizer(self._g_params, self.config.lr_g)
            self.optimizer_d = first._optimizer(self._d_params, self.config.lr_d)
        # Per-seed losses, vmapped from the registry's batch-mean functions: L_s for each s.
        self._d_loss = vmap(self.loss.d_loss)
        self._penalty_value = None if self.penalty is None else vmap(self.penalty.value)
        self.step_count = 0
        self.d_step_count = 0
        self._acc = torch.zeros(3, self.n, device=self.device)  # d, g, penalty sums per seed
        #: per seed: None while healthy, else (last good step, last good d steps)
        self.diverged: list[tuple[int, int] | None] = [None] * self.n
        self._last_good = self._capture()
        self._good_step = self._good_d_step = 0
        self._bad_params: dict[int, list[Tensor]] = {}
        #: wall seconds spent in :meth:`run`
        self.seconds = 0.0

    # -- random draws, each seed from its own trainer's generator ----------------------------
    def _real(self, n: int) -> Tensor:
        return torch.stack([t.dataset.sample(n, t._rng) for t in self.trainers])

    def _noise(self, n: int) -> Tensor:
        return torch.stack([t._noise(n) for t in self.trainers])

    def _d_out(self, x: Tensor) -> Tensor:
        return self.D(x).squeeze(-1)

    # -- the updates (the Trainer's, on a seed axis) ------------------------------------------
    def _d_update(self) -> None:
        cfg = self.config
        n = cfg.batch_size
        real = self._real(n)
        with torch.no_grad():
            fake = self.G(self._noise(n))
        out = self._d_out(torch.cat([real, fake], dim=1))
        loss = self._d_loss(out[:, :n], out[:, n:])  # (N,): each seed's batch-mean loss
        total = loss
        if self.penalty is not None:
            points = torch.stack(
                [self.penalty.points(real[s], fake[s], t._rng) for s, t in enumerate(self.trainers)]
            )
            points = points.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self._d_out(points).sum(), points, create_graph=True)
            pen = self._penalty_value(grad)
            total = loss + cfg.penalty_weight * pen
            self._acc[2].add_(pen.detach())
        grads = torch.autograd.grad(total.sum(), self._d_params)
        for p, g in zip(self._d_params, grads, strict=True):
            # Fused Adam reads a gradient as if laid out like its parameter: a transposed
            # one (the penalty's double backward gives some) would be read scrambled.
            p.grad = g.contiguous()
        self.optimizer_d.step()
        if self.loss.weight_clip:
            with torch.no_grad():
                for p in self._d_params:
                    p.clamp_(-cfg.clip, cfg.clip)
        self._acc[0].add_(loss.detach())
        self.d_step_count += 1

    def _g_update(self) -> None:
        fake = self.G(self._noise(self.config.batch_size))
        loss = self.loss.g_loss(self._d_out(fake)).mean(dim=1)  # (N,)
        grads = torch.autograd.grad(loss.sum(), self._g_params)
        for p, g in zip(self._g_params, grads, strict=True):
            p.grad = g.contiguous()
        self.optimizer_g.step()
        if self._ema_params:
            with torch.no_grad():
                for e, p in zip(self._ema_params, self._g_params, strict=True):
                    e.lerp_(p, 1.0 - self.config.ema)
        self._acc[1].add_(loss.detach())
        self.step_count += 1

    def _apply_schedule(self) -> None:
        cfg = self.config
        if cfg.lr_schedule == "constant":
            return
        factor = max(0.0, 1.0 - self.step_count / cfg.steps) if cfg.steps else 0.0
        for opt, lr in ((self.optimizer_d, cfg.lr_d), (self.optimizer_g, cfg.lr_g)):
            for group in opt.param_groups:
                group["lr"] = lr * factor

    def step(self) -> None:
        """One iteration of Algorithm 1 for every seed: ``d_steps`` D updates, one G update."""
        with self.trainers[0]._guard:
            self._apply_schedule()
            for _ in range(self.config.d_steps):
                self._d_update()
            self._g_update()

    # -- divergence, per seed ---------------------------------------------------------------
    def _capture(self) -> list[Tensor]:
        return [p.detach().clone() for p in self._g_params + self._d_params + self._ema_params]

    def check_finite(self) -> list[int]:
        """Mark seeds whose losses or weights became non-finite; returns the newly diverged.

        Like the Trainer's check (every ``GUARD_EVERY`` steps and at the end):
        a diverged seed is reported with the weights of its last good check.
        """
        params = self._g_params + self._d_params
        sums = torch.stack([p.detach().flatten(1).sum(1) for p in params]).sum(0)
        ok = torch.isfinite(torch.cat([self._acc, sums[None]])).all(0).tolist()
        new = [s for s, good in enumerate(ok) if not good and self.diverged[s] is None]
        for s in new:
            self.diverged[s] = (self._good_step, self._good_d_step)
            self._bad_params[s] = [
                (p[s].t() if p.dim() == 3 else p[s]).clone() for p in self._last_good
            ]
        self._acc.zero_()
        self._last_good = self._capture()
        self._good_step, self._good_d_step = self.step_count, self.d_step_count
        return new

    # -- running ---------------------------------------------------------------------------
    def run(self, steps: int, *, progress=None, should_stop: Callable[[], bool] | None = None):
        """Do ``steps`` generator steps for every seed (checking divergence every 100).

        ``progress`` (a tqdm bar) is updated in seed-steps (steps × seeds).
        """
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"steps must be an integer ≥ 0, got {steps!r}")
        start = time.perf_counter()
        pending = 0
        try:
            for _ in range(steps):
                self.step()
                pending += 1
                if self.step_count % GUARD_EVERY == 0:
                    self.check_finite()
                if progress is not None and pending >= 10:
                    progress.update(pending * self.n)
                    pending = 0
                if should_stop is not None and should_stop():
                    break
            self.check_finite()
        finally:
            self.seconds += time.perf_counter() - start
            if progress is not None and pending:
                progress.update(pending * self.n)

    @torch.no_grad()
    def finish(self) -> list[Trainer]:
        """Write each seed's weights, optimiser state and counters back into its trainer.

        A diverged seed gets the weights of its last good check (and no optimiser
        state); every trainer can then ``evaluate()``, ``sample()`` or ``save()``.
        """
        g_nets = [_net(t.G) for t in self.trainers]
        d_nets = [_net(t.D) for t in self.trainers]
        healthy = [s for s in range(self.n) if self.diverged[s] is None]
        self.G.write_back(g_nets, healthy)
        self.D.write_back(d_nets, healthy)
        if self.G_ema is not None:
            self.G_ema.write_back([_net(t.G_ema) for t in self.trainers], healthy)
        for s, t in enumerate(self.trainers):
            t.train_seconds += self.seconds / self.n
            if self.diverged[s] is not None:
                good = self._bad_params[s]
                ema = [] if t.G_ema is None else list(t.G_ema.parameters())
                for target, value in zip(
                    list(t.G.parameters()) + list(t.D.parameters()) + ema, good, strict=True
                ):
                    target.copy_(value)
                t.step_count, t.d_step_count = self.diverged[s]
                continue
            t.step_count, t.d_step_count = self.step_count, self.d_step_count
            for stacked_opt, opt, stacked, mine in (
                (self.optimizer_g, t.optimizer_g, self._g_params, list(t.G.parameters())),
                (self.optimizer_d, t.optimizer_d, self._d_params, list(t.D.parameters())),
            ):
                for sp, p in zip(stacked, mine, strict=True):
                    state = stacked_opt.state.get(sp)
                    if state:
                        opt.state[p] = {k: _slice(v, sp, s) for k, v in state.items()}
            t._last_losses = {}
            t._last_good = t._capture_state()
        return self.trainers


def _slice(value, param: Tensor, seed: int):
    """Seed ``seed``'s part of an optimiser state entry (moments are stacked like ``param``)."""
    if isinstance(value, Tensor):
        if value.shape != param.shape:
            return value.clone()
        return (value[seed].t() if value.dim() == 3 else value[seed]).contiguous()
    return value
