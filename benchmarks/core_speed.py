"""Speed of the numpy/scipy core, as a table.

Run:  python benchmarks/core_speed.py

Each row times one core operation (median of repeated calls) and divides by
a plain-numpy reference measured in the same run — the bare Gaussian density
formula on the same number of points — so the ratio means something on a
shared, noisy machine. The issue's budget: a 200×200 2-D evaluation well
under 50 ms.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import ganviz as gv


def median_ms(fn, repeat: int = 30) -> float:
    fn()  # warm caches (Legendre nodes, imports)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main() -> None:
    data2 = gv.Gaussian([0, 0], cov=[[1.0, 0.3], [0.3, 0.8]])
    fake2 = gv.Mixture([gv.Gaussian([2, 1], std=0.7), gv.Gaussian([-1, 2], std=0.5)])
    ring = gv.ring_of_gaussians(8, radius=2.0, std=0.1)
    xs = ys = np.linspace(-4, 4, 200)
    gx, gy = np.meshgrid(xs, ys)
    plane = np.stack([gx, gy], axis=-1)
    mean, prec = np.zeros(2), np.linalg.inv([[1.0, 0.3], [0.3, 0.8]])

    def plain_density():
        d = plane - mean
        return np.exp(-0.5 * np.einsum("...i,ij,...j->...", d, prec, d))

    data1, fake1 = gv.Gaussian(0, 1), gv.Mixture([gv.Gaussian(2, 0.5), gv.Gaussian(-3, 1)])
    rows = [
        ("reference: bare numpy Gaussian on 200×200", plain_density),
        (
            "D* on a 200×200 grid (Gaussian vs 2-mixture)",
            lambda: gv.optimal_discriminator(data2, fake2, plane),
        ),
        (
            "D* on a 200×200 grid (8-Gaussian ring vs Gaussian)",
            lambda: gv.optimal_discriminator(ring, data2, plane),
        ),
        (
            "sample_gradients, 500 fakes, nonsaturating (2-D)",
            lambda: gv.sample_gradients(data2, fake2, fake2.sample(500, seed=0)),
        ),
        ("JS in 2-D (auto grid)", lambda: gv.js_divergence(data2, fake2)),
        ("JS in 2-D, ring σ=0.1 vs Gaussian", lambda: gv.js_divergence(ring, data2)),
        ("divergences() in 1-D (JS, KL×2, TV, W1, V)", lambda: gv.divergences(data1, fake1)),
        ("generator_gradient 1-D, minimax", lambda: gv.generator_gradient(data1, fake1, "minimax")),
        ("W1 in 2-D (OT on 512 samples)", lambda: gv.wasserstein_distance(data2, fake2)),
    ]
    results = [(name, median_ms(fn)) for name, fn in rows]
    reference = results[0][1]
    width = max(len(name) for name, _ in results)
    print(f"{'operation':<{width}}  {'median ms':>10}  {'× reference':>12}")
    print("-" * (width + 26))
    for name, ms in results:
        print(f"{name:<{width}}  {ms:>10.2f}  {ms / reference:>12.1f}")


if __name__ == "__main__":
    main()
