"""The typed configuration of a training run."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from ..losses import canonical_loss
from .data import DATASETS, dataset_kind
from .losses import LOSSES
from .models import ACTIVATIONS
from .penalties import PENALTIES
from .recipes import RECIPE_FIELDS, Recipe, get_recipe

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
    #: GAN loss: minimax, nonsaturating, wgan, wgan-gp, lsgan, hinge (ganviz.losses; aliases
    #: such as "wasserstein" = wgan are resolved)
    loss: str = "nonsaturating"
    #: regulariser: "auto" (the loss's own: gradient-penalty for wgan-gp), "none", "r1",
    #: "gradient-penalty"
    penalty: str = "auto"
    #: λ of the gradient penalty, γ of R1 (None: the loss's recipe)
    penalty_weight: float | None = None
    #: weight-clipping bound c of the "wgan" critic (None: the loss's recipe, 0.01)
    clip: float | None = None

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
    #: spectral normalisation of every discriminator layer (Miyato et al. 2018)
    spectral_norm: bool = False
    #: hidden activation of the MLPs (and of the conv generator)
    activation: str = "relu"
    #: base channel count C of the conv pair (C and 2C feature maps)
    channels: int = 32

    # -- optimisation ------------------------------------------------------------------
    # Fields left at None come from the loss's published recipe (ganviz.train.recipes),
    # adapted for 2-D toys; a value given here always wins.
    #: "adam", "sgd" (with momentum) or "rmsprop"
    optimizer: str | None = None
    #: generator learning rate
    lr_g: float | None = None
    #: discriminator learning rate
    lr_d: float | None = None
    #: Adam's (β1, β2)
    betas: tuple[float, float] | None = None
    #: SGD momentum
    momentum: float = 0.9
    #: "constant", or "linear": both rates decay linearly to 0 at ``steps`` (then stay at 0)
    lr_schedule: str | None = None
    #: k of Algorithm 1: discriminator updates per generator update
    d_steps: int | None = None
    #: β of an exponential moving average of G's weights, observed instead of G (0: off;
    #: 0.999 averages about the last 1,000 steps; Yazıcı et al. 2019)
    ema: float = 0.0
    #: samples per batch (real and fake each)
    batch_size: int = 256
    #: generator updates of a full run (the CLI's --steps; None: the loss's recipe, 3000,
    #: or 4000 for WGAN-GP on 2-D toys)
    steps: int | None = None
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

    #: names of the recipe fields that were given (not None) when the config was made
    explicit: frozenset = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self):
        self.dataset_options = dict(self.dataset_options or {})
        self.loss = canonical_loss(self.loss, LOSSES)  # old spellings ("wasserstein") too
        if self.dataset != "custom" and (
            not isinstance(self.dataset, str) or self.dataset not in DATASETS
        ):
            raise ValueError(
                f"dataset must be one of {', '.join(DATASETS)} (or 'custom'); got {self.dataset!r}"
            )
        given = frozenset(name for name in RECIPE_FIELDS if getattr(self, name) is not None)
        recipe = get_recipe(self.loss, self.images)
        for name in RECIPE_FIELDS:
            if name not in given:
                setattr(self, name, getattr(recipe, name))
        self.explicit = given
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
        if not isinstance(self.spectral_norm, bool):
            raise ValueError(f"spectral_norm must be True or False; got {self.spectral_norm!r}")
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
        positive("ema", allow_zero=True)
        if self.ema >= 1:
            raise ValueError(f"ema must be in [0, 1); got {self.ema!r}")
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

    @property
    def recipe(self) -> Recipe:
        """The loss's recipe for this data (its ``source`` names the paper)."""
        return get_recipe(self.loss, self.images)

    @property
    def from_recipe(self) -> tuple[str, ...]:
        """The recipe fields that were not given and so came from :attr:`recipe`."""
        return tuple(name for name in RECIPE_FIELDS if name not in self.explicit)

    def replace(self, **changes) -> TrainConfig:
        """A copy with ``changes`` applied (validated); unknown names raise ``ValueError``.

        Fields that came from the loss's recipe are taken from the recipe
        again, so ``replace(loss="wgan-gp")`` gives WGAN-GP's recipe; fields
        given explicitly keep their values.
        """
        names = {f.name for f in dataclasses.fields(self) if f.init}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown TrainConfig field(s): {', '.join(sorted(unknown))}")
        fields = {name: getattr(self, name) for name in names}
        fields.update(dict.fromkeys(self.from_recipe))
        fields.update(changes)
        return type(self)(**fields)

    def resolved_summary(self) -> dict[str, Any]:
        """The recipe fields as run, which of them came from the recipe, and its source."""
        return {
            "loss": self.loss,
            **{name: getattr(self, name) for name in RECIPE_FIELDS},
            "betas": list(self.betas),
            "from_recipe": list(self.from_recipe),
            "source": self.recipe.source,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (tuples become lists)."""
        out = dataclasses.asdict(self)
        out.pop("explicit")
        out["betas"] = list(self.betas)
        out["dataset_options"] = {
            k: list(v) if isinstance(v, tuple) else v for k, v in self.dataset_options.items()
        }
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError``."""
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown TrainConfig field(s): {', '.join(sorted(unknown))}")
        data = dict(data)
        if "betas" in data:
            data["betas"] = tuple(data["betas"])
        return cls(**data)
