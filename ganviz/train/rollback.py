"""The divergence guard: finite checks of losses and parameters, and the rollback.

Losses are summed on the device (:mod:`~ganviz.train.step`); :meth:`check_finite`
reads them once — the only host synchronisation of a run — and checks every
parameter too. The last good state is kept in memory, so a NaN rolls the
trainer back to it and raises :class:`TrainingDiverged` instead of leaving a
broken run behind.
"""

from __future__ import annotations

import copy
import math

import torch

__all__ = ["Rollback", "TrainingDiverged"]


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


class Rollback:
    """The trainer's divergence guard (a part of :class:`~ganviz.train.Trainer`).

    Uses the trainer's networks, optimisers, training stream ``_rng``, step
    counters and the loss sums of :class:`~ganviz.train.step.AlgorithmStep`.
    """

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
