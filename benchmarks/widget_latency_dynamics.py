"""Latency of DynamicsExplorer per control change, as a table.

Run:  python benchmarks/widget_latency_dynamics.py [--repeat 40] [--seed 0]

Each row changes one control to a fresh random value ``repeat`` times and
times the whole Python side of the change: the core computation (trajectory,
eigenvalues, vector field and value when they change) and the in-place
FigureWidget updates. The budget is a 20 ms median per control. Two reference
rows measured in the same process give the ratios a meaning on a shared,
noisy machine: a bare FigureWidget receiving one 500-point line, and the core
computation alone for a default change (``dirac_trajectory`` + eigenvalues).

The continuous-time flow (a checkbox, off by default) runs an ODE solver and
is reported separately; it is not held to the budget.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
from _latency import summarise

from ganviz import dynamics as dyn
from ganviz.widgets.dynamics import DynamicsExplorer

BUDGET_MS = 20.0


#: CPU time of this process for each timed call, in the order of the calls (filled by timed).
CPU_MS: list[float] = []


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock ms of one call; its CPU ms (immune to other processes on a shared
    machine, since the update is single-threaded Python) is appended to CPU_MS."""
    cpu = time.process_time()
    start = time.perf_counter()
    fn()
    wall = 1e3 * (time.perf_counter() - start)
    CPU_MS.append(1e3 * (time.process_time() - cpu))
    return wall


def timed_series(calls: Callable[[], list[float]]) -> tuple[list[float], list[float]]:
    """Run ``calls`` (which uses timed) and return its wall and CPU times."""
    first = len(CPU_MS)
    wall = calls()
    return wall, CPU_MS[first:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="changes per control")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.repeat

    rows: list[tuple[str, list[float], list[float]]] = []

    def row(label: str, calls: Callable[[], list[float]]) -> None:
        wall, cpu = timed_series(calls)
        rows.append((label, wall, cpu))

    # -- references, measured in this process ------------------------------------------
    bare = go.FigureWidget(go.Figure(go.Scatter(x=[0.0], y=[0.0])))
    line = rng.normal(size=(500, 2))

    def bare_update():
        with bare.batch_update():
            bare.data[0].x = line[:, 0] + rng.normal()
            bare.data[0].y = line[:, 1]

    def core_only():
        h = rng.uniform(0.05, 1.0)
        dyn.dirac_trajectory("gan", steps=500, step_size=h)
        dyn.dirac_eigenvalues("gan")
        dyn.dirac_update_eigenvalues("gan", "simultaneous", h)

    row("reference: bare FigureWidget, 1 line", lambda: [timed(bare_update) for _ in range(n)])
    row("reference: core only (traj + eig)", lambda: [timed(core_only) for _ in range(n)])

    # -- the explorer, one control at a time ---------------------------------------------
    explorer = DynamicsExplorer(steps=500)
    objectives = list(dyn.OBJECTIVES)
    default = {"objective": "gan", "method": "simultaneous", "steps": 500, "show_flow": False}

    def change(name: str, value) -> float:
        wall = timed(lambda: setattr(explorer.controls[name], "value", value))
        assert explorer.error is None, explorer.error
        return wall

    def series(setup: dict, name: str, draw: Callable[[], object]) -> Callable[[], list[float]]:
        def calls() -> list[float]:
            explorer.set(**setup)
            return [change(name, draw()) for _ in range(n)]

        return calls

    def uniform(low, high):
        return lambda: round(float(rng.uniform(low, high)), 2)

    row(
        "objective (cycling all 7)",
        lambda: [change("objective", objectives[i % len(objectives)]) for i in range(1, n + 1)],
    )
    explorer.set(**default)
    row("method (toggle)", lambda: [change("method", dyn.METHODS[i % 2]) for i in range(1, n + 1)])
    row("step size h", series(default, "step_size", uniform(0.01, 2.0)))
    row(
        "k (alternating)",
        series({**default, "method": "alternating"}, "d_steps", lambda: int(rng.integers(1, 11))),
    )
    row(
        "γ (gradient penalty)",
        series({**default, "objective": "gradient-penalty"}, "gamma", uniform(0, 3)),
    )
    row(
        "γ (consensus, alternating k=3)",
        series(
            {**default, "objective": "consensus", "method": "alternating", "d_steps": 3},
            "gamma",
            uniform(0, 3),
        ),
    )
    row(
        "σ (instance noise)",
        series({**default, "objective": "instance-noise"}, "sigma", uniform(0, 3)),
    )
    row("start θ₀", series(default, "theta0", uniform(-2, 2)))
    row("start ψ₀", series(default, "psi0", uniform(-2, 2)))
    row("steps", series(default, "steps", lambda: int(rng.integers(1, 301)) * 10))
    explorer.set(**default)
    row(
        "click (set_start)",
        lambda: [timed(lambda: explorer.set_start(*rng.uniform(-2, 2, size=2))) for _ in range(n)],
    )
    explorer.set(**{**default, "show_flow": True})
    row(
        "flow on: step size h (ODE solve)",
        lambda: [change("step_size", uniform(0.05, 1.0)()) for _ in range(max(5, n // 4))],
    )

    # -- the table ----------------------------------------------------------------------------
    print(
        f"DynamicsExplorer latency per control change ({n} changes each; budget "
        f"{BUDGET_MS:.0f} ms median). Wall = elapsed time; CPU = this process's CPU time,\n"
        "which other processes on a shared machine cannot inflate.\n"
    )
    reference_cpu = statistics.median(rows[0][2])
    header = (
        f"{'control':36s} {'wall med':>9s} {'wall p90':>9s} {'CPU med':>8s} {'CPU p90':>8s}"
        f" {'CPU × bare FW':>14s}  budget (CPU median)"
    )
    print(header)
    print("-" * len(header))
    for label, wall, cpu in rows:
        wall_med, wall_p90 = summarise(wall)
        cpu_med, cpu_p90 = summarise(cpu)
        if label.startswith("reference"):
            verdict = ""
        elif label.startswith("flow on"):
            verdict = "(not budgeted)"
        else:
            verdict = "ok" if cpu_med <= BUDGET_MS else "OVER"
        print(
            f"{label:36s} {wall_med:9.2f} {wall_p90:9.2f} {cpu_med:8.2f} {cpu_p90:8.2f}"
            f" {cpu_med / reference_cpu:14.1f}  {verdict}"
        )


if __name__ == "__main__":
    main()
