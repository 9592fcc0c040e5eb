"""Generator and discriminator networks.

* 2-D toys: multilayer perceptrons. ``depth`` hidden layers of width
  ``hidden``; the generator maps noise z ∈ R^{z_dim} to R², the
  discriminator maps R² to one raw output (a logit or a critic score).
* Images: a small DCGAN-style pair (Radford et al. 2016) — the generator
  projects z to a (2C, H/4, W/4) tensor and doubles the resolution twice
  with 4×4 stride-2 transposed convolutions ending in tanh; the
  discriminator mirrors it with stride-2 convolutions and LeakyReLU(0.2).
  ``--model mlp`` trains flattened MLPs on images instead.
* ``spectral_norm=True`` divides each weight of the discriminator by its
  largest singular value (Miyato et al. 2018; one power iteration per
  training forward pass), so every layer is 1-Lipschitz.

No network uses batch normalisation: the discriminator sees real and fake
samples in one fused batch, which is the same computation as two separate
passes only when no layer mixes samples (and WGAN-GP's per-sample gradient
penalty forbids batch norm in the critic anyway).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

__all__ = ["ACTIVATIONS", "ConvDiscriminator", "ConvGenerator", "build_models", "mlp"]

#: Hidden-layer activations by name.
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
}


def _activation(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {name!r}")
    return ACTIVATIONS[name]()


def mlp(
    in_features: int, out_features: int, hidden: int, depth: int, activation: str
) -> nn.Sequential:
    """``depth`` hidden layers of width ``hidden`` with ``activation``, then a linear output."""
    layers: list[nn.Module] = []
    width = in_features
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), _activation(activation)]
        width = hidden
    layers.append(nn.Linear(width, out_features))
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    """G: z ↦ x, an MLP (tanh output reshaped to (1, H, W) for images)."""

    def __init__(self, z_dim, sample_shape, hidden, depth, activation):
        super().__init__()
        self.sample_shape = tuple(sample_shape)
        out = int(torch.tensor(self.sample_shape).prod())
        self.net = mlp(z_dim, out, hidden, depth, activation)
        self.images = len(self.sample_shape) == 2

    def forward(self, z: Tensor) -> Tensor:
        x = self.net(z)
        if self.images:
            return torch.tanh(x).view(-1, 1, *self.sample_shape)
        return x


class MLPDiscriminator(nn.Module):
    """D: x ↦ raw output (n,), an MLP on the flattened sample."""

    def __init__(self, sample_shape, hidden, depth, activation):
        super().__init__()
        inp = int(torch.tensor(tuple(sample_shape)).prod())
        self.net = mlp(inp, 1, hidden, depth, activation)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.flatten(1)).squeeze(1)


def _check_image_shape(shape):
    h, w = shape
    if h % 4 or w % 4:
        raise ValueError(f"the conv models need image sides divisible by 4, got {h}×{w}")
    return h // 4, w // 4


class ConvGenerator(nn.Module):
    """DCGAN-style generator: z → Linear → (2C, H/4, W/4) → ConvT ×2 → tanh, (n, 1, H, W)."""

    def __init__(self, z_dim: int, sample_shape, channels: int, activation: str = "relu"):
        super().__init__()
        h4, w4 = _check_image_shape(sample_shape)
        c = channels
        self.net = nn.Sequential(
            nn.Linear(z_dim, 2 * c * h4 * w4),
            _activation(activation),
            nn.Unflatten(1, (2 * c, h4, w4)),
            nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1),
            _activation(activation),
            nn.ConvTranspose2d(c, 1, 4, stride=2, padding=1),
            nn.Tanh(),
        )

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)


class ConvDiscriminator(nn.Module):
    """DCGAN-style discriminator: two stride-2 convs with LeakyReLU(0.2), then a linear output."""

    def __init__(self, sample_shape, channels: int):
        super().__init__()
        h4, w4 = _check_image_shape(sample_shape)
        c = channels
        self.net = nn.Sequential(
            nn.Conv2d(1, c, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(c, 2 * c, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(2 * c * h4 * w4, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).squeeze(1)


def spectral_normalized(module: nn.Module) -> nn.Module:
    """``module`` with spectral normalisation on every linear and convolution weight."""
    for name, child in list(module.named_children()):
        if isinstance(child, (nn.Linear, nn.Conv2d)):
            setattr(module, name, nn.utils.parametrizations.spectral_norm(child))
        else:
            spectral_normalized(child)
    return module


def build_models(config, sample_shape) -> tuple[nn.Module, nn.Module]:
    """(generator, discriminator) for a :class:`~ganviz.train.TrainConfig` and a sample shape.

    Parameters are initialised by PyTorch's defaults from the *current*
    global RNG; the trainer seeds it inside ``torch.random.fork_rng``.
    """
    G, D = _build_models(config, sample_shape)
    if getattr(config, "spectral_norm", False):
        D = spectral_normalized(D)
    return G, D


def _build_models(config, sample_shape) -> tuple[nn.Module, nn.Module]:
    images = len(sample_shape) == 2
    model = config.model
    if model == "auto":
        model = "conv" if images else "mlp"
    if model == "conv":
        if not images:
            raise ValueError("model 'conv' needs an image dataset; use 'mlp' for 2-D toys")
        return (
            ConvGenerator(config.z_dim, sample_shape, config.channels, config.activation),
            ConvDiscriminator(sample_shape, config.channels),
        )
    return (
        MLPGenerator(config.z_dim, sample_shape, config.hidden, config.depth, config.activation),
        MLPDiscriminator(sample_shape, config.hidden, config.depth, config.activation),
    )
