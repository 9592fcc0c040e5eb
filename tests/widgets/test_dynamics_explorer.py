"""DynamicsExplorer, headless: its figures show exactly what ganviz.dynamics computes."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.callbacks import Points

from ganviz import dynamics as dyn
from ganviz.widgets.dynamics import FLOW_MAX_TIME, DynamicsExplorer


def trace(explorer, name):
    (found,) = [t for t in explorer.figure.data if t.meta == name]
    return found


def as_array(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def expected_trajectory(explorer):
    c = explorer.controls
    method = c["method"].value
    return dyn.dirac_trajectory(
        c["objective"].value,
        method,
        steps=c["steps"].value,
        step_size=c["step_size"].value,
        start=(c["theta0"].value, c["psi0"].value),
        d_steps=1 if method == "simultaneous" else c["d_steps"].value,
        **explorer.params,
    )


def assert_shows_current_model(explorer):
    """Every trace equals the core's answer for the current controls (nothing stale)."""
    c = explorer.controls
    name, params = c["objective"].value, explorer.params
    h = c["step_size"].value
    traj = expected_trajectory(explorer)

    shown = trace(explorer, "trajectory")
    np.testing.assert_array_equal(as_array(shown.x), traj[:, 0])
    np.testing.assert_array_equal(as_array(shown.y), traj[:, 1])
    start = trace(explorer, "start")
    assert (start.x[0], start.y[0]) == (traj[0, 0], traj[0, 1])

    # Arrows: every drawn arrow starts on the grid and points along v(θ, ψ) there.
    arrows = trace(explorer, "field")
    ax, ay = as_array(arrows.x), as_array(arrows.y)
    tails = np.stack([ax[0::3], ay[0::3]], axis=1)
    drawn = np.stack([ax[1::3], ay[1::3]], axis=1) - tails
    gx, gy = np.meshgrid(explorer.arrow_axis, explorer.arrow_axis)
    np.testing.assert_allclose(tails, np.stack([gx.ravel(), gy.ravel()], axis=1))
    v_theta, v_psi = dyn.dirac_vector_field(name, gx, gy, **params)
    v = np.stack([v_theta.ravel(), v_psi.ravel()], axis=1)
    cross = drawn[:, 0] * v[:, 1] - drawn[:, 1] * v[:, 0]
    scale = np.linalg.norm(drawn, axis=1) * np.linalg.norm(v, axis=1)
    assert np.all(np.abs(cross) <= 1e-9 * np.maximum(scale, 1e-300))
    assert np.all(np.sum(drawn * v, axis=1) >= 0)
    assert np.all((np.linalg.norm(drawn, axis=1) > 0) == (np.linalg.norm(v, axis=1) > 0))

    value = trace(explorer, "value")
    vx, vy = np.meshgrid(explorer.value_axis, explorer.value_axis)
    np.testing.assert_allclose(
        np.asarray(value.z, dtype=float), dyn.dirac_value(name, vx, vy, **params), rtol=1e-12
    )

    distance = trace(explorer, "distance")
    expected = np.hypot(traj[:, 0], traj[:, 1])
    expected[expected == 0] = np.nan
    np.testing.assert_allclose(as_array(distance.y), expected, rtol=1e-15)

    lam = dyn.dirac_eigenvalues(name, **params)
    eig = trace(explorer, "λ of J")
    np.testing.assert_allclose(as_array(eig.x), lam.real, atol=1e-15)
    np.testing.assert_allclose(as_array(eig.y), lam.imag, atol=1e-15)
    mu = dyn.dirac_update_eigenvalues(name, c["method"].value, h, explorer.d_steps, **params)
    upd = trace(explorer, "update")
    np.testing.assert_allclose(as_array(upd.x) + 1j * as_array(upd.y), (mu - 1) / h, atol=1e-12)
    disc = trace(explorer, "stable region")
    dx, dy = as_array(disc.x), as_array(disc.y)
    np.testing.assert_allclose(np.hypot(dx + 1 / h, dy), 1 / h, rtol=1e-12)

    flow = trace(explorer, "flow")
    if c["show_flow"].value:
        _, points = dyn.dirac_flow(
            name,
            duration=min(c["steps"].value * h, FLOW_MAX_TIME),
            start=traj[0],
            num=1001,
            rtol=1e-7,
            atol=1e-10,
            **params,
        )
        np.testing.assert_allclose(as_array(flow.x), points[:, 0])
    else:
        assert len(flow.x) == 0

    shapes = explorer.figure.layout.shapes
    assert (len(shapes) == 2) == (name == "wgan")


@pytest.fixture
def explorer():
    return DynamicsExplorer(steps=120)


def test_builds_with_controls_and_one_figure_widget(explorer):
    assert explorer.figures == {"dynamics": explorer.figure}
    assert isinstance(explorer.figure, go.FigureWidget)
    for name in (
        "objective",
        "method",
        "step_size",
        "d_steps",
        "gamma",
        "sigma",
        "theta0",
        "psi0",
        "steps",
    ):
        assert name in explorer.controls
    assert explorer.error is None and explorer.message.value == ""
    assert_shows_current_model(explorer)
    y_axis = trace(explorer, "distance").yaxis  # "y3": the distance panel
    assert explorer.figure.layout["yaxis" + y_axis[1:]].type == "log"


@pytest.mark.parametrize("objective", list(dyn.OBJECTIVES))
@pytest.mark.parametrize("method", dyn.METHODS)
def test_traces_equal_the_core_for_every_objective_and_method(explorer, objective, method):
    explorer.set(objective=objective, method=method, step_size=0.3, d_steps=2, gamma=0.7)
    assert explorer.error is None
    assert_shows_current_model(explorer)


def test_the_figure_is_updated_in_place(explorer):
    figure, traces = explorer.figure, list(explorer.figure.data)
    explorer.set(objective="consensus", step_size=0.4, steps=60)
    assert explorer.figure is figure
    assert all(a is b for a, b in zip(explorer.figure.data, traces, strict=True))


def test_irrelevant_controls_are_disabled_and_ignored(explorer):
    explorer.set(objective="gan", method="simultaneous", d_steps=5, gamma=2.0)
    c = explorer.controls
    assert c["gamma"].disabled and c["sigma"].disabled and c["d_steps"].disabled
    assert explorer.params == {}
    assert_shows_current_model(explorer)  # k is not applied to simultaneous steps
    explorer.set(objective="instance-noise", method="alternating")
    assert not c["sigma"].disabled and c["gamma"].disabled and not c["d_steps"].disabled
    assert explorer.params == {"sigma": c["sigma"].value}


def test_bad_value_shows_a_message_and_keeps_the_last_valid_figures(explorer):
    explorer.set(objective="gradient-penalty")
    good_x = list(trace(explorer, "trajectory").x)
    explorer.controls["theta0"].value = float("nan")  # must not raise
    assert explorer.error is not None and "start" in explorer.error
    assert "start" in explorer.message.value
    assert list(trace(explorer, "trajectory").x) == good_x
    explorer.controls["theta0"].value = 0.5
    assert explorer.error is None and explorer.message.value == ""
    assert_shows_current_model(explorer)


def test_a_huge_start_is_reported_not_raised(explorer):
    explorer.set_start(1e15, 0.0)
    assert explorer.error is not None and "start" in explorer.error


def test_clicking_the_field_sets_the_start(explorer):
    heatmap = trace(explorer, "value")
    heatmap._dispatch_on_click(Points(point_inds=[0], xs=[-1.25], ys=[0.75]), None)
    assert (explorer.controls["theta0"].value, explorer.controls["psi0"].value) == (-1.25, 0.75)
    assert_shows_current_model(explorer)
    assert tuple(explorer.trajectory[0]) == (-1.25, 0.75)


def test_set_start_and_set_update_once(explorer, monkeypatch):
    calls = []
    original = explorer._update

    def counting():
        calls.append(1)
        original()

    monkeypatch.setattr(explorer, "_update", counting)
    explorer.set_start(0.4, -0.6)
    assert len(calls) == 1
    assert explorer.start == (0.4, -0.6)
    with pytest.raises(ValueError, match="unknown control"):
        explorer.set(learning_rate=0.1)


def test_wgan_shows_the_clip_band_and_its_trajectory_stays_inside(explorer):
    explorer.set(objective="wgan", steps=300, step_size=0.3)
    assert len(explorer.figure.layout.shapes) == 2
    assert np.nanmax(np.abs(explorer.trajectory[:, 1])) <= 1.0
    explorer.set(objective="gan")
    assert len(explorer.figure.layout.shapes) == 0


def test_divergence_is_reported_in_the_summary(explorer):
    explorer.set(objective="wgan-gp", gamma=3.0, step_size=2.0, steps=400)
    assert explorer.error is None
    assert dyn.escape_step(explorer.trajectory) is not None
    assert "diverged" in explorer.summary.value
    assert "not a fixed point" in explorer.summary.value  # WGAN-GP's field jumps at ψ = 0
    assert_shows_current_model(explorer)


def test_summary_states_the_growth_factor_of_simultaneous_steps(explorer):
    explorer.set(objective="gan", method="simultaneous", step_size=0.4)
    rho = math.sqrt(1 + 0.4**2 * dyn.F_PRIME_0**2)
    assert f"{rho:.4f}" in explorer.summary.value


def test_continuous_flow_is_drawn_on_request(explorer):
    explorer.set(show_flow=True, steps=50, step_size=0.2)
    assert_shows_current_model(explorer)
    explorer.set(show_flow=False)
    assert_shows_current_model(explorer)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"objective": "lsgan"}, "objective"),
        ({"method": "adam"}, "method"),
        ({"step_size": 9.0}, "step_size"),
        ({"gamma": -1.0}, "gamma"),
        ({"steps": 5}, "steps"),
        ({"start": (float("nan"), 0.0)}, "start"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        DynamicsExplorer(**kwargs)


def test_two_hundred_random_control_moves(rng):
    explorer = DynamicsExplorer(steps=60)
    c = explorer.controls
    moves = {
        "objective": lambda: str(rng.choice(list(dyn.OBJECTIVES))),
        "method": lambda: str(rng.choice(dyn.METHODS)),
        "step_size": lambda: float(rng.uniform(0.0, 6.0)),  # clamped to [0.01, 5] by the slider
        "d_steps": lambda: int(rng.integers(1, 11)),
        "gamma": lambda: float(rng.uniform(0.0, 3.0)),
        "sigma": lambda: float(rng.uniform(0.0, 3.0)),
        "theta0": lambda: float(rng.choice([rng.uniform(-3, 3), np.nan, 1e20])),
        "psi0": lambda: float(rng.uniform(-3, 3)),
        "steps": lambda: int(rng.integers(1, 31)) * 10,
        "show_flow": lambda: bool(rng.random() < 0.15),
    }
    names = list(moves)
    errors = 0
    for _ in range(200):
        name = names[int(rng.integers(len(names)))]
        c[name].value = moves[name]()
        if explorer.error is None:
            assert explorer.message.value == ""
            assert_shows_current_model(explorer)
        else:
            errors += 1
            assert explorer.message.value and "start" in explorer.error
            c["theta0"].value = 0.5  # recover, and the figures catch up at once
            assert explorer.error is None
            assert_shows_current_model(explorer)
    assert errors > 0  # the bad starts were really exercised
