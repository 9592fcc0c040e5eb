"""The TrainingExplorer's figures: built once, then updated in place from each frame.

Every observation is drawn with the very helpers that draw the theory in
notebooks 01–04:

* **trained D** — :func:`ganviz.plots.discriminator_field` of the trainer's
  :class:`~ganviz.Snapshot`: D(x) (or the WGAN critic) as a heatmap with its
  D = ½ contour, real and fake samples, the arrows −∂ℓ_G/∂x of the loss being
  trained on every fake, and the generator's image of a noise grid (the
  manifold);
* **theory** — D* against a KDE of the fakes
  (:mod:`~ganviz.widgets._training_theory`), with the arrows the same loss
  would give at D*, on the same arrow scale;
* losses of D and G, and metrics over time (modes covered, high-quality
  fraction, grid JS/KL estimates, mean generator-gradient norm);
* for image datasets: a grid of generated images sent as one PNG per
  redraw, the classifier's class histogram and the image metrics over time.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from ..plots import discriminator_field, style, update_discriminator_field
from ..plots.field import auto_arrow_scale
from ..plots.training import METRIC_LABELS, class_histogram, loss_curves, metric_curves
from ..snapshot import Snapshot
from ._figure import FigureWidget
from ._training_theory import TheoryOverlay

__all__ = ["IMAGE_COLUMNS", "IMAGE_METRICS", "TOY_METRICS", "TrainingFigures", "TrainingFrame"]

#: Metrics drawn over time for 2-D toys and for images.
TOY_METRICS = ("modes_covered", "high_quality", "js", "kl", "grad_norm")
IMAGE_METRICS = ("classes_covered", "class_kl", "fid")
#: Images in the generated grid.
IMAGE_COLUMNS = 8


@dataclass
class TrainingFrame:
    """One observation of a run (made in the training thread, drawn on the owner thread).

    ``theory`` is filled in on the owner thread, just before drawing.
    """

    generation: int
    snapshot: Snapshot
    records: list
    d_steps: int
    steps_per_second: float
    theory: TheoryOverlay | None = None
    png: bytes | None = None
    class_counts: np.ndarray | None = None


def _placeholder_rows(keys, section) -> list[dict]:
    """One row with every key, so the plot helpers create every trace (emptied afterwards)."""
    return [{"step": 0, "losses": {}, "metrics": {}} | {section: dict.fromkeys(keys, 0.0)}]


def _no_density(xs, ys) -> np.ndarray:
    """Zeros for a density contour with nothing to show.

    Not NaN: a FigureWidget sends 2-D arrays as JSON lists, where NaN is not valid
    (jupyter_client then warns in the notebook and takes a slow path).
    """
    return np.zeros((len(ys), len(xs)))


def _empty_field(title: str, d_name: str) -> go.Figure:
    axis = np.array([-1.0, 1.0])
    blank = _no_density(axis, axis)
    fig = discriminator_field(
        axis,
        axis,
        np.full((2, 2), 0.5),
        data_density=blank,
        g_density=blank,
        d_name=d_name,
        title=title,
        height=430,
    )
    fig.update_layout(width=440, margin={"l": 45, "r": 10, "t": 75, "b": 40})
    return fig


def _find_trace(fig: go.FigureWidget, name: str):
    for trace in fig.data:
        if trace.name == name:
            return trace
    return None


def _trace(fig: go.FigureWidget, name: str):
    trace = _find_trace(fig, name)
    if trace is None:  # pragma: no cover - the figures are built with every trace
        raise KeyError(name)
    return trace


def _configure_heatmap(fig: go.FigureWidget, probability: bool, name: str) -> None:
    """Switch the D heatmap between a probability in [0, 1] and an unbounded critic."""
    heat = fig.data[0]
    if probability:
        heat.colorscale = style.D_COLORSCALE
        heat.zmin, heat.zmax, heat.zmid = 0.0, 1.0, None
        heat.zauto = False
    else:
        heat.colorscale = style.CRITIC_COLORSCALE
        heat.zmin = heat.zmax = None
        heat.zauto = True
        heat.zmid = 0.0
    heat.colorbar.title.text = name
    heat.hovertemplate = "x=%{x:.2f}<br>y=%{y:.2f}<br>" + name + "=%{z:.3f}<extra></extra>"
    fig.data[1].visible = probability
    fig.data[1].showlegend = probability


def _frame_axes(fig: go.FigureWidget, xs, ys) -> None:
    """Set the axes to the grid ``xs × ys`` (only when they changed: a relayout is costly)."""
    x_range = [float(xs[0]), float(xs[-1])]
    if tuple(fig.layout.xaxis.range or ()) != tuple(x_range):
        fig.layout.xaxis.range = x_range
        fig.layout.yaxis.range = [float(ys[0]), float(ys[-1])]


def draw_trained_field(fig: go.FigureWidget, snap: Snapshot, arrow_scale, **densities) -> None:
    """Draw a snapshot's trained D (or critic) heatmap, samples and arrows into ``fig``.

    ``densities`` (``data_density``, ``g_density``) default to none drawn.
    """
    xs, ys = snap.grid_x, snap.grid_y
    update_discriminator_field(
        fig,
        xs,
        ys,
        snap.d_grid,
        real=snap.real,
        fake=snap.fake,
        fake_gradients=snap.fake_gradients,
        manifold=snap.manifold,
        arrow_scale=arrow_scale,
        data_density=densities.get("data_density", _no_density(xs, ys)),
        g_density=densities.get("g_density", _no_density(xs, ys)),
    )


def _update_series(fig: go.FigureWidget, rows, metrics, references) -> None:
    for metric in metrics:
        steps, values = [], []
        for row in rows:
            value = row["metrics"].get(metric)
            if value is not None:
                steps.append(row["step"])
                values.append(float(value))
        line = _trace(fig, METRIC_LABELS.get(metric, metric))
        line.x, line.y = steps, values
        ref = references.get(metric)
        ref_trace = _find_trace(fig, f"{metric} reference")
        if ref_trace is None:
            continue
        if ref is None or not steps:
            ref_trace.x, ref_trace.y = [], []
        else:
            ref_trace.x, ref_trace.y = [steps[0], steps[-1]], [ref, ref]


def _references(rows, image: bool) -> dict:
    last = rows[-1]["metrics"] if rows else {}
    if image:
        return {
            "classes_covered": last.get("classes_total"),
            "class_kl": 0.0,
            "fid": last.get("fid_floor"),
        }
    return {
        "modes_covered": last.get("modes_total"),
        "high_quality": 1.0,
        "js": 0.0,
        "kl": 0.0,
        "grad_norm": None,
    }


class TrainingFigures:
    """The explorer's figures (``figures``, by name) and image, and how a frame updates them."""

    def __init__(self) -> None:
        field = _empty_field("trained D", "D(x)")
        theory = _empty_field("theory: D* against a KDE of the fakes", "D*(x)")
        losses = loss_curves(_placeholder_rows(("d", "g", "penalty"), "losses"), height=300)
        losses.update_layout(width=560)
        toy_metrics = metric_curves(
            _placeholder_rows(TOY_METRICS, "metrics"),
            metrics=TOY_METRICS,
            references={"modes_covered": 0, "high_quality": 1.0, "js": 0.0, "kl": 0.0},
            title="Metrics",
            height=560,
        )
        toy_metrics.update_layout(width=560)
        toy_metrics.update_yaxes(
            type="log", dtick=1, exponentformat="power", row=len(TOY_METRICS), col=1
        )
        image_metrics = metric_curves(
            _placeholder_rows(IMAGE_METRICS, "metrics"),
            metrics=IMAGE_METRICS,
            references={"classes_covered": 10, "class_kl": 0.0, "fid": 0.0},
            title="Image metrics",
            height=420,
        )
        image_metrics.update_layout(width=560)
        classes = class_histogram(np.zeros(10), title="classes of the generated images")
        classes.update_layout(width=440)
        self.figures: dict[str, go.FigureWidget] = {
            "field": FigureWidget(field),
            "theory": FigureWidget(theory),
            "losses": FigureWidget(losses),
            "metrics": FigureWidget(toy_metrics),
            "classes": FigureWidget(classes),
            "image_metrics": FigureWidget(image_metrics),
        }
        for fig in self.figures.values():
            with fig.batch_update():
                for trace in fig.data:
                    if isinstance(trace, go.Scatter) and trace.name != "D = ½":
                        trace.x, trace.y = [], []
        #: the generated images, one PNG per redraw
        self.image = widgets.Image(
            format="png", layout=widgets.Layout(width="420px", border="1px solid #ddd")
        )

        #: whether the field's heatmap is set up for a probability (None: not yet)
        self._field_probability: bool | None = None

    def draw(self, frame: TrainingFrame, no_theory_reason: str = "") -> None:
        """Update every figure from ``frame`` (owner thread); ``no_theory_reason`` titles an
        empty theory panel."""
        if frame.snapshot.is_image:
            self._draw_images(frame)
        else:
            self._draw_toy(frame, no_theory_reason)
        self._draw_losses(frame)

    def _draw_toy(self, frame: TrainingFrame, no_theory_reason: str) -> None:
        snap, theory = frame.snapshot, frame.theory
        xs, ys = snap.grid_x, snap.grid_y
        pull = [-snap.fake_gradients] if snap.fake_gradients is not None else []
        if theory is not None and theory.gradients is not None:
            pull.append(-theory.gradients)
        # One arrow scale for both panels, so trained and optimal pulls compare by length.
        scale = auto_arrow_scale(xs, ys, np.concatenate(pull) if pull else None)
        densities = (
            {"data_density": theory.data_density, "g_density": theory.g_density}
            if theory is not None
            else {}  # drawn as no density
        )
        name = "D(x)" if snap.d_is_probability else "critic"
        field = self.figures["field"]
        with field.batch_update():
            _frame_axes(field, xs, ys)
            if self._field_probability is not snap.d_is_probability:
                _configure_heatmap(field, snap.d_is_probability, name)
                self._field_probability = snap.d_is_probability
            draw_trained_field(field, snap, scale, **densities)
            kind = "D(x)" if snap.d_is_probability else "critic (unbounded)"
            field.layout.title.text = f"trained {kind} · step {snap.step} · {snap.loss}"
        theory_fig = self.figures["theory"]
        with theory_fig.batch_update():
            _frame_axes(theory_fig, xs, ys)
            if theory is None:
                blank = np.full((len(ys), len(xs)), 0.5)  # white: nothing to show
                none = _no_density(xs, ys)
                update_discriminator_field(
                    theory_fig, xs, ys, blank, real=snap.real, data_density=none, g_density=none
                )
                theory_fig.layout.title.text = no_theory_reason
            else:
                update_discriminator_field(
                    theory_fig,
                    xs,
                    ys,
                    theory.d_star,
                    real=snap.real,
                    fake=snap.fake,
                    fake_gradients=theory.gradients,
                    arrow_scale=scale,
                    data_density=theory.data_density,
                    g_density=theory.g_density,
                )
                theory_fig.layout.title.text = (
                    f"theory: D* vs a KDE of the fakes (h = {theory.bandwidth:.2g})"
                )
        metrics = self.figures["metrics"]
        with metrics.batch_update():
            _update_series(metrics, frame.records, TOY_METRICS, _references(frame.records, False))

    def _draw_images(self, frame: TrainingFrame) -> None:
        if frame.png is not None:
            self.image.value = frame.png
        classes = self.figures["classes"]
        counts = frame.class_counts
        if counts is not None:
            with classes.batch_update():
                bars = classes.data[0]
                bars.x = [str(i) for i in range(len(counts))]
                bars.y = counts
                uniform = float(counts.sum()) / len(counts)
                if classes.layout.shapes:
                    classes.layout.shapes[0].y0 = classes.layout.shapes[0].y1 = uniform
                if classes.layout.annotations:
                    classes.layout.annotations[0].y = uniform
        metrics = self.figures["image_metrics"]
        with metrics.batch_update():
            _update_series(metrics, frame.records, IMAGE_METRICS, _references(frame.records, True))

    def _draw_losses(self, frame: TrainingFrame) -> None:
        fig = self.figures["losses"]
        with fig.batch_update():
            for key, label in (("d", "discriminator"), ("g", "generator"), ("penalty", "penalty")):
                steps, values = [], []
                for row in frame.records:
                    value = row["losses"].get(key)
                    if value is not None:
                        steps.append(row["step"])
                        values.append(value)
                trace = _trace(fig, label)
                trace.x, trace.y = steps, values

    @staticmethod
    def status_html(frame: TrainingFrame, running: bool) -> str:
        """The status line: step, speed, losses, metrics and the gap E|D − D*|."""
        snap, m = frame.snapshot, frame.snapshot.metrics
        parts = [f"<b>step {snap.step}</b> ({frame.d_steps} D updates)"]
        if running or frame.steps_per_second:
            parts.append(f"{frame.steps_per_second:.0f} steps/s")
        parts += [f"{k} loss {v:.3g}" for k, v in snap.losses.items() if k in ("d", "g")]
        if "modes_covered" in m:
            parts.append(f"modes {m['modes_covered']}/{m['modes_total']}")
            parts.append(f"high quality {m['high_quality']:.0%}")
        if "js" in m:
            parts.append(f"JS≈{m['js']:.3f}")
        if "classes_covered" in m:
            parts.append(
                f"classes {m['classes_covered']}/{m['classes_total']} (≥ 1 % of confident samples)"
            )
            parts.append(f"FD {m['fid']:.3g} (floor {m['fid_floor']:.3g})")
        if frame.theory is not None and frame.theory.gap is not None:
            parts.append(f"E|D − D*| = {frame.theory.gap:.3f}")
        text = " · ".join(html.escape(p) if not p.startswith("<b>") else p for p in parts)
        return f"<div style='font-size:12.5px'>{text}</div>"
