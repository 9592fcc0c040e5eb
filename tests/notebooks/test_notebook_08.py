"""Notebook 08 (losses and divergences) executes headless, fast, and is stored without outputs."""

from __future__ import annotations

import pytest
from nbkit import assert_stored_without_outputs, read, run_headless, sources

pytestmark = pytest.mark.notebooks

NOTEBOOK = "08_losses_and_divergences.ipynb"


def test_notebook_08_is_thin_and_stored_without_outputs():
    nb = read(NOTEBOOK)
    assert_stored_without_outputs(nb)
    code = sources(nb, "code")
    assert "from ganviz.widgets import DivergenceFitExplorer" in nb.cells[1].source
    assert "gv.fast_mode()" in nb.cells[1].source
    markdown = sources(nb, "markdown")
    assert "$$" in markdown and "Try this" in markdown
    for needle in (
        "Nash equilibrium",
        "implicit model",
        "Arjovsky & Bottou",
        "Mao et al.",
        "f-GAN",
    ):
        assert needle in markdown
    # the explorer shown keeps its default state; the last cell drives its own instance
    last = nb.cells[-1]
    assert last.cell_type == "code" and "check = DivergenceFitExplorer()" in last.source
    assert "explorer.set(" not in code


def test_notebook_08_runs_headless():
    run = run_headless(NOTEBOOK)
    printed = run.printed_last
    assert "lattice fits agree with scipy's" in printed
    assert "3.5      -0.35      -1.75      -1.75" in printed  # the default: covering vs seeking
    shown = [c for c in run.nb.cells if c.cell_type == "code" and "explorer\n" in c.source + "\n"]
    assert any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        for c in shown
        for o in c.outputs
    )
    assert run.seconds < 120
