"""Fixtures for the real-browser tests: JupyterLab, Voilà and Debian's Chromium.

* One JupyterLab server per test session (per xdist worker), no token, on a
  free loopback port, serving a temporary copy of ``notebooks/`` with its own
  settings, workspaces and runtime folders, so nothing of the user's Jupyter
  setup leaks in and workers never share state.
* Voilà is started per notebook, exactly as a teacher would:
  ``voila notebooks/<name>.ipynb``.
* Playwright drives ``/usr/bin/chromium`` (never a downloaded browser); when
  it is missing every browser test is skipped with the reason.

Numbers measured by the tests (slider latency, kernel memory, timings) are
written as JSON under ``test-artifacts/browser/`` together with screenshots,
and repeated in the terminal summary (with or without ``-s``).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from browserkit import (
    ARTIFACTS,
    CANARY,
    CHROMIUM,
    CHROMIUM_ARGS,
    NOTEBOOKS,
    REPO,
    VIEWPORT,
    ServerProcess,
    shutdown_kernels,
    watch_page,
    write_canary_notebook,
)

_SESSION_START = time.time()

#: JupyterLab settings for a test run: attach every cell to the page (the
#: default windowing leaves off-screen outputs out of the DOM) and ask for no
#: news or update checks (no network, no pop-up over the notebook).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


@pytest.fixture(scope="session")
def chromium() -> Path:
    pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set GANVIZ_CHROMIUM)"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium):
    # Module scope, not session: Playwright's sync API runs an asyncio loop in this
    # thread while it is open, and later tests (the dashboards') use asyncio.run().
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; page errors are kept in ``page.ganviz_errors``.

    On a failing test the page is saved as ``test-artifacts/browser/FAILED-<test>.png``.
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    page = context.new_page()
    watch_page(page)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"), full_page=True)
        except Exception as exc:  # the page may be gone; the test's own error is what matters
            print(f"could not save the failure screenshot: {exc}")
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def jupyter_home(tmp_path_factory) -> tuple[Path, dict]:
    """A private root folder with a copy of the notebooks, and the environment to run in it.

    The copy lives at ``<root>/notebooks/`` so URLs match the Binder badges
    (``lab/tree/notebooks/...``, ``voila/render/notebooks/...``).
    """
    home = tmp_path_factory.mktemp("jupyter-home")
    root = home / "root"
    shutil.copytree(NOTEBOOKS, root / "notebooks", ignore=shutil.ignore_patterns(".*"))
    # Voilà's settings for the lessons, read from the folder it starts in (progressive rendering)
    shutil.copy(REPO / "voila.json", root / "voila.json")
    write_canary_notebook(root / CANARY.path)
    settings = home / "lab-settings"
    for relative, values in LAB_SETTINGS.items():
        target = settings / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    env = dict(os.environ)
    env.update(
        {
            # Notebooks run as a learner runs them: the real defaults, not the short CI
            # demonstrations (GANVIZ_BROWSER_FAST=1 brings those back for a quick local run).
            "GANVIZ_FAST": os.environ.get("GANVIZ_BROWSER_FAST", ""),
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            # the config file `pip install` puts in etc/jupyter: ganviz's server extension
            # serves plotly.js as a static file (whichever ganviz checkout is installed)
            "JUPYTER_CONFIG_PATH": os.pathsep.join(
                p
                for p in (str(REPO / "jupyter-config"), os.environ.get("JUPYTER_CONFIG_PATH"))
                if p
            ),
            "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "IPYTHONDIR": str(home / "ipython"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return root, env


@pytest.fixture(scope="session")
def lab_server(chromium, jupyter_home, artifacts):
    """JupyterLab with no token or password, for the whole session (per xdist worker)."""
    root, env = jupyter_home
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    server = ServerProcess(
        "JupyterLab",
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            "--port={port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root}",
        ],
        cwd=root,
        env=env,
        log=artifacts / f"jupyterlab-{worker}.log",
    )
    server.start("/api/status")
    server.root = root
    yield server
    server.stop()


@pytest.fixture
def lab(lab_server):
    """The session's JupyterLab, with every kernel shut down after the test."""
    yield lab_server
    shutdown_kernels(lab_server)


def with_config_dir(env: dict, config_dir: Path) -> dict:
    """``env`` with ``config_dir`` first on Jupyter's config path (its files win). Not the
    server's working folder: ``python -m voila`` would import a ``voila.py`` there as Voilà."""
    paths = [str(config_dir), env.get("JUPYTER_CONFIG_PATH")]
    return {**env, "JUPYTER_CONFIG_PATH": os.pathsep.join(p for p in paths if p)}


@pytest.fixture
def voila(jupyter_home, artifacts):
    """Start ``voila notebooks/<name>.ipynb`` (one server per call); stopped after the test.

    Call it with the path below the root folder, e.g. ``"notebooks/01_....ipynb"``;
    ``config_dir`` is a folder whose config files (``voila.py``) come before all others;
    ``args`` go on the command line.
    """
    root, env = jupyter_home
    servers = []

    def start(path: str, config_dir: Path | None = None, args=()) -> ServerProcess:
        server = ServerProcess(
            "Voilà",
            [
                sys.executable,
                "-m",
                "voila",
                path,
                "--no-browser",
                "--port={port}",
                "--Voila.port_retries=0",
                "--Voila.ip=127.0.0.1",
                "--show_tracebacks=True",
                *args,
            ],
            cwd=root,
            env=env if config_dir is None else with_config_dir(env, config_dir),
            log=artifacts / f"voila-{Path(path).stem}.log",
        )
        servers.append(server)
        # Voilà renders (and starts a kernel) on "/", so readiness is asked of a static path.
        server.start("/api/status")
        return server

    yield start
    for server in servers:
        server.stop()


def pytest_terminal_summary(terminalreporter):
    """Repeat the numbers the browser tests measured in this run (they are also in JSON)."""
    lines = []
    for path in sorted(ARTIFACTS.glob("*.json")) if ARTIFACTS.exists() else []:
        if path.stat().st_mtime < _SESSION_START:
            continue
        data = json.loads(path.read_text())
        summary = data.get("summary")
        if summary:
            lines.append(f"{path.stem}: {summary}")
    if lines:
        terminalreporter.section("ganviz in a real browser (test-artifacts/browser/*.json)")
        for line in lines:
            terminalreporter.write_line(line)
