"""Several figures stacked into one, each band addressed as a panel ``(row, col)``.

Why: every ``plotly.graph_objects.FigureWidget`` ships the whole plotly.js
bundle (about 5 MB) to the browser in its state, and anywidget gives each
model 2 s to start; an explorer with four FigureWidgets sends 20 MB on
display and, on a busy machine, some of its plots stay empty axes. An
explorer that stacks its panels into one figure sends 5 MB and starts one
model.

A stacked figure is one tall figure of horizontal bands (top to bottom: row
1, 2, …; one column, each band spans the width). :func:`stacked_figure` makes
one with empty rows; a figure builder of :mod:`ganviz.plots` given
``fig=, row=`` (as seaborn's functions take ``ax=``) draws into that band,
and :func:`stack` is the shortcut for figures already built. Both go through
two steps:

* :func:`place` copies one figure's traces, axes, shapes, annotations and
  legend into a row, renaming axes (``yaxis2`` of the second figure may
  become ``yaxis4``) and giving the band its own legend (plotly's
  ``legend2`` …), and remembers the band-local height of everything it moved;
* :func:`_arrange` (the layout step, after every placement) sizes every band
  from its figure's height and legend position and moves axis domains,
  paper-referenced shapes and annotations, colour bars, legends and titles
  into it.

The stacked figure records its bands in ``layout.meta`` (``{"panels":
[...]}``), so it carries them into a ``FigureWidget`` made from it.

The ``update_*`` helpers take ``fig, row=, col=`` too and refresh that band:
:func:`panel` gives them (and anyone reading the figure) one band under its
stand-alone figure's names: its traces, its ``layout`` (axes, ``shapes``,
``annotations``, ``meta``, ``title.text``, read only) and its layout paths
renamed (``"yaxis.range"`` → ``"yaxis5.range"``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import plotly.graph_objects as go

from . import style
from ._plotly_internals import layout_props

__all__ = ["Panel", "into", "panel", "place", "stack", "stacked_figure"]

_AXIS_KEY = re.compile(r"^([xy])axis(\d*)$")
#: Pixels above each band's plot (title, then a legend on top) and below it (x-axis title,
#: then a legend placed below the plot).
_TITLE_PX, _LEGEND_PX, _FOOTER_PX = 48, 52, 52
#: Height of a band whose figure sets none (plotly's default figure is taller than a band needs).
DEFAULT_HEIGHT = 380


def _short(key: str) -> str:
    """``"yaxis3"`` → ``"y3"``, ``"xaxis"`` → ``"x"``."""
    letter, number = _AXIS_KEY.match(key).groups()
    return letter + number


@dataclass
class Band:
    """Where one source figure lives in the stacked figure (an empty row has no axes yet).

    ``local`` holds the band-local y (0 = bottom of the plot area, 1 = top) of
    what the layout step moves: ``{"axes": {key: [lo, hi]}, "shapes": [[index,
    y0, y1]], "annotations": [[index, y]], "colorbars": [[trace, len]]}``.
    """

    traces: list[int] = field(default_factory=list)
    axes: dict[str, str] = field(default_factory=dict)  # source key → combined key
    shapes: list[int] = field(default_factory=list)
    annotations: list[int] = field(default_factory=list)
    title: int | None = None  # index of the annotation holding the source title
    legend: str = "legend"
    domain: tuple[float, float] = (0.0, 1.0)  # paper-y interval of the band's plot area
    meta: Any = None
    height: int = DEFAULT_HEIGHT  # pixels, the source figure's layout.height
    legend_below: bool = False
    local: dict = field(default_factory=dict)

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


def _legend_name(row: int) -> str:
    return "legend" if row == 1 else f"legend{row}"


def _records(fig: go.Figure) -> tuple[list[Band], int]:
    """The bands of a stacked figure, top to bottom, and the gap between them (pixels)."""
    meta = layout_props(fig).get("meta")  # raw: the property getter copies and validates
    recorded = meta.get("panels") if isinstance(meta, dict) else None
    if not recorded:
        raise ValueError(
            "row=/col= address a panel of a figure made by ganviz.plots stacked_figure() or stack()"
        )
    found = [Band(**{**record, "domain": tuple(record["domain"])}) for record in recorded]
    return found, int(meta.get("gap_px", 10))


def bands(fig: go.Figure) -> list[Band]:
    """The bands of a stacked figure, top to bottom (row 1 first)."""
    return _records(fig)[0]


def _check_row(found: list[Band], row: Any, col: Any) -> None:
    if col not in (None, 1):
        raise ValueError(f"col must be 1 (each band of a stacked figure spans it), got {col!r}")
    if isinstance(row, bool) or not isinstance(row, int) or not 1 <= row <= len(found):
        raise ValueError(f"row must be an integer between 1 and {len(found)}, got {row!r}")


def _arrange(fig: go.Figure, found: list[Band], gap_px: int) -> None:
    """The layout step: size every band and move what each holds into it.

    Band ``i`` takes its figure's height ``h_i`` in pixels; the figure is
    ``Σ h_i + gap·(n − 1)`` tall. Inside a band, the plot area leaves room
    for the title and a legend above it, or the x-axis title and a legend
    below it; everything placed at band-local y = v lands at paper y =
    lo + v·(hi − lo) of the plot area [lo, hi].
    """
    total = sum(band.height for band in found) + gap_px * (len(found) - 1)
    layout = fig.layout
    top = total
    for band in found:
        band_top, band_bottom = top, top - band.height
        top = band_bottom - gap_px
        # a legend on top may wrap to two lines; below, subplot titles need a line
        header = _TITLE_PX + (22 if band.legend_below else _LEGEND_PX)
        footer = _FOOTER_PX + (_LEGEND_PX + 20 if band.legend_below else 0)
        domain = ((band_bottom + footer) / total, (band_top - header) / total)
        band.domain = domain
        if not band.axes:  # an empty row keeps its room
            continue
        for key, (lo, hi) in band.local["axes"].items():
            layout[key].domain = [_paper_y(lo, domain), _paper_y(hi, domain)]
        if band.legend_below:
            layout[band.legend].y = (band_bottom + footer - _FOOTER_PX) / total
        else:
            layout[band.legend].y = domain[1] + 4 / total
        for index, y0, y1 in band.local["shapes"]:
            layout.shapes[index].update(y0=_paper_y(y0, domain), y1=_paper_y(y1, domain))
        for index, y in band.local["annotations"]:
            layout.annotations[index].y = _paper_y(y, domain)
        if band.title is not None:
            layout.annotations[band.title].y = (band_top - 6) / total
        for index, length in band.local["colorbars"]:
            fig.data[index].colorbar.update(
                y=(domain[0] + domain[1]) / 2, len=length * (domain[1] - domain[0])
            )
    layout.height = total
    layout.meta = {"panels": [asdict(band) for band in found], "gap_px": gap_px}


def stacked_figure(
    rows: int,
    *,
    heights=None,
    title: str | None = None,
    gap_px: int = 10,
) -> go.Figure:
    """An empty stacked figure of ``rows`` bands, for builders called with ``fig=, row=``.

    ``heights`` (pixels, one per row; 380 each by default) hold each row's
    room until a figure is drawn into it; from then on the row is as tall as
    that figure's ``layout.height``.

    >>> fig = stacked_figure(rows=2)
    >>> mode_collapse_figure(p_data, p_g, fig=fig, row=1)   # doctest: +SKIP
    >>> mode_metrics_figure(report, fig=fig, row=2)         # doctest: +SKIP
    """
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise ValueError(f"rows must be a positive integer, got {rows!r}")
    heights = [DEFAULT_HEIGHT] * rows if heights is None else [int(h) for h in heights]
    if len(heights) != rows or min(heights) <= 0:
        raise ValueError(f"heights must be {rows} positive pixel counts, got {heights!r}")
    fig = go.Figure()
    style.base_layout(fig, title=title)
    # room on the right for secondary axes and colour bars of any band
    fig.update_layout(shapes=[], annotations=[], margin={"t": 10, "b": 10, "r": 70})
    found = [Band(legend=_legend_name(row), height=h) for row, h in enumerate(heights, start=1)]
    _arrange(fig, found, int(gap_px))
    return fig


def _copy_traces(source: go.Figure, first: int, band: Band, short_map) -> list[dict]:
    """The traces of ``source`` on the band's axes and legend, to become traces ``first``, … .

    A colour bar's position is a placeholder; its band-local length is noted
    in ``band.local`` for the layout step.
    """
    traces = []
    for number, trace in enumerate(source.data, start=first):
        data = trace.to_plotly_json()
        data["xaxis"] = short_map.get(data.get("xaxis", "x"), "x")
        data["yaxis"] = short_map.get(data.get("yaxis", "y"), "y")
        data["legend"] = band.legend
        colorbar = data.get("colorbar")
        if colorbar is not None or data.get("type") in ("heatmap", "contour"):
            colorbar = dict(colorbar or {})
            band.local["colorbars"].append([number, colorbar.get("len", 1.0)])
            colorbar.update(y=0.5, yanchor="middle", len=1.0, lenmode="fraction")
            data["colorbar"] = colorbar
        traces.append(data)
    return traces


def _copy_items(kind: str, y_keys: tuple, fig, src: dict, band: Band, short_map) -> list[dict]:
    """``fig``'s shapes (``kind``; or annotations) followed by those of the source ``src``.

    Axis references are renamed; a paper-referenced item's ``y_keys`` become
    placeholders, their band-local values noted in ``band.local`` for the
    layout step. The new items' indices go to ``band.shapes`` (``band.annotations``).
    """
    out = [item.to_plotly_json() for item in fig.layout[kind]]
    for item in src.get(kind, ()):
        item = dict(item)
        item["xref"] = _remap_ref(item.get("xref", "x"), short_map)
        yref = item.get("yref", "y")
        if yref == "paper":
            band.local[kind].append([len(out), *(item.get(key, 0) for key in y_keys)])
            item.update(dict.fromkeys(y_keys, 0.0))
        else:
            item["yref"] = _remap_ref(yref, short_map)
        getattr(band, kind).append(len(out))
        out.append(item)
    return out


def place(fig: go.Figure, source: go.Figure, row: int, col: int | None = None) -> Band:
    """Copy ``source`` into the empty ``row`` of the stacked ``fig``; return its band.

    Axes are renamed after those already in ``fig``, references to them
    (traces, ``anchor``, ``overlaying``, shapes, annotations) follow, and
    every band is then laid out again (:func:`_arrange`).
    """
    found, gap_px = _records(fig)
    _check_row(found, row, col)
    band = found[row - 1]
    if band.axes:
        raise ValueError(
            f"row {row} already holds a figure; refresh it with the update_* helpers (row={row})"
        )
    legend_source = dict(source.layout.legend.to_plotly_json())
    band.height = int(source.layout.height or DEFAULT_HEIGHT)
    band.legend_below = legend_source.get("y", 1.02) < 0.5
    band.meta = (src := source.layout.to_plotly_json()).get("meta")
    band.local = local = {"axes": {}, "shapes": [], "annotations": [], "colorbars": []}
    # Positions are written as placeholders here (so each key sits where it always has)
    # and set by _arrange, the one place that knows where the band is.
    keys = sorted(
        (k for k in src if _AXIS_KEY.match(k)),
        key=lambda k: (k[0], int(_AXIS_KEY.match(k).group(2) or 1)),
    )
    for letter in "xy":  # every figure has at least the first x and y axis
        if f"{letter}axis" not in keys:
            keys.append(f"{letter}axis")
    counters = {
        letter: sum(new[0] == letter for other in found for new in other.axes.values())
        for letter in "xy"
    }
    for key in keys:
        letter = key[0]
        counters[letter] += 1
        band.axes[key] = f"{letter}axis" + ("" if counters[letter] == 1 else str(counters[letter]))
    short_map = {_short(k): _short(v) for k, v in band.axes.items()}
    layout: dict[str, Any] = {}
    for key, new in band.axes.items():
        axis = dict(src.get(key, {}))
        for ref in ("anchor", "overlaying", "scaleanchor", "matches"):
            if ref in axis:
                axis[ref] = _remap_ref(axis[ref], short_map)
        if key.startswith("y"):
            local["axes"][new] = list(axis.get("domain", (0.0, 1.0)))
            axis["domain"] = [0.0, 1.0]
        other = "y" if key.startswith("x") else "x"
        if "anchor" not in axis and "overlaying" not in axis:
            axis["anchor"] = short_map.get(other, other)
        layout[new] = axis
    legend_source.update(
        x=legend_source.get("x", 0),
        xanchor="left",
        y=1.0,
        yanchor="top" if band.legend_below else "bottom",
    )
    legend_source.setdefault("orientation", "h")
    layout[band.legend] = legend_source
    fig.update_layout(**layout)
    first = len(fig.data)
    fig.add_traces(_copy_traces(source, first, band, short_map))
    band.traces = list(range(first, len(fig.data)))
    shapes = _copy_items("shapes", ("y0", "y1"), fig, src, band, short_map)
    notes = _copy_items("annotations", ("y",), fig, src, band, short_map)
    text = (src.get("title") or {}).get("text")
    if text:
        band.title = len(notes)
        notes.append(
            {
                "text": text,
                "xref": "paper",
                "yref": "paper",
                "x": 0.0,
                "xanchor": "left",
                "y": 0.0,
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 16},
            }
        )
    fig.layout.shapes, fig.layout.annotations = shapes, notes
    _arrange(fig, found, gap_px)
    return band


def into(fig: go.Figure | None, built: go.Figure, row: int | None, col: int | None) -> go.Figure:
    """What a builder returns: ``built`` alone, or ``fig`` with ``built`` drawn into ``row``."""
    if fig is None:
        if row is not None or col is not None:
            raise ValueError(
                "row=/col= say where to draw into fig=; pass fig=stacked_figure(rows=…) as well"
            )
        return built
    place(fig, built, row, col)
    return fig


def stack(
    figures: dict[str, go.Figure],
    *,
    title: str | None = None,
    gap_px: int = 10,
) -> tuple[go.Figure, dict[str, Band]]:
    """Stack ``figures`` (name → figure, top to bottom) into one figure; return it and its bands.

    Each band keeps its figure's height in pixels (``layout.height``, 380 when
    unset); the combined height is their sum plus the gaps. The same figure
    as :func:`stacked_figure` with each builder called with ``fig=, row=``.
    """
    combined = stacked_figure(rows=len(figures), title=title, gap_px=gap_px)
    for row, source in enumerate(figures.values(), start=1):
        place(combined, source, row)
    return combined, dict(zip(figures, bands(combined), strict=True))


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
            return band.height
        raise AttributeError(
            f"a panel's layout exposes axes, shapes, annotations, meta, title, height; not {name}"
        )


class Panel:
    """One panel of a figure: ``panel(fig, row, col)``, or the whole figure without a row.

    Under its stand-alone figure's names: ``data`` (its traces, in their
    order), ``layout`` (its axes, ``shapes``, ``annotations``, ``meta``,
    ``title.text``, ``height``; read only, edits go through the ``update_*``
    helpers with ``fig, row=, col=``), ``meta``, and :meth:`path` (a layout
    path of the stand-alone figure, renamed for ``fig``).
    """

    def __init__(self, fig: go.Figure, band: Band | None = None, row: int | None = None):
        self.figure = fig
        self.band = band
        self.row = row
        self.col = None if row is None else 1

    @property
    def data(self) -> tuple:
        traces = self.figure.data
        return traces if self.band is None else tuple(traces[i] for i in self.band.traces)

    @property
    def layout(self) -> Any:
        return self.figure.layout if self.band is None else _LayoutView(self.figure, self.band)

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


def panel(fig: go.Figure, row: int | None = None, col: int | None = None) -> Panel:
    """The panel at ``row`` (1 = top), ``col`` (1: bands span the width) of a stacked figure.

    Without ``row`` and ``col``: the whole figure.
    """
    if row is None and col is None:
        return Panel(fig)
    found = bands(fig)
    _check_row(found, row, col)
    band = found[row - 1]
    if not band.axes:
        raise ValueError(f"row {row} holds no figure yet: draw one with a builder's fig=, row=")
    return Panel(fig, band, row)
