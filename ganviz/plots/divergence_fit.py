"""One Gaussian fitted to P_data by each divergence, and one objective's landscape.

Left: p_data (blue, filled) with the single Gaussian that minimises each objective of
:data:`ganviz.f_divergences.OBJECTIVES` drawn over it — forward KL (maximum likelihood)
spreads over every mode, reverse KL and its relatives pick one. Right: the chosen
objective over the (mean μ, std σ) lattice as a filled contour plot (σ on a log axis),
its minimum starred and P_data's modes marked, so a learner sees *why* a fit lands
where it does: one basin or two.

The colour scale runs from the landscape's minimum to its 40th percentile (the basins;
everything higher shares the top colour, the hover shows the value); ``∞`` is left blank.
The figure keeps its traces in a fixed order (:data:`DIVERGENCE_FIT_TRACES`), so
:func:`update_divergence_fit_figure` refreshes it in place.

>>> import ganviz as gv
>>> from ganviz.plots.divergence_fit import divergence_fit_figure
>>> data = gv.Mixture([gv.Gaussian(-2, 0.5), gv.Gaussian(2, 0.5)], [0.6, 0.4])
>>> divergence_fit_figure(data, objective="kl_reverse")       # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..distributions import Distribution
from ..divergence_landscapes import Landscape, divergence_landscape
from ..f_divergences import OBJECTIVE_LABELS, OBJECTIVES
from . import style
from ._assign import assign, batched, relayout

__all__ = [
    "DIVERGENCE_FIT_TRACES",
    "OBJECTIVE_COLOURS",
    "divergence_fit_figure",
    "fit_trace_name",
    "landscape_colour_range",
    "update_divergence_fit_figure",
]

#: One colour per objective (the GAN losses keep the colours they have elsewhere).
OBJECTIVE_COLOURS = {
    "kl_forward": style.loss_colour("maximum_likelihood"),
    "kl_reverse": "#393b79",
    "js": style.loss_colour("minimax"),
    "nonsaturating": style.loss_colour("nonsaturating"),
    "lsgan": style.loss_colour("lsgan"),
    "pearson": "#636363",
    "hellinger": "#e377c2",
    "w1": style.loss_colour("wgan"),
}

#: Lines of the fit the landscape shows and of the others.
_CHOSEN_WIDTH, _OTHER_WIDTH = 4.0, 1.6
#: Quantile of the finite landscape values where the colour scale saturates.
_COLOUR_QUANTILE = 0.4


def fit_trace_name(objective: str) -> str:
    """Legend name of the fit of ``objective`` (``"fit: reverse KL"`` …)."""
    return f"fit: {OBJECTIVE_LABELS[objective]}"


#: Trace names, in order.
DIVERGENCE_FIT_TRACES = (
    "p_data",
    *(fit_trace_name(o) for o in OBJECTIVES),
    "landscape",
    "P_data modes",
    "minimum",
)


def _axis(p_data: Distribution, landscape: Landscape, n: int = 400) -> np.ndarray:
    lo, hi = p_data.view_extent()[0]
    means = landscape.lattice.means
    lo, hi = min(lo, means[0]), max(hi, means[-1])
    pad = 0.05 * (hi - lo)
    return np.linspace(lo - pad, hi + pad, n)


def landscape_colour_range(values: np.ndarray) -> tuple[float, float]:
    """(zmin, zmax) of a landscape's colour scale: its minimum and 40th percentile."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    low = float(finite.min())
    high = float(np.quantile(finite, _COLOUR_QUANTILE))
    return low, max(high, low + 1e-6 * max(1.0, abs(low)))


def _modes(p_data: Distribution) -> tuple[np.ndarray, np.ndarray]:
    try:
        pieces = p_data.pieces()
    except LookupError:
        pieces = []
    # Gaussian modes only: a KDE's kernels and a box have no centre-and-width to mark.
    keep = [p for p in pieces if p.base == "normal" and not p.kernel]
    return (
        np.array([float(p.loc[0]) for p in keep]),
        np.array([float(p.scale[0, 0]) for p in keep]),
    )


def _trace_data(p_data: Distribution, landscape: Landscape, objective: str) -> dict:
    x = _axis(p_data, landscape)
    out = {"p_data": {"x": x, "y": p_data.pdf(x)}}
    for name in OBJECTIVES:
        fit = landscape.minima.get(name)
        y = fit.pdf(x) if fit is not None else np.full_like(x, np.nan)
        out[fit_trace_name(name)] = {
            "x": x,
            "y": y,
            "line.width": _CHOSEN_WIDTH if name == objective else _OTHER_WIDTH,
            "opacity": 1.0 if name == objective else 0.75,
        }
    values = landscape.values[objective]
    z = np.where(np.isfinite(values), values, np.nan)
    zmin, zmax = landscape_colour_range(values)
    out["landscape"] = {
        "x": landscape.lattice.means,
        "y": landscape.lattice.stds,
        "z": z,
        "zmin": zmin,
        "zmax": zmax,
        "contours.start": zmin,
        "contours.end": zmax,
        "contours.size": (zmax - zmin) / 12.0,
        "colorbar.title.text": OBJECTIVE_LABELS[objective].split(" (")[0],
    }
    mode_means, mode_stds = _modes(p_data)
    out["P_data modes"] = {"x": mode_means, "y": mode_stds}
    best = landscape.minima[objective]
    value = landscape.minimum_values[objective]
    out["minimum"] = {
        "x": np.array([best.mean]),
        "y": np.array([best.std]),
        "text": [
            f"{OBJECTIVE_LABELS[objective]}: {value:.4g} at μ = {best.mean:.2f}, σ = {best.std:.2f}"
        ],
        "marker.color": OBJECTIVE_COLOURS[objective],
    }
    return out


def _title(landscape: Landscape, objective: str) -> str:
    best = landscape.minima[objective]
    return (
        f"min of {OBJECTIVE_LABELS[objective]}: "
        f"μ = {best.mean:.2f}, σ = {best.std:.2f}, value {landscape.minimum_values[objective]:.4g}"
    )


def divergence_fit_figure(
    p_data: Distribution,
    landscape: Landscape | None = None,
    *,
    objective: str = "js",
    title: str | None = None,
    height: int = 500,
    show_legend: bool = True,
) -> go.Figure:
    """P_data with every objective's best Gaussian (left) and one objective's landscape (right).

    ``landscape`` is a :class:`~ganviz.divergence_landscapes.Landscape` of ``p_data``
    (computed with :func:`~ganviz.divergence_landscapes.divergence_landscape` when
    omitted); ``objective`` chooses the landscape drawn and the fit drawn thick.
    ``show_legend=False`` leaves the legend out for a shorter figure (the explorer's table
    names the colours).
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}; got {objective!r}")
    if landscape is None:
        landscape = divergence_landscape(p_data)
    data = _trace_data(p_data, landscape, objective)
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.56, 0.44],
        horizontal_spacing=0.09,
        subplot_titles=("p_data and the best single Gaussian for each objective", ""),
    )
    fig.add_trace(
        go.Scatter(
            name="p_data",
            mode="lines",
            fill="tozeroy",
            line={"color": style.DATA, "width": 2},
            fillcolor="rgba(31,119,180,0.22)",
            **data["p_data"],
        ),
        row=1,
        col=1,
    )
    for name in OBJECTIVES:
        values = dict(data[fit_trace_name(name)])
        width, opacity = values.pop("line.width"), values.pop("opacity")
        fig.add_trace(
            go.Scatter(
                name=fit_trace_name(name),
                mode="lines",
                line={"color": OBJECTIVE_COLOURS[name], "width": width},
                opacity=opacity,
                **values,
            ),
            row=1,
            col=1,
        )
    land = dict(data["landscape"])
    fig.add_trace(
        go.Contour(
            name="landscape",
            x=land["x"],
            y=land["y"],
            z=land["z"],
            zmin=land["zmin"],
            zmax=land["zmax"],
            zauto=False,
            colorscale="Viridis",
            contours={
                "coloring": "heatmap",
                "start": land["contours.start"],
                "end": land["contours.end"],
                "size": land["contours.size"],
            },
            line={"width": 0.5, "color": "rgba(255,255,255,0.5)"},
            colorbar={"title": {"text": land["colorbar.title.text"], "side": "right"}, "len": 0.9},
            connectgaps=False,
            showlegend=False,
            hovertemplate="μ = %{x:.2f}<br>σ = %{y:.3f}<br>value %{z:.4g}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            name="P_data modes",
            mode="markers",
            marker={
                "symbol": "diamond",
                "size": 10,
                "color": style.DATA,
                "line": {"width": 1.5, "color": "white"},
            },
            hovertemplate="P_data mode: μ = %{x:.2f}, σ = %{y:.2f}<extra></extra>",
            showlegend=False,
            **data["P_data modes"],
        ),
        row=1,
        col=2,
    )
    minimum = dict(data["minimum"])
    colour = minimum.pop("marker.color")
    fig.add_trace(
        go.Scatter(
            name="minimum",
            mode="markers",
            marker={
                "symbol": "star",
                "size": 17,
                "color": colour,
                "line": {"width": 1.5, "color": "white"},
            },
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
            **minimum,
        ),
        row=1,
        col=2,
    )
    style.base_layout(fig, title=title or _title(landscape, objective), height=height)
    fig.update_layout(
        legend={
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": -0.16,
            "yanchor": "top",
            "font": {"size": 12},
        },
        margin={"t": 70, "b": 40},
        showlegend=bool(show_legend),
    )
    fig.update_xaxes(title_text="x", row=1, col=1)
    fig.update_yaxes(title_text="density", row=1, col=1)
    fig.update_xaxes(title_text="mean μ of P_g", row=1, col=2)
    fig.update_yaxes(
        title_text="std σ of P_g (log axis)",
        type="log",
        tickvals=[0.2, 0.3, 0.5, 1, 2, 3, 5],
        row=1,
        col=2,
    )
    return fig


def update_divergence_fit_figure(
    fig: go.Figure,
    p_data: Distribution,
    landscape: Landscape,
    *,
    objective: str = "js",
    title: str | None = None,
) -> None:
    """Refresh a :func:`divergence_fit_figure` in place (one batch update)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}; got {objective!r}")
    data = _trace_data(p_data, landscape, objective)
    with batched(fig):
        for trace, name in zip(fig.data, DIVERGENCE_FIT_TRACES, strict=True):
            assign(trace, data[name])
        relayout(fig, {"title.text": title or _title(landscape, objective)})
