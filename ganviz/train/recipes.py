"""Each loss's published training recipe: the settings a loss gets when none are given.

A GAN loss is only half a method; the other half is how it is optimised.
``TrainConfig(loss="wgan-gp")`` (and ``ganviz train --loss wgan-gp``) takes
every optimisation field it is not given — optimiser, learning rates, Adam's
β, k critic steps, penalty weight, clip bound, schedule — from the loss's
:class:`Recipe`; explicitly given fields always win.

Image recipes are the papers' own:

===============  =========  ======  ======  ============  ===  =============  =====================
loss             optimiser  lr D    lr G    β             k    penalty        source
===============  =========  ======  ======  ============  ===  =============  =====================
minimax          Adam       2e-4    2e-4    (0.5, 0.999)  1    —              Goodfellow et al. 2014
                                                                              with Radford et al.
                                                                              2016 (DCGAN) Adam
nonsaturating    Adam       2e-4    2e-4    (0.5, 0.999)  1    —              the same
wgan             RMSprop    5e-5    5e-5    —             5    clip 0.01      Arjovsky et al. 2017,
                                                                              Algorithm 1
wgan-gp          Adam       1e-4    1e-4    (0, 0.9)      5    λ 10           Gulrajani et al. 2017,
                                                                              Algorithm 1
lsgan            Adam       2e-4    2e-4    (0.5, 0.999)  1    —              Mao et al. 2017 (on
                                                                              the DCGAN setup)
hinge            Adam       2e-4    2e-4    (0, 0.9)      5    —              Miyato et al. 2018
                                                                              (SN-GAN, CIFAR-10);
                                                                              loss of Lim & Ye 2017
===============  =========  ======  ======  ============  ===  =============  =====================

2-D toys get the recipe adapted, for two stated reasons: the papers' toy
runs are long (Gulrajani et al.'s ``gan_toy.py`` runs 100,000 critic
iterations; a ganviz run is 3,000 generator steps on one CPU core), and a
toy mixture of narrow Gaussians (σ 0.02 on a ring of radius 2) needs large
weights, reached only with larger steps. So the toy recipes take larger
learning rates that decay linearly to 0 at the last step (the late small
steps sharpen the modes), and WGAN-GP uses λ = 0.1 and β = (0.5, 0.9) as
Gulrajani et al.'s own toy script does ("smaller lambda seems to help for
toy tasks specifically"). WGAN-GP on toys also runs 4,000 steps instead of
3,000: its samples gather into the narrow modes during the low-rate end of
the decay, and after 3,000 steps seed 1 had only 89 % of its samples within
3σ of a ring8 mode (91–95 % at seeds 0–4 after 4,000). (Averaging the generator's weights, Yazıcı et
al. 2019, "The Unusual Effectiveness of Averaging in GAN Training", was
measured too: an EMA with β = 0.99 lifts the high-rate middle of a run,
0.43 → 0.83 at step 1,500, but changes nothing at the end, where the rate
has decayed to 0 and the weights have stopped moving; so the toy recipe
has no EMA.) The measured outcome of each toy recipe on ring8 is in
``docs/trainer.md`` (``benchmarks/trainer_quality.py --only losses``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import TrainConfig

__all__ = [
    "RECIPES",
    "RECIPE_FIELDS",
    "Recipe",
    "get_recipe",
    "loss_configs",
    "recipe_settings",
    "recommended_settings",
]

#: TrainConfig fields a recipe fills in (those the caller leaves at None).
RECIPE_FIELDS = (
    "optimizer",
    "lr_d",
    "lr_g",
    "betas",
    "d_steps",
    "penalty_weight",
    "clip",
    "lr_schedule",
    "steps",
)


@dataclass(frozen=True)
class Recipe:
    """How a loss is trained: the optimisation fields of a :class:`~ganviz.train.TrainConfig`."""

    optimizer: str
    lr_d: float
    lr_g: float
    #: Adam's (β1, β2); ignored by RMSprop
    betas: tuple[float, float]
    #: k: discriminator (critic) updates per generator update
    d_steps: int
    #: λ of the gradient penalty (γ of R1 when a user adds it)
    penalty_weight: float
    #: weight-clipping bound c (used by ``wgan`` only)
    clip: float
    #: "constant" or "linear" decay to 0 at the last step
    lr_schedule: str
    #: where the numbers come from (and why a toy recipe differs)
    source: str
    #: generator steps of a run (the length the schedule decays over)
    steps: int = 3000

    def settings(self) -> dict:
        """The TrainConfig fields as a dict (``source`` left out)."""
        return {name: getattr(self, name) for name in RECIPE_FIELDS}


_GOODFELLOW = "Goodfellow et al. 2014; Radford et al. 2016 (DCGAN): Adam 2e-4, β1 = 0.5, k = 1"
_LSGAN = "Mao et al. 2017 (least squares on the DCGAN setup: Adam 2e-4, β1 = 0.5, k = 1)"
_SAME_ON_TOYS = " (unchanged on toys)"
#: Length of the WGAN-GP toy run. The samples gather into the modes while the rate decays
#: (docs/trainer.md, grid25): at 3,000 steps ring8 ended with 88–92 % of its samples within
#: 3σ (seeds 0–4, batched), at 4,000 with 92–95 %.
TOY_WGAN_GP_STEPS = 4000


def _adam(lr, betas, k, source, *, penalty_weight=10.0, schedule="constant", steps=3000) -> Recipe:
    return Recipe("adam", lr, lr, betas, k, penalty_weight, 0.01, schedule, source, steps)


#: loss → (image recipe, 2-D toy recipe)
RECIPES: dict[str, tuple[Recipe, Recipe]] = {
    "minimax": (
        _adam(2e-4, (0.5, 0.999), 1, _GOODFELLOW),
        _adam(2e-4, (0.5, 0.999), 1, _GOODFELLOW + _SAME_ON_TOYS),
    ),
    "nonsaturating": (
        _adam(2e-4, (0.5, 0.999), 1, _GOODFELLOW),
        _adam(2e-4, (0.5, 0.999), 1, _GOODFELLOW + _SAME_ON_TOYS),
    ),
    "wgan": (
        Recipe(
            "rmsprop", 5e-5, 5e-5, (0.5, 0.999), 5, 10.0, 0.01, "constant",
            "Arjovsky et al. 2017, Algorithm 1: RMSprop α = 5e-5, c = 0.01, n_critic = 5",
        ),
        Recipe(
            "rmsprop", 5e-4, 5e-4, (0.5, 0.999), 5, 10.0, 0.01, "linear",
            "Arjovsky et al. 2017 (RMSprop, c = 0.01, n_critic = 5); "
            "α 10× larger, decaying to 0, for a 3,000-step toy run",
        ),
    ),
    "wgan-gp": (
        _adam(
            1e-4, (0.0, 0.9), 5,
            "Gulrajani et al. 2017, Algorithm 1: Adam 1e-4, β = (0, 0.9), n_critic = 5, λ = 10",
        ),
        _adam(
            1e-3, (0.5, 0.9), 5,
            "Gulrajani et al. 2017, their toy script gan_toy.py: Adam β = (0.5, 0.9), "
            "n_critic = 5, λ = 0.1; lr 1e-3 decaying to 0 over 4,000 steps (not 1e-4 for "
            "100k iterations)",
            penalty_weight=0.1,
            schedule="linear",
            steps=TOY_WGAN_GP_STEPS,
        ),
    ),
    "lsgan": (
        _adam(2e-4, (0.5, 0.999), 1, _LSGAN),
        _adam(2e-4, (0.5, 0.999), 1, _LSGAN + _SAME_ON_TOYS),
    ),
    "hinge": (
        _adam(
            2e-4, (0.0, 0.9), 5,
            "Miyato et al. 2018 (SN-GAN, CIFAR-10): Adam 2e-4, β = (0, 0.9), n_dis = 5; "
            "hinge loss of Lim & Ye 2017",
        ),
        _adam(
            2e-4, (0.0, 0.9), 5,
            "Miyato et al. 2018: Adam 2e-4, β = (0, 0.9), n_dis = 5" + _SAME_ON_TOYS,
        ),
    ),
}  # fmt: skip


def get_recipe(loss: str, images: bool = False) -> Recipe:
    """The recipe of ``loss`` for image data (``images=True``) or 2-D toys."""
    from .losses import get_loss

    name = get_loss(loss).name  # resolves aliases and lists the known names on error
    try:
        return RECIPES[name][0 if images else 1]
    except KeyError:
        # A loss registered later without a recipe trains with the DCGAN defaults.
        return RECIPES["nonsaturating"][0 if images else 1]


def recipe_settings(loss: str, dataset: str | None = None) -> dict:
    """The recipe's TrainConfig fields for ``loss`` on ``dataset`` (a toy unless it is images)."""
    from .data import DATASETS, dataset_kind

    images = dataset in DATASETS and dataset_kind(dataset) == "images"
    return get_recipe(loss, images).settings()


def recommended_settings(loss: str, dataset: str | None = None) -> dict:
    """The recipe of a loss whose D is not a probability (:func:`recipe_settings`), or {}.

    Losses whose D is not a probability (``wgan``, ``wgan-gp``, ``lsgan``,
    ``hinge``) get their recipe (optimiser, learning rates, Adam β, k,
    penalty weight, clip, schedule, steps; toy or image recipe by ``dataset``):
    critics are meant to be trained with several critic steps per generator
    step and their own learning rates, and compare unfairly without. Losses
    on probabilities keep the shared controls (k, lr …).
    """
    from .losses import get_loss

    if get_loss(loss).probability:  # get_loss resolves aliases and lists the names on error
        return {}
    return recipe_settings(loss, dataset)


def loss_configs(
    base: TrainConfig, dataset: str, losses, recommended: bool, **shared
) -> list[TrainConfig]:
    """One config per loss: ``base`` on ``dataset`` with the ``shared`` fields and the loss.

    ``recommended`` adds each loss's recipe (:func:`recommended_settings`);
    without it every run keeps the base's optimisation settings. A ``steps``
    in ``shared`` wins over the recipe's: runs compared side by side train
    equally long. The base's dataset options are kept only when it names the
    same dataset.
    """
    options = dict(base.dataset_options) if base.dataset == dataset else {}
    same = {name: getattr(base, name) for name in RECIPE_FIELDS}
    configs = []
    for loss in losses:
        fields = {"dataset": dataset, "dataset_options": options, **same, **shared, "loss": loss}
        if recommended:
            fields.update(recommended_settings(loss, dataset))
            if "steps" in shared:
                fields["steps"] = shared["steps"]
        configs.append(base.replace(**fields))
    return configs
