"""Each explorer notebook, opened in JupyterLab in Chromium, works as a learner uses it.

For every notebook in :data:`browserkit.NOTEBOOK_CASES` that exists the test
opens it in JupyterLab, runs all cells from the Run menu, waits for the Plotly
figures to be drawn, moves a slider with the keyboard and checks that the data
drawn in the page changed and that no error, traceback or stderr output is
shown. It saves screenshots and the kernel's memory under
``test-artifacts/browser/``. On notebooks 01 (1-D and 2-D explorers) and 03 (1-D arrows
and 2-D field) it also measures slider-to-repaint latency in the page (target ≤ 100 ms
median), key press to the last plot's ``plotly_afterplot``.

Run alone with ``pytest -m browser``.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid

import pytest
from browserkit import (
    CANARY,
    NOTEBOOK_CASES,
    NOTEBOOKS,
    STATIC_BUNDLE,
    VIEWPORT,
    WIDER_VIEWPORT,
    check_page_errors,
    check_plotly_came_from_the_kernel,
    check_plotly_came_over_http,
    clipped,
    error_outputs,
    find_slider,
    first_plot_seconds,
    interact,
    jupyter_api,
    kernel_pid,
    measure_slider_latency,
    perform,
    plots_drawn_over_time,
    present_cases,
    process_memory_mib,
    screenshot_output,
    settled_fingerprint,
    start_first_plot_clock,
    wait_for,
    wait_for_control,
    wait_for_plots,
    watch_page,
    write_json,
)
from synccheck import KernelProbe, check_page_matches_kernel

#: The classroom targets (issue "Classroom load") and the margin a loaded 2-core CI machine
#: gets before a test fails: slider → repaint median ≤ 100 ms; Run All → a theory notebook's
#: first plot ≤ 3 s; a theory notebook's kernel at its peak ≤ 250 MB.
LOAD_MARGIN = 3.0
LATENCY_TARGET_MS = 100.0
LATENCY_MEDIAN_BOUND_MS = LOAD_MARGIN * LATENCY_TARGET_MS
FIRST_PLOT_TARGET_S = 3.0
FIRST_PLOT_BOUND_S = LOAD_MARGIN * FIRST_PLOT_TARGET_S
#: memory does not grow with load: 5 % over the target, for allocator noise
KERNEL_PEAK_BOUND_MB = 1.05 * 250.0
#: the training notebooks (torch, many dashboards) are not held to the theory targets
TRAINING_NOTEBOOKS = ("05_train_toy_gan.ipynb", "06_train_image_gan.ipynb")
#: MB a page may receive over its websockets when the browser opens notebook 01 again, its
#: kernel still running (plotly.js from the HTTP cache; each case's first-open budget is
#: NotebookCase.websocket_mb).
REOPEN_WEBSOCKET_MB_BOUND = 2.0

_PARAMS = [pytest.param(case, id=case.stem) for case in [CANARY, *present_cases()]]


def _wait_for_idle_kernel(page, timeout_s: float = 90.0) -> None:
    """Wait until the status bar says the kernel is idle, accepting a kernel-choice dialog."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count() and dialog.first.is_visible():
            dialog.first.click()  # "Select Kernel": keep the proposed Python 3 kernel
        idle = page.evaluate(
            """() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
                     .some((e) => /\\| Idle/.test(e.textContent))"""
        )
        if idle:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the kernel did not become idle within {timeout_s:.0f} s")


#: The code cells' prompts: "[ ]:" not run, "[*]:" running, "[3]:" done.
_PROMPTS_JS = """() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
                       .map((e) => e.textContent.trim())"""
_ALL_RAN_JS = f"""() => {{ const p = ({_PROMPTS_JS})();
                          return p.length > 0 && p.every((t) => /\\[\\d+\\]/.test(t)); }}"""


def _run_all_cells(page, timeout_s: float, attempts: int = 3) -> None:
    """Run → Run All Cells from the menu bar, then wait until every code cell has run.

    A freshly started kernel can drop the first request while it connects, so
    the menu command is repeated when no cell starts within 20 s.
    """
    for attempt in range(attempts):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(
                f"() => ({_PROMPTS_JS})().some((p) => /\\[(\\*|\\d+)\\]/.test(p))",
                timeout=20_000,
            )
            break
        except Exception:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")  # close the menu if it is still open
            _wait_for_idle_kernel(page)
    # Run All stops at a failing cell: an error shown ends the wait at once, with its text.
    wait_for(page, _ALL_RAN_JS, timeout_s=timeout_s, what="end of Run All (every cell run)")


@pytest.mark.browser
@pytest.mark.timeout(480)
@pytest.mark.parametrize("case", _PARAMS)
def test_explorer_in_jupyterlab(case, lab, page, artifacts, jupyter_home):
    workspace = f"t{uuid.uuid4().hex[:8]}"  # a fresh workspace: no tabs restored from other tests
    started = time.monotonic()
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{case.path}?reset")
    page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
    _wait_for_idle_kernel(page)
    opened_s = time.monotonic() - started

    start_first_plot_clock(page)
    _run_all_cells(page, timeout_s=case.run_timeout_s)
    n_plots = wait_for_plots(page, timeout_s=60)
    ready_s = time.monotonic() - started
    first_plot_s = first_plot_seconds(page)
    drawn_over_time = plots_drawn_over_time(page)
    assert error_outputs(page) == [], "errors shown after Run All Cells"

    wait_for_control(page, case)
    before = settled_fingerprint(page)
    assert before, "the plots in the page hold no trace data"
    check_page_errors(page)
    assert clipped(page) == [], f"clipped at {VIEWPORT['width']}×{VIEWPORT['height']}"
    # what a learner sees after Run All: the explorer in its documented default state
    screenshot_output(page, artifacts / f"explorer-{case.stem}.png")
    session = next(s for s in jupyter_api(lab, "/api/sessions") if s["path"].endswith(case.path))
    runtime = jupyter_home[0].parent / "runtime"
    probe = KernelProbe(runtime / f"kernel-{session['kernel']['id']}.json")
    try:
        # every plot and control on the page equals the kernel's widget, after Run All ...
        kernel_after_run, _ = check_page_matches_kernel(page, probe)
        before = settled_fingerprint(page)
        done = interact(page, case, before)
        page.wait_for_timeout(500)  # let any trailing update land before looking for errors
        assert error_outputs(page) == [], f"errors shown after using {done.control}"
        check_page_errors(page)
        # ... after the learner moved a control ...
        settled_fingerprint(page)
        check_page_matches_kernel(page, probe)
        # ... and after a series of moves that swap controls and figures
        for move in case.series:
            perform(page, move)
            assert error_outputs(page) == [], f"errors shown after {move}"
        if case.series:
            check_page_matches_kernel(page, probe)
            check_page_errors(page)
    finally:
        probe.close()
    # a larger screen: plots and controls follow the window, nothing is cut on either size
    page.set_viewport_size(WIDER_VIEWPORT)
    page.wait_for_timeout(1_000)
    assert clipped(page) == [], f"clipped at {WIDER_VIEWPORT['width']}×{WIDER_VIEWPORT['height']}"
    page.set_viewport_size(VIEWPORT)
    page.wait_for_timeout(500)

    page.screenshot(path=str(artifacts / f"lab-{case.stem}.png"), full_page=True)
    if case.series:  # and after the moves (for a person to look at)
        screenshot_output(page, artifacts / f"explorer-{case.stem}-after-moves.png")

    latencies = []
    for run in case.latency:
        for move in run.before:
            perform(page, move)
        handle = find_slider(page, run.slider)
        handle.scroll_into_view_if_needed()
        latency = measure_slider_latency(page, handle, moves=20)
        median = latency["all_figures_repainted_ms"]["median"]
        p90 = latency["all_figures_repainted_ms"]["p90"]
        latency.update(
            notebook=case.name,
            view=run.view,
            slider=run.slider,
            summary=(
                f"{run.view}, slider /{run.slider}/ → repaint: median {median} ms, p90 {p90} ms "
                f"(first figure: median {latency['first_repaint_ms']['median']} ms; kernel's "
                f"last message: median {latency['last_message_ms']['median']} ms; "
                f"{latency['moves'] - latency['missed']}/{latency['moves']} moves; "
                f"target ≤ {LATENCY_TARGET_MS:.0f} ms)"
            ),
        )
        latencies.append(latency)
        print(latency["summary"])
        assert latency["missed"] <= 2, f"moves without a repaint: {latency}"
        assert median is not None and median < LATENCY_MEDIAN_BOUND_MS, latency["summary"]
        assert error_outputs(page) == [], f"errors shown during the latency run ({run.view})"
    if latencies:
        write_json(
            artifacts / f"latency-{case.stem}.json",
            {"runs": latencies, "summary": " · ".join(r["summary"] for r in latencies)},
        )

    session = next(s for s in jupyter_api(lab, "/api/sessions") if s["path"].endswith(case.path))
    pid = kernel_pid(lab, session["kernel"]["id"])
    memory = process_memory_mib(pid) if pid else {}
    server_memory = process_memory_mib(lab.process.pid)
    record = {
        "notebook": case.path,
        "control": done.control,
        "control_values": list(done.values),
        "plots": n_plots,
        "figures_compared_with_kernel": len(kernel_after_run["figures"]),
        "controls_compared_with_kernel": len(kernel_after_run["controls"]),
        "open_s": round(opened_s, 1),
        "run_all_to_first_plot_s": first_plot_s,
        "run_all_to_plots_s": round(ready_s - opened_s, 1),
        "plots_drawn_after_run_all_s": drawn_over_time,
        "websocket_mb_received": round(page.ganviz_ws_bytes[0] / 1e6, 1),
        "control_to_changed_data_s": round(done.seconds, 2),
        "kernel_memory_mib": memory,
        "jupyter_server_memory_mib": server_memory,
        "latency": [r["summary"] for r in latencies],
    }
    record["summary"] = (
        f"first plot {first_plot_s} s and {n_plots} plots {record['run_all_to_plots_s']} s "
        "after Run All; "
        f"{record['websocket_mb_received']} MB over the websockets; "
        f"kernel RSS {memory.get('VmRSS')} MiB (peak {memory.get('VmHWM')} MiB), "
        f"Jupyter server RSS {server_memory.get('VmRSS')} MiB"
    )
    write_json(artifacts / f"lab-{case.stem}.json", record)
    print(json.dumps(record))
    if case is not CANARY:  # the canary is plotly's own FigureWidget (its 5 MB per figure)
        check_plotly_came_over_http(page)
    assert record["websocket_mb_received"] <= case.websocket_mb, record["summary"]
    if case is not CANARY and case.name not in TRAINING_NOTEBOOKS:
        assert first_plot_s <= FIRST_PLOT_BOUND_S, (
            f"Run All → first plot {first_plot_s} s: target {FIRST_PLOT_TARGET_S} s "
            f"(fails above {FIRST_PLOT_BOUND_S} s)"
        )
        peak_mb = memory.get("VmHWM", 0.0) * 1.048576
        assert peak_mb <= KERNEL_PEAK_BOUND_MB, (
            f"kernel peak {peak_mb:.0f} MB: target 250 MB (fails above {KERNEL_PEAK_BOUND_MB:.0f})"
        )


def test_every_explorer_notebook_is_listed():
    """A notebook that builds an explorer must be in the browser tests' list."""
    listed = {case.name for case in NOTEBOOK_CASES}
    builds_explorer = re.compile(r"\b\w+Explorer\s*\(")
    missing = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(path.read_text()).get("cells", [])
        code = "\n".join("".join(c["source"]) for c in cells if c.get("cell_type") == "code")
        if builds_explorer.search(code) and path.name not in listed:
            missing.append(path.name)
    assert missing == [], (
        f"add these notebooks to NOTEBOOK_CASES in tests/browser/browserkit.py: {missing}"
    )


_UPDATES_WHILE_LOADING = """\
import plotly.graph_objects as go
from IPython.display import display
from ganviz.widgets._figure import FigureWidget

figures = [FigureWidget(go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 1, 1]))) for _ in range(3)]
for fig in figures:
    display(fig)
# sent at once, while the page is still importing plotly.js for these new models
for step in range(5):
    for i, fig in enumerate(figures):
        with fig.batch_update():
            fig.data[0].y = [i + step, 10 + i + step, 20 + i + step]
"""


def _open_and_run(lab, page, jupyter_home, name: str, source: str) -> None:
    """Write a one-cell notebook ``harness/<name>.ipynb`` holding ``source``, open it in
    JupyterLab and run it."""
    root, _ = jupyter_home
    path = f"harness/{name}.ipynb"
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": source,
    }
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(
        json.dumps({"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 5})
    )
    page.goto(f"{lab.url}/lab/workspaces/t{uuid.uuid4().hex[:8]}/tree/{path}?reset")
    page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
    _wait_for_idle_kernel(page)
    _run_all_cells(page, timeout_s=120)


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_updates_sent_while_plotly_loads_are_drawn(lab, page, jupyter_home):
    """Kernel messages that reach a figure before its front end has loaded plotly.js
    are kept and replayed in order: the page shows the last state, for every figure."""
    _open_and_run(lab, page, jupyter_home, "updates_while_loading", _UPDATES_WHILE_LOADING)
    drawn = page.wait_for_function(
        """() => {
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            if (plots.length < 3) return null;
            const ys = plots.map(p => p.data && p.data[0] && Array.from(p.data[0].y));
            return ys.every(y => y && y[0] >= 4) ? ys : null;
        }""",
        timeout=60_000,
    ).json_value()
    assert sorted(drawn) == [[4 + i, 14 + i, 24 + i] for i in range(3)]
    assert error_outputs(page) == []
    check_page_errors(page)


# An explorer switching between its 1-D and 2-D figures: figure a leaves the page, is
# edited while away, and comes back.
_SWAPPED_OUT_AND_BACK = """\
import time
import ipywidgets as widgets
import plotly.graph_objects as go
from IPython.display import display
from ganviz.widgets._figure import FigureWidget

a = FigureWidget(go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 1, 1], name="a")))
b = FigureWidget(go.Figure(go.Scatter(x=[0, 1, 2], y=[2, 2, 2], name="b")))
box = widgets.Box([a])
display(box)
time.sleep(3)  # a is drawn
box.children = [b]
time.sleep(1)  # a's view is gone: its purged plot must not follow a's edits
with a.batch_update():
    a.data[0].y = [5, 6, 7]
time.sleep(1)
box.children = [a]  # a new view of a, drawn from a's current state
"""


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_figure_taken_off_the_page_and_back_raises_no_error(lab, page, jupyter_home):
    """A figure taken off the page stops drawing (no errors from its purged plot while it
    is edited away) and, shown again, is drawn as it is now."""
    _open_and_run(lab, page, jupyter_home, "swapped_out_and_back", _SWAPPED_OUT_AND_BACK)
    drawn = page.wait_for_function(
        """() => {
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            const shown = plots.map(p => p.data && p.data[0] && Array.from(p.data[0].y));
            return shown.some(y => y && y[0] === 5) ? shown : null;
        }""",
        timeout=60_000,
    ).json_value()
    assert drawn == [[5, 6, 7]]
    page.wait_for_timeout(1_000)
    assert error_outputs(page) == []
    check_page_errors(page)


_CLIPPED_ON_PURPOSE = """\
import ipywidgets as widgets
import plotly.graph_objects as go
from ganviz.widgets._figure import FigureWidget

wide = FigureWidget(go.Figure(go.Scatter(x=[0, 1], y=[0, 1]), layout={"width": 3000}))
cut = widgets.Checkbox(description="a description far too long for ipywidgets' default width")
covered = FigureWidget(go.Figure(go.Scatter(x=[0, 1], y=[0, 1]), layout={"width": 500}))
covered.update_layout(
    title={"text": "a title long enough to run under the toolbar " * 2, "x": 0, "y": 0.99}
)
widgets.VBox([cut, wide, covered])
"""


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_the_clipping_check_sees_a_cut_label_a_plot_past_the_edge_and_a_covered_title(
    lab, page, jupyter_home
):
    """The check the notebook tests rely on, on a page built to fail it."""
    _open_and_run(lab, page, jupyter_home, "clipped_on_purpose", _CLIPPED_ON_PURPOSE)
    wait_for_plots(page, timeout_s=60)
    page.wait_for_timeout(1_000)
    found = clipped(page)
    assert any(p.startswith("label cut: a description far too long") for p in found), found
    assert any(p.startswith("past the notebook edge") and ": plot" in p for p in found), found
    assert any(p.startswith("toolbar covers: a title long enough") for p in found), found


def _open_notebook_and_run_all(lab, page, path: str, timeout_s: float) -> int:
    """Open ``path`` in a fresh workspace, run all cells and wait for every plot; plots drawn."""
    page.goto(f"{lab.url}/lab/workspaces/t{uuid.uuid4().hex[:8]}/tree/{path}?reset")
    page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
    _wait_for_idle_kernel(page)
    _run_all_cells(page, timeout_s=timeout_s)
    n_plots = wait_for_plots(page, timeout_s=60)
    assert error_outputs(page) == [], "errors shown after Run All Cells"
    check_page_errors(page)
    return n_plots


@pytest.mark.browser
@pytest.mark.timeout(480)
def test_reopening_a_notebook_takes_plotly_from_the_browser_cache(
    lab, page, artifacts, jupyter_home
):
    """A learner runs notebook 01, saves it, closes the tab and opens it again while its
    kernel runs: the second page takes plotly.js from the browser's HTTP cache and receives
    over its websockets only the widgets' state, restored from the kernel."""
    case = NOTEBOOK_CASES[0]
    root, _ = jupyter_home
    path = f"reopen/{case.name}"  # a copy of its own: saved with outputs, other tests never see it
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(NOTEBOOKS / case.name, root / path)
    first_plots = _open_notebook_and_run_all(lab, page, path, case.run_timeout_s)
    settled_fingerprint(page)
    check_plotly_came_over_http(page)
    first_mb = page.ganviz_ws_bytes[0] / 1e6
    page.keyboard.press("Control+s")
    wait_for(page, _SAVED_JS, timeout_s=30, what="the notebook saved")
    context = page.context
    page.close()

    again = context.new_page()
    watch_page(again)
    devtools = context.new_cdp_session(again)
    devtools.send("Network.enable")
    cache_hits, from_cache = set(), []
    devtools.on("Network.requestServedFromCache", lambda e: cache_hits.add(e["requestId"]))

    def response(event) -> None:
        answer = event["response"]
        if STATIC_BUNDLE.search(answer["url"]):
            cached = answer.get("fromDiskCache") or answer.get("fromMemoryCache")
            from_cache.append(bool(cached) or event["requestId"] in cache_hits)

    devtools.on("Network.responseReceived", response)
    try:
        again.goto(f"{lab.url}/lab/workspaces/t{uuid.uuid4().hex[:8]}/tree/{path}?reset")
        again.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
        wait_for(again, f"() => {_PLOTS_COUNT_JS} >= {first_plots}", timeout_s=60, what="plots")
        wait_for_plots(again, timeout_s=60)
        settled_fingerprint(again)
        assert error_outputs(again) == [], "errors shown in the reopened notebook"
        check_page_errors(again)
        reopen_mb = again.ganviz_ws_bytes[0] / 1e6
        record = {
            "notebook": case.path,
            "first_open_websocket_mb": round(first_mb, 2),
            "reopen_websocket_mb": round(reopen_mb, 2),
            "bundle_from_http_cache": from_cache,
            "summary": (
                f"{case.stem} over the websockets: {first_mb:.1f} MB on first open (Run All), "
                f"{reopen_mb:.1f} MB on reopening (target ≤ {REOPEN_WEBSOCKET_MB_BOUND} MB); "
                f"plotly.js from the HTTP cache: {from_cache}"
            ),
        }
        write_json(artifacts / "lab-reopen.json", record)
        print(record["summary"])
        check_plotly_came_over_http(again)
        assert from_cache == [True], record["summary"]
        assert reopen_mb <= REOPEN_WEBSOCKET_MB_BOUND, record["summary"]
    finally:
        again.screenshot(path=str(artifacts / "lab-reopen.png"), full_page=True)
        devtools.detach()


_PLOTS_COUNT_JS = "document.querySelectorAll('.js-plotly-plot').length"
#: JupyterLab marks a notebook tab with unsaved changes with jp-mod-dirty.
_SAVED_JS = "() => !document.querySelector('.jp-mod-current.jp-mod-dirty, .jp-mod-dirty')"


# A Jupyter server without ganviz's extension (plain `jupyter notebook`, VS Code, Colab):
# the library model points the page to a file that is not there.
_WITHOUT_THE_STATIC_ROUTE = """\
import plotly.graph_objects as go
import ganviz.widgets._figure as figure

figure._LIBRARY = figure.PlotlyLibrary(static_path="ganviz/static/plotly-widget-0000.js")
fig = figure.FigureWidget(go.Figure(go.Scatter(x=[0, 1, 2], y=[3, 1, 2])))
fig
"""


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_without_the_static_route_the_kernel_sends_plotly(lab, page, jupyter_home):
    """Where the server does not serve plotly.js the page asks the kernel, which sends it
    once, compressed, and the figure is drawn."""
    _open_and_run(lab, page, jupyter_home, "without_static_route", _WITHOUT_THE_STATIC_ROUTE)
    drawn = page.wait_for_function(
        """() => {
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            const ys = plots.map(p => p.data && p.data[0] && Array.from(p.data[0].y));
            return ys.length && ys.every(y => y) ? ys : null;
        }""",
        timeout=60_000,
    ).json_value()
    assert drawn == [[3, 1, 2]]
    assert [status for _, status in page.ganviz_bundle_responses] == [404]
    check_plotly_came_from_the_kernel(page)
    assert error_outputs(page) == []
    check_page_errors(page)
