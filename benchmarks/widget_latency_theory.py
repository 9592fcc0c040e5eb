"""Latency of the theory explorers per control change, as a table.

Run:  python benchmarks/widget_latency_theory.py [--repeat 40] [--seed 0] [--blas-threads N]

Each row changes one control of OptimalDiscriminatorExplorer (1-D and 2-D)
or DivergenceExplorer to a fresh random value ``repeat`` times and times the
whole Python side of the change: building the distributions, the core
computation (D*, divergences, the shift sweep, samples and arrows in 2-D) and
the in-place FigureWidget updates (plotly validates and serialises every
array it is given). Budgets: 20 ms median for 1-D views, 60 ms for 2-D.

Reference rows measured in the same process give the ratios a meaning on a
shared, noisy machine: one bare ``optimal_discriminator`` call on the 200
points of a 1-D plot and on the 80 × 80 plane of the 2-D plot, and a bare
FigureWidget receiving one 200-point line.

``--blas-threads 1`` limits OpenBLAS/MKL threads (threadpoolctl) to show how
much of the 2-D cost is BLAS threads contending for busy cores: the core's
quadrature is a dot product over ~10⁴ nodes, which OpenBLAS splits over
threads.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
from _latency import BUDGET_MS, summarise, timed

import ganviz as gv
from ganviz.widgets.discriminator import OptimalDiscriminatorExplorer
from ganviz.widgets.divergences import DivergenceExplorer


def blas_limit(threads: int | None):
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits  # only for this comparison

    return threadpool_limits(limits=threads, user_api="blas")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="changes per control")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", type=int, default=None, help="limit BLAS threads")
    args = parser.parse_args()
    with blas_limit(args.blas_threads):
        run(args.repeat, np.random.default_rng(args.seed), args.blas_threads)


def run(n: int, rng: np.random.Generator, blas_threads: int | None) -> None:
    def uniform(low: float, high: float, step: float = 0.1) -> Callable[[], float]:
        return lambda: round(float(rng.uniform(low, high)) / step) * step

    # -- references ------------------------------------------------------------------------
    p1, q1 = gv.Gaussian(0, 1), gv.Gaussian(2, 0.7)
    x1 = np.linspace(-5, 5, 200)
    p2, q2 = gv.Gaussian([0, 0], std=1), gv.Gaussian([2, 1], std=0.7)
    xs, ys = gv.view_axes(p2, q2, n=80)
    plane = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    bare = go.FigureWidget(go.Figure(go.Scatter(x=x1, y=x1)))

    def bare_update():
        with bare.batch_update():
            bare.data[0].y = rng.normal(size=200)

    references = [
        (
            "ref: optimal_discriminator, 200 pts",
            [timed(lambda: gv.optimal_discriminator(p1, q1, x1)) for _ in range(n)],
        ),
        (
            "ref: optimal_discriminator, 80×80",
            [timed(lambda: gv.optimal_discriminator(p2, q2, plane)) for _ in range(n)],
        ),
        ("ref: bare FigureWidget, 1 line", [timed(bare_update) for _ in range(n)]),
    ]

    rows: list[tuple[str, int, list[float]]] = []

    def series(explorer, label: str, dim: int, name: str, draw, setup: dict | None = None):
        for key, value in (setup or {}).items():
            explorer.controls[key].value = value
        times = []
        for _ in range(n):
            value = draw()
            times.append(timed(lambda v=value: setattr(explorer.controls[name], "value", v)))
            assert explorer.error is None, (label, explorer.error)
        rows.append((label, dim, times))

    # -- OptimalDiscriminatorExplorer, 1-D ------------------------------------------------------
    d1 = OptimalDiscriminatorExplorer()
    tag = "D* 1-D"
    series(d1, f"{tag}: shift", 1, "shift", uniform(-6, 6))
    series(d1, f"{tag}: P_data mean", 1, "data_mean", uniform(-4, 4))
    series(d1, f"{tag}: P_g std", 1, "g_std", uniform(0.1, 3, 0.05))
    series(d1, f"{tag}: shift, critic shown", 1, "shift", uniform(-6, 6), {"show_critic": True})
    series(
        d1,
        f"{tag}: P_g mixture weight",
        1,
        "g_weight1",
        uniform(0.05, 1, 0.05),
        {"show_critic": False, "g_family": "Mixture of two Gaussians"},
    )
    series(
        d1,
        f"{tag}: P_data uniform high",
        1,
        "data_high",
        uniform(1.5, 6),
        {"data_family": "Uniform", "data_low": 1.0},
    )
    texts = [
        ", ".join(f"{v:.2f}" for v in rng.normal(size=int(rng.integers(5, 40)))) for _ in range(n)
    ]
    series(
        d1,
        f"{tag}: your points (text, ≤40)",
        1,
        "data_points",
        lambda: texts[int(rng.integers(len(texts)))],
        {"data_family": "Your points"},
    )

    # -- OptimalDiscriminatorExplorer, 2-D ------------------------------------------------------
    d2 = OptimalDiscriminatorExplorer(dim=2)
    tag = "D* 2-D"
    series(d2, f"{tag}: shift x", 2, "shift_x", uniform(-4, 4))
    series(d2, f"{tag}: P_data correlation ρ", 2, "data_rho", uniform(-0.9, 0.9, 0.05))
    series(d2, f"{tag}: P_g std x", 2, "g_std_x", uniform(0.2, 2, 0.05))
    losses = list(gv.LOSSES)
    counter = iter(range(10**6))
    series(d2, f"{tag}: loss (cycling 3)", 2, "loss", lambda: losses[next(counter) % 3])
    series(
        d2,
        f"{tag}: shift x, Wasserstein arrows",
        2,
        "shift_x",
        uniform(-4, 4),
        {"loss": "wasserstein"},
    )
    series(
        d2,
        f"{tag}: P_data mixture σ₁",
        2,
        "data_std1",
        uniform(0.2, 1.5, 0.05),
        {"loss": "nonsaturating", "data_family": "Mixture of two Gaussians"},
    )
    d2.clear_points()
    clicks = []
    for _ in range(n):  # a learner clicking 40 points one after the other
        x, y = rng.uniform(-2, 2, size=2)
        clicks.append(timed(lambda x=x, y=y: d2.add_point(x, y)))
        assert d2.error is None, d2.error
    rows.append((f"{tag}: click adds a point (1…{n})", 2, clicks))

    # -- DivergenceExplorer ---------------------------------------------------------------------
    dv = DivergenceExplorer()
    tag = "divergences"
    series(dv, f"{tag}: shift (markers only)", 1, "shift", uniform(-6, 6))
    series(dv, f"{tag}: P_data mean (new sweep)", 1, "data_mean", uniform(-3, 3))
    series(dv, f"{tag}: P_g std (new sweep)", 1, "g_std", uniform(0.1, 3, 0.05))
    series(
        dv,
        f"{tag}: P_g mixture weight",
        1,
        "g_weight2",
        uniform(0.05, 1, 0.05),
        {"g_family": "Mixture of two Gaussians"},
    )
    series(
        dv,
        f"{tag}: uniforms, P_data high",
        1,
        "data_high",
        uniform(1.5, 6),
        {"data_family": "Uniform", "g_family": "Uniform", "data_low": 1.0},
    )
    series(dv, f"{tag}: uniforms, shift", 1, "shift", uniform(-6, 6))

    # -- table --------------------------------------------------------------------------------
    threads = "default" if blas_threads is None else str(blas_threads)
    print(
        f"Theory explorers: latency per control change ({n} changes each; "
        f"BLAS threads: {threads}; budget: median ≤ {BUDGET_MS[1]:.0f} ms in 1-D, "
        f"≤ {BUDGET_MS[2]:.0f} ms in 2-D)\n"
    )
    ref_1d = summarise(references[0][1])[0]
    header = f"{'control':44s} {'median ms':>10s} {'p90 ms':>8s} {'× ref D*':>9s}  budget"
    print(header)
    print("-" * len(header))
    for label, times in references:
        med, p90 = summarise(times)
        print(f"{label:44s} {med:10.2f} {p90:8.2f}")
    for label, dim, times in rows:
        med, p90 = summarise(times)
        verdict = "ok" if med <= BUDGET_MS[dim] else "OVER"
        print(f"{label:44s} {med:10.2f} {p90:8.2f} {med / ref_1d:9.0f}  {verdict} ({dim}-D)")


if __name__ == "__main__":
    main()
