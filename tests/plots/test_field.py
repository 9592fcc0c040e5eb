"""The shared 2-D discriminator field draws exactly what the core computes."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import ganviz as gv
from ganviz.plots import (
    FIELD_TRACES,
    discriminator_field,
    snapshot_figure,
    theory_field,
    update_discriminator_field,
)
from ganviz.plots.field import ARROW_POINTS


def trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_theory_field_heatmap_is_d_star_and_arrows_follow_the_loss():
    data, fake = gv.Gaussian([0, 0], std=1), gv.Gaussian([2, 1], std=0.7)
    fig = theory_field(data, fake, loss="minimax", n=40, n_samples=30, arrow_scale=0.5)
    assert [t.name for t in fig.data] == list(FIELD_TRACES)
    heat = trace(fig, "D(x)")
    gx, gy = np.meshgrid(heat.x, heat.y)
    expected = gv.optimal_discriminator(data, fake, np.stack([gx, gy], axis=-1))
    np.testing.assert_allclose(np.asarray(heat.z), expected)
    fakes = np.column_stack([trace(fig, "fake").x, trace(fig, "fake").y])
    arrows = trace(fig, "−∂ℓ/∂x")
    tails = np.column_stack([arrows.x[0::ARROW_POINTS], arrows.y[0::ARROW_POINTS]])
    tips = np.column_stack([arrows.x[1::ARROW_POINTS], arrows.y[1::ARROW_POINTS]])
    np.testing.assert_allclose(tails, fakes)
    pull = -gv.sample_gradients(data, fake, fakes, "minimax")
    drawn = tips - tails
    long = np.linalg.norm(0.5 * pull, axis=1) > 0.2 * np.hypot(np.ptp(heat.x), np.ptp(heat.y))
    np.testing.assert_allclose(drawn[~long], 0.5 * pull[~long], atol=1e-12)
    # clipped arrows keep their direction
    if long.any():
        cos = np.sum(drawn[long] * pull[long], axis=1) / (
            np.linalg.norm(drawn[long], axis=1) * np.linalg.norm(pull[long], axis=1)
        )
        np.testing.assert_allclose(cos, 1.0)


def test_update_in_place_changes_data_not_traces():
    data = gv.Gaussian([0, 0], std=1)
    fig = go.FigureWidget(theory_field(data, gv.Gaussian([2, 0], std=1), n=30, n_samples=10))
    ids = [id(t) for t in fig.data]
    xs = ys = np.linspace(-3, 3, 30)
    d = np.full((30, 30), 0.25)
    update_discriminator_field(fig, xs, ys, d, fake=np.zeros((5, 2)))
    assert [id(t) for t in fig.data] == ids
    np.testing.assert_allclose(np.asarray(fig.data[0].z), 0.25)
    assert len(trace(fig, "fake").x) == 5 and len(trace(fig, "real").x) == 0


def test_snapshot_figure_draws_a_trainer_snapshot():
    xs, ys = np.linspace(-2, 2, 20), np.linspace(-1, 1, 10)
    snap = gv.Snapshot(
        step=7,
        real=np.zeros((4, 2)),
        fake=np.ones((3, 2)),
        loss="wgan-gp",
        grid_x=xs,
        grid_y=ys,
        d_grid=np.random.default_rng(0).normal(size=(10, 20)),
        d_is_probability=False,
        fake_gradients=np.ones((3, 2)),
        manifold=np.zeros((4, 4, 2)),
    )
    fig = snapshot_figure(snap)
    assert "step 7" in fig.layout.title.text
    assert trace(fig, "D = ½").visible is False  # no ½ contour for a critic
    np.testing.assert_allclose(np.asarray(trace(fig, "D(x)").z), snap.d_grid)
    assert np.isnan(np.asarray(trace(fig, "manifold").x, dtype=float)).sum() == 8


def test_field_rejects_mismatched_shapes():
    xs = ys = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="shape"):
        discriminator_field(xs, ys, np.zeros((4, 5)))
    with pytest.raises(ValueError, match="fake_gradients"):
        discriminator_field(
            xs, ys, np.zeros((5, 5)), fake=np.zeros((3, 2)), fake_gradients=[[1, 1]]
        )
    with pytest.raises(ValueError, match="2-D"):
        theory_field(gv.Gaussian(0, 1), gv.Gaussian(1, 1))


def test_critic_colour_scale_follows_the_critic_offset():
    """A critic is defined up to a constant: the scale centres on its median, not on 0."""
    xs, ys = np.linspace(-2, 2, 20), np.linspace(-1, 1, 10)
    scores = np.arange(200.0).reshape(10, 20) + 50
    snap = gv.Snapshot(
        step=1,
        real=np.zeros((4, 2)),
        fake=np.ones((3, 2)),
        grid_x=xs,
        grid_y=ys,
        d_grid=scores,
        d_is_probability=False,
    )
    fig = go.FigureWidget(snapshot_figure(snap))
    assert fig.data[0].zmid == pytest.approx(np.median(scores))
    update_discriminator_field(fig, xs, ys, scores - 1000)
    assert fig.data[0].zmid == pytest.approx(np.median(scores) - 1000)
    probability = go.FigureWidget(discriminator_field(xs, ys, np.full((10, 20), 0.3)))
    assert probability.data[0].zmid is None and probability.data[0].zmax == 1


def arrow_parts(fig) -> dict[str, np.ndarray]:
    """Tails, tips and both barb ends of the field's arrows, each (n, 2), read from the
    one polyline: tail, tip, barb, tip, barb, gap."""
    arrows = trace(fig, "−∂ℓ/∂x")
    points = np.column_stack([np.asarray(arrows.x, float), np.asarray(arrows.y, float)])
    per_arrow = points.reshape(-1, ARROW_POINTS, 2)
    assert np.isnan(per_arrow[:, 5]).all()  # a gap ends every arrow
    np.testing.assert_array_equal(per_arrow[:, 1], per_arrow[:, 3])  # both barbs leave the tip
    return {"tail": per_arrow[:, 0], "tip": per_arrow[:, 1], "barbs": per_arrow[:, [2, 4]]}


def test_vanished_gradients_draw_no_arrow_heads_and_live_ones_do():
    # disjoint uniform boxes: D* is 0 on every fake, so the minimax pull is exactly 0
    data, fake = gv.Uniform([-2, -2], [2, 2]), gv.Uniform([3, -2], [6, 2])
    vanished = arrow_parts(theory_field(data, fake, loss="minimax", n=30, n_samples=20))
    np.testing.assert_array_equal(vanished["barbs"][:, 0], vanished["tip"])
    np.testing.assert_array_equal(vanished["barbs"][:, 1], vanished["tip"])
    live_fig = theory_field(gv.Gaussian([0, 0], std=1), gv.Gaussian([2, 1], std=0.7), n=30)
    live = arrow_parts(live_fig)
    shaft = live["tip"] - live["tail"]
    heat = trace(live_fig, "D(x)")
    diagonal = np.hypot(np.ptp(heat.x), np.ptp(heat.y))
    for side in (0, 1):
        barb = live["barbs"][:, side] - live["tip"]
        length = np.linalg.norm(barb, axis=1)
        # each barb points back along the shaft at 25°, 1.5 % of the view's diagonal long
        # (0.4 of a shorter arrow)
        expected = np.minimum(0.015 * diagonal, 0.4 * np.linalg.norm(shaft, axis=1))
        np.testing.assert_allclose(length, expected, rtol=1e-9)
        cosine = -np.sum(barb * shaft, axis=1) / (length * np.linalg.norm(shaft, axis=1))
        np.testing.assert_allclose(cosine, np.cos(np.radians(25.0)), rtol=1e-9)
    # the two barbs lie on either side of the shaft
    barbs = [live["barbs"][:, side] - live["tip"] for side in (0, 1)]
    cross = [shaft[:, 0] * b[:, 1] - shaft[:, 1] * b[:, 0] for b in barbs]
    assert np.all(cross[0] * cross[1] < 0)
