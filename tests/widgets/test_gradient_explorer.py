"""VanishingGradientExplorer, headless: its figures show exactly what the core computes."""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import pytest
from plotkit import trace, values

import ganviz as gv
from ganviz.plots.gradients import FLOOR, arrow_trace_name, curve_trace_name, marker_trace_name
from ganviz.widgets.gradients import VanishingGradientExplorer


def expected_pair(explorer, dim=1):
    """The pair the controls describe, built here from their meaning."""
    c = explorer.controls
    delta, sd, sg = c["separation"].value, c["data_spread"].value, c["fake_spread"].value
    if c["family"].value == "gaussian":
        if dim == 1:
            return gv.Gaussian(0.0, sd), gv.Gaussian(delta, sg)
        return gv.Gaussian([0, 0], std=sd), gv.Gaussian([delta, 0], cov=[[sg**2, 0], [0, sd**2]])
    a, b = math.sqrt(3) * sd, math.sqrt(3) * sg
    if dim == 1:
        return gv.Uniform(-a, a), gv.Uniform(delta - b, delta + b)
    return gv.Uniform([-a, -a], [a, a]), gv.Uniform([delta - b, -a], [delta + b, a])


def assert_cheap_state(explorer):
    """What every move must leave: nothing stale in the marks, densities and arrows."""
    data, fake = expected_pair(explorer)
    delta = explorer.controls["separation"].value
    figs = explorer.panels
    assert figs["gradients"].layout.shapes[0].x0 == pytest.approx(delta)
    for loss in gv.LOSSES:
        now = trace(figs["gradients"], marker_trace_name(loss))
        assert now.x[0] == pytest.approx(delta)
    fakes = fake.sample(explorer.n_fakes, seed=explorer.seed)
    np.testing.assert_allclose(explorer.fakes, fakes)
    if explorer.controls["view"].value == 1:
        d_fakes = gv.optimal_discriminator(data, fake, fakes)
        arrows = figs["arrows"]
        xs = values(trace(arrows, "p_g").x)
        np.testing.assert_allclose(values(trace(arrows, "p_g").y), fake.pdf(xs), atol=1e-15)
        np.testing.assert_allclose(values(trace(arrows, "p_data").y), data.pdf(xs), atol=1e-15)
        np.testing.assert_allclose(values(trace(arrows, "fake").x), fakes)
    else:
        data2, fake2 = expected_pair(explorer, 2)
        field = figs["field"]
        fakes2 = np.column_stack([values(trace(field, "fake").x), values(trace(field, "fake").y)])
        np.testing.assert_allclose(fakes2, fake2.sample(explorer.n_field_samples, seed=1))
        d_fakes = gv.optimal_discriminator(data2, fake2, fakes2)
    marks = trace(figs["losses"], marker_trace_name("minimax"))
    np.testing.assert_allclose(values(marks.x), d_fakes, atol=1e-15)


def assert_full_state(explorer):
    """Every panel equals the core on the current controls."""
    assert_cheap_state(explorer)
    data, fake = expected_pair(explorer)
    figs = explorer.panels
    for loss in gv.LOSSES:
        now = trace(figs["gradients"], marker_trace_name(loss))
        expected = max(abs(gv.generator_gradient(data, fake, loss)), FLOOR)
        assert now.y[0] == pytest.approx(expected, rel=1e-6)
        curve = trace(figs["gradients"], curve_trace_name(loss))
        seps, ys = values(curve.x), values(curve.y)
        for i in (0, len(seps) // 2, len(seps) - 1):
            shifted = expected_pair(explorer)[1].shift(
                seps[i] - explorer.controls["separation"].value
            )
            core = max(abs(gv.generator_gradient(data, shifted, loss)), FLOOR)
            assert ys[i] == pytest.approx(core, rel=1e-6)
    if explorer.controls["view"].value == 1:
        fakes = fake.sample(explorer.n_fakes, seed=explorer.seed)
        grads = {loss: gv.sample_gradients(data, fake, fakes, loss) for loss in gv.LOSSES}
        drawn = {}
        for loss in gv.LOSSES:
            ax = values(trace(figs["arrows"], arrow_trace_name(loss)).x)
            np.testing.assert_allclose(ax[0::3], fakes)
            drawn[loss] = ax[1::3] - ax[0::3]
        # one scale for all lanes: drawn = −scale·∂ℓ/∂x
        big = max(gv.LOSSES, key=lambda loss: np.abs(grads[loss]).max())
        scale = (
            -drawn[big][np.argmax(np.abs(grads[big]))] / grads[big][np.argmax(np.abs(grads[big]))]
        )
        assert scale > 0
        for loss in gv.LOSSES:
            np.testing.assert_allclose(drawn[loss], -scale * grads[loss], rtol=1e-9, atol=1e-12)
    else:
        data2, fake2 = expected_pair(explorer, 2)
        heat = trace(figs["field"], "D(x)")
        gx, gy = np.meshgrid(values(heat.x), values(heat.y))
        np.testing.assert_allclose(
            np.asarray(heat.z, dtype=float),
            gv.optimal_discriminator(data2, fake2, np.stack([gx, gy], axis=-1)),
        )


def test_builds_with_no_arguments_and_shows_the_core():
    explorer = VanishingGradientExplorer()
    assert isinstance(explorer, widgets.VBox)
    # one FigureWidget (each ships plotly.js to the browser) holding every panel
    assert list(explorer.figures) == ["1-D"] and isinstance(explorer.figure, go.FigureWidget)
    assert list(explorer.panels) == ["gradients", "losses", "arrows"]
    assert len(explorer.figure.data) == sum(len(p.data) for p in explorer.panels.values())
    assert set(explorer.controls) >= {"separation", "data_spread", "fake_spread", "family", "view"}
    assert explorer.controls["separation"].continuous_update
    data, fake = expected_pair(explorer)
    assert (explorer.p_data.mean, explorer.p_g.mean) == (data.mean, fake.mean)
    assert_full_state(explorer)


def test_far_apart_the_minimax_gradient_dies_and_the_others_survive():
    explorer = VanishingGradientExplorer()
    explorer.controls["separation"].value = 10.0
    now = {
        loss: trace(explorer.panels["gradients"], marker_trace_name(loss)).y[0]
        for loss in gv.LOSSES
    }
    assert now["minimax"] < 1e-4 * now["nonsaturating"]
    assert now["nonsaturating"] == pytest.approx(10.0, rel=1e-3)  # Δ/σ²·E[1 − D*] → Δ/σ²
    assert now["wgan"] == pytest.approx(1.0)
    # the fakes sit where the minimax cost is flat
    assert np.max(explorer.d_fakes) < 1e-6
    assert_full_state(explorer)


def test_disjoint_uniforms_zero_both_d_star_gradients():
    explorer = VanishingGradientExplorer()
    explorer.controls["family"].value = "uniform"
    explorer.controls["separation"].value = 6.0
    fig = explorer.panels["gradients"]
    assert trace(fig, marker_trace_name("minimax")).y[0] == FLOOR
    assert trace(fig, marker_trace_name("nonsaturating")).y[0] == FLOOR
    assert trace(fig, marker_trace_name("wgan")).y[0] == pytest.approx(1.0)
    assert fig.layout.annotations[0].visible
    assert_full_state(explorer)


def test_two_d_view_draws_the_field():
    explorer = VanishingGradientExplorer(dim=2)
    assert explorer.p_data.dim == 2 and list(explorer.figures) == ["2-D"]
    explorer.controls["arrows"].value = "wgan"
    explorer.controls["separation"].value = 3.0
    assert_full_state(explorer)
    explorer.controls["view"].value = 1
    assert explorer.p_data.dim == 1 and list(explorer.figures) == ["2-D", "1-D"]
    assert explorer.children[-1].children[0] is explorer.figure  # the view shown is this one
    assert_full_state(explorer)
    explorer.controls["fake_spread"].value = 0.4  # the hidden 2-D figure is not touched …
    explorer.controls["view"].value = 2  # … and is brought up to date when shown again
    assert_full_state(explorer)


def test_invalid_spread_shows_a_message_and_keeps_the_figures():
    explorer = VanishingGradientExplorer()
    before = values(trace(explorer.panels["arrows"], "p_data").y)
    explorer.controls["data_spread"].value = 0.0
    assert explorer.error and "spread of P_data must be > 0" in explorer.error
    assert "point mass" in explorer.message.value
    np.testing.assert_array_equal(values(trace(explorer.panels["arrows"], "p_data").y), before)
    explorer.controls["data_spread"].value = 1.5
    assert explorer.error is None and explorer.message.value == ""
    assert_full_state(explorer)


def test_two_hundred_random_moves_leave_no_exception_and_no_stale_trace():
    explorer = VanishingGradientExplorer()
    rng = np.random.default_rng(2014)
    c = explorer.controls
    choices = {
        "separation": lambda: round(float(rng.uniform(0, 12)), 1),
        "data_spread": lambda: round(float(rng.choice([0.0, *rng.uniform(0.2, 3, 9)])), 2),
        "fake_spread": lambda: round(float(rng.uniform(0.2, 3)), 2),
        "family": lambda: str(rng.choice(["gaussian", "uniform"])),
        "view": lambda: int(rng.choice([1, 2], p=[0.8, 0.2])),
        "arrows": lambda: str(rng.choice(gv.LOSSES)),
    }
    names = list(choices)
    for move in range(200):
        name = names[int(rng.integers(len(names)))]
        c[name].value = choices[name]()
        if c["data_spread"].value == 0.0:
            assert explorer.error  # shown, not raised
            c["data_spread"].value = 1.0
        assert explorer.error is None
        assert_cheap_state(explorer)
        if move % 50 == 49:
            assert_full_state(explorer)


def test_set_changes_several_controls_with_one_redraw():
    explorer = VanishingGradientExplorer()
    explorer.set(separation=8.0, fake_spread=0.5, family="uniform")
    assert explorer.p_g.mean == pytest.approx(8.0)
    assert_full_state(explorer)
    explorer.set(data_spread=0.0)
    assert "spread of P_data" in explorer.error
    with pytest.raises(ValueError, match="unknown control"):
        explorer.set(bogus=1)


def test_display_shows_changes_made_before_it():
    """A view first renders from the widget state: it must be the current figure."""
    explorer = VanishingGradientExplorer()
    explorer.set(separation=9.0)
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    state = explorer.figure.get_state()["_widget_data"]
    shown = [t for t in state if t.get("name") == marker_trace_name("minimax")]
    assert shown[0]["x"][0] == pytest.approx(9.0)
