"""Metrics on generated samples.

2-D toys
    * ``modes_covered`` and ``high_quality`` from :func:`ganviz.mode_coverage`
      (a sample is high quality within 3σ of a mode centre; a mode is covered
      when it has one).
    * ``kl`` = KL(P_data‖P_g) and ``js`` = JS(P_data‖P_g), **estimated** as in
      GAN Lab from two histograms on a fixed ``bins × bins`` grid over the
      dataset's view box (samples outside are clamped to the border bins),
      each bin count smoothed by a pseudo-count of 0.01 so an empty bin never
      makes the KL infinite (small enough that disjoint samples still give
      JS ≈ log 2). The estimate is biased — coarse bins
      hide fine structure, finite samples add noise — but it is consistent
      from snapshot to snapshot, which is what a curve needs.

Images
    A small MLP classifier trained on the real data (cached per process and,
    for the big sets, on disk) labels every generated image:

    * ``classes_covered``: classes that receive at least 1 % of the generated
      samples among those classified with confidence ≥ 0.9 (uniform noise
      images reach one class at most, real digits all ten);
    * ``confident``: the fraction of generated samples classified with
      confidence ≥ 0.9 (a rough "looks like some class" score);
    * ``class_kl``: KL(q‖uniform) = Σ_c q_c log(K q_c) of the generated class
      histogram q (0 for perfectly balanced classes, log K for one class);
    * ``fid``: the Fréchet distance between Gaussians fitted to classifier
      features of generated and real images,
      ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁^{½} Σ₂ Σ₁^{½})^{½}), next to ``fid_floor``,
      the same distance between two disjoint halves of the real data with the
      same sample size — the value a perfect generator would score.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from ..modes import mode_coverage
from .data import ImageDataset, data_dir

__all__ = [
    "HistogramReference",
    "ImageClassifier",
    "ImageEvaluator",
    "class_histogram_kl",
    "feature_statistics",
    "frechet_distance",
    "get_classifier",
    "histogram_divergences",
    "toy_metrics",
    "train_classifier",
]


# -- 2-D toys -----------------------------------------------------------------


def _histogram(points: np.ndarray, box: np.ndarray, bins: int) -> np.ndarray:
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    lo, hi = box[:, 0], box[:, 1]
    # Clamp to the box so every sample lands in a bin (mass outside is kept at the border).
    idx = np.floor((pts - lo) / (hi - lo) * bins).astype(np.int64)
    np.clip(idx, 0, bins - 1, out=idx)
    return np.bincount(idx[:, 1] * bins + idx[:, 0], minlength=bins * bins).astype(float)


def _smoothed(counts: np.ndarray, pseudo_count: float) -> np.ndarray:
    p = counts + pseudo_count
    return p / p.sum()


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    mask = p > 0
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))


def histogram_divergences(
    real, fake, box, *, bins: int = 40, pseudo_count: float = 0.01
) -> tuple[float, float]:
    """(KL(P_data‖P_g), JS(P_data‖P_g)) estimated from histograms on ``box`` (nats).

    ``box`` is ``[[x_lo, x_hi], [y_lo, y_hi]]``. See the module docstring for
    the estimator and its bias.
    """
    box = np.asarray(box, dtype=float).reshape(2, 2)
    if bins < 1:
        raise ValueError(f"bins must be ≥ 1, got {bins}")
    p = _smoothed(_histogram(real, box, bins), pseudo_count)
    q = _smoothed(_histogram(fake, box, bins), pseudo_count)
    m = 0.5 * (p + q)
    return _kl(p, q), 0.5 * _kl(p, m) + 0.5 * _kl(q, m)


class HistogramReference:
    """The data histogram, counted once, against which each snapshot's fakes are compared."""

    def __init__(self, real: np.ndarray, box, *, bins: int = 40, pseudo_count: float = 0.01):
        self.box = np.asarray(box, dtype=float).reshape(2, 2)
        self.bins, self.pseudo_count = int(bins), float(pseudo_count)
        self.p = _smoothed(_histogram(real, self.box, self.bins), self.pseudo_count)

    def divergences(self, fake: np.ndarray) -> tuple[float, float]:
        """(KL(P_data‖P_g), JS) of ``fake`` against the stored data histogram."""
        q = _smoothed(_histogram(fake, self.box, self.bins), self.pseudo_count)
        m = 0.5 * (self.p + q)
        return _kl(self.p, q), 0.5 * _kl(self.p, m) + 0.5 * _kl(q, m)


def toy_metrics(
    fake: np.ndarray, centers, std, reference: HistogramReference | None
) -> dict[str, float]:
    """``modes_covered``, ``high_quality`` (when centres are known), ``kl`` and ``js``."""
    out: dict[str, float] = {}
    if centers is not None and std is not None:
        cov = mode_coverage(fake, centers, std)
        out["modes_covered"] = int(cov.modes_covered)
        out["modes_total"] = len(centers)
        out["high_quality"] = float(cov.high_quality)
    if reference is not None:
        kl, js = reference.divergences(fake)
        out["kl"], out["js"] = kl, js
    return out


# -- Fréchet distance -------------------------------------------------------------


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (unbiased) covariance of feature rows."""
    feats = np.asarray(features, dtype=np.float64)
    if feats.ndim != 2 or len(feats) < 2:
        raise ValueError(f"features must have shape (n, d) with n ≥ 2, got {feats.shape}")
    return feats.mean(axis=0), np.cov(feats, rowvar=False)


def _psd_sqrt(mat: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh(0.5 * (mat + mat.T))
    return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T


def frechet_distance(mu1, cov1, mu2, cov2) -> float:
    """‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁^{½} Σ₂ Σ₁^{½})^{½}): the 2-Wasserstein² between Gaussians.

    tr((Σ₁Σ₂)^{½}) is computed as tr((Σ₁^{½}Σ₂Σ₁^{½})^{½}) with symmetric
    eigen-decompositions, which stays real and stable for singular Σ.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, float)), np.atleast_1d(np.asarray(mu2, float))
    cov1, cov2 = np.atleast_2d(np.asarray(cov1, float)), np.atleast_2d(np.asarray(cov2, float))
    if mu1.shape != mu2.shape or cov1.shape != cov2.shape or cov1.shape != (len(mu1), len(mu1)):
        raise ValueError(
            f"means must have shape (d,) and covariances (d, d) alike; got {mu1.shape}, "
            f"{cov1.shape}, {mu2.shape}, {cov2.shape}"
        )
    s1 = _psd_sqrt(cov1)
    cross = np.linalg.eigvalsh(s1 @ cov2 @ s1)
    tr_cross = float(np.sqrt(np.clip(cross, 0.0, None)).sum())
    value = float(np.sum((mu1 - mu2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2.0 * tr_cross)
    return max(value, 0.0)


def class_histogram_kl(counts) -> float:
    """KL(q‖uniform) = Σ q_c log(K q_c) for class counts (0 balanced, log K one class)."""
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    if total <= 0:
        return float(math.log(len(counts)))
    q = counts / total
    mask = q > 0
    return float(np.sum(q[mask] * np.log(q[mask] * len(counts))))


# -- the image classifier --------------------------------------------------------


class ImageClassifier(nn.Module):
    """MLP x ↦ class logits; :meth:`features` is its last hidden layer (Fréchet distance)."""

    def __init__(self, in_features: int, n_classes: int, hidden: int = 128):
        super().__init__()
        self.body = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.head = nn.Linear(hidden, n_classes)

    def features(self, x: Tensor) -> Tensor:
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x))


def train_classifier(
    images: Tensor,
    labels,
    *,
    hidden: int = 128,
    epochs: int = 30,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
) -> ImageClassifier:
    """Train an :class:`ImageClassifier` on ``images`` in [−1, 1], shape (n, 1, H, W).

    Small and quick: the measuring instrument, not a model of interest.
    Inputs get light Gaussian noise (σ = 0.1) so the features stay smooth
    around the data, where imperfect generated images land.
    """
    images = images.detach().float().cpu()
    labels = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    n_classes = int(labels.max()) + 1
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = ImageClassifier(images[0].numel(), n_classes, hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(images)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            x = images[idx] + 0.1 * torch.randn(images[idx].shape, generator=gen)
            loss = nn.functional.cross_entropy(model(x), labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


_CLASSIFIERS: dict[str, ImageClassifier] = {}
#: Image sets larger than this get the bigger, shorter classifier recipe and a disk cache.
LARGE_DATASET = 10_000


def _fingerprint(dataset: ImageDataset) -> str:
    h = hashlib.sha1()
    h.update(dataset.name.encode())
    h.update(np.asarray(dataset.images.shape).tobytes())
    h.update(dataset.images[:: max(1, len(dataset) // 512)].cpu().numpy().tobytes())
    h.update(dataset.labels.tobytes())
    return h.hexdigest()[:16]


def _classifier_settings(dataset: ImageDataset) -> dict:
    big = len(dataset) > LARGE_DATASET
    return {"hidden": 256 if big else 128, "epochs": 3 if big else 30}


def get_classifier(dataset: ImageDataset, *, cache_dir=None) -> ImageClassifier:
    """The classifier for ``dataset``, trained once per process (and cached on disk for big sets).

    The disk cache (``<cache_dir>/classifier-<fingerprint>.pt``, default the
    dataset's folder under :func:`~ganviz.train.data.data_dir`) is used for
    sets over 10,000 images, whose training takes seconds.
    """
    key = _fingerprint(dataset)
    if key in _CLASSIFIERS:
        return _CLASSIFIERS[key]
    settings = _classifier_settings(dataset)
    path = None
    if len(dataset) > LARGE_DATASET:
        folder = Path(cache_dir) if cache_dir is not None else data_dir(dataset.name)
        path = folder / f"classifier-{key}.pt"
        if path.is_file():
            try:
                state = torch.load(path, map_location="cpu", weights_only=True)
                model = ImageClassifier(state["in_features"], state["n_classes"], state["hidden"])
                model.load_state_dict(state["model"])
                model.eval().requires_grad_(False)
                _CLASSIFIERS[key] = model
                return model
            except (OSError, RuntimeError, KeyError, ValueError):
                pass  # a stale or corrupt cache file: retrain and overwrite
    model = train_classifier(dataset.all_images().cpu(), dataset.labels, **settings)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(
                {
                    "model": model.state_dict(),
                    "in_features": dataset.images[0].numel(),
                    "n_classes": dataset.n_classes,
                    "hidden": settings["hidden"],
                },
                path,
            )
        except OSError:
            pass  # a read-only cache only costs the retraining next time
    _CLASSIFIERS[key] = model
    return model


class ImageEvaluator:
    """Classifier-based metrics of generated images against one image dataset.

    The real data are split once into two halves A and B of ``m`` images
    (``m`` ≤ ``max_samples``); generated sets are compared with half A, and
    ``fid_floor`` = FD(A, B) is what sampling noise alone gives at that size.
    """

    def __init__(self, dataset: ImageDataset, *, max_samples: int = 5000, seed: int = 0):
        self.dataset = dataset
        self.classifier = get_classifier(dataset)
        self.n_classes = dataset.n_classes
        images = dataset.all_images().cpu()
        order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
        m = min(len(images) // 2, max_samples)
        self.sample_size = m
        feats_a = self._features(images[order[:m]])
        feats_b = self._features(images[order[m : 2 * m]])
        self.real_stats = feature_statistics(feats_a)
        self.fid_floor = frechet_distance(*self.real_stats, *feature_statistics(feats_b))
        with torch.no_grad():
            self.real_accuracy = float(
                (self.classifier(images).argmax(1).numpy() == dataset.labels).mean()
            )

    @torch.no_grad()
    def _features(self, images: Tensor) -> np.ndarray:
        return self.classifier.features(images.float().cpu()).double().numpy()

    @torch.no_grad()
    def class_counts(
        self, images: Tensor, *, confidence: float = 0.9
    ) -> tuple[np.ndarray, np.ndarray]:
        """(counts of argmax classes, counts of confident argmax classes) of ``images``."""
        probs = torch.softmax(self.classifier(images.float().cpu()), dim=1)
        conf, cls = probs.max(dim=1)
        cls = cls.numpy()
        all_counts = np.bincount(cls, minlength=self.n_classes)
        confident = np.bincount(cls[conf.numpy() >= confidence], minlength=self.n_classes)
        return all_counts, confident

    def evaluate(self, images: Tensor) -> tuple[dict[str, float], np.ndarray]:
        """(metrics, class counts) of generated ``images`` in [−1, 1], shape (n, 1, H, W)."""
        all_counts, confident = self.class_counts(images)
        n = len(images)
        needed = max(1, math.ceil(0.01 * n))
        metrics = {
            "classes_covered": int((confident >= needed).sum()),
            "classes_total": self.n_classes,
            "class_kl": class_histogram_kl(all_counts),
            "confident": float(confident.sum() / n),
            "fid": frechet_distance(*feature_statistics(self._features(images)), *self.real_stats),
            "fid_floor": self.fid_floor,
        }
        return metrics, all_counts
