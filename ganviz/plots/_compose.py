"""Several figures stacked into one, and a view that lets their updaters refresh it.

Why: every ``plotly.graph_objects.FigureWidget`` ships the whole plotly.js
bundle (about 5 MB) to the browser in its state, and anywidget gives each
model 2 s to start; an explorer with four FigureWidgets sends 20 MB on
display and, on a busy machine, some of its plots stay empty axes. An
explorer that stacks its panels into one figure sends 5 MB and starts one
model.

:func:`stack` copies the traces, axes, shapes, annotations and legends of
each figure into one tall figure, one horizontal band per figure (top to
bottom), renaming axes (``yaxis2`` of the second figure may become
``yaxis4``) and giving each band its own legend (plotly's ``legend2`` …).
:class:`PanelView` presents one band of the combined figure *as if it were
the original figure* — ``.data`` (its traces, in order), ``.layout.yaxis2``
(the renamed axis), ``.layout.shapes``/``.annotations`` (its own),
``.layout.meta`` and ``.layout.title.text`` (its title, now an annotation)
and ``batch_update()`` — so the ``update_*`` helpers written for the
separate figures refresh the bands unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

from . import style

__all__ = ["PanelView", "refresh_widget_state", "stack"]

_AXIS_KEY = re.compile(r"^([xy])axis(\d*)$")
#: Pixels above each band's plot (title, then a legend on top) and below it (x-axis title,
#: then a legend placed below the plot).
_TITLE_PX, _LEGEND_PX, _FOOTER_PX = 48, 52, 52


def _short(key: str) -> str:
    """``"yaxis3"`` → ``"y3"``, ``"xaxis"`` → ``"x"``."""
    letter, number = _AXIS_KEY.match(key).groups()
    return letter + number


def _long(short: str) -> str:
    """``"y3"`` → ``"yaxis3"``."""
    return short[0] + "axis" + short[1:]


@dataclass
class Band:
    """Where one source figure lives in the stacked figure."""

    traces: list[int]
    axes: dict[str, str]  # source layout key → combined layout key ("yaxis2" → "yaxis5")
    shapes: list[int]
    annotations: list[int]
    title: int | None  # index of the annotation holding the source title
    legend: str
    domain: tuple[float, float]  # paper-y interval of the band's plot area
    meta: Any = None
    extra: dict = field(default_factory=dict)


def _remap_ref(ref: Any, short_map: dict[str, str]) -> Any:
    """Rename an axis reference: ``"y2"``, ``"y2 domain"``; others unchanged."""
    if not isinstance(ref, str):
        return ref
    head, _, tail = ref.partition(" ")
    if head in short_map:
        return short_map[head] + (" " + tail if tail else "")
    return ref


def _paper_y(value: float, domain: tuple[float, float]) -> float:
    lo, hi = domain
    return lo + value * (hi - lo)


def stack(
    figures: dict[str, go.Figure],
    *,
    title: str | None = None,
    gap_px: int = 10,
) -> tuple[go.Figure, dict[str, Band]]:
    """Stack ``figures`` (name → figure, top to bottom) into one figure; return it and its bands.

    Each band keeps its figure's height in pixels (``layout.height``, 380 when
    unset); the combined height is their sum. Axis domains, paper-referenced
    shapes and annotations, colour bars and legends are moved into the band.
    """
    heights = {name: int(fig.layout.height or 380) for name, fig in figures.items()}
    total = sum(heights.values()) + gap_px * (len(figures) - 1)
    combined = go.Figure()
    layout: dict[str, Any] = {}
    shapes: list[dict] = []
    annotations: list[dict] = []
    bands: dict[str, Band] = {}
    counters = {"x": 0, "y": 0}
    top = total
    for number, (name, fig) in enumerate(figures.items()):
        height = heights[name]
        band_top, band_bottom = top, top - height
        top = band_bottom - gap_px
        legend_source = dict(fig.layout.legend.to_plotly_json())
        legend_below = legend_source.get("y", 1.02) < 0.5
        # a legend on top may wrap to two lines; below, subplot titles need a line
        header = _TITLE_PX + (22 if legend_below else _LEGEND_PX)
        footer = _FOOTER_PX + (_LEGEND_PX + 20 if legend_below else 0)
        domain = ((band_bottom + footer) / total, (band_top - header) / total)
        source = fig.layout.to_plotly_json()
        keys = sorted(
            (k for k in source if _AXIS_KEY.match(k)),
            key=lambda k: (k[0], int(_AXIS_KEY.match(k).group(2) or 1)),
        )
        for letter in "xy":  # every figure has at least the first x and y axis
            if f"{letter}axis" not in keys:
                keys.append(f"{letter}axis")
        axes: dict[str, str] = {}
        for key in keys:
            letter = key[0]
            counters[letter] += 1
            axes[key] = f"{letter}axis" + ("" if counters[letter] == 1 else str(counters[letter]))
        short_map = {_short(k): _short(v) for k, v in axes.items()}
        for key, new in axes.items():
            axis = dict(source.get(key, {}))
            for ref in ("anchor", "overlaying", "scaleanchor", "matches"):
                if ref in axis:
                    axis[ref] = _remap_ref(axis[ref], short_map)
            if key.startswith("y"):
                lo, hi = axis.get("domain", (0.0, 1.0))
                axis["domain"] = [_paper_y(lo, domain), _paper_y(hi, domain)]
            other = "y" if key.startswith("x") else "x"
            if "anchor" not in axis and "overlaying" not in axis:
                axis["anchor"] = short_map.get(other, other)
            layout[new] = axis
        legend = "legend" if number == 0 else f"legend{number + 1}"
        if legend_below:
            y, anchor = (band_bottom + footer - _FOOTER_PX) / total, "top"
        else:
            y, anchor = domain[1] + 4 / total, "bottom"
        legend_source.update(x=legend_source.get("x", 0), xanchor="left", y=y, yanchor=anchor)
        legend_source.setdefault("orientation", "h")
        layout[legend] = legend_source
        first = len(combined.data)
        for trace in fig.data:
            data = trace.to_plotly_json()
            data["xaxis"] = short_map.get(data.get("xaxis", "x"), "x")
            data["yaxis"] = short_map.get(data.get("yaxis", "y"), "y")
            data["legend"] = legend
            colorbar = data.get("colorbar")
            if colorbar is not None or data.get("type") in ("heatmap", "contour"):
                colorbar = dict(colorbar or {})
                length = colorbar.get("len", 1.0)
                colorbar.update(
                    y=(domain[0] + domain[1]) / 2,
                    yanchor="middle",
                    len=length * (domain[1] - domain[0]),
                    lenmode="fraction",
                )
                data["colorbar"] = colorbar
            combined.add_trace(data)
        band_shapes = []
        for shape in source.get("shapes", ()):
            shape = dict(shape)
            shape["xref"] = _remap_ref(shape.get("xref", "x"), short_map)
            yref = shape.get("yref", "y")
            if yref == "paper":
                for key in ("y0", "y1"):
                    shape[key] = _paper_y(shape.get(key, 0), domain)
            else:
                shape["yref"] = _remap_ref(yref, short_map)
            band_shapes.append(len(shapes))
            shapes.append(shape)
        band_notes = []
        for note in source.get("annotations", ()):
            note = dict(note)
            note["xref"] = _remap_ref(note.get("xref", "x"), short_map)
            yref = note.get("yref", "y")
            if yref == "paper":
                note["y"] = _paper_y(note.get("y", 0), domain)
            else:
                note["yref"] = _remap_ref(yref, short_map)
            band_notes.append(len(annotations))
            annotations.append(note)
        title_index = None
        text = (source.get("title") or {}).get("text")
        if text:
            title_index = len(annotations)
            annotations.append(
                {
                    "text": text,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.0,
                    "xanchor": "left",
                    "y": (band_top - 6) / total,
                    "yanchor": "top",
                    "showarrow": False,
                    "font": {"size": 16},
                }
            )
        bands[name] = Band(
            traces=list(range(first, len(combined.data))),
            axes=axes,
            shapes=band_shapes,
            annotations=band_notes,
            title=title_index,
            legend=legend,
            domain=domain,
            meta=source.get("meta"),
        )
    style.base_layout(combined, title=title, height=total)
    combined.update_layout(**layout, shapes=shapes, annotations=annotations)
    # room on the right for secondary axes and colour bars of any band
    combined.update_layout(margin={"t": 10, "b": 10, "r": 70})
    return combined, bands


class _TitleView:
    def __init__(self, fig: go.Figure, band: Band):
        self._fig, self._band = fig, band

    @property
    def text(self) -> str | None:
        if self._band.title is None:
            return None
        return self._fig.layout.annotations[self._band.title].text

    @text.setter
    def text(self, value: str) -> None:
        if self._band.title is not None:
            self._fig.layout.annotations[self._band.title].text = value


class _LayoutView:
    """The layout of one band, under the source figure's names."""

    def __init__(self, fig: go.Figure, band: Band):
        object.__setattr__(self, "_fig", fig)
        object.__setattr__(self, "_band", band)

    def __getattr__(self, name: str):
        band, layout = self._band, self._fig.layout
        if name in band.axes:
            return layout[band.axes[name]]
        if _AXIS_KEY.match(name):
            raise AttributeError(f"this panel has no {name}")
        if name == "shapes":
            return tuple(layout.shapes[i] for i in band.shapes)
        if name == "annotations":
            return tuple(layout.annotations[i] for i in band.annotations)
        if name == "meta":
            return band.meta
        if name == "title":
            return _TitleView(self._fig, band)
        if name == "height":
            return None
        raise AttributeError(
            f"a panel view exposes axes, shapes, annotations, meta, title; not {name}"
        )

    def __setattr__(self, name: str, value) -> None:
        if name == "meta":
            self._band.meta = value
        else:
            raise AttributeError(f"set {name} on the panel's axes or on the whole figure")


class PanelView:
    """One band of a stacked figure, looking like the figure it came from."""

    def __init__(self, fig: go.Figure, band: Band):
        self.figure = fig
        self.band = band
        self.layout = _LayoutView(fig, band)

    def layout_path(self, path: str) -> str:
        """A layout path of the source figure in the stacked one.

        ``"yaxis2.range"`` → ``"yaxis5.range"``, ``"shapes[0].x0"`` → ``"shapes[3].x0"``,
        ``"title.text"`` → the text of the annotation that holds the band's title.
        """
        head, _, rest = path.partition(".")
        band = self.band
        match = re.match(r"^(\w+)(?:\[(\d+)\])?$", head)
        name, index = match.group(1), match.group(2)
        if name in band.axes:
            new = band.axes[name]
        elif name in ("shapes", "annotations") and index is not None:
            new = f"{name}[{getattr(band, name)[int(index)]}]"
        elif name == "title" and band.title is not None:
            new = f"annotations[{band.title}]"
        else:
            raise ValueError(f"panel layout path {path!r} has no counterpart in the stacked figure")
        return new + ("." + rest if rest else "")

    @property
    def data(self) -> tuple:
        traces = self.figure.data
        return tuple(traces[i] for i in self.band.traces)

    @contextmanager
    def batch_update(self) -> Iterator[None]:
        with self.figure.batch_update():
            yield


def refresh_widget_state(fig: go.FigureWidget) -> None:
    """Copy a FigureWidget's current traces and layout into the state its next view renders from.

    Plotly does this only when the FigureWidget is displayed by itself; one
    nested in boxes, or inserted into a box after being updated, would first
    render its state at construction.
    """
    fig._widget_layout = deepcopy(fig._layout_obj._props)
    fig._widget_data = deepcopy(fig._data)
