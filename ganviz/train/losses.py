"""GAN losses as small registered functions of the discriminator's raw outputs.

Write ``r = D(x)`` for the discriminator's raw output on a real sample and
``f = D(G(z))`` on a fake one. For the *probability* losses ``r`` and ``f``
are logits and the discriminator's probability is D = σ(·); everything is
written with ``softplus`` so no ``log(σ(·))`` is ever formed
(``log σ(t) = −softplus(−t)`` and ``log(1 − σ(t)) = −softplus(t)``):

=================  ======================================  ==============================
loss               discriminator loss (minimised by D)      generator loss ℓ(f) (per sample)
=================  ======================================  ==============================
``minimax``        softplus(−r) + softplus(f)               log(1 − D) = −softplus(f)
``nonsaturating``  softplus(−r) + softplus(f)               −log D = softplus(−f)
``wgan``           f − r   (+ weight clipping to [−c, c])    −f
``wgan-gp``        f − r   (+ gradient penalty)              −f
``lsgan``          ½(r − 1)² + ½ f²                          ½(f − 1)²
``hinge``          relu(1 − r) + relu(1 + f)                 −f
=================  ======================================  ==============================

(discriminator losses are averaged over the batch). The chain rule gives the
lesson of the minimax game: ∂ℓ/∂f = −σ(f) = −D for ``minimax`` (the
gradient vanishes where D confidently rejects the fakes) and
∂ℓ/∂f = −(1 − σ(f)) = −(1 − D) for ``nonsaturating``.

A loss is a :class:`GanLoss` in the :data:`LOSSES` registry; the training
step looks the functions up once and never branches on the name. Names are
those of the core's one table, :data:`ganviz.losses.LOSS_TABLE`, which also
gives each built-in loss its one-line description; :func:`get_loss` accepts
the table's aliases.
Regularisers (R1, the WGAN-GP gradient penalty) live in
:mod:`ganviz.train.penalties`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F
from torch import Tensor

from ..losses import LOSS_ALIASES, LOSS_TABLE, canonical_loss

__all__ = ["LOSSES", "LOSS_ALIASES", "GanLoss", "get_loss", "loss_names", "register_loss"]


@dataclass(frozen=True)
class GanLoss:
    """A GAN objective: the two players' losses on raw discriminator outputs."""

    #: registry name, e.g. ``"nonsaturating"``
    name: str
    #: ``d_loss(real_out, fake_out) -> scalar`` minimised by the discriminator
    d_loss: Callable[[Tensor, Tensor], Tensor]
    #: ``g_loss(fake_out) -> per-sample losses`` minimised (on average) by the generator
    g_loss: Callable[[Tensor], Tensor]
    #: True when D's output is the logit of a probability (σ of it is drawn in [0, 1])
    probability: bool
    #: True when the critic's weights are clipped to [−clip, clip] after each update (WGAN)
    weight_clip: bool = False
    #: regulariser the loss is defined with (``"gradient-penalty"`` for WGAN-GP), else None
    penalty: str | None = None
    #: one line for ``--help`` and the docs
    description: str = ""


#: Registered losses, by name.
LOSSES: dict[str, GanLoss] = {}
# LOSS_ALIASES (re-exported from ganviz.losses): other spellings accepted by get_loss and
# TrainConfig(loss=...), e.g. the theory's old "wasserstein" for "wgan".


def register_loss(loss: GanLoss) -> GanLoss:
    """Add ``loss`` to :data:`LOSSES` (a name may be registered once).

    A loss named in :data:`ganviz.losses.LOSS_TABLE` without a description
    gets the table's.
    """
    if loss.name in LOSSES:
        raise ValueError(f"loss {loss.name!r} is already registered")
    if not loss.description and loss.name in LOSS_TABLE:
        loss = replace(loss, description=LOSS_TABLE[loss.name].description)
    LOSSES[loss.name] = loss
    return loss


def loss_names() -> list[str]:
    """Names of the registered losses, in registration order."""
    return list(LOSSES)


def get_loss(name: str) -> GanLoss:
    """The registered loss called ``name`` (or an alias); a ``ValueError`` lists the known names."""
    return LOSSES[canonical_loss(name, LOSSES)]


# -- the functions ------------------------------------------------------------


def bce_discriminator_loss(real: Tensor, fake: Tensor) -> Tensor:
    """−E log D(x) − E log(1 − D(G(z))) = E softplus(−r) + E softplus(f)."""
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def minimax_generator_loss(fake: Tensor) -> Tensor:
    """log(1 − D(G(z))) = −softplus(f): saturates (gradient −D → 0) when D rejects fakes."""
    return -F.softplus(fake)


def nonsaturating_generator_loss(fake: Tensor) -> Tensor:
    """−log D(G(z)) = softplus(−f): the "log D trick", gradient −(1 − D)."""
    return F.softplus(-fake)


def wasserstein_critic_loss(real: Tensor, fake: Tensor) -> Tensor:
    """E f(G(z)) − E f(x): the negated Kantorovich–Rubinstein estimate of W1."""
    return fake.mean() - real.mean()


def wasserstein_generator_loss(fake: Tensor) -> Tensor:
    """−f(G(z)): the generator raises the critic's score of its samples."""
    return -fake


def least_squares_discriminator_loss(real: Tensor, fake: Tensor) -> Tensor:
    """LSGAN (Mao et al. 2017, a=0, b=1): ½ E (r − 1)² + ½ E f²."""
    return 0.5 * (real - 1.0).square().mean() + 0.5 * fake.square().mean()


def least_squares_generator_loss(fake: Tensor) -> Tensor:
    """LSGAN generator (c = 1): ½ (f − 1)²."""
    return 0.5 * (fake - 1.0).square()


def hinge_discriminator_loss(real: Tensor, fake: Tensor) -> Tensor:
    """Hinge loss (Lim & Ye 2017; Miyato et al. 2018): E relu(1 − r) + E relu(1 + f)."""
    return torch.relu(1.0 - real).mean() + torch.relu(1.0 + fake).mean()


register_loss(
    GanLoss(
        "minimax",
        bce_discriminator_loss,
        minimax_generator_loss,
        probability=True,
    )
)
register_loss(
    GanLoss(
        "nonsaturating",
        bce_discriminator_loss,
        nonsaturating_generator_loss,
        probability=True,
    )
)
register_loss(
    GanLoss(
        "wgan",
        wasserstein_critic_loss,
        wasserstein_generator_loss,
        probability=False,
        weight_clip=True,
    )
)
register_loss(
    GanLoss(
        "wgan-gp",
        wasserstein_critic_loss,
        wasserstein_generator_loss,
        probability=False,
        penalty="gradient-penalty",
    )
)
register_loss(
    GanLoss(
        "lsgan",
        least_squares_discriminator_loss,
        least_squares_generator_loss,
        probability=False,
    )
)
register_loss(
    GanLoss(
        "hinge",
        hinge_discriminator_loss,
        wasserstein_generator_loss,
        probability=False,
    )
)
