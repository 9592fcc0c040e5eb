"""Notebook 07 (training dynamics) executes headless, fast, and is stored without outputs."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.notebooks

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "07_training_dynamics.ipynb"


def test_notebook_07_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert "DynamicsExplorer" in nb.cells[1].source
    assert "from ganviz.widgets import DynamicsExplorer" in nb.cells[1].source
    last = nb.cells[-1]
    assert last.cell_type == "code" and "explorer.set" in last.source


def test_notebook_07_runs_headless(monkeypatch):
    monkeypatch.setenv("GANVIZ_FAST", "1")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError on any failing cell
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
    assert "h = 0.6" in printed and "h = 1.5" in printed
    assert elapsed < 120
