"""Datasets the trainer draws real batches from: 2-D toys and small image sets.

Every dataset samples *on the training device* with a ``torch.Generator``
the trainer owns, so a run is reproducible from its seed and no batch ever
crosses the host–device boundary.

2-D toys (``kind == "points"``)
    ``ring8``, ``grid25``, ``gaussian``, ``moons``, ``circles``, ``spiral``,
    ``swissroll``, any ganviz :class:`~ganviz.Distribution` (2-D) and any
    user point set (:func:`from_points`). Mixtures of Gaussians, uniforms and
    KDEs are sampled exactly by one vectorised rule: pick a component k with
    probability w_k, then x = loc_k + A_k·e with e ∼ N(0, I) (Gaussian, A the
    Cholesky factor of Σ) or e ∼ U[0, 1]² (uniform box, A = diag(high − low)).
    Datasets built from isotropic Gaussian mixtures with one common σ know
    their mode centres and σ, which the mode-coverage metric needs.

Images (``kind == "images"``)
    ``digits`` (scikit-learn's bundled 8×8 digits, always available offline),
    ``mnist`` and ``fashion-mnist`` read from the standard IDX files
    (:func:`read_idx`). Pixels are stored as ``uint8`` and scaled to [−1, 1]
    per batch.

MNIST-style files live in ``$GANVIZ_DATA/<name>/`` (default
``~/.cache/ganviz/<name>/``). When they are missing, :func:`load_idx_dataset`
downloads them if the machine is online and otherwise raises
:class:`DatasetUnavailable` naming the folder and the files to put there.
"""

from __future__ import annotations

import gzip
import math
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from .. import _validation as check
from ..distributions import (
    Distribution,
    Empirical,
    Gaussian,
    grid_of_gaussians,
    ring_of_gaussians,
)

__all__ = [
    "DATASETS",
    "IDX_FILES",
    "Dataset",
    "DatasetUnavailable",
    "ImageDataset",
    "PointDataset",
    "data_dir",
    "dataset_density",
    "from_distribution",
    "from_points",
    "load_idx_dataset",
    "make_dataset",
    "read_idx",
    "write_idx",
]


class DatasetUnavailable(FileNotFoundError):
    """An image dataset's files are neither in the cache folder nor downloadable."""


# -- base ---------------------------------------------------------------------


class Dataset(ABC):
    """A source of real samples on a device."""

    #: registry name ("ring8", "digits", ...) or "custom"
    name: str
    #: ``"points"`` (2-D toys) or ``"images"``
    kind: str
    #: shape of one sample: ``(2,)`` or ``(H, W)``
    sample_shape: tuple[int, ...]
    #: mode centres (k, 2) and their common σ, when known (coverage metric)
    centers: np.ndarray | None = None
    std: float | None = None

    @abstractmethod
    def sample(self, n: int, generator: torch.Generator) -> Tensor:
        """``n`` real samples on the dataset's device: ``(n, 2)`` or ``(n, 1, H, W)``."""

    @abstractmethod
    def to(self, device: torch.device | str) -> Dataset:
        """Move the dataset's tensors to ``device`` (in place); returns ``self``."""

    @abstractmethod
    def state_dict(self) -> dict:
        """Plain data (tensors, numbers, strings) that :func:`dataset_from_state` rebuilds."""

    @property
    def device(self) -> torch.device:
        return self._device

    def reference(self, n: int, seed: int) -> np.ndarray:
        """``n`` real samples as float64 numpy, drawn from a private generator seeded ``seed``."""
        gen = torch.Generator(device=self._device).manual_seed(int(seed))
        out = self.sample(n, gen)
        if self.kind == "images":
            out = out[:, 0]
        return out.detach().cpu().double().numpy()


# -- 2-D toys -----------------------------------------------------------------


class PointDataset(Dataset):
    """A 2-D dataset sampled by a vectorised torch rule.

    Build one with :func:`make_dataset`, :func:`from_distribution` or
    :func:`from_points` rather than directly.
    """

    kind = "points"
    sample_shape = (2,)

    def __init__(
        self,
        name: str,
        sampler: _MixtureSampler | _ParametricSampler,
        *,
        view_box: np.ndarray,
        centers=None,
        std=None,
        options: dict | None = None,
    ):
        self.name = name
        self._sampler = sampler
        self.view_box = np.asarray(view_box, dtype=float).reshape(2, 2)
        self.centers = None if centers is None else np.asarray(centers, dtype=float).reshape(-1, 2)
        self.std = None if std is None else float(std)
        self.options = dict(options or {})
        self._device = torch.device("cpu")

    def sample(self, n: int, generator: torch.Generator) -> Tensor:
        return self._sampler.sample(int(n), generator)

    def to(self, device) -> PointDataset:
        self._device = torch.device(device)
        self._sampler.to(self._device)
        return self

    def state_dict(self) -> dict:
        state = {
            "kind": "points",
            "name": self.name,
            "options": dict(self.options),
            "view_box": torch.as_tensor(self.view_box),
            "sampler": self._sampler.state_dict(),
        }
        if self.centers is not None:
            state["centers"] = torch.as_tensor(self.centers)
            state["std"] = self.std
        return state

    def __repr__(self) -> str:
        modes = "" if self.centers is None else f", {len(self.centers)} modes, σ={self.std:g}"
        return f"PointDataset({self.name!r}{modes})"


class _MixtureSampler:
    """x = loc_k + A_k·e with k ∼ Cat(w), e ∼ N(0, I) or U[0, 1]² (per component)."""

    def __init__(self, weights, locs, mats, uniform):
        self.weights = torch.as_tensor(np.asarray(weights, dtype=np.float64)).float()
        self.locs = torch.as_tensor(np.asarray(locs, dtype=np.float64)).float().reshape(-1, 2)
        self.mats = torch.as_tensor(np.asarray(mats, dtype=np.float64)).float().reshape(-1, 2, 2)
        self.uniform = torch.as_tensor(np.asarray(uniform, dtype=bool)).reshape(-1)
        self._analyse()

    def _analyse(self):
        k = len(self.weights)
        self.equal_weights = bool(
            torch.allclose(self.weights, torch.full_like(self.weights, 1.0 / k))
        )
        self.any_uniform = bool(self.uniform.any())
        self.all_uniform = bool(self.uniform.all())
        # Isotropic with one common scale: x = loc_k + s·e, the cheapest rule (ring8, grid25).
        s = self.mats[:, 0, 0]
        iso = torch.zeros_like(self.mats)
        iso[:, 0, 0] = s
        iso[:, 1, 1] = s
        self.common_scale = (
            float(s[0])
            if (not self.any_uniform and torch.equal(self.mats, iso) and bool((s == s[0]).all()))
            else None
        )

    def to(self, device):
        for name in ("weights", "locs", "mats", "uniform"):
            setattr(self, name, getattr(self, name).to(device))

    def sample(self, n, gen):
        device = self.locs.device
        k = len(self.weights)
        if k == 1:
            idx = torch.zeros(n, dtype=torch.long, device=device)
        elif self.equal_weights:
            idx = torch.randint(k, (n,), generator=gen, device=device)
        else:
            idx = torch.multinomial(self.weights, n, replacement=True, generator=gen)
        if self.common_scale is not None:
            noise = torch.randn(n, 2, generator=gen, device=device)
            return self.locs[idx].add_(noise, alpha=self.common_scale)
        if self.all_uniform:
            noise = torch.rand(n, 2, generator=gen, device=device)
        else:
            noise = torch.randn(n, 2, generator=gen, device=device)
            if self.any_uniform:
                box = torch.rand(n, 2, generator=gen, device=device)
                noise = torch.where(self.uniform[idx, None], box, noise)
        return self.locs[idx] + torch.einsum("nij,nj->ni", self.mats[idx], noise)

    def state_dict(self):
        return {
            "type": "mixture",
            "weights": self.weights.cpu(),
            "locs": self.locs.cpu(),
            "mats": self.mats.cpu(),
            "uniform": self.uniform.cpu(),
        }


def _moons(n, gen, device, noise=0.1):
    """scikit-learn's ``make_moons`` scaled ×2 and shifted by (−1, −0.2) (as in FFJORD)."""
    upper = torch.rand(n, generator=gen, device=device) < 0.5
    t = math.pi * torch.rand(n, generator=gen, device=device)
    x = torch.where(upper, torch.cos(t), 1.0 - torch.cos(t))
    y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t))
    pts = torch.stack([2.0 * x - 1.0, 2.0 * y - 0.2], dim=1)
    return pts.add_(torch.randn(n, 2, generator=gen, device=device), alpha=2.0 * noise)


def _circles(n, gen, device, noise=0.08, factor=0.5, scale=3.0):
    """Two concentric circles of radii ``scale`` and ``factor·scale`` plus Gaussian noise."""
    inner = torch.rand(n, generator=gen, device=device) < 0.5
    t = 2 * math.pi * torch.rand(n, generator=gen, device=device)
    r = torch.where(inner, factor, 1.0)
    pts = torch.stack([r * torch.cos(t), r * torch.sin(t)], dim=1)
    return (pts + noise * torch.randn(n, 2, generator=gen, device=device)) * scale


def _spiral(n, gen, device, noise=0.1):
    """Two interleaved spiral arms (FFJORD's ``2spirals``)."""
    u = torch.rand(n, generator=gen, device=device)
    t = torch.sqrt(u) * (540 * 2 * math.pi / 360)
    jitter = torch.rand(n, 2, generator=gen, device=device) * 0.5
    arm = torch.stack([-torch.cos(t) * t, torch.sin(t) * t], dim=1) + jitter
    sign = torch.where(torch.rand(n, 1, generator=gen, device=device) < 0.5, -1.0, 1.0)
    return sign * arm / 3.0 + noise * torch.randn(n, 2, generator=gen, device=device)


def _swissroll(n, gen, device, noise=1.0):
    """scikit-learn's ``make_swiss_roll`` seen from above, scaled by 1/5 (as in FFJORD)."""
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=gen, device=device))
    pts = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1)
    return (pts + noise * torch.randn(n, 2, generator=gen, device=device)) / 5.0


_PARAMETRIC: dict[str, Callable] = {
    "moons": _moons,
    "circles": _circles,
    "spiral": _spiral,
    "swissroll": _swissroll,
}


class _ParametricSampler:
    def __init__(self, name, **params):
        self.name, self.params = name, params
        self.device = torch.device("cpu")

    def to(self, device):
        self.device = torch.device(device)

    def sample(self, n, gen):
        return _PARAMETRIC[self.name](n, gen, self.device, **self.params)

    def state_dict(self):
        return {"type": "parametric", "name": self.name, "params": dict(self.params)}


def _pieces(dist: Distribution) -> list:
    """The location-scale pieces the sampler draws from (``Distribution.pieces``)."""
    try:
        return dist.pieces()
    except LookupError:
        raise ValueError(
            "dataset must be a ganviz Gaussian, Uniform, Mixture or Empirical distribution, "
            f"got {type(dist).__name__}"
        ) from None


def _common_isotropic_modes(parts) -> tuple[np.ndarray, float] | tuple[None, None]:
    """Mode centres and σ when every component is an isotropic Gaussian with one σ."""
    if any(u for *_, u in parts):
        return None, None
    scales = [m[0, 0] for _, _, m, _ in parts]
    for _, _, m, _ in parts:
        if not (m[0, 1] == 0 and m[1, 0] == 0 and math.isclose(m[1, 1], m[0, 0], rel_tol=1e-9)):
            return None, None
    if not np.allclose(scales, scales[0], rtol=1e-9) or scales[0] <= 0:
        return None, None
    return np.array([loc for _, loc, _, _ in parts]), float(scales[0])


def from_distribution(
    dist: Distribution, *, name: str = "custom", centers=None, std=None, options=None
) -> PointDataset:
    """A trainable dataset that samples the 2-D ganviz distribution ``dist`` exactly.

    ``centers``/``std`` override the mode centres and σ used by the coverage
    metric (found automatically for isotropic Gaussian mixtures with one σ).
    """
    if not isinstance(dist, Distribution):
        raise ValueError(f"dataset must be a ganviz distribution, got {type(dist).__name__}")
    if dist.dim != 2:
        raise ValueError(f"the trainer's toy datasets are 2-D; this distribution is {dist.dim}-D")
    pieces = _pieces(dist)
    parts = [(p.weight, p.loc, p.scale, p.base == "uniform") for p in pieces]
    weights = np.array([w for w, *_ in parts])
    sampler = _MixtureSampler(
        weights / weights.sum(),
        np.stack([loc for _, loc, _, _ in parts]),
        np.stack([m for _, _, m, _ in parts]),
        np.array([u for *_, u in parts]),
    )
    if centers is None and std is None:
        # (a KDE's kernels are not "modes": a drawing of 300 points has no 300 modes)
        if not any(p.kernel for p in pieces):
            centers, std = _common_isotropic_modes(parts)
    elif (centers is None) != (std is None):
        raise ValueError("give both centers and std for the coverage metric, or neither")
    else:
        centers = check.finite_array(centers, "centers").reshape(-1, 2)
        std = check.positive_float(std, "std")
    return PointDataset(
        name, sampler, view_box=dist.view_extent(), centers=centers, std=std, options=options
    )


def from_points(points, *, bandwidth: float | None = 0.0, centers=None, std=None) -> PointDataset:
    """A dataset that resamples a user's 2-D points (the explorers' draw-your-own).

    ``bandwidth`` h adds N(0, h²I) jitter to each resampled point: 0 (default)
    resamples the points exactly; ``None`` uses the KDE rule of
    :class:`ganviz.Empirical` (Scott's rule).
    """
    pts = check.finite_array(points, "points")
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
        raise ValueError(f"points must have shape (n, 2) with n ≥ 1, got {pts.shape}")
    if bandwidth is None:
        return from_distribution(Empirical(pts), centers=centers, std=std)
    h = float(bandwidth)
    if not math.isfinite(h) or h < 0:
        raise ValueError(f"bandwidth must be a finite number ≥ 0 or None, got {bandwidth!r}")
    if h > 0:
        return from_distribution(Empirical(pts, bandwidth=h), centers=centers, std=std)
    n = len(pts)
    sampler = _MixtureSampler(np.full(n, 1.0 / n), pts, np.zeros((n, 2, 2)), np.zeros(n, bool))
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = np.maximum(0.1 * (hi - lo), 0.5)
    if (centers is None) != (std is None):
        raise ValueError("give both centers and std for the coverage metric, or neither")
    if centers is not None:
        centers = check.finite_array(centers, "centers").reshape(-1, 2)
        std = check.positive_float(std, "std")
    return PointDataset(
        "custom", sampler, view_box=np.stack([lo - pad, hi + pad], axis=1), centers=centers, std=std
    )


def _parametric_dataset(name: str, view_box, **params) -> PointDataset:
    return PointDataset(name, _ParametricSampler(name, **params), view_box=view_box, options=params)


# -- images -------------------------------------------------------------------


class ImageDataset(Dataset):
    """Grey-scale images stored as ``uint8`` and served in [−1, 1] as ``(n, 1, H, W)``."""

    kind = "images"

    def __init__(self, name: str, images, labels, *, max_value: float = 255.0, options=None):
        images = np.asarray(images)
        if images.ndim != 3 or images.shape[0] == 0:
            raise ValueError(f"images must have shape (n, H, W) with n ≥ 1, got {images.shape}")
        labels = np.asarray(labels).reshape(-1)
        if len(labels) != len(images):
            raise ValueError(
                f"labels must have one entry per image ({len(images)}), got {len(labels)}"
            )
        self.name = name
        self.images = torch.as_tensor(np.ascontiguousarray(images, dtype=np.uint8))
        self.labels = labels.astype(np.int64)
        self.max_value = float(max_value)
        self.sample_shape = tuple(images.shape[1:])
        self.n_classes = int(self.labels.max()) + 1
        self.options = dict(options or {})
        self._device = torch.device("cpu")
        self._scale = 2.0 / self.max_value

    def __len__(self) -> int:
        return len(self.images)

    def sample(self, n: int, generator: torch.Generator) -> Tensor:
        idx = torch.randint(len(self.images), (int(n),), generator=generator, device=self._device)
        return self.images[idx].unsqueeze(1).float().mul_(self._scale).sub_(1.0)

    def all_images(self) -> Tensor:
        """Every image in [−1, 1], shape (N, 1, H, W), on the dataset's device."""
        return self.images.unsqueeze(1).float().mul_(self._scale).sub_(1.0)

    def to(self, device) -> ImageDataset:
        self._device = torch.device(device)
        self.images = self.images.to(self._device)
        return self

    def state_dict(self) -> dict:
        # Image sets are rebuilt from their source (bundled or cached files), not stored.
        return {"kind": "images", "name": self.name, "options": dict(self.options)}

    def __repr__(self) -> str:
        h, w = self.sample_shape
        return f"ImageDataset({self.name!r}, {len(self)} images {h}×{w}, {self.n_classes} classes)"


def _digits(**options) -> ImageDataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = bunch.images.astype(np.uint8)  # values 0..16
    return ImageDataset("digits", images, bunch.target, max_value=16.0, options=options)


# -- IDX files (MNIST and Fashion-MNIST) ----------------------------------------

#: Train-set IDX files of each downloadable dataset, and mirrors that serve them.
IDX_FILES = {
    "mnist": {
        "images": "train-images-idx3-ubyte.gz",
        "labels": "train-labels-idx1-ubyte.gz",
        "mirrors": (
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
    },
    "fashion-mnist": {
        "images": "train-images-idx3-ubyte.gz",
        "labels": "train-labels-idx1-ubyte.gz",
        "mirrors": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    },
}

_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def data_dir(name: str | None = None) -> Path:
    """The cache folder: ``$GANVIZ_DATA`` or ``~/.cache/ganviz`` (``/<name>`` when given)."""
    root = os.environ.get("GANVIZ_DATA", "").strip()
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "ganviz"
    return base / name if name else base


def read_idx(path) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into a numpy array.

    Format (LeCun's MNIST page): two zero bytes, a type code (0x08 = uint8 …),
    the number of dimensions, then one big-endian int32 per dimension, then
    the data in C order.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number {raw[:4]!r})")
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path} is truncated: its header needs {header} bytes")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    count = math.prod(shape)
    if len(raw) - header != count * dtype.itemsize:
        raise ValueError(
            f"{path} holds {len(raw) - header} data bytes but its header announces shape "
            f"{shape} ({count * dtype.itemsize} bytes)"
        )
    return (
        np.frombuffer(raw, dtype=dtype, offset=header)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def write_idx(path, array, *, compress: bool | None = None) -> Path:
    """Write ``array`` as an IDX file (gzip-compressed when the name ends in ``.gz``)."""
    array = np.asarray(array)
    codes = {v.newbyteorder("=") if v.byteorder == ">" else v: k for k, v in _IDX_DTYPES.items()}
    dtype = array.dtype.newbyteorder("=")
    if dtype not in codes:
        raise ValueError(f"array dtype {array.dtype} has no IDX type code")
    code = codes[dtype]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">i4").tobytes()
    body = np.ascontiguousarray(array, dtype=_IDX_DTYPES[code]).tobytes()
    path = Path(path)
    compress = path.suffix == ".gz" if compress is None else compress
    data = header + body
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


def _find_file(folder: Path, filename: str) -> Path | None:
    for candidate in (filename, filename.removesuffix(".gz")):
        if (folder / candidate).is_file():
            return folder / candidate
    return None


def _download(url: str, target: Path, timeout: float) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url, timeout=timeout) as response:
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(response, out)
            read_idx(tmp)  # refuse to cache a corrupt or HTML error page
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def load_idx_dataset(
    name: str,
    folder=None,
    *,
    download: bool = True,
    mirrors=None,
    timeout: float = 30.0,
) -> ImageDataset:
    """Load ``mnist`` or ``fashion-mnist`` (the 60,000 training images) from IDX files.

    Looks in ``folder`` (default :func:`data_dir(name) <data_dir>`) for the
    files of :data:`IDX_FILES` (``.gz`` or uncompressed). Missing files are
    downloaded from ``mirrors`` when ``download`` is true; if that fails the
    :class:`DatasetUnavailable` message names the folder and the files.
    """
    if name not in IDX_FILES:
        raise ValueError(f"IDX dataset must be one of {', '.join(IDX_FILES)}; got {name!r}")
    spec = IDX_FILES[name]
    folder = data_dir(name) if folder is None else Path(folder).expanduser()
    mirrors = tuple(spec["mirrors"] if mirrors is None else mirrors)
    paths = {}
    errors = []
    for role in ("images", "labels"):
        filename = spec[role]
        found = _find_file(folder, filename)
        if found is None and download:
            for mirror in mirrors:
                try:
                    _download(mirror.rstrip("/") + "/" + filename, folder / filename, timeout)
                    found = folder / filename
                    break
                except (OSError, urllib.error.URLError, ValueError) as exc:
                    errors.append(f"{mirror}{filename}: {exc}")
        if found is None:
            reason = (
                ("; download failed: " + " | ".join(errors))
                if errors
                else ("" if download else " (downloading is switched off)")
            )
            raise DatasetUnavailable(
                f"{name}: cannot find {spec['images']} and {spec['labels']} in {folder}{reason}. "
                f"Download them (e.g. from {mirrors[0]}) and place them in {folder}, "
                "or set GANVIZ_DATA to the folder that holds a "
                f"'{name}' sub-folder with them."
            )
        paths[role] = found
    images, labels = read_idx(paths["images"]), read_idx(paths["labels"])
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{paths['images']} must hold uint8 images of shape (n, H, W), got {images.shape}"
        )
    if labels.shape != (len(images),):
        raise ValueError(
            f"{paths['labels']} must hold one label per image ({len(images)}), got {labels.shape}"
        )
    return ImageDataset(name, images, labels, options={"folder": str(folder)})


# -- registry -----------------------------------------------------------------


def _ring8(radius: float = 2.0, std: float = 0.02, k: int = 8) -> PointDataset:
    opts = {"radius": radius, "std": std, "k": k}
    return from_distribution(ring_of_gaussians(k, radius, std), name="ring8", options=opts)


def _grid25(spacing: float = 2.0, std: float = 0.05, side: int = 5) -> PointDataset:
    opts = {"spacing": spacing, "std": std, "side": side}
    return from_distribution(grid_of_gaussians(side, spacing, std), name="grid25", options=opts)


def _gaussian(mean=(1.0, 1.0), std: float = 0.3) -> PointDataset:
    mean = tuple(float(m) for m in mean)
    return from_distribution(
        Gaussian(list(mean), std=std), name="gaussian", options={"mean": mean, "std": std}
    )


#: Built-in datasets: name → (kind, builder(**options)).
DATASETS: dict[str, tuple[str, Callable[..., Dataset]]] = {
    "ring8": ("points", _ring8),
    "grid25": ("points", _grid25),
    "gaussian": ("points", _gaussian),
    "moons": (
        "points",
        lambda noise=0.1: _parametric_dataset("moons", [[-3.8, 3.8], [-2.2, 2.6]], noise=noise),
    ),
    "circles": (
        "points",
        lambda noise=0.08: _parametric_dataset("circles", [[-4.0, 4.0], [-4.0, 4.0]], noise=noise),
    ),
    "spiral": (
        "points",
        lambda noise=0.1: _parametric_dataset("spiral", [[-4.5, 4.5], [-4.5, 4.5]], noise=noise),
    ),
    "swissroll": (
        "points",
        lambda noise=1.0: _parametric_dataset("swissroll", [[-3.5, 3.5], [-3.5, 3.5]], noise=noise),
    ),
    "digits": ("images", _digits),
    "mnist": (
        "images",
        lambda folder=None, download=True: load_idx_dataset("mnist", folder, download=download),
    ),
    "fashion-mnist": (
        "images",
        lambda folder=None, download=True: load_idx_dataset(
            "fashion-mnist", folder, download=download
        ),
    ),
}


def dataset_kind(name: str) -> str:
    """``"points"`` or ``"images"`` for a registered name; ValueError lists the names."""
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {name!r}")
    return DATASETS[name][0]


#: The core distribution each registered toy samples, from the options its builder records
#: (``dataset.options`` holds every value the builder used, defaults included).
TOY_DENSITIES: dict[str, Callable[..., Distribution]] = {
    "ring8": lambda radius, std, k: ring_of_gaussians(k, radius, std),
    "grid25": lambda spacing, std, side: grid_of_gaussians(side, spacing, std),
    "gaussian": lambda mean, std: Gaussian(list(mean), std=std),
}


def dataset_density(dataset: Dataset | str) -> Distribution | None:
    """The exact density of a registered 2-D toy as a core distribution; None without one.

    ``dataset`` is a :class:`Dataset` (``trainer.dataset``, its own
    parameters) or a registered name (its default parameters). ring8, grid25
    and gaussian sample a ganviz Gaussian mixture exactly, so this is their
    P_data; moons, circles, spirals, swissroll and the image sets have no
    closed-form density, and a "custom" set is the caller's own distribution.
    """
    if isinstance(dataset, str):
        dataset_kind(dataset)
        if dataset not in TOY_DENSITIES:
            return None
        dataset = make_dataset(dataset)
    build = TOY_DENSITIES.get(dataset.name)
    if build is None or dataset.kind != "points":
        return None
    return build(**dataset.options)


def make_dataset(source, **options) -> Dataset:
    """A dataset from a registered name, a 2-D distribution, an (n, 2) point array or a Dataset.

    ``options`` go to the builder (e.g. ``make_dataset("ring8", std=0.05)``).
    """
    if isinstance(source, Dataset):
        if options:
            raise ValueError("options apply to named datasets, not to a Dataset object")
        return source
    if isinstance(source, Distribution):
        return from_distribution(source, **options)
    if isinstance(source, str):
        dataset_kind(source)
        try:
            return DATASETS[source][1](**options)
        except TypeError as exc:
            raise ValueError(f"bad options for dataset {source!r}: {exc}") from None
    if isinstance(source, (np.ndarray, list, tuple)):
        return from_points(source, **options)
    raise ValueError(
        "dataset must be a name, a ganviz distribution, an (n, 2) point array or a Dataset, "
        f"got {type(source).__name__}"
    )


def dataset_from_state(state: dict) -> Dataset:
    """Rebuild a dataset from :meth:`Dataset.state_dict` (used by checkpoints)."""
    if state["kind"] == "images":
        return make_dataset(state["name"], **state.get("options", {}))
    sampler_state = state["sampler"]
    if sampler_state["type"] == "parametric":
        sampler = _ParametricSampler(sampler_state["name"], **sampler_state["params"])
    else:
        sampler = _MixtureSampler(
            sampler_state["weights"].double().numpy(),
            sampler_state["locs"].double().numpy(),
            sampler_state["mats"].double().numpy(),
            sampler_state["uniform"].numpy(),
        )
    centers = state.get("centers")
    return PointDataset(
        state["name"],
        sampler,
        view_box=state["view_box"].numpy(),
        centers=None if centers is None else centers.numpy(),
        std=state.get("std"),
        options=state.get("options"),
    )
