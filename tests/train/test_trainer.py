"""The Trainer: reproducibility, resume, snapshots, the divergence guard, sweeps, learning."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

import ganviz as gv
from ganviz.train import TrainConfig, Trainer, TrainingDiverged, sweep
from ganviz.train.data import PointDataset, from_points
from ganviz.train.trainer import BoundedHistory, resolve_device

SMALL = {
    "hidden": 32,
    "depth": 2,
    "batch_size": 64,
    "device": "cpu",
    "snapshot_every": 0,
    "eval_samples": 512,
}


def small(**kw) -> TrainConfig:
    return TrainConfig(**{**SMALL, **kw})


def params(trainer):
    return [p.detach().clone() for p in (*trainer.G.parameters(), *trainer.D.parameters())]


def same(a, b):
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan-gp", "wgan"])
def test_same_seed_is_bit_identical_on_cpu(loss):
    runs = []
    for _ in range(2):
        t = Trainer(small(loss=loss, seed=7, d_steps=2))
        t.run(30)
        runs.append((params(t), t.check_finite()))
    assert same(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]  # losses, bit for bit
    other = Trainer(small(loss=loss, seed=8, d_steps=2))
    other.run(30)
    assert not same(runs[0][0], params(other))


def test_observation_never_changes_training():
    quiet = Trainer(small(seed=3))
    quiet.run(40)
    watched = Trainer(small(seed=3, snapshot_every=5))
    seen = []
    watched.run(40, callback=seen.append)
    watched.snapshot(), watched.sample(10), watched.evaluate()
    assert same(params(quiet), params(watched))
    assert [s.step for s in seen] == [0, 5, 10, 15, 20, 25, 30, 35, 40]


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan-gp"])
def test_resume_continues_the_same_run(tmp_path, loss):
    straight = Trainer(small(loss=loss, seed=11))
    straight.run(20)
    straight.check_finite()  # what save() does: losses below are means over steps 21-40
    straight.run(20)
    first = Trainer(small(loss=loss, seed=11))
    first.run(20)
    path = first.save(tmp_path / "ckpt.pt")
    # weights_only loading works (plain dict, tensors, RNG state)
    raw = torch.load(path, weights_only=True)
    assert raw["step_count"] == 20 and isinstance(raw["config"], dict)
    resumed = Trainer.load(path)
    assert resumed.step_count == 20 and resumed.config == first.config
    resumed.run(20)
    assert same(params(straight), params(resumed))
    assert straight.check_finite() == resumed.check_finite()


def test_custom_dataset_checkpoint_round_trip(tmp_path):
    pts = np.array([[0.0, 0.0], [3.0, 1.0], [-2.0, 2.0]])
    t = Trainer(small(), dataset=from_points(pts, centers=pts, std=0.1))
    assert t.config.dataset == "custom"
    t.run(5)
    back = Trainer.load(t.save(tmp_path / "c.pt"))
    np.testing.assert_array_equal(back.dataset.centers, pts)
    assert torch.equal(
        back.dataset.sample(50, torch.Generator().manual_seed(0)),
        t.dataset.sample(50, torch.Generator().manual_seed(0)),
    )
    t.run(5), back.run(5)
    assert same(params(t), params(back))


def test_step_counters_and_algorithm_one():
    t = Trainer(small(d_steps=3))
    d0 = [p.detach().clone() for p in t.D.parameters()]
    g0 = [p.detach().clone() for p in t.G.parameters()]
    t.d_step()
    assert (t.step_count, t.d_step_count) == (0, 1)
    assert same(g0, [p.detach() for p in t.G.parameters()])  # a D update leaves G alone
    assert not same(d0, [p.detach() for p in t.D.parameters()])
    d1 = [p.detach().clone() for p in t.D.parameters()]
    t.g_step()
    assert (t.step_count, t.d_step_count) == (1, 1)
    assert same(d1, [p.detach() for p in t.D.parameters()])  # a G update leaves D alone
    t.step()
    assert (t.step_count, t.d_step_count) == (2, 4)


def test_wgan_clips_critic_weights():
    t = Trainer(small(loss="wgan", clip=0.02, lr_d=0.05))
    t.run(5)
    assert max(p.abs().max().item() for p in t.D.parameters()) <= 0.02


def test_snapshot_contents_for_a_2d_toy():
    t = Trainer(small(loss="nonsaturating", grid_size=17, manifold_size=6, snapshot_samples=100))
    t.run(10)
    s = t.snapshot()
    assert isinstance(s, gv.Snapshot) and s.step == 10 and s.loss == "nonsaturating"
    assert (
        s.real.shape == (100, 2) and s.fake.shape == (100, 2) and s.fake_gradients.shape == (100, 2)
    )
    assert s.grid_x.shape == (17,) and s.d_grid.shape == (17, 17) and s.manifold.shape == (6, 6, 2)
    assert s.d_is_probability and s.d_grid.min() >= 0 and s.d_grid.max() <= 1
    assert set(s.losses) == {"d", "g"} and all(np.isfinite(list(s.losses.values())))
    assert {"modes_covered", "high_quality", "kl", "js", "d_real", "d_fake", "grad_norm"} <= set(
        s.metrics
    )
    # d_grid is D(x) = σ(logit) on the grid points
    gx, gy = np.meshgrid(s.grid_x, s.grid_y)
    out = t.discriminator(np.stack([gx.ravel(), gy.ravel()], 1))
    np.testing.assert_allclose(s.d_grid, out.probability.reshape(17, 17), rtol=1e-5, atol=1e-6)
    # the fakes are the generator's output on the fixed evaluation noise
    assert np.all(np.isfinite(s.fake))
    critic = Trainer(small(loss="wgan-gp"))
    assert not critic.snapshot().d_is_probability


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating", "wgan-gp", "lsgan", "hinge"])
def test_fake_gradients_are_the_derivative_of_the_trained_generator_loss(loss):
    """Central finite differences of ℓ_G(D(x)) (computed in float64 from D's own weights)."""
    t = Trainer(small(loss=loss, snapshot_samples=8))
    t.run(15)
    s = t.snapshot()
    D64 = __import__("copy").deepcopy(t.D).double()
    g_loss = t.loss.g_loss
    h = 1e-5
    for i in range(4):
        x = s.fake[i]
        fd = []
        for axis in range(2):
            e = np.zeros(2)
            e[axis] = h
            plus = g_loss(D64(torch.tensor(np.array([x + e])))).item()
            minus = g_loss(D64(torch.tensor(np.array([x - e])))).item()
            fd.append((plus - minus) / (2 * h))
        np.testing.assert_allclose(s.fake_gradients[i], fd, rtol=2e-3, atol=1e-6)


def test_minimax_and_nonsaturating_arrows_differ_by_d_over_one_minus_d():
    """Same network, two losses: minimax ∂ℓ/∂x = −D ∇f, non-saturating −(1 − D) ∇f."""
    t = Trainer(small(loss="minimax", snapshot_samples=50))
    t.run(10)
    s_mm = t.snapshot()
    t.reconfigure(loss="nonsaturating")
    s_ns = t.snapshot()
    d = t.discriminator(s_mm.fake).probability[:, None]
    np.testing.assert_allclose(
        s_mm.fake_gradients * (1 - d), s_ns.fake_gradients * d, rtol=1e-4, atol=1e-7
    )


def test_nan_guard_stops_and_rolls_back():
    t = Trainer(small(snapshot_every=10, lr_d=1e30, lr_g=1e30, optimizer="sgd", momentum=0.0))
    with pytest.raises(TrainingDiverged, match="rolled back to step") as err:
        t.run(200)
    assert err.value.last_good_step < err.value.step
    assert t.step_count == err.value.last_good_step
    assert all(torch.isfinite(p).all() for p in t.G.parameters())


class _PoisonedData(PointDataset):
    """Real data that turn to NaN after a number of draws (a corrupt loader)."""

    def __init__(self, after):
        base = from_points([[0.0, 0.0], [1.0, 1.0]], bandwidth=0.1)
        super().__init__("poisoned", base._sampler, view_box=base.view_box)
        self.after, self.draws = after, 0

    def sample(self, n, generator):
        self.draws += 1
        x = super().sample(n, generator)
        return x * float("nan") if self.draws > self.after else x


def test_nan_data_trips_the_guard_and_checkpoint_stays_good(tmp_path):
    t = Trainer(small(snapshot_every=10), dataset=_PoisonedData(after=25))
    path = tmp_path / "last_good.pt"
    with pytest.raises(TrainingDiverged):
        t.run(100, callback=lambda snap: t.save(path))
    assert t.step_count == 20  # the last clean snapshot
    state = torch.load(path, weights_only=True)
    assert state["step_count"] == 20
    assert all(torch.isfinite(v).all() for v in state["generator"].values())
    # saving a diverged state is refused rather than overwrite the good file
    with pytest.raises(TrainingDiverged):
        t.run(10)
    with pytest.raises(TrainingDiverged):
        for _ in range(3):
            t.step()
        t.save(path)
    assert torch.load(path, weights_only=True)["step_count"] == 20


def test_history_is_bounded_and_spans_the_run():
    t = Trainer(
        small(snapshot_every=1, history_size=8, grid_size=4, eval_samples=64, snapshot_samples=16)
    )
    t.run(50)
    steps = [s.step for s in t.history]
    assert len(steps) <= 8 and steps[0] == 0 and steps[-1] == 50
    assert steps == sorted(steps)
    h = BoundedHistory(4, range(100))
    assert len(h) <= 4 and h[-1] == 99 and h[0] == 0


def test_callback_false_and_stop_end_the_run_between_steps():
    t = Trainer(small(snapshot_every=5))
    t.run(100, callback=lambda snap: snap.step < 15)
    assert t.step_count == 15
    u = Trainer(small(snapshot_every=0))
    timer = threading.Timer(0.2, u.stop)
    timer.start()
    u.run(100_000)
    timer.join()
    assert 0 < u.step_count < 100_000
    assert u.d_step_count == u.step_count  # never half a step
    u.snapshot()  # consistent and finite


def test_snapshot_from_another_thread_while_running():
    t = Trainer(small(snapshot_every=0))
    snaps, errors = [], []
    done = threading.Event()

    def watch():
        try:
            while not done.is_set():
                snaps.append(t.snapshot())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    watcher = threading.Thread(target=watch)
    watcher.start()
    t.run(150)
    done.set()
    watcher.join()
    assert not errors and snaps
    assert [s.step for s in snaps] == sorted(s.step for s in snaps)


def test_sample_and_discriminator_api():
    t = Trainer(small())
    a, b = t.sample(20, seed=1), t.sample(20, seed=1)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (20, 2)
    out = t.discriminator(a)
    np.testing.assert_allclose(out.probability, 1 / (1 + np.exp(-out.logit)))
    with pytest.raises(ValueError, match="shape"):
        t.discriminator(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="n must be"):
        t.sample(0)


def test_trainer_accepts_distributions_and_point_arrays():
    t = Trainer(small(), dataset=gv.ring_of_gaussians(4, radius=1.0, std=0.05))
    assert t.dataset.centers.shape == (4, 2) and t.config.dataset == "custom"
    t.run(3)
    assert t.snapshot().metrics["modes_total"] == 4
    u = Trainer(small(), dataset=np.random.default_rng(0).normal(size=(50, 2)))
    u.run(3)
    assert "modes_covered" not in u.snapshot().metrics and "js" in u.snapshot().metrics


def test_bad_config_and_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="loss must be one of"):
        TrainConfig(loss="vanilla")
    with pytest.raises(ValueError, match="batch_size must be an integer ≥ 1"):
        TrainConfig(batch_size=0)
    with pytest.raises(ValueError, match="lr_d must be a finite number > 0"):
        TrainConfig(lr_d=float("nan"))
    with pytest.raises(ValueError, match="betas"):
        TrainConfig(betas=(0.5, 1.0))
    with pytest.raises(ValueError, match="device must be one of"):
        TrainConfig(device="tpu")
    with pytest.raises(ValueError, match="dataset must be one of"):
        TrainConfig(dataset="imagenet")
    with pytest.raises(ValueError, match="conv"):
        TrainConfig(model="conv", dataset="ring8")
    with pytest.raises(ValueError, match="unknown TrainConfig field"):
        TrainConfig().replace(learning_rate=1.0)
    with pytest.raises(ValueError, match="custom"):
        Trainer(TrainConfig(dataset="custom"))
    with pytest.raises(ValueError, match="steps must be"):
        Trainer(small()).run(-1)
    cfg = TrainConfig(dataset_options={"std": 0.05}, betas=[0.1, 0.2])
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg


def test_resolve_device():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in ("cuda", "mps", "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            resolve_device("cuda")


def test_sweep_counts_equal_separate_runs():
    """Unbatched, a sweep *is* separate runs (bit for bit); the batched path is compared with
    separate runs to float tolerance in tests/train/test_sweep.py."""
    base = small(dataset="ring8", steps=30)
    results = sweep(
        base, seeds=[0, 1], losses=["nonsaturating", "wgan-gp"], steps=30, batched=False
    )
    assert [(r.loss, r.seed) for r in results] == [
        ("nonsaturating", 0),
        ("nonsaturating", 1),
        ("wgan-gp", 0),
        ("wgan-gp", 1),
    ]
    for r in results:
        alone = Trainer(base.replace(loss=r.loss, seed=r.seed, snapshot_every=7))
        alone.run(30)
        assert alone.evaluate()["modes_covered"] == r.modes_covered
        assert alone.evaluate() == r.metrics


def test_short_wgan_gp_run_learns_the_ring():
    """A random generator covers none of ring8's modes; 300 WGAN-GP steps cover most of them."""
    cfg = TrainConfig(
        dataset="ring8",
        loss="wgan-gp",
        penalty_weight=0.1,
        d_steps=5,
        lr_d=1e-3,
        lr_g=1e-3,
        betas=(0.5, 0.9),
        hidden=64,
        depth=3,
        batch_size=128,
        device="cpu",
        snapshot_every=0,
    )
    t = Trainer(cfg.replace(seed=0))
    before = t.evaluate()
    t.run(300)
    after = t.evaluate()
    assert before["modes_covered"] <= 1 and before["high_quality"] < 0.005
    assert after["modes_covered"] >= 5, after
    assert after["high_quality"] > 0.02, after  # within 3σ = 0.06 of a centre
    assert after["kl"] < before["kl"] - 2.0, after


def test_linear_schedule_decays_both_rates_to_zero():
    t = Trainer(small(lr_schedule="linear", steps=10, lr_d=1e-3, lr_g=2e-3))
    t.run(4)
    t._apply_schedule()
    assert t.optimizer_d.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.6)
    assert t.optimizer_g.param_groups[0]["lr"] == pytest.approx(2e-3 * 0.6)
    t.run(6)
    frozen = params(t)
    t.run(3)  # past `steps` the rates stay at 0: nothing moves
    assert same(frozen, params(t))


def test_ctrl_c_stops_after_the_current_step():
    import signal

    t = Trainer(small(snapshot_every=10, d_steps=2))
    sample = t.dataset.sample
    draws = {"n": 0}

    def sample_then_interrupt(n, generator):
        draws["n"] += 1
        if draws["n"] == 41:  # inside generator step 21, between its two D updates
            signal.raise_signal(signal.SIGINT)  # as if the user pressed Ctrl-C here
        return sample(n, generator)

    t.dataset.sample = sample_then_interrupt
    with pytest.raises(KeyboardInterrupt):
        t.run(100)
    assert (t.step_count, t.d_step_count) == (21, 42)  # step 21 was finished, nothing more
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    t.snapshot()  # the state is consistent and finite
    assert t.records[-1]["seconds"] > 0


def test_reconfigure_changes_live_settings_only():
    t = Trainer(small(loss="nonsaturating"))
    t.run(3)
    cfg = t.reconfigure(loss="wgan-gp", lr_d=5e-4, d_steps=3, betas=(0.0, 0.9))
    assert t.config is cfg and t.penalty_name == "gradient-penalty" and not t.loss.probability
    assert t.optimizer_d.param_groups[0]["lr"] == 5e-4
    assert t.optimizer_d.param_groups[0]["betas"] == (0.0, 0.9)
    t.step()
    assert t.d_step_count == 3 + 3
    assert not t.snapshot().d_is_probability
    with pytest.raises(ValueError, match="hidden cannot change during a run"):
        t.reconfigure(hidden=64)
    with pytest.raises(ValueError, match="loss must be one of"):
        t.reconfigure(loss="vanilla")
    assert t.config.loss == "wgan-gp"  # a rejected change leaves everything as it was
