"""Notebooks 05 (toy GAN) and 06 (image GAN) execute headless, fast, stored without outputs."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbkit import assert_stored_without_outputs, read, run_headless, sources

pytest.importorskip("torch")

pytestmark = pytest.mark.notebooks

NOTEBOOKS = {
    "05_train_toy_gan.ipynb": ("TrainingExplorer", ["race in lock-step", "grid25, wgan-gp"]),
    "06_train_image_gan.ipynb": ("TrainingExplorer", ["classes covered", "Fréchet distance"]),
}


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_stored_without_outputs_and_ending_with_a_driving_cell(name):
    nb = read(name)
    assert_stored_without_outputs(nb)
    explorer, _ = NOTEBOOKS[name]
    assert explorer in sources(nb, "code")
    markdown = sources(nb, "markdown")
    assert "$$" in markdown and "Try this" in markdown  # equations and prompts
    last = nb.cells[-1]
    assert last.cell_type == "code" and ".advance(" in last.source


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_runs_headless_in_fast_mode(name):
    run = run_headless(name, timeout=300)
    for expected in NOTEBOOKS[name][1]:
        assert expected in run.printed_last
    assert run.seconds < 240  # well under a minute on an idle 2-core machine; generous when shared


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
