"""What a FigureWidget sends to the page: 2-D arrays as binary float32 rows, once.

plotly's own serializer turns every 2-D numpy array into nested JSON lists (~20 bytes a
number); notebook 01's 2-D field sent 0.56 MB per slider step that way. The references
here are the arrays themselves and plotly's own JSON encoding of the same figure.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from ipywidgets.widgets.widget import _remove_buffers

from ganviz.plots._plotly_internals import MIN_BINARY_ROW, refresh_widget_state, rows_on_the_wire
from ganviz.widgets._figure import FigureWidget


def wire_size(state: dict) -> tuple[int, int]:
    """(JSON bytes, binary bytes) of a widget state as ipywidgets sends it."""
    state, _, buffers = _remove_buffers(state)
    return len(json.dumps(state)), sum(memoryview(b).nbytes for b in buffers)


def rows_sent(value) -> np.ndarray:
    """The 2-D array the page rebuilds from plotly's typed-array specs (one per row)."""
    return np.stack([np.frombuffer(row["buffer"], dtype=row["dtype"]) for row in value])


def test_a_2d_float_array_becomes_float32_rows_and_nothing_else_changes():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(30, 40))
    value = {"z": z, "x": np.arange(40.0), "customdata": rng.normal(size=(30, 3)), "n": [1, 2]}
    sent = rows_on_the_wire(value)
    assert isinstance(sent["z"], list) and len(sent["z"]) == 30
    assert all(r.dtype == np.float32 and r.flags["C_CONTIGUOUS"] for r in sent["z"])
    np.testing.assert_array_equal(np.stack(sent["z"]), z.astype(np.float32))
    assert sent["x"] is value["x"]  # 1-D: plotly already sends it as one buffer
    assert sent["customdata"] is value["customdata"]  # rows shorter than MIN_BINARY_ROW
    assert sent["n"] == [1, 2]
    assert value["z"] is z and z.dtype == np.float64  # the figure's own array is untouched


@pytest.mark.parametrize("extreme", [1e39, -1e39, 1e-39, 1e-300])
def test_values_float32_cannot_hold_keep_float64(extreme):
    z = np.ones((4, MIN_BINARY_ROW))
    z[2, 3] = extreme
    rows = rows_on_the_wire(z)
    assert rows[0].dtype == np.float64
    np.testing.assert_array_equal(np.stack(rows), z)


def test_gaps_and_zeros_stay_float32():
    z = np.zeros((3, MIN_BINARY_ROW))
    z[1, 1] = np.nan
    z[2, 2] = np.inf  # not finite: outside the range check, and float32 holds it
    rows = np.stack(rows_on_the_wire(z))
    assert rows.dtype == np.float32
    assert np.isnan(rows[1, 1]) and rows[2, 2] == np.inf and rows[0, 0] == 0


def heatmap_widget(n: int = 80) -> FigureWidget:
    xs = np.linspace(-3, 3, n)
    z = np.exp(-np.add.outer(xs**2, xs**2))
    return FigureWidget(go.Figure([go.Heatmap(x=xs, y=xs, z=z), go.Contour(x=xs, y=xs, z=z)]))


def test_the_first_state_carries_each_heatmap_as_binary_rows():
    widget = heatmap_widget()
    state = widget.get_state()
    z_sent = state["_widget_data"][0]["z"]
    np.testing.assert_array_equal(rows_sent(z_sent), np.asarray(widget.data[0].z, np.float32))
    json_bytes, binary_bytes = wire_size(state)
    assert binary_bytes >= 2 * 80 * 80 * 4
    # plotly's JSON of the same two 80 × 80 arrays alone is over twice the whole state
    plotly_json = len(json.dumps([np.asarray(t.z).tolist() for t in widget.data]))
    assert plotly_json > 2 * (json_bytes + binary_bytes)


def test_a_batch_update_sends_the_new_heatmap_as_binary_rows():
    widget = heatmap_widget()
    sent = []

    def record(change):
        if change["new"] is not None:
            sent.append(widget.get_state("_py2js_update")["_py2js_update"])

    widget.observe(record, names="_py2js_update")
    new_z = np.asarray(widget.data[0].z) * 0.5
    with widget.batch_update():
        widget.data[0].z = new_z
        widget.data[1].z = new_z
    assert len(sent) == 1
    style = sent[0]["style_data"]
    for z in style["z"]:
        np.testing.assert_array_equal(rows_sent(z), new_z.astype(np.float32))
    json_bytes, binary_bytes = wire_size({"_py2js_update": sent[0]})
    assert binary_bytes == 2 * new_z.size * 4 and json_bytes < 20_000


def test_refreshing_an_unchanged_state_sends_nothing():
    widget = heatmap_widget()
    sends = []
    widget.observe(lambda change: sends.append(change["name"]), ["_widget_data", "_widget_layout"])
    refresh_widget_state(widget)
    assert sends == []  # it was sent when the widget was built (0.5 MB for a 2-D field)
    with widget.batch_update():
        widget.data[0].z = np.asarray(widget.data[0].z) + 1
    refresh_widget_state(widget)
    assert sends == ["_widget_data"]
    widget.layout.title.text = "changed"
    refresh_widget_state(widget)
    assert sends == ["_widget_data", "_widget_layout"]
