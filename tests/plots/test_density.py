"""density_plot / critic_plot: traces equal closed forms and the core, updates happen in place."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy import stats

import ganviz as gv
from ganviz.plots import style
from ganviz.plots.density import (
    DENSITY_TRACES,
    critic_plot,
    density_plot,
    plot_axis,
    update_density_plot,
)


def traces(fig):
    return {t.name: t for t in fig.data}


def test_traces_are_the_closed_form_densities_and_d_star():
    fig = density_plot(gv.Gaussian(0.0, 1.0), gv.Gaussian(2.0, 0.7))
    assert tuple(t.name for t in fig.data) == DENSITY_TRACES
    tr = traces(fig)
    x = np.asarray(tr["D*(x)"].x)
    p = stats.norm.pdf(x, 0.0, 1.0)
    q = stats.norm.pdf(x, 2.0, 0.7)
    np.testing.assert_allclose(tr["p_data"].y, p, rtol=1e-12)
    np.testing.assert_allclose(tr["p_g"].y, q, rtol=1e-12)
    np.testing.assert_allclose(tr["D*(x)"].y, p / (p + q), rtol=1e-12, atol=1e-15)
    assert len(x) == 200  # the documented default resolution


def test_colour_language_and_second_axis():
    fig = density_plot(gv.Gaussian(0, 1), gv.Gaussian(1, 1))
    tr = traces(fig)
    assert tr["p_data"].line.color == style.DATA
    assert tr["p_g"].line.color == style.FAKE
    assert tr["D*(x)"].line.color == style.DISCRIMINATOR
    assert tr["D*(x)"].yaxis == "y2" and tr["D = ½"].yaxis == "y2"
    np.testing.assert_array_equal(tr["D = ½"].y, [0.5, 0.5])
    lo, hi = fig.layout.yaxis2.range
    assert lo <= 0.0 and 1.0 <= hi < 1.1
    assert fig.layout.yaxis2.overlaying == "y"


def test_shading_fills_between_min_and_each_density():
    p, q = gv.Gaussian(0, 1), gv.Gaussian(1.5, 0.5)
    tr = traces(density_plot(p, q))
    x = np.asarray(tr["p_data"].x)
    low = np.minimum(stats.norm.pdf(x, 0, 1), stats.norm.pdf(x, 1.5, 0.5))
    np.testing.assert_allclose(tr["base of p_data > p_g"].y, low, rtol=1e-12)
    assert tr["p_data > p_g"].fill == "tonexty" and tr["p_g > p_data"].fill == "tonexty"
    # The two shaded areas add up to ∫|p − q| = 2·TV.
    area = np.trapezoid(np.asarray(tr["p_data > p_g"].y) - low, x) + np.trapezoid(
        np.asarray(tr["p_g > p_data"].y) - low, x
    )
    assert area == pytest.approx(2 * gv.total_variation(p, q), abs=5e-3)
    hidden = traces(density_plot(p, q, shade=False))
    assert hidden["p_data > p_g"].visible is False


def test_uniform_edges_are_drawn_as_vertical_steps():
    fig = density_plot(gv.Uniform(-1, 1), gv.Gaussian(0, 1))
    x = np.asarray(traces(fig)["p_data"].x)
    y = np.asarray(traces(fig)["p_data"].y)
    assert -1.0 in x and 1.0 in x
    i = int(np.nonzero(x == 1.0)[0][0])
    assert y[i] == pytest.approx(0.5) and y[i + 1] == 0.0 and x[i + 1] - x[i] < 1e-6
    assert np.all(np.diff(x) > 0)


def test_critic_is_linear_where_d_star_saturates():
    # Far apart (WGAN paper Fig. 2): D* is 1 then 0, the critic keeps slope ±1.
    p, q = gv.Gaussian(0.0, 0.3), gv.Gaussian(6.0, 0.3)
    fig = density_plot(p, q, show_critic=True)
    tr = traces(fig)
    assert tr["f*(x)"].visible is True and tr["f*(x)"].yaxis == "y3"
    x, f = np.asarray(tr["f*(x)"].x), np.asarray(tr["f*(x)"].y)
    d = np.asarray(tr["D*(x)"].y)
    between = (x > 1.5) & (x < 4.5)
    assert np.all(d[(x > -0.5) & (x < 0.5)] > 0.999) and np.all(d[(x > 5.5) & (x < 6.5)] < 1e-3)
    slope = np.diff(f) / np.diff(x)
    # f*' = sign(F_g − F_data), from scipy's normal CDFs
    mid = 0.5 * (x[1:] + x[:-1])
    expected = np.sign(stats.norm.cdf(mid, 6, 0.3) - stats.norm.cdf(mid, 0, 0.3))
    np.testing.assert_allclose(slope[between[1:]], expected[between[1:]], atol=1e-9)
    assert np.all(np.abs(slope) <= 1 + 1e-9)
    np.testing.assert_allclose(f, gv.optimal_critic(p, q, x), atol=1e-12)


def test_critic_hidden_by_default():
    fig = density_plot(gv.Gaussian(0, 1), gv.Gaussian(1, 1))
    assert traces(fig)["f*(x)"].visible is False
    assert fig.layout.yaxis3.visible is False


def test_update_in_place_redraws_the_new_pair():
    fig = go.FigureWidget(density_plot(gv.Gaussian(0, 1), gv.Gaussian(1, 1)))
    before = list(fig.data)
    p, q = gv.Mixture([gv.Gaussian(-2, 0.5), gv.Gaussian(2, 0.5)]), gv.Uniform(-1, 3)
    curves = update_density_plot(fig, p, q, show_critic=True)
    assert list(fig.data) == before  # same trace objects
    tr = traces(fig)
    x = np.asarray(tr["D*(x)"].x)
    np.testing.assert_array_equal(x, curves["x"])
    np.testing.assert_allclose(tr["D*(x)"].y, gv.optimal_discriminator(p, q, x))
    np.testing.assert_allclose(tr["p_g"].y, np.where((x >= -1) & (x <= 3), 0.25, 0.0))
    assert tr["f*(x)"].visible is True
    np.testing.assert_allclose(tr["f*(x)"].y, gv.optimal_critic(p, q, x))
    update_density_plot(fig, p, q, show_critic=False, shade=False)
    assert traces(fig)["f*(x)"].visible is False and traces(fig)["p_data > p_g"].visible is False


def test_explicit_x_and_plot_axis():
    x = np.linspace(-3, 3, 31)
    fig = density_plot(gv.Gaussian(0, 1), gv.Gaussian(1, 1), x=x)
    np.testing.assert_array_equal(traces(fig)["D*(x)"].x, x)
    axis = plot_axis(gv.Gaussian(0, 1), gv.Gaussian(0, 1), n=50)
    assert len(axis) == 50 and axis[0] < -4 and axis[-1] > 4


def test_rejects_two_dimensional_and_non_distributions():
    with pytest.raises(ValueError, match="1-D"):
        density_plot(gv.Gaussian([0, 0], std=1), gv.Gaussian([1, 0], std=1))
    with pytest.raises(ValueError, match="p_g"):
        density_plot(gv.Gaussian(0, 1), "not a distribution")
    with pytest.raises(ValueError, match="1-D"):
        critic_plot(gv.Gaussian([0, 0], std=1), gv.Gaussian([1, 0], std=1))


def test_critic_plot_has_both_panels():
    p, q = gv.Gaussian(0, 0.5), gv.Gaussian(5, 0.5)
    fig = critic_plot(p, q)
    tr = traces(fig)
    x = np.asarray(tr["D*(x)"].x)
    np.testing.assert_allclose(tr["D*(x)"].y, gv.optimal_discriminator(p, q, x))
    np.testing.assert_allclose(tr["f*(x)"].y, gv.optimal_critic(p, q, x))
    assert tr["D*(x)"].xaxis != tr["f*(x)"].xaxis or tr["D*(x)"].yaxis != tr["f*(x)"].yaxis
