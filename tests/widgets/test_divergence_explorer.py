"""DivergenceExplorer, headless: the sweep, the markers and the table follow the controls."""

from __future__ import annotations

import html
import math
import re

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import pytest

import ganviz as gv
from ganviz.plots.density import plot_axis
from ganviz.plots.value import format_value
from ganviz.sweeps import shift_sweep
from ganviz.widgets.discriminator import pair_divergences
from ganviz.widgets.divergences import DivergenceExplorer

LOG2, LOG4 = math.log(2), math.log(4)


def traces(fig) -> dict:
    return {t.name: t for t in fig.data}


def table(explorer) -> dict[str, str]:
    """quantity → value, read from the HTML table the explorer shows."""
    cells = [
        html.unescape(c)
        for c in re.findall(r"<td[^>]*>(.*?)</td>", explorer.value_panel.table.value)
    ]
    rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    return {name: value for name, value, _ in rows}


def nan_equal(a, b, **kw):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), **kw)


def assert_fresh(e: DivergenceExplorer):
    """Every trace equals a fresh computation from e.p_data, e.p_g_base and the shift drawn."""
    assert repr(e.p_g) == repr(e.p_g_base.shift(e.drawn_shift))
    sweep = shift_sweep(e.p_data, e.p_g_base, e.shifts)
    tr = traces(e.figures["sweep"])
    np.testing.assert_array_equal(tr["JS"].x, e.shifts)
    np.testing.assert_allclose(tr["JS"].y, sweep.js, atol=1e-12)
    np.testing.assert_allclose(tr["2·JS − 2·log 2 = V"].y, sweep.two_js_minus_log4, atol=1e-12)
    np.testing.assert_allclose(tr["W1"].y, sweep.w1, atol=1e-12)
    kl = np.where(np.isinf(sweep.kl_data_g), np.nan, sweep.kl_data_g)
    nan_equal(tr["KL(P_data‖P_g)"].y, kl, atol=1e-12)
    kl = np.where(np.isinf(sweep.kl_g_data), np.nan, sweep.kl_g_data)
    nan_equal(tr["KL(P_g‖P_data)"].y, kl, atol=1e-12)
    divs = pair_divergences(e.p_data, e.p_g)
    np.testing.assert_allclose(tr["now: JS, V"].x, [e.drawn_shift] * 2)
    np.testing.assert_allclose(tr["now: JS, V"].y, [divs.js, divs.value], atol=1e-12)
    finite = [v if math.isfinite(v) else np.nan for v in (divs.w1, divs.kl_data_g, divs.kl_g_data)]
    nan_equal(tr["now: W1, KL"].y, finite, atol=1e-12)
    np.testing.assert_allclose(tr["now: t (bottom)"].x, [e.drawn_shift] * 2)
    dens = traces(e.figures["density"])
    x = np.asarray(dens["D*(x)"].x)
    np.testing.assert_array_equal(x, plot_axis(e.p_data, e.p_g))
    np.testing.assert_allclose(dens["D*(x)"].y, gv.optimal_discriminator(e.p_data, e.p_g, x))
    np.testing.assert_allclose(dens["p_g"].y, e.p_g.pdf(x))
    gauge, number = e.figures["value"].data
    assert gauge.value == pytest.approx(np.clip(divs.value, -LOG4, 0), abs=1e-12)
    assert number.value == pytest.approx(divs.two_js_minus_log4, abs=1e-12)
    rows = table(e)
    assert rows["KL(P_data‖P_g)"] == format_value(divs.kl_data_g)
    assert rows["W1"] == format_value(divs.w1)
    for fig in e.figures.values():  # a live kernel sends 1-D arrays as contiguous buffers
        for trace in fig._data:
            for key, value in trace.items():
                if isinstance(value, np.ndarray) and value.ndim == 1:
                    assert value.flags["C_CONTIGUOUS"], (trace.get("name"), key)
    if e.error is None:
        assert e.drawn_shift == e.shift
        assert repr(e.p_data) == repr(e.data_panel.distribution())
        assert repr(e.p_g_base) == repr(e.g_panel.distribution())


def test_builds_with_no_arguments():
    e = DivergenceExplorer()
    assert isinstance(e, widgets.VBox)
    assert set(e.figures) == {"density", "sweep", "value"} and e.figure is e.figures["sweep"]
    assert all(isinstance(f, go.FigureWidget) for f in e.figures.values())
    assert {"data_family", "g_family", "g_weight2", "shift"} <= set(e.controls)
    assert e.controls["shift"].continuous_update is True
    # The slider's grid is the sweep's grid, so the marker sits on a sweep point.
    s = e.controls["shift"]
    np.testing.assert_allclose(e.shifts, np.arange(s.min, s.max + s.step / 2, s.step), atol=1e-12)
    assert e.error is None
    assert_fresh(e)


def test_markers_equal_the_scalar_core_at_the_current_shift():
    e = DivergenceExplorer()
    e.controls["shift"].value = 0.7
    tr = traces(e.figure)
    assert tr["now: JS, V"].y[0] == pytest.approx(gv.js_divergence(e.p_data, e.p_g), abs=1e-10)
    assert tr["now: JS, V"].y[1] == pytest.approx(gv.value_function(e.p_data, e.p_g), abs=1e-9)
    # Gaussians of equal width: closed forms for W1 and KL.
    assert tr["now: W1, KL"].y[0] == pytest.approx(0.7, abs=1e-3)
    assert tr["now: W1, KL"].y[1] == pytest.approx(0.7**2 / (2 * 0.5**2), rel=1e-8)


def test_moving_the_shift_moves_markers_not_curves():
    e = DivergenceExplorer()
    js_before = np.array(traces(e.figure)["JS"].y)
    sweep_before = e.sweep
    e.controls["shift"].value = -3.3
    assert e.sweep is sweep_before
    np.testing.assert_array_equal(traces(e.figure)["JS"].y, js_before)
    assert e.p_g.mean == pytest.approx(-3.3)
    assert_fresh(e)


def test_disjoint_uniforms_js_sticks_at_log2_while_w1_grows():
    e = DivergenceExplorer()
    c = e.controls
    for prefix in ("data", "g"):
        c[f"{prefix}_family"].value = "Uniform"
        c[f"{prefix}_low"].value, c[f"{prefix}_high"].value = 0.0, 1.0
    values = {}
    for shift in (2.0, 4.0):
        c["shift"].value = shift
        tr = traces(e.figure)
        js, value = tr["now: JS, V"].y
        values[shift] = tr["now: W1, KL"].y[0]
        assert js == pytest.approx(LOG2, abs=1e-12)
        assert value == pytest.approx(0.0, abs=1e-12)
        assert table(e)["KL(P_data‖P_g)"] == "∞"
        assert table(e)["KL(P_g‖P_data)"] == "∞"
        assert e.figures["value"].data[0].value == pytest.approx(0.0, abs=1e-12)
    assert values[2.0] == pytest.approx(2.0, abs=1e-9)  # W1 = the distance moved
    assert values[4.0] == pytest.approx(4.0, abs=1e-9)
    # the sweep curve: log 2 everywhere the supports are disjoint (|t| ≥ 1)
    far = np.abs(e.shifts) >= 1.0 + 1e-9
    np.testing.assert_allclose(np.asarray(traces(e.figure)["JS"].y)[far], LOG2, atol=1e-12)
    assert_fresh(e)


def test_invalid_shape_keeps_the_message_even_when_the_shift_moves():
    e = DivergenceExplorer()
    e.controls["g_family"].value = "Mixture of two Gaussians"
    e.controls["g_weight1"].value = 0.0
    before = np.array(traces(e.figure)["JS"].y)
    e.controls["g_weight2"].value = 0.0
    assert e.error and "weights" in e.error and "P_g" in html.unescape(e.message.value)
    np.testing.assert_array_equal(traces(e.figure)["JS"].y, before)
    e.controls["shift"].value = 1.0  # the message must stay: the shape is still invalid
    assert e.error and "weights" in e.error
    assert_fresh(e)
    e.controls["g_weight2"].value = 0.5
    assert e.error is None and e.drawn_shift == 1.0
    assert_fresh(e)


def test_uniform_with_low_above_high_is_a_message():
    e = DivergenceExplorer()
    e.controls["data_family"].value = "Uniform"
    e.controls["data_high"].value = -2.0
    assert e.error and "low must be < high" in e.error
    assert_fresh(e)


def test_200_random_moves_leave_no_exception_and_no_stale_trace():
    rng = np.random.default_rng(5)
    e = DivergenceExplorer()
    names = sorted(e.controls)
    for _ in range(200):
        name = str(rng.choice(names + ["shift"] * 6))  # slide often, as a learner does
        w = e.controls[name]
        if isinstance(w, widgets.FloatSlider):
            steps = round((w.max - w.min) / w.step)
            w.value = w.min + w.step * int(rng.integers(0, steps + 1))
        else:
            w.value = w.options[int(rng.integers(len(w.options)))]
        assert_fresh(e)


def test_rejects_a_bad_shift_range():
    with pytest.raises(ValueError, match="shift_range"):
        DivergenceExplorer(shift_range=(2, 1))


def test_set_changes_several_controls_at_once():
    e = DivergenceExplorer()
    e.set(data_family="Uniform", data_low=0.0, data_high=1.0, shift=-2.0)
    assert isinstance(e.p_data, gv.Uniform) and e.drawn_shift == -2.0
    assert_fresh(e)
    e.set(data_low=3.0)
    assert e.error and "low must be < high" in e.error
    with pytest.raises(ValueError, match="unknown control"):
        e.set(bogus=1)
