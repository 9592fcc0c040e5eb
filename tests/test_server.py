"""ganviz's Jupyter server extension serves plotly's widget bundle as a cacheable file.

The handler runs in a real tornado server on a loopback port (no Jupyter
server needed); the reference for the content is plotly's own file, read from
plotly's package here.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import plotly
import pytest
import tornado.httpclient
import tornado.httpserver
import tornado.netutil
import tornado.web

import ganviz
from ganviz import _server

tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

ROOT = pathlib.Path(__file__).resolve().parents[1]
PLOTLY_BUNDLE = pathlib.Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"
DIGEST = hashlib.sha256(PLOTLY_BUNDLE.read_bytes()).hexdigest()[:16]


class FakeServerApp:
    """What ``_load_jupyter_server_extension`` uses of a Jupyter ``ServerApp``."""

    def __init__(self, base_url: str):
        self.web_app = tornado.web.Application(base_url=base_url)
        self.log = logging.getLogger("fake-serverapp")


def fetch(path: str, *, base_url: str = "/", method: str = "GET", headers=None):
    """Load the extension into a tornado app at ``base_url``, serve it, and request ``path``."""

    async def run():
        serverapp = FakeServerApp(base_url)
        _server._load_jupyter_server_extension(serverapp)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        port = sockets[0].getsockname()[1]
        server = tornado.httpserver.HTTPServer(serverapp.web_app)
        server.add_sockets(sockets)
        try:
            return await tornado.httpclient.AsyncHTTPClient().fetch(
                f"http://127.0.0.1:{port}{path}",
                method=method,
                headers=headers or {},
                raise_error=False,
                decompress_response=False,
            )
        finally:
            server.stop()

    return asyncio.run(run())


def url(digest: str = DIGEST, base_url: str = "/") -> str:
    return f"{base_url}ganviz/static/plotly-widget-{digest}.js"


def test_the_bundle_is_served_as_a_javascript_file_cached_for_good():
    response = fetch(url(), headers={"Accept-Encoding": "identity"})
    assert response.code == 200
    assert response.body == PLOTLY_BUNDLE.read_bytes()
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in response.headers
    assert int(response.headers["Content-Length"]) == PLOTLY_BUNDLE.stat().st_size


def test_a_browser_that_accepts_gzip_gets_the_bundle_compressed():
    response = fetch(url(), headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(response.body) == PLOTLY_BUNDLE.read_bytes()
    assert len(response.body) < PLOTLY_BUNDLE.stat().st_size / 2


def test_head_answers_the_headers_without_the_body():
    response = fetch(url(), method="HEAD", headers={"Accept-Encoding": "identity"})
    assert response.code == 200
    assert response.body == b""
    assert int(response.headers["Content-Length"]) == PLOTLY_BUNDLE.stat().st_size


@pytest.mark.parametrize(
    "path",
    [
        url("0" * 16),  # another plotly's bundle: the page falls back to its kernel
        url(DIGEST[:-1]),
        "/ganviz/static/plotly-widget-.js",
        f"/ganviz/static/plotly-widget-{DIGEST}.js.map",
        f"/ganviz/static/../plotly-widget-{DIGEST}.js",
    ],
)
def test_any_other_path_is_not_found(path):
    assert fetch(path).code == 404


def test_the_route_lies_below_the_servers_base_url():
    assert fetch(url(base_url="/user/ada/"), base_url="/user/ada/").code == 200
    assert fetch(url(), base_url="/user/ada/").code == 404


def test_the_digest_in_the_url_names_this_plotlys_bundle():
    assert _server.bundle_route() == f"ganviz/static/plotly-widget-{DIGEST}.js"


def test_encoded_bundle_rejects_an_unknown_encoding():
    with pytest.raises(ValueError, match="encoding"):
        _server.encoded_bundle("br")


def test_jupyter_finds_the_extension_in_the_ganviz_package():
    from jupyter_server.extension.manager import ExtensionPackage

    package = ExtensionPackage(name="ganviz", enabled=True)
    assert package.validate()
    assert [point.module_name for point in package.extension_points.values()] == ["ganviz._server"]
    assert ganviz._jupyter_server_extension_points() == [{"module": "ganviz._server"}]


def test_installing_ganviz_enables_the_extension():
    """pyproject installs the config file where Jupyter reads it (pip install . and -e .)."""
    config = json.loads((ROOT / "jupyter-config/jupyter_server_config.d/ganviz.json").read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"ganviz": True}}}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    hatch = project["tool"]["hatch"]["build"]["targets"]
    assert hatch["wheel"]["shared-data"] == {
        "jupyter-config/jupyter_server_config.d/ganviz.json": (
            "etc/jupyter/jupyter_server_config.d/ganviz.json"
        )
    }
    assert "jupyter-config" in hatch["sdist"]["include"]


def test_a_jupyter_server_reading_the_config_file_serves_the_bundle(tmp_path):
    """The shipped config file, read as Jupyter reads an installed one, enables the route."""
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_CONFIG_PATH": str(ROOT / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                f"--port={port}",
                "--ServerApp.port_retries=0",
                "--ServerApp.ip=127.0.0.1",
                "--ServerApp.base_url=/class/",
                "--ServerApp.token=secret",
                f"--ServerApp.root_dir={tmp_path}",
                "--no-browser",
                "--allow-root",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        response = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:  # no token: the bundle asks for no login
                response = urllib.request.urlopen(
                    f"http://127.0.0.1:{port}{url(base_url='/class/')}", timeout=5
                )
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert response is not None, log.read_text()
        assert response.status == 200
        assert response.read() == PLOTLY_BUNDLE.read_bytes()
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert "ganviz: plotly's widget bundle at" in text
    assert "without @allow_unauthenticated" not in text
