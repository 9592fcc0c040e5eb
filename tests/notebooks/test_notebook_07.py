"""Notebook 07 (training dynamics) executes headless, fast, and is stored without outputs."""

from __future__ import annotations

import pytest
from nbkit import assert_stored_without_outputs, read, run_headless

pytestmark = pytest.mark.notebooks

NOTEBOOK = "07_training_dynamics.ipynb"


def test_notebook_07_is_stored_without_outputs():
    nb = read(NOTEBOOK)
    assert_stored_without_outputs(nb)
    assert "from ganviz.widgets import DynamicsExplorer" in nb.cells[1].source
    last = nb.cells[-1]
    assert last.cell_type == "code" and "check.set" in last.source


def test_notebook_07_runs_headless():
    run = run_headless(NOTEBOOK)
    assert "h = 0.6" in run.printed_last and "h = 1.5" in run.printed_last
    assert run.seconds < 120
