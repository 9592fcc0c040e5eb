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
"""

from __future__ import annotations

import asyncio
import gzip
from functools import cache

import tornado.web

from .plots._plotly_internals import widget_bundle_digest, widget_bundle_path

try:  # jupyter_server >= 2.13 warns about handlers that say nothing about authentication
    from jupyter_server.auth.decorator import allow_unauthenticated
except ImportError:  # an older server (no such check) or a kernel without one

    def allow_unauthenticated(method):
        return method


__all__ = ["BundleHandler", "bundle_route", "encoded_bundle"]

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


def handlers(base_url: str = "/") -> list[tuple[str, type]]:
    """The extension's routes below ``base_url`` (tornado rules)."""
    pattern = ROUTE.format(digest="(?P<digest>[0-9a-f]+)").replace(".js", r"\.js")
    return [(base_url.rstrip("/") + "/" + pattern, BundleHandler)]


def _load_jupyter_server_extension(serverapp) -> None:
    """Add the bundle's route to a running Jupyter server (JupyterLab, Notebook 7, Voilà's
    ``/voila/render`` on it, Binder)."""
    web_app = serverapp.web_app
    web_app.add_handlers(".*$", handlers(web_app.settings.get("base_url", "/")))
    serverapp.log.info("ganviz: plotly's widget bundle at %s", bundle_route())
