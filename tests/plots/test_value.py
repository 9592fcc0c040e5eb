"""value_figure and sweep_figure: V on its gauge, the divergence table, the shift sweep."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy.spatial.distance import jensenshannon

import ganviz as gv
from ganviz.plots.value import (
    SWEEP_TRACES,
    format_value,
    sweep_figure,
    update_sweep_figure,
    update_value_figure,
    value_figure,
)
from ganviz.sweeps import shift_sweep

LOG2, LOG4 = math.log(2), math.log(4)
SHIFTS = np.linspace(-6, 6, 121)


def table(fig) -> dict[str, str]:
    names, values, _ = fig.data[2].cells.values
    return dict(zip(names, values, strict=True))


def test_format_value():
    assert format_value(math.inf) == "∞"
    assert format_value(-math.inf) == "−∞"
    assert format_value(0.123456) == "0.1235"
    assert format_value(-1.5) == "−1.5000"
    assert format_value(-1e-12) == "0.0000"
    assert format_value(float("nan")) == "—"


def test_gauge_shows_v_and_the_number_beside_it_shows_two_js_minus_log4():
    p, q = gv.Gaussian(0, 1), gv.Gaussian(1.5, 0.8)
    fig = value_figure(p, q)
    gauge, number, _ = fig.data
    assert gauge.mode == "gauge+number" and number.mode == "number"
    assert tuple(gauge.gauge.axis.range) == pytest.approx((-LOG4, 0.0))
    # V from its definition; JS from scipy's independent discrete JS on a fine grid.
    assert gauge.value == pytest.approx(gv.value_function(p, q), abs=1e-9)
    x = np.linspace(-12, 12, 200_001)
    js_scipy = jensenshannon(p.pdf(x), q.pdf(x)) ** 2  # scipy returns sqrt(JS), in nats
    assert number.value == pytest.approx(2 * js_scipy - 2 * LOG2, abs=1e-6)
    assert gauge.value == pytest.approx(number.value, abs=1e-8)
    rows = table(fig)
    assert rows["V(G, D*)"] == rows["2·JS − 2·log 2"] == format_value(gauge.value)


def test_table_shows_infinity_as_a_symbol():
    fig = value_figure(gv.Gaussian(0, 1), gv.Uniform(-1, 1))
    rows = table(fig)
    assert rows["KL(P_data‖P_g)"] == "∞"  # Gaussian tails where the uniform has nothing
    assert rows["KL(P_g‖P_data)"] != "∞"
    assert float(rows["KL(P_g‖P_data)"].replace("−", "-")) == pytest.approx(
        gv.kl_divergence(gv.Uniform(-1, 1), gv.Gaussian(0, 1)), abs=1e-4
    )


def test_value_figure_takes_divergences_and_labels_w1():
    divs = gv.divergences(gv.Gaussian(0, 1), gv.Gaussian(3, 1))
    fig = value_figure(divs, w1_label="W1 ≈ (OT, 128 samples)")
    rows = table(fig)
    assert rows["W1 ≈ (OT, 128 samples)"] == format_value(divs.w1) == "3.0000"
    with pytest.raises(ValueError, match="Divergences"):
        value_figure(1.0)


def test_update_value_figure_in_place():
    fig = go.FigureWidget(value_figure(gv.Gaussian(0, 1), gv.Gaussian(0, 1)))
    assert fig.data[0].value == pytest.approx(-LOG4, abs=1e-9)  # P_g = P_data
    disjoint = gv.divergences(gv.Uniform(0, 1), gv.Uniform(5, 6))
    update_value_figure(fig, disjoint)
    assert fig.data[0].value == pytest.approx(0.0, abs=1e-12)  # disjoint supports
    assert fig.data[1].value == pytest.approx(0.0, abs=1e-12)
    assert table(fig)["JS(P_data‖P_g)"] == format_value(LOG2)
    assert table(fig)["KL(P_data‖P_g)"] == "∞" and table(fig)["W1"] == "5.0000"


def test_sweep_figure_draws_the_sweep_and_marks_the_current_shift():
    p, q = gv.Gaussian(0, 0.5), gv.Gaussian(0, 0.5)
    sweep = shift_sweep(p, q, SHIFTS)
    fig = sweep_figure(sweep, current_shift=2.0)
    assert tuple(t.name for t in fig.data) == SWEEP_TRACES
    tr = {t.name: t for t in fig.data}
    np.testing.assert_array_equal(tr["JS"].x, SHIFTS)
    np.testing.assert_allclose(tr["JS"].y, sweep.js)
    np.testing.assert_allclose(tr["2·JS − 2·log 2 = V"].y, 2 * sweep.js - 2 * LOG2)
    np.testing.assert_allclose(tr["log 2 (JS ceiling)"].y, [LOG2, LOG2])
    np.testing.assert_allclose(tr["−log 4 (V floor)"].y, [-LOG4, -LOG4])
    # The lesson in numbers: far apart, JS is at its ceiling while W1 = |t| keeps growing.
    assert tr["JS"].y[0] == pytest.approx(LOG2, abs=1e-7)
    np.testing.assert_allclose(tr["W1"].y, np.abs(SHIFTS), atol=2e-3)
    # Markers at the current shift: the sweep point there.
    i = sweep.index_of(2.0)
    np.testing.assert_allclose(tr["now: JS, V"].x, [2.0, 2.0])
    np.testing.assert_allclose(tr["now: JS, V"].y, [sweep.js[i], sweep.value[i]])
    np.testing.assert_allclose(tr["now: t (top)"].x, [2.0, 2.0])
    np.testing.assert_allclose(tr["now: t (bottom)"].x, [2.0, 2.0])
    assert tuple(tr["now: t (bottom)"].y) == (0.0, fig.layout.yaxis2.range[1])


def test_infinite_kl_is_a_gap_with_a_band_not_a_huge_value():
    sweep = shift_sweep(gv.Gaussian(0, 1), gv.Uniform(-1, 1), SHIFTS)
    fig = sweep_figure(sweep)
    tr = {t.name: t for t in fig.data}
    kl = np.asarray(tr["KL(P_data‖P_g)"].y, dtype=float)
    assert np.all(np.isnan(kl))  # infinite everywhere: no curve at all
    band = np.asarray(tr["KL(P_data‖P_g) = ∞"].y, dtype=float)
    top = fig.layout.yaxis2.range[1]
    assert np.all(band <= top) and np.all(band > 0.9 * top)
    # the band sits in a strip labelled ∞, above the last number on the axis (never "KL = 10")
    axis = fig.layout.yaxis2
    numbers = [v for v, text in zip(axis.tickvals, axis.ticktext, strict=True) if text != "∞"]
    infinity = [v for v, text in zip(axis.tickvals, axis.ticktext, strict=True) if text == "∞"]
    assert np.all(band > max(numbers)) and len(infinity) == 1
    assert abs(infinity[0] - band[0]) < 0.05 * top
    assert np.all(np.isfinite(np.asarray(tr["KL(P_g‖P_data)"].y, dtype=float)))
    assert np.all(np.isnan(np.asarray(tr["KL(P_g‖P_data) = ∞"].y, dtype=float)))
    assert top < 100  # the axis follows W1, never an astronomically large KL


def test_sweep_figure_from_distributions_and_exact_current_markers():
    p, q = gv.Gaussian(0, 1), gv.Gaussian(1, 0.5)
    current = gv.divergences(p, q.shift(0.35))
    fig = sweep_figure(p, q, shifts=SHIFTS, current_shift=0.35, current=current)
    tr = {t.name: t for t in fig.data}
    np.testing.assert_allclose(tr["now: JS, V"].y, [current.js, current.value])
    np.testing.assert_allclose(
        tr["now: W1, KL"].y, [current.w1, current.kl_data_g, current.kl_g_data]
    )
    with pytest.raises(ValueError, match="ShiftSweep"):
        sweep_figure("not a sweep")


def test_update_sweep_figure_moves_markers_only_when_asked():
    p, q = gv.Gaussian(0, 1), gv.Gaussian(0, 1)
    sweep = shift_sweep(p, q, SHIFTS)
    fig = go.FigureWidget(sweep_figure(sweep, current_shift=0.0))
    other = shift_sweep(p, gv.Gaussian(0, 0.3), SHIFTS)
    update_sweep_figure(fig, other, current_shift=1.0, markers_only=True)
    tr = {t.name: t for t in fig.data}
    np.testing.assert_allclose(tr["JS"].y, sweep.js)  # curves untouched
    np.testing.assert_allclose(tr["now: JS, V"].x, [1.0, 1.0])
    np.testing.assert_allclose(tr["now: t (top)"].x, [1.0, 1.0])
    update_sweep_figure(fig, other, current_shift=-1.0)
    np.testing.assert_allclose({t.name: t for t in fig.data}["JS"].y, other.js)
