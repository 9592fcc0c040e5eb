"""What the real-browser tests share: servers run as subprocesses, and page helpers.

Kept out of ``conftest.py`` so the helpers can be imported by name and read in
one place. Nothing here is specific to one explorer: the notebooks to test are
listed in :data:`NOTEBOOK_CASES`, and a case names (at most) the slider to move.

The page helpers read what a learner sees: Plotly keeps the traces it drew
in ``gd.data`` on each ``.js-plotly-plot`` element, so a fingerprint of those
arrays taken before and after a key press tells whether the plot in the page
really changed (not just the Python model behind it).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # the fixtures skip every browser test without playwright
    PlaywrightError = Exception

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts" / "browser"

#: Debian's Chromium; CI installs it with apt-get. Override with GANVIZ_CHROMIUM.
CHROMIUM = Path(os.environ.get("GANVIZ_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The console message of a page with more live WebGL plots than Chromium allows: the
#: oldest plot loses its context and goes blank. Any such message fails a test.
LOST_WEBGL_CONTEXT = "Too many active WebGL contexts"
#: A classroom laptop or projector; JupyterLab keeps its file browser open beside the notebook.
VIEWPORT = {"width": 1280, "height": 800}
#: A common desktop screen, the second size every notebook is checked at.
WIDER_VIEWPORT = {"width": 1440, "height": 900}


@dataclass(frozen=True)
class NotebookCase:
    """One explorer notebook to open in a real browser.

    ``slider`` is a regular expression matched against a slider's description
    (its label); ``None`` moves the first slider on the page. A training
    dashboard is driven by a button instead: ``button`` matches the button's
    text (say ``"^step$"``) and the test clicks it. ``latency`` lists the
    slider-to-repaint measurements made on this notebook (each a
    :class:`LatencyRun`, after the series of moves). ``voila=False`` leaves the
    notebook out of the Voilà tests (the training notebooks: they import torch
    and train, which the JupyterLab test already covers, and the suite must
    stay within a few minutes on two cores).
    """

    name: str
    slider: str | None = None
    button: str | None = None
    latency: tuple = ()
    run_timeout_s: float = 150.0
    voila: bool = True
    folder: str = "notebooks"
    #: Moves made after the first one, each a :class:`Move`: family switches that swap
    #: controls, 1-D/2-D figure swaps, fits, checkboxes; the page must match the kernel after.
    series: tuple = ()
    #: MB the page may receive over its websockets (open, Run All, the moves, a latency run);
    #: plotly.js itself comes over HTTP. The classroom target is 8 MB.
    websocket_mb: float = 8.0

    @property
    def stem(self) -> str:
        return Path(self.name).stem

    @property
    def path(self) -> str:
        """Path below the server's root folder (as in the Binder URLs)."""
        return f"{self.folder}/{self.name}"


@dataclass(frozen=True)
class LatencyRun:
    """One slider-to-repaint measurement: ``view`` names what is on screen (say "2-D"),
    ``slider`` matches the slider's label and ``before`` are the :class:`Move` s that bring
    that view up first."""

    view: str
    slider: str
    before: tuple = ()


@dataclass(frozen=True)
class Move:
    """One control a learner uses: ``kind`` is "select" (a dropdown, by its label and the
    option's text), "click" (a button or toggle button, by its text) or "check" (a
    checkbox, by its label); ``nth`` picks among controls with the same label."""

    kind: str
    label: str
    option: str = ""
    nth: int = 0

    def __str__(self) -> str:
        return f"{self.kind} {self.label!r}" + (f" → {self.option!r}" if self.option else "")


#: Every explorer notebook the browser tests open. A new notebook is covered by
#: adding one line here; :func:`test_every_explorer_notebook_is_listed` fails
#: when a notebook in ``notebooks/`` builds an explorer and is missing here.
NOTEBOOK_CASES = [
    NotebookCase(
        "01_optimal_discriminator.ipynb",
        slider=r"^shift of P_g$",
        latency=(LatencyRun("1-D", r"^shift of P_g$"), LatencyRun("2-D", r"^shift x$")),
        series=(
            Move("select", "^family$", "Mixture of two Gaussians", nth=1),
            Move("check", "show the WGAN critic"),
            Move("select", "^family$", "Uniform", nth=0),
        ),
    ),
    NotebookCase(
        "02_value_and_js.ipynb",
        slider=r"^shift t of P_g$",
        series=(Move("select", "^family$", "Uniform", nth=0),),
    ),
    NotebookCase(
        "03_vanishing_gradients.ipynb",
        slider=r"^separation Δ$",
        series=(
            Move("select", "^family$", "Uniform (disjoint supports)"),
            Move("click", "2-D field"),
        ),
        latency=(
            LatencyRun("2-D field", r"^separation Δ$", (Move("select", "^family$", "Gaussian"),)),
            LatencyRun("1-D arrows", r"^separation Δ$", (Move("click", "1-D arrows"),)),
        ),
    ),
    NotebookCase(
        "04_mode_collapse.ipynb",
        slider=r"^P_g covers$",
        series=(Move("click", "reverse KL"), Move("click", "line (1-D)")),
    ),
    NotebookCase(
        "05_train_toy_gan.ipynb",
        button=r"^step$",
        run_timeout_s=300.0,
        voila=False,
        # 7.2 MB measured (10.1 MB before 2-D arrays went as binary float32 rows): its twenty
        # plots and the edits of the check cell's dashboards, which train unseen on timed
        # redraws, so the count varies with the machine's speed; the 8 MB target is 01's
        websocket_mb=9.0,
    ),
    NotebookCase("06_train_image_gan.ipynb", button=r"^step$", run_timeout_s=300.0, voila=False),
    NotebookCase(
        "07_training_dynamics.ipynb",
        slider=r"^step size h$",
        series=(Move("select", "^objective$", "WGAN-GP"), Move("click", "alternating")),
    ),
    NotebookCase(
        "08_losses_and_divergences.ipynb",
        slider=r"^separation$",
        series=(Move("click", "3 modes"), Move("select", "^landscape$", "reverse KL")),
    ),
]


#: The harness's own check: a bare plotly FigureWidget wired to an ipywidgets
#: slider, no ganviz involved. When it fails the browser stack (JupyterLab,
#: widget manager, plotly's anywidget front end, Chromium) is broken, not an explorer.
CANARY = NotebookCase("figurewidget_slider.ipynb", slider=r"^mean$", folder="harness")

_CANARY_SOURCE = """\
import numpy as np
import ipywidgets as widgets
import plotly.graph_objects as go

x = np.linspace(-5, 5, 201)
figure = go.FigureWidget(go.Scatter(x=x, y=np.exp(-x**2 / 2), name="density"))
mean = widgets.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.1, description="mean")


def redraw(change):
    with figure.batch_update():
        figure.data[0].y = np.exp(-((x - change["new"]) ** 2) / 2)


mean.observe(redraw, names="value")
widgets.VBox([mean, figure])
"""


def write_canary_notebook(path: Path) -> None:
    """Write the canary notebook (one markdown cell, one code cell, no outputs)."""
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Browser harness canary"},
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": _CANARY_SOURCE,
            },
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1))


def present_cases() -> list[NotebookCase]:
    """The cases whose notebook exists in ``notebooks/`` (others are still being written)."""
    return [case for case in NOTEBOOK_CASES if (NOTEBOOKS / case.name).exists()]


# -- servers -----------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it, so xdist workers differ)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port: int, path: str, *, method: str = "GET", timeout: float = 5.0):
    """(status, body) of a plain request to the loopback server; never follows redirects."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class ServerProcess:
    """A Jupyter server (JupyterLab or Voilà) running as our own subprocess.

    ``command`` gets ``{port}`` substituted. The process gets its own session
    so a hung server (and the kernels it started) can be stopped as a group.
    """

    def __init__(self, name: str, command: list[str], *, cwd: Path, env: dict, log: Path):
        self.name = name
        self.command = command
        self.cwd = cwd
        self.env = env
        self.log_path = log
        self.port: int | None = None
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str, *, timeout: float = 90.0, attempts: int = 3) -> None:
        """Start on a free port and wait until ``ready_path`` answers; retry on a port clash."""
        last_error = ""
        for attempt in range(attempts):
            self.port = free_port()
            argv = [part.format(port=self.port) for part in self.command]
            log = self.log_path.open("ab" if attempt else "wb")
            self.process = subprocess.Popen(
                argv,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    last_error = f"exited with {self.process.returncode}"
                    break
                with contextlib.suppress(OSError, http.client.HTTPException):
                    status, _ = http_get(self.port, ready_path, timeout=2)
                    if status < 500:
                        return
                time.sleep(0.25)
            else:
                last_error = f"no answer on {ready_path} within {timeout:.0f} s"
            self.stop()
        tail = self.log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{self.name} did not start ({last_error}); log tail:\n{tail}")

    def children_pids(self) -> list[int]:
        """Pids of processes started by the server (its kernels), read from /proc."""
        if self.process is None:
            return []
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            with contextlib.suppress(OSError):
                fields = dict(
                    line.split(":\t", 1)
                    for line in status.read_text().splitlines()
                    if ":\t" in line
                )
                if int(fields.get("PPid", "0").strip()) == self.process.pid:
                    pids.append(int(status.parent.name))
        return pids

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (the server shuts its kernels down), then SIGKILL what is left.

        Kernels run in sessions of their own, so the ones this server started
        are looked up first and ended by pid if they outlive the server.
        """
        process = self.process
        if process is None:
            return
        kernels = {pid: _cmdline(pid) for pid in self.children_pids()}
        self.process = None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for pid, cmdline in kernels.items():
            if cmdline and _cmdline(pid) == cmdline:  # still the same process, not a reused pid
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def process_memory_mib(pid: int) -> dict[str, float]:
    """Resident (VmRSS) and peak resident (VmHWM) memory of one process, MiB (Linux)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def kernel_pid(server: ServerProcess, kernel_id: str) -> int | None:
    """The pid of the kernel whose connection file names ``kernel_id``."""
    for pid in server.children_pids():
        if kernel_id in _cmdline(pid):
            return pid
    return None


def jupyter_api(server: ServerProcess, path: str, method: str = "GET"):
    status, body = http_get(server.port, path, method=method, timeout=10)
    if status >= 400:
        raise RuntimeError(f"{method} {path} answered {status}: {body[:200]!r}")
    return json.loads(body) if body else None


def shutdown_kernels(server: ServerProcess) -> None:
    """Delete every session and kernel so the next test starts from a clean server."""
    for session in jupyter_api(server, "/api/sessions"):
        jupyter_api(server, f"/api/sessions/{session['id']}", method="DELETE")
    for kernel in jupyter_api(server, "/api/kernels"):
        jupyter_api(server, f"/api/kernels/{kernel['id']}", method="DELETE")


#: Where plotly's widget bundle is a static file: ganviz's Jupyter server extension (any
#: digest) or standalone Voilà's labextensions path (ganviz's etc/jupyter/voila.py).
STATIC_BUNDLE = re.compile(
    r"/(ganviz/static/plotly-widget-[0-9a-f]+|voila/labextensions/widgetbundle)\.js$"
)
#: The kernel's message that carries plotly.js (ganviz.widgets._figure: {"bundle": digest, ...})
BUNDLE_MESSAGE = re.compile(rb'"bundle":\s*"[0-9a-f]+"')


#: Runs before the page's own scripts: every websocket records its messages' arrival times.
_WS_ARRIVALS_JS = """
(() => {
  const Native = window.WebSocket;
  if (!Native || Native.__ganvizRecorded) return;
  window.__ganvizWsArrivals = [];
  class Recorded extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => {
        const arrivals = window.__ganvizWsArrivals;
        arrivals.push(performance.now());
        if (arrivals.length > 4000) arrivals.splice(0, 2000);
      });
    }
  }
  Recorded.__ganvizRecorded = true;
  window.WebSocket = Recorded;
})();
"""


def watch_page(page) -> None:
    """Record what a page shows and receives on the page itself.

    * ``page.ganviz_errors``: uncaught errors and lost WebGL contexts;
    * ``page.ganviz_ws_bytes[0]``: bytes received over its websockets (kernel messages:
      widget state, plots, and plotly.js where the kernel sends it);
    * ``page.ganviz_bundle_frames``: sizes of received frames that carry plotly.js;
    * ``page.ganviz_bundle_responses``: (url, status) of each response of the static route;
    * ``window.__ganvizWsArrivals`` in the page: when each websocket message arrived, in the
      page's clock (the slider latency splits key → last message → redraw with it).
    """
    page.add_init_script(_WS_ARRIVALS_JS)
    page.ganviz_errors = []
    page.on("pageerror", lambda exc: page.ganviz_errors.append(str(exc)))

    def console(message) -> None:
        # Chromium drops the oldest WebGL context past its limit: that plot goes blank.
        if LOST_WEBGL_CONTEXT in message.text:
            page.ganviz_errors.append(message.text)

    page.on("console", console)
    page.ganviz_ws_bytes = [0]
    page.ganviz_bundle_frames = []

    def websocket(ws) -> None:
        def received(payload) -> None:
            page.ganviz_ws_bytes[0] += len(payload)
            data = payload.encode() if isinstance(payload, str) else payload
            if BUNDLE_MESSAGE.search(data[:100_000]):
                page.ganviz_bundle_frames.append(len(payload))

        ws.on("framereceived", received)

    page.on("websocket", websocket)
    page.ganviz_bundle_responses = []

    def response(answer) -> None:
        if STATIC_BUNDLE.search(answer.url.split("?")[0]):
            page.ganviz_bundle_responses.append((answer.url, answer.status))

    page.on("response", response)


def check_plotly_came_over_http(page, route: str = "/ganviz/static/") -> None:
    """plotly.js came once as a static file from ``route`` (ganviz's server extension, or
    ``/voila/labextensions/`` in standalone Voilà), never over the page's websockets."""
    assert [status for _, status in page.ganviz_bundle_responses] == [200], (
        f"plotly.js should be fetched once from the static route: {page.ganviz_bundle_responses}"
    )
    assert route in page.ganviz_bundle_responses[0][0], page.ganviz_bundle_responses
    assert page.ganviz_bundle_frames == [], (
        f"plotly.js came over the websockets too ({page.ganviz_bundle_frames} bytes)"
    )


def check_plotly_came_from_the_kernel(page) -> None:
    """Without the static route, the kernel sent plotly.js once, compressed (~1.5 MB of 5 MB)."""
    assert len(page.ganviz_bundle_frames) == 1, page.ganviz_bundle_frames
    assert 1_000_000 < page.ganviz_bundle_frames[0] < 2_500_000, page.ganviz_bundle_frames


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n")


# -- what the page shows -------------------------------------------------------------

#: A fingerprint of every trace array drawn by every Plotly plot in the page:
#: (plot index, trace index, key, length, FNV-1a hash of the JSON of the values).
#: Typed arrays (Plotly decodes base64 arrays into them) are turned into lists.
_FINGERPRINT_JS = """
() => {
  const keys = ['x', 'y', 'z', 'u', 'v', 'text', 'customdata', 'marker', 'line', 'visible'];
  const plain = (key, value) => (ArrayBuffer.isView(value) ? Array.from(value) : value);
  const fnv = (s) => { let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
    return (h >>> 0).toString(16); };
  const out = [];
  document.querySelectorAll('.js-plotly-plot').forEach((gd, p) => {
    (gd.data || []).forEach((trace, t) => {
      keys.forEach((key) => {
        if (trace[key] === undefined) return;
        const s = JSON.stringify(trace[key], plain) || '';
        out.push([p, t, key, s.length, fnv(s)].join(':'));
      });
    });
  });
  return out;
}
"""

#: Error outputs JupyterLab and Voilà render: stderr streams and tracebacks
#: (both carry the stderr mime type), Voilà's "There was an error" notice,
#: widgets that failed to render, and an explorer's own alert line.
_ERRORS_JS = """
() => {
  const texts = [];
  const add = (el, kind) => texts.push(kind + ': ' + (el.innerText || '').trim().slice(0, 800));
  document.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
  ).forEach((el) => add(el, 'stderr/traceback'));
  document.querySelectorAll('.jp-RenderedText, .jp-OutputArea-output').forEach((el) => {
    if (/There was an error when executing cell|Traceback \\(most recent call last\\)/.test(
      el.innerText || '')) add(el, 'error');
  });
  document.querySelectorAll('.jupyter-widgets .widget-error, .jupyter-widgets-view-error')
    .forEach((el) => add(el, 'widget failed to render'));
  document.querySelectorAll('.jupyter-widgets [role=alert]').forEach((el) => {
    if ((el.innerText || '').trim()) add(el, 'explorer message');
  });
  return Array.from(new Set(texts));
}
"""


#: anywidget (0.11) gives each model 2 s to initialise. A plain plotly FigureWidget
#: imports its own ~5 MB front end inside that window, and on a busy machine misses
#: it: the plot is drawn once and never follows a slider. ganviz's FigureWidget
#: (ganviz/widgets/_figure.py) imports plotly once per page outside the window, so
#: this error is a failure here, with the explanation attached.
ANYWIDGET_TIMEOUT = "[anywidget] Failed to initialize model."
ANYWIDGET_TIMEOUT_HINT = (
    "anywidget gave up on a figure model (2 s limit); ganviz's FigureWidget should never "
    "hit it: is a plain plotly FigureWidget in use? (docs/classroom.md)"
)

#: Page errors that change nothing a learner sees. jupyterlab-plotly's renderer for a
#: static figure draws it, then tries to store a PNG copy in the output with
#: ``setData``, which Voilà's read-only outputs lack.
HARMLESS_PAGE_ERRORS = (re.compile(r"\bsetData is not a function"),)


def page_errors(page) -> list[str]:
    """Uncaught JavaScript errors of the page, less the harmless ones."""
    return [
        error
        for error in page.ganviz_errors
        if not any(pattern.search(error) for pattern in HARMLESS_PAGE_ERRORS)
    ]


def page_error_report(page) -> str:
    """The page's errors, with the anywidget hint when it applies."""
    errors = page_errors(page)
    text = "; ".join(errors)
    if any(ANYWIDGET_TIMEOUT in e for e in errors):
        text += f"  [{ANYWIDGET_TIMEOUT_HINT}]"
    return text


def check_page_errors(page) -> None:
    """Fail on JavaScript errors (less the harmless ones), explaining the known ones."""
    if not page_errors(page):
        return
    raise AssertionError(f"JavaScript errors in the page: {page_error_report(page)}")


#: What does not fit at this screen size: labels cut with "…" (their text is wider than
#: their box), plots or controls reaching past the right edge of the notebook's panel, and
#: titles, subplot titles or legend entries that plotly's toolbar covers when hovered.
_CLIPPED_JS = """
() => {
  const problems = [];
  const panel = document.querySelector('.jp-NotebookPanel-notebook, .jp-Notebook, body');
  const right = panel.getBoundingClientRect().right + 1;
  const seen = (el) => el.offsetWidth > 0 && el.offsetHeight > 0;
  document.querySelectorAll('.jupyter-widgets .widget-label, .jupyter-widgets .widget-label-basic,'
      + ' .jupyter-widgets label, .jupyter-widgets .widget-readout').forEach((el) => {
    if (seen(el) && el.scrollWidth > el.clientWidth + 1 && (el.textContent || '').trim())
      problems.push('label cut: ' + el.textContent.trim().slice(0, 60));
  });
  document.querySelectorAll('.js-plotly-plot, .jupyter-widgets.widget-inline-hbox,'
      + ' .jupyter-widgets.widget-button').forEach((el) => {
    const isPlot = el.classList.contains('js-plotly-plot');
    // a plot's drawing (its SVG) may be wider than its element, cut by the element's overflow
    const box = ((isPlot && el.querySelector('.main-svg')) || el).getBoundingClientRect();
    if (!seen(el) || box.right <= right) return;
    const title = isPlot && el.querySelector('.gtitle');
    const what = isPlot ? 'plot ' + ((title && title.textContent) || '').slice(0, 50)
      : (el.textContent || '').trim().slice(0, 40);
    problems.push('past the notebook edge by ' + Math.round(box.right - right) + ' px: ' + what);
  });
  // a control wider than the panel that holds it is cut by the panel (no "…" to see)
  document.querySelectorAll('.jupyter-widgets.widget-inline-hbox').forEach((el) => {
    if (!seen(el)) return;
    const box = el.getBoundingClientRect();
    for (let up = el.parentElement; up && !up.classList.contains('jp-OutputArea-output');
         up = up.parentElement) {
      if (getComputedStyle(up).overflowX === 'visible') continue;
      if (box.right > up.getBoundingClientRect().right + 1) {
        const label = el.querySelector('.widget-label');
        problems.push('control cut by its panel: '
          + ((label && label.textContent) || el.textContent || '').trim().slice(0, 40));
      }
      break;
    }
  });
  // plotly's toolbar shows on hover at the plot's top right: no title or legend text under it
  document.querySelectorAll('.js-plotly-plot').forEach((gd) => {
    const bar = gd.querySelector('.modebar');
    const b = bar && bar.getBoundingClientRect();
    if (!b || !b.width || !seen(gd)) return;
    gd.querySelectorAll('.gtitle, .annotation-text, .legendtext').forEach((t) => {
      const r = t.getBoundingClientRect();
      if (r.width && r.left < b.right && r.right > b.left && r.top < b.bottom && r.bottom > b.top)
        problems.push('toolbar covers: ' + (t.textContent || '').trim().slice(0, 50));
    });
  });
  return problems;
}
"""


def clipped(page) -> list[str]:
    """Labels cut with "…" and elements past the notebook's right edge (none expected)."""
    return page.evaluate(_CLIPPED_JS)


def plot_fingerprint(page) -> list[str]:
    return page.evaluate(_FINGERPRINT_JS)


def error_outputs(page) -> list[str]:
    return page.evaluate(_ERRORS_JS)


_PLOTS_DRAWN_JS = """() => { const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  return plots.length > 0 && plots.every((gd) => gd.querySelector('.main-svg') && gd.data); }"""


def wait_for(page, predicate_js: str, *, timeout_s: float, what: str) -> None:
    """Poll ``predicate_js`` in the page; fail at once, with the text, when an error is shown.

    On timeout the message says what the page shows instead: error outputs,
    JavaScript errors and widgets stuck at "Loading widget..." (Voilà leaves
    them so when a cell fails).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        if page.evaluate(predicate_js):
            return
        errors = error_outputs(page)
        if errors:
            raise AssertionError(f"errors shown while waiting for {what}: {errors}")
        if time.monotonic() > deadline:
            loading = page.get_by_text("Loading widget...").count()
            raise AssertionError(
                f"no {what} within {timeout_s:.0f} s; widgets still loading: {loading}; "
                f"page errors: {page_error_report(page) or 'none'}"
            )
        page.wait_for_timeout(250)


def wait_for_plots(page, *, timeout_s: float) -> int:
    """Wait until at least one Plotly plot is drawn and every plot in the page has its SVG.

    Returns the number of plots. Plotly marks a drawn plot with ``.main-svg``.
    """
    wait_for(page, _PLOTS_DRAWN_JS, timeout_s=timeout_s, what="drawn Plotly plot")
    return page.locator(".js-plotly-plot").count()


def settled_fingerprint(page, *, quiet_s: float = 1.0, timeout_s: float = 30.0) -> list[str]:
    """The plot fingerprint once it has stopped changing for ``quiet_s``.

    Updates made by the last cells (or a widget's first sync) can still be
    arriving when the prompts say done; a "before" taken too early would
    credit those to the slider.
    """
    deadline = time.monotonic() + timeout_s
    current, since = plot_fingerprint(page), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(150)
        now = plot_fingerprint(page)
        if now != current:
            current, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return current
    raise AssertionError(f"the plots kept changing for {timeout_s:.0f} s without any input")


def find_slider(page, description: str | None, *, timeout_s: float = 60.0):
    """The keyboard handle of a slider: the first one, or the one whose label matches.

    Waits up to ``timeout_s`` for widgets still being rendered (Voilà draws a
    static figure of a later cell before an earlier explorer's widgets).
    """
    sliders = page.locator(".widget-slider")
    if description is None:
        handle = sliders.locator("[role=slider]").first
    else:
        pattern = re.compile(description)
        deadline = time.monotonic() + timeout_s
        while True:
            labels = sliders.locator(".widget-label").all_inner_texts()
            matches = [i for i, text in enumerate(labels) if pattern.search(text.strip())]
            if matches:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"no slider labelled /{description}/ among {labels}")
            page.wait_for_timeout(250)
        handle = sliders.nth(matches[0]).locator("[role=slider]").first
    handle.wait_for(state="visible", timeout=timeout_s * 1000)
    return handle


def wait_until_changed(page, before: list[str], *, what: str, timeout_s: float = 45.0):
    """Wait until the plot fingerprint differs from ``before``; returns the new one."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        after = plot_fingerprint(page)
        if after != before:
            return after
        page.wait_for_timeout(100)
    errors = page_error_report(page)
    raise AssertionError(
        f"the plot data in the page did not change within {timeout_s:.0f} s after {what}"
        + (f"; page errors: {errors}" if errors else "")
    )


def press_until_changed(
    page,
    handle,
    before: list[str],
    *,
    key: str | None = None,
    presses: int = 3,
    timeout_s: float = 45.0,
) -> list[str]:
    """Focus the slider, press an arrow key as a person would, wait for the plot data to change.

    ``key`` defaults to → (← when the slider already sits at its maximum).
    Returns the new fingerprint; raises AssertionError naming the slider value if
    the drawn data is unchanged after ``timeout_s``.
    """
    if key is None:
        now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
        at_max = now is not None and top is not None and float(now) >= float(top)
        key = "ArrowLeft" if at_max else "ArrowRight"
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(presses):
        handle.press(key)
    what = f"{presses}×{key} (slider now at {handle.get_attribute('aria-valuenow')})"
    return wait_until_changed(page, before, what=what, timeout_s=timeout_s)


def find_button(page, text: str, *, timeout_s: float = 60.0):
    """The first visible widget button whose text matches ``text`` (a regular expression).

    Waits up to ``timeout_s`` for widgets still being rendered.
    """
    pattern = re.compile(text)
    buttons = page.locator("button.jupyter-button:visible, .widget-button:visible")
    deadline = time.monotonic() + timeout_s
    while True:
        labels = [label.strip() for label in buttons.all_inner_texts()]
        matches = [i for i, label in enumerate(labels) if pattern.search(label)]
        if matches:
            return buttons.nth(matches[0])
        if time.monotonic() > deadline:
            raise AssertionError(f"no button /{text}/ among {labels}")
        page.wait_for_timeout(250)


def wait_for_control(page, case: NotebookCase) -> None:
    """Wait until the widget the case drives is on the page (widgets render after plots)."""
    try:
        if case.button is not None:
            find_button(page, case.button)
        else:
            find_slider(page, case.slider)
    except (AssertionError, PlaywrightError) as exc:
        loading = page.get_by_text("Loading widget...").count()
        raise AssertionError(
            f"{exc}; widgets still loading: {loading}; error outputs: {error_outputs(page)}; "
            f"page errors: {page_error_report(page) or 'none'}"
        ) from exc


@dataclass
class Interaction:
    """What the test did to the page and what the learner saw of it."""

    control: str
    values: tuple[str, str]
    seconds: float


def interact(page, case: NotebookCase, before: list[str]) -> Interaction:
    """Drive the case's control as a person would and wait for the drawn data to change.

    A slider is moved with the keyboard and its readout must change too; a
    button is clicked.
    """
    started = time.monotonic()
    if case.button is not None:
        button = find_button(page, case.button)
        label = button.inner_text().strip()
        button.scroll_into_view_if_needed()
        button.click()
        wait_until_changed(page, before, what=f"clicking {label!r}")
        return Interaction(f"button {label!r}", ("", ""), time.monotonic() - started)
    handle = find_slider(page, case.slider)
    slider = handle.locator("xpath=ancestor::*[contains(@class,'widget-slider')][1]")
    label = slider.locator(".widget-label").inner_text().strip()
    readout = slider.locator(".widget-readout")  # the number a learner reads beside the slider
    value_before = readout.inner_text().strip()
    started = time.monotonic()
    press_until_changed(page, handle, before)
    seconds = time.monotonic() - started
    value_after = readout.inner_text().strip()
    assert value_after != value_before, f"slider {label!r} did not move"
    return Interaction(f"slider {label!r}", (value_before, value_after), seconds)


_FIRST_PLOT_CLOCK_JS = """() => {
  window.__ganvizFirstPlot = null;
  window.__ganvizPlotsDrawn = [];  // [number of plots drawn, seconds] at each new plot
  const started = performance.now();
  window.__ganvizPlotClock = setInterval(() => {
    const n = [...document.querySelectorAll('.js-plotly-plot')]
      .filter((gd) => gd.querySelector('.main-svg')).length;
    const seconds = (performance.now() - started) / 1000;
    const drawn = window.__ganvizPlotsDrawn;
    if (n > 0 && window.__ganvizFirstPlot === null) window.__ganvizFirstPlot = seconds;
    if (n > (drawn.length ? drawn[drawn.length - 1][0] : 0)) drawn.push([n, seconds]);
    if (seconds > 600) clearInterval(window.__ganvizPlotClock);
  }, 25);
}"""


def plots_drawn_over_time(page) -> list[tuple[int, float]]:
    """(plots drawn, seconds after :func:`start_first_plot_clock`) at each new plot; stops
    the clock, whose polling would otherwise run on through the latency measurement."""
    drawn = page.evaluate(
        "() => { clearInterval(window.__ganvizPlotClock); return window.__ganvizPlotsDrawn; }"
    )
    return [(int(n), round(float(t), 1)) for n, t in drawn]


def start_first_plot_clock(page) -> None:
    """Start timing, in the page's clock, until the first Plotly plot is drawn."""
    page.evaluate(_FIRST_PLOT_CLOCK_JS)


def first_plot_seconds(page) -> float | None:
    """Seconds from :func:`start_first_plot_clock` to the first drawn plot (None: none yet)."""
    value = page.evaluate("() => window.__ganvizFirstPlot")
    return None if value is None else round(float(value), 2)


def perform(page, move: Move, *, timeout_s: float = 60.0) -> None:
    """Use one control as a person would (mouse and the browser's own select), then wait
    until the plots have settled (a move may change nothing drawn, e.g. a fit already shown).
    """
    if move.kind == "select":
        dropdown = (
            page.locator(".widget-dropdown")
            .filter(has=page.locator(".widget-label", has_text=re.compile(move.label)))
            .nth(move.nth)
        )
        dropdown.scroll_into_view_if_needed()
        dropdown.locator("select").select_option(label=move.option)
    elif move.kind == "click":
        button = page.get_by_role("button", name=move.label, exact=True).nth(move.nth)
        button.scroll_into_view_if_needed()
        button.click()
    elif move.kind == "check":
        box = (
            page.locator(".widget-checkbox")
            .filter(has_text=re.compile(move.label))
            .nth(move.nth)
            .locator("input[type=checkbox]")
        )
        box.scroll_into_view_if_needed()
        box.click()
    else:
        raise ValueError(f"unknown move kind {move.kind!r}")
    page.wait_for_timeout(300)
    settled_fingerprint(page, timeout_s=timeout_s)


#: Idempotent: a second measurement on the page (another view, new plots) listens to the
#: plots present now without counting the earlier ones' redraws twice.
_LATENCY_SETUP_JS = """
() => {
  window.__ganviz = { key: null, draws: [] };
  if (!window.__ganvizKeyClock) {
    window.__ganvizKeyClock = true;
    document.addEventListener('keydown', () => { window.__ganviz.key = performance.now(); }, true);
  }
  document.querySelectorAll('.js-plotly-plot').forEach((gd) => {
    if (gd.__ganvizLatency) return;
    gd.__ganvizLatency = true;
    gd.on('plotly_afterplot', () => window.__ganviz.draws.push(performance.now()));
  });
}
"""

#: Resolve once the plots have been quiet for ``quiet`` ms after the last key:
#: ``first`` = key → first repaint, ``last`` = key → last repaint (all figures done).
_LATENCY_WAIT_JS = """
([quiet, timeout]) => new Promise((resolve) => {
  const g = window.__ganviz;
  const tick = () => {
    const now = performance.now();
    const draws = g.draws.filter((t) => t >= g.key);
    if (draws.length && now - draws[draws.length - 1] >= quiet) {
      const last = draws[draws.length - 1];
      const received = (window.__ganvizWsArrivals || []).filter((t) => t >= g.key && t <= last);
      resolve({ first: draws[0] - g.key, last: last - g.key, n: draws.length,
                message: received.length ? received[received.length - 1] - g.key : null });
    } else if (now - g.key > timeout) {
      resolve(null);
    } else {
      setTimeout(tick, 5);
    }
  };
  tick();
})
"""


def measure_slider_latency(page, handle, *, moves: int = 20, quiet_ms: float = 250.0) -> dict:
    """Key press on the slider → Plotly repaint, in the page's own clock (``performance.now``).

    Each move presses one arrow key (alternating right and left, so the
    slider stays inside its range) and waits until the plots are quiet.
    Returns the per-move times and their median / p90, in milliseconds: to the first
    and to the last repaint, and to the last websocket message before it (what the kernel
    took, with the network; the rest is the page's drawing).
    """
    page.evaluate(_LATENCY_SETUP_JS)
    handle.focus()
    first, last, message, missed = [], [], [], 0
    for i in range(moves):
        handle.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        result = page.evaluate(_LATENCY_WAIT_JS, [quiet_ms, 10_000])
        if result is None:
            missed += 1
            continue
        first.append(result["first"])
        last.append(result["last"])
        if result["message"] is not None:
            message.append(result["message"])

    def summary(values: list[float]) -> dict:
        ordered = sorted(values)
        if not ordered:
            return {"median": None, "p90": None}
        mid = len(ordered) // 2
        median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
        p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
        return {"median": round(median, 1), "p90": round(p90, 1)}

    return {
        "moves": moves,
        "missed": missed,
        "first_repaint_ms": summary(first),
        "all_figures_repainted_ms": summary(last),
        # the kernel's answer: its last websocket message before the last repaint
        "last_message_ms": summary(message),
        "samples_first_ms": [round(v, 1) for v in first],
        "samples_last_ms": [round(v, 1) for v in last],
    }


def screenshot_output(page, path: Path) -> None:
    """Save the first output that holds a plot (the explorer), whole.

    JupyterLab scrolls inside its notebook panel, so an output taller than the
    window would be cut; the window is made tall enough for the moment of the
    screenshot, then restored.
    """
    output = page.locator(".jp-OutputArea-output:has(.js-plotly-plot)").first
    height = output.evaluate("(e) => e.getBoundingClientRect().height")
    size = page.viewport_size
    if height + 300 > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(int(height) + 300, 4000)})
        page.wait_for_timeout(500)  # let the plots resize to the new window
    output.scroll_into_view_if_needed()
    output.screenshot(path=str(path))
    page.set_viewport_size(size)


def code_lines(notebook: Path, min_length: int = 16) -> list[str]:
    """Distinctive source lines of the code cells (absent from the markdown)."""
    nb = json.loads(notebook.read_text())
    cells = nb.get("cells", [])
    markdown = "\n".join(
        "".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown"
    )
    lines = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        for line in "".join(cell.get("source", "")).splitlines():
            line = line.strip()
            if len(line) >= min_length and line not in markdown and not line.startswith("#"):
                lines.append(line)
    return lines
