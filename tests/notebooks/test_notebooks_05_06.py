"""Notebooks 05 (toy GAN) and 06 (image GAN) execute headless, fast, stored without outputs."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytest.importorskip("torch")

pytestmark = pytest.mark.notebooks

FOLDER = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = {
    "05_train_toy_gan.ipynb": ("TrainingExplorer", ["race in lock-step", "grid25, wgan-gp"]),
    "06_train_image_gan.ipynb": ("TrainingExplorer", ["classes covered", "Fréchet distance"]),
}


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_stored_without_outputs_and_ending_with_a_driving_cell(name):
    nb = nbformat.read(FOLDER / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    explorer, _ = NOTEBOOKS[name]
    assert any(explorer in cell.source for cell in nb.cells if cell.cell_type == "code")
    sources = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert "$$" in sources and "Try this" in sources  # equations and prompts
    last = nb.cells[-1]
    assert last.cell_type == "code" and ".advance(" in last.source


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_runs_headless_in_fast_mode(name, monkeypatch):
    monkeypatch.setenv("GANVIZ_FAST", "1")
    nb = nbformat.read(FOLDER / name, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(FOLDER)}}
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError on any failing cell
    elapsed = time.perf_counter() - started
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert "Message serialization failed" not in stderr  # no NaN sent to the browser
    printed = "".join(
        out.get("text", "") for out in nb.cells[-1].outputs if out.output_type == "stream"
    )
    for expected in NOTEBOOKS[name][1]:
        assert expected in printed
    assert elapsed < 240  # well under a minute on an idle 2-core machine; generous when shared


def test_dashboard_trains_in_the_background_of_a_real_kernel():
    """Play by a button click, let the kernel idle: redraws arrive on the kernel's thread while
    training continues in the worker, other cells run meanwhile, and pause stops it cleanly."""
    cells = [
        "import asyncio, threading\n"
        "from ganviz.widgets import TrainingExplorer\n"
        "dash = TrainingExplorer(hidden=16, depth=1, batch_size=64, eval_samples=256,\n"
        "                        snapshot_samples=128, grid_size=24, speed=2)\n"
        "dash.controls['play'].click()\n"
        "drawn = dash.runner.redraws",
        "total = sum(i * i for i in range(100_000))  # another cell runs while it trains\n"
        "print('OTHER CELL RAN', total > 0, dash.playing)",
        "for _ in range(300):\n"
        "    await asyncio.sleep(0.05)  # the kernel idles: its event loop draws\n"
        "    if dash.runner.redraws >= drawn + 3:\n"
        "        break\n"
        "print('LIVE REDRAWS', dash.runner.redraws - drawn >= 3, dash.playing)",
        "dash.controls['pause'].click()\n"
        "stopped = dash.trainer.step_count\n"
        "await asyncio.sleep(0.3)\n"
        "print('STOPPED', stopped == dash.trainer.step_count > 0,\n"
        "      dash.snapshot.step == stopped,\n"
        "      dash.runner.draw_threads == {threading.main_thread().ident})",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(nb, kernel_name="python3", timeout=300)
    client.execute()
    printed = "".join(
        out.get("text", "") for cell in nb.cells for out in cell.outputs if "text" in out
    )
    assert "OTHER CELL RAN True True" in printed
    assert "LIVE REDRAWS True True" in printed
    assert "STOPPED True True True" in printed
