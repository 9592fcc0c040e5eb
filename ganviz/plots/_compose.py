"""Several figures stacked into one, each band addressed as a panel ``(row, col)``.

Why: every ``plotly.graph_objects.FigureWidget`` ships the whole plotly.js
bundle (about 5 MB) to the browser in its state, and anywidget gives each
model 2 s to start; an explorer with four FigureWidgets sends 20 MB on
display and, on a busy machine, some of its plots stay empty axes. An
explorer that stacks its panels into one figure sends 5 MB and starts one
model.

:func:`stack` copies the traces, axes, shapes, annotations and legends of
each figure into one tall figure, one horizontal band per figure (top to
bottom: row 1, 2, …; one column), renaming axes (``yaxis2`` of the second
figure may become ``yaxis4``) and giving each band its own legend (plotly's
``legend2`` …). The stacked figure records its bands in ``layout.meta``
(``{"panels": [...]}``), so it carries them into a ``FigureWidget`` made
from it.

The ``update_*`` helpers of :mod:`ganviz.plots` take ``fig, row=, col=`` (as
seaborn's functions take ``ax=``) and refresh that band: :func:`panel` gives
them its traces, its ``layout.meta`` and its layout paths renamed
(``"yaxis.range"`` → ``"yaxis5.range"``). :class:`PanelView` is a read-only
look at one band under its stand-alone figure's names (``.data``,
``.layout.yaxis``, ``.layout.shapes`` …), for an explorer's ``panels``
attribute and for checks.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import plotly.graph_objects as go

from . import style
from ._plotly_internals import layout_props

__all__ = ["Panel", "PanelView", "panel", "stack"]

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

    def layout_path(self, path: str) -> str:
        """A layout path of the source figure in the stacked one.

        ``"yaxis2.range"`` → ``"yaxis5.range"``, ``"shapes[0].x0"`` → ``"shapes[3].x0"``,
        ``"title.text"`` → the text of the annotation that holds the band's title.
        """
        head, _, rest = path.partition(".")
        match = re.match(r"^(\w+)(?:\[(\d+)\])?$", head)
        name, index = match.group(1), match.group(2)
        if name in self.axes:
            new = self.axes[name]
        elif name in ("shapes", "annotations") and index is not None:
            new = f"{name}[{getattr(self, name)[int(index)]}]"
        elif name == "title" and self.title is not None:
            new = f"annotations[{self.title}]"
        else:
            raise ValueError(f"panel layout path {path!r} has no counterpart in the stacked figure")
        return new + ("." + rest if rest else "")


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
    combined.update_layout(
        **layout,
        shapes=shapes,
        annotations=annotations,
        meta={"panels": [asdict(band) for band in bands.values()]},
    )
    # room on the right for secondary axes and colour bars of any band
    combined.update_layout(margin={"t": 10, "b": 10, "r": 70})
    return combined, bands


class Panel:
    """One panel of a figure, as the ``update_*`` helpers address it: ``panel(fig, row, col)``.

    ``data`` (its traces, in their order), ``meta`` (its figure's ``layout.meta``)
    and :meth:`path` (a layout path of its stand-alone figure, renamed for
    ``fig``). Without ``row`` and ``col`` the panel is the whole figure.
    """

    def __init__(self, fig: go.Figure, band: Band | None = None):
        self.figure = fig
        self.band = band

    @property
    def data(self) -> tuple:
        traces = self.figure.data
        return traces if self.band is None else tuple(traces[i] for i in self.band.traces)

    @property
    def meta(self) -> Any:
        return self.figure.layout.meta if self.band is None else self.band.meta

    def path(self, path: str) -> str:
        """``path`` of the stand-alone figure as a path of ``fig`` (:meth:`Band.layout_path`)."""
        return path if self.band is None else self.band.layout_path(path)

    def paths(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` keyed by layout path, the paths renamed by :meth:`path`."""
        return {self.path(key): value for key, value in values.items()}

    def axis(self, name: str) -> Any:
        """The layout object of the panel's axis ``name`` (``"yaxis2"``) in ``fig``."""
        return self.figure.layout[name if self.band is None else self.band.axes[name]]


def bands(fig: go.Figure) -> list[Band]:
    """The bands of a figure made by :func:`stack`, top to bottom (row 1 first)."""
    meta = layout_props(fig).get("meta")  # raw: the property getter copies and validates
    recorded = meta.get("panels") if isinstance(meta, dict) else None
    if not recorded:
        raise ValueError("row=/col= address a panel of a figure made by ganviz.plots stack()")
    return [Band(**{**record, "domain": tuple(record["domain"])}) for record in recorded]


def panel(fig: go.Figure, row: int | None = None, col: int | None = None) -> Panel:
    """The panel at ``row`` (1 = top), ``col`` (1: bands span the width) of a stacked figure.

    Without ``row`` and ``col``: the whole figure.
    """
    if row is None and col is None:
        return Panel(fig)
    found = bands(fig)
    if col not in (None, 1):
        raise ValueError(f"col must be 1 (each band of a stacked figure spans it), got {col!r}")
    if isinstance(row, bool) or not isinstance(row, int) or not 1 <= row <= len(found):
        raise ValueError(f"row must be an integer between 1 and {len(found)}, got {row!r}")
    return Panel(fig, found[row - 1])


class _TitleView:
    def __init__(self, fig: go.Figure, band: Band):
        self._fig, self._band = fig, band

    @property
    def text(self) -> str | None:
        if self._band.title is None:
            return None
        return self._fig.layout.annotations[self._band.title].text


class _LayoutView:
    """The layout of one band, under the source figure's names (read only)."""

    def __init__(self, fig: go.Figure, band: Band):
        self._fig, self._band = fig, band

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


class PanelView(Panel):
    """One band of a stacked figure to look at, under its stand-alone figure's names.

    ``.data`` and ``.layout`` (axes, ``shapes``, ``annotations``, ``meta``,
    ``title.text``) read the stacked figure; edits go through the ``update_*``
    helpers with ``fig, row=, col=``.
    """

    def __init__(self, fig: go.Figure, row: int, col: int = 1):
        super().__init__(fig, panel(fig, row, col).band)
        self.row, self.col = row, col
        self.layout = _LayoutView(fig, self.band)
