"""A plotly ``FigureWidget`` that holds up in a busy classroom.

Several things go wrong with plain ``plotly.graph_objects.FigureWidget`` s in
JupyterLab and Voilà on slow or shared machines (Binder, a teacher's laptop):

* **Dead plots.** The widget's front end is a ~5 MB ES module (all of
  plotly.js) that anywidget imports *separately for every figure*, and
  anywidget gives each model 2 s to initialise. A model that misses the limit
  ignores the kernel for good: its plot never follows a slider. Here the
  front end is a small module that imports plotly's bundle **once per page**
  (cached on ``globalThis``) and does not keep anywidget waiting for it;
  kernel messages that arrive meanwhile are kept and replayed, in order, to
  plotly's model once it exists.

* **Slow first paint.** Sent by the kernel, the bundle crosses the page's
  websocket on every opening (and through every learner's kernel at once).
  Here the page first imports it as a static file from the Jupyter server,
  ``{base_url}ganviz/static/plotly-widget-<digest>.js``, served by ganviz's
  server extension (:mod:`ganviz._server`, enabled on install) and cached by
  the browser for good (the digest names the content). Standalone Voilà
  loads no server extensions; there ganviz's ``etc/jupyter/voila.py`` has
  Voilà serve the file and name it, with its digest, in the page's config,
  and the page imports it from there when the digest is its kernel's. Only
  where neither works (a server without the extension, VS Code, Colab) does
  the page ask the kernel's one :class:`PlotlyLibrary` for it, and the kernel
  answers that page with the bundle as a binary message (gzip, ~1.5 MB):
  never part of a model's state.

* **Stale plots.** A FigureWidget sends later changes as messages to the
  views that exist, and a *new* view is drawn from the state kept at
  construction. Voilà runs every cell first and draws afterwards, and an
  explorer nested in boxes is not displayed by itself, so changes made before
  the view existed were lost. Here the state a view is drawn from is always
  the current figure (:meth:`FigureWidget.get_state`).

* **Errors when a figure leaves the page.** An explorer that switches between
  its 1-D and 2-D figures takes a figure off the page, sometimes while
  plotly.js is still drawing it; purging the plot then makes the draw throw,
  and the removed view goes on editing its purged plot on later kernel
  messages. Here a removed view stops listening at once and its plot is
  purged once its draw has ended.

* **Plots drawn without their data.** plotly's kernel side deletes from the
  figure's own data every property a page reports back after drawing (its
  "trace deltas"), and a ``batch_update`` sends ``Undefined`` for each trace
  that kept a property others changed, which the page draws as *no value*.
  Either way a later full state or redraw lost arrays (Voilà drew notebook
  01's D = ½ line and densities without their y). Here the page acknowledges
  edits without reporting deltas, the kernel keeps every property it set, and
  a batch is sent as one update (one redraw) in which a trace that kept a
  property gets its current value instead of ``Undefined``.

Everything else is plotly's FigureWidget unchanged.
"""

from __future__ import annotations

import json
import uuid

import ipywidgets
import plotly.graph_objects as go
import traitlets
from ipywidgets import widget_serialization

from .._server import VOILA_PAGE_CONFIG_KEY, bundle_route, encoded_bundle
from ..plots._plotly_internals import (
    FRONT_END_PATCH,
    figure_widget_hooks,
    kernel_messages,
    widget_bundle_digest,
)

__all__ = ["FigureWidget"]


class PlotlyLibrary(ipywidgets.Widget):
    """plotly's widget front end, for the pages that cannot fetch it from the server.

    One model per kernel that every :class:`FigureWidget` refers to. Its state
    is small: which bundle (``digest``) and where the Jupyter server serves it
    (``static_path``, below the page's base URL; standalone Voilà names its own in
    the page config). A page that finds no file there (no ganviz server
    extension and no ganviz ``voila.py``, VS Code, Colab) sends the
    model a ``{"request": "bundle"}`` message and the kernel answers with the
    bundle as a binary buffer, gzip-compressed when the page asks for it
    (~1.5 MB instead of ~5 MB), once per page: never in the model's state,
    which every page opening the notebook again would receive.
    """

    digest = traitlets.Unicode().tag(sync=True)
    #: Where the page looks first, below its base URL (ganviz's server extension serves it).
    static_path = traitlets.Unicode().tag(sync=True)

    @traitlets.default("digest")
    def _this_plotly(self) -> str:
        return widget_bundle_digest()

    @traitlets.default("static_path")
    def _served_at(self) -> str:
        return bundle_route(self.digest)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_msg(_send_bundle)


def _send_bundle(library: PlotlyLibrary, content: dict, buffers) -> None:
    """Answer a page's request for the bundle: the bytes, in the encoding it asked for."""
    if not isinstance(content, dict) or content.get("request") != "bundle":
        return
    encoding = "gzip" if content.get("encoding") == "gzip" else "identity"
    library.send(
        {"bundle": library.digest, "encoding": encoding}, buffers=[encoded_bundle(encoding)]
    )


_LIBRARY: PlotlyLibrary | None = None


def plotly_library() -> PlotlyLibrary:
    """The kernel's one :class:`PlotlyLibrary` (made again if it was closed)."""
    global _LIBRARY
    if _LIBRARY is None or _LIBRARY.comm is None:
        _LIBRARY = PlotlyLibrary()
    return _LIBRARY


_STUB = """
const KEY = "__ganviz_plotly_widget_%(digest)s";
// Kernel → browser messages of plotly's FigureWidget (each set, then reset to null).
const MESSAGES = %(messages)s;
const REFERENCE = "IPY_MODEL_";
const VOILA_KEY = %(voila_key)s;

// One import of plotly's 5 MB bundle per page, shared by every figure: first as a static,
// HTTP-cached file from the Jupyter server (ganviz's server extension); where that fails,
// from the kernel, on request.
function plotlyWidget(model) {
  if (!globalThis[KEY]) {
    globalThis[KEY] = (async () => {
      const reference = model.get("_plotly_library");
      const library = await model.widget_manager.get_model(reference.slice(REFERENCE.length));
      // Standalone Voilà names the bundle it serves in the page config (ganviz's voila.py);
      // a bundle of another plotly than the kernel's is not used.
      const voila = pageConfig()[VOILA_KEY];
      const path =
        voila && voila.digest === library.get("digest") ? voila.path : library.get("static_path");
      try {
        return await import(/* webpackIgnore: true */ staticUrl(path));
      } catch (error) {
        console.info("ganviz: plotly.js is not served by this Jupyter server; asking the kernel");
        return fromKernel(library);
      }
    })();
  }
  return globalThis[KEY];
}

// The page's config: JupyterLab, Notebook 7 and Voilà pages carry one ({} elsewhere).
function pageConfig() {
  try {
    return JSON.parse(document.getElementById("jupyter-config-data").textContent) || {};
  } catch (error) {
    return {};
  }
}

// A path below the page's base URL (the server's root where the page has no config).
function staticUrl(path) {
  const base = pageConfig().baseUrl || "/";
  return new URL(base.replace(/\\/?$/, "/") + path, document.baseURI).href;
}

// Ask the kernel's library model for the bundle; its answer is a binary buffer (gzip where
// the browser can decompress it). Any page's answer will do: every page of the kernel gets it.
function fromKernel(library) {
  const digest = library.get("digest");
  return new Promise((resolve, reject) => {
    const received = async (content, buffers) => {
      if (!content || content.bundle !== digest || !buffers || !buffers.length) return;
      library.off("msg:custom", received);
      try {
        let blob = new Blob([buffers[0]]);
        if (content.encoding === "gzip") {
          const inflated = blob.stream().pipeThrough(new DecompressionStream("gzip"));
          blob = await new Response(inflated).blob();
        }
        const url = URL.createObjectURL(new Blob([blob], { type: "text/javascript" }));
        resolve(await import(/* webpackIgnore: true */ url));
      } catch (error) {
        reject(error);
      }
    };
    library.on("msg:custom", received);
    const encoding = typeof DecompressionStream === "function" ? "gzip" : "identity";
    library.send({ request: "bundle", encoding });
  });
}

// After a view is removed, purge its plot only once plotly.js has finished drawing it: a
// draw ends with a step that reads the plot's layout, which purging deletes (the draw would
// throw). A draw ends with "plotly_afterplot"; a plot that is not drawing gets none, hence
// the time limit (the element is off the page already, so waiting costs nothing).
const DRAW_LIMIT_MS = 10000;

function whenDrawn(gd, drawing) {
  if (!drawing || typeof gd.once !== "function") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, DRAW_LIMIT_MS);
    gd.once("plotly_afterplot", () => {
      clearTimeout(timer);
      setTimeout(resolve, 0);
    });
  });
}

// Run render(), recording the listeners it adds to the models: plotly's view never removes
// them, and a removed view would go on editing its purged plot on every kernel message.
function recordingListeners(models, render) {
  const added = [];
  const originals = models.map((model) => model.on);
  models.forEach((model, i) => {
    model.on = function (...args) {
      added.push([model, args]);
      return originals[i].apply(this, args);
    };
  });
  try {
    return [render(), added];
  } finally {
    models.forEach((model, i) => {
      model.on = originals[i];
    });
  }
}

// acknowledgeEditsOnly(FigureView): see ganviz.plots._plotly_internals.FRONT_END_PATCH
%(patch)s
export default () => {
  let inner = null;
  let ready = null;
  let initModel = null;
  return {
    // anywidget allows initialize 2 s: start loading plotly and return at once.
    initialize(ctx) {
      const { model } = ctx;
      initModel = model;
      // Messages that arrive while plotly loads have no listener yet: keep them, in order.
      const missed = [];
      const listeners = MESSAGES.map((key) => {
        const keep = () => {
          const value = model.get(key);
          if (value !== null && value !== undefined) missed.push([key, value]);
        };
        model.on("change:" + key, keep);
        return [key, keep];
      });
      ready = plotlyWidget(model).then((module) => {
        for (const [key, keep] of listeners) model.off("change:" + key, keep);
        acknowledgeEditsOnly(module.FigureView);
        inner = module.default();
        inner.initialize(ctx);
        // Replay them to plotly's model, as the kernel sent them (no view exists yet).
        for (const [key, value] of missed) {
          model.set(key, value);
          model.set(key, null);
        }
      });
    },
    async render(ctx) {
      await ready;
      // Which kernel object this plot draws (browser tests compare the two).
      ctx.el.dataset.ganvizFigure = ctx.model.get("_figure_id");
      const models = [...new Set([initModel, ctx.model])];
      const [remove, listeners] = recordingListeners(models, () => inner.render(ctx));
      let drawing = true; // the first draw has started
      const gd = ctx.el;
      if (typeof gd.on === "function") gd.on("plotly_afterplot", () => { drawing = false; });
      const edited = () => { drawing = true; }; // an edit from the kernel redraws
      for (const key of MESSAGES) ctx.model.on("change:" + key, edited);
      return () => {
        for (const [model, args] of listeners) model.off(...args);
        for (const key of MESSAGES) ctx.model.off("change:" + key, edited);
        whenDrawn(gd, drawing).then(remove);
      };
    },
  };
};
"""


#: plotly.js configuration of every ganviz figure: a short toolbar (save, zoom, pan, reset)
#: that covers less of a title when it shows on hover, and no plotly logo.
PLOT_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": [
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "toggleSpikelines",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
    ],
}


#: Figures at most this wide (px, a fixed ``layout.width``) get a vertical toolbar.
NARROW_PX = 600


class FigureWidget(figure_widget_hooks(), go.FigureWidget):
    """``plotly.graph_objects.FigureWidget`` with a shared, cached front end and current state.

    Use it exactly like plotly's (``FigureWidget(fig)``, ``batch_update()``,
    ``on_click`` …); every ganviz explorer draws with it. What it changes in
    plotly's own machinery (a batch update as one message in which every trace's
    value is defined, edit acknowledgements that keep the kernel's data, a state
    that is always the current figure) lives in
    :func:`ganviz.plots._plotly_internals.figure_widget_hooks`.
    """

    _esm = _STUB % {
        "digest": widget_bundle_digest(),
        "messages": json.dumps(list(kernel_messages())),
        "voila_key": json.dumps(VOILA_PAGE_CONFIG_KEY),
        "patch": FRONT_END_PATCH.strip(),
    }
    #: the kernel's one model that says where the page finds plotly's front end (and sends it
    #: on request); every figure refers to it
    _plotly_library = traitlets.Instance(ipywidgets.Widget).tag(sync=True, **widget_serialization)
    #: Names this figure on the page (``data-ganviz-figure`` of its plot element), so a
    #: test can tell which kernel object a plot draws.
    _figure_id = traitlets.Unicode().tag(sync=True)

    @traitlets.default("_plotly_library")
    def _shared_library(self) -> ipywidgets.Widget:
        return plotly_library()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.layout.width is not None and self.layout.width <= NARROW_PX:
            # a narrow dashboard panel's title and legend reach its right edge: a toolbar
            # standing at that edge (shown on hover) covers neither
            self.layout.modebar.orientation = "v"

    #: plotly.js config of the page (the adapter's hooks keep it in the first state sent)
    page_config = PLOT_CONFIG

    @traitlets.default("_figure_id")
    def _new_figure_id(self) -> str:
        return uuid.uuid4().hex
