"""What the widget-latency benchmarks share: the budgets, a timer and a summary."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

#: Median Python cost allowed for one control change, by dimension of the view (ms).
BUDGET_MS = {1: 20.0, 2: 60.0}


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock milliseconds of one call of ``fn``."""
    start = time.perf_counter()
    fn()
    return 1e3 * (time.perf_counter() - start)


def summarise(times: list[float]) -> tuple[float, float]:
    """(median, 90th percentile) of ``times``."""
    return statistics.median(times), float(np.percentile(times, 90))


def moves(explorer, name: str, values: Callable[[], object], n: int) -> list[float]:
    """Seconds of ``n`` changes of the control ``name`` to new ``values()`` (repeats skipped)."""
    control = explorer.controls[name]
    out = []
    for _ in range(n):
        value = values()
        if value == control.value:
            continue
        out.append(timed(lambda v=value: setattr(control, "value", v)))
        if explorer.error:
            raise RuntimeError(f"{name}={value!r} showed an error: {explorer.error}")
    return out


def bare_figure_update(rng: np.random.Generator) -> Callable[[], None]:
    """The plain reference of the widget benchmarks: a bare plotly FigureWidget whose one
    500-point line moves (what any plotly widget costs per change, before ganviz)."""
    import plotly.graph_objects as go

    bare = go.FigureWidget(go.Figure(go.Scatter(x=[0.0], y=[0.0])))
    line = rng.normal(size=500)

    def update() -> None:
        with bare.batch_update():
            bare.data[0].x = line + rng.normal()
            bare.data[0].y = line

    return update
