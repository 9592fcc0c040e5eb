"""Package-level promises: the import is light and the public contract is there."""

from __future__ import annotations

import subprocess
import sys

import ganviz as gv

CONTRACT = [
    "Gaussian",
    "Uniform",
    "Mixture",
    "Empirical",
    "optimal_discriminator",
    "js_divergence",
    "kl_divergence",
    "value_function",
    "wasserstein_distance",
    "generator_gradient",
    "sample_gradients",
    "mode_coverage",
]


def test_public_contract_is_exported():
    for name in CONTRACT:
        assert name in gv.__all__ and hasattr(gv, name)


def test_import_ganviz_never_imports_torch_plotly_or_ipywidgets():
    code = (
        "import sys, ganviz, ganviz.plots.style; "
        "heavy = [m for m in ('torch', 'ipywidgets') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    core = "import sys, ganviz; print('plotly' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", core], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_plots_do_not_import_torch():
    code = "import sys, ganviz.plots; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_command_line_help_and_unknown_command():
    from ganviz.cli import main

    assert main(["--help"]) == 0
    assert main(["fly"]) == 2


def test_fast_mode_reads_the_environment(monkeypatch):
    monkeypatch.setenv("GANVIZ_FAST", "1")
    assert gv.fast_mode()
    monkeypatch.setenv("GANVIZ_FAST", "0")
    assert not gv.fast_mode()
