"""ganviz draws no WebGL traces.

Chromium keeps at most 16 WebGL contexts per page; every WebGL plot takes
one, and past the limit the oldest plot loses its context and goes blank
("Too many active WebGL contexts"). Notebook 05 alone shows more plots than
that, and the few hundred points ganviz draws per panel need no WebGL: SVG
traces draw them fast. The browser tests fail on the console message; this
test keeps WebGL trace types out of the plot helpers.
"""

from __future__ import annotations

import re
from pathlib import Path

import ganviz

WEBGL_TRACES = re.compile(r"\bgo\.(Scattergl|Heatmapgl|Scatter3d|Splom|Parcoords|Pointcloud)\b")
WEBGL_TYPES = re.compile(r"""type\s*=\s*["'](scattergl|heatmapgl|scatter3d|splom|parcoords)["']""")


def test_no_plot_helper_or_widget_builds_a_webgl_trace():
    package = Path(ganviz.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if WEBGL_TRACES.search(line) or WEBGL_TYPES.search(line):
                found.append(f"{path.relative_to(package)}:{number}: {line.strip()}")
    assert found == [], f"WebGL traces (one context each; Chromium allows 16 per page): {found}"


def test_the_field_figure_draws_its_samples_as_svg_markers():
    from ganviz.plots import theory_field

    fig = theory_field(
        ganviz.Gaussian([0, 0], cov=[[1, 0], [0, 1]]), ganviz.Gaussian([2, 0], cov=[[1, 0], [0, 1]])
    )
    kinds = {trace.name: trace.type for trace in fig.data}
    assert kinds["real"] == "scatter" and kinds["fake"] == "scatter"
