"""Mode collapse: P_data with K modes, a P_g that covers some of them, and the numbers.

Which modes P_g misses decides the divergences, in opposite ways:

.. math::

    KL(P_{data}\\|P_g) = E_{data}\\Big[\\log\\frac{p_{data}}{p_g}\\Big] \\quad
    \\text{(mode covering: huge as soon as P_g misses a mode)}

    KL(P_g\\|P_{data}) = E_{g}\\Big[\\log\\frac{p_g}{p_{data}}\\Big] \\quad
    \\text{(mode seeking: only } \\log(K/m) \\text{ for P_g on m of K modes)}

and JS, bounded by log 2, stays below both for P_g on m of K modes.
Coverage counts the modes that receive at least one of P_g's samples within
3σ of their centre (:func:`ganviz.mode_coverage`).

* :func:`mode_collapse_figure`: 1-D densities with covered / missed mode
  centres, or, in 2-D, density contours, P_g's samples and a 3σ circle per
  mode (solid when covered, dotted grey when missed);
* :func:`mode_metrics_figure`: a bar chart of JS and both KLs beside the
  high-quality samples each mode received.

Both keep their traces in a fixed order; ``update_*`` refreshes them in place.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import _validation as check
from ..distributions import Distribution, mixture_centres
from ..grids import view_axes
from ..modes import ModeReport, mode_report, mode_std
from . import style
from ._assign import assign, batched, relayout
from ._compose import into, panel

__all__ = [
    "METRIC_LABELS",
    "MODE_TRACES_1D",
    "MODE_TRACES_2D",
    "mode_collapse_figure",
    "mode_metrics_figure",
    "update_mode_collapse_figure",
    "update_mode_metrics_figure",
]

#: Trace names, in order, of a 1-D and of a 2-D :func:`mode_collapse_figure`.
MODE_TRACES_1D = ("p_data", "p_g", "covered modes", "missed modes")
MODE_TRACES_2D = ("p_data", "p_g", "P_g samples", "3σ covered", "3σ missed", "mode centres")

#: Bar labels of :func:`mode_metrics_figure`, in order, and the report field each shows.
METRIC_LABELS = {
    "JS": "js",
    "KL(data‖g)": "kl_data_g",
    "KL(g‖data)": "kl_g_data",
}
_METRIC_HOVER = ("JS(P_data‖P_g)", "KL(P_data‖P_g): mode covering", "KL(P_g‖P_data): mode seeking")
_METRIC_COLOURS = (style.DISCRIMINATOR, style.DATA, style.FAKE)
_CIRCLE = np.linspace(0.0, 2.0 * math.pi, 41)


def _report(p_data, p_g, report, n_samples, seed, threshold) -> ModeReport:
    if report is not None:
        if not isinstance(report, ModeReport):
            raise ValueError(
                f"report must be a ganviz.modes.ModeReport, got {type(report).__name__}"
            )
        return report
    return mode_report(p_data, p_g, n_samples=n_samples, seed=seed, threshold=threshold)


def _centres(p_data: Distribution, report: ModeReport) -> np.ndarray:
    return mixture_centres(p_data).reshape(report.n_modes, -1)


def _circles(centres: np.ndarray, radius: float):
    """x, y of circles of ``radius`` around ``centres``, separated by gaps."""
    if len(centres) == 0:
        return np.zeros(0), np.zeros(0)
    ring_x = np.cos(_CIRCLE) * radius
    ring_y = np.sin(_CIRCLE) * radius
    xs = (centres[:, :1] + ring_x[None, :]).tolist()
    ys = (centres[:, 1:2] + ring_y[None, :]).tolist()
    gap = [np.nan]
    return (
        np.concatenate([np.r_[x, gap] for x in xs]),
        np.concatenate([np.r_[y, gap] for y in ys]),
    )


def _mode_data(p_data, p_g, report, n, n_show, threshold, mode_std):
    check.same_dim(p_data, p_g)
    centres = _centres(p_data, report)
    covered = report.counts > 0
    if p_data.dim == 1:
        (xs,) = view_axes(p_data, p_g, n=n)
        dens_data, dens_g = p_data.pdf(xs), p_g.pdf(xs)
        c = centres[:, 0]
        data = {
            "p_data": {"x": xs, "y": dens_data},
            "p_g": {"x": xs, "y": dens_g},
            "covered modes": {"x": c[covered], "y": np.zeros(int(covered.sum()))},
            "missed modes": {"x": c[~covered], "y": np.zeros(int((~covered).sum()))},
        }
        top = float(max(dens_data.max(), dens_g.max(), 1e-12))
        return data, {"x_range": [float(xs[0]), float(xs[-1])], "y_range": [-0.06 * top, 1.1 * top]}
    xs, ys = view_axes(p_data, p_g, n=n)
    gx, gy = np.meshgrid(xs, ys)
    plane = np.stack([gx, gy], axis=-1)
    shown = report.samples[:n_show]
    cov_x, cov_y = _circles(centres[covered], threshold * mode_std)
    miss_x, miss_y = _circles(centres[~covered], threshold * mode_std)
    data = {
        "p_data": {"x": xs, "y": ys, "z": p_data.pdf(plane)},
        "p_g": {"x": xs, "y": ys, "z": p_g.pdf(plane)},
        "P_g samples": {"x": shown[:, 0], "y": shown[:, 1]},
        "3σ covered": {"x": cov_x, "y": cov_y},
        "3σ missed": {"x": miss_x, "y": miss_y},
        "mode centres": {"x": centres[:, 0], "y": centres[:, 1]},
    }
    return data, {
        "x_range": [float(xs[0]), float(xs[-1])],
        "y_range": [float(ys[0]), float(ys[-1])],
    }


def _summary(report: ModeReport) -> str:
    return (
        f"modes covered: {report.modes_covered} / {report.n_modes} · "
        f"high-quality samples: {100 * report.high_quality:.0f} %"
    )


def mode_collapse_figure(
    p_data: Distribution,
    p_g: Distribution,
    *,
    report: ModeReport | None = None,
    n: int | None = None,
    n_samples: int = 1000,
    n_show: int = 500,
    seed: int | None = 0,
    threshold: float = 3.0,
    title: str | None = None,
    height: int = 420,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
) -> go.Figure:
    """P_data's modes, P_g, and which modes P_g covers (3σ rule), in 1-D or 2-D.

    A mode counts as covered when at least one of P_g's samples lies within
    ``threshold`` standard deviations of its centre and nearer to it than to
    any other (:func:`ganviz.mode_coverage`). 1-D: both densities and the
    mode centres (filled: covered, open grey: missed). 2-D: density contours,
    ``n_show`` of P_g's samples, and a circle of radius 3σ around every mode
    centre (solid: covered, dotted grey: missed).

    ``report`` (a :class:`ganviz.modes.ModeReport`) is computed with
    :func:`ganviz.mode_report` (``n_samples`` draws with ``seed``)
    when not given; ``p_data`` should be a mixture whose components are the modes.

    With ``fig=`` (made by :func:`~ganviz.plots.stacked_figure`) and ``row=``
    the figure is drawn into that band of ``fig`` and ``fig`` is returned.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.plots.modes import mode_collapse_figure
    >>> ring = gv.ring_of_gaussians(8, radius=2.0, std=0.2)
    >>> collapsed = gv.Mixture(ring.components[:3])
    >>> fig = mode_collapse_figure(ring, collapsed)
    """
    check.same_dim(p_data, p_g)
    report = _report(p_data, p_g, report, n_samples, seed, threshold)
    threshold = check.positive_float(threshold, "threshold")
    n = (400 if p_data.dim == 1 else 90) if n is None else n
    data, layout = _mode_data(p_data, p_g, report, n, n_show, threshold, mode_std(p_data))
    built = go.Figure()
    if p_data.dim == 1:
        built.add_traces(style.filled_densities(data))
        built.add_trace(
            go.Scatter(
                name="covered modes",
                mode="markers",
                marker={"color": style.DATA, "size": 12, "symbol": "circle"},
                **data["covered modes"],
            )
        )
        built.add_trace(
            go.Scatter(
                name="missed modes",
                mode="markers",
                marker={
                    "color": style.REFERENCE,
                    "size": 12,
                    "symbol": "circle-open",
                    "line": {"width": 2},
                },
                **data["missed modes"],
            )
        )
        built.update_xaxes(range=layout["x_range"], title_text="x")
        built.update_yaxes(range=layout["y_range"], title_text="density")
    else:
        for name, colour in (("p_data", style.DATA), ("p_g", style.FAKE)):
            built.add_trace(
                go.Contour(
                    name=name,
                    **data[name],
                    ncontours=7,
                    contours={"coloring": "none"},
                    line={"color": colour, "width": 1.4},
                    showscale=False,
                    showlegend=True,
                    hoverinfo="skip",
                )
            )
        built.add_trace(
            go.Scatter(
                name="P_g samples",
                mode="markers",
                marker={"color": style.FAKE, "size": 4, "opacity": 0.6},
                **data["P_g samples"],
            )
        )
        built.add_trace(
            go.Scatter(
                name="3σ covered",
                mode="lines",
                line={"color": style.DATA, "width": 2},
                hoverinfo="skip",
                **data["3σ covered"],
            )
        )
        built.add_trace(
            go.Scatter(
                name="3σ missed",
                mode="lines",
                line={"color": style.REFERENCE, "width": 1.5, "dash": "dot"},
                hoverinfo="skip",
                **data["3σ missed"],
            )
        )
        built.add_trace(
            go.Scatter(
                name="mode centres",
                mode="markers",
                marker={"color": style.DATA, "size": 6, "symbol": "x"},
                **data["mode centres"],
            )
        )
        built.update_xaxes(range=layout["x_range"], title_text="x₁")
        built.update_yaxes(range=layout["y_range"], title_text="x₂", scaleanchor="x", scaleratio=1)
    style.base_layout(built, title=title or _summary(report), height=height)
    built.update_layout(meta={"dim": p_data.dim, "n": n, "n_show": n_show, "threshold": threshold})
    return into(fig, built, row, col)


def update_mode_collapse_figure(
    fig: go.Figure,
    p_data: Distribution,
    p_g: Distribution,
    *,
    report: ModeReport | None = None,
    n_samples: int = 1000,
    seed: int | None = 0,
    title: str | None = None,
    row: int | None = None,
    col: int | None = None,
) -> None:
    """Refresh a :func:`mode_collapse_figure` in place (same dimension; one batch update).

    ``row=, col=`` refresh that panel of a stacked ``fig`` (:func:`~ganviz.plots._compose.panel`).
    """
    view = panel(fig, row, col)
    meta = view.meta or {}
    if meta.get("dim") != p_data.dim:
        raise ValueError(
            f"this figure draws {meta.get('dim')}-D pairs; p_data is {p_data.dim}-D "
            "(build a new figure for the other dimension)"
        )
    threshold = meta.get("threshold", 3.0)
    report = _report(p_data, p_g, report, n_samples, seed, threshold)
    data, layout = _mode_data(
        p_data, p_g, report, meta["n"], meta.get("n_show", 500), threshold, mode_std(p_data)
    )
    names = MODE_TRACES_1D if p_data.dim == 1 else MODE_TRACES_2D
    with batched(fig):
        for trace, name in zip(view.data, names, strict=True):
            assign(trace, data[name])
        relayout(
            fig,
            view.paths(
                {
                    "xaxis.range": layout["x_range"],
                    "yaxis.range": layout["y_range"],
                    "title.text": title or _summary(report),
                }
            ),
        )


# -- the numbers --------------------------------------------------------------------------------


def _metric_data(report: ModeReport, cap: float):
    values = np.array([getattr(report, field) for field in METRIC_LABELS.values()], dtype=float)
    text = ["∞" if math.isinf(v) else (f"{v:.3g} ▲" if v > cap else f"{v:.3g}") for v in values]
    covered = report.counts > 0
    modes = np.arange(report.n_modes)
    colours = [style.DATA if c else style.REFERENCE for c in covered]
    return {
        "divergences": {"x": list(METRIC_LABELS), "y": np.minimum(values, cap), "text": text},
        # (hover names are static: set once when the figure is built)
        "samples per mode": {
            "x": modes,
            "y": report.counts,
            "marker.color": colours,
            "text": [str(int(c)) for c in report.counts],
        },
    }


def mode_metrics_figure(
    report: ModeReport,
    *,
    cap: float = 6.0,
    title: str | None = None,
    height: int = 300,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
) -> go.Figure:
    """JS and both KLs as bars (nats), beside the high-quality P_g samples each mode received.

    .. math::

        JS ∈ [0, \\log 2], \\quad KL(P_{data}\\|P_g) \\text{ (covering)}, \\quad
        KL(P_g\\|P_{data}) \\text{ (seeking)}

    Bars taller than ``cap`` nats are drawn at ``cap`` and labelled with
    their value and ▲ (∞ when infinite). Right panel: samples within 3σ of
    each mode (grey: a missed mode). The title says how many modes are
    covered and the fraction of high-quality samples.

    With ``fig=`` (made by :func:`~ganviz.plots.stacked_figure`) and ``row=``
    the figure is drawn into that band of ``fig`` and ``fig`` is returned.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.modes import mode_report
    >>> from ganviz.plots.modes import mode_metrics_figure
    >>> ring = gv.ring_of_gaussians(8, radius=2.0, std=0.2)
    >>> fig = mode_metrics_figure(mode_report(ring, gv.Mixture(ring.components[:3])))
    """
    if not isinstance(report, ModeReport):
        raise ValueError(f"report must be a ganviz.modes.ModeReport, got {type(report).__name__}")
    cap = check.positive_float(cap, "cap")
    data = _metric_data(report, cap)
    built = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.45, 0.55],
        subplot_titles=("divergences (nats; dotted: log 2)", "P_g samples within 3σ, per mode"),
        horizontal_spacing=0.12,
    )
    built.add_trace(
        go.Bar(
            name="divergences",
            marker={"color": list(_METRIC_COLOURS)},
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
            hovertext=list(_METRIC_HOVER),
            hovertemplate="%{hovertext}: %{text}<extra></extra>",
            **data["divergences"],
        ),
        row=1,
        col=1,
    )
    per_mode = data["samples per mode"]
    built.add_trace(
        go.Bar(
            name="samples per mode",
            x=per_mode["x"],
            y=per_mode["y"],
            text=per_mode["text"],
            marker={"color": per_mode["marker.color"]},
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    built.add_hline(
        y=math.log(2.0),
        line={"color": style.REFERENCE, "dash": "dot", "width": 1},
        row=1,
        col=1,
    )
    style.base_layout(built, title=title or _summary(report), height=height)
    built.update_yaxes(range=[0, cap * 1.15], row=1, col=1)
    built.update_xaxes(title_text="mode", dtick=1, row=1, col=2)
    built.update_layout(meta={"cap": cap})
    return into(fig, built, row, col)


def update_mode_metrics_figure(
    fig: go.Figure,
    report: ModeReport,
    *,
    title: str | None = None,
    row: int | None = None,
    col: int | None = None,
) -> None:
    """Refresh a :func:`mode_metrics_figure` in place (one batch update).

    ``row=, col=`` refresh that panel of a stacked ``fig`` (:func:`~ganviz.plots._compose.panel`).
    """
    if not isinstance(report, ModeReport):
        raise ValueError(f"report must be a ganviz.modes.ModeReport, got {type(report).__name__}")
    view = panel(fig, row, col)
    cap = (view.meta or {}).get("cap", 6.0)
    data = _metric_data(report, cap)
    with batched(fig):
        assign(view.data[0], data["divergences"])
        assign(view.data[1], data["samples per mode"])
        relayout(fig, view.paths({"title.text": title or _summary(report)}))
