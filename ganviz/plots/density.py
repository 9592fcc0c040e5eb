"""1-D densities with the optimal discriminator, and the optimal WGAN critic beside it.

The picture of Goodfellow et al. (2014), Fig. 1: p_data (blue) and p_g
(orange) on one axis, the optimal discriminator

.. math:: D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + p_g(x)}

(green) on a second axis in [0, 1], with the line D = ½ where it cannot
tell real from fake. Optional shading shows where each density dominates —
the region between the curves, whose area is 2·TV(p_data, p_g).

With ``show_critic=True`` the optimal 1-Lipschitz critic f*(x) of the
Wasserstein GAN joins them on a third axis: when the supports separate D*
saturates to 1 on the data and 0 on the fakes (flat, no gradient), while f*
keeps slope ±1 (Arjovsky et al. 2017, Fig. 2). :func:`critic_plot` draws that
comparison on its own.

Each figure holds the same traces in the same order whatever the inputs, so
a widget refreshes it in place with :func:`update_density_plot`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..distributions import Distribution
from ..grids import view_axes
from ..theory import optimal_critic, optimal_discriminator
from . import style

__all__ = [
    "DENSITY_TRACES",
    "critic_plot",
    "density_curves",
    "density_plot",
    "update_density_plot",
]

#: Trace names, in order, of every :func:`density_plot` figure.
DENSITY_TRACES = (
    "base of p_data > p_g",
    "p_data > p_g",
    "base of p_g > p_data",
    "p_g > p_data",
    "p_data",
    "p_g",
    "D = ½",
    "D*(x)",
    "f*(x)",
)

#: Critic colour: the Wasserstein loss's colour, so the critic reads as "WGAN" everywhere.
CRITIC = style.loss_colour("wasserstein")
_DATA_FILL = "rgba(31,119,180,0.18)"
_FAKE_FILL = "rgba(255,127,14,0.20)"


def plot_axis(p_data: Distribution, p_g: Distribution, n: int = 200) -> np.ndarray:
    """``n`` evenly spaced points over both view extents, plus both sides of every jump.

    A uniform's edge gets a point on it and one just outside, so its step is
    drawn vertical instead of as a slanted line between two grid points.
    """
    (x,) = view_axes(p_data, p_g, n=n)
    jumps = np.array(p_data.jumps() + p_g.jumps())
    if jumps.size:
        eps = 1e-9 * max(1.0, float(np.ptp(x)))
        x = np.unique(np.concatenate([x, jumps, jumps - eps, jumps + eps]))
    return x


def _check_1d(p_data: Distribution, p_g: Distribution, what: str) -> None:
    for dist, name in ((p_data, "p_data"), (p_g, "p_g")):
        if not isinstance(dist, Distribution):
            raise ValueError(f"{name} must be a ganviz distribution, got {type(dist).__name__}")
        if dist.dim != 1:
            raise ValueError(
                f"{what} draws 1-D distributions; {name} is {dist.dim}-D "
                "(use ganviz.plots.theory_field for 2-D)"
            )


def density_curves(
    p_data: Distribution,
    p_g: Distribution,
    *,
    x=None,
    n: int = 200,
    critic: bool = True,
) -> dict[str, np.ndarray]:
    """The arrays a density plot draws: x, p_data, p_g, D*(x) and (optionally) f*(x).

    ``x`` defaults to :func:`plot_axis`. Returned keys: ``"x"``, ``"p_data"``,
    ``"p_g"``, ``"d_star"`` and, with ``critic=True``, ``"critic"``.
    """
    _check_1d(p_data, p_g, "density_curves")
    xs = plot_axis(p_data, p_g, n) if x is None else np.asarray(x, dtype=float).reshape(-1)
    out = {
        "x": xs,
        "p_data": p_data.pdf(xs),
        "p_g": p_g.pdf(xs),
        "d_star": optimal_discriminator(p_data, p_g, xs),
    }
    if critic:
        out["critic"] = optimal_critic(p_data, p_g, xs)
    return out


def _trace_data(curves: dict[str, np.ndarray]) -> dict[str, dict]:
    x, p, q = curves["x"], curves["p_data"], curves["p_g"]
    low = np.minimum(p, q)
    critic = curves.get("critic")
    return {
        "base of p_data > p_g": {"x": x, "y": low},
        "p_data > p_g": {"x": x, "y": p},
        "base of p_g > p_data": {"x": x, "y": low},
        "p_g > p_data": {"x": x, "y": q},
        "p_data": {"x": x, "y": p},
        "p_g": {"x": x, "y": q},
        "D = ½": {"x": x[[0, -1]], "y": np.array([0.5, 0.5])},
        "D*(x)": {"x": x, "y": curves["d_star"]},
        "f*(x)": {"x": x, "y": np.zeros_like(x) if critic is None else critic},
    }


def density_plot(
    p_data: Distribution,
    p_g: Distribution,
    *,
    show_critic: bool = False,
    shade: bool = True,
    n: int = 200,
    x=None,
    title: str | None = None,
    height: int = 380,
) -> go.Figure:
    """Densities p_data (blue) and p_g (orange) with D*(x) (green) on a second axis in [0, 1].

    .. math:: D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + p_g(x)}

    The dotted line marks D = ½ (where D* cannot tell real from fake; it is ½
    exactly where p_data = p_g, and where both vanish). ``shade`` fills the
    region between the densities, blue where p_data dominates (D* > ½) and
    orange where p_g does (its area is 2·TV). ``show_critic`` adds the
    optimal WGAN critic f*(x) on a third axis (slope ±1 where D* saturates).

    Parameters
    ----------
    p_data, p_g : 1-D ganviz distributions
    show_critic : bool
        Draw f*(x) (trace ``"f*(x)"``, always present, hidden when False).
    shade : bool
        Shade where each density dominates.
    n : int
        Plot points (plus two per uniform edge); ~200 keeps widgets fast.
    x : array, optional
        Explicit plot points instead of the automatic axis.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.plots.density import density_plot
    >>> fig = density_plot(gv.Gaussian(0, 1), gv.Gaussian(2, 0.7), show_critic=True)
    >>> fig.show()  # doctest: +SKIP
    """
    _check_1d(p_data, p_g, "density_plot")
    data = _trace_data(density_curves(p_data, p_g, x=x, n=n, critic=show_critic))
    base = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False}
    fig = go.Figure(
        [
            go.Scatter(
                name="base of p_data > p_g", **data["base of p_data > p_g"], **base, visible=shade
            ),
            go.Scatter(
                name="p_data > p_g",
                **data["p_data > p_g"],
                **base,
                fill="tonexty",
                fillcolor=_DATA_FILL,
                visible=shade,
            ),
            go.Scatter(
                name="base of p_g > p_data", **data["base of p_g > p_data"], **base, visible=shade
            ),
            go.Scatter(
                name="p_g > p_data",
                **data["p_g > p_data"],
                **base,
                fill="tonexty",
                fillcolor=_FAKE_FILL,
                visible=shade,
            ),
            go.Scatter(
                name="p_data",
                **data["p_data"],
                mode="lines",
                line={"color": style.DATA, "width": 2.5},
                hovertemplate="x=%{x:.2f}<br>p_data=%{y:.3f}<extra></extra>",
            ),
            go.Scatter(
                name="p_g",
                **data["p_g"],
                mode="lines",
                line={"color": style.FAKE, "width": 2.5},
                hovertemplate="x=%{x:.2f}<br>p_g=%{y:.3f}<extra></extra>",
            ),
            go.Scatter(
                name="D = ½",
                **data["D = ½"],
                mode="lines",
                yaxis="y2",
                line={"color": style.REFERENCE, "width": 1.2, "dash": "dot"},
                hoverinfo="skip",
            ),
            go.Scatter(
                name="D*(x)",
                **data["D*(x)"],
                mode="lines",
                yaxis="y2",
                line={"color": style.DISCRIMINATOR, "width": 2.5},
                hovertemplate="x=%{x:.2f}<br>D*=%{y:.3f}<extra></extra>",
            ),
            go.Scatter(
                name="f*(x)",
                **data["f*(x)"],
                mode="lines",
                yaxis="y3",
                line={"color": CRITIC, "width": 2, "dash": "dash"},
                hovertemplate="x=%{x:.2f}<br>f*=%{y:.2f}<extra></extra>",
                visible=show_critic,
            ),
        ]
    )
    style.base_layout(fig, title=title, height=height)
    fig.update_layout(
        xaxis={"title": {"text": "x"}, "domain": [0.0, 0.86]},
        yaxis={"title": {"text": "density"}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": "D*(x)", "font": {"color": style.DISCRIMINATOR}},
            "overlaying": "y",
            "side": "right",
            "anchor": "x",
            "range": [-0.02, 1.02],
            "tickvals": [0, 0.25, 0.5, 0.75, 1],
            "showgrid": False,
            "tickfont": {"color": style.DISCRIMINATOR},
        },
        yaxis3={
            "title": {"text": "critic f*(x)", "font": {"color": CRITIC}},
            "overlaying": "y",
            "side": "right",
            "anchor": "free",
            "position": 0.97,
            "showgrid": False,
            "zeroline": False,
            "tickmode": "auto",
            "nticks": 6,
            "tickfont": {"color": CRITIC},
            "visible": show_critic,
        },
    )
    return fig


def update_density_plot(
    fig: go.Figure,
    p_data: Distribution,
    p_g: Distribution,
    *,
    show_critic: bool | None = None,
    shade: bool | None = None,
    n: int = 200,
    x=None,
) -> dict[str, np.ndarray]:
    """Refresh a figure made by :func:`density_plot` in place (one batch update).

    ``show_critic`` / ``shade`` default to what the figure shows now. The
    critic is only computed while it is shown. Returns the curves drawn
    (see :func:`density_curves`).
    """
    traces = {t.name: t for t in fig.data}
    if show_critic is None:
        show_critic = traces["f*(x)"].visible is not False
    if shade is None:
        shade = traces["p_data > p_g"].visible is not False
    curves = density_curves(p_data, p_g, x=x, n=n, critic=show_critic)
    data = _trace_data(curves)
    with fig.batch_update():
        for name in DENSITY_TRACES:
            trace = traces[name]
            if name == "f*(x)":
                trace.visible = show_critic
                if not show_critic:
                    continue  # keep the last critic; it is hidden
            elif name in DENSITY_TRACES[:4]:
                trace.visible = shade
                if not shade:
                    continue  # hidden shading is redrawn when it is shown again
            trace.x, trace.y = data[name]["x"], data[name]["y"]
        if fig.layout.yaxis3.visible is not show_critic:
            fig.layout.yaxis3.visible = show_critic
    return curves


def critic_plot(
    p_data: Distribution,
    p_g: Distribution,
    *,
    n: int = 200,
    x=None,
    title: str | None = "D* saturates, the critic stays linear",
    height: int = 460,
) -> go.Figure:
    """The WGAN paper's Figure 2: the optimal discriminator D* above, the optimal critic f* below.

    .. math::

        D^*(x) = \\frac{p_{data}}{p_{data} + p_g}, \\qquad
        f^* = \\arg\\max_{\\|f\\|_L \\le 1} E_{p_{data}}[f] - E_{p_g}[f],\\;
        f^{*\\prime}(x) = \\operatorname{sign}(F_g(x) - F_{data}(x))

    Both panels share x and show the two densities faintly. When the
    supports separate, D* is flat at 1 and 0 over each (its gradient
    vanishes) while f* keeps slope ±1 everywhere between them.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.plots.density import critic_plot
    >>> fig = critic_plot(gv.Gaussian(0, 0.5), gv.Gaussian(6, 0.5))
    """
    _check_1d(p_data, p_g, "critic_plot")
    c = density_curves(p_data, p_g, x=x, n=n, critic=True)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        specs=[[{"secondary_y": True}], [{"secondary_y": True}]],
        subplot_titles=("optimal discriminator D*(x)", "optimal critic f*(x) (WGAN)"),
    )
    for row in (1, 2):
        for name, colour in (("p_data", style.DATA), ("p_g", style.FAKE)):
            fig.add_trace(
                go.Scatter(
                    name=name,
                    x=c["x"],
                    y=c[name],
                    mode="lines",
                    line={"color": colour, "width": 1.5},
                    fill="tozeroy",
                    opacity=0.5,
                    showlegend=row == 1,
                    legendgroup=name,
                    hoverinfo="skip",
                ),
                row=row,
                col=1,
            )
    fig.add_trace(
        go.Scatter(
            name="D*(x)",
            x=c["x"],
            y=c["d_star"],
            mode="lines",
            line={"color": style.DISCRIMINATOR, "width": 2.5},
        ),
        row=1,
        col=1,
        secondary_y=True,
    )
    fig.add_trace(
        go.Scatter(
            name="f*(x)",
            x=c["x"],
            y=c["critic"],
            mode="lines",
            line={"color": CRITIC, "width": 2.5},
        ),
        row=2,
        col=1,
        secondary_y=True,
    )
    style.base_layout(fig, title=title, height=height)
    fig.update_yaxes(title_text="density", secondary_y=False, rangemode="tozero")
    fig.update_yaxes(
        title_text="D*",
        range=[-0.02, 1.02],
        tickvals=[0, 0.5, 1],
        showgrid=False,
        row=1,
        col=1,
        secondary_y=True,
    )
    fig.update_yaxes(
        title_text="f*", tickmode="auto", nticks=6, showgrid=False, row=2, col=1, secondary_y=True
    )
    fig.update_xaxes(title_text="x", row=2, col=1)
    return fig
