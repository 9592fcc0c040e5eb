"""OptimalDiscriminatorExplorer, headless: traces equal the core, errors become messages."""

from __future__ import annotations

import html
import math
import re

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import pytest
from scipy import stats

import ganviz as gv
from ganviz.plots.density import plot_axis
from ganviz.plots.field import ARROW_POINTS, auto_arrow_scale
from ganviz.plots.value import format_value
from ganviz.widgets import discriminator
from ganviz.widgets.discriminator import (
    W1_SAMPLES_2D,
    OptimalDiscriminatorExplorer,
    pair_divergences,
)

LOG2, LOG4 = math.log(2), math.log(4)

TEXTS = {
    1: ["-1, 0.5, 2", "0 0.1 0.2 3.5", "−2, −1.5", "", "x, 1", "1.5"],
    2: ["0, 0\n1, 1\n2, 0", "-1, -1\n1, 1", "", "1, 2\n3", "a, b", "0.5, 0.5"],
}


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


def figure_state(explorer) -> list:
    """A deep snapshot of every trace's data, to prove a figure did not change."""
    out = []
    for fig in explorer.figures.values():
        for t in fig.data:
            for key in ("x", "y", "z", "value"):
                if key in t and t[key] is not None:
                    out.append(np.array(t[key], dtype=object))
            if t.type == "table":
                out.append(np.array(t.cells.values, dtype=object))
    out.append(np.array([explorer.value_panel.table.value], dtype=object))
    return out


def assert_same_state(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b, strict=True):
        assert u.shape == v.shape and all(
            (x == y) or (x != x and y != y) for x, y in zip(u.ravel(), v.ravel(), strict=True)
        )


def assert_value_figure_fresh(explorer, w1_label="W1"):
    divs = pair_divergences(explorer.p_data, explorer.p_g)
    gauge, number = explorer.figures["value"].data
    assert gauge.value == pytest.approx(np.clip(divs.value, -LOG4, 0), abs=1e-12)
    assert number.value == pytest.approx(divs.two_js_minus_log4, abs=1e-12)
    rows = table(explorer)
    assert rows["JS(P_data‖P_g)"] == format_value(divs.js)
    assert rows["KL(P_data‖P_g)"] == format_value(divs.kl_data_g)
    assert rows["KL(P_g‖P_data)"] == format_value(divs.kl_g_data)
    assert rows["TV"] == format_value(divs.tv)
    assert rows[w1_label] == format_value(divs.w1)


def assert_fresh_1d(e: OptimalDiscriminatorExplorer):
    """Every trace equals a fresh computation from e.p_data / e.p_g."""
    tr = traces(e.figures["density"])
    x = np.asarray(tr["D*(x)"].x)
    np.testing.assert_array_equal(x, plot_axis(e.p_data, e.p_g))
    np.testing.assert_allclose(tr["D*(x)"].y, gv.optimal_discriminator(e.p_data, e.p_g, x))
    np.testing.assert_allclose(tr["p_data"].y, e.p_data.pdf(x))
    np.testing.assert_allclose(tr["p_g"].y, e.p_g.pdf(x))
    assert tr["f*(x)"].visible is e.show_critic
    assert tr["p_data > p_g"].visible is e.shade
    if e.show_critic:
        np.testing.assert_allclose(tr["f*(x)"].y, gv.optimal_critic(e.p_data, e.p_g, x))
    assert_value_figure_fresh(e)
    assert_sendable(e.figures["density"])
    if e.error is None:  # the distributions are the ones the controls describe
        assert e.show_critic is e.controls["show_critic"].value
        assert repr(e.p_data) == repr(e.data_panel.distribution())
        assert repr(e.p_g) == repr(e.g_panel.distribution().shift(e.controls["shift"].value))


def assert_fresh_2d(e: OptimalDiscriminatorExplorer):
    tr = traces(e.figures["field"])
    xs, ys = np.asarray(tr["D(x)"].x), np.asarray(tr["D(x)"].y)
    ex, ey = gv.view_axes(e.p_data, e.p_g, n=e.n_grid)
    np.testing.assert_allclose(xs, ex)
    np.testing.assert_allclose(ys, ey)
    gx, gy = np.meshgrid(xs, ys)
    plane = np.stack([gx, gy], axis=-1)
    d = gv.optimal_discriminator(e.p_data, e.p_g, plane.reshape(-1, 2)).reshape(gx.shape)
    np.testing.assert_allclose(np.asarray(tr["D(x)"].z, dtype=float), d, atol=1e-12)
    np.testing.assert_allclose(np.asarray(tr["D = ½"].z, dtype=float), d, atol=1e-12)
    np.testing.assert_allclose(np.asarray(tr["p_data"].z, dtype=float), e.p_data.pdf(plane))
    np.testing.assert_allclose(np.asarray(tr["p_g"].z, dtype=float), e.p_g.pdf(plane))
    fake = e.p_g.sample(e.n_samples, seed=e.seed + 1)
    real = (
        e.p_data.points
        if isinstance(e.p_data, gv.Empirical)
        else e.p_data.sample(e.n_samples, seed=e.seed)
    )
    np.testing.assert_allclose(tr["fake"].x, fake[:, 0])
    np.testing.assert_allclose(tr["fake"].y, fake[:, 1])
    np.testing.assert_allclose(tr["real"].x, real[:, 0])
    # Arrows: tail at each fake, tip along −∂ℓ/∂x of the selected loss.
    loss = e.loss  # the loss drawn (the dropdown may hold a newer one while invalid)
    pull = -gv.sample_gradients(e.p_data, e.p_g, fake, loss, seed=e.seed)
    # Minimax arrows share the non-saturating arrows' scale, so vanishing shows.
    reference = pull if loss == "wgan" else -gv.sample_gradients(e.p_data, e.p_g, fake)
    scale = auto_arrow_scale(xs, ys, reference)
    ax, ay = np.asarray(tr["−∂ℓ/∂x"].x, dtype=float), np.asarray(tr["−∂ℓ/∂x"].y, dtype=float)
    np.testing.assert_allclose(ax[0::ARROW_POINTS], fake[:, 0])
    np.testing.assert_allclose(ax[1::ARROW_POINTS], fake[:, 0] + scale * pull[:, 0], atol=1e-9)
    np.testing.assert_allclose(ay[1::ARROW_POINTS], fake[:, 1] + scale * pull[:, 1], atol=1e-9)
    assert_sendable(e.figures["field"])
    if e.error is None:
        assert e.loss == e.controls["loss"].value
        assert repr(e.p_data) == repr(e.data_panel.distribution())
    divs = gv.divergences(e.p_data, e.p_g, n_samples=W1_SAMPLES_2D)
    assert e.figures["value"].data[0].value == pytest.approx(np.clip(divs.value, -LOG4, 0))
    assert table(e)[f"W1 ≈ (OT, {W1_SAMPLES_2D} samples)"] == format_value(divs.w1)


def random_move(e, rng) -> None:
    name = str(rng.choice(sorted(e.controls)))
    w = e.controls[name]
    if isinstance(w, widgets.FloatSlider):
        steps = round((w.max - w.min) / w.step)
        w.value = w.min + w.step * int(rng.integers(0, steps + 1))
    elif isinstance(w, widgets.Dropdown):
        w.value = w.options[int(rng.integers(len(w.options)))]
    elif isinstance(w, widgets.Checkbox):
        w.value = bool(rng.integers(2))
    else:
        w.value = TEXTS[e.dim][int(rng.integers(len(TEXTS[e.dim])))]


# -- 1-D -----------------------------------------------------------------------------


def test_builds_with_no_arguments_and_exposes_its_parts():
    e = OptimalDiscriminatorExplorer()
    assert isinstance(e, widgets.VBox) and e.dim == 1
    assert set(e.figures) == {"density", "value"} and e.figure is e.figures["density"]
    assert all(isinstance(f, go.FigureWidget) for f in e.figures.values())
    assert {"data_family", "data_mean", "g_std", "shift", "show_critic"} <= set(e.controls)
    assert e.controls["shift"].continuous_update is True
    assert isinstance(e.p_data, gv.Gaussian) and isinstance(e.p_g, gv.Gaussian)
    assert e.p_g.mean == pytest.approx(2.0)  # the default shift
    assert e.error is None
    assert_fresh_1d(e)
    bundle = e._repr_mimebundle_()  # what Jupyter calls to display it
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "D*(x)" in [t.name for t in e.figure.data]


def test_controls_shape_the_distributions_and_d_star_is_the_closed_form():
    e = OptimalDiscriminatorExplorer()
    c = e.controls
    c["data_mean"].value, c["data_std"].value = 1.0, 0.5
    c["g_mean"].value, c["g_std"].value, c["shift"].value = -1.0, 0.8, 0.5
    tr = traces(e.figure)
    x = np.asarray(tr["D*(x)"].x)
    p, q = stats.norm.pdf(x, 1.0, 0.5), stats.norm.pdf(x, -0.5, 0.8)
    np.testing.assert_allclose(tr["D*(x)"].y, p / (p + q), atol=1e-14)
    np.testing.assert_allclose(tr["p_g"].y, q)
    gauge, number = e.figures["value"].data
    assert gauge.value == pytest.approx(gv.value_function(e.p_data, e.p_g), abs=1e-9)
    assert number.value == pytest.approx(2 * gv.js_divergence(e.p_data, e.p_g) - 2 * LOG2)
    w1 = float(table(e)["W1"])
    assert w1 == pytest.approx(gv.wasserstein_distance(e.p_data, e.p_g), abs=2e-4)


def test_mixture_uniform_and_your_points_families():
    e = OptimalDiscriminatorExplorer()
    c = e.controls
    c["data_family"].value = "Mixture of two Gaussians"
    c["data_weight1"].value = 0.2
    assert isinstance(e.p_data, gv.Mixture)
    np.testing.assert_allclose(e.p_data.weights, [0.2 / 0.7, 0.5 / 0.7])
    c["g_family"].value = "Uniform"
    assert isinstance(e.p_g, gv.Uniform) and e.p_g.low == pytest.approx(-1.0 + 2.0)
    assert table(e)["KL(P_data‖P_g)"] == "∞"
    c["data_family"].value = "Your points"
    c["data_points"].value = "-1, 0.5, 2"
    assert isinstance(e.p_data, gv.Empirical)
    np.testing.assert_allclose(e.p_data.points, [-1, 0.5, 2])
    c["data_bandwidth"].value = 0.3
    assert e.p_data.bandwidth == pytest.approx(0.3)
    assert_fresh_1d(e)
    # Only the current family's sliders are on display.
    assert e.data_panel._boxes["Your points"].layout.display == ""
    assert e.data_panel._boxes["Gaussian"].layout.display == "none"


def test_show_critic_and_shade_toggle_in_place():
    e = OptimalDiscriminatorExplorer()
    e.controls["show_critic"].value = True
    assert traces(e.figure)["f*(x)"].visible is True
    assert_fresh_1d(e)
    e.controls["shade"].value = False
    assert traces(e.figure)["p_data > p_g"].visible is False


@pytest.mark.parametrize(
    ("moves", "needle"),
    [
        ({"data_family": "Uniform", "data_low": 2.0}, "low must be < high"),
        ({"g_family": "Mixture of two Gaussians", "g_weight1": 0.0, "g_weight2": 0.0}, "weights"),
        ({"data_family": "Your points", "data_points": "1, two, 3"}, "not a number"),
        ({"data_family": "Your points", "data_points": ""}, "at least one"),
    ],
)
def test_invalid_combinations_show_a_message_and_keep_the_last_figures(moves, needle):
    e = OptimalDiscriminatorExplorer()
    before, p_data, p_g = None, None, None
    for name, value in moves.items():
        before, p_data, p_g = figure_state(e), e.p_data, e.p_g
        e.controls[name].value = value  # must not raise
    assert e.error is not None and needle in e.error
    assert needle in html.unescape(e.message.value) and "⚠" in e.message.value
    assert e.p_data is p_data and e.p_g is p_g
    assert_same_state(before, figure_state(e))
    assert_fresh_1d(e)


def test_error_clears_when_the_controls_are_valid_again():
    e = OptimalDiscriminatorExplorer()
    e.controls["data_family"].value = "Uniform"
    e.controls["data_low"].value = 3.0
    assert e.error
    e.controls["data_low"].value = -3.0
    assert e.error is None and e.message.value == ""
    assert e.p_data.low == pytest.approx(-3.0)


def test_200_random_moves_1d_leave_no_exception_and_no_stale_trace():
    rng = np.random.default_rng(3)
    e = OptimalDiscriminatorExplorer()
    errors = 0
    for _ in range(200):
        random_move(e, rng)
        errors += e.error is not None
        assert_fresh_1d(e)
    assert errors < 200  # the walk also visits valid states


# -- 2-D -----------------------------------------------------------------------------


def test_2d_builds_and_draws_the_exact_field():
    e = OptimalDiscriminatorExplorer(dim=2)
    assert set(e.figures) == {"field", "value"} and e.figure is e.figures["field"]
    assert {"shift_x", "shift_y", "loss", "data_rho"} <= set(e.controls)
    assert e.p_data.dim == 2 and e.error is None
    assert_fresh_2d(e)
    e.controls["loss"].value = "minimax"
    assert_fresh_2d(e)
    e.controls["data_family"].value = "Mixture of two Gaussians"
    e.controls["g_family"].value = "Uniform"
    assert_fresh_2d(e)


def test_2d_singular_covariance_is_a_message():
    e = OptimalDiscriminatorExplorer(dim=2)
    before = figure_state(e)
    e.controls["data_rho"].value = 1.0
    assert e.error and "positive definite" in e.error
    assert_same_state(before, figure_state(e))
    e.controls["data_rho"].value = 0.6
    assert e.error is None
    np.testing.assert_allclose(e.p_data.covariance, [[1, 0.6], [0.6, 1]])


def test_a_failure_in_the_divergences_leaves_every_figure_as_it_was(monkeypatch):
    """Everything that can fail is computed before anything is drawn."""
    e = OptimalDiscriminatorExplorer(dim=2, n_samples=40)
    before, p_g = figure_state(e), e.p_g
    drawn = []
    monkeypatch.setattr(e, "_draw", lambda arrays: drawn.append(arrays))
    monkeypatch.setattr(e.value_panel, "show", lambda *a, **k: drawn.append("table"))

    def refuse(p_data, p_g):
        raise ValueError("these divergences are refused")

    monkeypatch.setattr(discriminator, "pair_divergences", refuse)
    e.controls["shift_x"].value = 3.0
    assert e.error and "refused" in e.error
    assert drawn == [] and e.p_g is p_g
    assert_same_state(before, figure_state(e))
    monkeypatch.undo()
    e.controls["shift_x"].value = 2.5
    assert e.error is None and e.p_g.mean[0] == pytest.approx(2.5)
    assert table(e)["TV"] == format_value(pair_divergences(e.p_data, e.p_g).tv)


def click(fig, x, y):
    """What the browser sends when the heatmap is clicked at (x, y)."""
    fig._js2py_pointsCallback = {
        "event_type": "plotly_click",
        "points": {"xs": [x], "ys": [y], "point_indexes": [[0, 0]], "trace_indexes": [0]},
        "device_state": {"ctrl": False, "alt": False, "shift": False, "meta": False},
        "selector": None,
    }


def test_clicks_build_an_empirical_p_data():
    e = OptimalDiscriminatorExplorer(dim=2)
    click(e.figure, 0.5, -0.25)
    assert isinstance(e.p_data, gv.Empirical)
    np.testing.assert_allclose(e.p_data.points, [[0.5, -0.25]])
    click(e.figure, 1.5, 1.25)
    np.testing.assert_allclose(e.p_data.points, [[0.5, -0.25], [1.5, 1.25]])
    assert e.controls["data_family"].value == "Your points"
    assert_fresh_2d(e)
    np.testing.assert_allclose(traces(e.figure)["real"].x, [0.5, 1.5])  # the clicked points
    e.clear_points()
    assert e.error and "at least one point" in e.error
    click(e.figure, -1.0, 2.0)
    assert e.error is None
    np.testing.assert_allclose(e.p_data.points, [[-1.0, 2.0]])


def test_points_text_box_in_2d():
    e = OptimalDiscriminatorExplorer(dim=2)
    e.controls["data_family"].value = "Your points"
    e.controls["data_points"].value = "0, 0\n1, 1\n\n2, 0"
    np.testing.assert_allclose(e.p_data.points, [[0, 0], [1, 1], [2, 0]])
    e.controls["data_points"].value = "0, 0\n1"
    assert e.error and "line 2" in e.error


def test_200_random_moves_2d_leave_no_exception_and_no_stale_trace():
    rng = np.random.default_rng(4)
    e = OptimalDiscriminatorExplorer(dim=2, n_samples=60)
    e.n_grid = 40  # a coarser plane keeps 200 moves quick; the code path is the same
    for i in range(200):
        random_move(e, rng)
        if i % 4 == 0 or e.error is not None:  # full check often; it costs a few ms
            assert_fresh_2d(e)
    assert_fresh_2d(e)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="dim"):
        OptimalDiscriminatorExplorer(dim=3)
    with pytest.raises(ValueError, match="loss"):
        OptimalDiscriminatorExplorer(dim=2, loss="hinge")


def test_set_changes_several_controls_with_one_redraw():
    e = OptimalDiscriminatorExplorer()
    redraws = []
    original = e.update
    e.update = lambda: (redraws.append(1), original())[1]
    e.set(data_family="Uniform", data_low=-1.0, data_high=1.0, shift=3.0)
    assert len(redraws) == 1
    assert isinstance(e.p_data, gv.Uniform) and e.p_g.mean == pytest.approx(3.0)
    assert_fresh_1d(e)
    e.set(data_low=2.0)  # invalid: a message, not an exception
    assert e.error and "low must be < high" in e.error
    with pytest.raises(ValueError, match="unknown control"):
        e.set(no_such_control=1)


def assert_sendable(fig) -> None:
    """Every 1-D array a FigureWidget holds must be a contiguous buffer.

    In a live kernel ipywidgets sends 1-D numeric arrays as binary buffers and
    refuses strided views ("Buffer 0 is not contiguous"); without a kernel
    nothing is sent, so check the property here.
    """
    for trace in fig._data:
        for key, value in trace.items():
            if isinstance(value, np.ndarray) and value.ndim == 1:
                assert value.flags["C_CONTIGUOUS"], (trace.get("name"), key)


def test_2d_figure_data_are_contiguous_buffers_after_updates():
    e = OptimalDiscriminatorExplorer(dim=2, n_samples=50)
    e.set(shift_x=1.0, loss="minimax")
    assert_sendable(e.figure)
    e.add_point(0.0, 0.0)
    e.add_point(1.0, 0.5)
    assert e.error is None and len(e.p_data.points) == 2
    assert_sendable(e.figure)
    for fig in e.figures.values():
        assert_sendable(fig)


def test_old_loss_spelling_selects_the_wasserstein_arrows():
    e = OptimalDiscriminatorExplorer(dim=2, loss="wasserstein", n_samples=40)
    assert e.loss == "wgan" == e.controls["loss"].value
    assert e.error is None
