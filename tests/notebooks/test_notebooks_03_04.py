"""Notebooks 03 (vanishing gradients) and 04 (mode collapse) run headless, fast, without outputs."""

from __future__ import annotations

import pytest
from nbkit import assert_stored_without_outputs, read, run_headless, sources

pytestmark = pytest.mark.notebooks

CASES = {
    "03_vanishing_gradients.ipynb": ("VanishingGradientExplorer", "disjoint uniforms"),
    "04_mode_collapse.ipynb": ("ModeCollapseExplorer", "fit kl_reverse"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_notebook_is_thin_and_stored_without_outputs(name):
    nb = read(name)
    explorer, _ = CASES[name]
    assert_stored_without_outputs(nb)
    assert f"from ganviz.widgets import {explorer}" in nb.cells[1].source
    assert "gv.fast_mode()" in nb.cells[1].source
    markdown = sources(nb, "markdown")
    assert "$$" in markdown and "Try this" in markdown
    last = nb.cells[-1]
    assert last.cell_type == "code" and "check.set(" in last.source


@pytest.mark.parametrize("name", sorted(CASES))
def test_notebook_runs_headless(name):
    run = run_headless(name)
    assert CASES[name][1] in run.printed_last
    # the explorer cell displays a widget
    shown = run.nb.cells[1].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown)
    assert run.seconds < 90
