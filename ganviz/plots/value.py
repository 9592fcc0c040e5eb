"""The value of the game and the divergences between P_data and P_g.

Goodfellow et al. (2014), Theorem 1: with the discriminator at its optimum,

.. math::

    V(G, D^*) = E_{p_{data}}[\\log D^*] + E_{p_g}[\\log(1 - D^*)]
              = 2\\,JS(p_{data}\\|p_g) - 2\\log 2 \\in [-\\log 4, 0],

so training the generator against D* minimises the Jensen–Shannon
divergence. :func:`value_figure` shows V on a gauge from −log 4 (P_g =
P_data) to 0 (disjoint supports) with 2·JS − 2·log 2 computed separately
beside it, and a table of JS, both KLs, TV and W1 (∞ printed as "∞").

:func:`sweep_figure` slides P_g across P_data and draws every divergence
against the shift: JS climbs to log 2 and stays there once the supports
separate (so does V, at 0), while W1 keeps growing with the distance — the
reason the Wasserstein GAN still has a gradient where the original GAN has
none (Arjovsky et al. 2017, Fig. 1).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..distributions import Distribution
from ..sweeps import ShiftSweep, shift_sweep
from ..theory import Divergences, divergences
from . import style

__all__ = [
    "DIVERGENCE_COLOURS",
    "SWEEP_TRACES",
    "divergence_rows",
    "format_value",
    "sweep_figure",
    "update_sweep_figure",
    "update_value_figure",
    "value_figure",
]

LOG2 = math.log(2.0)
LOG4 = math.log(4.0)

#: One colour per divergence, kept apart from the P_data / P_g / D colours.
DIVERGENCE_COLOURS = {
    "js": "#6a3d9a",
    "value": style.DISCRIMINATOR,
    "kl_data_g": "#8c564b",
    "kl_g_data": "#bcbd22",
    "tv": "#7f7f7f",
    "w1": style.loss_colour("wasserstein"),
}

#: Trace names, in order, of every :func:`sweep_figure` figure.
SWEEP_TRACES = (
    "log 2 (JS ceiling)",
    "−log 4 (V floor)",
    "JS",
    "2·JS − 2·log 2 = V",
    "now: JS, V",
    "now: t (top)",
    "W1",
    "KL(P_data‖P_g)",
    "KL(P_g‖P_data)",
    "KL(P_data‖P_g) = ∞",
    "KL(P_g‖P_data) = ∞",
    "now: W1, KL",
    "now: t (bottom)",
)

#: y-range of the bounded panel: from just below −log 4 to just above log 2.
_BOUNDED_RANGE = (-math.log(4.0) - 0.08, math.log(2.0) + 0.08)


def format_value(value: float, digits: int = 4) -> str:
    """A number for a table: ``"∞"`` / ``"−∞"`` for infinities, fixed digits otherwise."""
    if value == math.inf:
        return "∞"
    if value == -math.inf:
        return "−∞"
    if value != value:  # NaN
        return "—"
    if abs(value) < 0.5 * 10.0**-digits:
        value = 0.0  # no "−0.0000"
    return f"{value:.{digits}f}".replace("-", "−")


def _as_divergences(source, p_g) -> Divergences:
    if isinstance(source, Divergences):
        return source
    if isinstance(source, Distribution) and isinstance(p_g, Distribution):
        return divergences(source, p_g)
    raise ValueError(
        "value_figure needs a ganviz.Divergences, or two distributions p_data and p_g; "
        f"got {type(source).__name__} and {type(p_g).__name__}"
    )


def divergence_rows(divs: Divergences, *, w1_label: str = "W1") -> list[tuple[str, str, str]]:
    """(quantity, value, how to read it) for each row of the divergence table."""
    return [
        ("V(G, D*)", format_value(divs.value), "in [−log 4, 0] = [−1.386, 0]"),
        ("2·JS − 2·log 2", format_value(divs.two_js_minus_log4), "equals V (Theorem 1)"),
        ("JS(P_data‖P_g)", format_value(divs.js), "in [0, log 2]; log 2 ⇔ disjoint"),
        ("KL(P_data‖P_g)", format_value(divs.kl_data_g), "∞ if P_g misses data (covering)"),
        ("KL(P_g‖P_data)", format_value(divs.kl_g_data), "∞ if P_g is off the data (seeking)"),
        ("TV", format_value(divs.tv), "in [0, 1]"),
        (w1_label, format_value(divs.w1), "grows with the distance"),
    ]


def _value_trace_data(divs: Divergences, w1_label: str) -> dict:
    rows = divergence_rows(divs, w1_label=w1_label)
    columns = [list(col) for col in zip(*rows, strict=True)]
    # Keep the needle on the dial when quadrature puts V a hair outside [−log 4, 0].
    return {
        "gauge": {"value": float(np.clip(divs.value, -LOG4, 0.0))},
        "number": {"value": float(divs.two_js_minus_log4)},
        "number_text": format_value(divs.value),
        "table": {"cells": {"values": columns}},
    }


def value_figure(
    source,
    p_g: Distribution | None = None,
    *,
    w1_label: str = "W1",
    title: str | None = None,
    height: int = 300,
    table: bool = True,
    width: int | None = None,
) -> go.Figure:
    """V(G, D*) on a gauge between −log 4 and 0, 2·JS − 2·log 2 beside it, and the divergences.

    .. math:: V(G, D^*) = 2\\,JS(p_{data}\\|p_g) - 2\\log 2

    ``source`` is a :class:`ganviz.Divergences` (what a widget already has)
    or P_data, with P_g as the second argument. The gauge shows V integrated
    from its definition, the number beside it 2·JS − 2·log 2 from the JS
    formula; they agree to quadrature accuracy. The table lists V, JS,
    KL(P_data‖P_g), KL(P_g‖P_data), TV and W1, with ∞ written "∞".
    ``w1_label`` names the W1 row (say "W1 ≈ (OT, 128 samples)" for a 2-D
    estimate). ``table=False`` leaves the table out (the explorers show it as
    HTML beside the gauge, :class:`ganviz.widgets._value_panel.ValuePanel`); the
    gauge then fills the figure, ``width`` pixels wide.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.plots.value import value_figure
    >>> fig = value_figure(gv.Gaussian(0, 1), gv.Uniform(-1, 1))   # KL(P_data‖P_g) = ∞
    """
    divs = _as_divergences(source, p_g)
    data = _value_trace_data(divs, w1_label)
    # the gauge's column: the left third beside the table, or the whole figure
    column = [0.03, 0.31] if table else [0.1, 0.9]
    traces = [
        go.Indicator(
            name="V(G, D*)",
            mode="gauge+number",
            **data["gauge"],
            title={"text": "V(G, D*)", "font": {"size": 14}},
            number={"valueformat": ".4f", "font": {"size": 26}},
            domain={"x": column, "y": [0.3, 0.88]},
            gauge={
                "shape": "angular",
                "axis": {
                    "range": [-LOG4, 0.0],
                    "tickvals": [-LOG4, -LOG2, 0.0],
                    "ticktext": ["−log 4", "−log 2", "0"],
                },
                "bar": {"color": style.DISCRIMINATOR, "thickness": 0.35},
                "steps": [
                    {"range": [-LOG4, -LOG4 + 0.1], "color": "rgba(44,160,44,0.15)"},
                    {"range": [-0.1, 0.0], "color": "rgba(214,39,40,0.15)"},
                ],
            },
        ),
        go.Indicator(
            name="2·JS − 2·log 2",
            mode="number",
            **data["number"],
            title={"text": "2·JS − 2·log 2", "font": {"size": 13}},
            number={"valueformat": ".4f", "font": {"size": 20, "color": style.REFERENCE}},
            domain={"x": column, "y": [0.0, 0.22]},
        ),
    ]
    if table:
        traces.append(
            go.Table(
                name="divergences",
                domain={"x": [0.37, 1.0], "y": [0.0, 1.0]},
                columnwidth=[1.2, 0.8, 2.0],
                header={
                    "values": ["quantity", "value", "reading"],
                    "align": "left",
                    "fill": {"color": "#eeeeee"},
                    "font": {"size": 12},
                },
                cells={**data["table"]["cells"], "align": "left", "font": {"size": 12}},
            )
        )
    fig = go.Figure(traces)
    style.base_layout(fig, title=title, height=height)
    fig.update_layout(margin={"l": 30, "r": 10, "t": 70 if title else 40, "b": 10})
    if width is not None:
        fig.update_layout(width=width)
    return fig


def update_value_figure(fig: go.Figure, divs: Divergences, *, w1_label: str = "W1") -> None:
    """Refresh a figure made by :func:`value_figure` in place (one batch update)."""
    data = _value_trace_data(divs, w1_label)
    gauge, number, *table = fig.data  # no table: value_figure(table=False)
    with fig.batch_update():
        gauge.value = data["gauge"]["value"]
        number.value = data["number"]["value"]
        for trace in table:
            trace.cells.values = data["table"]["cells"]["values"]


# -- the sweep --------------------------------------------------------------------


def _kl_display(values: np.ndarray) -> np.ndarray:
    """inf → NaN: a gap in the curve (the "= ∞" band above says why)."""
    return np.where(np.isinf(values), np.nan, values)


def _infinite_band(shifts: np.ndarray, values: np.ndarray, top: float) -> tuple:
    """A line at the top of the axis over the shifts where ``values`` is infinite."""
    y = np.where(np.isinf(values), top, np.nan)
    return shifts, y


def _unbounded_top(sweep: ShiftSweep) -> float:
    """Top of the W1/KL panel: 1.3·max W1 rounded up to 1, 2 or 5 × 10^k.

    Rounding keeps the axis still while a learner drags a slider (a new range
    is a relayout, several times dearer than new trace data).
    """
    finite_w1 = sweep.w1[np.isfinite(sweep.w1)]
    top = 1.3 * max(float(finite_w1.max()) if finite_w1.size else 0.0, 1.0)
    power = 10.0 ** math.floor(math.log10(top))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= top)


def _unbounded_axis(top: float) -> dict:
    """The W1/KL axis: finite values up to ``top``, then a strip labelled ∞ for the bands.

    The "= ∞" bands sit above the last number on the axis, so a band cannot be
    read as "KL is 10".
    """
    ticks = [top * k / 5 for k in range(6)]
    return {
        "range": [0.0, 1.1 * top],
        "tickmode": "array",
        "tickvals": [*ticks, 1.055 * top],
        "ticktext": [f"{v:g}" for v in ticks] + ["∞"],
    }


def _current(sweep: ShiftSweep, shift: float, current: Divergences | None) -> dict[str, float]:
    if current is not None:
        return {
            "js": current.js,
            "value": current.value,
            "w1": current.w1,
            "kl_data_g": current.kl_data_g,
            "kl_g_data": current.kl_g_data,
        }
    i = sweep.index_of(shift)
    return {
        "js": sweep.js[i],
        "value": sweep.value[i],
        "w1": sweep.w1[i],
        "kl_data_g": sweep.kl_data_g[i],
        "kl_g_data": sweep.kl_g_data[i],
    }


def _sweep_trace_data(sweep: ShiftSweep, shift: float, current: Divergences | None) -> dict:
    t = sweep.shifts
    top = _unbounded_top(sweep)
    now = _current(sweep, shift, current)
    ends = t[[0, -1]]
    unbounded_now = [now["w1"], now["kl_data_g"], now["kl_g_data"]]
    return {
        "log 2 (JS ceiling)": {"x": ends, "y": np.array([LOG2, LOG2])},
        "−log 4 (V floor)": {"x": ends, "y": np.array([-LOG4, -LOG4])},
        "JS": {"x": t, "y": sweep.js},
        "2·JS − 2·log 2 = V": {"x": t, "y": sweep.two_js_minus_log4},
        "now: JS, V": {"x": np.array([shift, shift]), "y": np.array([now["js"], now["value"]])},
        "now: t (top)": {"x": np.array([shift, shift]), "y": np.array(_BOUNDED_RANGE)},
        "W1": {"x": t, "y": sweep.w1},
        "KL(P_data‖P_g)": {"x": t, "y": _kl_display(sweep.kl_data_g)},
        "KL(P_g‖P_data)": {"x": t, "y": _kl_display(sweep.kl_g_data)},
        "KL(P_data‖P_g) = ∞": dict(
            zip(("x", "y"), _infinite_band(t, sweep.kl_data_g, 1.035 * top), strict=True)
        ),
        "KL(P_g‖P_data) = ∞": dict(
            zip(("x", "y"), _infinite_band(t, sweep.kl_g_data, 1.075 * top), strict=True)
        ),
        "now: W1, KL": {
            "x": np.full(3, shift),
            "y": np.array([v if math.isfinite(v) else np.nan for v in unbounded_now]),
        },
        "now: t (bottom)": {"x": np.array([shift, shift]), "y": np.array([0.0, 1.1 * top])},
        "_top": top,
    }


def sweep_figure(
    sweep,
    p_g: Distribution | None = None,
    *,
    shifts=None,
    current_shift: float = 0.0,
    current: Divergences | None = None,
    title: str | None = "JS stops at log 2; W1 keeps growing",
    height: int = 500,
) -> go.Figure:
    """Divergences between P_data and P_g translated by t, against t, with the current t marked.

    .. math::

        JS(t) \\le \\log 2, \\qquad V(t) = 2\\,JS(t) - 2\\log 2 \\le 0, \\qquad
        W_1(t) \\to |t| \\text{ as } |t| \\to ∞

    Top panel: JS (ceiling log 2 dotted) and 2·JS − 2·log 2 = V (floor
    −log 4). Bottom panel: W1 and both KLs; where a KL is infinite its curve
    breaks and a band in a strip above the numbers, labelled ∞, marks "= ∞". The axis is cut at
    1.3·max W1, so a KL that explodes leaves the top of the panel.

    ``sweep`` is a :class:`ganviz.sweeps.ShiftSweep`, or P_data with P_g as
    the second argument (``shifts`` then passes to
    :func:`ganviz.sweeps.shift_sweep`). ``current`` (a
    :class:`ganviz.Divergences` at ``current_shift``) places the markers
    exactly; without it they sit on the nearest sweep point.

    Examples
    --------
    >>> import numpy as np, ganviz as gv
    >>> from ganviz.plots.value import sweep_figure
    >>> fig = sweep_figure(gv.Gaussian(0, 0.5), gv.Gaussian(0, 0.5),
    ...                    shifts=np.linspace(-6, 6, 121), current_shift=3.0)
    """
    if isinstance(sweep, Distribution):
        sweep = shift_sweep(sweep, p_g, shifts)
    if not isinstance(sweep, ShiftSweep):
        raise ValueError(
            "sweep must be a ganviz.sweeps.ShiftSweep or two 1-D distributions, "
            f"got {type(sweep).__name__}"
        )
    data = _sweep_trace_data(sweep, float(current_shift), current)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=("bounded: JS and V = 2·JS − 2·log 2", "unbounded: W1 and KL"),
    )
    colours = DIVERGENCE_COLOURS
    ref = {"mode": "lines", "hoverinfo": "skip"}
    top_traces = [
        go.Scatter(
            name="log 2 (JS ceiling)",
            **data["log 2 (JS ceiling)"],
            **ref,
            line={"color": colours["js"], "dash": "dot", "width": 1},
        ),
        go.Scatter(
            name="−log 4 (V floor)",
            **data["−log 4 (V floor)"],
            **ref,
            line={"color": colours["value"], "dash": "dot", "width": 1},
        ),
        go.Scatter(
            name="JS",
            **data["JS"],
            mode="lines",
            line={"color": colours["js"], "width": 2.5},
            hovertemplate="t=%{x:.2f}<br>JS=%{y:.4f}<extra></extra>",
        ),
        go.Scatter(
            name="2·JS − 2·log 2 = V",
            **data["2·JS − 2·log 2 = V"],
            mode="lines",
            line={"color": colours["value"], "width": 2.5},
            hovertemplate="t=%{x:.2f}<br>V=%{y:.4f}<extra></extra>",
        ),
        go.Scatter(
            name="now: JS, V",
            **data["now: JS, V"],
            mode="markers",
            marker={"color": [colours["js"], colours["value"]], "size": 11, "symbol": "circle"},
            showlegend=False,
        ),
        _now_line("now: t (top)", data),
    ]
    bottom_traces = [
        go.Scatter(
            name="W1",
            **data["W1"],
            mode="lines",
            line={"color": colours["w1"], "width": 2.5},
            hovertemplate="t=%{x:.2f}<br>W1=%{y:.4f}<extra></extra>",
        ),
        go.Scatter(
            name="KL(P_data‖P_g)",
            **data["KL(P_data‖P_g)"],
            mode="lines",
            line={"color": colours["kl_data_g"], "width": 2},
            hovertemplate="t=%{x:.2f}<br>KL(P_data‖P_g)=%{y:.4f}<extra></extra>",
        ),
        go.Scatter(
            name="KL(P_g‖P_data)",
            **data["KL(P_g‖P_data)"],
            mode="lines",
            line={"color": colours["kl_g_data"], "width": 2, "dash": "dash"},
            hovertemplate="t=%{x:.2f}<br>KL(P_g‖P_data)=%{y:.4f}<extra></extra>",
        ),
        go.Scatter(
            name="KL(P_data‖P_g) = ∞",
            **data["KL(P_data‖P_g) = ∞"],
            mode="lines",
            line={"color": colours["kl_data_g"], "width": 6},
            opacity=0.6,
            hovertemplate="t=%{x:.2f}<br>KL(P_data‖P_g) = ∞<extra></extra>",
        ),
        go.Scatter(
            name="KL(P_g‖P_data) = ∞",
            **data["KL(P_g‖P_data) = ∞"],
            mode="lines",
            line={"color": colours["kl_g_data"], "width": 6},
            opacity=0.6,
            hovertemplate="t=%{x:.2f}<br>KL(P_g‖P_data) = ∞<extra></extra>",
        ),
        go.Scatter(
            name="now: W1, KL",
            **data["now: W1, KL"],
            mode="markers",
            marker={
                "color": [colours["w1"], colours["kl_data_g"], colours["kl_g_data"]],
                "size": 11,
            },
            showlegend=False,
        ),
        _now_line("now: t (bottom)", data),
    ]
    for trace in top_traces:
        fig.add_trace(trace, row=1, col=1)
    for trace in bottom_traces:
        fig.add_trace(trace, row=2, col=1)
    style.base_layout(fig, title=title, height=height)
    fig.update_layout(
        legend={"orientation": "v", "x": 1.02, "y": 1.0, "yanchor": "top", "xanchor": "left"},
        margin={"r": 170},
    )
    fig.update_yaxes(range=list(_BOUNDED_RANGE), row=1, col=1, zeroline=True)
    fig.update_yaxes(**_unbounded_axis(data["_top"]), row=2, col=1)
    fig.update_xaxes(title_text="shift t of P_g", row=2, col=1)
    return fig


def _now_line(name: str, data: dict) -> go.Scatter:
    # A trace, not a layout shape: moving a trace is several times cheaper than a relayout.
    return go.Scatter(
        name=name,
        **data[name],
        mode="lines",
        line={"color": style.REFERENCE, "width": 1.5},
        hoverinfo="skip",
        showlegend=False,
    )


def update_sweep_figure(
    fig: go.Figure,
    sweep: ShiftSweep,
    *,
    current_shift: float,
    current: Divergences | None = None,
    markers_only: bool = False,
) -> None:
    """Refresh a figure made by :func:`sweep_figure` in place (one batch update).

    ``markers_only=True`` moves only the current-shift line and markers (the
    cheap update when just the shift changed).
    """
    data = _sweep_trace_data(sweep, float(current_shift), current)
    moving = {"now: JS, V", "now: W1, KL", "now: t (top)", "now: t (bottom)"}
    with fig.batch_update():
        for trace, name in zip(fig.data, SWEEP_TRACES, strict=True):
            if markers_only and name not in moving:
                continue
            trace.x, trace.y = data[name]["x"], data[name]["y"]
        axis = _unbounded_axis(data["_top"])
        if not markers_only and tuple(fig.layout.yaxis2.range) != tuple(axis["range"]):
            fig.layout.yaxis2.update(axis)
