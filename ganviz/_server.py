"""A Jupyter server extension that serves plotly's widget front end as a cacheable file.

Every ganviz figure is drawn by plotly's FigureWidget front end, one ~5 MB ES
module (plotly.js and the views). Sent by the kernel it crosses each page's
websocket again on every opening, and a class of thirty opening a notebook at
once pulls 150 MB through the kernels. Served by the Jupyter server it is a
plain static file:

    GET {base_url}ganviz/static/plotly-widget-<digest>.js

where ``<digest>`` names the content (:func:`~ganviz.plots._plotly_internals.widget_bundle_digest`),
so the URL changes whenever plotly does and the file can be cached for good
(``Cache-Control: public, max-age=31536000, immutable``); sent gzip-compressed
(~1.5 MB) to browsers that accept it. A wrong digest is a 404: the page then
asks its kernel instead (see :mod:`ganviz.widgets._figure`).

Installing ganviz enables the extension (``jupyter-config/`` is installed to
``etc/jupyter/jupyter_server_config.d/ganviz.json``); ``jupyter server
extension list`` shows it. It serves plotly's own public code and nothing of
the user's, so it asks for no login, like Jupyter's own ``/static/`` files.

**Standalone Voilà** (``voila notebook.ipynb``) loads no Jupyter server
extensions, but it serves every folder on its *labextensions path* as static
files at ``{base_url}voila/labextensions/...``, and it reads a config file
named ``voila.py`` from Jupyter's config path. ganviz installs one
(``etc/jupyter/voila.py``) that calls :func:`configure_voila`: plotly's
``package_data`` folder joins that path, and each page's config
(``jupyter-config-data``) names the bundle's URL there and its digest
(:data:`VOILA_PAGE_CONFIG_KEY`). The page imports the bundle from that URL
only when the digest is its kernel's; otherwise it asks its kernel. Unlike the
extension's route, Voilà revalidates the file on every opening (an
``Last-Modified``; an unchanged file is a 304) and sends it uncompressed (5.0 MB
the first time, then the browser's copy).
"""

from __future__ import annotations

import asyncio
import functools
import gzip
from functools import cache

import tornado.web

from .plots._plotly_internals import widget_bundle_digest, widget_bundle_path

try:  # jupyter_server >= 2.13 warns about handlers that say nothing about authentication
    from jupyter_server.auth.decorator import allow_unauthenticated
except ImportError:  # an older server (no such check) or a kernel without one

    def allow_unauthenticated(method):
        return method


__all__ = [
    "BundleHandler",
    "bundle_route",
    "configure_voila",
    "encoded_bundle",
    "voila_page_config",
]

#: The bundle's path below the server's base URL; the page builds the same URL.
ROUTE = "ganviz/static/plotly-widget-{digest}.js"
#: JavaScript, as a module script must be labelled (browsers refuse other types)
CONTENT_TYPE = "text/javascript; charset=utf-8"
#: A year, never revalidated: the URL names the content.
CACHE_CONTROL = "public, max-age=31536000, immutable"


def bundle_route(digest: str | None = None) -> str:
    """The bundle's path below the base URL (this plotly's bundle unless ``digest`` is given)."""
    return ROUTE.format(digest=digest or widget_bundle_digest())


@cache
def encoded_bundle(encoding: str = "identity") -> bytes:
    """plotly's widget bundle as sent: ``"identity"`` (the file's bytes) or ``"gzip"``.

    Each encoding is read (and compressed, ~0.2 s) once per process and kept.
    """
    if encoding not in ("identity", "gzip"):
        raise ValueError(f"encoding must be 'identity' or 'gzip', not {encoding!r}")
    raw = widget_bundle_path().read_bytes()
    # mtime=0: the same bytes every time, so a proxy's copy never differs from a fresh one
    return raw if encoding == "identity" else gzip.compress(raw, compresslevel=6, mtime=0)


class BundleHandler(tornado.web.RequestHandler):
    """``GET``/``HEAD`` of the bundle at :data:`ROUTE`; a digest that is not this plotly's
    bundle is a 404 (the page then loads the bundle through its kernel)."""

    @allow_unauthenticated
    async def get(self, digest: str) -> None:
        await self._answer(digest, body=True)

    @allow_unauthenticated
    async def head(self, digest: str) -> None:
        await self._answer(digest, body=False)

    async def _answer(self, digest: str, *, body: bool) -> None:
        if digest != widget_bundle_digest():
            raise tornado.web.HTTPError(404)
        accepted = self.request.headers.get("Accept-Encoding", "")
        encoding = "gzip" if "gzip" in accepted else "identity"
        # compressing takes ~0.2 s once: not on the server's event loop
        content = await asyncio.get_running_loop().run_in_executor(None, encoded_bundle, encoding)
        self.set_header("Content-Type", CONTENT_TYPE)
        self.set_header("Cache-Control", CACHE_CONTROL)
        self.set_header("Vary", "Accept-Encoding")
        if encoding == "gzip":
            self.set_header("Content-Encoding", "gzip")
        self.set_header("Content-Length", len(content))
        if body:
            self.write(content)


#: The key of ``jupyter-config-data`` that tells a standalone Voilà page where the bundle is.
VOILA_PAGE_CONFIG_KEY = "ganvizPlotlyBundle"
#: The tornado setting in which the extension leaves its route (read by the Voilà hook).
SETTINGS_KEY = "ganviz_bundle_route"


def voila_bundle_path() -> str:
    """The bundle's path below a standalone Voilà's base URL (once :func:`configure_voila`
    put plotly's ``package_data`` on Voilà's labextensions path), with the digest as a query
    so a browser's copy of another plotly's bundle is not taken for it."""
    return f"voila/labextensions/{widget_bundle_path().name}?v={widget_bundle_digest()}"


def voila_page_config(page_config: dict, *args, previous=None, **kwargs) -> dict:
    """A Voilà ``page_config_hook``: add where the bundle is served and which one it is,
    ``{"path": "voila/labextensions/widgetbundle.js?v=<digest>", "digest": "<digest>"}``
    (the extension's route instead where the page comes from a Jupyter server running it).

    ``previous`` is a hook that was configured before (it runs first).
    """
    if previous is not None:
        page_config = previous(page_config, *args, **kwargs)
    page_config = dict(page_config)
    # Voilà's /voila/render on a Jupyter server that runs ganviz's extension (JupyterLab,
    # Binder) also reads voila.py: there the extension's cacheable, compressed route is better.
    settings = kwargs.get("settings") or {}
    path = settings.get(SETTINGS_KEY) or voila_bundle_path()
    page_config[VOILA_PAGE_CONFIG_KEY] = {"path": path, "digest": widget_bundle_digest()}
    return page_config


def configure_voila(c) -> None:
    """Let standalone Voilà serve plotly's widget bundle as a static file (see the module's
    docstring). ``c`` is the config object of a ``voila.py`` config file.

    Adds plotly's ``package_data`` folder to ``VoilaConfiguration.extra_labextensions_path``
    (keeping any folders already there) and :func:`voila_page_config` as the
    ``page_config_hook`` (calling a hook already configured first). Without plotly it
    changes nothing: pages then ask their kernel.
    """
    try:
        folder = str(widget_bundle_path().parent)
    except FileNotFoundError:
        return
    voila = c.VoilaConfiguration
    paths = list(voila.extra_labextensions_path) if "extra_labextensions_path" in voila else []
    voila.extra_labextensions_path = [*paths, folder] if folder not in paths else paths
    previous = voila.page_config_hook if "page_config_hook" in voila else None
    if getattr(previous, "func", None) is voila_page_config:
        return  # configured already
    voila.page_config_hook = functools.partial(voila_page_config, previous=previous)


def handlers(base_url: str = "/") -> list[tuple[str, type]]:
    """The extension's routes below ``base_url`` (tornado rules)."""
    pattern = ROUTE.format(digest="(?P<digest>[0-9a-f]+)").replace(".js", r"\.js")
    return [(base_url.rstrip("/") + "/" + pattern, BundleHandler)]


def _load_jupyter_server_extension(serverapp) -> None:
    """Add the bundle's route to a running Jupyter server (JupyterLab, Notebook 7, Voilà's
    ``/voila/render`` on it, Binder)."""
    web_app = serverapp.web_app
    web_app.add_handlers(".*$", handlers(web_app.settings.get("base_url", "/")))
    web_app.settings[SETTINGS_KEY] = bundle_route()
    serverapp.log.info("ganviz: plotly's widget bundle at %s", bundle_route())
