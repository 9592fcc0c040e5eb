"""Figures of a training run: losses and metrics over steps, samples over time, images.

Every helper takes plain data — a sequence of :class:`ganviz.Snapshot`
objects (``Trainer.history``) or of record dicts with ``"step"``,
``"losses"`` and ``"metrics"`` (``Trainer.records``, the ``history`` of
``metrics.json``) — and returns a ``plotly.graph_objects.Figure``. Nothing
here imports torch.

Images are drawn from PNGs encoded here (``go.Image(source=...)``), so a
figure of a hundred digits stays a few kilobytes in an HTML report.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..modes import mode_counts
from ..snapshot import Snapshot
from . import style

__all__ = [
    "class_histogram",
    "coverage_chart",
    "image_grid",
    "image_mosaic",
    "loss_curves",
    "metric_curves",
    "mode_occupancy",
    "png_bytes",
    "samples_over_time",
]

#: Colours of the loss curves.
LOSS_LINE = {"d": style.DISCRIMINATOR, "g": style.FAKE, "penalty": style.REFERENCE}
LOSS_LABEL = {"d": "discriminator", "g": "generator", "penalty": "penalty"}
#: Readable names of the metrics a trainer reports.
METRIC_LABELS = {
    "modes_covered": "modes covered",
    "high_quality": "high-quality fraction",
    "js": "JS estimate (nats)",
    "kl": "KL(P_data‖P_g) estimate",
    "grad_norm": "mean ‖∂ℓ_G/∂x‖",
    "d_real": "D on real",
    "d_fake": "D on fake",
    "classes_covered": "classes covered",
    "class_kl": "KL(classes‖uniform)",
    "fid": "Fréchet distance",
    "confident": "confidently classified",
}


def _rows(history) -> list[dict]:
    """Normalise snapshots or record dicts to dicts with step, losses, metrics."""
    rows = []
    for item in history:
        if isinstance(item, Snapshot):
            rows.append({"step": item.step, "losses": item.losses, "metrics": item.metrics})
        elif isinstance(item, Mapping) and "step" in item:
            rows.append(
                {
                    "step": item["step"],
                    "losses": item.get("losses", {}),
                    "metrics": item.get("metrics", {}),
                }
            )
        else:
            raise ValueError(
                "history must hold ganviz Snapshots or dicts with 'step', 'losses' and 'metrics', "
                f"got {type(item).__name__}"
            )
    return rows


def _series(rows, section: str, key: str) -> tuple[list, list]:
    steps, values = [], []
    for row in rows:
        value = row[section].get(key)
        if value is not None:
            steps.append(row["step"])
            values.append(float(value))
    return steps, values


def loss_curves(history, *, title: str | None = "Losses", height: int = 320) -> go.Figure:
    """Discriminator and generator losses (and the penalty, if any) against generator steps."""
    rows = _rows(history)
    fig = go.Figure()
    for key in ("d", "g", "penalty"):
        steps, values = _series(rows, "losses", key)
        if steps:
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=values,
                    name=LOSS_LABEL[key],
                    mode="lines",
                    line={"color": LOSS_LINE[key], "width": 2},
                )
            )
    style.base_layout(fig, title=title, height=height)
    fig.update_xaxes(title_text="generator step")
    fig.update_yaxes(title_text="loss (mean since previous point)")
    return fig


def metric_curves(
    history,
    metrics: Sequence[str] | None = None,
    *,
    title: str | None = "Metrics",
    height: int | None = None,
    references: Mapping[str, float] | None = None,
) -> go.Figure:
    """One panel per metric against generator steps (shared x axis).

    ``metrics`` defaults to those present among modes_covered,
    high_quality, js, classes_covered, class_kl, fid. ``references`` draws a
    dotted line per metric (e.g. ``{"fid": floor, "modes_covered": 8}``);
    ``fid`` gets its ``fid_floor`` automatically.
    """
    rows = _rows(history)
    present = {k for row in rows for k in row["metrics"]}
    if metrics is None:
        metrics = [
            m
            for m in ("modes_covered", "high_quality", "js", "classes_covered", "class_kl", "fid")
            if m in present
        ]
    metrics = list(metrics)
    if not metrics:
        raise ValueError("metrics must name at least one metric present in the history")
    refs = dict(references or {})
    for total, key in (("modes_total", "modes_covered"), ("classes_total", "classes_covered")):
        if key in metrics and key not in refs:
            _, totals = _series(rows, "metrics", total)
            if totals:
                refs[key] = totals[-1]
    if "fid" in metrics and "fid" not in refs:
        _, floors = _series(rows, "metrics", "fid_floor")
        if floors:
            refs["fid"] = floors[-1]
    fig = make_subplots(
        rows=len(metrics),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06 if len(metrics) > 1 else 0.0,
        subplot_titles=[METRIC_LABELS.get(m, m) for m in metrics],
    )
    for i, metric in enumerate(metrics, start=1):
        steps, values = _series(rows, "metrics", metric)
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=values,
                name=METRIC_LABELS.get(metric, metric),
                mode="lines+markers",
                marker={"size": 4},
                line={"color": style.FAKE if metric != "js" else style.DISCRIMINATOR},
                showlegend=False,
            ),
            row=i,
            col=1,
        )
        if metric in refs and steps:
            fig.add_trace(
                go.Scatter(
                    x=[steps[0], steps[-1]],
                    y=[refs[metric], refs[metric]],
                    mode="lines",
                    name=f"{metric} reference",
                    line={"color": style.REFERENCE, "dash": "dot"},
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=i,
                col=1,
            )
    style.base_layout(fig, title=title, height=height or 170 * len(metrics) + 60)
    fig.update_xaxes(title_text="generator step", row=len(metrics), col=1)
    return fig


def _pick(items: Sequence, panels: int) -> list:
    if len(items) <= panels:
        return list(items)
    idx = np.unique(np.round(np.linspace(0, len(items) - 1, panels)).astype(int))
    return [items[i] for i in idx]


def samples_over_time(
    history: Sequence[Snapshot],
    *,
    panels: int = 6,
    columns: int = 3,
    centers=None,
    box=None,
    title: str | None = "Samples over time",
    height: int | None = None,
) -> go.Figure:
    """Small multiples of real (blue) and generated (orange) samples at evenly spaced snapshots.

    2-D snapshots give scatter panels (mode ``centers`` as crosses, all panels
    on one ``box`` = [[x0, x1], [y0, y1]], by default the snapshots' D grid);
    image snapshots give one image grid per panel.
    """
    snaps = [s for s in history if isinstance(s, Snapshot)]
    if not snaps:
        raise ValueError("history must hold at least one ganviz Snapshot")
    if panels < 1 or columns < 1:
        raise ValueError(f"panels and columns must be ≥ 1, got {panels} and {columns}")
    chosen = _pick(snaps, panels)
    columns = min(columns, len(chosen))
    nrows = math.ceil(len(chosen) / columns)
    fig = make_subplots(
        rows=nrows,
        cols=columns,
        subplot_titles=[f"step {s.step}" for s in chosen],
        horizontal_spacing=0.04,
        vertical_spacing=0.08,
    )
    images = chosen[0].is_image
    if box is None and not images and chosen[0].grid_x is not None:
        box = [
            [chosen[0].grid_x[0], chosen[0].grid_x[-1]],
            [chosen[0].grid_y[0], chosen[0].grid_y[-1]],
        ]
    for i, snap in enumerate(chosen):
        r, c = i // columns + 1, i % columns + 1
        if images:
            fig.add_trace(_image_trace(image_mosaic(snap.fake[:36], columns=6)), row=r, col=c)
            fig.update_xaxes(visible=False, row=r, col=c)
            fig.update_yaxes(visible=False, row=r, col=c)
            continue
        real, fake = np.asarray(snap.real), np.asarray(snap.fake)
        fig.add_trace(
            go.Scatter(
                x=real[:, 0],
                y=real[:, 1],
                mode="markers",
                name="real",
                legendgroup="real",
                showlegend=i == 0,
                marker={"color": style.DATA, "size": 3, "opacity": 0.5},
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=fake[:, 0],
                y=fake[:, 1],
                mode="markers",
                name="fake",
                legendgroup="fake",
                showlegend=i == 0,
                marker={"color": style.FAKE, "size": 3, "opacity": 0.7},
            ),
            row=r,
            col=c,
        )
        if centers is not None:
            ctr = np.asarray(centers, dtype=float).reshape(-1, 2)
            fig.add_trace(
                go.Scatter(
                    x=ctr[:, 0],
                    y=ctr[:, 1],
                    mode="markers",
                    name="mode centres",
                    legendgroup="centres",
                    showlegend=i == 0,
                    marker={"symbol": "x-thin", "size": 8, "line": {"width": 1.5, "color": "#333"}},
                ),
                row=r,
                col=c,
            )
        if box is not None:
            fig.update_xaxes(range=list(box[0]), row=r, col=c)
            fig.update_yaxes(range=list(box[1]), row=r, col=c)
        axis = i + 1
        fig.update_yaxes(scaleanchor=f"x{'' if axis == 1 else axis}", scaleratio=1, row=r, col=c)
    style.base_layout(fig, title=title, height=height or 300 * nrows + 90)
    fig.update_layout(margin={"t": 95 if title else 70})  # room for legend and panel titles
    return fig


# -- images -------------------------------------------------------------------


def png_bytes(image) -> bytes:
    """Encode a 2-D ``uint8`` array (grey) or (h, w, 3) array (RGB) as a PNG file's bytes."""
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise ValueError(f"image must be uint8, got {arr.dtype}")
    if arr.ndim == 2:
        colour_type, rows = 0, arr
    elif arr.ndim == 3 and arr.shape[2] == 3:
        colour_type, rows = 2, arr.reshape(arr.shape[0], -1)
    else:
        raise ValueError(f"image must have shape (h, w) or (h, w, 3), got {arr.shape}")
    h, w = arr.shape[:2]
    if h == 0 or w == 0:
        raise ValueError("image must not be empty")
    raw = b"".join(b"\x00" + row.tobytes() for row in np.ascontiguousarray(rows))

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return (
            struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def image_mosaic(
    images, *, columns: int = 8, padding: int = 1, min_tile: int = 48, value_range=(0.0, 1.0)
) -> np.ndarray:
    """Tile (n, H, W) images in ``value_range`` into one ``uint8`` mosaic.

    Small images are enlarged by an integer factor (nearest neighbour) so
    each tile is at least ``min_tile`` pixels high and stays crisp (8×8
    digits become 48×48 tiles, large enough to read).
    """
    imgs = np.asarray(images, dtype=float)
    if imgs.ndim == 2:
        imgs = imgs[None]
    if imgs.ndim != 3 or len(imgs) == 0:
        raise ValueError(f"images must have shape (n, H, W) with n ≥ 1, got {imgs.shape}")
    if columns < 1 or padding < 0:
        raise ValueError(f"columns must be ≥ 1 and padding ≥ 0, got {columns} and {padding}")
    lo, hi = value_range
    if not hi > lo:
        raise ValueError(f"value_range must be (low, high) with high > low, got {value_range}")
    scaled = np.clip((np.nan_to_num(imgs, nan=lo) - lo) / (hi - lo), 0.0, 1.0)
    n, h, w = scaled.shape
    factor = max(1, math.ceil(min_tile / h))
    tiles = np.round(scaled * 255).astype(np.uint8).repeat(factor, axis=1).repeat(factor, axis=2)
    th, tw = h * factor, w * factor
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    out = np.full(
        (rows * (th + padding) + padding, columns * (tw + padding) + padding), 255, np.uint8
    )
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        y, x = padding + r * (th + padding), padding + c * (tw + padding)
        out[y : y + th, x : x + tw] = tile
    return out


def _image_trace(mosaic: np.ndarray) -> go.Image:
    uri = "data:image/png;base64," + base64.b64encode(png_bytes(mosaic)).decode("ascii")
    return go.Image(source=uri, hoverinfo="skip")


def image_grid(
    images,
    *,
    columns: int = 8,
    value_range=(0.0, 1.0),
    title: str | None = None,
    height: int | None = None,
    min_tile: int = 48,
) -> go.Figure:
    """A grid of grey-scale images (n, H, W) as one PNG-backed figure.

    Each image is enlarged (nearest neighbour) to at least ``min_tile``
    pixels and the figure is sized to draw the mosaic at one screen pixel
    per mosaic pixel (unless ``height`` is given), so small digits stay legible.
    """
    mosaic = image_mosaic(images, columns=columns, value_range=value_range, min_tile=min_tile)
    fig = go.Figure(_image_trace(mosaic))
    style.base_layout(fig, title=title)
    top = 50 if title else 10
    fig.update_layout(
        height=height or mosaic.shape[0] + top + 10,
        width=None if height else mosaic.shape[1] + 20,
        margin={"l": 10, "r": 10, "t": top, "b": 10},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return fig


def class_histogram(
    counts,
    *,
    labels: Sequence[str] | None = None,
    title: str | None = "Generated classes",
    height: int = 300,
) -> go.Figure:
    """Bar chart of generated-sample counts per class with the uniform count as a dotted line."""
    counts = np.asarray(counts, dtype=float).reshape(-1)
    if len(counts) == 0 or np.any(counts < 0) or not np.all(np.isfinite(counts)):
        raise ValueError("counts must be a non-empty array of finite numbers ≥ 0")
    labels = [str(i) for i in range(len(counts))] if labels is None else [str(x) for x in labels]
    if len(labels) != len(counts):
        raise ValueError(f"labels must have one entry per class ({len(counts)}), got {len(labels)}")
    fig = go.Figure(go.Bar(x=labels, y=counts, marker_color=style.FAKE, name="generated"))
    uniform = counts.sum() / len(counts)
    fig.add_hline(
        y=uniform, line={"color": style.REFERENCE, "dash": "dot"}, annotation_text="uniform"
    )
    style.base_layout(fig, title=title, height=height)
    fig.update_xaxes(
        title_text="class (the classifier's best guess, any confidence)", type="category"
    )
    fig.update_yaxes(title_text="samples")
    return fig


def coverage_chart(
    results: Sequence[Mapping],
    *,
    total: int | None = None,
    title: str | None = "Modes covered per seed",
    height: int = 320,
) -> go.Figure:
    """Grouped bars of modes covered per seed, one colour per loss (a :func:`ganviz.train.sweep`).

    ``results`` hold ``loss``, ``seed`` and ``modes_covered`` (and optionally
    ``high_quality``, shown on hover).
    """
    rows = list(results)
    if not rows:
        raise ValueError("results must hold at least one run")
    fig = go.Figure()
    for loss in dict.fromkeys(r["loss"] for r in rows):
        mine = [r for r in rows if r["loss"] == loss]
        fig.add_trace(
            go.Bar(
                x=[f"seed {r['seed']}" for r in mine],
                y=[r["modes_covered"] for r in mine],
                name=loss,
                marker_color=style.loss_colour(loss),
                customdata=[r.get("high_quality", float("nan")) for r in mine],
                hovertemplate="%{x}: %{y} modes, high quality %{customdata:.2f}<extra>"
                + loss
                + "</extra>",
            )
        )
    if total is not None:
        fig.add_hline(
            y=total, line={"color": style.REFERENCE, "dash": "dot"}, annotation_text="all modes"
        )
    style.base_layout(fig, title=title, height=height)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="modes covered", rangemode="tozero")
    return fig


def mode_occupancy(
    history: Sequence[Snapshot],
    centers,
    std: float,
    *,
    threshold: float = 3.0,
    title: str | None = "Which modes the generator occupies",
    height: int = 300,
) -> go.Figure:
    """Heatmap of the share of generated samples near each mode (rows) at each snapshot (columns).

    A sample counts for its nearest mode centre when it lies within
    ``threshold``·σ (:func:`ganviz.mode_counts`). Mode hopping shows as
    bright cells that move from row to row; collapse as one bright row.
    """
    snaps = [s for s in history if isinstance(s, Snapshot) and not s.is_image]
    if not snaps:
        raise ValueError("history must hold at least one 2-D ganviz Snapshot")
    ctr = np.asarray(centers, dtype=float).reshape(-1, 2)
    shares = np.stack(
        [mode_counts(s.fake, ctr, std, threshold) / max(len(s.fake), 1) for s in snaps], axis=1
    )
    angles = np.degrees(np.arctan2(ctr[:, 1], ctr[:, 0]))
    labels = [f"mode {i} ({x:.1f}, {y:.1f})" for i, (x, y) in enumerate(ctr)]
    fig = go.Figure(
        go.Heatmap(
            z=shares,
            x=[s.step for s in snaps],
            y=labels,
            colorscale=[[0.0, "#ffffff"], [1.0, style.FAKE]],
            zmin=0.0,
            zmax=float(max(shares.max(), 1e-9)),
            colorbar={"title": {"text": "share"}, "thickness": 12},
            customdata=np.repeat(angles[:, None], len(snaps), axis=1),
            hovertemplate="step %{x}<br>%{y}: %{z:.1%}<extra></extra>",
        )
    )
    style.base_layout(fig, title=title, height=height)
    fig.update_xaxes(title_text="generator step")
    fig.update_yaxes(autorange="reversed")
    return fig
