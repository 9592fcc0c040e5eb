"""divergence_fit_figure: the traces hold P_data, every fit and the chosen landscape."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from plotkit import trace

from ganviz import f_divergences as fd
from ganviz.plots.divergence_fit import (
    DIVERGENCE_FIT_TRACES,
    divergence_fit_figure,
    fit_trace_name,
    landscape_colour_range,
    update_divergence_fit_figure,
)

DATA = fd.mixture_of_modes()
LAND = fd.divergence_landscape(DATA)


def test_figure_has_the_documented_traces_in_order():
    fig = divergence_fit_figure(DATA, LAND, objective="kl_reverse")
    assert isinstance(fig, go.Figure)
    assert tuple(t.name for t in fig.data) == DIVERGENCE_FIT_TRACES
    x = np.asarray(trace(fig, "p_data").x)
    np.testing.assert_allclose(trace(fig, "p_data").y, DATA.pdf(x))
    for name in fd.OBJECTIVES:
        fit = trace(fig, fit_trace_name(name))
        np.testing.assert_allclose(fit.y, LAND.minima[name].pdf(x))
        assert fit.line.width == (4.0 if name == "kl_reverse" else 1.6)
    land = trace(fig, "landscape")
    np.testing.assert_array_equal(land.x, LAND.lattice.means)
    np.testing.assert_array_equal(land.y, LAND.lattice.stds)
    np.testing.assert_allclose(land.z, LAND.values["kl_reverse"])
    star = trace(fig, "minimum")
    assert star.x[0] == pytest.approx(LAND.minima["kl_reverse"].mean)
    assert star.y[0] == pytest.approx(LAND.minima["kl_reverse"].std)
    np.testing.assert_allclose(trace(fig, "P_data modes").x, [-1.75, 1.75])
    assert fig.layout.yaxis2.type == "log"


def test_infinite_values_are_blank_and_the_colour_scale_covers_the_basins():
    fig = divergence_fit_figure(DATA, LAND, objective="pearson")
    z = np.array(trace(fig, "landscape").z, dtype=float)
    assert np.isnan(z).any()  # Pearson χ² = ∞ where 2σ² ≤ 0.5²
    np.testing.assert_array_equal(np.isnan(z), np.isinf(LAND.values["pearson"]))
    low, high = landscape_colour_range(LAND.values["pearson"])
    assert low == pytest.approx(np.nanmin(z)) and high > low


def test_update_in_place_equals_a_fresh_figure():
    fig = divergence_fit_figure(DATA, LAND, objective="js")
    other = fd.mixture_of_modes(3, 6.0, 0.3, 0.7)
    land = fd.divergence_landscape(other)
    update_divergence_fit_figure(fig, other, land, objective="w1")
    fresh = divergence_fit_figure(other, land, objective="w1")
    for a, b in zip(fig.data, fresh.data, strict=True):
        for key in ("x", "y", "z"):
            if key in b:
                np.testing.assert_allclose(
                    np.asarray(a[key], dtype=float), np.asarray(b[key], dtype=float)
                )
    assert fig.layout.title.text == fresh.layout.title.text


def test_unknown_objective_is_refused():
    with pytest.raises(ValueError, match="objective"):
        divergence_fit_figure(DATA, LAND, objective="tv")
