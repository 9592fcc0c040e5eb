"""Screenshot one lesson notebook in JupyterLab in Chromium, scrolled to its explorer.

    python docs/lesson_screenshot.py                                   # notebook 08
    python docs/lesson_screenshot.py 04_mode_collapse --size 1280x800

Starts a private JupyterLab (no token, its own settings and a copy of ``notebooks/``,
as the browser tests do, with ``GANVIZ_FAST=1``), opens the notebook, runs all cells
from the Run menu (file browser closed), scrolls the first explorer to the top of
the notebook and saves the window as ``docs/img/<notebook>.png`` (256-colour palette,
like ``benchmarks/screenshots.py``). Needs Debian's ``/usr/bin/chromium`` and
playwright (the test extra).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from browserkit import (  # noqa: E402  (the browser tests' helpers)
    CHROMIUM,
    CHROMIUM_ARGS,
    ServerProcess,
    error_outputs,
    wait_for,
    wait_for_plots,
)

OUT = REPO / "docs" / "img"
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
_ALL_RAN_JS = """() => { const p = Array.from(document.querySelectorAll(
    '.jp-CodeCell .jp-InputPrompt')).map((e) => e.textContent.trim());
    return p.length > 0 && p.every((t) => /\\[\\d+\\]/.test(t)); }"""
_SCROLL_TO_EXPLORER_JS = """() => {
  const out = document.querySelector('.jp-OutputArea-output .widget-vbox');
  if (!out) return false;
  out.scrollIntoView({block: 'start'});
  return true;
}"""


def _server(home: Path) -> ServerProcess:
    root = home / "root"
    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".*"))
    settings = home / "lab-settings"
    for relative, values in SETTINGS.items():
        target = settings / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    env = dict(os.environ)
    env.update(
        {
            "GANVIZ_FAST": "1",
            "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(
                os.pathsep
            ),
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "IPYTHONDIR": str(home / "ipython"),
        }
    )
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root"]
    command += ["--port={port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.token="]
    command += ["--ServerApp.password=", f"--ServerApp.root_dir={root}"]
    return ServerProcess("JupyterLab", command, cwd=root, env=env, log=home / "lab.log")


def shoot(stem: str, width: int, height: int, out: Path) -> Path:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = _server(Path(tmp))
        server.start("/api/status")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{server.url}/lab/workspaces/shot/tree/notebooks/{stem}.ipynb?reset")
                page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
                page.wait_for_function(
                    """() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
                       .some((e) => /\\| Idle/.test(e.textContent))""",
                    timeout=90_000,
                )
                page.keyboard.press("Escape")
                page.keyboard.press("Control+b")  # hide the file browser before drawing
                page.wait_for_timeout(800)
                page.get_by_role("menuitem", name="Run", exact=True).click()
                page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
                wait_for(page, _ALL_RAN_JS, timeout_s=180, what="end of Run All")
                wait_for_plots(page, timeout_s=60)
                if error_outputs(page):
                    raise RuntimeError(f"the notebook shows errors: {error_outputs(page)}")
                page.evaluate(_SCROLL_TO_EXPLORER_JS)
                page.wait_for_timeout(2500)  # plotly relayouts after the resize
                png = Path(tmp) / "shot.png"
                page.screenshot(path=str(png))
                browser.close()
        finally:
            server.stop()
        image = Image.open(png).convert("RGB")
        palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        out.parent.mkdir(parents=True, exist_ok=True)
        palette.save(out, optimize=True)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", default="08_losses_and_divergences")
    parser.add_argument("--size", default="1280x800", help="browser window, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    started = time.monotonic()
    path = shoot(args.notebook, width, height, OUT / f"{args.notebook}.png")
    took = time.monotonic() - started
    print(f"{path}: {width}×{height}, {path.stat().st_size / 1024:.0f} KB, {took:.0f} s")


if __name__ == "__main__":
    main()
