"""Notebooks 03 (vanishing gradients) and 04 (mode collapse) run headless, fast, without outputs."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.notebooks

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CASES = {
    "03_vanishing_gradients.ipynb": ("VanishingGradientExplorer", "disjoint uniforms"),
    "04_mode_collapse.ipynb": ("ModeCollapseExplorer", "fit kl_reverse"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_notebook_is_thin_and_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    explorer, _ = CASES[name]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert f"from ganviz.widgets import {explorer}" in nb.cells[1].source
    assert "gv.fast_mode()" in nb.cells[1].source
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "$$" in markdown and "Try this" in markdown
    last = nb.cells[-1]
    assert last.cell_type == "code" and "explorer.set(" in last.source


@pytest.mark.parametrize("name", sorted(CASES))
def test_notebook_runs_headless(name, monkeypatch):
    monkeypatch.setenv("GANVIZ_FAST", "1")
    path = NOTEBOOKS / name
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError on any failing cell (the asserts included)
    elapsed = time.perf_counter() - started
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors
    printed = "".join(
        out.get("text", "") for out in nb.cells[-1].outputs if out.output_type == "stream"
    )
    assert CASES[name][1] in printed
    # the explorer cell displays a widget
    shown = nb.cells[1].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown)
    assert elapsed < 90
