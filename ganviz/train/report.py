"""A self-contained HTML report of a run (plotly's JavaScript embedded once)."""

from __future__ import annotations

import contextlib
import html
import json
import math
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from ..plots.training import (
    class_histogram,
    image_grid,
    loss_curves,
    metric_curves,
    mode_occupancy,
    samples_over_time,
)

__all__ = ["report_figures", "write_html", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em;margin-bottom:.2em}
h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}
td,th{padding:.2em .8em;border-bottom:1px solid #eee;text-align:left}
.muted{color:#777} .bad{color:#b00020;font-weight:600}
"""


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return html.escape(str(value))


def _table(mapping: dict) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{_fmt(v)}</td></tr>" for k, v in mapping.items()
    )
    return f"<table>{rows}</table>"


def report_figures(trainer) -> list[tuple[str, go.Figure]]:
    """(heading, figure) pairs describing a trainer's run, in report order."""
    figures: list[tuple[str, go.Figure]] = []
    history = list(trainer.history)
    records = list(trainer.records) or history
    last = history[-1] if history else None
    if last is not None and not last.is_image and last.d_grid is not None:
        from ..plots.field import snapshot_figure

        figures.append(
            (
                "Discriminator, samples and generator pull at the last snapshot",
                snapshot_figure(last, title=f"step {last.step} · {last.loss}"),
            )
        )
    if last is not None and last.is_image:
        figures.append(
            ("Generated images (last snapshot)", image_grid(last.fake, title=f"step {last.step}"))
        )
        figures.append(("Real images", image_grid(last.real, title="training data")))
        if trainer.last_class_counts is not None:
            figures.append(
                ("Generated class histogram", class_histogram(trainer.last_class_counts))
            )
    if history:
        figures.append(
            (
                "Samples over time",
                samples_over_time(history, centers=getattr(trainer.dataset, "centers", None)),
            )
        )
    centers = getattr(trainer.dataset, "centers", None)
    if history and not history[0].is_image and centers is not None:
        figures.append(
            (
                "Mode occupancy over time (hopping and collapse show here)",
                mode_occupancy(history, centers, trainer.dataset.std),
            )
        )
    if records:
        figures.append(("Losses", loss_curves(records)))
        # (a dataset with no metric to draw gives a ValueError: no panel then)
        with contextlib.suppress(ValueError):
            figures.append(("Metrics", metric_curves(records)))
    return figures


def write_html(
    path,
    title: str,
    sections: Sequence[tuple[str, go.Figure]],
    *,
    before: str = "",
    after: str = "",
) -> Path:
    """A self-contained page: ``title``, HTML ``before``, (heading, figure) sections, ``after``.

    plotly.js is embedded once, in the first figure.
    """
    path = Path(path)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        before,
    ]
    for i, (heading, fig) in enumerate(sections):
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(
            fig.to_html(full_html=False, include_plotlyjs=i == 0, config={"responsive": True})
        )
    parts += [after, "</body></html>"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write_report(
    trainer,
    path,
    *,
    title: str | None = None,
    summary: dict | None = None,
    extra: Sequence[tuple[str, go.Figure]] = (),
) -> Path:
    """Write ``report.html`` for ``trainer`` (plus ``extra`` (heading, figure) pairs)."""
    cfg = trainer.config
    title = title or f"ganviz · {trainer.dataset.name} · {cfg.loss}"
    before = [
        f"<p class='muted'>{trainer.step_count} generator steps, {trainer.d_step_count} "
        f"discriminator steps on {html.escape(trainer.device.type)}; "
        f"penalty {html.escape(trainer.penalty_name)}.</p>",
    ]
    if summary:
        status = summary.get("status")
        if status and status != "completed":
            before.append(f"<p class='bad'>Run status: {html.escape(str(status))}</p>")
        final = summary.get("final") or {}
        if final:
            before.append("<h2>Final metrics</h2>" + _table(final))
    after = (
        "<h2>Configuration</h2>"
        + _table(cfg.to_dict())
        + "<p class='muted'>KL/JS on 2-D toys are histogram estimates (see docs/trainer.md); "
        "image metrics come from a small classifier trained on the real data.</p>"
        + "<script type='application/json' id='ganviz-config'>"
        + html.escape(json.dumps(cfg.to_dict()), quote=False)
        + "</script>"
    )
    sections = [*report_figures(trainer), *extra]
    return write_html(path, title, sections, before="".join(before), after=after)
