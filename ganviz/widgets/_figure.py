"""A plotly ``FigureWidget`` that holds up in a busy classroom.

Two things go wrong with plain ``plotly.graph_objects.FigureWidget`` s in
JupyterLab and Voilà on slow or shared machines (Binder, a teacher's laptop):

* **Dead plots.** The widget's front end is a ~5 MB ES module (all of
  plotly.js) that anywidget imports *separately for every figure*, and
  anywidget gives each model 2 s to initialise. A model that misses the limit
  ignores the kernel for good: its plot never follows a slider. Here the
  front end is a small module that imports plotly's bundle **once per page**
  (cached on ``globalThis``) and does not keep anywidget waiting for it;
  when the bundle is ready it asks the kernel for the figure's current state.

* **Stale plots.** A FigureWidget sends later changes as messages to the
  views that exist, and a *new* view is drawn from the state kept at
  construction. Voilà runs every cell first and draws afterwards, and an
  explorer nested in boxes is not displayed by itself, so changes made before
  the view existed were lost. Here the state a view is drawn from is always
  the current figure (:meth:`FigureWidget.get_state`).

Everything else is plotly's FigureWidget unchanged.
"""

from __future__ import annotations

import hashlib
import pathlib
from copy import deepcopy
from functools import cache

import plotly
import plotly.graph_objects as go
import traitlets

__all__ = ["FigureWidget"]


@cache
def _bundle() -> str:
    """plotly's own widget front end (plotly.js and the FigureWidget views)."""
    path = pathlib.Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"
    return path.read_text(encoding="utf-8")


_STUB = """
const KEY = "__ganviz_plotly_widget_%(digest)s";

// One import of plotly's 5 MB bundle per page, shared by every figure.
function plotlyWidget(model) {
  if (!globalThis[KEY]) {
    const source = model.get("_plotly_bundle");
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    globalThis[KEY] = import(/* webpackIgnore: true */ url);
  }
  return globalThis[KEY];
}

export default () => {
  let inner = null;
  let ready = null;
  return {
    // anywidget allows initialize 2 s: start loading, return at once.
    initialize(ctx) {
      ready = plotlyWidget(ctx.model).then((module) => {
        inner = module.default();
        inner.initialize(ctx);
        // Changes sent while plotly was loading had no listener: ask for the whole figure.
        try { ctx.model.send({ ganviz: "resync" }); } catch (error) { /* no kernel */ }
      });
    },
    async render(ctx) {
      await ready;
      return inner.render(ctx);
    },
  };
};
"""


class FigureWidget(go.FigureWidget):
    """``plotly.graph_objects.FigureWidget`` with a shared front end and current state.

    Use it exactly like plotly's (``FigureWidget(fig)``, ``batch_update()``,
    ``on_click`` …); every ganviz explorer draws with it.
    """

    _esm = _STUB % {"digest": hashlib.sha1(_bundle().encode()).hexdigest()[:12]}
    _plotly_bundle = traitlets.Unicode(_bundle()).tag(sync=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_msg(self._on_front_end_message)

    def _on_front_end_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("ganviz") == "resync":
            self._send_current_state()

    def _send_current_state(self) -> None:
        """Replace the synced figure state with the current one (the view redraws from it)."""
        self._widget_layout = deepcopy(self._layout_obj._props)
        self._widget_data = deepcopy(self._data)

    def get_state(self, key=None, drop_defaults=False):
        """The widget state, with the figure as it is *now* (not as it was built)."""
        state = super().get_state(key=key, drop_defaults=drop_defaults)
        if hasattr(self, "_data"):  # plotly may ask while still constructing the figure
            current = (("_widget_data", self._data), ("_widget_layout", self._layout_obj._props))
            for name, value in current:
                if name in state:
                    to_json = self.trait_metadata(name, "to_json")
                    copied = deepcopy(value)
                    state[name] = to_json(copied, self) if to_json else copied
        return state
