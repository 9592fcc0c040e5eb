"""Speed of the numpy/scipy core, as a table.

Run:  python benchmarks/core_speed.py            (both tables)
      python benchmarks/core_speed.py --extreme  (only the "extreme inputs" table)

Each row times one core operation (median of repeated calls) and divides by
a plain-numpy reference measured in the same run — the bare Gaussian density
formula on the same number of points — so the ratio means something on a
shared, noisy machine. The issue's budget: a 200×200 2-D evaluation well
under 50 ms.

A second table, "extreme inputs", times every public theory call on pairs
far apart (up to 10¹²σ), twelve decades apart in scale, or nearly
degenerate (ρ = 0.99999), crossed ridges (ρ = 0.999 against an axis-aligned
one: each side on a grid in its own frame), and heavy mixtures (grid25,
ring8, a 7×7 grid);
the target is ~0.1 s per call. In 2-D the W1 columns are the
optimal-transport estimate on 128 samples (its cost depends on the sample
count, not on the input).
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


EXTREME_PAIRS = [
    ("N(0,1) vs N(1e6,1)", gv.Gaussian(0, 1), gv.Gaussian(1e6, 1)),
    ("N(0,1) vs N(1e8,1)", gv.Gaussian(0, 1), gv.Gaussian(1e8, 1)),
    ("N(0,1) vs N(1e12,1)", gv.Gaussian(0, 1), gv.Gaussian(1e12, 1)),
    ("N(0,1e-6) vs N(0,1e6)", gv.Gaussian(0, 1e-6), gv.Gaussian(0, 1e6)),
    ("U(0,1e-6) vs U(0,1e6)", gv.Uniform(0, 1e-6), gv.Uniform(0, 1e6)),
    ("2-D N 30σ apart", gv.Gaussian([0, 0], std=1), gv.Gaussian([30, 0], std=1)),
    ("2-D N 3000σ apart", gv.Gaussian([0, 0], std=1), gv.Gaussian([3000, 0], std=1)),
    ("2-D N 1e6σ apart (diagonal)", gv.Gaussian([0, 0], std=1), gv.Gaussian([7e5, 7e5], std=1)),
    (
        "2-D ρ=0.99 vs N(0,I)",
        gv.Gaussian([0, 0], cov=[[1, 0.99], [0.99, 1]]),
        gv.Gaussian([0, 0], std=1),
    ),
    (
        "2-D ρ=0.99999 vs N(0,I)",
        gv.Gaussian([0, 0], cov=[[1, 0.99999], [0.99999, 1]]),
        gv.Gaussian([0, 0], std=1),
    ),
    ("2-D N(0,1e-6 I) vs N(0,1e6 I)", gv.Gaussian([0, 0], std=1e-6), gv.Gaussian([0, 0], std=1e6)),
    (
        "2-D crossed ridges ρ=0.999 vs sd (3, 0.1)",
        gv.Gaussian([0, 0], cov=[[4, 3.996], [3.996, 4]]),
        gv.Gaussian([0, 0], cov=[[9, 0], [0, 0.01]]),
    ),
    ("grid25 (σ=0.05) vs N(0, I)", gv.grid_of_gaussians(5, 2.0, 0.05), gv.Gaussian([0, 0], std=1)),
    (
        "ring8 (σ=0.02) vs grid25",
        gv.ring_of_gaussians(8, 2.0, 0.02),
        gv.grid_of_gaussians(5, 2.0, 0.05),
    ),
    (
        "grid49 (σ=0.05) vs ring8",
        gv.grid_of_gaussians(7, 1.5, 0.05),
        gv.ring_of_gaussians(8, 2.0, 0.1),
    ),
]


def extreme_table(repeat: int = 5) -> None:
    """Median ms of every public theory call on extreme pairs (target ~100 ms)."""
    calls = {
        "JS": lambda p, q, n: gv.js_divergence(p, q),
        "KL": lambda p, q, n: gv.kl_divergence(p, q),
        "TV": lambda p, q, n: gv.total_variation(p, q),
        "V": lambda p, q, n: gv.value_function(p, q),
        "D*": lambda p, q, n: gv.optimal_discriminator(p, q, p.sample(200, seed=0)),
        "∇ minimax": lambda p, q, n: gv.generator_gradient(p, q, "minimax"),
        "∇ nonsat": lambda p, q, n: gv.generator_gradient(p, q, "nonsaturating"),
        "W1": lambda p, q, n: gv.wasserstein_distance(p, q, **n),
        "all": lambda p, q, n: gv.divergences(p, q, **n),
    }
    width = max(len(name) for name, _, _ in EXTREME_PAIRS)
    print("\nextreme inputs (median ms per call; target ~100 ms)")
    print(f"{'pair':<{width}}" + "".join(f"{c:>11}" for c in calls))
    print("-" * (width + 11 * len(calls)))
    for name, p, q in EXTREME_PAIRS:
        n = {"n_samples": 128} if p.dim == 2 else {}
        row = [median_ms(lambda f=f, p=p, q=q, n=n: f(p, q, n), repeat) for f in calls.values()]
        print(f"{name:<{width}}" + "".join(f"{ms:>11.1f}" for ms in row))


def main() -> None:
    data2 = gv.Gaussian([0, 0], cov=[[1.0, 0.3], [0.3, 0.8]])
    fake2 = gv.Mixture([gv.Gaussian([2, 1], std=0.7), gv.Gaussian([-1, 2], std=0.5)])
    other2 = gv.Gaussian([1, 1], cov=[[0.5, 0.0], [0.0, 1.0]])
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
        ("TV in 2-D, two Gaussians (cut at the kink)", lambda: gv.total_variation(data2, other2)),
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
    extreme_table()


if __name__ == "__main__":
    import sys

    if "--extreme" in sys.argv[1:]:
        extreme_table()
    else:
        main()
