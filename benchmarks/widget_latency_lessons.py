"""Latency of the vanishing-gradient and mode-collapse explorers per control change, as a table.

Run:  python benchmarks/widget_latency_lessons.py [--repeat 40] [--seed 0] [--fits]

Each row sets one control of one explorer to a fresh random value ``repeat``
times and times the whole Python side of the change (the core computation and
the in-place FigureWidget updates), reporting the median and 90th percentile
in milliseconds against the budget (20 ms for 1-D views, 60 ms for 2-D).
Reference rows measured in the same process give the ratios a meaning on a
shared, noisy machine: a bare FigureWidget receiving one 500-point line, and
one bare core call (``ganviz.generator_gradient`` of two 1-D Gaussians).

``--fits`` also times the three fit buttons of the mode-collapse explorer
(not held to the budget: the widget shows "fitting…" while they run).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _latency import BUDGET_MS, bare_figure_update, moves, summarise, timed

import ganviz as gv
from ganviz.widgets.gradients import VanishingGradientExplorer
from ganviz.widgets.modes import ModeCollapseExplorer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="changes per control")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fits", action="store_true", help="also time the fit buttons")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.repeat

    # -- references ---------------------------------------------------------------------
    bare_update = bare_figure_update(rng)

    data, fake = gv.Gaussian(0.0, 1.0), gv.Gaussian(3.0, 1.0)
    rows: list[tuple[str, str, int | None, tuple[float, float]]] = [
        (
            "reference",
            "bare FigureWidget, one 500-point line",
            None,
            summarise([timed(bare_update) for _ in range(n)]),
        ),
        (
            "reference",
            "one core call: generator_gradient (1-D)",
            None,
            summarise(
                [timed(lambda: gv.generator_gradient(data, fake, "minimax")) for _ in range(n)]
            ),
        ),
    ]

    def uniform(lo, hi, digits=2):
        return lambda: round(float(rng.uniform(lo, hi)), digits)

    # -- vanishing gradients ------------------------------------------------------------------
    start = time.perf_counter()
    vg = VanishingGradientExplorer()
    build_vg = 1e3 * (time.perf_counter() - start)
    families, losses, views = ["gaussian", "uniform"], list(gv.LOSSES), [1, 2]
    for dim in (1, 2):
        vg.controls["view"].value = dim
        view = f"VanishingGradient {dim}-D"
        rows.append(
            (view, "separation", dim, summarise(moves(vg, "separation", uniform(0, 12, 1), n)))
        )
        rows.append(
            (view, "fake_spread", dim, summarise(moves(vg, "fake_spread", uniform(0.2, 3), n)))
        )
        rows.append(
            (view, "data_spread", dim, summarise(moves(vg, "data_spread", uniform(0.2, 3), n)))
        )
        rows.append(
            (
                view,
                "family",
                dim,
                summarise(moves(vg, "family", lambda: families[int(rng.integers(2))], n)),
            )
        )
        if dim == 2:
            rows.append(
                (
                    view,
                    "arrows",
                    dim,
                    summarise(moves(vg, "arrows", lambda: losses[int(rng.integers(3))], n)),
                )
            )
    rows.append(
        (
            "VanishingGradient",
            "view (1-D ↔ 2-D)",
            2,
            summarise(moves(vg, "view", lambda: views[int(rng.integers(2))], n)),
        )
    )

    # -- mode collapse ----------------------------------------------------------------------------
    start = time.perf_counter()
    mc = ModeCollapseExplorer()
    build_mc = 1e3 * (time.perf_counter() - start)
    for dim in (2, 1):
        mc.controls["layout"].value = dim
        view = f"ModeCollapse {dim}-D"
        rows.append(
            (
                view,
                "n_covered",
                dim,
                summarise(
                    moves(
                        mc, "n_covered", lambda: int(rng.integers(1, mc.controls["k"].value + 1)), n
                    )
                ),
            )
        )

        def subset():
            k = mc.controls["k"].value
            size = int(rng.integers(1, k + 1))
            return tuple(sorted(rng.choice(k, size=size, replace=False).tolist()))

        rows.append((view, "covered", dim, summarise(moves(mc, "covered", subset, n))))
        rows.append(
            (view, "k", dim, summarise(moves(mc, "k", lambda: int(rng.integers(2, 11)), n)))
        )
        rows.append((view, "spread", dim, summarise(moves(mc, "spread", uniform(0.1, 0.6), n))))
        rows.append((view, "spacing", dim, summarise(moves(mc, "spacing", uniform(0.8, 3.0), n))))

    # -- table ------------------------------------------------------------------------------
    ref = rows[0][3][0]
    print(f"builds: VanishingGradientExplorer {build_vg:.0f} ms, ", end="")
    print(f"ModeCollapseExplorer {build_mc:.0f} ms")
    header = ("explorer / view", "control", "median ms", "p90 ms", "× bare", "budget")
    widths = (-26, -42, 9, 8, 7, 7)
    print(
        " ".join(
            f"{h:{'<' if w < 0 else '>'}{abs(w)}}" for h, w in zip(header, widths, strict=True)
        )
    )
    for view, control, dim, (median, p90) in rows:
        budget = (
            ""
            if dim is None
            else ("ok" if median <= BUDGET_MS[dim] else "OVER") + f" {BUDGET_MS[dim]:.0f}"
        )
        print(f"{view:<26} {control:<42} {median:9.2f} {p90:8.2f} {median / ref:7.1f} {budget:>7}")

    if args.fits:
        print()
        print(f"{'fit button':<40} {'seconds':>8}")
        for dim in (1, 2):
            mc.controls["layout"].value = dim
            for divergence in ("kl_forward", "kl_reverse", "js"):
                mc.clear_fit_cache()
                seconds = timed(lambda d=divergence: mc.fit(d)) / 1e3
                print(f"{f'{dim}-D {divergence}':<40} {seconds:8.2f}")


if __name__ == "__main__":
    main()
