"""Batched seed sweeps: each seed is its own run, checked against separate runs and autograd."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ganviz.cli import main as ganviz_main
from ganviz.train import TrainConfig, Trainer, sweep
from ganviz.train import seedsweep as seedsweep_module
from ganviz.train.batched import BatchedRun, batch_support
from ganviz.train.sweep_cli import main as sweep_main

TINY = {
    "hidden": 16,
    "depth": 2,
    "batch_size": 64,
    "device": "cpu",
    "snapshot_every": 0,
    "eval_samples": 512,
    "threads": 1,
}
#: k > 1 critic steps where the loss's recipe has them
D_STEPS = {"wgan": 3, "wgan-gp": 3}
ALL_LOSSES = ["minimax", "nonsaturating", "wgan", "wgan-gp", "lsgan", "hinge"]


def tiny(**kw) -> TrainConfig:
    return TrainConfig(**{**TINY, **kw})


def weights(trainer):
    return [p.detach() for p in (*trainer.G.parameters(), *trainer.D.parameters())]


# -- one seed batched is the separate run ------------------------------------------------------


@pytest.mark.parametrize("loss", ALL_LOSSES)
def test_batched_seeds_follow_their_separate_runs(loss):
    """Same initial weights and random streams: 25 steps of each seed (alone, or among 3)
    end where the separate Trainer ends, to float rounding; the streams advance identically."""
    base = tiny(loss=loss, d_steps=D_STEPS.get(loss, 1), steps=25)
    for seeds in ([4], [4, 5, 6]):
        runs = sweep(base, seeds=seeds, steps=25)
        assert all(r.batched and r.batch_size == len(seeds) for r in runs)
        for r in runs:
            alone = Trainer(base.replace(seed=r.seed))
            alone.run(25)
            assert r.steps == alone.step_count == 25
            assert r.trainer.d_step_count == alone.d_step_count == 25 * base.d_steps
            for a, b in zip(weights(alone), weights(r.trainer), strict=True):
                torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
            assert torch.equal(alone._rng.get_state(), r.trainer._rng.get_state())
            expected = alone.evaluate()
            assert r.modes_covered == expected["modes_covered"]
            assert r.high_quality == pytest.approx(expected["high_quality"], abs=2 / 512)


def test_batched_generator_average_follows_the_separate_runs():
    """With ``ema`` on, each seed's averaged generator (what metrics and samples use) ends
    where the separate run's does, and differs from the raw generator."""
    base = tiny(loss="wgan-gp", d_steps=2, ema=0.9, steps=20)
    runs = sweep(base, seeds=[3, 4], steps=20)
    for r in runs:
        alone = Trainer(base.replace(seed=r.seed))
        alone.run(20)
        for a, b in zip(alone.G_ema.parameters(), r.trainer.G_ema.parameters(), strict=True):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
        assert not all(
            torch.equal(a, b)
            for a, b in zip(r.trainer.G.parameters(), r.trainer.G_ema.parameters(), strict=True)
        )
        assert r.high_quality == pytest.approx(alone.evaluate()["high_quality"], abs=2 / 512)


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan-gp", "lsgan", "hinge"])
def test_batched_discriminator_gradient_is_each_seeds_own(loss):
    """Independent reference: autograd on a separate copy of one seed's D, the loss written
    out here from its formula (plus the WGAN-GP penalty), on the very batches the seed drew."""
    config = tiny(loss=loss)
    trainers = [Trainer(config.replace(seed=s)) for s in (0, 1, 2)]
    seed = 1
    G_ref, D_ref = copy.deepcopy(trainers[seed].G), copy.deepcopy(trainers[seed].D)
    gen = torch.Generator().manual_seed(0)
    gen.set_state(trainers[seed]._rng.get_state())  # the seed's stream, replayed
    run = BatchedRun(trainers)
    captured = {}

    def capture():
        captured["grads"] = [p.grad.clone() for p in run._d_params]

    run.optimizer_d.step = capture
    run._d_update()

    n = config.batch_size
    real = trainers[seed].dataset.sample(n, gen)
    with torch.no_grad():
        fake = G_ref(torch.randn(n, 2, generator=gen))
    r, f = D_ref(real), D_ref(fake)
    formulas = {
        "nonsaturating": lambda: F.softplus(-r).mean() + F.softplus(f).mean(),
        "wgan-gp": lambda: f.mean() - r.mean(),
        "lsgan": lambda: 0.5 * ((r - 1) ** 2).mean() + 0.5 * (f**2).mean(),
        "hinge": lambda: torch.clamp(1 - r, min=0).mean() + torch.clamp(1 + f, min=0).mean(),
    }
    total = formulas[loss]()
    if loss == "wgan-gp":
        eps = torch.rand(n, 1, generator=gen)
        x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (g,) = torch.autograd.grad(D_ref(x_hat).sum(), x_hat, create_graph=True)
        total = total + config.penalty_weight * ((g.norm(dim=1) - 1) ** 2).mean()
    expected = torch.autograd.grad(total, list(D_ref.parameters()))
    for e, stacked in zip(expected, captured["grads"], strict=True):
        mine = stacked[seed].t() if stacked.dim() == 3 else stacked[seed]
        torch.testing.assert_close(mine, e, rtol=1e-4, atol=1e-6)


def test_batched_generator_gradient_is_each_seeds_own():
    config = tiny(loss="minimax")
    trainers = [Trainer(config.replace(seed=s)) for s in (0, 1)]
    seed = 0
    G_ref, D_ref = copy.deepcopy(trainers[seed].G), copy.deepcopy(trainers[seed].D)
    gen = torch.Generator().manual_seed(0)
    gen.set_state(trainers[seed]._rng.get_state())
    run = BatchedRun(trainers)
    captured = {}
    run.optimizer_g.step = lambda: captured.setdefault("g", [p.grad.clone() for p in run._g_params])
    run._g_update()
    f = D_ref(G_ref(torch.randn(config.batch_size, 2, generator=gen)))
    expected = torch.autograd.grad((-F.softplus(f)).mean(), list(G_ref.parameters()))
    for e, stacked in zip(expected, captured["g"], strict=True):
        mine = stacked[seed].t() if stacked.dim() == 3 else stacked[seed]
        torch.testing.assert_close(mine, e, rtol=1e-4, atol=1e-6)


# -- independence, divergence -----------------------------------------------------------------


def test_changing_one_seed_leaves_the_other_seeds_unchanged():
    base = tiny(loss="wgan-gp", d_steps=2)
    a = sweep(base, seeds=[0, 1, 2, 3], steps=40)
    b = sweep(base, seeds=[0, 1, 2, 99], steps=40)
    for ra, rb in zip(a[:3], b[:3], strict=True):
        assert ra.seed == rb.seed
        for x, y in zip(weights(ra.trainer), weights(rb.trainer), strict=True):
            torch.testing.assert_close(x, y, rtol=0, atol=1e-7)
        assert ra.modes_covered == rb.modes_covered
    assert not all(
        torch.equal(x, y) for x, y in zip(weights(a[3].trainer), weights(b[3].trainer), strict=True)
    )


def test_a_diverged_seed_is_rolled_back_alone():
    config = tiny(loss="nonsaturating")
    trainers = [Trainer(config.replace(seed=s)) for s in range(3)]
    run = BatchedRun(trainers)
    run.run(100)  # one good check at step 100
    good = [p[1].clone() for p in run._d_params]
    with torch.no_grad():
        run._d_params[0][1].fill_(float("nan"))  # seed 1's critic breaks
    run.run(30)
    assert run.diverged == [None, (100, 100), None]
    run.finish()
    assert [t.step_count for t in trainers] == [130, 100, 130]
    for value, p in zip(good, trainers[1].D.parameters(), strict=True):
        torch.testing.assert_close(p.detach(), value.t() if value.dim() == 2 else value)
    assert all(torch.isfinite(p).all() for t in trainers for p in t.D.parameters())


# -- statistics over many seeds -----------------------------------------------------------------


def test_modes_covered_have_the_same_distribution_batched_and_separate():
    """16 seeds × 300 steps: the batched and separate mean modes covered agree within
    3 standard errors of their difference (estimated from the seeds' own spread)."""
    base = tiny(
        dataset="ring8",
        dataset_options={"std": 0.1},  # wide modes: 300 steps cover from 0 to 8 of them
        loss="nonsaturating",
        hidden=32,
        lr_d=2e-3,
        lr_g=2e-3,
        betas=(0.5, 0.9),
    )
    seeds = range(16)
    batched = sweep(base, seeds=seeds, steps=300)
    separate = sweep(base, seeds=seeds, steps=300, batched=False)
    assert all(r.batched for r in batched) and not any(r.batched for r in separate)
    b = np.array([r.modes_covered for r in batched], float)
    s = np.array([r.modes_covered for r in separate], float)
    assert b.sum() > 0 and s.sum() > 0  # a real comparison, not 0 == 0
    se = np.sqrt(b.var(ddof=1) / len(b) + s.var(ddof=1) / len(s))
    assert abs(b.mean() - s.mean()) <= 3 * se + 0.25
    # And run by run they stay close: float rounding only, not a different run.
    assert np.mean(b == s) >= 0.75


# -- the API ------------------------------------------------------------------------------------


def test_results_are_typed_and_summarised_with_wilson_intervals():
    from scipy.stats import binomtest

    runs = sweep(config=tiny(), seeds=[0, 1, 2], losses=["minimax", "hinge"], steps=20)
    assert [(r.loss, r.seed) for r in runs] == [
        (loss, s) for loss in ("minimax", "hinge") for s in (0, 1, 2)
    ]
    first = runs[0]
    assert first.sample(100).shape == (100, 2)
    np.testing.assert_array_equal(first.sample(50, seed=3), first.trainer.sample(50, seed=3))
    assert set(runs.by_loss()) == {"minimax", "hinge"}
    assert runs.samples(10)[("hinge", 2)].shape == (10, 2)
    assert first.seconds > 0 and first.batch_seconds == pytest.approx(3 * first.seconds)
    json.dumps(first.to_dict())
    for row in runs.summary():
        counts = [r.modes_covered for r in runs if r.loss == row.loss]
        k = sum(c == row.modes_total for c in counts)
        ci = binomtest(k, 3).proportion_ci(method="wilson")
        assert row.runs == 3 and row.all_modes == k
        assert row.ci == pytest.approx((ci.low, ci.high))
        assert row.mean_modes == pytest.approx(np.mean(counts))


def test_bad_input_raises_value_errors():
    with pytest.raises(ValueError, match="seeds"):
        sweep(tiny(), seeds=[])
    with pytest.raises(ValueError, match="loss"):
        sweep(tiny(), seeds=[0], losses=["nope"])
    with pytest.raises(ValueError, match="steps"):
        sweep(tiny(), seeds=[0], steps=-1)
    with pytest.raises(ValueError, match="chunk"):
        sweep(tiny(), seeds=[0], chunk=0)
    with pytest.raises(ValueError, match="config"):
        sweep("ring8", seeds=[0])
    with pytest.raises(ValueError, match="not both"):
        sweep(tiny(), base=tiny())
    with pytest.raises(ValueError, match="at least one"):
        BatchedRun([])
    with pytest.raises(ValueError, match="but the seed"):
        BatchedRun([Trainer(tiny(seed=0)), Trainer(tiny(seed=1, hidden=8))])


def test_what_cannot_batch_runs_separately_and_says_why(monkeypatch):
    assert "image" in batch_support(TrainConfig(dataset="digits"))
    assert "conv" in batch_support(TrainConfig(dataset="custom", model="conv"))
    assert batch_support(tiny()) is None
    monkeypatch.setattr(seedsweep_module, "batch_support", lambda *a: "not today")
    runs = sweep(tiny(), seeds=[0, 1], steps=5)
    assert [r.batched for r in runs] == [False, False]
    assert runs.reasons == ["not today"]
    alone = Trainer(tiny(seed=1))
    alone.run(5)
    assert runs[1].metrics == alone.evaluate()


def test_chunks_split_a_large_group():
    runs = sweep(tiny(), seeds=range(5), steps=3, chunk=2)
    assert [r.batch_size for r in runs] == [2, 2, 2, 2, 1]


# -- the command line -------------------------------------------------------------------------


def test_cli_prints_the_table_and_writes_json_and_html(tmp_path, capsys):
    code = ganviz_main(
        [
            "sweep",
            "--dataset", "ring8", "--losses", "minimax", "wgan-gp", "--seeds", "3",
            "--steps", "10", "--hidden", "8", "--depth", "1", "--batch-size", "32",
            "--eval-samples", "256", "--out", str(tmp_path),
        ]
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "P(all modes)" in out and "minimax" in out and "wgan-gp" in out and "batched" in out
    record = json.loads((tmp_path / "sweep.json").read_text())
    assert record["losses"] == ["minimax", "wgan-gp"] and record["seeds"] == [0, 1, 2]
    assert len(record["runs"]) == 6 and record["batched"] is True
    assert [s["loss"] for s in record["summary"]] == ["minimax", "wgan-gp"]
    page = (tmp_path / "sweep.html").read_text()
    assert "Modes covered, with intervals" in page and "Wilson" in page
    with pytest.raises(SystemExit):
        sweep_main(["--losses", "nope"])
    with pytest.raises(SystemExit):
        sweep_main(["--seeds", "0", "--out", str(tmp_path)])


def test_the_sweep_header_gives_each_losss_run_length_where_recipes_differ():
    """WGAN-GP's toy recipe runs 4,000 steps, the others 3,000: the header must not say
    "3000 steps each" for all (it did, from the first config)."""
    from ganviz.train.sweep_cli import run_lengths

    ring8 = TrainConfig(dataset="ring8")
    mixed = [ring8.replace(loss=loss) for loss in ("minimax", "wgan-gp")]
    assert [c.steps for c in mixed] == [3000, 4000]
    assert run_lengths(mixed) == "minimax 3000, wgan-gp 4000 steps"
    same = [ring8.replace(loss=loss, steps=50) for loss in ("minimax", "wgan-gp")]
    assert run_lengths(same) == "50 steps each"
