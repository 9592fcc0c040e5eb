"""What the notebook tests share: the folder, the stored-clean check and a headless run."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def read(name: str) -> nbformat.NotebookNode:
    """The stored notebook ``name`` from :data:`NOTEBOOKS`."""
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def assert_stored_without_outputs(nb: nbformat.NotebookNode) -> None:
    """Every code cell is stored unexecuted: no outputs, no execution count."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def sources(nb: nbformat.NotebookNode, cell_type: str) -> str:
    """The text of every cell of ``cell_type`` ("code" or "markdown"), joined."""
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == cell_type)


@dataclass
class HeadlessRun:
    """A notebook executed by a real kernel."""

    nb: nbformat.NotebookNode
    seconds: float

    @property
    def outputs(self) -> list:
        return [out for cell in self.nb.cells if cell.cell_type == "code" for out in cell.outputs]

    @property
    def printed_last(self) -> str:
        """What the last cell (the one that drives the explorer) printed."""
        return "".join(
            out.get("text", "") for out in self.nb.cells[-1].outputs if out.output_type == "stream"
        )


def run_headless(name: str, timeout: int = 120) -> HeadlessRun:
    """Execute ``name`` with ``GANVIZ_FAST=1`` and check that no cell failed.

    ``NotebookClient.execute`` raises on a failing cell (the notebooks' own asserts
    included); error outputs and NaN that plotly could not serialise fail too.
    """
    nb = read(name)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=timeout, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    previous = os.environ.get("GANVIZ_FAST")
    os.environ["GANVIZ_FAST"] = "1"  # the kernel inherits it
    try:
        started = time.perf_counter()
        client.execute()
        run = HeadlessRun(nb, time.perf_counter() - started)
    finally:
        if previous is None:
            del os.environ["GANVIZ_FAST"]
        else:
            os.environ["GANVIZ_FAST"] = previous
    assert not [out for out in run.outputs if out.output_type == "error"]
    stderr = "".join(out.get("text", "") for out in run.outputs if out.get("name") == "stderr")
    assert "Message serialization failed" not in stderr  # no NaN sent to the browser
    return run
