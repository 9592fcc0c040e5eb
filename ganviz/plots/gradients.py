"""What the generator feels: loss curves against D(G(z)), vanishing-gradient curves, and
per-sample arrows.

Three pictures of one fact. With the discriminator at its optimum
D* = σ(s), s = log p_data − log p_g, the per-sample generator gradients are

.. math::

    \\text{minimax: } ∂_x \\log(1 - D^*) = -D^*\\, ∇s, \\qquad
    \\text{non-saturating: } ∂_x(-\\log D^*) = -(1 - D^*)\\, ∇s, \\qquad
    \\text{Wasserstein: } ∂_x(-f^*) = -\\operatorname{sign}(F_g - F_{data}).

When the supports of P_data and P_g are far apart D* ≈ 0 on every fake, so
the minimax gradient carries a vanishing factor D* while −log D keeps
1 − D* ≈ 1 and the critic keeps slope 1.

* :func:`generator_loss_figure`: the generator costs J(D) against D = D(G(z))
  and their derivatives (Goodfellow, NIPS 2016 tutorial, Fig. 16), with the
  current fakes' D* marked.
* :func:`vanishing_gradient_figure`: |generator gradient| against the
  separation of P_g from P_data for each loss, on a log axis.
* :func:`sample_arrows_figure`: 1-D densities, D*, and one lane of −∂ℓ/∂x
  arrows per loss on the fake samples (2-D: :func:`ganviz.plots.theory_field`).

Each figure keeps the same traces in the same order, so a widget refreshes it
in place with the matching ``update_*`` function.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import _validation as check
from ..distributions import Distribution
from ..gradients import (
    GENERATOR_COSTS,
    LOSSES,
    generator_cost,
    generator_cost_gradient,
    generator_gradient,
    gradient_curves,
    sample_gradients,
)
from ..grids import view_axes
from ..losses import LOSS_ALIASES, canonical_loss
from ..theory import optimal_discriminator
from . import style
from ._assign import assign, batched, relayout
from ._compose import into, panel

__all__ = [
    "FLOOR",
    "arrow_trace_name",
    "curve_trace_name",
    "generator_loss_figure",
    "marker_trace_name",
    "sample_arrows_figure",
    "update_generator_loss_figure",
    "update_sample_arrows_figure",
    "update_vanishing_gradient_figure",
    "vanishing_gradient_figure",
]

#: Smallest |gradient| drawn on a log axis. Exact zeros (a flat D*, an
#: underflowed minimax gradient) cannot sit on a log axis: they are drawn here and
#: the figure says so.
FLOOR = 1e-300

_COST_LABELS = {
    "minimax": "minimax  log(1 − D)",
    "nonsaturating": "non-saturating  −log D",
    "maximum_likelihood": "maximum likelihood  −½·D/(1 − D)",
}


def curve_trace_name(loss: str) -> str:
    """Name of the curve trace of ``loss`` (a generator cost or a generator loss)."""
    loss = LOSS_ALIASES.get(loss, loss)
    return _COST_LABELS.get(loss) or style.LABELS.get(loss, loss)


def marker_trace_name(loss: str) -> str:
    """Name of the trace marking the current state on the curve of ``loss``."""
    return f"now · {LOSS_ALIASES.get(loss, loss)}"


def arrow_trace_name(loss: str) -> str:
    """Name of the arrow trace of ``loss`` in :func:`sample_arrows_figure`."""
    return f"−∂ℓ/∂x · {LOSS_ALIASES.get(loss, loss)}"


def _losses(losses, allowed, name="losses") -> tuple[str, ...]:
    if isinstance(losses, str):
        losses = (losses,)
    losses = tuple(canonical_loss(loss, allowed, name) for loss in losses)
    if not losses:
        raise ValueError(f"{name} must name at least one of {', '.join(allowed)}")
    return losses


def _one_d_pair(p_data: Distribution, p_g: Distribution, what: str) -> None:
    check.same_dim(p_data, p_g)
    if p_data.dim != 1:
        raise ValueError(
            f"{what} draws 1-D pairs; p_data and p_g are 2-D "
            "(use ganviz.plots.theory_field for 2-D arrows)"
        )


# -- generator cost against D(G(z)) ----------------------------------------------------


def _clip_to(values, lo: float, hi: float) -> np.ndarray:
    """Pin values (±inf included) beyond the visible range to its edges."""
    return np.clip(np.nan_to_num(np.asarray(values, dtype=float), posinf=hi, neginf=lo), lo, hi)


def _loss_figure_data(d_fakes, costs, marked, wrt, n, cost_range, gradient_range):
    d = np.linspace(1e-3, 1 - 1e-3, n)
    fakes = np.zeros(0) if d_fakes is None else check.finite_array(d_fakes, "d_fakes").ravel()
    if np.any((fakes < 0) | (fakes > 1)):
        raise ValueError("d_fakes must be discriminator outputs D(G(z)) in [0, 1]")
    data = {}
    with np.errstate(divide="ignore", over="ignore"):
        for cost in costs:
            data[("cost", cost)] = {"x": d, "y": generator_cost(d, cost)}
            data[("grad", cost)] = {"x": d, "y": generator_cost_gradient(d, cost, wrt=wrt)}
        for cost in marked:
            data[("cost_now", cost)] = {
                "x": fakes,
                "y": _clip_to(generator_cost(fakes, cost), *cost_range),
            }
            data[("grad_now", cost)] = {
                "x": fakes,
                "y": _clip_to(generator_cost_gradient(fakes, cost, wrt=wrt), *gradient_range),
            }
    return data


def generator_loss_figure(
    d_fakes=None,
    *,
    costs=GENERATOR_COSTS,
    marked=("minimax", "nonsaturating"),
    wrt: str = "logit",
    n: int = 400,
    cost_range: tuple[float, float] = (-6.0, 5.0),
    gradient_range: tuple[float, float] | None = None,
    title: str | None = "Generator cost against D(G(z))",
    height: int = 360,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
) -> go.Figure:
    """Generator costs J(D) and their derivatives against D = D(G(z)) ∈ (0, 1).

    .. math::

        J_{minimax} = \\log(1 - D), \\quad J_{NS} = -\\log D, \\quad
        J_{ML} = -\\tfrac12\\, \\frac{D}{1 - D}

    Left panel: the costs (Goodfellow, NIPS 2016 tutorial, Fig. 16). Right
    panel: their derivative with respect to the discriminator's logit
    a = σ⁻¹(D) (``wrt="logit"``, what back-propagates into the generator:
    −D, −(1 − D), −½·D/(1 − D)) or with respect to D (``wrt="d"``). Fakes
    that a good discriminator rejects sit at D ≈ 0, where the minimax cost
    is flat (derivative −D → 0) and −log D is steep (−(1 − D) → −1).

    ``d_fakes`` (the current D*(x) of fake samples) are marked on the curves
    of the ``marked`` costs; marks beyond the visible range are pinned to its
    edge. Trace names: :func:`curve_trace_name` (cost), ``"∂J · <cost>"``,
    ``"now · <cost>"`` and ``"now ∂J · <cost>"``.

    With ``fig=`` (made by :func:`~ganviz.plots.stacked_figure`) and ``row=``
    the figure is drawn into that band of ``fig`` and ``fig`` is returned.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.plots.gradients import generator_loss_figure
    >>> data, fake = gv.Gaussian(0, 1), gv.Gaussian(4, 1)
    >>> fakes = fake.sample(20, seed=0)
    >>> fig = generator_loss_figure(gv.optimal_discriminator(data, fake, fakes))
    """
    costs = _losses(costs, GENERATOR_COSTS, "costs")
    marked = _losses(marked, costs, "marked") if marked else ()
    wrt = check.choice(wrt, ("logit", "d"), "wrt")
    if gradient_range is None:
        gradient_range = (-1.6, 0.1) if wrt == "logit" else (-10.0, 0.5)
    data = _loss_figure_data(d_fakes, costs, marked, wrt, n, cost_range, gradient_range)
    grad_title = "∂J/∂a (a = logit of D)" if wrt == "logit" else "∂J/∂D"
    built = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("cost J(D)", grad_title),
        horizontal_spacing=0.12,
    )
    for key in _loss_trace_keys(costs, marked):
        panel, cost = key
        side = 1 if panel.startswith("cost") else 2
        colour = style.loss_colour(cost)
        if panel in ("cost", "grad"):
            trace = go.Scatter(
                name=curve_trace_name(cost) if side == 1 else f"∂J · {cost}",
                legendgroup=cost,
                showlegend=side == 1,
                mode="lines",
                line={"color": colour, "width": 2.5},
                **data[key],
            )
        else:
            trace = go.Scatter(
                name=marker_trace_name(cost) if side == 1 else f"now ∂J · {cost}",
                legendgroup=cost,
                showlegend=False,
                mode="markers",
                marker={"color": style.FAKE, "size": 7, "line": {"color": colour, "width": 1.5}},
                hovertemplate="D*(fake)=%{x:.3g}<br>%{y:.3g}<extra>" + cost + "</extra>",
                **data[key],
            )
        built.add_trace(trace, row=1, col=side)
    style.base_layout(built, title=title, height=height)
    # legend under the panels: above them it would collide with the subplot titles
    built.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.3, "xanchor": "left", "x": 0},
        margin={"b": 95},
    )
    built.update_xaxes(range=[0, 1], title_text="D(G(z))")
    built.update_yaxes(range=list(cost_range), row=1, col=1)
    built.update_yaxes(range=list(gradient_range), row=1, col=2)
    built.update_layout(meta={"costs": list(costs), "marked": list(marked), "wrt": wrt})
    return into(fig, built, row, col)


def _loss_trace_keys(costs, marked):
    keys = [(panel, cost) for cost in costs for panel in ("cost", "grad")]
    return keys + [(panel, cost) for cost in marked for panel in ("cost_now", "grad_now")]


def update_generator_loss_figure(
    fig: go.Figure, d_fakes, *, row: int | None = None, col: int | None = None
) -> None:
    """Move the D*(fakes) marks of a :func:`generator_loss_figure` in place.

    ``row=, col=`` refresh that panel of a stacked ``fig`` (:func:`~ganviz.plots._compose.panel`).
    """
    view = panel(fig, row, col)
    meta = view.meta or {}
    costs, wrt = tuple(meta.get("costs", GENERATOR_COSTS)), meta.get("wrt", "logit")
    marked = tuple(meta.get("marked", ()))
    cost_range = tuple(view.axis("yaxis").range)
    gradient_range = tuple(view.axis("yaxis2").range)
    n = len(view.data[0].x)
    data = _loss_figure_data(d_fakes, costs, marked, wrt, n, cost_range, gradient_range)
    with batched(fig):
        for trace, key in zip(view.data, _loss_trace_keys(costs, marked), strict=True):
            if key[0].endswith("_now"):
                assign(trace, data[key])


# -- |gradient| against separation ------------------------------------------------------


def _floored(values: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """|values| with everything below ``floor`` (exact 0 included) raised to it, and the mask."""
    magnitude = np.abs(np.asarray(values, dtype=float))
    low = magnitude < floor
    return np.where(low, floor, magnitude), low


def _separation(p_data: Distribution, p_g: Distribution) -> float:
    return float(p_g.mean) - float(p_data.mean)


def default_separations(p_data: Distribution, p_g: Distribution, n: int = 60) -> np.ndarray:
    """Separations worth drawing: up to 12 combined standard deviations (and past the pair)."""
    spread = float(np.sqrt(p_data.covariance) + np.sqrt(p_g.covariance))
    reach = max(6.0 * spread, 1.25 * abs(_separation(p_data, p_g)))
    return np.linspace(reach / n, reach, n)


def _vanishing_data(p_data, p_g, separations, losses, curves, current_gradients, floor):
    _one_d_pair(p_data, p_g, "vanishing_gradient_figure")
    floor = check.positive_float(floor, "floor")
    current = _separation(p_data, p_g)
    seps = (
        default_separations(p_data, p_g)
        if separations is None
        else check.finite_array(separations, "separations").ravel()
    )
    if curves is None:
        curves = gradient_curves(p_data, p_g.shift(-current), seps, losses)
    if current_gradients is None:
        current_gradients = {loss: generator_gradient(p_data, p_g, loss) for loss in losses}
    data, shown, any_low = {}, [], False
    for loss in losses:
        values = np.asarray(curves[loss], dtype=float)
        if values.shape != seps.shape:
            raise ValueError(
                f"curves[{loss!r}] must have one value per separation ({seps.size}), "
                f"got shape {values.shape}"
            )
        y, low = _floored(values, floor)
        data[("curve", loss)] = {"x": seps, "y": y}
        now = np.array([float(current_gradients[loss])])
        y_now, low_now = _floored(now, floor)
        data[("now", loss)] = {"x": [current], "y": y_now}
        shown.extend([y, y_now])
        any_low = any_low or bool(low.any() or low_now.any())
    values = np.concatenate(shown)
    lo, hi = np.log10(values.min()), np.log10(values.max())
    pad = max(0.5, 0.05 * (hi - lo))
    layout = {"y_range": [lo - pad, hi + pad], "current": current, "any_low": any_low}
    return data, layout


def _vanishing_keys(losses):
    return [("curve", loss) for loss in losses] + [("now", loss) for loss in losses]


def vanishing_gradient_figure(
    p_data: Distribution,
    p_g: Distribution,
    separations=None,
    *,
    losses=LOSSES,
    curves: dict | None = None,
    current_gradients: dict | None = None,
    floor: float = FLOOR,
    title: str | None = "|generator gradient| as P_g moves away",
    height: int = 380,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
) -> go.Figure:
    """|Generator gradient| against the separation Δ between P_data and P_g, on a log axis.

    For each loss and each Δ, the gradient d/dt E_{P_g(Δ)}[ℓ] of
    :func:`ganviz.generator_gradient` with P_g(Δ) = ``p_g`` translated so that
    mean(P_g) − mean(P_data) = Δ. For equal-variance Gaussians,

    .. math::

        |g_{minimax}| = \\frac{Δ}{σ^2} E_g[D^*] ≈ e^{-Δ^2/8σ^2}\\cdot…,\\quad
        |g_{NS}| = \\frac{Δ}{σ^2} E_g[1 - D^*] → \\frac{Δ}{σ^2},\\quad
        |g_W| = 1.

    The current separation of (``p_data``, ``p_g``) is marked by a vertical
    line and one point per loss (from the scalar core). Values below
    ``floor`` — exact zeros of a flat D* included — are drawn at ``floor``
    and the figure says so (a log axis has no 0).

    Parameters
    ----------
    separations : array, optional
        Δ values of the curves (default: :func:`default_separations`).
    curves : dict loss → array, optional
        Precomputed gradients per separation (e.g. from
        :func:`ganviz.fitting.gradient_curves`), to skip their computation.
    current_gradients : dict loss → float, optional
        Precomputed gradients of the current pair.
    fig, row, col : optional
        Draw into band ``row`` of ``fig`` (made by :func:`~ganviz.plots.stacked_figure`)
        and return ``fig``; ``col`` is 1 (each band spans the width).

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.plots.gradients import vanishing_gradient_figure
    >>> fig = vanishing_gradient_figure(gv.Gaussian(0, 1), gv.Gaussian(5, 1))
    """
    losses = _losses(losses, LOSSES)
    data, layout = _vanishing_data(
        p_data, p_g, separations, losses, curves, current_gradients, floor
    )
    built = go.Figure()
    for loss in losses:
        built.add_trace(
            go.Scatter(
                name=curve_trace_name(loss),
                legendgroup=loss,
                mode="lines",
                line={"color": style.loss_colour(loss), "width": 2.5},
                hovertemplate="Δ=%{x:.3g}<br>|g|=%{y:.3g}<extra></extra>",
                **data[("curve", loss)],
            )
        )
    for loss in losses:
        built.add_trace(
            go.Scatter(
                name=marker_trace_name(loss),
                legendgroup=loss,
                showlegend=False,
                mode="markers",
                marker={
                    "color": style.loss_colour(loss),
                    "size": 11,
                    "line": {"color": "white", "width": 1.5},
                },
                hovertemplate="now: Δ=%{x:.3g}<br>|g|=%{y:.3g}<extra></extra>",
                **data[("now", loss)],
            )
        )
    style.base_layout(built, title=title, height=height)
    built.add_vline(x=layout["current"], line={"color": style.FAKE, "width": 1.5, "dash": "dot"})
    built.add_annotation(
        text=f"|gradient| < {floor:.0e} (or exactly 0) is drawn at {floor:.0e}",
        xref="paper",
        yref="paper",
        x=0.99,
        y=0.07,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font={"size": 11, "color": style.REFERENCE},
        visible=layout["any_low"],
    )
    built.update_xaxes(title_text="separation Δ = mean(P_g) − mean(P_data)")
    built.update_yaxes(
        type="log",
        range=layout["y_range"],
        title_text="|generator gradient|",
        exponentformat="power",
    )
    built.update_layout(meta={"losses": list(losses), "floor": floor})
    return into(fig, built, row, col)


def update_vanishing_gradient_figure(
    fig: go.Figure,
    p_data: Distribution,
    p_g: Distribution,
    separations=None,
    *,
    curves: dict | None = None,
    current_gradients: dict | None = None,
    redraw_curves: bool = True,
    row: int | None = None,
    col: int | None = None,
) -> None:
    """Refresh a :func:`vanishing_gradient_figure` in place for a new pair (one batch update).

    ``redraw_curves=False`` moves only the current-separation marks (the
    curves depend on the shapes of P_data and P_g, not on where P_g sits).

    ``row=, col=`` refresh that panel of a stacked ``fig`` (:func:`~ganviz.plots._compose.panel`).
    """
    view = panel(fig, row, col)
    meta = view.meta or {}
    losses, floor = tuple(meta.get("losses", LOSSES)), meta.get("floor", FLOOR)
    data, layout = _vanishing_data(
        p_data, p_g, separations, losses, curves, current_gradients, floor
    )
    with batched(fig):
        for trace, key in zip(view.data, _vanishing_keys(losses), strict=True):
            if redraw_curves or key[0] == "now":
                assign(trace, data[key])
        relayout(
            fig,
            view.paths(
                {
                    "shapes[0].x0": layout["current"],
                    "shapes[0].x1": layout["current"],
                    "annotations[0].visible": layout["any_low"],
                    "yaxis.range": layout["y_range"],
                }
            ),
        )


# -- per-sample arrows in 1-D ---------------------------------------------------------------


_ARROW_BASE_TRACES = ("p_data", "p_g", "D*(x)", "fake")
#: Vertical split of :func:`sample_arrows_figure`: arrow lanes below, densities above.
_LANES_DOMAIN, _DENSITY_DOMAIN = (0.0, 0.44), (0.5, 1.0)


def _lane_rows(fakes: np.ndarray) -> np.ndarray:
    """Vertical offsets in [−0.35, 0.35]: one row per fake sample, in order of x.

    Each arrow gets a row of its own, rising from the leftmost fake to the
    rightmost, so arrows of one lane never lie on top of each other and the
    lane reads as a staircase (random jitter drew a tangle of crossing arrows).
    """
    n = len(fakes)
    if n < 2:
        return np.zeros(n)
    ranks = np.empty(n)
    ranks[np.argsort(fakes, kind="stable")] = np.arange(n)
    return 0.7 * (ranks / (n - 1) - 0.5)


def _arrows_data(p_data, p_g, fakes, losses, n_fakes, seed, arrow_scale, n):
    _one_d_pair(p_data, p_g, "sample_arrows_figure")
    if fakes is None:
        fakes = p_g.sample(check.sample_count(n_fakes, "n_fakes"), seed=seed)
    fakes = check.finite_array(fakes, "fakes").ravel()
    (xs,) = view_axes(p_data, p_g, n=n)
    dens_data, dens_g = p_data.pdf(xs), p_g.pdf(xs)
    top = float(max(dens_data.max(), dens_g.max(), 1e-12))
    width = float(xs[-1] - xs[0])
    grads = {loss: sample_gradients(p_data, p_g, fakes, loss) for loss in losses}
    largest = max((float(np.abs(g).max()) for g in grads.values() if g.size), default=0.0)
    if arrow_scale is None:
        scale = 0.12 * width / largest if largest > 0 else 1.0
    else:
        scale = check.positive_float(arrow_scale, "arrow_scale")
    rows = _lane_rows(fakes)
    data = {
        "p_data": {"x": xs, "y": dens_data},
        "p_g": {"x": xs, "y": dens_g},
        "D*(x)": {"x": xs, "y": optimal_discriminator(p_data, p_g, xs)},
        "fake": {"x": fakes, "y": np.zeros(len(fakes))},
    }
    for k, loss in enumerate(losses):
        heights = -(k + 1) + rows  # lane k at −(k + 1) on the lanes' own axis
        tips = fakes - scale * grads[loss]
        xs3 = np.empty(3 * len(fakes))
        ys3 = np.empty(3 * len(fakes))
        xs3[0::3], xs3[1::3], xs3[2::3] = fakes, tips, np.nan
        ys3[0::3], ys3[1::3], ys3[2::3] = heights, heights, np.nan
        visible = np.abs(tips - fakes) > 1e-3 * width
        sizes = np.zeros(3 * len(fakes))
        sizes[1::3] = np.where(visible, 8.0, 0.0)  # heads only on arrows long enough to see
        data[arrow_trace_name(loss)] = {"x": xs3, "y": ys3, "marker.size": sizes}
    layout = {
        "y_range": [0.0, 1.08 * top],
        "x_range": [float(xs[0]), float(xs[-1])],
        "scale": scale,
        "gradients": grads,
    }
    return data, layout


def sample_arrows_figure(
    p_data: Distribution,
    p_g: Distribution,
    fakes=None,
    *,
    losses=LOSSES,
    n_fakes: int = 12,
    seed: int | None = 0,
    arrow_scale: float | None = None,
    n: int = 400,
    title: str | None = "Where each loss pushes the fake samples",
    height: int = 440,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
) -> go.Figure:
    """1-D densities, D*(x), fake samples, and one lane of −∂ℓ/∂x arrows per loss.

    .. math::

        -∂_x ℓ_{minimax} = D^*\\, s', \\quad -∂_x ℓ_{NS} = (1 - D^*)\\, s', \\quad
        -∂_x ℓ_W = \\operatorname{sign}(F_g - F_{data}), \\qquad s = \\log p_{data} - \\log p_g

    from :func:`ganviz.sample_gradients`: the direction gradient descent moves
    each fake. Top: both densities with D*(x) on the right axis. Bottom: one
    lane per loss (on its own axis, lane k at −(k + 1)), an arrow from every
    fake x to x − scale·∂ℓ/∂x. All lanes share one scale (by default the
    longest arrow is 12 % of the view; the scale is in ``layout.meta``), so a
    vanished minimax gradient shows as a lane without arrows. ``fakes``
    default to ``n_fakes`` draws from ``p_g`` with ``seed``. For 2-D pairs
    use :func:`ganviz.plots.theory_field`.

    With ``fig=`` (made by :func:`~ganviz.plots.stacked_figure`) and ``row=``
    the figure is drawn into that band of ``fig`` and ``fig`` is returned.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.plots.gradients import sample_arrows_figure
    >>> fig = sample_arrows_figure(gv.Gaussian(0, 1), gv.Gaussian(5, 1))
    """
    losses = _losses(losses, LOSSES)
    data, layout = _arrows_data(p_data, p_g, fakes, losses, n_fakes, seed, arrow_scale, n)
    built = go.Figure()
    built.add_traces(style.filled_densities(data))
    built.add_trace(
        go.Scatter(
            name="D*(x)",
            mode="lines",
            yaxis="y2",
            line={"color": style.DISCRIMINATOR, "width": 2, "dash": "dash"},
            **data["D*(x)"],
        )
    )
    built.add_trace(
        go.Scatter(
            name="fake",
            mode="markers",
            marker={"color": style.FAKE, "size": 9, "symbol": "line-ns-open"},
            hoverinfo="skip",
            **data["fake"],
        )
    )
    for loss in losses:
        arrows = data[arrow_trace_name(loss)]
        colour = style.loss_colour(loss)
        built.add_trace(
            go.Scatter(
                name=arrow_trace_name(loss),
                legendgroup=loss,
                mode="lines+markers",
                yaxis="y3",
                x=arrows["x"],
                y=arrows["y"],
                line={"color": colour, "width": 1.6},
                marker={
                    "symbol": "arrow",
                    "angleref": "previous",
                    "size": arrows["marker.size"],
                    "color": colour,
                },
                hoverinfo="skip",
            )
        )
    style.base_layout(built, title=title, height=height)
    for k, loss in enumerate(losses):
        built.add_annotation(
            text=curve_trace_name(loss),
            xref="paper",
            yref="y3",
            x=0.0,
            y=-(k + 0.53),
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font={"size": 11, "color": style.loss_colour(loss)},
        )
        if k:  # a faint rule between lanes, so each arrow reads against its own label
            built.add_hline(y=-(k + 0.5), yref="y3", line={"color": "#d0d0d0", "width": 1})
    built.update_layout(
        xaxis={"range": layout["x_range"], "title": {"text": "x"}, "anchor": "y3"},
        yaxis={
            "range": layout["y_range"],
            "title": {"text": "density"},
            "domain": list(_DENSITY_DOMAIN),
        },
        yaxis2={
            "range": [0, 1.08],
            "tickvals": [0, 0.5, 1],
            "overlaying": "y",
            "side": "right",
            "title": {"text": "D*(x)"},
            "showgrid": False,
        },
        yaxis3={
            "range": [-(len(losses) + 0.6), -0.3],
            "domain": list(_LANES_DOMAIN),
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
            "title": {"text": "−∂ℓ/∂x"},
        },
        meta={"losses": list(losses), "arrow_scale": layout["scale"]},
    )
    return into(fig, built, row, col)


def _arrow_keys(losses):
    return [*_ARROW_BASE_TRACES, *(arrow_trace_name(loss) for loss in losses)]


def update_sample_arrows_figure(
    fig: go.Figure,
    p_data: Distribution,
    p_g: Distribution,
    fakes=None,
    *,
    n_fakes: int = 12,
    seed: int | None = 0,
    arrow_scale: float | None = None,
    row: int | None = None,
    col: int | None = None,
) -> dict[str, np.ndarray]:
    """Refresh a :func:`sample_arrows_figure` in place (one batch update).

    Returns the per-sample gradients ∂ℓ/∂x drawn, per loss. The arrow scale
    used is not written back to ``layout.meta`` (a layout change per move costs
    more than the rest of the update); pass ``arrow_scale`` to fix it.

    ``row=, col=`` refresh that panel of a stacked ``fig`` (:func:`~ganviz.plots._compose.panel`).
    """
    view = panel(fig, row, col)
    meta = view.meta or {}
    losses = tuple(meta.get("losses", LOSSES))
    n = len(view.data[0].x)
    data, layout = _arrows_data(p_data, p_g, fakes, losses, n_fakes, seed, arrow_scale, n)
    with batched(fig):
        for trace, key in zip(view.data, _arrow_keys(losses), strict=True):
            assign(trace, data[key])
        relayout(
            fig, view.paths({"xaxis.range": layout["x_range"], "yaxis.range": layout["y_range"]})
        )
    return layout["gradients"]
