"""Notebooks 01 (optimal discriminator) and 02 (value and JS) execute headless, stored clean."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.notebooks

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CASES = {
    "01_optimal_discriminator.ipynb": ("OptimalDiscriminatorExplorer", ["V(G, D*) = 0.0000"]),
    "02_value_and_js.ipynb": ("DivergenceExplorer", ["t = 4.5:  JS = 0.6931", "W1 = 4.5000"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_notebook_is_stored_without_outputs_and_ends_by_driving_the_explorer(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    explorer, _ = CASES[name]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert f"from ganviz.widgets import {explorer}" in sources
    assert "gv.fast_mode()" in sources
    last = nb.cells[-1]
    assert last.cell_type == "code" and "explorer.set(" in last.source and "assert" in last.source
    assert any("$$" in c.source for c in nb.cells if c.cell_type == "markdown")  # equations


@pytest.mark.parametrize("name", sorted(CASES))
def test_notebook_runs_headless(name, monkeypatch):
    monkeypatch.setenv("GANVIZ_FAST", "1")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on any failing cell (the asserts included)
    printed = "".join(
        out.get("text", "") for out in nb.cells[-1].outputs if out.output_type == "stream"
    )
    for needle in CASES[name][1]:
        assert needle in printed
