"""The plain-numpy record a trainer emits and the plot helpers draw.

A :class:`Snapshot` holds no torch object, so ``ganviz.plots`` can draw a
trained network with exactly the helpers that draw the theory: ``d_grid``
plays the role of D*(x) on a grid, ``fake_gradients`` the role of
:func:`ganviz.sample_gradients`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Snapshot"]


@dataclass
class Snapshot:
    """State of a GAN run at one moment.

    Sign conventions match the core: ``fake_gradients`` is ∂ℓ_G/∂x, the
    gradient of the *trained* generator loss with respect to each fake
    sample, so the generator moves a sample along ``-fake_gradients``.
    """

    #: generator updates done so far
    step: int
    #: real samples: (n, 2) for 2-D toys, (n, H, W) for images
    real: np.ndarray
    #: generated samples, same layout as ``real``
    fake: np.ndarray
    #: last discriminator and generator losses, e.g. {"d": 1.2, "g": 0.7}
    losses: dict[str, float] = field(default_factory=dict)
    #: metrics at this step, e.g. {"modes_covered": 8, "high_quality": 0.91, "js": 0.05}
    metrics: dict[str, float] = field(default_factory=dict)
    #: name of the generator loss being trained ("minimax", "nonsaturating", "wgan-gp", ...)
    loss: str = ""
    #: x and y axes of the discriminator grid (2-D toys), shapes (nx,) and (ny,)
    grid_x: np.ndarray | None = None
    grid_y: np.ndarray | None = None
    #: discriminator on the grid, shape (ny, nx): D(x) in [0, 1], or critic scores for WGANs
    d_grid: np.ndarray | None = None
    #: True when ``d_grid`` holds probabilities, False for an unbounded critic
    d_is_probability: bool = True
    #: ∂ℓ_G/∂x at each fake sample, shape of ``fake`` (2-D toys)
    fake_gradients: np.ndarray | None = None
    #: the generator's image of a regular noise grid, shape (gz, gz, 2) (GAN Lab's "manifold")
    manifold: np.ndarray | None = None

    @property
    def is_image(self) -> bool:
        """True when the samples are images (n, H, W) rather than points."""
        return self.fake.ndim == 3
