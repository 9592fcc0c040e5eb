"""The vanishing-gradient plots draw exactly what the core computes."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from plotkit import trace, values

import ganviz as gv
from ganviz.fitting import gradient_curves
from ganviz.plots.gradients import (
    FLOOR,
    arrow_trace_name,
    curve_trace_name,
    generator_loss_figure,
    marker_trace_name,
    sample_arrows_figure,
    update_generator_loss_figure,
    update_sample_arrows_figure,
    update_vanishing_gradient_figure,
    vanishing_gradient_figure,
)
from ganviz.plots.style import LOSS_COLOURS

# -- generator cost against D(G(z)) ------------------------------------------------------------


def test_loss_curves_are_the_core_costs_and_their_logit_derivatives():
    fig = generator_loss_figure(n=101)
    for cost in gv.GENERATOR_COSTS:
        curve = trace(fig, curve_trace_name(cost))
        d = values(curve.x)
        np.testing.assert_allclose(values(curve.y), gv.generator_cost(d, cost))
        slope = trace(fig, f"∂J · {cost}")
        np.testing.assert_allclose(
            values(slope.y), gv.generator_cost_gradient(d, cost, wrt="logit")
        )
        assert curve.line.color == LOSS_COLOURS[cost]
    # the tutorial's picture: flat minimax and steep −log D where fakes are rejected
    d = values(trace(fig, curve_trace_name("minimax")).x)
    assert abs(gv.generator_cost_gradient(d[0], "minimax")) < 1e-2
    assert abs(gv.generator_cost_gradient(d[0], "nonsaturating")) > 0.99


def test_loss_marks_sit_on_the_curves_and_are_pinned_to_the_view():
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(3, 1)
    fakes = fake.sample(30, seed=0)
    d_fakes = gv.optimal_discriminator(data, fake, fakes)
    fig = go.FigureWidget(generator_loss_figure(d_fakes, wrt="d", cost_range=(-6, 5)))
    ids = [id(t) for t in fig.data]
    for cost in ("minimax", "nonsaturating"):
        marks = trace(fig, marker_trace_name(cost))
        np.testing.assert_allclose(values(marks.x), d_fakes)
        np.testing.assert_allclose(
            values(marks.y), np.clip(gv.generator_cost(d_fakes, cost), -6, 5)
        )
        slope = trace(fig, f"now ∂J · {cost}")
        np.testing.assert_allclose(
            values(slope.y), np.clip(gv.generator_cost_gradient(d_fakes, cost, wrt="d"), -10, 0.5)
        )
    update_generator_loss_figure(fig, [0.0, 1.0])
    assert [id(t) for t in fig.data] == ids
    marks = trace(fig, marker_trace_name("nonsaturating"))
    np.testing.assert_allclose(values(marks.y), [5.0, 0.0])  # −log 0 = inf pinned to the top


def test_loss_figure_rejects_bad_input():
    with pytest.raises(ValueError, match="d_fakes"):
        generator_loss_figure([0.5, 1.5])
    with pytest.raises(ValueError, match="costs must be one of"):
        generator_loss_figure(costs=("hinge",))
    with pytest.raises(ValueError, match="wrt"):
        generator_loss_figure(wrt="x")


# -- |gradient| against separation --------------------------------------------------------------


def test_vanishing_curves_equal_the_core_and_mark_the_current_pair():
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(5, 0.8)
    seps = np.linspace(0.2, 10, 25)
    fig = vanishing_gradient_figure(data, fake, seps)
    assert fig.layout.yaxis.type == "log"
    for loss in gv.LOSSES:
        curve = trace(fig, curve_trace_name(loss))
        expected = [abs(gv.generator_gradient(data, gv.Gaussian(s, 0.8), loss)) for s in seps]
        np.testing.assert_allclose(values(curve.x), seps)
        np.testing.assert_allclose(values(curve.y), expected, rtol=1e-7)
        now = trace(fig, marker_trace_name(loss))
        assert now.x[0] == pytest.approx(5.0)
        assert now.y[0] == pytest.approx(abs(gv.generator_gradient(data, fake, loss)))
        assert curve.line.color == LOSS_COLOURS[loss]
    assert fig.layout.shapes[0].x0 == pytest.approx(5.0)
    assert not fig.layout.annotations[0].visible  # nothing below the floor


def test_exact_zeros_are_drawn_at_the_floor_and_announced():
    """Disjoint uniforms: D* is flat on the fakes, both D*-gradients are exactly 0."""
    data = gv.Uniform(-1, 1)
    fig = vanishing_gradient_figure(data, data.shift(4.0), np.linspace(0.5, 8, 16))
    for loss in ("minimax", "nonsaturating"):
        ys = values(trace(fig, curve_trace_name(loss)).y)
        assert np.all(np.isfinite(ys)) and np.all(ys > 0)  # never NaN, never 0 on a log axis
        np.testing.assert_array_equal(ys, FLOOR)
    np.testing.assert_allclose(values(trace(fig, curve_trace_name("wasserstein")).y), 1.0)
    note = fig.layout.annotations[0]
    assert note.visible and "1e-300" in note.text
    assert fig.layout.yaxis.range[0] < np.log10(FLOOR)


def test_vanishing_update_in_place():
    data = gv.Gaussian(0, 1)
    seps = np.linspace(0.5, 12, 20)
    fig = go.FigureWidget(vanishing_gradient_figure(data, gv.Gaussian(2, 1), seps))
    ids = [id(t) for t in fig.data]
    fake = gv.Gaussian(9, 1)
    update_vanishing_gradient_figure(fig, data, fake, seps)
    assert [id(t) for t in fig.data] == ids
    assert fig.layout.shapes[0].x0 == pytest.approx(9.0)
    now = trace(fig, marker_trace_name("minimax"))
    assert now.y[0] == pytest.approx(abs(gv.generator_gradient(data, fake, "minimax")), rel=1e-9)
    # with precomputed curves, the marks move and the curves stay
    curves = {loss: np.full(20, 0.5) for loss in gv.LOSSES}
    update_vanishing_gradient_figure(fig, data, fake, seps, curves=curves, redraw_curves=False)
    ys = values(trace(fig, curve_trace_name("nonsaturating")).y)
    expected = np.abs(gradient_curves(data, gv.Gaussian(0, 1), seps)["nonsaturating"])
    np.testing.assert_allclose(ys, expected, rtol=1e-12)
    with pytest.raises(ValueError, match="one value per separation"):
        update_vanishing_gradient_figure(fig, data, fake, seps, curves={"minimax": [1.0]})


def test_vanishing_figure_is_one_d_only():
    with pytest.raises(ValueError, match="theory_field"):
        vanishing_gradient_figure(gv.Gaussian([0, 0]), gv.Gaussian([3, 0]))


# -- per-sample arrows ---------------------------------------------------------------------


def test_arrows_start_on_the_fakes_and_follow_minus_the_core_gradient():
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(3.5, 0.7)
    fakes = fake.sample(15, seed=3)
    fig = sample_arrows_figure(data, fake, fakes, arrow_scale=0.25, n=200)
    xs = values(trace(fig, "p_data").x)
    np.testing.assert_allclose(values(trace(fig, "p_data").y), data.pdf(xs))
    np.testing.assert_allclose(values(trace(fig, "p_g").y), fake.pdf(xs))
    np.testing.assert_allclose(
        values(trace(fig, "D*(x)").y), gv.optimal_discriminator(data, fake, xs)
    )
    np.testing.assert_allclose(values(trace(fig, "fake").x), fakes)
    for k, loss in enumerate(gv.LOSSES):
        arrows = trace(fig, arrow_trace_name(loss))
        ax, ay = values(arrows.x), values(arrows.y)
        np.testing.assert_allclose(ax[0::3], fakes)
        pull = -gv.sample_gradients(data, fake, fakes, loss)
        np.testing.assert_allclose(ax[1::3] - ax[0::3], 0.25 * pull, atol=1e-12)
        assert np.all(np.abs(ay[0::3] + (k + 1)) <= 0.35 + 1e-12)  # each loss in its own lane
        # one row per fake, rising with x: no two arrows of a lane drawn on top of each other
        np.testing.assert_array_equal(np.argsort(ay[0::3]), np.argsort(fakes))
        assert len(np.unique(ay[0::3])) == len(fakes)
        assert np.all(np.isnan(ax[2::3]))


def test_vanished_minimax_arrows_have_no_heads():
    data, fake = gv.Gaussian(0, 0.5), gv.Gaussian(8, 0.5)
    fig = sample_arrows_figure(data, fake, n_fakes=12)
    minimax = values(trace(fig, arrow_trace_name("minimax")).marker.size)
    nonsat = values(trace(fig, arrow_trace_name("nonsaturating")).marker.size)
    assert np.all(minimax == 0)
    assert np.all(nonsat[1::3] > 0)


def test_arrows_update_in_place_and_return_the_gradients():
    data = gv.Gaussian(0, 1)
    fig = go.FigureWidget(sample_arrows_figure(data, gv.Gaussian(2, 1), n=150))
    ids = [id(t) for t in fig.data]
    fake = gv.Uniform(3, 5)
    fakes = np.array([3.2, 4.0, 4.9])
    grads = update_sample_arrows_figure(fig, data, fake, fakes, arrow_scale=1.0)
    assert [id(t) for t in fig.data] == ids
    for loss in gv.LOSSES:
        np.testing.assert_allclose(grads[loss], gv.sample_gradients(data, fake, fakes, loss))
        ax = values(trace(fig, arrow_trace_name(loss)).x)
        np.testing.assert_allclose(ax[1::3] - ax[0::3], -grads[loss], atol=1e-12)
    np.testing.assert_allclose(values(trace(fig, "p_g").y), fake.pdf(values(trace(fig, "p_g").x)))


def test_arrow_figure_rejects_two_d_and_bad_scale():
    with pytest.raises(ValueError, match="theory_field"):
        sample_arrows_figure(gv.Gaussian([0, 0]), gv.Gaussian([3, 0]))
    with pytest.raises(ValueError, match="arrow_scale"):
        sample_arrows_figure(gv.Gaussian(0, 1), gv.Gaussian(3, 1), arrow_scale=-1)
