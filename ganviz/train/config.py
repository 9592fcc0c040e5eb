"""The typed configuration of a training run."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from .data import DATASETS, dataset_kind
from .losses import LOSSES
from .models import ACTIVATIONS
from .penalties import PENALTIES

__all__ = ["DEVICES", "NOISES", "OPTIMIZERS", "SCHEDULES", "TrainConfig"]

#: Optimisers by name (Adam, SGD with momentum, RMSprop as in the WGAN paper).
OPTIMIZERS = ("adam", "sgd", "rmsprop")
#: Learning-rate schedules: constant, or linear decay to 0 at ``steps``.
SCHEDULES = ("constant", "linear")
#: Noise distributions p_z: N(0, I) or U[−1, 1]^z_dim.
NOISES = ("gaussian", "uniform")
#: Device names; ``"auto"`` picks cuda, then mps, then cpu. ``"cuda:1"`` also works.
DEVICES = ("auto", "cpu", "cuda", "mps")
#: Model families; ``"auto"``: MLPs for 2-D toys, the DCGAN-style pair for images.
MODELS = ("auto", "mlp", "conv")


@dataclass
class TrainConfig:
    """Everything that defines a GAN run. Invalid values raise ``ValueError`` at construction.

    Use :meth:`replace` to derive a variant (it validates again) and
    :meth:`to_dict` / :meth:`from_dict` for JSON and checkpoints.
    """

    # -- data ------------------------------------------------------------------
    #: dataset name (see ``ganviz.train.DATASETS``), or "custom" for ``Trainer(dataset=...)``
    dataset: str = "ring8"
    #: keyword options of the dataset builder, e.g. ``{"std": 0.05}`` for ring8
    dataset_options: dict = field(default_factory=dict)

    # -- objective ---------------------------------------------------------------
    #: GAN loss: minimax, nonsaturating, wgan, wgan-gp, lsgan, hinge
    loss: str = "nonsaturating"
    #: regulariser: "auto" (the loss's own: gradient-penalty for wgan-gp), "none", "r1",
    #: "gradient-penalty"
    penalty: str = "auto"
    #: λ of the gradient penalty, γ of R1
    penalty_weight: float = 10.0
    #: weight-clipping bound c of the "wgan" critic
    clip: float = 0.01

    # -- models ------------------------------------------------------------------
    #: "auto" (MLP for toys, DCGAN-style conv for images), "mlp" or "conv"
    model: str = "auto"
    #: noise dimension; None picks 2 for toys (GAN Lab's drawable noise plane), 32 for images
    z_dim: int | None = None
    #: noise distribution p_z: "gaussian" N(0, I) or "uniform" U[−1, 1]
    noise: str = "gaussian"
    #: width of each hidden MLP layer (generator and discriminator)
    hidden: int = 128
    #: number of hidden MLP layers
    depth: int = 3
    #: hidden activation of the MLPs (and of the conv generator)
    activation: str = "relu"
    #: base channel count C of the conv pair (C and 2C feature maps)
    channels: int = 32

    # -- optimisation ------------------------------------------------------------------
    #: "adam", "sgd" (with momentum) or "rmsprop"
    optimizer: str = "adam"
    #: generator learning rate
    lr_g: float = 2e-4
    #: discriminator learning rate
    lr_d: float = 2e-4
    #: Adam's (β1, β2)
    betas: tuple[float, float] = (0.5, 0.999)
    #: SGD momentum
    momentum: float = 0.9
    #: "constant", or "linear": both rates decay linearly to 0 at ``steps`` (then stay at 0)
    lr_schedule: str = "constant"
    #: k of Algorithm 1: discriminator updates per generator update
    d_steps: int = 1
    #: samples per batch (real and fake each)
    batch_size: int = 256
    #: generator updates of a full run (the CLI's --steps)
    steps: int = 3000
    #: seed of everything random (weights, data, noise): same seed on CPU ⇒ same run bit for bit
    seed: int = 0
    #: "auto" (cuda, then mps, then cpu), "cpu", "cuda", "cuda:N" or "mps"
    device: str = "auto"

    # -- observation -------------------------------------------------------------------
    #: generator steps between snapshots in ``run`` (0: none); also the divergence-check interval
    snapshot_every: int = 100
    #: fixed-noise generated samples the metrics are computed on
    eval_samples: int = 2048
    #: samples (points) or images drawn in a snapshot
    snapshot_samples: int = 256
    #: points per axis of the discriminator heatmap grid (2-D toys)
    grid_size: int = 64
    #: points per axis of the noise grid whose image is the "manifold" (2-D toys)
    manifold_size: int = 20
    #: snapshots kept in ``Trainer.history``; beyond it every other one is dropped (thinning)
    history_size: int = 200
    #: torch CPU threads while the trainer computes (restored after each call); 0: 1 on CPU
    threads: int = 0

    def __post_init__(self):
        self.dataset_options = dict(self.dataset_options or {})
        self.betas = tuple(self.betas)
        self._validate()

    # -- validation ---------------------------------------------------------------
    def _validate(self) -> None:
        def choice(name, allowed):
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")

        def integer(name, low, high=None):
            value = getattr(self, name)
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
            if ok and high is not None:
                ok = value <= high
            if not ok:
                bound = f"an integer ≥ {low}" + ("" if high is None else f" and ≤ {high}")
                raise ValueError(f"{name} must be {bound}; got {value!r}")

        def positive(name, allow_zero=False):
            value = getattr(self, name)
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if (
                isinstance(value, bool)
                or not math.isfinite(number)
                or number < 0
                or (number == 0 and not allow_zero)
            ):
                rel = "≥ 0" if allow_zero else "> 0"
                raise ValueError(f"{name} must be a finite number {rel}; got {value!r}")
            setattr(self, name, number)

        if self.dataset != "custom" and self.dataset not in DATASETS:
            raise ValueError(
                f"dataset must be one of {', '.join(DATASETS)} (or 'custom'); got {self.dataset!r}"
            )
        choice("loss", tuple(LOSSES))
        choice("penalty", ("auto", "none", *PENALTIES))
        choice("model", MODELS)
        choice("noise", NOISES)
        choice("activation", tuple(ACTIVATIONS))
        choice("optimizer", OPTIMIZERS)
        choice("lr_schedule", SCHEDULES)
        device = self.device
        if not (isinstance(device, str) and (device in DEVICES or device.startswith("cuda:"))):
            raise ValueError(
                f"device must be one of {', '.join(DEVICES)} or 'cuda:N'; got {device!r}"
            )
        if self.z_dim is not None:
            integer("z_dim", 1, 4096)
        integer("hidden", 1, 65536)
        integer("depth", 1, 64)
        integer("channels", 1, 4096)
        integer("d_steps", 1, 1000)
        integer("batch_size", 1, 1 << 20)
        integer("steps", 0)
        integer("seed", 0, 2**63 - 1)
        integer("snapshot_every", 0)
        integer("eval_samples", 1, 1 << 20)
        integer("snapshot_samples", 1, 1 << 16)
        integer("grid_size", 2, 1024)
        integer("manifold_size", 2, 256)
        integer("history_size", 2)
        integer("threads", 0, 1024)
        positive("penalty_weight", allow_zero=True)
        positive("clip")
        positive("lr_g")
        positive("lr_d")
        positive("momentum", allow_zero=True)
        if self.momentum >= 1:
            raise ValueError(f"momentum must be in [0, 1); got {self.momentum!r}")
        if len(self.betas) != 2 or not all(
            isinstance(b, (int, float)) and not isinstance(b, bool) and 0 <= b < 1
            for b in self.betas
        ):
            raise ValueError(f"betas must be two numbers in [0, 1); got {self.betas!r}")
        self.betas = (float(self.betas[0]), float(self.betas[1]))
        if (
            self.model == "conv"
            and self.dataset != "custom"
            and dataset_kind(self.dataset) != "images"
        ):
            raise ValueError(f"model 'conv' needs an image dataset; {self.dataset!r} is a 2-D toy")

    # -- helpers -------------------------------------------------------------------
    @property
    def images(self) -> bool:
        """True for an image dataset (known only for registered names)."""
        return self.dataset != "custom" and dataset_kind(self.dataset) == "images"

    def resolved_z_dim(self, images: bool) -> int:
        """``z_dim``, or its default (2 for toys, 32 for images) when it is None."""
        if self.z_dim is not None:
            return self.z_dim
        return 32 if images else 2

    def replace(self, **changes) -> TrainConfig:
        """A copy with ``changes`` applied (validated); unknown names raise ``ValueError``."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown TrainConfig field(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (tuples become lists)."""
        out = dataclasses.asdict(self)
        out["betas"] = list(self.betas)
        out["dataset_options"] = {
            k: list(v) if isinstance(v, tuple) else v for k, v in self.dataset_options.items()
        }
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError``."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown TrainConfig field(s): {', '.join(sorted(unknown))}")
        data = dict(data)
        if "betas" in data:
            data["betas"] = tuple(data["betas"])
        return cls(**data)
