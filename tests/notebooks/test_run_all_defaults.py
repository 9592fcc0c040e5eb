"""After Run All every explorer a notebook shows is in its documented default state.

A learner runs all cells and then reads the "Try this" text beside each
explorer, which assumes the explorer's defaults. A cell that drives the
displayed explorer from code (``explorer.set(...)``, ``dashboard.advance(...)``)
leaves it wherever that code stopped — disjoint uniforms at shift 3, a trained
grid25 run — and the text no longer matches the screen. Code that exercises an
explorer works on an instance of its own; this test reads the notebooks' code
and fails when a later cell calls a state-changing method of an explorer that
an earlier cell displayed.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

#: Methods of the explorers that change what they show (the buttons, sliders and fits).
STATE_CHANGING = {
    "add_point",
    "advance",
    "clear_points",
    "fit",
    "play",
    "reset",
    "set",
    "set_start",
    "step",
    "step_d",
    "step_g",
    "use_preset",
}


def _code_cells(path: Path) -> list[ast.Module]:
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return [ast.parse(source) for source in sources]


def _explorer_names(tree: ast.Module) -> set[str]:
    """Names bound to ``SomethingExplorer(...)`` in a cell."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called.endswith("Explorer"):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _displayed(tree: ast.Module, candidates: set[str]) -> set[str]:
    """Explorers a cell shows: its last expression, or an argument of ``display(...)``."""
    shown = set()
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1].value
        if isinstance(last, ast.Name):
            shown.add(last.id)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "display":
            shown |= {a.id for a in node.args if isinstance(a, ast.Name)}
    return shown & candidates


def _state_changing_calls(tree: ast.Module, names: set[str]) -> list[str]:
    calls = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in names
            and node.func.attr in STATE_CHANGING
        ):
            calls.append(f"{node.func.value.id}.{node.func.attr}(…) (line {node.lineno})")
    return calls


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_no_cell_drives_an_explorer_shown_above(path):
    explorers: set[str] = set()
    displayed: set[str] = set()
    problems = []
    for index, tree in enumerate(_code_cells(path)):
        # a cell may prepare what it then shows (calls before the display are its default)
        calls = _state_changing_calls(tree, displayed)
        problems += [f"code cell {index}: {call}" for call in calls]
        explorers |= _explorer_names(tree)
        displayed |= _displayed(tree, explorers)
    assert problems == [], (
        f"{path.name} drives explorers it displayed earlier, so after Run All they no longer show "
        f"their defaults: {problems}. Drive an instance of its own instead."
    )


def test_the_check_finds_a_driven_explorer(tmp_path):
    """The check itself: a notebook that moves its displayed explorer is caught."""
    cells = [
        "from ganviz.widgets import DivergenceExplorer\nexplorer = DivergenceExplorer()\nexplorer",
        "explorer.set(shift=3.0)",
    ]
    notebook = {
        "cells": [{"cell_type": "code", "source": s, "metadata": {}} for s in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "99_bad.ipynb"
    path.write_text(json.dumps(notebook))
    with pytest.raises(AssertionError, match=r"explorer\.set"):
        test_no_cell_drives_an_explorer_shown_above(path)
