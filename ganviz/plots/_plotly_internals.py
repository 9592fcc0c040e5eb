"""The one door to plotly's private API (pinned ``plotly>=6.1,<8``).

ganviz relies on a few names plotly does not promise to keep. Every use of
one lives in this module, behind a small named function, so a plotly
release that renames one breaks here and in the test that checks them
(``tests/plots/test_plotly_internals.py``), not on a learner's page. Nothing
else in ganviz touches a ``_name`` of a plotly object, module or class (a
test greps the package for that).

Why each is needed:

* **Fast reads** (:func:`trace_props`, :func:`trace_index`, :func:`trace_figure`,
  :func:`layout_props`): plotly's public getters walk the property tree and
  validate (~0.1 ms a property); a slider move compares twenty-odd arrays with
  what is shown, so ganviz reads the raw property dicts ``plotly_restyle`` and
  ``plotly_relayout`` write.
* **Widget state** (:func:`refresh_widget_state`, :func:`current_widget_state`):
  plotly copies a FigureWidget's figure into the state a new view draws from
  only at construction; ganviz keeps that state current, and sends 2-D arrays
  as binary rows (:func:`rows_on_the_wire`), not plotly's nested JSON lists.
* **FigureWidget hooks** (:func:`figure_widget_hooks`): a batch update is sent
  as one ``Plotly.update`` in which every trace has a value for every property
  sent (its current one where it kept it, never ``Undefined``), and the page's edit
  acknowledgements never delete kernel data ("trace deltas").
* **Front-end names** (:func:`kernel_messages`, :data:`FRONT_END_PATCH`): the
  kernel → page message traits a loading page must keep, and the page-side
  methods of plotly's ``FigureView`` that ganviz replaces.
* **The widget bundle file** (:func:`widget_bundle_path`, :func:`widget_bundle_digest`):
  where plotly ships its FigureWidget front end (``package_data/widgetbundle.js``,
  not a documented location), which ganviz serves itself.

plotly.basewidget imports ipywidgets, so everything about FigureWidgets is
imported lazily: ``ganviz.plots`` stays free of widgets.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import pathlib
import sys
from copy import deepcopy
from functools import cache
from typing import Any

__all__ = [
    "FRONT_END_PATCH",
    "PRIVATE_NAMES",
    "add_to_batch",
    "current_widget_state",
    "figure_widget_hooks",
    "import_renderers_without_nbformat",
    "kernel_messages",
    "layout_props",
    "raw_trace_value",
    "refresh_widget_state",
    "rows_on_the_wire",
    "trace_figure",
    "trace_index",
    "trace_props",
    "widget_bundle_digest",
    "widget_bundle_path",
]

#: Every private plotly name used here, by where plotly defines it (the internals test
#: checks each exists; the door test checks this module uses no other).
PRIVATE_NAMES: dict[str, tuple[str, ...]] = {
    # attributes of a plotly trace (BaseTraceType instance)
    "trace": ("_props", "_trace_ind", "_parent"),
    # attributes of a figure (BaseFigure instance)
    "figure": (
        "_data",
        "_layout",
        "_layout_obj",
        "_in_batch_mode",
        "_batch_trace_edits",
        "_batch_layout_edits",
    ),
    # a layout object's raw dict (BaseLayoutType instance)
    "layout": ("_props",),
    # members of plotly.basewidget.BaseFigureWidget
    "widget": (
        "_widget_data",
        "_widget_layout",
        "_send_update_msg",
        "_normalize_trace_indexes",
        "_js2py_traceDeltas",
        "_js2py_layoutDelta",
        "_handler_js2py_traceDeltas",
        "_handler_js2py_layoutDelta",
        "_last_trace_edit_id",
        "_last_layout_edit_id",
        "_trace_edit_in_process",
        "_layout_edit_in_process",
        "_waiting_edit_callbacks",
        "_config",
    ),
    # plotly.io._renderers' module attribute for nbformat, and plotly's record of optional
    # modules that failed to import (see import_renderers_without_nbformat)
    "renderers": (
        "plotly.io._renderers.nbformat",
        "_plotly_utils.optional_imports._not_importable",
    ),
    # methods of the FigureView class exported by plotly's widget bundle (JavaScript)
    "front end": ("_sendTraceDeltas", "_sendLayoutDelta"),
    # kernel → page message traits: every BaseFigureWidget trait with this prefix
    "messages": ("_py2js_",),
}


# -- figures and traces -------------------------------------------------------------------


def trace_props(trace: Any) -> dict:
    """The trace's raw property dict: what ``plotly_restyle`` writes and the page was sent."""
    return trace._props


def raw_trace_value(trace: Any, path: str) -> Any:
    """The trace's value at a dotted property ``path`` (``"marker.size"``), read from its raw
    dict (``trace[path]`` walks plotly's property tree, ~0.1 ms); ``None`` where unset."""
    value: Any = trace_props(trace)
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def trace_index(trace: Any) -> int:
    """The trace's index in its figure's ``data``."""
    return trace._trace_ind


def trace_figure(trace: Any) -> Any:
    """The figure holding ``trace`` (None for a trace on its own)."""
    return getattr(trace, "_parent", None)


def layout_props(fig: Any) -> dict:
    """The figure's raw layout dict: what ``plotly_relayout`` writes."""
    return fig._layout


# -- FigureWidget state ---------------------------------------------------------------------


def current_widget_state(fig: Any) -> tuple[list, dict] | None:
    """(traces, layout) of ``fig`` as they are now, raw; None while plotly still builds it."""
    if not hasattr(fig, "_data"):
        return None
    return fig._data, fig._layout_obj._props


def refresh_widget_state(fig: Any) -> None:
    """Copy a FigureWidget's current traces and layout into the state its next view renders from.

    Plotly does this only when the FigureWidget is displayed by itself; one
    nested in boxes, or inserted into a box after being updated, would first
    render its state at construction.
    """
    # traitlets cannot compare states holding arrays, so it would send both again even
    # when nothing changed since the figure was built (0.5 MB for a 2-D field, twice)
    if not _same_state(fig._widget_layout, fig._layout_obj._props):
        fig._widget_layout = deepcopy(fig._layout_obj._props)
    if not _same_state(fig._widget_data, fig._data):
        fig._widget_data = deepcopy(fig._data)


def _same_state(a: Any, b: Any) -> bool:
    """Equal figure states: dicts and lists compared item by item, arrays by value."""
    import numpy as np

    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_state(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_state(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    return type(a) is type(b) and a == b


# -- FigureWidget front end -----------------------------------------------------------------


def widget_bundle_path() -> pathlib.Path:
    """plotly's FigureWidget front end: one ES module (~5 MB) holding plotly.js and the views.

    Found without importing plotly, so a Jupyter server can serve it cheaply.
    """
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("plotly is not installed")
    return pathlib.Path(spec.origin).parent / "package_data" / "widgetbundle.js"


@cache
def widget_bundle_digest() -> str:
    """The first 16 hex digits of the bundle's SHA-256: names one plotly release's bundle
    (in the URL it is served at and the page's cache of the imported module)."""
    return hashlib.sha256(widget_bundle_path().read_bytes()).hexdigest()[:16]


@cache
def kernel_messages() -> tuple[str, ...]:
    """The traits through which plotly's FigureWidget sends edits to the page (``_py2js_*``)."""
    from plotly.basewidget import BaseFigureWidget

    return tuple(sorted(n for n in BaseFigureWidget.class_trait_names() if n.startswith("_py2js_")))


#: JavaScript: ``acknowledgeEditsOnly(FigureView)`` replaces two methods of plotly's page-side
#: view. After every draw and edit, plotly's view reports to the kernel each property where what
#: plotly.js drew differs from the view model's copy of the figure ("trace deltas", whole arrays
#: included), and plotly's kernel side then *deletes* every reported property from the figure's
#: own data, keeping it only as a default. Whenever the model's copy is older than the kernel's
#: figure, that strips the kernel's figure of data (the next full state it sends — Voilà's, a
#: redisplay, an explorer shown again — draws a line without its y). ganviz needs no defaults
#: read back: each edit is acknowledged with empty deltas instead.
FRONT_END_PATCH = """
function acknowledgeEditsOnly(FigureView) {
  if (FigureView.prototype.__ganvizAcknowledgeOnly) return;
  FigureView.prototype._sendTraceDeltas = function (traceEditId) {
    this.model.set("_js2py_traceDeltas", { trace_deltas: [], trace_edit_id: traceEditId });
    this.touch();
  };
  FigureView.prototype._sendLayoutDelta = function () {};
  FigureView.prototype.__ganvizAcknowledgeOnly = true;
}
"""


@cache
def figure_widget_hooks() -> type:
    """A mixin for a ``go.FigureWidget`` subclass that overrides plotly's private hooks.

    * ``_send_update_msg``: a ``batch_update`` goes out as one update in which a
      trace that kept a property another trace changed gets its current value.
      plotly sends one ``Plotly.update`` for the whole batch, with a value per
      trace for every property any trace changed; a trace that did not change
      that property gets ``Undefined``, which the page draws as *no value*: a
      ``batch_update`` that moved ``x`` of one trace and ``x`` and ``y`` of the
      others erased the first one's ``y`` in the browser (Voilà showed notebook
      01's D = ½ line as a column at the left edge).
    * the ``_js2py_traceDeltas`` / ``_js2py_layoutDelta`` handlers: acknowledge
      the page's edit without deleting the properties it reports (plotly's
      handlers move them to the defaults, so a page that drew an older state
      would strip the kernel's figure).
    * ``get_state``: the state a new view draws from is the figure *now*.

    Put it first among the bases: ``class FigureWidget(figure_widget_hooks(), go.FigureWidget)``.
    """
    import traitlets  # deferred: ganviz.plots never imports the widget stack by itself
    from plotly.basedatatypes import Undefined

    # a HasTraits, so traitlets registers the observers under their names
    class FigureWidgetHooks(traitlets.HasTraits):
        @traitlets.default("_config")
        def _default_page_config(self):
            return dict(getattr(self, "page_config", {}))

        @traitlets.validate("_config")
        def _merge_page_config(self, proposal):
            """The class's ``page_config`` under whatever config is set (what is set wins).

            plotly's ``BaseFigure.__init__`` assigns ``{}`` after the widget's comm is
            open; as a default alone the config would then travel as a later update,
            which a page that builds plotly's model from the first state can miss.
            """
            return {**getattr(self, "page_config", {}), **(proposal["value"] or {})}

        @traitlets.observe("_js2py_traceDeltas")
        def _handler_js2py_traceDeltas(self, change):
            """Acknowledge a trace edit, keeping every property the kernel set."""
            _acknowledge_edit(self, "trace", change["new"])

        @traitlets.observe("_js2py_layoutDelta")
        def _handler_js2py_layoutDelta(self, change):
            """Acknowledge a layout edit, keeping every layout property the kernel set."""
            _acknowledge_edit(self, "layout", change["new"])

        def _send_update_msg(
            self, restyle_data, relayout_data, trace_indexes=None, source_view_id=None
        ):
            """Send a ``batch_update`` as ONE update whose every trace value is defined.

            A trace that kept a property some other trace changed gets its current
            value (the kernel's figure already holds the batch) instead of
            ``Undefined``: one ``Plotly.update``, so one redraw per figure and change.
            """
            indexes = self._normalize_trace_indexes(trace_indexes)
            filled = {}
            for prop, values in restyle_data.items():
                # a value per trace (plotly.js repeats a shorter list; a scalar means every trace)
                values = values if isinstance(values, list) and values else [values]
                filled[prop] = [
                    raw_trace_value(self.data[index], prop)
                    if values[position % len(values)] is Undefined
                    else values[position % len(values)]
                    for position, index in enumerate(indexes)
                ]
            super()._send_update_msg(filled, relayout_data, indexes, source_view_id=source_view_id)

        def get_state(self, key=None, drop_defaults=False):
            """The widget state, with the figure as it is *now* (not as it was built), and the
            figure's 2-D arrays as binary rows (:func:`rows_on_the_wire`)."""
            keys = self.keys if key is None else [key] if isinstance(key, str) else list(key)
            figure_traits = _figure_traits()
            compact = [name for name in keys if name in figure_traits]
            state = super().get_state(
                key=[name for name in keys if name not in figure_traits],
                drop_defaults=drop_defaults,
            )
            current = current_widget_state(self)
            for name in compact:
                if name in ("_widget_data", "_widget_layout") and current is not None:
                    value = deepcopy(current[name == "_widget_layout"])
                else:
                    value = getattr(self, name)
                if drop_defaults and value is None:  # the messages' default: nothing to send
                    continue
                to_json = self.trait_metadata(name, "to_json")
                value = rows_on_the_wire(value)
                state[name] = to_json(value, self) if to_json else value
            return state

    return FigureWidgetHooks


#: A 2-D array with at least this many columns travels as binary rows; fewer (say a
#: scatter's (n, 3) customdata) stay plotly's JSON lists: a buffer per short row costs more.
MIN_BINARY_ROW = 16


def rows_on_the_wire(value: Any) -> Any:
    """``value`` with every 2-D float array (≥ :data:`MIN_BINARY_ROW` columns) replaced by
    the list of its rows, float32 where every finite non-zero value is a normal float32.

    plotly's widget serializer sends a 1-D numeric array as one binary buffer but a 2-D
    one as nested JSON lists (~20 bytes a number: an 80×80 heatmap is 140 kB, notebook
    01's plane sent 0.56 MB per slider step). A list of 1-D arrays goes as one buffer per
    row, which plotly.js draws as the same 2-D array (its heatmaps and contours take rows
    that are typed arrays), at 4 bytes a number. float32 keeps 7 significant digits, more
    than a colour scale or a hover label shows; values outside float32's normal range
    (±1.2e-38 … ±3.4e38) keep float64 rather than turn into 0 or ∞. NaN stays a gap.
    Containers are copied where something inside changed; arrays are never modified.
    """
    import numpy as np

    if isinstance(value, dict):
        return {k: rows_on_the_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rows_on_the_wire(v) for v in value]
    if (
        isinstance(value, np.ndarray)
        and value.ndim == 2
        and value.dtype.kind == "f"
        and value.shape[1] >= MIN_BINARY_ROW
    ):
        magnitude = np.abs(value[np.isfinite(value) & (value != 0)])
        fits = magnitude.size == 0 or (
            magnitude.min() >= np.finfo(np.float32).tiny
            and magnitude.max() <= np.finfo(np.float32).max
        )
        rows = np.ascontiguousarray(value, dtype=np.float32 if fits else np.float64)
        return list(rows)
    return value


@cache
def _figure_traits() -> frozenset[str]:
    """The FigureWidget traits that carry figure data to the page: its state and messages."""
    return frozenset(("_widget_data", "_widget_layout", *kernel_messages()))


def add_to_batch(fig: Any, layout: dict[str, Any], traces: dict[int, dict[str, Any]]) -> None:
    """Add edits to the open ``batch_update`` of ``fig``, as if assigned in the block.

    ``layout`` maps plotly paths to values, ``traces`` trace indexes to {property path:
    value}. They are applied and sent with the block's other edits, in its one update
    message, without plotly's per-value validation (the values come from ganviz).
    """
    if not fig._in_batch_mode:
        raise RuntimeError("add_to_batch needs an open batch_update of the figure")
    fig._batch_layout_edits.update(layout)
    for index, values in traces.items():
        fig._batch_trace_edits.setdefault(index, {}).update(values)


def _acknowledge_edit(fig: Any, kind: str, message) -> None:
    """End the ``kind`` ("trace" or "layout") edit the page acknowledged, run plotly's
    ``on_edits_completed`` callbacks once no edit is in process, and clear the message."""
    if not message:
        return
    if message.get(f"{kind}_edit_id") == getattr(fig, f"_last_{kind}_edit_id"):
        setattr(fig, f"_{kind}_edit_in_process", False)
        if not (fig._trace_edit_in_process or fig._layout_edit_in_process):
            while fig._waiting_edit_callbacks:
                fig._waiting_edit_callbacks.pop()()
    trait = "_js2py_traceDeltas" if kind == "trace" else "_js2py_layoutDelta"
    setattr(fig, trait, None)


# -- imports plotly makes eagerly but a FigureWidget never uses ----------------------------
# ``plotly.basewidget`` imports ``plotly.io._renderers``, which imports ``nbformat`` at once
# (for its notebook renderer's version check). ``nbformat`` imports ``jsonschema``, whose
# format checkers import ``rfc3987_syntax``, which compiles a Lark grammar at import: 1.5 s
# on an idle 2-core machine and 5 s under load, in every kernel, before the first figure.

RENDERERS = "plotly.io._renderers"


class ImportOnUse:
    """A module stand-in that imports the real module on the first attribute access."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<{self._name}, imported on first use>"


def import_renderers_without_nbformat() -> None:
    """Import plotly's renderers with ``nbformat`` deferred to its first use.

    Does nothing when the renderers (or ``nbformat``) are already imported:
    then there is nothing left to save.
    """
    if RENDERERS in sys.modules or "nbformat" in sys.modules:
        return
    if importlib.util.find_spec("nbformat") is None:
        return  # not installed: plotly handles its absence itself
    from _plotly_utils import optional_imports

    sys.modules["nbformat"] = None  # makes `import nbformat` raise ImportError
    try:
        renderers = importlib.import_module(RENDERERS)
    finally:
        del sys.modules["nbformat"]
        optional_imports._not_importable.discard("nbformat")
    renderers.nbformat = ImportOnUse("nbformat")
