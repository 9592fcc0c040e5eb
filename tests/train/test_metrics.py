"""Metrics against closed forms, scipy, and the core's exact divergences."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
import torch

import ganviz as gv
from ganviz.train import data as D
from ganviz.train import metrics as M


def test_frechet_distance_between_1d_gaussians_is_w2_squared():
    # W2²(N(μ1, σ1²), N(μ2, σ2²)) = (μ1 − μ2)² + (σ1 − σ2)²
    assert M.frechet_distance([1.0], [[4.0]], [-0.5], [[0.25]]) == pytest.approx(1.5**2 + 1.5**2)


def test_frechet_distance_matches_the_sqrtm_formula():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    c1, c2 = a @ a.T + 0.1 * np.eye(6), b @ b.T + 0.1 * np.eye(6)
    m1, m2 = rng.normal(size=6), rng.normal(size=6)
    covmean = scipy.linalg.sqrtm(c1 @ c2).real
    want = np.sum((m1 - m2) ** 2) + np.trace(c1 + c2 - 2 * covmean)
    assert M.frechet_distance(m1, c1, m2, c2) == pytest.approx(want, rel=1e-8)
    assert M.frechet_distance(m1, c1, m1, c1) == pytest.approx(0.0, abs=1e-8)
    # singular covariances stay finite and non-negative
    assert M.frechet_distance(m1, np.zeros((6, 6)), m2, c2) >= 0
    with pytest.raises(ValueError, match="shape"):
        M.frechet_distance(m1, c1, m2[:3], c2)


def test_class_histogram_kl_against_scipy_entropy():
    counts = np.array([10, 0, 5, 25])
    want = scipy.stats.entropy(counts / counts.sum(), np.full(4, 0.25))
    assert M.class_histogram_kl(counts) == pytest.approx(want)
    assert M.class_histogram_kl([7, 7, 7]) == pytest.approx(0.0)
    assert M.class_histogram_kl([0, 9, 0]) == pytest.approx(math.log(3))


def test_histogram_js_estimate_tracks_the_exact_js():
    p, q = gv.Gaussian([0.0, 0.0], std=1.0), gv.Gaussian([1.5, 0.0], std=1.0)
    box = [[-5.0, 6.5], [-5.0, 5.0]]
    kl, js = M.histogram_divergences(
        p.sample(200_000, seed=0), q.sample(200_000, seed=1), box, bins=40
    )
    assert js == pytest.approx(gv.js_divergence(p, q), abs=0.01)
    assert kl == pytest.approx(gv.kl_divergence(p, q), abs=0.05)  # = 1.5²/2
    # disjoint supports: JS → log 2; identical samples: 0
    far = gv.Gaussian([40.0, 0.0], std=0.1).sample(5000, seed=2)
    near = gv.Gaussian([-4.0, 0.0], std=0.1).sample(5000, seed=3)
    _, js_far = M.histogram_divergences(near, far, [[-5, 41], [-1, 1]], bins=40)
    assert js_far == pytest.approx(math.log(2), abs=0.01)
    same = p.sample(1000, seed=4)
    assert M.histogram_divergences(same, same, box) == (pytest.approx(0.0), pytest.approx(0.0))


def test_toy_metrics_on_exact_ring_samples():
    ring = D.make_dataset("ring8")
    x = ring.reference(4000, seed=0)
    ref = M.HistogramReference(ring.reference(20000, seed=1), [[-3, 3], [-3, 3]])
    m = M.toy_metrics(x, ring.centers, ring.std, ref)
    assert m["modes_covered"] == 8 and m["modes_total"] == 8
    assert m["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.006)
    assert m["js"] < 0.02
    collapsed = np.repeat(ring.centers[:1], 4000, axis=0)
    assert M.toy_metrics(collapsed, ring.centers, ring.std, ref)["modes_covered"] == 1


@pytest.fixture(scope="module")
def digits():
    return D.make_dataset("digits")


def test_classifier_generalises_on_held_out_digits(digits):
    images, labels = digits.all_images(), digits.labels
    order = np.random.default_rng(0).permutation(len(labels))
    train, test = order[:1300], order[1300:]
    clf = M.train_classifier(images[train], labels[train], epochs=20)
    with torch.no_grad():
        accuracy = (clf(images[test]).argmax(1).numpy() == labels[test]).mean()
    assert accuracy > 0.93


def test_image_evaluator_separates_real_digits_from_noise(digits):
    ev = M.ImageEvaluator(digits)
    assert ev.real_accuracy > 0.97 and ev.sample_size == len(digits) // 2
    assert M.get_classifier(digits) is ev.classifier  # trained once per process
    real, _ = ev.evaluate(digits.all_images()[-ev.sample_size :])
    noise, counts = ev.evaluate(
        torch.rand(ev.sample_size, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    )
    assert real["classes_covered"] == 10 and real["class_kl"] < 0.02
    assert noise["classes_covered"] <= 2
    assert counts.sum() == ev.sample_size
    assert real["fid"] < 3 * ev.fid_floor
    assert noise["fid"] > 50 * ev.fid_floor
    one_class = digits.all_images()[torch.as_tensor(digits.labels == 3)]
    collapsed, _ = ev.evaluate(one_class)
    assert collapsed["classes_covered"] == 1
    assert collapsed["class_kl"] > 0.9 * math.log(10)


def test_large_set_classifier_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(M, "LARGE_DATASET", 30)  # exercise the big-set path on a tiny set
    rng = np.random.default_rng(0)
    labels = np.arange(40) % 4
    images = (rng.random((40, 4, 4)) * 60 + labels[:, None, None] * 60).astype(np.uint8)
    ds = D.ImageDataset("tiny", images, labels)
    first = M.get_classifier(ds, cache_dir=tmp_path)
    files = list(tmp_path.glob("classifier-*.pt"))
    assert len(files) == 1
    M._CLASSIFIERS.clear()

    def no_training(*args, **kwargs):
        raise AssertionError("the cached classifier should have been loaded")

    monkeypatch.setattr(M, "train_classifier", no_training)
    second = M.get_classifier(ds, cache_dir=tmp_path)
    assert second is not first
    for a, b in zip(first.state_dict().values(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    M._CLASSIFIERS.clear()
