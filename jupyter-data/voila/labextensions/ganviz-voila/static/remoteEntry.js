// ganviz for Voilà (installed in share/jupyter/voila/labextensions/ganviz-voila; Voilà loads
// it on every dashboard page, JupyterLab never). Voilà loads front-end extensions as soon as
// the page has loaded, while its kernel may still be running the notebook's cells; the plots
// of ganviz appear only after that, and their front end then imports plotly's ~5 MB widget
// bundle (see ganviz/widgets/_figure.py). This starts that import at once instead, from where
// ganviz's voila.py says Voilà serves it ("ganvizPlotlyBundle" in the page config), and leaves
// the promise where the figures look for it: window["__ganviz_plotly_preload_" + digest].
// It resolves to the module, or to null if the import failed (the figures then load it
// themselves). A module federation container by hand: init() and get() are all Voilà asks of
// one, and the plugin it returns does nothing.
(function () {
  "use strict";
  var config = {};
  try {
    config = JSON.parse(document.getElementById("jupyter-config-data").textContent) || {};
  } catch (error) {
    // no page config: nothing to preload
  }
  var bundle = config.ganvizPlotlyBundle;
  if (bundle && bundle.preload && bundle.path && bundle.digest) {
    var base = (config.baseUrl || "/").replace(/\/?$/, "/");
    var url = new URL(base + bundle.path, document.baseURI).href;
    var key = "__ganviz_plotly_preload_" + bundle.digest;
    if (!window[key]) {
      window[key] = import(/* webpackIgnore: true */ url).catch(function (error) {
        console.info("ganviz: could not preload plotly.js (" + error + ")");
        return null;
      });
    }
  }
  var plugin = {
    id: "ganviz-voila:preload-plotly",
    description: "Starts loading plotly's widget bundle when a Voilà page loads.",
    autoStart: true,
    activate: function () {},
  };
  var container = {
    init: function () {
      return Promise.resolve();
    },
    get: function () {
      return Promise.resolve(function () {
        return { __esModule: true, default: [plugin] };
      });
    },
  };
  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB["ganviz-voila"] = container;
})();
