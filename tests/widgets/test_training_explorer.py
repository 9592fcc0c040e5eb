"""TrainingExplorer, headless: buttons drive a real trainer; figures equal its snapshot."""

from __future__ import annotations

import asyncio
import io
import threading
import time

import numpy as np
import plotly.graph_objects as go
import pytest

torch = pytest.importorskip("torch")

from dashkit import SMALL  # noqa: E402

import ganviz as gv  # noqa: E402
from ganviz.plots.field import ARROW_POINTS  # noqa: E402
from ganviz.train import DATASETS, LOSSES, TrainConfig, Trainer  # noqa: E402
from ganviz.widgets import TrainingExplorer  # noqa: E402
from ganviz.widgets._live import MIN_REDRAW_SECONDS  # noqa: E402
from ganviz.widgets.training import known_density, theory_overlay  # noqa: E402


def small(**kwargs) -> TrainingExplorer:
    return TrainingExplorer(**{**SMALL, **kwargs})


def trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def grid_points(snap):
    gx, gy = np.meshgrid(snap.grid_x, snap.grid_y)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def wait_until(condition, timeout=20.0):
    deadline = time.perf_counter() + timeout
    while not condition():
        assert time.perf_counter() < deadline, "condition not reached in time"
        time.sleep(0.02)


# -- construction ---------------------------------------------------------------------------


def test_builds_with_no_arguments_and_exposes_controls_and_figures():
    explorer = TrainingExplorer()
    try:
        for name in (
            "dataset", "loss", "d_steps", "lr_d", "lr_g", "optimizer", "hidden", "depth",
            "z_dim", "noise", "batch_size", "seed", "speed", "theory",
            "play", "pause", "step_d", "step_g", "step", "reset",
        ):  # fmt: skip
            assert name in explorer.controls
        assert all(isinstance(f, go.FigureWidget) for f in explorer.figures.values())
        assert explorer.figure is explorer.figures["field"]
        offered = [v for _, v in explorer.controls["dataset"].options]
        assert set(offered) == set(DATASETS)  # every toy and every image set
        assert list(explorer.controls["loss"].options) == list(LOSSES)
        assert explorer.snapshot.step == 0 and explorer.trainer.step_count == 0
        assert explorer.trainer.config == explorer.config_from_controls()
    finally:
        explorer.close()


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="dataset"):
        TrainingExplorer(dataset="nope")
    with pytest.raises(ValueError, match="custom"):
        TrainingExplorer(dataset="custom")
    with pytest.raises(ValueError, match="2-D"):
        TrainingExplorer(p_data=gv.Gaussian(0, 1))
    explorer = small()
    with pytest.raises(ValueError, match="unknown control"):
        explorer.set(colour="red")
    with pytest.raises(ValueError, match="n must be"):
        explorer.step(0)


# -- the figures equal the trainer -------------------------------------------------------------


def assert_figures_match(explorer):
    trainer, snap = explorer.trainer, explorer.snapshot
    assert snap.step == trainer.step_count
    field = explorer.figures["field"]
    fake = trace(field, "fake")
    np.testing.assert_array_equal(fake.x, snap.fake[:, 0])
    np.testing.assert_array_equal(fake.y, snap.fake[:, 1])
    np.testing.assert_array_equal(np.asarray(field.data[0].z), snap.d_grid)
    # The heatmap is the network itself: D evaluated independently on the grid points.
    d = trainer.discriminator(grid_points(snap)).probability.reshape(snap.d_grid.shape)
    np.testing.assert_allclose(np.asarray(field.data[0].z), d, rtol=1e-5, atol=1e-6)
    # A fresh snapshot now is the same state (observation never changes training).
    fresh = trainer.snapshot()
    np.testing.assert_allclose(snap.fake, fresh.fake)
    np.testing.assert_allclose(snap.d_grid, fresh.d_grid)


def test_step_buttons_update_trainer_and_figures():
    explorer = small(d_steps=2)
    trainer = explorer.trainer
    before = np.array(trace(explorer.figures["field"], "fake").x)

    explorer.controls["step_d"].click()
    assert (trainer.d_step_count, trainer.step_count) == (1, 0)
    assert_figures_match(explorer)
    np.testing.assert_array_equal(trace(explorer.figures["field"], "fake").x, before)  # G fixed

    explorer.controls["step_g"].click()
    assert (trainer.d_step_count, trainer.step_count) == (1, 1)
    assert not np.array_equal(trace(explorer.figures["field"], "fake").x, before)  # G moved

    explorer.controls["step"].click()  # k = 2 D updates, then one G update
    assert (trainer.d_step_count, trainer.step_count) == (3, 2)
    assert_figures_match(explorer)
    assert "step 2" in explorer.status.value and "3 D updates" in explorer.status.value


def test_arrows_start_at_the_fakes_and_point_down_the_loss_gradient():
    explorer = small()
    explorer.advance(5)
    snap = explorer.snapshot
    arrows = trace(explorer.figures["field"], "−∂ℓ/∂x")
    xs, ys = np.asarray(arrows.x, float), np.asarray(arrows.y, float)
    tails = np.stack([xs[0::ARROW_POINTS], ys[0::ARROW_POINTS]], axis=1)
    tips = np.stack([xs[1::ARROW_POINTS], ys[1::ARROW_POINTS]], axis=1)
    np.testing.assert_allclose(tails, snap.fake)
    drawn = tips - tails
    pull = -snap.fake_gradients
    moving = np.linalg.norm(pull, axis=1) > 1e-9
    cosine = np.sum(drawn[moving] * pull[moving], axis=1) / (
        np.linalg.norm(drawn[moving], axis=1) * np.linalg.norm(pull[moving], axis=1)
    )
    np.testing.assert_allclose(cosine, 1.0, atol=1e-6)


def test_advance_trains_exactly_and_curves_follow_the_records():
    explorer = small(speed=3)
    snap = explorer.advance(12)
    assert snap is explorer.snapshot and snap.step == 12 == explorer.trainer.step_count
    assert_figures_match(explorer)
    records = list(explorer.trainer.records)
    assert records[0]["step"] == 0 and records[-1]["step"] == 12
    losses = explorer.figures["losses"]
    g = trace(losses, "generator")
    assert list(g.x) == [r["step"] for r in records if "g" in r["losses"]]
    np.testing.assert_allclose(g.y, [r["losses"]["g"] for r in records if "g" in r["losses"]])
    modes = trace(explorer.figures["metrics"], "modes covered")
    assert list(modes.y) == [r["metrics"]["modes_covered"] for r in records]


def test_same_seed_gives_the_same_run_and_a_control_change_restarts():
    explorer = small()
    first = explorer.advance(6).fake.copy()
    explorer.reset()
    assert explorer.trainer.step_count == 0
    np.testing.assert_array_equal(explorer.advance(6).fake, first)
    explorer.set(seed=3)
    assert explorer.trainer.config.seed == 3 and explorer.trainer.step_count == 0
    assert not np.array_equal(explorer.advance(6).fake, first)


# -- play / pause -------------------------------------------------------------------------------


def test_play_then_pause_really_stops_and_leaves_a_consistent_trainer():
    explorer = small(speed=2)
    explorer.controls["play"].click()
    assert explorer.playing and explorer.controls["play"].disabled
    wait_until(lambda: explorer.trainer.step_count >= 5)
    explorer.controls["pause"].click()
    assert not explorer.playing
    stopped = explorer.trainer.step_count
    time.sleep(0.3)
    assert explorer.trainer.step_count == stopped  # nothing runs after pause
    assert not explorer.controls["play"].disabled and explorer.controls["pause"].disabled
    # Every step is whole: k D updates per G update, and the figures show the final state.
    assert explorer.trainer.d_step_count == stopped * explorer.trainer.config.d_steps
    assert_figures_match(explorer)
    assert explorer.runner.draw_threads == {threading.get_ident()}


def test_play_a_number_of_steps_and_wait():
    explorer = small(speed=4)
    explorer.play(15)
    assert explorer.wait(timeout=60)
    assert explorer.trainer.step_count == 15 and explorer.snapshot.step == 15
    assert_figures_match(explorer)


def test_redraws_are_throttled_to_ten_per_second():
    explorer = small(speed=1)
    started = time.perf_counter()
    explorer.play()
    time.sleep(1.0)
    explorer.pause()
    elapsed = time.perf_counter() - started
    times = np.array(explorer.runner.draw_times)
    times = times[times >= started]
    # one redraw per MIN_REDRAW_SECONDS at most, plus the final state after pause
    assert len(times) <= elapsed / MIN_REDRAW_SECONDS + 2
    assert explorer.trainer.step_count > len(times)  # several steps per redraw were needed


def test_redraws_reach_the_figures_through_the_event_loop_on_the_main_thread():
    explorer = small(speed=1)
    main = threading.get_ident()

    async def session():
        explorer.play()  # captures this running loop, as a notebook cell would
        drawn = explorer.runner.redraws
        for _ in range(200):
            await asyncio.sleep(0.05)  # the kernel idles; the loop runs the redraws
            if explorer.runner.redraws >= drawn + 2:
                break
        live = explorer.runner.redraws - drawn
        still_running = explorer.playing
        explorer.pause()
        return live, still_running

    live, still_running = asyncio.run(session())
    assert live >= 2 and still_running
    assert explorer.runner.draw_threads == {main}
    assert_figures_match(explorer)


def test_the_kernel_thread_stays_free_while_training():
    explorer = small(speed=50)
    explorer.play()
    try:
        # The main thread does other work meanwhile, as another cell would.
        started = time.perf_counter()
        total = sum(i * i for i in range(200_000))
        assert total > 0 and time.perf_counter() - started < 10
        wait_until(lambda: explorer.trainer.step_count > 0)
    finally:
        explorer.pause()


# -- theory overlay --------------------------------------------------------------------------


def test_theory_overlay_equals_the_optimal_discriminator_of_a_kde_of_the_fakes():
    explorer = small(dataset="ring8")
    explorer.advance(4)
    snap = explorer.snapshot
    p_data = gv.ring_of_gaussians(8, 2.0, 0.02)  # the documented ring8, built independently
    plane = grid_points(snap)
    expected = gv.optimal_discriminator(p_data, gv.Empirical(snap.fake), plane)
    theory = explorer.figures["theory"]
    np.testing.assert_allclose(
        np.asarray(theory.data[0].z).ravel(), expected, rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        np.asarray(trace(theory, "p_data").z).ravel(), p_data.pdf(plane), rtol=1e-9, atol=1e-12
    )
    # The gap shown is E_m |D − D*| with m = (p_data + p̂_g)/2 on the grid.
    m = p_data.pdf(plane) + gv.Empirical(snap.fake).pdf(plane)
    gap = np.sum(m * np.abs(snap.d_grid.ravel() - expected)) / m.sum()
    assert explorer.frame.theory.gap == pytest.approx(gap, rel=1e-9)
    assert f"{gap:.3f}" in explorer.status.value


def test_theory_arrows_are_the_core_sample_gradients_at_d_star():
    p_data = gv.grid_of_gaussians(5, 2.0, 0.05)
    explorer = small(dataset="grid25", loss="minimax")
    explorer.advance(2)
    snap = explorer.snapshot
    overlay = theory_overlay(p_data, snap)
    expected = gv.sample_gradients(p_data, gv.Empirical(snap.fake), snap.fake, "minimax")
    np.testing.assert_allclose(overlay.gradients, expected)
    np.testing.assert_allclose(explorer.frame.theory.d_star, overlay.d_star)


def test_known_density_is_the_documented_toy_and_none_without_a_closed_form():
    trainer = Trainer(TrainConfig(dataset="grid25", dataset_options={"std": 0.1}, **SMALL))
    density = known_density(trainer.dataset)
    x = np.array([[0.0, 0.0], [2.0, -2.0], [1.0, 1.0]])
    np.testing.assert_allclose(density.pdf(x), gv.grid_of_gaussians(5, 2.0, 0.1).pdf(x))
    assert known_density("moons") is None


def test_dataset_without_density_and_switched_off_overlay_draw_no_d_star():
    explorer = small(dataset="moons")
    explorer.advance(2)
    theory = explorer.figures["theory"]
    assert np.all(np.asarray(theory.data[0].z) == 0.5)  # a blank, white D* panel
    assert "no closed-form density" in theory.layout.title.text
    explorer.set(dataset="ring8")
    explorer.controls["theory"].value = False
    assert explorer.frame.theory is None
    assert "switched off" in explorer.figures["theory"].layout.title.text
    explorer.controls["theory"].value = True
    assert explorer.frame.theory is not None


def test_custom_p_data_from_a_theory_explorer_is_trained_on_and_drawn():
    p_data = gv.Mixture([gv.Gaussian([-1.5, 0.0], std=0.3), gv.Gaussian([1.5, 0.5], std=0.3)])
    explorer = small(p_data=p_data)
    assert explorer.controls["dataset"].value == "custom"
    assert explorer.p_data is p_data and explorer.trainer.dataset.name == "custom"
    explorer.advance(3)
    assert explorer.snapshot.metrics["modes_total"] == 2
    plane = grid_points(explorer.snapshot)
    expected = gv.optimal_discriminator(p_data, gv.Empirical(explorer.snapshot.fake), plane)
    np.testing.assert_allclose(np.asarray(explorer.figures["theory"].data[0].z).ravel(), expected)
    points = small(p_data=np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]))
    assert isinstance(points.p_data, gv.Empirical)


def test_critic_losses_switch_the_heatmap_to_an_unbounded_scale():
    explorer = small(loss="wgan-gp")
    explorer.advance(3)
    field = explorer.figures["field"]
    assert not explorer.snapshot.d_is_probability
    assert field.data[0].zmid == pytest.approx(np.median(explorer.snapshot.d_grid))
    assert field.data[1].visible is False
    assert explorer.frame.theory.gap is None
    np.testing.assert_array_equal(np.asarray(field.data[0].z), explorer.snapshot.d_grid)
    explorer.set(loss="nonsaturating")
    assert field.data[0].zmin == 0 and field.data[0].zmax == 1 and field.data[1].visible


# -- images -------------------------------------------------------------------------------------


def test_image_mode_sends_one_png_and_draws_the_class_histogram():
    Image = pytest.importorskip("PIL.Image")
    explorer = TrainingExplorer(dataset="digits", hidden=16, batch_size=32, channels=8)
    assert explorer.trainer.images and explorer.controls["z_dim"].value == 32
    explorer.advance(3)
    png = explorer.image.value
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(png)) as img:
        assert img.size[0] > 8 * 8 and img.mode == "L"  # 8 columns of enlarged 8×8 digits
    bars = explorer.figures["classes"].data[0]
    np.testing.assert_array_equal(bars.y, explorer.trainer.last_class_counts)
    covered = trace(explorer.figures["image_metrics"], "classes covered")
    rows = list(explorer.trainer.records)
    assert list(covered.y) == [r["metrics"]["classes_covered"] for r in rows]
    assert "classes" in explorer.status.value
    explorer.set(dataset="ring8")  # back to toys: the toy defaults return
    assert explorer.controls["z_dim"].value == 2 and not explorer.trainer.images


def test_missing_image_files_show_a_message_and_keep_the_run(tmp_path):
    base = TrainConfig(
        dataset="mnist", dataset_options={"folder": str(tmp_path), "download": False}, **SMALL
    )
    explorer = TrainingExplorer(dataset="ring8", config=base)
    trainer = explorer.trainer
    explorer.set(dataset="mnist")
    assert explorer.error is not None and str(tmp_path) in explorer.error
    assert explorer.trainer is trainer  # the previous run is kept


def test_pause_stops_within_one_redraw_when_the_notebook_draws_slowly():
    """A pause click waits for the redraw in progress (one owner thread); after it only the
    final state is drawn, and training stops within one redraw interval (``speed`` steps).

    Before the fix the worker trained on through two more redraws (the one in progress and a
    stale frame queued ahead of the click): ~950 steps and 0.9 s here, 1120 → 1360 → 1502 in
    a classroom."""
    speed, draw_seconds = 5, 0.3
    explorer = small(speed=speed)
    drawing = threading.Event()
    starts: list[float] = []

    def slow_frontend(_change):  # a slow link or browser: every redraw takes 0.3 s
        starts.append(time.perf_counter())
        drawing.set()
        time.sleep(draw_seconds)
        drawing.clear()

    explorer.status.observe(slow_frontend, names="value")
    seen: dict = {}

    async def session():
        loop = asyncio.get_running_loop()

        def click():  # the button's comm message, handled on the kernel's loop
            explorer.controls["pause"].click()
            seen["stopped"] = time.perf_counter()

        def press():  # the learner presses pause while a redraw is on its way
            drawing.wait(10)
            seen["pressed"] = time.perf_counter()
            seen["step"] = explorer.trainer.step_count
            loop.call_soon_threadsafe(click)

        explorer.play()
        while explorer.runner.redraws < 3:
            await asyncio.sleep(0.01)
        threading.Thread(target=press, daemon=True).start()
        while "stopped" not in seen:
            await asyncio.sleep(0.01)

    asyncio.run(session())
    steps_after = explorer.trainer.step_count - seen["step"]
    redraws_after = sum(t > seen["pressed"] for t in starts)
    assert not explorer.playing
    assert redraws_after == 1, redraws_after  # the final state only, no stale frame first
    assert steps_after <= speed, steps_after  # within one redraw interval of the press
    assert explorer.snapshot.step == explorer.trainer.step_count
    # the redraw in progress ends, then the final one: two draws, not three
    assert seen["stopped"] - seen["pressed"] < 2 * draw_seconds + 0.25
