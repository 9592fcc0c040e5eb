"""Figures of a seed sweep: how often each loss covers every mode, with its uncertainty.

Plain data in (rows of a :func:`ganviz.train.sweep` summary and its runs as
dicts), a ``plotly.graph_objects.Figure`` out; nothing here imports torch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import style

__all__ = ["coverage_intervals"]


def coverage_intervals(
    summary: Sequence[Mapping],
    runs: Sequence[Mapping] = (),
    *,
    title: str | None = "Mode coverage over seeds",
    height: int = 380,
) -> go.Figure:
    """P(all modes covered) per loss with its 95 % interval, beside modes covered per seed.

    ``summary`` rows hold ``loss``, ``runs``, ``p_all_modes``, ``ci`` (low, high),
    ``mean_modes`` and ``modes_total``; ``runs`` rows hold ``loss``, ``seed`` and
    ``modes_covered`` (one dot per seed in the right panel; the mean is a bar).
    """
    rows = list(summary)
    if not rows:
        raise ValueError("summary must hold at least one loss")
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=[
            "P(all modes covered), 95 % Wilson interval",
            "modes covered: one dot per seed, bar = mean",
        ],
    )
    losses = [r["loss"] for r in rows]
    for r in rows:
        colour = style.loss_colour(r["loss"])
        low, high = r["ci"]
        p = r["p_all_modes"]
        fig.add_trace(
            go.Scatter(
                x=[r["loss"]],
                y=[p],
                mode="markers",
                name=r["loss"],
                legendgroup=r["loss"],
                marker={"color": colour, "size": 12},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [high - p],
                    "arrayminus": [p - low],
                    "color": colour,
                    "thickness": 2,
                    "width": 8,
                },
                hovertemplate=f"{r['loss']}: {p:.0%} of {r['runs']} seeds "
                f"[{low:.0%}, {high:.0%}]<extra></extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Bar(
                x=[r["loss"]],
                y=[r["mean_modes"]],
                name=r["loss"],
                legendgroup=r["loss"],
                showlegend=False,
                marker={"color": colour, "opacity": 0.35},
                hovertemplate=f"mean {r['mean_modes']:.2f} of {r['modes_total']} modes"
                "<extra></extra>",
            ),
            row=1,
            col=2,
        )
    rng = np.random.default_rng(0)  # fixed jitter
    for loss in losses:
        mine = [r for r in runs if r["loss"] == loss]
        if not mine:
            continue
        position = losses.index(loss)
        fig.add_trace(
            go.Scatter(
                x=position + rng.uniform(-0.25, 0.25, len(mine)),
                y=[r["modes_covered"] for r in mine],
                mode="markers",
                name=loss,
                legendgroup=loss,
                showlegend=False,
                marker={"color": style.loss_colour(loss), "size": 7, "line": {"width": 0.5}},
                customdata=[r["seed"] for r in mine],
                hovertemplate="seed %{customdata}: %{y} modes<extra>" + loss + "</extra>",
            ),
            row=1,
            col=2,
        )
    total = max(int(r["modes_total"]) for r in rows)
    style.base_layout(fig, title=title, height=height)
    fig.update_yaxes(title_text="probability", range=[-0.02, 1.02], row=1, col=1)
    fig.update_yaxes(title_text="modes covered", range=[-0.3, total + 0.5], row=1, col=2)
    fig.update_xaxes(type="category", row=1, col=1)
    fig.update_xaxes(
        tickvals=list(range(len(losses))), ticktext=losses, range=[-0.6, len(losses) - 0.4],
        row=1, col=2,
    )  # fmt: skip
    # Bars sit at category positions 0, 1, … so numeric dots line up with them.
    for trace in fig.data:
        if isinstance(trace, go.Bar):
            trace.x = [losses.index(trace.x[0])]
    return fig
