"""The 2-D discriminator field: D as a heatmap, its ½ contour, both densities, samples and
the generator's pull on every fake sample.

One helper draws both the theory (D* from two distributions) and a trained
network (a :class:`ganviz.Snapshot`), so the two panels look alike and can be
compared side by side. Arrows point along −∂ℓ_G/∂x, the direction gradient
descent moves each fake, for the loss actually used — not ∇D whatever the
loss, as GAN Lab draws.

The figure always holds the same traces in the same order (empty when there
is nothing to show), so a widget can refresh it in place with
:func:`update_discriminator_field` inside ``fig.batch_update()``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .. import Snapshot
from ..distributions import Distribution, Empirical
from ..gradients import sample_gradients
from ..theory import optimal_discriminator_plane
from . import style
from ._assign import assign, batched
from ._compose import into, panel

__all__ = [
    "ARROW_POINTS",
    "FIELD_TRACES",
    "discriminator_field",
    "snapshot_figure",
    "theory_field",
    "theory_field_data",
    "update_discriminator_field",
]

#: Trace names, in order, of every discriminator-field figure.
FIELD_TRACES = ("D(x)", "D = ½", "p_data", "p_g", "real", "fake", "−∂ℓ/∂x", "manifold")

#: A thin dark rim on sample markers, so orange fakes stay visible on the orange side of D.
_OUTLINE = {"color": "rgba(30, 30, 30, 0.85)", "width": 0.7}


#: Points per arrow in the "−∂ℓ/∂x" trace: tail, tip, one barb, tip, the other barb, gap.
ARROW_POINTS = 6
#: Barb length as a fraction of the view's diagonal (about 8 px on a 450 px plot) and the
#: angle between each barb and the shaft.
_HEAD_FRACTION = 0.015
_HEAD_ANGLE = np.radians(25.0)


def _arrow_segments(
    points: np.ndarray, vectors: np.ndarray, scale: float, max_length: float, head_length: float
):
    """x and y of arrows drawn as one polyline, :data:`ARROW_POINTS` points each:
    tail, tip, barb, tip, barb, gap (NaN).

    Arrows longer than ``max_length`` are drawn at that length (a few
    outliers near the D = ½ boundary would otherwise hide all the others).
    Barbs are ``head_length`` long, or 0.4 of a shorter arrow. The heads are lines
    in data coordinates (the field's axes have equal scales), not marker symbols:
    plotly styles every marker point on each redraw, and 150 head markers cost about
    a quarter of a 2-D slider step's drawing.
    """
    n = len(points)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    drawn = scale * vectors
    length = np.linalg.norm(drawn, axis=-1, keepdims=True)
    drawn = np.where(length > max_length, drawn * (max_length / np.maximum(length, 1e-300)), drawn)
    length = np.minimum(length, max_length)
    tips = points + drawn
    # heads only on arrows long enough to see: a vanished gradient (disjoint supports, a
    # saturated minimax loss) draws nothing, not a head pointing nowhere
    visible = length > 1e-3 * max_length
    head = np.where(visible, np.minimum(head_length, 0.4 * length), 0.0)
    back = -drawn / np.maximum(length, 1e-300)  # unit vector from the tip towards the tail
    cos, sin = np.cos(_HEAD_ANGLE), np.sin(_HEAD_ANGLE)
    rotate = np.array([[cos, -sin], [sin, cos]])
    barbs = [tips + head * (back @ rotate.T), tips + head * (back @ rotate)]
    gap = np.full_like(tips, np.nan)
    polyline = np.stack([points, tips, barbs[0], tips, barbs[1], gap], axis=1)
    polyline = polyline.reshape(ARROW_POINTS * n, 2)
    return polyline[:, 0], polyline[:, 1]


def _manifold_lines(manifold: np.ndarray | None):
    """Polylines along rows and columns of the generator's image of a noise grid."""
    if manifold is None or np.size(manifold) == 0:
        return np.zeros(0), np.zeros(0)
    m = np.asarray(manifold, dtype=float)
    gap = np.full((1, 2), np.nan)
    lines = [np.concatenate([row, gap]) for row in m] + [
        np.concatenate([col, gap]) for col in m.transpose(1, 0, 2)
    ]
    stacked = np.concatenate(lines)
    return stacked[:, 0], stacked[:, 1]


def auto_arrow_scale(xs, ys, vectors: np.ndarray | None, fraction: float = 0.08) -> float:
    """Scale that makes the 95th-percentile arrow ``fraction`` of the view's diagonal.

    Fine for one picture; to *compare* magnitudes (vanishing gradients), pass
    the same fixed ``arrow_scale`` to every figure instead.
    """
    if vectors is None or len(vectors) == 0:
        return 1.0
    lengths = np.linalg.norm(vectors, axis=-1)
    ref = np.percentile(lengths, 95) if np.any(lengths > 0) else 0.0
    diag = float(np.hypot(np.ptp(xs), np.ptp(ys)))
    return fraction * diag / ref if ref > 0 else 1.0


def _field_data(
    xs,
    ys,
    d,
    *,
    real=None,
    fake=None,
    fake_gradients=None,
    manifold=None,
    data_density=None,
    g_density=None,
    arrow_scale=None,
):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    d = np.asarray(d, dtype=float)
    if d.shape != (len(ys), len(xs)):
        raise ValueError(
            f"d must have shape (len(ys), len(xs)) = {(len(ys), len(xs))}, got {d.shape}"
        )
    empty = np.zeros((0, 2))
    real = empty if real is None else np.asarray(real, dtype=float).reshape(-1, 2)
    fake = empty if fake is None else np.asarray(fake, dtype=float).reshape(-1, 2)
    if fake_gradients is None:
        arrows = empty
        pull = empty
    else:
        pull = -np.asarray(fake_gradients, dtype=float).reshape(-1, 2)
        if pull.shape != fake.shape:
            raise ValueError(
                f"fake_gradients must have the shape of fake {fake.shape}, got {pull.shape}"
            )
        arrows = fake
    scale = auto_arrow_scale(xs, ys, pull) if arrow_scale is None else float(arrow_scale)
    diagonal = float(np.hypot(np.ptp(xs), np.ptp(ys)))
    ax, ay = _arrow_segments(
        arrows, pull, scale, max_length=0.2 * diagonal, head_length=_HEAD_FRACTION * diagonal
    )
    mx, my = _manifold_lines(manifold)
    # An absent density is a flat zero field (no contour lines): NaN in a 2-D
    # array is not valid JSON on its way to the browser widget.
    none_z = np.zeros((len(ys), len(xs)))
    return {
        "D(x)": {"x": xs, "y": ys, "z": d},
        "D = ½": {"x": xs, "y": ys, "z": d},
        "p_data": {"x": xs, "y": ys, "z": none_z if data_density is None else data_density},
        "p_g": {"x": xs, "y": ys, "z": none_z if g_density is None else g_density},
        "real": {"x": real[:, 0], "y": real[:, 1]},
        "fake": {"x": fake[:, 0], "y": fake[:, 1]},
        "−∂ℓ/∂x": {"x": ax, "y": ay},
        "manifold": {"x": mx, "y": my},
    }


def discriminator_field(
    xs,
    ys,
    d,
    *,
    real=None,
    fake=None,
    fake_gradients=None,
    manifold=None,
    data_density=None,
    g_density=None,
    d_is_probability: bool = True,
    d_name: str = "D(x)",
    arrow_scale: float | None = None,
    title: str | None = None,
    height: int = 460,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
) -> go.Figure:
    """Heatmap of a discriminator on a grid with samples, density contours and generator pull.

    Parameters
    ----------
    xs, ys : arrays (nx,), (ny,)
        Grid axes.
    d : array (ny, nx)
        D(x) in [0, 1] (``d_is_probability=True``) or critic scores.
    real, fake : arrays (n, 2), optional
        Real and generated samples.
    fake_gradients : array (n, 2), optional
        ∂ℓ_G/∂x at each fake; arrows are drawn along its negative.
    manifold : array (g, g, 2), optional
        The generator's image of a regular noise grid, drawn as a mesh.
    data_density, g_density : arrays (ny, nx), optional
        Densities drawn as contour lines (blue p_data, orange p_g).
    arrow_scale : float, optional
        Arrow length per unit gradient; fix it to compare magnitudes across figures.
    fig, row, col : optional
        Draw into band ``row`` of ``fig`` (made by :func:`~ganviz.plots.stacked_figure`)
        and return ``fig``; ``col`` is 1 (each band spans the width).

    Examples
    --------
    >>> import numpy as np, ganviz as gv
    >>> from ganviz.plots import discriminator_field
    >>> xs = ys = np.linspace(-3, 3, 60)
    >>> d = 1 / (1 + np.exp(-np.add.outer(ys, xs)))
    >>> fig = discriminator_field(xs, ys, d, title="a linear discriminator")
    """
    data = _field_data(
        xs,
        ys,
        d,
        real=real,
        fake=fake,
        fake_gradients=fake_gradients,
        manifold=manifold,
        data_density=data_density,
        g_density=g_density,
        arrow_scale=arrow_scale,
    )
    heat = {
        "colorscale": style.D_COLORSCALE if d_is_probability else style.CRITIC_COLORSCALE,
        "colorbar": {"title": {"text": d_name}, "thickness": 12, "len": 0.8},
        "hovertemplate": "x=%{x:.2f}<br>y=%{y:.2f}<br>" + d_name + "=%{z:.3f}<extra></extra>",
    }
    if d_is_probability:
        heat.update(zmin=0.0, zmax=1.0)
    else:
        heat.update(zmid=critic_midpoint(d))
    built = go.Figure(
        [
            go.Heatmap(name="D(x)", **data["D(x)"], **heat),
            go.Contour(
                name="D = ½",
                **data["D = ½"],
                contours={"start": 0.5, "end": 0.5, "size": 1.0, "coloring": "none"},
                line={"color": style.DISCRIMINATOR, "width": 2.5, "dash": "dash"},
                showscale=False,
                hoverinfo="skip",
                showlegend=d_is_probability,
                visible=d_is_probability,
            ),
            _density_contour("p_data", data["p_data"], style.DATA),
            _density_contour("p_g", data["p_g"], style.FAKE),
            go.Scatter(
                name="real",
                mode="markers",
                **data["real"],
                # outlined: the points sit on a heatmap of their own colours
                marker={"color": style.DATA, "size": 5, "opacity": 0.8, "line": _OUTLINE},
            ),
            go.Scatter(
                name="fake",
                mode="markers",
                **data["fake"],
                marker={"color": style.FAKE, "size": 5, "opacity": 0.9, "line": _OUTLINE},
            ),
            go.Scatter(
                name="−∂ℓ/∂x",
                mode="lines",
                **data["−∂ℓ/∂x"],
                line={"color": style.GRADIENT, "width": 1.2},
                hoverinfo="skip",
            ),
            go.Scatter(
                name="manifold",
                mode="lines",
                **data["manifold"],
                line={"color": "rgba(90,90,90,0.55)", "width": 1},
                hoverinfo="skip",
            ),
        ]
    )
    style.base_layout(built, title=title, height=height)
    built.update_xaxes(
        range=[float(np.min(xs)), float(np.max(xs))], title_text="x₁", constrain="domain"
    )
    built.update_yaxes(
        range=[float(np.min(ys)), float(np.max(ys))],
        title_text="x₂",
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
    )
    return into(fig, built, row, col)


def _density_contour(name: str, data: dict, colour: str) -> go.Contour:
    return go.Contour(
        name=name,
        **data,
        ncontours=6,
        contours={"coloring": "none"},
        line={"color": colour, "width": 1.4},
        showscale=False,
        showlegend=True,
        hoverinfo="skip",
    )


def critic_midpoint(d) -> float:
    """Centre of the colour scale for critic scores: their median on the grid.

    A WGAN critic is defined up to an additive constant, so 0 means nothing;
    centring on the median keeps both colours in view whatever the offset.
    """
    return float(np.median(np.asarray(d, dtype=float)))


def update_discriminator_field(
    fig: go.Figure, xs, ys, d, *, row: int | None = None, col: int | None = None, **kwargs
) -> None:
    """Refresh a figure made by :func:`discriminator_field` in place (one batch update).

    Takes the same data arguments as :func:`discriminator_field`
    (``real``, ``fake``, ``fake_gradients``, ``manifold``, ``data_density``,
    ``g_density``, ``arrow_scale``).

    ``row=, col=`` refresh that panel of a stacked ``fig`` (:func:`~ganviz.plots._compose.panel`).
    """
    traces = panel(fig, row, col).data
    data = _field_data(xs, ys, d, **kwargs)
    if traces[0].zmid is not None:  # a critic: follow its offset
        data["D(x)"]["zmid"] = critic_midpoint(d)
    with batched(fig):
        for trace, name in zip(traces, FIELD_TRACES, strict=True):
            assign(trace, data[name])


def theory_field_data(
    p_data: Distribution,
    p_g: Distribution,
    *,
    n: int = 120,
    n_samples: int = 200,
    loss: str = "nonsaturating",
    seed: int | None = 0,
) -> dict:
    """The data arguments of :func:`discriminator_field` for two 2-D distributions.

    Keys ``xs``, ``ys``, ``d`` (D* on the plane, rows along y, from
    :func:`ganviz.theory.optimal_discriminator_plane`), ``data_density``,
    ``g_density``, ``real`` (the learner's own points for an
    :class:`~ganviz.Empirical` P_data, else ``n_samples`` draws), ``fake``
    and ``fake_gradients`` (∂ℓ/∂x of ``loss`` at the fakes, from
    :func:`ganviz.sample_gradients`). Nothing here is a formula: it gathers
    what the core computes, in the shape the figure takes.
    """
    plane = optimal_discriminator_plane(p_data, p_g, n=n)
    real = p_data.points if isinstance(p_data, Empirical) else p_data.sample(n_samples, seed=seed)
    fake = p_g.sample(n_samples, seed=None if seed is None else seed + 1)
    # Column-major, so that the x and y columns a FigureWidget sends are contiguous buffers (a
    # kernel refuses to send a strided view: "Buffer 0 is not contiguous").
    return {
        "xs": plane.xs,
        "ys": plane.ys,
        "d": plane.d,
        "data_density": plane.data_density,
        "g_density": plane.g_density,
        "real": np.asfortranarray(real),
        "fake": np.asfortranarray(fake),
        "fake_gradients": sample_gradients(p_data, p_g, fake, loss, seed=seed),
    }


def theory_field(
    p_data: Distribution,
    p_g: Distribution,
    *,
    loss: str = "nonsaturating",
    n: int = 120,
    n_samples: int = 200,
    seed: int | None = 0,
    arrow_scale: float | None = None,
    title: str | None = None,
    height: int = 460,
) -> go.Figure:
    """Exact D*(x) of two 2-D distributions, their contours, samples and the pull on the fakes.

    .. math:: D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + p_g(x)}

    Arrows show −∂ℓ/∂x for ``loss`` (``"minimax"``, ``"nonsaturating"`` or
    ``"wgan"``, old spelling ``"wasserstein"``) at each fake sample, from
    :func:`ganviz.sample_gradients`.

    Examples
    --------
    >>> import ganviz as gv
    >>> from ganviz.plots import theory_field
    >>> fig = theory_field(gv.Gaussian([0, 0], std=1), gv.Gaussian([2, 1], std=0.7), loss="minimax")
    """
    if p_data.dim != 2 or p_g.dim != 2:
        raise ValueError("theory_field draws 2-D distributions; use density_plot for 1-D")
    data = theory_field_data(p_data, p_g, n=n, n_samples=n_samples, loss=loss, seed=seed)
    return discriminator_field(
        data.pop("xs"),
        data.pop("ys"),
        data.pop("d"),
        **data,
        d_name="D*(x)",
        arrow_scale=arrow_scale,
        title=title,
        height=height,
    )


def snapshot_figure(
    snapshot: Snapshot,
    *,
    arrow_scale: float | None = None,
    title: str | None = None,
    height: int = 460,
    show_manifold: bool = True,
) -> go.Figure:
    """Draw a :class:`~ganviz.Snapshot` of a 2-D toy as :func:`theory_field` draws theory."""
    if snapshot.d_grid is None or snapshot.grid_x is None or snapshot.grid_y is None:
        raise ValueError(
            "snapshot has no discriminator grid (image datasets are drawn as image grids)"
        )
    name = "D(x)" if snapshot.d_is_probability else "critic"
    return discriminator_field(
        snapshot.grid_x,
        snapshot.grid_y,
        snapshot.d_grid,
        real=snapshot.real,
        fake=snapshot.fake,
        fake_gradients=snapshot.fake_gradients,
        manifold=snapshot.manifold if show_manifold else None,
        d_is_probability=snapshot.d_is_probability,
        d_name=name,
        arrow_scale=arrow_scale,
        title=title if title is not None else f"step {snapshot.step} · {snapshot.loss}",
        height=height,
    )
