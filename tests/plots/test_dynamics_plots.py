"""Geometry of the Dirac-GAN figures: arrows, the stability disc, the log distance axis."""

from __future__ import annotations

import numpy as np
import pytest

from ganviz.plots.dynamics import (
    DISTANCE_TRACES,
    EIGENVALUE_TRACES,
    VECTOR_FIELD_TRACES,
    distance_figure,
    dynamics_figure,
    eigenvalue_figure,
    quiver_segments,
    stability_circle,
    update_distance_figure,
    update_eigenvalue_figure,
    update_vector_field_figure,
    vector_field_figure,
)


def test_quiver_segments_point_along_the_field_with_square_root_lengths():
    theta = np.array([0.0, 1.0, 2.0, 3.0])
    psi = np.zeros(4)
    u = np.array([1.0, 0.0, -4.0, 0.0])
    v = np.array([0.0, 2.0, 0.0, 0.0])
    xs, ys, sizes = quiver_segments(theta, psi, u, v, cell=1.0)
    assert xs.shape == ys.shape == sizes.shape == (12,)
    assert np.isnan(xs[2::3]).all() and np.isnan(ys[2::3]).all()
    np.testing.assert_array_equal(xs[0::3], theta)
    drawn = np.stack([xs[1::3] - xs[0::3], ys[1::3] - ys[0::3]], axis=1)
    # longest arrow (|v| = 4) is 0.9 cells; the others scale with √(|v|/4)
    np.testing.assert_allclose(
        np.linalg.norm(drawn, axis=1), 0.9 * np.sqrt([0.25, 0.5, 1.0, 0.0]), atol=1e-15
    )
    np.testing.assert_allclose(drawn[2], [-0.9, 0.0])
    np.testing.assert_allclose(drawn[1], [0.0, 0.9 * np.sqrt(0.5)])
    assert sizes[1::3].tolist() == [7.0, 7.0, 7.0, 0.0]  # no head on the zero arrow


def test_quiver_of_a_zero_field_has_no_lengths():
    xs, ys, _sizes = quiver_segments([0.0, 1.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0])
    np.testing.assert_array_equal(xs[1::3], xs[0::3])
    np.testing.assert_array_equal(ys[1::3], ys[0::3])
    with pytest.raises(ValueError, match="same number"):
        quiver_segments([0.0, 1.0], [0.0], [0.0, 0.0], [0.0, 0.0])


@pytest.mark.parametrize("h", [0.05, 0.3, 2.0])
def test_stability_circle_is_the_boundary_of_the_step_size_disc(h):
    x, y = stability_circle(h)
    lam = x + 1j * y
    np.testing.assert_allclose(np.abs(1 + h * lam), 1.0, atol=1e-12)
    assert x.max() == pytest.approx(0.0, abs=1e-12)  # it touches the imaginary axis at 0
    assert x.min() == pytest.approx(-2.0 / h)
    with pytest.raises(ValueError, match="step_size"):
        stability_circle(0.0)


def test_vector_field_figure_traces_and_update():
    axis = np.linspace(-2, 2, 5)
    zeros = np.zeros((5, 5))
    traj = np.array([[1.0, 1.0], [0.5, 1.2], [0.2, 0.9]])
    fig = vector_field_figure(axis, axis, zeros + 1.0, zeros, trajectory=traj, clip=1.0)
    assert [t.meta for t in fig.data] == list(VECTOR_FIELD_TRACES)
    assert len(fig.layout.shapes) == 2  # the two bands |ψ| > 1
    assert fig.layout.yaxis.scaleanchor == "x"
    traces = {t.meta: t for t in fig.data}
    assert list(traces["trajectory"].x) == [1.0, 0.5, 0.2]
    assert (traces["start"].x[0], traces["start"].y[0]) == (1.0, 1.0)
    update_vector_field_figure(fig, trajectory=traj[:1] * 2, clip=np.inf)
    assert list(traces["trajectory"].x) == [2.0]
    assert len(fig.layout.shapes) == 0
    with pytest.raises(ValueError, match="v_theta"):
        vector_field_figure(axis, axis, np.zeros((4, 5)), np.zeros((4, 5)))


def test_distance_figure_is_logarithmic_and_predicts_rho_to_the_n():
    traj = np.array([[3.0, 4.0], [1.5, 2.0], [0.0, 0.0], [np.nan, np.nan]])
    fig = distance_figure(traj, rate=0.5)
    assert [t.meta for t in fig.data] == list(DISTANCE_TRACES)
    assert fig.layout.yaxis.type == "log"
    shown = np.array([np.nan if v is None else v for v in fig.data[0].y], dtype=float)
    np.testing.assert_array_equal(shown[:2], [5.0, 2.5])
    assert np.isnan(shown[2:]).all()  # 0 cannot sit on a log axis; NaN = diverged
    np.testing.assert_allclose(fig.data[1].y, 5.0 * 0.5 ** np.arange(4))
    update_distance_figure(fig, traj[:2], rate=None)
    assert len(fig.data[1].y) == 0 and len(fig.data[0].y) == 2


def test_eigenvalue_figure_draws_update_eigenvalues_on_the_same_scale():
    lam = np.array([0.5j, -0.5j])
    mu = 1 + 0.2 * lam
    fig = eigenvalue_figure(lam, 0.2, step_eigenvalues=mu)
    assert [t.meta for t in fig.data] == list(EIGENVALUE_TRACES)
    np.testing.assert_allclose(fig.data[2].x, [0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(fig.data[2].y, [0.5, -0.5])
    update_eigenvalue_figure(fig, np.array([-3.0 + 0j, -0.1 + 0j]), 0.5)
    assert fig.layout.xaxis.range[0] <= -3.0 and len(fig.data[2].x) == 0


def test_dynamics_figure_puts_three_panels_in_one_and_updates_them():
    axis = np.linspace(-2, 2, 5)
    zeros = np.zeros((5, 5))
    traj = np.array([[1.0, 1.0], [0.5, 1.2]])
    combined = dynamics_figure(
        vector_field_figure(axis, axis, zeros, zeros, trajectory=traj, clip=1.0),
        distance_figure(traj, rate=0.9, title="distance"),
        eigenvalue_figure(np.array([0.5j, -0.5j]), 0.2, title="eigenvalues"),
    )
    names = [t.meta for t in combined.data]
    assert sorted(names) == sorted([*VECTOR_FIELD_TRACES, *DISTANCE_TRACES, *EIGENVALUE_TRACES])
    axes = {t.meta: (t.xaxis, t.yaxis) for t in combined.data}
    assert axes["trajectory"] == ("x", "y")
    assert axes["λ of J"] == ("x2", "y2") and axes["distance"] == ("x3", "y3")
    assert combined.layout.yaxis3.type == "log"
    assert combined.layout.yaxis.scaleanchor == "x" and combined.layout.yaxis2.scaleanchor == "x2"
    assert len(combined.layout.shapes) == 2
    update_eigenvalue_figure(combined, np.array([-4.0 + 0j, -0.1 + 0j]), 0.5)
    assert combined.layout.xaxis2.range[0] <= -4.0  # the eigenvalue panel's own axes
    assert combined.layout.xaxis.range[0] == -2.0  # the field panel is untouched
    update_distance_figure(combined, np.array([[2.0, 0.0], [1.0, 0.0]]), rate=0.5)
    (distance,) = [t for t in combined.data if t.meta == "distance"]
    np.testing.assert_array_equal(distance.y, [2.0, 1.0])


def test_linearised_prediction_stays_within_a_decade_of_the_data():
    traj = np.array([[1.0, 0.0]] * 50)  # the run stays put
    fig = distance_figure(traj, rate=2.0)  # while the linearisation doubles each step
    predicted = np.array([np.nan if v is None else v for v in fig.data[1].y], dtype=float)
    assert np.nanmax(predicted) <= 10.0 and np.isnan(predicted[-1])
