"""Seed sweeps: many short runs of one configuration, batched into stacked networks.

>>> from ganviz.train import TrainConfig, sweep
>>> runs = sweep(TrainConfig(dataset="ring8"), seeds=range(16),
...              losses=["minimax", "nonsaturating", "wgan-gp"], steps=1000)
>>> for row in runs.summary():
...     print(row.loss, row.mean_modes, row.p_all_modes, row.ci)
>>> runs[0].sample(512)        # final samples of the first run, (512, 2)

Runs that differ only in their seed train together as one
:class:`~ganviz.train.batched.BatchedRun` (``batched=True``, the default,
for MLP toy GANs): the same initial weights, data and noise streams as the
separate ``Trainer(config).run(steps)`` of each seed, many times fewer
Python and kernel calls. Anything that cannot batch (image sets, conv
models) runs seed after seed, and each result says why (``reason``).

Each result keeps its :class:`~ganviz.train.Trainer`, restored to the end of
the run: ``result.trainer.evaluate()``, ``.sample(n)``, ``.snapshot()`` and
``.save(path)`` work as on a separate run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..losses import canonical_loss
from ..modes import wilson_interval
from .batched import BatchedRun, batch_support
from .config import TrainConfig
from .losses import LOSSES
from .trainer import Trainer, TrainingDiverged

__all__ = [
    "LossSummary",
    "SeedResult",
    "SweepResult",
    "SweepRuns",
    "sequential_sweep",
    "summarize",
    "sweep",
]

#: Most seeds trained as one stacked network (larger groups are split).
MAX_CHUNK = 64


@dataclass
class SweepResult:
    """Outcome of one run of a sweep: its config, generator steps, final metrics and time."""

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


@dataclass
class SeedResult(SweepResult):
    """One run of a sweep: its config, final metrics, wall time and trained :attr:`trainer`.

    ``seconds`` is the run's share of the wall time (its batch's time over
    the seeds in the batch); ``batch_seconds`` the whole batch's.
    """

    #: True when the run trained inside a stacked batch of seeds
    batched: bool = False
    #: why the run was not batched (None when it was, or when batching was not asked for)
    reason: str | None = None
    #: seeds trained together with this one (1 for a separate run)
    batch_size: int = 1
    #: wall seconds of the whole batch
    batch_seconds: float = 0.0
    #: the run's Trainer at its final (or, diverged, last good) state
    trainer: Trainer | None = field(default=None, repr=False, compare=False)

    def sample(self, n: int = 1024, seed: int | None = None) -> np.ndarray:
        """``n`` samples of the final generator (``Trainer.sample``)."""
        if self.trainer is None:
            raise ValueError("this result holds no trainer")
        return self.trainer.sample(n, seed)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (the config, counts, metrics and times)."""
        return {
            "loss": self.loss,
            "seed": self.seed,
            "steps": self.steps,
            "modes_covered": self.modes_covered,
            "high_quality": self.high_quality,
            "diverged": self.diverged,
            "metrics": dict(self.metrics),
            "seconds": self.seconds,
            "batched": self.batched,
            "batch_size": self.batch_size,
            "batch_seconds": self.batch_seconds,
            "reason": self.reason,
            "config": self.config.to_dict(),
        }


@dataclass(frozen=True)
class LossSummary:
    """Modes covered over the seeds of one loss, with a 95 % Wilson interval of P(all modes)."""

    loss: str
    runs: int
    modes_total: int
    mean_modes: float
    #: runs that covered every mode
    all_modes: int
    #: all_modes / runs
    p_all_modes: float
    #: 95 % Wilson score interval of P(all modes covered) (scipy's ``binomtest``)
    ci: tuple[float, float]
    #: mean fraction of high-quality samples (within 3σ of a mode)
    high_quality: float
    diverged: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["ci"] = list(self.ci)
        return out


def summarize(results: Sequence[SweepResult]) -> list[LossSummary]:
    """One :class:`LossSummary` per loss, in the order the losses first appear."""
    out = []
    for loss in dict.fromkeys(r.loss for r in results):
        mine = [r for r in results if r.loss == loss]
        counts = [r.modes_covered for r in mine]
        if any(c is None for c in counts):
            raise ValueError(f"the {loss} runs have no modes_covered metric (a dataset with modes)")
        total = int(max(r.metrics.get("modes_total", max(counts)) for r in mine))
        n = len(mine)
        k = sum(c == total for c in counts)
        ci_low, ci_high = wilson_interval(k, n)
        out.append(
            LossSummary(
                loss=loss,
                runs=n,
                modes_total=total,
                mean_modes=float(np.mean(counts)),
                all_modes=k,
                p_all_modes=k / n,
                ci=(ci_low, ci_high),
                high_quality=float(np.mean([r.high_quality or 0.0 for r in mine])),
                diverged=sum(r.diverged for r in mine),
                seconds=float(sum(r.seconds for r in mine)),
            )
        )
    return out


class SweepRuns(list):
    """The results of :func:`sweep` (a list of :class:`SeedResult`, in config order)."""

    def by_loss(self) -> dict[str, list[SeedResult]]:
        out: dict[str, list[SeedResult]] = {}
        for result in self:
            out.setdefault(result.loss, []).append(result)
        return out

    def summary(self) -> list[LossSummary]:
        """Per loss: mean modes covered, P(all modes) with its Wilson interval, high quality."""
        return summarize(self)

    def samples(self, n: int = 1024) -> dict[tuple[str, int], np.ndarray]:
        """Final samples of every run, by (loss, seed)."""
        return {(r.loss, r.seed): r.sample(n) for r in self}

    @property
    def reasons(self) -> list[str]:
        """Distinct reasons some runs were not batched."""
        return list(dict.fromkeys(r.reason for r in self if r.reason))


def _check_steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer ≥ 0, got {steps!r}")
    return int(steps)


def _groups(configs: Sequence[TrainConfig], steps: int | None, chunk: int):
    """Indices of configs that may train together (equal but for the seed), ≤ ``chunk`` each."""
    groups: dict[str, list[int]] = {}
    for i, config in enumerate(configs):
        n = config.steps if steps is None else steps
        key = repr((config.replace(seed=0).to_dict(), n))
        groups.setdefault(key, []).append(i)
    out = []
    for members in groups.values():
        out += [members[i : i + chunk] for i in range(0, len(members), chunk)]
    return out


def sweep(
    config: TrainConfig | None = None,
    *,
    seeds: Sequence[int] = (0,),
    losses: Sequence[str] | None = None,
    steps: int | None = None,
    configs: Sequence[TrainConfig] | None = None,
    dataset=None,
    callback: Callable[[SeedResult], Any] | None = None,
    batched: bool = True,
    chunk: int = MAX_CHUNK,
    progress=None,
    base: TrainConfig | None = None,
) -> SweepRuns:
    """Train one run per (loss, seed) and report final metrics (modes covered, …).

    Parameters
    ----------
    config : TrainConfig, optional
        Shared settings (default ``TrainConfig()``); each run is
        ``config.replace(loss=loss, seed=seed)``, loss-major. (``base=`` is
        the older name of this argument.)
    seeds, losses : sequences
        Seeds (at least one) and losses (default: the base's loss).
    steps : int, optional
        Generator steps per run (default: each config's ``steps``).
    configs : sequence of TrainConfig, optional
        Explicit runs instead of ``config``/``seeds``/``losses``.
    dataset : optional
        Data passed to every ``Trainer(config, dataset=dataset)``.
    callback : callable, optional
        ``callback(result)`` after each run (after each batch, for its runs).
    batched : bool
        Train runs that differ only in their seed as one stacked network
        (default). Configurations that cannot batch run separately with
        ``result.reason`` saying why; ``False`` runs every seed separately.
    chunk : int
        Most seeds per stacked batch.
    progress : optional
        A tqdm-like bar (``update(n)``), advanced in seed-steps.

    Returns
    -------
    SweepRuns
        A list of :class:`SeedResult` in config order, with :meth:`SweepRuns.summary`.

    A diverged run is reported with ``diverged=True`` and the metrics of its
    last good state (checked every 100 steps, as a separate run is).
    """
    if base is not None:
        if config is not None:
            raise ValueError("give config or base (its older name), not both")
        config = base
    if configs is None:
        base = TrainConfig() if config is None else config
        if not isinstance(base, TrainConfig):
            raise ValueError(f"config must be a TrainConfig, got {type(base).__name__}")
        losses = (
            [base.loss] if losses is None else [canonical_loss(x, LOSSES, "losses") for x in losses]
        )
        seeds = list(seeds)
        if not seeds or not losses:
            raise ValueError("seeds and losses must each hold at least one value")
        configs = [base.replace(loss=loss, seed=int(seed)) for loss in losses for seed in seeds]
    configs = [c.replace(snapshot_every=0) for c in configs]
    if not configs:
        raise ValueError("configs must hold at least one TrainConfig")
    if steps is not None:
        steps = _check_steps(steps)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise ValueError(f"chunk must be an integer ≥ 1, got {chunk!r}")
    results: list[SeedResult | None] = [None] * len(configs)
    for members in _groups(configs, steps, chunk if batched else 1):
        group = [configs[i] for i in members]
        n = _check_steps(group[0].steps if steps is None else steps)
        reason = batch_support(group[0], dataset) if batched else None
        if batched and reason is None:
            done = _run_batched(group, n, dataset, progress)
        else:
            done = [_run_separate(c, n, dataset, progress, reason) for c in group]
        for i, result in zip(members, done, strict=True):
            results[i] = result
            if callback is not None:
                callback(result)
    return SweepRuns(results)


def _run_batched(group, steps, dataset, progress) -> list[SeedResult]:
    start = time.perf_counter()
    trainers = [Trainer(c, dataset=dataset) for c in group]
    run = BatchedRun(trainers)
    run.run(steps, progress=progress)
    run.finish()
    metrics = [t.evaluate() for t in trainers]
    wall = time.perf_counter() - start
    return [
        SeedResult(
            t.config,
            t.step_count,
            m,
            wall / len(group),
            run.diverged[s] is not None,
            batched=True,
            batch_size=len(group),
            batch_seconds=wall,
            trainer=t,
        )
        for s, (t, m) in enumerate(zip(trainers, metrics, strict=True))
    ]


def _run_separate(config, steps, dataset, progress, reason) -> SeedResult:
    start = time.perf_counter()
    trainer = Trainer(config, dataset=dataset)
    diverged = False
    try:
        trainer.run(steps, progress=progress)
    except TrainingDiverged:
        diverged = True
    wall = time.perf_counter() - start
    return SeedResult(
        trainer.config,
        trainer.step_count,
        trainer.evaluate(),
        wall,
        diverged,
        reason=reason,
        batch_seconds=wall,
        trainer=trainer,
    )


def sequential_sweep(base: TrainConfig | None = None, **options) -> SweepRuns:
    """:func:`sweep` with every seed trained separately (``batched=False``).

    The older ``ganviz.train.trainer.sweep``: each run is exactly
    ``Trainer(config, dataset=dataset).run(steps)`` without snapshots.
    """
    return sweep(base, batched=False, **options)
