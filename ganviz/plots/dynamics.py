"""Figures for the Dirac-GAN training dynamics: vector field, trajectory, distance, eigenvalues.

Data in, figure out: these helpers draw arrays computed by
:mod:`ganviz.dynamics` and never compute the dynamics themselves. Each figure
always holds the same traces in the same order (empty when there is nothing
to show), so a widget refreshes it in place with the matching ``update_*``
function inside one ``fig.batch_update()``.

Axes: θ (the generator's point mass) horizontally, ψ (the discriminator's
slope) vertically, as in Mescheder et al. (2018), Figure 1.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from . import style

__all__ = [
    "DISTANCE_TRACES",
    "EIGENVALUE_TRACES",
    "PANEL_LAYOUT",
    "VECTOR_FIELD_TRACES",
    "distance_figure",
    "dynamics_figure",
    "eigenvalue_figure",
    "quiver_segments",
    "stability_circle",
    "update_distance_figure",
    "update_eigenvalue_figure",
    "update_vector_field_figure",
    "vector_field_figure",
]

#: Trace names, in order, of :func:`vector_field_figure`. ``"value"`` is a heatmap that
#: covers the whole plane (a widget listens to clicks on it).
VECTOR_FIELD_TRACES = ("value", "field", "flow", "trajectory", "start", "equilibrium")
#: Trace names, in order, of :func:`distance_figure`.
DISTANCE_TRACES = ("distance", "linearised rate")
#: Trace names, in order, of :func:`eigenvalue_figure`.
EIGENVALUE_TRACES = ("stable region", "λ of J", "update")

#: Colour of the trajectory of (θ, ψ) under gradient steps.
TRAJECTORY = style.GRADIENT
#: Colour of the vector-field arrows.
ARROWS = "#37474f"
#: Fill of the stability disc |1 + hλ| < 1.
STABLE_FILL = "rgba(44,160,44,0.15)"


def _as_float(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _trace_named(fig: go.Figure, trace_name: str):
    return next(trace for trace in fig.data if trace.meta == trace_name)


def _axis_keys(fig: go.Figure, trace_name: str) -> tuple[str, str]:
    """Layout keys ("xaxis2", "yaxis2") of the axes a named trace is drawn on."""
    trace = _trace_named(fig, trace_name)
    x, y = trace.xaxis or "x", trace.yaxis or "y"
    return "xaxis" + x[1:], "yaxis" + y[1:]


def _restyle(fig: go.Figure, trace_name: str, values: dict) -> None:
    """Set trace properties in place with one ``plotly_restyle``, skipping unchanged ones.

    ``plotly_restyle`` is the operation ``batch_update`` performs on exit, minus
    plotly's per-value validation (which copies and inspects every array, ~0.3 ms per
    property): the values here are float arrays or plain numbers built by this
    module. Arrays equal to the ones shown are skipped, so nothing is re-sent.
    """
    index = next(i for i, trace in enumerate(fig.data) if trace.meta == trace_name)
    trace = fig.data[index]
    changed = {}
    for key, value in values.items():
        current = trace[key]
        if isinstance(value, np.ndarray):
            value = np.ascontiguousarray(value, dtype=float)
            if (
                isinstance(current, np.ndarray)
                and current.shape == value.shape
                and np.array_equal(current, value, equal_nan=True)
            ):
                continue
        elif current == value:
            continue
        changed[key] = [value]
    if changed:
        fig.plotly_restyle(changed, trace_indexes=[index])


def quiver_segments(theta, psi, v_theta, v_psi, *, cell: float | None = None):
    """Arrows of a vector field as one polyline: x, y and marker sizes (heads at the tips).

    Each arrow is "tail, tip, gap" (the gap a NaN), so thousands of arrows are
    one scatter trace that can be replaced in place cheaply. Directions are
    exact; lengths are ``0.9·cell·√(|v| / max |v|)``, the square root keeping
    the small arrows near the equilibrium visible next to the large ones.

    Parameters
    ----------
    theta, psi : arrays of equal shape
        Arrow tails.
    v_theta, v_psi : arrays of the same shape
        Field values at the tails.
    cell : float, optional
        Spacing of the arrow grid (default: estimated from the tails).
    """
    x0, y0 = _as_float(theta).ravel(), _as_float(psi).ravel()
    u, v = _as_float(v_theta).ravel(), _as_float(v_psi).ravel()
    if not (x0.shape == y0.shape == u.shape == v.shape):
        raise ValueError("theta, psi, v_theta and v_psi must have the same number of elements")
    n = x0.size
    if n == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    if cell is None:
        spread = max(np.ptp(x0), np.ptp(y0))
        cell = spread / max(math.sqrt(n) - 1.0, 1.0) if spread > 0 else 1.0
    speed = np.hypot(u, v)
    top = float(speed.max())
    if top > 0:
        length = 0.9 * cell * np.sqrt(speed / top)
        scale = np.divide(length, speed, out=np.zeros_like(speed), where=speed > 0)
    else:
        scale = np.zeros_like(speed)
    xs = np.empty(3 * n)
    ys = np.empty(3 * n)
    xs[0::3], xs[1::3], xs[2::3] = x0, x0 + scale * u, np.nan
    ys[0::3], ys[1::3], ys[2::3] = y0, y0 + scale * v, np.nan
    sizes = np.zeros(3 * n)
    sizes[1::3] = np.where(speed > 0, 7.0, 0.0)  # no head on a zero arrow
    return xs, ys, sizes


def _trajectory_xy(trajectory) -> tuple[np.ndarray, np.ndarray]:
    if trajectory is None:
        return np.zeros(0), np.zeros(0)
    arr = _as_float(trajectory).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def _band_shapes(clip: float | None, extent: float) -> list[dict]:
    """Grey bands over |ψ| > clip: the discriminators WGAN's weight clipping forbids."""
    if clip is None or clip >= extent:
        return []
    far = 10.0 * extent
    common = {
        "type": "rect",
        "xref": "x",
        "yref": "y",
        "x0": -far,
        "x1": far,
        "fillcolor": "rgba(120,120,120,0.25)",
        "line": {"width": 0},
        "layer": "above",
    }
    return [{**common, "y0": clip, "y1": far}, {**common, "y0": -far, "y1": -clip}]


def _vector_field_data(
    theta_axis,
    psi_axis,
    v_theta,
    v_psi,
    *,
    trajectory=None,
    value=None,
    flow=None,
    arrow_grid: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, dict]:
    theta_axis, psi_axis = _as_float(theta_axis), _as_float(psi_axis)
    v_theta, v_psi = _as_float(v_theta), _as_float(v_psi)
    if arrow_grid is None:
        grid_theta, grid_psi = np.meshgrid(theta_axis, psi_axis)
    else:
        grid_theta, grid_psi = (_as_float(a) for a in arrow_grid)
    if v_theta.shape != grid_theta.shape or v_psi.shape != grid_theta.shape:
        raise ValueError(
            f"v_theta and v_psi must have shape (len(psi_axis), len(theta_axis)) = "
            f"{grid_theta.shape}, got {v_theta.shape} and {v_psi.shape}"
        )
    cell = float(np.min(np.diff(theta_axis))) if theta_axis.size > 1 else 1.0
    qx, qy, qsize = quiver_segments(grid_theta, grid_psi, v_theta, v_psi, cell=cell)
    tx, ty = _trajectory_xy(trajectory)
    fx, fy = _trajectory_xy(flow)
    return {
        "value": {} if value is None else dict(value),
        "field": {"x": qx, "y": qy, "marker.size": qsize},
        "flow": {"x": fx, "y": fy},
        "trajectory": {"x": tx, "y": ty},
        "start": {"x": tx[:1], "y": ty[:1]},
        "equilibrium": {"x": [0.0], "y": [0.0]},
    }


def _value_dict(value_theta, value_psi, value_z, value_mid):
    z = _as_float(value_z)
    return {"x": _as_float(value_theta), "y": _as_float(value_psi), "z": z, "zmid": value_mid}


def vector_field_figure(
    theta_axis,
    psi_axis,
    v_theta,
    v_psi,
    *,
    trajectory=None,
    flow=None,
    value=None,
    value_axes: tuple | None = None,
    value_mid: float = 0.0,
    value_name: str = "L(θ, ψ)",
    clip: float | None = None,
    extent: float | None = None,
    title: str | None = None,
    height: int = 470,
) -> go.Figure:
    """The Dirac-GAN's gradient field as arrows, with a trajectory and the value as background.

    Parameters
    ----------
    theta_axis, psi_axis : arrays (nθ,), (nψ,)
        Axes of the arrow grid.
    v_theta, v_psi : arrays (nψ, nθ)
        The field (from :func:`ganviz.dynamics.dirac_vector_field` on the meshgrid).
    trajectory : array (n, 2), optional
        Iterates (θ, ψ) of training; the first row is marked as the start.
    flow : array (m, 2), optional
        The continuous-time flow from the same start, drawn dashed.
    value : array (mψ, mθ), optional
        The value of the game L(θ, ψ) on ``value_axes`` = (θ values, ψ values),
        drawn as a faint heatmap centred at ``value_mid``. The heatmap always
        spans the plane (transparent when ``value`` is None) so clicks anywhere
        land on it.
    clip : float, optional
        Shade |ψ| > clip (the critics WGAN's clipping forbids).
    extent : float, optional
        Half-width of the square view (default: the arrow grid's).

    Examples
    --------
    >>> import numpy as np
    >>> from ganviz.dynamics import dirac_vector_field, dirac_trajectory
    >>> axis = np.linspace(-2, 2, 15)
    >>> vt, vp = dirac_vector_field("minimax", *np.meshgrid(axis, axis))
    >>> fig = vector_field_figure(axis, axis, vt, vp, trajectory=dirac_trajectory("minimax"))
    """
    theta_axis, psi_axis = _as_float(theta_axis), _as_float(psi_axis)
    data = _vector_field_data(
        theta_axis, psi_axis, v_theta, v_psi, trajectory=trajectory, flow=flow
    )
    if extent is None:
        extent = float(max(np.abs(theta_axis).max(), np.abs(psi_axis).max()))
    if value_axes is None:
        value_axes = (theta_axis, psi_axis)
    if value is None:
        heat = _value_dict(
            value_axes[0], value_axes[1], np.zeros((len(value_axes[1]), len(value_axes[0]))), 0.0
        )
        heat["opacity"] = 0.0
    else:
        heat = _value_dict(value_axes[0], value_axes[1], value, value_mid)
        heat["opacity"] = 0.45
    fig = go.Figure(
        [
            go.Heatmap(
                name="value",
                **heat,
                zsmooth="best",
                colorscale=style.CRITIC_COLORSCALE,
                showscale=False,
                hovertemplate="θ=%{x:.2f}<br>ψ=%{y:.2f}<br>"
                + value_name
                + "=%{z:.3f}<br>click: start here<extra></extra>",
            ),
            go.Scatter(
                name="field v(θ, ψ)",
                mode="lines+markers",
                x=data["field"]["x"],
                y=data["field"]["y"],
                line={"color": ARROWS, "width": 1.1},
                marker={
                    "symbol": "arrow",
                    "angleref": "previous",
                    "size": data["field"]["marker.size"],
                    "color": ARROWS,
                },
                hoverinfo="skip",
            ),
            go.Scatter(
                name="continuous flow",
                mode="lines",
                **data["flow"],
                line={"color": style.REFERENCE, "width": 2, "dash": "dash"},
                hoverinfo="skip",
            ),
            go.Scatter(
                name="gradient steps",
                mode="lines",
                **data["trajectory"],
                line={"color": TRAJECTORY, "width": 2},
                hovertemplate="θ=%{x:.3f}<br>ψ=%{y:.3f}<extra>step</extra>",
            ),
            go.Scatter(
                name="start",
                mode="markers",
                **data["start"],
                marker={"symbol": "star", "size": 14, "color": style.FAKE, "line": {"width": 1}},
                hoverinfo="skip",
            ),
            go.Scatter(
                name="equilibrium",
                mode="markers",
                **data["equilibrium"],
                marker={"symbol": "circle", "size": 10, "color": style.DATA},
                hovertemplate="equilibrium (0, 0): P_g = P_data, D flat<extra></extra>",
            ),
        ]
    )
    for trace, name in zip(fig.data, VECTOR_FIELD_TRACES, strict=True):
        trace.meta = name  # stable identity for updates, whatever the legend says
    style.base_layout(fig, title=title, height=height)
    fig.update_layout(shapes=_band_shapes(clip, extent), clickmode="event")
    fig.update_xaxes(
        range=[-extent, extent], title_text="θ (generator)", constrain="domain", zeroline=True
    )
    fig.update_yaxes(
        range=[-extent, extent],
        title_text="ψ (discriminator)",
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
        zeroline=True,
    )
    return fig


def update_vector_field_figure(
    fig: go.Figure,
    theta_axis=None,
    psi_axis=None,
    v_theta=None,
    v_psi=None,
    *,
    trajectory=None,
    flow=None,
    value=None,
    value_mid: float | None = None,
    clip: float | None = None,
    extent: float | None = None,
) -> None:
    """Refresh a :func:`vector_field_figure` in place (only what changed is sent).

    Pass the field (all four of ``theta_axis, psi_axis, v_theta, v_psi``) only
    when it changed: the arrows are left alone otherwise. ``trajectory`` and
    ``flow`` are always replaced (None empties them); ``value`` and ``clip``
    are replaced when given (``clip=math.inf`` removes the band).
    """
    tx, ty = _trajectory_xy(trajectory)
    fx, fy = _trajectory_xy(flow)
    if v_theta is not None:
        data = _vector_field_data(theta_axis, psi_axis, v_theta, v_psi)["field"]
        _restyle(fig, "field", {"x": data["x"], "y": data["y"], "marker.size": data["marker.size"]})
    if value is not None:
        _restyle(fig, "value", {"z": _as_float(value), "opacity": 0.45})
        if value_mid is not None:
            _restyle(fig, "value", {"zmid": float(value_mid)})
    _restyle(fig, "trajectory", {"x": tx, "y": ty})
    _restyle(fig, "start", {"x": tx[:1], "y": ty[:1]})
    _restyle(fig, "flow", {"x": fx, "y": fy})
    if clip is not None:
        if extent is None:
            extent = float(fig.layout.xaxis.range[1])
        shapes = _band_shapes(clip, extent)
        current = [(shape.y0, shape.y1) for shape in fig.layout.shapes]
        if current != [(shape["y0"], shape["y1"]) for shape in shapes]:
            fig.layout.shapes = shapes


# ------------------------------------------------------------------ distance over steps
def _distance_data(trajectory, rate):
    arr = _as_float(trajectory).reshape(-1, 2)
    steps = np.arange(len(arr), dtype=float)
    distance = np.hypot(arr[:, 0], arr[:, 1])
    if rate is None or len(arr) == 0 or not np.isfinite(distance[0]) or distance[0] <= 0:
        predicted = {"x": np.zeros(0), "y": np.zeros(0)}
    else:
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            curve = distance[0] * np.exp(steps * math.log(rate)) if rate > 0 else 0 * steps
        # Keep the prediction within a decade of the measured distances, so that a
        # linearisation that fails far from (0, 0) does not flatten the real curve.
        seen = distance[np.isfinite(distance) & (distance > 0)]
        low, high = seen.min() / 10, seen.max() * 10
        curve = np.where(np.isfinite(curve) & (curve >= low) & (curve <= high), curve, np.nan)
        predicted = {"x": steps, "y": curve}
    shown = np.where(distance > 0, distance, np.nan)  # log axis: exact zeros cannot be drawn
    return {"distance": {"x": steps, "y": shown}, "linearised rate": predicted}


def distance_figure(
    trajectory,
    *,
    rate: float | None = None,
    title: str | None = None,
    height: int = 300,
) -> go.Figure:
    """‖(θ, ψ)‖ — the distance to the equilibrium — over training steps, on a log axis.

    A straight line on this axis is geometric growth or decay. ``rate``, the
    spectral radius ρ of the linearised update, adds the prediction
    ‖x₀‖·ρⁿ as a dashed line; NaN rows (a diverged run) leave a gap.
    """
    data = _distance_data(trajectory, rate)
    fig = go.Figure(
        [
            go.Scatter(
                name="‖(θ, ψ)‖",
                mode="lines",
                **data["distance"],
                line={"color": TRAJECTORY, "width": 2},
                hovertemplate="step %{x}<br>distance %{y:.3g}<extra></extra>",
            ),
            go.Scatter(
                name="linearised ‖x₀‖·ρⁿ",
                mode="lines",
                **data["linearised rate"],
                line={"color": style.REFERENCE, "width": 1.5, "dash": "dash"},
                hoverinfo="skip",
            ),
        ]
    )
    for trace, name in zip(fig.data, DISTANCE_TRACES, strict=True):
        trace.meta = name
    style.base_layout(fig, title=title, height=height)
    fig.update_xaxes(title_text="step n")
    # minor labels 2 and 5 only: every digit (plotly's D1) crowds a decade into a smudge
    fig.update_yaxes(
        title_text="distance to (0, 0)", type="log", exponentformat="power", dtick="D2"
    )
    return fig


def update_distance_figure(fig: go.Figure, trajectory, *, rate: float | None = None) -> None:
    """Refresh a :func:`distance_figure` in place."""
    data = _distance_data(trajectory, rate)
    for name in DISTANCE_TRACES:
        _restyle(fig, name, data[name])


# ------------------------------------------------------------------ eigenvalues
def stability_circle(step_size: float, n: int = 181) -> tuple[np.ndarray, np.ndarray]:
    """Boundary of {λ : |1 + hλ| < 1}: the circle of centre −1/h and radius 1/h."""
    h = float(step_size)
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"step_size must be a finite number > 0, got {step_size!r}")
    angle = np.linspace(0.0, 2.0 * math.pi, n)
    return -1.0 / h + np.cos(angle) / h, np.sin(angle) / h


def _eigen_data(eigenvalues, step_size, step_eigenvalues):
    lam = np.asarray(eigenvalues, dtype=complex).ravel()
    cx, cy = stability_circle(step_size)
    if step_eigenvalues is None:
        eff = np.zeros(0, dtype=complex)
    else:
        eff = (np.asarray(step_eigenvalues, dtype=complex).ravel() - 1.0) / float(step_size)
    reach = max([1.2, *(1.3 * np.abs(lam)), *(1.3 * np.abs(eff))])
    return {
        "stable region": {"x": cx, "y": cy},
        "λ of J": {"x": lam.real, "y": lam.imag},
        "update": {"x": eff.real, "y": eff.imag},
    }, reach


def eigenvalue_figure(
    eigenvalues,
    step_size: float,
    *,
    step_eigenvalues=None,
    title: str | None = None,
    height: int = 340,
) -> go.Figure:
    """Eigenvalues λ of the field's Jacobian in the complex plane, with the step-size disc.

    Gradient steps of size h are stable where |1 + hλ| < 1: inside the shaded
    disc of centre −1/h and radius 1/h, which touches the imaginary axis at 0.
    The continuous flow is stable left of the imaginary axis (Re λ < 0).
    Eigenvalues μ of the actual update map (``step_eigenvalues``, e.g. of
    alternating steps) are drawn as (μ − 1)/h, so that they too are stable
    exactly inside the disc.
    """
    data, reach = _eigen_data(eigenvalues, step_size, step_eigenvalues)
    fig = go.Figure(
        [
            go.Scatter(
                name="|1 + hλ| < 1",
                mode="lines",
                **data["stable region"],
                fill="toself",
                fillcolor=STABLE_FILL,
                line={"color": style.DISCRIMINATOR, "width": 1.5},
                hoverinfo="skip",
            ),
            go.Scatter(
                name="λ (flow)",
                mode="markers",
                **data["λ of J"],
                marker={"symbol": "x", "size": 13, "color": "#212121"},
                hovertemplate="λ = %{x:.3f} %{y:+.3f}i<extra></extra>",
            ),
            go.Scatter(
                name="(μ − 1)/h (steps)",
                mode="markers",
                **data["update"],
                marker={
                    "symbol": "circle-open",
                    "size": 14,
                    "color": TRAJECTORY,
                    "line": {"width": 2},
                },
                hovertemplate="(μ − 1)/h = %{x:.3f} %{y:+.3f}i<extra></extra>",
            ),
        ]
    )
    for trace, name in zip(fig.data, EIGENVALUE_TRACES, strict=True):
        trace.meta = name
    style.base_layout(fig, title=title, height=height)
    fig.update_layout(legend={"font": {"size": 11}, "itemwidth": 30})
    fig.update_xaxes(range=[-reach, reach], title_text="Re λ", zeroline=True, constrain="domain")
    fig.update_yaxes(
        range=[-reach, reach],
        title_text="Im λ",
        zeroline=True,
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
    )
    return fig


def update_eigenvalue_figure(
    fig: go.Figure, eigenvalues, step_size: float, *, step_eigenvalues=None
):
    """Refresh an :func:`eigenvalue_figure` in place (the view follows the eigenvalues)."""
    data, reach = _eigen_data(eigenvalues, step_size, step_eigenvalues)
    for name in EIGENVALUE_TRACES:
        _restyle(fig, name, data[name])
    x_key, y_key = _axis_keys(fig, "λ of J")
    if tuple(fig.layout[x_key].range or ()) != (-reach, reach):
        fig.plotly_relayout({f"{x_key}.range": [-reach, reach], f"{y_key}.range": [-reach, reach]})


# ------------------------------------------------------------------ all three panels in one
#: Panel placement in :func:`dynamics_figure` (paper coordinates): x domain, y domain,
#: where the panel title sits (x, y) and where its legend sits (x, y, anchor, orientation).
#: Sized for the default 780 × 860 px so that both square panels fill their domains.
PANEL_LAYOUT = {
    "field": {
        "domain": ((0.0, 0.6), (0.40, 0.94)),
        "title": (0.0, 0.985),
        "legend": (0.0, 0.945, "bottom", "h"),
    },
    "eigenvalues": {
        "domain": ((0.72, 1.0), (0.69, 0.94)),
        "title": (0.72, 0.985),
        "legend": (0.72, 0.6, "top", "v"),
    },
    "distance": {
        "domain": ((0.0, 1.0), (0.0, 0.22)),
        "title": (0.0, 0.285),
        "legend": (0.35, 0.235, "bottom", "h"),
    },
}


def dynamics_figure(
    field: go.Figure,
    distance: go.Figure,
    eigenvalues: go.Figure,
    *,
    height: int = 860,
    width: int | None = 780,
) -> go.Figure:
    """The three panels — vector field, eigenvalues, distance — as one figure.

    A widget then needs a single FigureWidget (each one loads the whole
    plotly.js bundle in the browser). Traces keep their ``meta`` names, so the
    ``update_*_figure`` helpers refresh this figure exactly as they refresh the
    separate ones.
    """
    panels = {"field": (field, "x", "y"), "eigenvalues": (eigenvalues, "x2", "y2")}
    panels["distance"] = (distance, "x3", "y3")
    legends = {"field": "legend", "eigenvalues": "legend2", "distance": "legend3"}
    traces, annotations, layout = [], [], {}
    for name, (fig, x, y) in panels.items():
        place = PANEL_LAYOUT[name]
        x_domain, y_domain = place["domain"]
        for trace in fig.data:
            copy = go.Figure(trace).data[0]
            copy.update(xaxis=x, yaxis=y, legend=legends[name])
            traces.append(copy)
        x_key, y_key = "xaxis" + x[1:], "yaxis" + y[1:]
        x_axis = fig.layout.xaxis.to_plotly_json()
        y_axis = fig.layout.yaxis.to_plotly_json()
        if "scaleanchor" in y_axis:
            y_axis["scaleanchor"] = x
        layout[x_key] = {**x_axis, "domain": list(x_domain), "anchor": y}
        layout[y_key] = {**y_axis, "domain": list(y_domain), "anchor": x}
        legend_x, legend_y, anchor, orientation = place["legend"]
        layout[legends[name]] = {
            "orientation": orientation,
            "x": legend_x,
            "xanchor": "left",
            "y": legend_y,
            "yanchor": anchor,
            "font": {"size": 11},
        }
        if fig.layout.title.text:
            annotations.append(
                {
                    "text": fig.layout.title.text,
                    "xref": "paper",
                    "yref": "paper",
                    "x": place["title"][0],
                    "y": place["title"][1],
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 14},
                }
            )
    combined = go.Figure(traces)
    style.base_layout(combined, height=height)
    combined.update_layout(
        **layout,
        width=width,
        shapes=field.layout.shapes,
        annotations=annotations,
        clickmode="event",
        margin={"l": 55, "r": 20, "t": 30, "b": 45},
    )
    return combined
