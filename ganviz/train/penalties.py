"""Discriminator regularisers, kept apart from the losses.

A penalty is two small functions:

* ``points(real, fake, generator)``: where the discriminator's input gradient
  is measured;
* ``value(grad)``: the penalty from ∇ₓD at those points (one row per point).

The trainer evaluates D on the penalty points in the *same* forward pass as
the real and fake batches, takes ∇ₓD with ``create_graph=True`` and adds
``weight · value`` to the discriminator loss.

=======================  ==========================  =================================
name                     points                       value
=======================  ==========================  =================================
``"gradient-penalty"``   x̂ = εx + (1 − ε)G(z),        E (‖∇D(x̂)‖ − 1)²   (Gulrajani et al. 2017)
                         ε ∼ U[0, 1] per sample
``"r1"``                 real samples x               ½ E ‖∇D(x)‖²       (Mescheder et al. 2018)
=======================  ==========================  =================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = [
    "PENALTIES",
    "Penalty",
    "get_penalty",
    "gradient_penalty",
    "input_gradient",
    "interpolates",
    "penalty_value",
    "r1_penalty",
    "real_points",
]


@dataclass(frozen=True)
class Penalty:
    """A regulariser on the discriminator's input gradient."""

    name: str
    #: ``points(real, fake, generator) -> Tensor`` where ∇ₓD is measured
    points: Callable[[Tensor, Tensor, torch.Generator | None], Tensor]
    #: ``value(grad) -> scalar`` from ∇ₓD at those points
    value: Callable[[Tensor], Tensor]
    description: str = ""


def interpolates(real: Tensor, fake: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """x̂ = εx + (1 − ε)x̃ with one ε ∼ U[0, 1] per sample (WGAN-GP)."""
    shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    eps = torch.rand(shape, generator=generator, device=real.device, dtype=real.dtype)
    return torch.lerp(fake, real, eps)


def real_points(real: Tensor, fake: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """The real batch itself (R1 penalises ∇D on the data)."""
    return real


def gradient_penalty(grad: Tensor) -> Tensor:
    """E (‖∇ₓD(x̂)‖₂ − 1)²: pushes the critic towards slope 1 between the distributions."""
    return (grad.flatten(1).norm(dim=1) - 1.0).square().mean()


def r1_penalty(grad: Tensor) -> Tensor:
    """½ E ‖∇ₓD(x)‖² on real data: no gradient where the data lives."""
    return 0.5 * grad.flatten(1).square().sum(dim=1).mean()


#: Registered penalties, by name.
PENALTIES: dict[str, Penalty] = {
    "gradient-penalty": Penalty(
        "gradient-penalty",
        interpolates,
        gradient_penalty,
        "λ E(‖∇D(x̂)‖ − 1)² on random interpolates of real and fake",
    ),
    "r1": Penalty("r1", real_points, r1_penalty, "γ/2 E‖∇D(x)‖² on real samples"),
}


def get_penalty(name: str) -> Penalty:
    """The registered penalty called ``name``; a ``ValueError`` lists the known names."""
    try:
        return PENALTIES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"penalty must be one of {', '.join(['auto', 'none', *PENALTIES])}; got {name!r}"
        ) from None


def input_gradient(
    discriminator: Callable[[Tensor], Tensor], points: Tensor
) -> tuple[Tensor, Tensor]:
    """(D(points), ∇ₓD at each point), the gradient kept in the graph (``create_graph=True``)."""
    points = points.detach().requires_grad_(True)
    out = discriminator(points)
    (grad,) = torch.autograd.grad(out.sum(), points, create_graph=True)
    return out, grad


def penalty_value(
    name: str,
    discriminator: Callable[[Tensor], Tensor],
    real: Tensor,
    fake: Tensor,
    generator: torch.Generator | None = None,
) -> Tensor:
    """The penalty ``name`` of ``discriminator`` on one batch (its own forward pass).

    The trainer fuses this forward with the loss's; this stand-alone form is
    for notebooks and tests.
    """
    penalty = get_penalty(name)
    _, grad = input_gradient(discriminator, penalty.points(real, fake, generator))
    return penalty.value(grad)
