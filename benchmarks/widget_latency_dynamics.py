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

from ganviz import dynamics as dyn
from ganviz.widgets.dynamics import DynamicsExplorer

BUDGET_MS = 20.0


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return 1e3 * (time.perf_counter() - start)


def summarise(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), float(np.percentile(times, 90))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="changes per control")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.repeat

    # -- references --------------------------------------------------------------------
    bare = go.FigureWidget(go.Figure(go.Scatter(x=[0.0], y=[0.0])))
    line = rng.normal(size=(500, 2))

    def bare_update():
        with bare.batch_update():
            bare.data[0].x = line[:, 0] + rng.normal()
            bare.data[0].y = line[:, 1]

    reference = summarise([timed(bare_update) for _ in range(n)])
    model = summarise(
        [
            timed(
                lambda: (
                    dyn.dirac_trajectory("gan", steps=500, step_size=rng.uniform(0.05, 1.0)),
                    dyn.dirac_eigenvalues("gan"),
                    dyn.dirac_update_eigenvalues("gan", "simultaneous", 0.2),
                )
            )
            for _ in range(n)
        ]
    )

    explorer = DynamicsExplorer(steps=500)
    objectives = list(dyn.OBJECTIVES)

    def change(name: str, value) -> float:
        return timed(lambda: setattr(explorer.controls[name], "value", value))

    def series(setup: dict, name: str, draw: Callable[[], object]) -> list[float]:
        explorer.set(**setup)
        times = []
        for _ in range(n):
            times.append(change(name, draw()))
            assert explorer.error is None, explorer.error
        return times

    rows: list[tuple[str, list[float]]] = []
    default = {"objective": "gan", "method": "simultaneous", "steps": 500, "show_flow": False}
    rows.append(
        (
            "objective (cycling all 7)",
            [change("objective", objectives[i % len(objectives)]) for i in range(1, n + 1)],
        )
    )
    explorer.set(**default)
    rows.append(
        (
            "method (toggle)",
            [change("method", dyn.METHODS[i % 2]) for i in range(1, n + 1)],
        )
    )
    rows.append(
        ("step size h", series(default, "step_size", lambda: round(rng.uniform(0.01, 2.0), 2)))
    )
    rows.append(
        (
            "k (alternating)",
            series(
                {**default, "method": "alternating"}, "d_steps", lambda: int(rng.integers(1, 11))
            ),
        )
    )
    rows.append(
        (
            "γ (gradient penalty)",
            series(
                {**default, "objective": "gradient-penalty"},
                "gamma",
                lambda: round(rng.uniform(0, 3), 2),
            ),
        )
    )
    rows.append(
        (
            "γ (consensus, alternating k=3)",
            series(
                {**default, "objective": "consensus", "method": "alternating", "d_steps": 3},
                "gamma",
                lambda: round(rng.uniform(0, 3), 2),
            ),
        )
    )
    rows.append(
        (
            "σ (instance noise)",
            series(
                {**default, "objective": "instance-noise"},
                "sigma",
                lambda: round(rng.uniform(0, 3), 2),
            ),
        )
    )
    rows.append(("start θ₀", series(default, "theta0", lambda: round(rng.uniform(-2, 2), 2))))
    rows.append(("start ψ₀", series(default, "psi0", lambda: round(rng.uniform(-2, 2), 2))))
    rows.append(("steps", series(default, "steps", lambda: int(rng.integers(1, 301)) * 10)))
    explorer.set(**default)
    rows.append(
        (
            "click (set_start)",
            [timed(lambda: explorer.set_start(*rng.uniform(-2, 2, size=2))) for _ in range(n)],
        )
    )
    explorer.set(**{**default, "show_flow": True})
    flow_rows = [
        (
            "flow on: step size h (ODE solve)",
            [change("step_size", round(rng.uniform(0.05, 1.0), 2)) for _ in range(max(5, n // 4))],
        )
    ]

    print(
        f"DynamicsExplorer latency per control change ({n} changes each; budget "
        f"{BUDGET_MS:.0f} ms median)\n"
    )
    ref_median = reference[0]
    header = f"{'control':36s} {'median ms':>10s} {'p90 ms':>8s} {'× bare FW':>10s}  budget"
    print(header)
    print("-" * len(header))
    print(f"{'reference: bare FigureWidget, 1 line':36s} {reference[0]:10.2f} {reference[1]:8.2f}")
    print(f"{'reference: core only (traj + eig)':36s} {model[0]:10.2f} {model[1]:8.2f}")
    for label, times in rows + flow_rows:
        med, p90 = summarise(times)
        verdict = "ok" if med <= BUDGET_MS else "OVER"
        if label.startswith("flow on"):
            verdict = "(not budgeted)"
        print(f"{label:36s} {med:10.2f} {p90:8.2f} {med / ref_median:10.1f}  {verdict}")


if __name__ == "__main__":
    main()
