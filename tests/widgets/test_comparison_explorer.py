"""ComparisonExplorer, headless: runs share data and seed, advance in lock-step, draw state."""

from __future__ import annotations

import time

import numpy as np
import plotly.graph_objects as go
import pytest

torch = pytest.importorskip("torch")

from dashkit import SMALL  # noqa: E402

import ganviz as gv  # noqa: E402
from ganviz.train.recipes import get_recipe  # noqa: E402
from ganviz.widgets import ComparisonExplorer  # noqa: E402
from ganviz.widgets.comparison import recommended_settings  # noqa: E402


def trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def counts(explorer):
    return [(t.step_count, t.d_step_count) for t in explorer.trainers]


def test_builds_with_no_arguments_one_column_per_loss():
    explorer = ComparisonExplorer()
    try:
        assert explorer.losses == ["minimax", "nonsaturating", "wgan-gp"]
        assert [t.config.loss for t in explorer.trainers] == explorer.losses
        assert all(isinstance(f, go.FigureWidget) for f in explorer.figures.values())
        assert {"run_0", "run_1", "run_2", "metrics"} <= set(explorer.figures)
        for name in ("play", "pause", "step_d", "step_g", "step", "reset", "seed", "speed"):
            assert name in explorer.controls
        # Same data and seed: the generators start identical, so the fakes coincide.
        fakes = [s.fake for s in explorer.snapshots]
        for other in fakes[1:]:
            np.testing.assert_array_equal(other, fakes[0])
        assert len({t.config.seed for t in explorer.trainers}) == 1
        assert len({t.dataset.name for t in explorer.trainers}) == 1
    finally:
        explorer.close()


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="2 to"):
        ComparisonExplorer(losses=("minimax",))
    with pytest.raises(ValueError, match="losses must be one of"):
        ComparisonExplorer(losses=("minimax", "nope"))
    with pytest.raises(ValueError, match="dataset"):
        ComparisonExplorer(dataset="digits")


def test_recommended_settings_come_from_the_trainer_recipes():
    fields = get_recipe("wgan-gp", images=False).settings()
    assert recommended_settings("wgan-gp", "ring8") == fields
    assert fields["d_steps"] == 5 and fields["penalty_weight"] == 0.1
    assert recommended_settings("minimax") == {}
    explorer = ComparisonExplorer(**SMALL)
    assert [t.config.d_steps for t in explorer.trainers] == [1, 1, fields["d_steps"]]
    explorer.set(recommended=False)
    assert [t.config.d_steps for t in explorer.trainers] == [1, 1, 1]


def test_buttons_and_advance_keep_every_run_in_lock_step():
    explorer = ComparisonExplorer(losses=("minimax", "nonsaturating"), d_steps=2, **SMALL)
    explorer.controls["step_d"].click()
    assert counts(explorer) == [(0, 1), (0, 1)]
    explorer.controls["step_g"].click()
    assert counts(explorer) == [(1, 1), (1, 1)]
    explorer.controls["step"].click()
    assert counts(explorer) == [(2, 3), (2, 3)]
    explorer.advance(9)
    assert counts(explorer) == [(11, 21), (11, 21)]
    assert [s.step for s in explorer.snapshots] == [11, 11]


def test_play_and_pause_stop_every_run_at_the_same_step():
    explorer = ComparisonExplorer(speed=2, **SMALL)
    explorer.controls["play"].click()
    deadline = time.perf_counter() + 30
    while explorer.trainers[0].step_count < 4:
        assert time.perf_counter() < deadline
        time.sleep(0.02)
    explorer.controls["pause"].click()
    steps = {t.step_count for t in explorer.trainers}
    assert len(steps) == 1
    time.sleep(0.3)
    assert {t.step_count for t in explorer.trainers} == steps
    assert [s.step for s in explorer.snapshots] == [steps.pop()] * 3
    explorer.play(5)
    explorer.wait(timeout=60)
    assert len({t.step_count for t in explorer.trainers}) == 1


def test_each_column_draws_its_own_run_and_the_shared_curves_follow():
    explorer = ComparisonExplorer(**SMALL)
    explorer.advance(4)
    for i, (trainer, snap) in enumerate(zip(explorer.trainers, explorer.snapshots, strict=True)):
        fig = explorer.figures[f"run_{i}"]
        assert snap.loss == trainer.config.loss and snap.step == trainer.step_count
        np.testing.assert_array_equal(trace(fig, "fake").x, snap.fake[:, 0])
        np.testing.assert_array_equal(np.asarray(fig.data[0].z), snap.d_grid)
        assert snap.loss in fig.layout.title.text
        rows = list(trainer.records)
        modes = next(t for t in explorer.figures["metrics"].data if t.meta == f"modes_covered:{i}")
        assert list(modes.y) == [r["metrics"]["modes_covered"] for r in rows]
    # the WGAN-GP column shows a critic, its colour scale centred on the critic's median
    critic = explorer.figures["run_2"].data[0]
    assert critic.zmid == pytest.approx(np.median(explorer.snapshots[2].d_grid))


def test_step_d_shows_the_vanishing_minimax_gradient_on_the_same_discriminator():
    """After D-only steps both runs hold the same D (same BCE loss); per fake,
    |∂ℓ_minimax/∂x| / |∂ℓ_nonsat/∂x| = D/(1 − D), since ∂ℓ/∂x = ∓σ(±a)∇a for logit a."""
    explorer = ComparisonExplorer(losses=("minimax", "nonsaturating"), lr_d=5e-3, **SMALL)
    explorer.step_d(90)
    minimax, nonsat = explorer.snapshots
    np.testing.assert_allclose(minimax.d_grid, nonsat.d_grid)
    np.testing.assert_allclose(minimax.fake, nonsat.fake)
    d = explorer.trainers[0].discriminator(minimax.fake).probability
    ratio = np.linalg.norm(minimax.fake_gradients, axis=1) / np.linalg.norm(
        nonsat.fake_gradients, axis=1
    )
    np.testing.assert_allclose(ratio, d / (1 - d), rtol=1e-4)
    assert np.mean(d) < 0.5  # D rejects the fakes, so the minimax pull is the weaker one
    assert minimax.metrics["grad_norm"] < nonsat.metrics["grad_norm"]


def test_custom_p_data_is_shared_by_every_run():
    p_data = gv.Mixture([gv.Gaussian([-1.0, 0.0], std=0.2), gv.Gaussian([1.0, 0.0], std=0.2)])
    explorer = ComparisonExplorer(losses=("nonsaturating", "hinge"), p_data=p_data, **SMALL)
    assert explorer.controls["dataset"].value == "custom"
    assert all(t.dataset.name == "custom" for t in explorer.trainers)
    explorer.advance(2)
    assert all(s.metrics["modes_total"] == 2 for s in explorer.snapshots)
