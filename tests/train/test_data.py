"""Datasets: exact toy sampling, user data, IDX files and the offline error. No network."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy import stats

import ganviz as gv
from ganviz.train import data as D


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_ring8_samples_sit_on_eight_modes_with_sigma_002():
    ds = D.make_dataset("ring8")
    assert ds.centers.shape == (8, 2) and ds.std == pytest.approx(0.02)
    np.testing.assert_allclose(np.linalg.norm(ds.centers, axis=1), 2.0)
    x = ds.sample(40_000, gen()).double().numpy()
    counts = gv.mode_counts(x, ds.centers, 0.02)
    # within 3σ of its centre: P(‖e‖ ≤ 3) = 1 − exp(−9/2) for a 2-D standard normal e
    assert counts.sum() / len(x) == pytest.approx(1 - np.exp(-4.5), abs=0.002)
    assert counts.min() > 4500 and counts.max() < 5500  # equal weights: 5000 each
    # per-mode spread is σ = 0.02
    nearest = np.argmin(((x[:, None] - ds.centers[None]) ** 2).sum(-1), axis=1)
    resid = x - ds.centers[nearest]
    assert resid.std() == pytest.approx(0.02, rel=0.03)


def test_grid25_matches_veegan_grid():
    ds = D.make_dataset("grid25")
    ticks = {-4.0, -2.0, 0.0, 2.0, 4.0}
    assert {tuple(c) for c in ds.centers} == {(a, b) for a in ticks for b in ticks}
    assert ds.std == pytest.approx(0.05)


def test_from_distribution_matches_moments_of_any_mixture():
    dist = gv.Mixture(
        [
            gv.Gaussian([1.0, -1.0], cov=[[0.5, 0.3], [0.3, 0.4]]),
            gv.Uniform([-3.0, 0.0], [-1.0, 1.0]),
            gv.Gaussian([0.0, 2.0], std=0.2),
        ],
        weights=[2, 1, 1],
    )
    ds = D.from_distribution(dist)
    assert ds.centers is None  # not an isotropic mixture with one σ
    x = ds.sample(200_000, gen(1)).double().numpy()
    np.testing.assert_allclose(x.mean(axis=0), dist.mean, atol=0.01)
    np.testing.assert_allclose(np.cov(x, rowvar=False), dist.covariance, atol=0.02)
    # the uniform box gets exactly its weight ¼ of the samples
    in_box = (x[:, 0] <= -1.0) & (x[:, 0] >= -3.0) & (x[:, 1] >= 0) & (x[:, 1] <= 1)
    assert in_box.mean() == pytest.approx(0.25, abs=0.01)


def test_from_distribution_rejects_1d_and_non_distributions():
    with pytest.raises(ValueError, match="2-D"):
        D.from_distribution(gv.Gaussian(0, 1))
    with pytest.raises(ValueError, match="distribution"):
        D.make_dataset(42)
    with pytest.raises(ValueError, match="dataset must be one of"):
        D.make_dataset("cifar")
    with pytest.raises(ValueError, match="bad options"):
        D.make_dataset("ring8", colour="red")


def test_user_points_resampled_exactly_or_jittered():
    pts = np.array([[0.0, 0.0], [1.0, 2.0], [-1.5, 0.5]])
    exact = D.from_points(pts).sample(3000, gen()).double().numpy()
    assert {tuple(np.round(p, 6)) for p in exact} == {tuple(p) for p in pts}
    jitter = D.from_points(pts, bandwidth=0.1).sample(30_000, gen()).double().numpy()
    nearest = np.argmin(((jitter[:, None] - pts[None]) ** 2).sum(-1), axis=1)
    assert (jitter - pts[nearest]).std() == pytest.approx(0.1, rel=0.05)
    kde = D.from_points(pts, bandwidth=None)  # Empirical's Scott rule
    assert kde.sample(10, gen()).shape == (10, 2)
    assert kde.centers is None  # KDE kernels are not modes
    marked = D.from_points(pts, bandwidth=0.1, centers=pts, std=0.1)
    np.testing.assert_array_equal(marked.centers, pts)
    with pytest.raises(ValueError, match="points"):
        D.from_points(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="finite"):
        D.from_points([[0.0, np.nan]])
    with pytest.raises(ValueError, match="bandwidth"):
        D.from_points(pts, bandwidth=-1)


@pytest.mark.parametrize("name", ["moons", "circles", "spiral", "swissroll", "gaussian"])
def test_parametric_toys_sample_in_their_view_box(name):
    ds = D.make_dataset(name)
    x = ds.sample(5000, gen()).numpy()
    assert x.shape == (5000, 2) and np.isfinite(x).all()
    box = ds.view_box
    inside = (
        (x[:, 0] >= box[0, 0])
        & (x[:, 0] <= box[0, 1])
        & (x[:, 1] >= box[1, 0])
        & (x[:, 1] <= box[1, 1])
    )
    assert inside.mean() > 0.97


def test_circles_radii():
    x = D.make_dataset("circles", noise=0.0).sample(4000, gen()).double().numpy()
    r = np.linalg.norm(x, axis=1)
    assert set(np.round(r, 6)) == {1.5, 3.0}


def test_dataset_state_round_trip_reproduces_samples():
    for ds in (
        D.make_dataset("ring8"),
        D.make_dataset("moons"),
        D.from_points([[0, 1], [2, 3.0]], bandwidth=0.2),
    ):
        again = D.dataset_from_state(ds.state_dict())
        assert torch.equal(ds.sample(100, gen(5)), again.sample(100, gen(5)))


def test_digits_dataset_scaled_to_minus_one_one():
    ds = D.make_dataset("digits")
    assert len(ds) == 1797 and ds.sample_shape == (8, 8) and ds.n_classes == 10
    x = ds.sample(500, gen())
    assert x.shape == (500, 1, 8, 8)
    assert x.min().item() == -1.0 and x.max().item() == 1.0


# -- IDX files ------------------------------------------------------------------------


def _idx_bytes_by_hand(array: np.ndarray) -> bytes:
    """The IDX layout written out with struct (independent of the code under test)."""
    code = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D}[array.dtype]
    head = struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return head + array.tobytes()


def test_read_idx_parses_hand_made_files(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a-idx3-ubyte").write_bytes(_idx_bytes_by_hand(images))
    (tmp_path / "a-idx3-ubyte.gz").write_bytes(gzip.compress(_idx_bytes_by_hand(images)))
    ints = np.array([1, -7, 70000], dtype=">i4")
    (tmp_path / "i.idx").write_bytes(_idx_bytes_by_hand(ints))
    floats = np.array([[0.5, -2.25]], dtype=">f4")
    (tmp_path / "f.idx").write_bytes(_idx_bytes_by_hand(floats))
    for name in ("a-idx3-ubyte", "a-idx3-ubyte.gz"):
        np.testing.assert_array_equal(D.read_idx(tmp_path / name), images)
    np.testing.assert_array_equal(D.read_idx(tmp_path / "i.idx"), [1, -7, 70000])
    np.testing.assert_array_equal(D.read_idx(tmp_path / "f.idx"), [[0.5, -2.25]])


def test_write_idx_produces_the_standard_layout(tmp_path):
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    D.write_idx(tmp_path / "l-idx1-ubyte", labels)
    assert (tmp_path / "l-idx1-ubyte").read_bytes() == _idx_bytes_by_hand(labels)
    D.write_idx(tmp_path / "l.gz", labels)
    assert gzip.decompress((tmp_path / "l.gz").read_bytes()) == _idx_bytes_by_hand(labels)


def test_read_idx_rejects_corrupt_files(tmp_path):
    (tmp_path / "html").write_bytes(b"<html>not found</html>")
    with pytest.raises(ValueError, match="not an IDX file"):
        D.read_idx(tmp_path / "html")
    good = _idx_bytes_by_hand(np.zeros((2, 2, 2), np.uint8))
    (tmp_path / "short").write_bytes(good[:-1])
    with pytest.raises(ValueError, match="announces shape"):
        D.read_idx(tmp_path / "short")


def _write_tiny_mnist(folder: Path, n=20, compress=True):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    suffix = ".gz" if compress else ""
    (folder / f"train-images-idx3-ubyte{suffix}").write_bytes(
        (gzip.compress if compress else bytes)(_idx_bytes_by_hand(images))
    )
    (folder / f"train-labels-idx1-ubyte{suffix}").write_bytes(
        (gzip.compress if compress else bytes)(_idx_bytes_by_hand(labels))
    )
    return images, labels


@pytest.mark.parametrize("compress", [True, False])
def test_load_mnist_from_cache_folder(tmp_path, monkeypatch, compress):
    monkeypatch.setenv("GANVIZ_DATA", str(tmp_path))
    images, labels = _write_tiny_mnist(tmp_path / "mnist", compress=compress)
    ds = D.make_dataset("mnist", download=False)
    assert len(ds) == 20 and ds.sample_shape == (28, 28)
    np.testing.assert_array_equal(ds.images.numpy(), images)
    np.testing.assert_array_equal(ds.labels, labels)
    x = ds.all_images()
    np.testing.assert_allclose(x[:, 0].numpy(), images / 127.5 - 1, atol=1e-6)


def test_offline_error_names_folder_and_files(tmp_path, monkeypatch):
    monkeypatch.setenv("GANVIZ_DATA", str(tmp_path))
    with pytest.raises(D.DatasetUnavailable) as err:
        D.make_dataset("fashion-mnist", download=False)
    msg = str(err.value)
    assert str(tmp_path / "fashion-mnist") in msg
    assert "train-images-idx3-ubyte.gz" in msg and "train-labels-idx1-ubyte.gz" in msg
    # a mirror that does not answer: the error says why and still names the folder
    with pytest.raises(D.DatasetUnavailable, match="download failed") as err:
        D.load_idx_dataset("mnist", tmp_path / "m", mirrors=[(tmp_path / "nowhere").as_uri() + "/"])
    assert str(tmp_path / "m") in str(err.value)


def test_download_from_a_local_mirror_caches_the_files(tmp_path):
    mirror = tmp_path / "mirror"
    images, _ = _write_tiny_mnist(mirror)
    cache = tmp_path / "cache"
    ds = D.load_idx_dataset("mnist", cache, mirrors=[mirror.as_uri() + "/"])
    np.testing.assert_array_equal(ds.images.numpy(), images)
    assert (cache / "train-images-idx3-ubyte.gz").is_file()
    assert not list(cache.glob("*.part"))


def test_download_refuses_a_corrupt_file(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "train-images-idx3-ubyte.gz").write_bytes(b"<html>error page</html>")
    with pytest.raises(D.DatasetUnavailable, match="not an IDX file"):
        D.load_idx_dataset("mnist", tmp_path / "cache", mirrors=[mirror.as_uri() + "/"])
    assert not (tmp_path / "cache" / "train-images-idx3-ubyte.gz").exists()


def test_data_dir_defaults_and_env(monkeypatch, tmp_path):
    monkeypatch.delenv("GANVIZ_DATA", raising=False)
    assert D.data_dir("mnist") == Path.home() / ".cache" / "ganviz" / "mnist"
    monkeypatch.setenv("GANVIZ_DATA", str(tmp_path))
    assert D.data_dir() == tmp_path


def test_each_toy_knows_its_density_with_its_own_parameters():
    ring = D.make_dataset("ring8", radius=3.0, std=0.1, k=6)
    density = D.dataset_density(ring)
    x = np.array([[3.0, 0.0], [0.0, 0.0], [1.5, 2.6], [-3.0, 0.1]])
    # (1/6) Σ_k N(x; 3(cos 2πk/6, sin 2πk/6), 0.1²I), each from scipy
    angles = 2 * np.pi * np.arange(6) / 6
    centres = 3.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    ring_pdf = np.mean([stats.multivariate_normal(c, 0.01).pdf(x) for c in centres], axis=0)
    np.testing.assert_allclose(density.pdf(x), ring_pdf, rtol=1e-10)
    gaussian = D.dataset_density(D.make_dataset("gaussian", mean=(0.0, 2.0), std=0.5))
    np.testing.assert_allclose(
        gaussian.pdf(x), stats.multivariate_normal([0.0, 2.0], 0.25).pdf(x), rtol=1e-12
    )
    # a name means the registered defaults: grid25 is 5×5 modes 2 apart with σ = 0.05
    grid = D.dataset_density("grid25")
    modes = np.array([[i, j] for i in (-4, -2, 0, 2, 4) for j in (-4, -2, 0, 2, 4)], float)
    expected = np.mean([stats.multivariate_normal(m, 0.0025).pdf(x) for m in modes], axis=0)
    np.testing.assert_allclose(grid.pdf(x), expected, rtol=1e-10, atol=1e-300)
    # a checkpoint's dataset keeps its parameters; shapes without a closed form have none
    restored = D.dataset_from_state(ring.state_dict())
    np.testing.assert_allclose(D.dataset_density(restored).pdf(x), ring_pdf, rtol=1e-10)
    assert D.dataset_density("moons") is None and D.dataset_density("digits") is None
    assert D.dataset_density(D.from_points(np.zeros((3, 2)))) is None
    with pytest.raises(ValueError, match="dataset must be one of"):
        D.dataset_density("ring9")
