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
        ),
        # standalone Voilà reads <prefix>/etc/jupyter/voila.py (it loads no server extensions)
        "jupyter-config/voila.py": "etc/jupyter/voila.py",
    }
    assert "jupyter-config" in hatch["sdist"]["include"]


def test_the_extension_tells_voila_on_the_same_server_its_route():
    serverapp = FakeServerApp("/")
    _server._load_jupyter_server_extension(serverapp)
    assert serverapp.web_app.settings["ganviz_bundle_route"] == url().lstrip("/")


# -- standalone Voilà -------------------------------------------------------------------


def voila_config(*files: str):
    """The config Voilà builds from ``voila.py`` files (each run with ``c``, in order)."""
    from traitlets.config import Config

    config = Config()
    for text in files:
        exec(compile(text, "voila.py", "exec"), {"c": config})
    return config


def test_configure_voila_serves_plotlys_package_data_and_names_the_bundle_in_the_page():
    config = voila_config("from ganviz._server import configure_voila\nconfigure_voila(c)")
    voila = config.VoilaConfiguration
    (folder,) = voila.extra_labextensions_path
    assert (pathlib.Path(folder) / "widgetbundle.js").read_bytes() == PLOTLY_BUNDLE.read_bytes()
    hook_arguments = {
        "base_url": "/",
        "log": None,
        "voila_configuration": None,
        "notebook_path": "a",
    }
    page = voila.page_config_hook({"baseUrl": "/"}, settings={}, **hook_arguments)
    assert page == {
        "baseUrl": "/",
        "ganvizPlotlyBundle": {
            "path": f"voila/labextensions/widgetbundle.js?v={DIGEST}",
            "digest": DIGEST,
        },
    }
    # Voilà's /voila/render on a server running the extension: the extension's route
    settings = {"ganviz_bundle_route": url().lstrip("/")}
    page = voila.page_config_hook({}, settings=settings, **hook_arguments)
    assert page["ganvizPlotlyBundle"] == {"path": url().lstrip("/"), "digest": DIGEST}


def test_configure_voila_keeps_what_was_configured_and_runs_once():
    config = voila_config(
        "c.VoilaConfiguration.extra_labextensions_path = ['/srv/mine']\n"
        "c.VoilaConfiguration.page_config_hook = lambda page, **kw: {**page, 'mine': 1}",
        "from ganviz._server import configure_voila\nconfigure_voila(c)\nconfigure_voila(c)",
    )
    voila = config.VoilaConfiguration
    assert voila.extra_labextensions_path == ["/srv/mine", str(PLOTLY_BUNDLE.parent)]
    page = voila.page_config_hook({}, settings={}, base_url="/", log=None)
    assert page["mine"] == 1 and page["ganvizPlotlyBundle"]["digest"] == DIGEST


def test_the_shipped_voila_config_file_configures_voila():
    config = voila_config((ROOT / "jupyter-config/voila.py").read_text())
    assert config.VoilaConfiguration.extra_labextensions_path == [str(PLOTLY_BUNDLE.parent)]
    assert "ganvizPlotlyBundle" in config.VoilaConfiguration.page_config_hook({}, settings={})


def test_the_repository_voila_json_renders_the_lessons_progressively():
    """``voila notebooks/...`` run in the repository root shows each cell's output as it
    runs: the page loads plotly.js while the kernel still runs the later cells."""
    config = json.loads((ROOT / "voila.json").read_text())
    assert config == {"VoilaConfiguration": {"progressive_rendering": True}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def isolated_jupyter_env(tmp_path) -> dict:
    """This environment, with Jupyter's folders in ``tmp_path`` and the repository's config
    files read as Jupyter reads installed ones."""
    return {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_CONFIG_PATH": str(ROOT / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }


def first_answer(server: subprocess.Popen, address: str, log: pathlib.Path):
    """The response to ``address`` once the starting ``server`` answers (60 s at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            return urllib.request.urlopen(address, timeout=5)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise AssertionError(f"no answer from {address}:\n{log.read_text()}")


def test_standalone_voila_with_the_shipped_config_serves_the_bundle_and_names_it(tmp_path):
    """A real ``voila notebook.ipynb``, reading the shipped config file as it reads an
    installed one: the bundle is a static file, and the page's config names it."""
    notebook = tmp_path / "lesson.ipynb"
    notebook.write_text(
        json.dumps(
            {
                "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# A ganviz lesson"}],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    env = isolated_jupyter_env(tmp_path)
    port = free_port()
    log = tmp_path / "voila.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voila",
                notebook.name,
                "--no-browser",
                f"--port={port}",
                "--Voila.port_retries=0",
                "--Voila.ip=127.0.0.1",
            ],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        response = first_answer(server, f"{base}/voila/labextensions/widgetbundle.js", log)
        assert response.status == 200
        assert response.read() == PLOTLY_BUNDLE.read_bytes()
        page = urllib.request.urlopen(f"{base}/", timeout=60).read().decode()
        start = page.index('id="jupyter-config-data"')
        config = page[page.index(">", start) + 1 : page.index("</script>", start)]
        config = json.loads(config)
        assert config["ganvizPlotlyBundle"] == {
            "path": f"voila/labextensions/widgetbundle.js?v={DIGEST}",
            "digest": DIGEST,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_jupyter_server_reading_the_config_file_serves_the_bundle(tmp_path):
    """The shipped config file, read as Jupyter reads an installed one, enables the route."""
    env = isolated_jupyter_env(tmp_path)
    port = free_port()
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
        # no token: the bundle asks for no login
        response = first_answer(server, f"http://127.0.0.1:{port}{url(base_url='/class/')}", log)
        assert response.status == 200
        assert response.read() == PLOTLY_BUNDLE.read_bytes()
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert "ganviz: plotly's widget bundle at" in text
    assert "without @allow_unauthenticated" not in text
