"""Latency of the divergence-fit explorer (notebook 08) per control change, as a table.

Run:  python benchmarks/widget_latency_divergence_fit.py [--repeat 30] [--seed 0]

Each row sets one control of ``DivergenceFitExplorer`` to a fresh random value
``repeat`` times and times the whole Python side of the change: for the P_data
controls every landscape of the 41 × 31 lattice (eight objectives), eight refined
minima and the in-place FigureWidget update; for the landscape dropdown only the
swap of the picture. The budget of this explorer is 100 ms (eight 2-D landscapes
per change, not one curve). Reference rows measured in the same process give the
numbers a meaning on a shared, noisy machine: a bare FigureWidget receiving one
500-point line, and one landscape of one objective (reverse KL).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _latency import bare_figure_update, moves, summarise, timed

from ganviz import f_divergences as fd
from ganviz.widgets.divergence_fit import DivergenceFitExplorer

BUDGET_MS = 100.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="changes per control")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.repeat

    bare_update = bare_figure_update(rng)

    data = fd.mixture_of_modes()
    fd.divergence_landscape(data, ("kl_reverse",))  # warm the lattice cache
    rows = [
        (
            "reference: bare FigureWidget, one 500-point line",
            [timed(bare_update) for _ in range(n)],
        ),
        (
            "reference: one landscape (reverse KL), core only",
            [timed(lambda: fd.divergence_landscape(data, ("kl_reverse",))) for _ in range(n)],
        ),
    ]

    start = time.perf_counter()
    explorer = DivergenceFitExplorer()
    build = 1e3 * (time.perf_counter() - start)

    def step(lo, hi, size):
        return lambda: round(float(rng.choice(np.arange(lo, hi + size / 2, size))), 2)

    objectives = list(fd.OBJECTIVES)
    rows += [
        ("separation", moves(explorer, "separation", step(0.0, 8.0, 0.25), n)),
        ("left weight", moves(explorer, "weight", step(0.05, 0.95, 0.05), n)),
        ("mode std", moves(explorer, "width", step(0.2, 1.5, 0.05), n)),
        ("modes (2 ↔ 3)", moves(explorer, "modes", lambda: int(rng.integers(2, 4)), n)),
        (
            "landscape dropdown",
            moves(explorer, "landscape", lambda: objectives[int(rng.integers(8))], n),
        ),
    ]
    print(f"build: DivergenceFitExplorer {build:.0f} ms")
    print(f"{'control':<52} {'median ms':>9} {'p90 ms':>8} {'budget':>10}")
    for name, times in rows:
        median, p90 = summarise(times)
        budget = "" if name.startswith("reference") else ("ok" if median <= BUDGET_MS else "OVER")
        print(f"{name:<52} {median:9.1f} {p90:8.1f} {budget:>7} {'' if not budget else '100'}")


if __name__ == "__main__":
    main()
