"""One vocabulary of GAN loss names, shared by theory, Dirac-GAN dynamics and the trainer.

=================  ================================================  ======  =====  =======
name               what the generator (G) and discriminator (D) do   theory  Dirac  trainer
=================  ================================================  ======  =====  =======
``minimax``        G minimises log(1 − D(G(z))) (the original game)  yes     yes    yes
``nonsaturating``  G minimises −log D(G(z)) (the "log D trick")      yes     yes    yes
``wgan``           Wasserstein critic f, 1-Lipschitz by clipping     yes     yes    yes
``wgan-gp``        Wasserstein critic with a gradient penalty        —       yes    yes
``lsgan``          least squares: D regresses 1 on real, 0 on fake   —       —      yes
``hinge``          hinge loss for D, G raises D's score              —       —      yes
=================  ================================================  ======  =====  =======

*theory*: :func:`ganviz.generator_gradient`, :func:`ganviz.sample_gradients`
and the gradient curves, with D at its optimum D* (the optimal critic f*
for ``wgan``); *Dirac*: the objectives of :mod:`ganviz.dynamics`; *trainer*:
the torch functions of :mod:`ganviz.train.losses`.

Every part resolves a name with :func:`canonical_loss`, which also accepts
the older spellings in :data:`LOSS_ALIASES` (``"wasserstein"`` for
``wgan``, the Dirac-GAN's ``"gan"`` for ``minimax``, ``"ns"`` …).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "LOSS_ALIASES",
    "LOSS_TABLE",
    "LossDict",
    "LossName",
    "canonical_loss",
    "is_loss_name",
    "losses_for",
]

#: The parts of ganviz that implement losses (keys of :func:`losses_for`).
PARTS = ("theory", "dirac", "trainer")


@dataclass(frozen=True)
class LossName:
    """A loss name, what it means and which parts of ganviz implement it."""

    name: str
    description: str
    #: parts implementing it, among :data:`PARTS`
    parts: tuple[str, ...]


#: The canonical loss names, in the order every part lists them.
LOSS_TABLE: dict[str, LossName] = {
    entry.name: entry
    for entry in (
        LossName(
            "minimax",
            "the original game: G minimises log(1 − D(G(z))) (saturates)",
            ("theory", "dirac", "trainer"),
        ),
        LossName(
            "nonsaturating",
            "G minimises −log D(G(z)) (Goodfellow et al.'s practical choice)",
            ("theory", "dirac", "trainer"),
        ),
        LossName(
            "wgan",
            "Wasserstein GAN: critic f, weights clipped to [−clip, clip]",
            ("theory", "dirac", "trainer"),
        ),
        LossName(
            "wgan-gp",
            "Wasserstein GAN with gradient penalty λ E(‖∇f(x̂)‖ − 1)²",
            ("dirac", "trainer"),
        ),
        LossName("lsgan", "least squares: D regresses 1 on real and 0 on fake", ("trainer",)),
        LossName("hinge", "hinge discriminator, generator raises D's score", ("trainer",)),
    )
}

#: Other accepted spellings → canonical name.
LOSS_ALIASES: dict[str, str] = {
    "gan": "minimax",  # the Dirac-GAN's and Mescheder et al.'s name of the minimax game
    "ns": "nonsaturating",
    "non-saturating": "nonsaturating",
    "wasserstein": "wgan",  # the theory's older name of the Wasserstein critic
    "wgan_gp": "wgan-gp",
    "least-squares": "lsgan",
}


def is_loss_name(name: Any) -> bool:
    """True if ``name`` is a canonical loss name or one of its aliases."""
    return isinstance(name, str) and (name in LOSS_TABLE or name in LOSS_ALIASES)


def canonical_loss(name: Any, allowed=None, argument: str = "loss") -> str:
    """The canonical name of loss ``name`` (an alias is resolved).

    ``allowed`` (canonical names, e.g. ``losses_for("theory")``) restricts the
    answer; an unknown or disallowed name raises a ``ValueError`` naming
    ``argument`` and listing the valid names.

    >>> canonical_loss("wasserstein"), canonical_loss("gan"), canonical_loss("wgan-gp")
    ('wgan', 'minimax', 'wgan-gp')
    """
    valid = tuple(LOSS_TABLE if allowed is None else allowed)
    resolved = LOSS_ALIASES.get(name, name) if isinstance(name, str) else name
    if resolved not in valid:
        aliases = ", ".join(f"{a} = {c}" for a, c in LOSS_ALIASES.items() if c in valid)
        raise ValueError(
            f"{argument} must be one of {', '.join(valid)}"
            + (f" (also accepted: {aliases})" if aliases else "")
            + f"; got {name!r}"
        )
    return resolved


def losses_for(part: str) -> tuple[str, ...]:
    """Canonical names of the losses ``part`` ("theory", "dirac" or "trainer") implements."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}; got {part!r}")
    return tuple(name for name, entry in LOSS_TABLE.items() if part in entry.parts)


class LossDict(dict):
    """A dict keyed by canonical loss names that also answers to their aliases.

    ``curves["wasserstein"]`` finds ``curves["wgan"]``, so results keyed by the
    old spellings keep working.
    """

    def __missing__(self, key):
        if isinstance(key, str) and LOSS_ALIASES.get(key, key) in self:
            return self[LOSS_ALIASES[key]]
        raise KeyError(key)

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, LOSS_ALIASES.get(key, key) if isinstance(key, str) else key)

    def get(self, key, default=None):
        return dict.get(self, LOSS_ALIASES.get(key, key) if isinstance(key, str) else key, default)
