"""plotly's widget import leaves nbformat (and its 1.5–5 s grammar compile) for later."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_figure_widget_is_drawn_without_importing_nbformat_and_show_still_imports_it():
    out = _run(
        """
        import sys
        from ganviz.widgets._figure import FigureWidget
        import plotly.graph_objects as go
        FigureWidget(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
        print("before", "nbformat" in sys.modules, "jsonschema" in sys.modules)
        import plotly.io as pio
        pio.show(go.Figure(), renderer="plotly_mimetype")  # the path that checks nbformat
        import nbformat
        print("after", "nbformat" in sys.modules, nbformat.v4.new_notebook().nbformat)
        """
    )
    assert "before False False" in out
    assert "after True 4" in out


def test_the_private_plotly_names_the_deferral_relies_on_still_exist():
    """Fails loudly when a plotly release renames what _deferred_imports touches."""
    out = _run(
        """
        import ganviz.widgets
        import plotly.io._renderers as renderers
        from _plotly_utils import optional_imports
        from ganviz.plots._plotly_internals import ImportOnUse
        import importlib.metadata
        assert isinstance(renderers.nbformat, ImportOnUse), type(renderers.nbformat)
        assert "nbformat" not in optional_imports._not_importable
        assert renderers.nbformat.__version__ == importlib.metadata.version("nbformat")
        print("ok")
        """
    )
    assert out.strip() == "ok"
