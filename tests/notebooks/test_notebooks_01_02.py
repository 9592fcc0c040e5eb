"""Notebooks 01 (optimal discriminator) and 02 (value and JS) execute headless, stored clean."""

from __future__ import annotations

import pytest
from nbkit import assert_stored_without_outputs, read, run_headless, sources

pytestmark = pytest.mark.notebooks

CASES = {
    "01_optimal_discriminator.ipynb": ("OptimalDiscriminatorExplorer", ["V(G, D*) = 0.0000"]),
    "02_value_and_js.ipynb": ("DivergenceExplorer", ["t = 4.5:  JS = 0.6931", "W1 = 4.5000"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_notebook_is_stored_without_outputs_and_ends_by_driving_the_explorer(name):
    nb = read(name)
    explorer, _ = CASES[name]
    assert_stored_without_outputs(nb)
    code = sources(nb, "code")
    assert f"from ganviz.widgets import {explorer}" in code
    assert "gv.fast_mode()" in code
    last = nb.cells[-1]
    assert last.cell_type == "code" and "check.set(" in last.source and "assert" in last.source
    assert "$$" in sources(nb, "markdown")  # equations


@pytest.mark.parametrize("name", sorted(CASES))
def test_notebook_runs_headless(name):
    printed = run_headless(name).printed_last
    for needle in CASES[name][1]:
        assert needle in printed
