"""Each loss trains with its published recipe unless told otherwise (issue 14, item 1)."""

from __future__ import annotations

import json
import os

import pytest
import torch

from ganviz.train import TrainConfig, Trainer, preset_config
from ganviz.train.cli import main
from ganviz.train.losses import LOSSES, get_loss
from ganviz.train.recipes import RECIPE_FIELDS, RECIPES, get_recipe, loss_configs

TINY = {"hidden": 16, "depth": 2, "batch_size": 32, "device": "cpu", "snapshot_every": 0,
        "eval_samples": 256}  # fmt: skip
TINY_FLAGS = ["--hidden", "16", "--depth", "2", "--batch-size", "32", "--eval-samples", "256",
              "--device", "cpu", "--threads", "1"]  # fmt: skip


def test_every_loss_has_an_image_and_a_toy_recipe_with_a_cited_source():
    assert set(RECIPES) == set(LOSSES)
    for loss in LOSSES:
        for images in (True, False):
            recipe = get_recipe(loss, images)
            assert any(year in recipe.source for year in ("2014", "2016", "2017", "2018"))
            TrainConfig(loss=loss, **recipe.settings())  # every recipe is a valid config


def test_image_recipes_are_the_papers_numbers():
    wgan = TrainConfig(dataset="digits", loss="wgan")  # Arjovsky et al. 2017, Algorithm 1
    assert (wgan.optimizer, wgan.lr_d, wgan.lr_g, wgan.d_steps, wgan.clip) == (
        "rmsprop",
        5e-5,
        5e-5,
        5,
        0.01,
    )
    gp = TrainConfig(dataset="digits", loss="wgan-gp")  # Gulrajani et al. 2017, Algorithm 1
    assert (gp.optimizer, gp.lr_d, gp.betas, gp.d_steps, gp.penalty_weight) == (
        "adam",
        1e-4,
        (0.0, 0.9),
        5,
        10.0,
    )
    dcgan = TrainConfig(dataset="digits", loss="nonsaturating")  # Radford et al. 2016
    assert (dcgan.optimizer, dcgan.lr_d, dcgan.betas, dcgan.d_steps) == (
        "adam",
        2e-4,
        (0.5, 0.999),
        1,
    )


def test_wgan_gp_resolves_to_its_toy_recipe_and_explicit_values_win():
    cfg = TrainConfig(loss="wgan-gp")
    assert (cfg.optimizer, cfg.lr_d, cfg.lr_g, cfg.betas) == ("adam", 1e-3, 1e-3, (0.5, 0.9))
    assert (cfg.d_steps, cfg.penalty_weight, cfg.lr_schedule) == (5, 0.1, "linear")
    assert cfg.steps == 4000  # the toy run is longer (docs/trainer.md, ring8); images keep 3000
    assert TrainConfig(dataset="digits", loss="wgan-gp").steps == 3000
    assert set(cfg.from_recipe) == set(RECIPE_FIELDS) and not cfg.explicit
    mine = TrainConfig(loss="wgan-gp", lr_d=3e-4, lr_g=3e-4)
    assert (mine.lr_d, mine.lr_g, mine.d_steps, mine.penalty_weight) == (3e-4, 3e-4, 5, 0.1)
    assert mine.explicit == {"lr_d", "lr_g"}
    # a new loss brings its recipe to the fields that came from one; explicit ones stay
    hinge = mine.replace(loss="hinge")
    assert (hinge.lr_d, hinge.betas, hinge.d_steps, hinge.lr_schedule, hinge.steps) == (
        3e-4,
        (0.0, 0.9),
        5,
        "constant",
        3000,
    )
    assert TrainConfig(loss="wgan-gp", steps=200).replace(loss="hinge").steps == 200
    assert TrainConfig(loss="wgan-gp").replace(loss="nonsaturating") == TrainConfig()
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg  # checkpoints hold the resolved values


def test_defaults_and_presets_keep_their_old_values():
    cfg = TrainConfig()  # non-saturating on ring8: the settings ganviz always had
    assert (cfg.optimizer, cfg.lr_d, cfg.lr_g, cfg.betas, cfg.d_steps) == (
        "adam",
        2e-4,
        2e-4,
        (0.5, 0.999),
        1,
    )
    assert (cfg.penalty_weight, cfg.clip, cfg.lr_schedule, cfg.steps) == (
        10.0,
        0.01,
        "constant",
        3000,
    )
    preset = preset_config("ring8-nonsaturating")
    assert (preset.lr_d, preset.d_steps, preset.betas) == (2e-4, 1, (0.5, 0.999))


def test_wasserstein_is_the_old_spelling_of_wgan():
    assert get_loss("wasserstein") is get_loss("wgan")
    assert TrainConfig(loss="wasserstein").loss == "wgan"
    with pytest.raises(ValueError, match="loss must be one of"):
        TrainConfig(loss="vanilla")


def test_a_short_run_trains_with_the_recipe_or_the_explicit_rate():
    t = Trainer(TrainConfig(loss="wgan-gp", steps=200, **TINY))
    assert t.optimizer_d.param_groups[0]["betas"] == (0.5, 0.9)
    t.run(200)
    assert t.d_step_count == 5 * 200 and t.penalty_name == "gradient-penalty"
    assert t.optimizer_d.param_groups[0]["lr"] == pytest.approx(1e-3 / 200)  # linear → 0
    mine = Trainer(TrainConfig(loss="wgan-gp", lr_d=3e-4, lr_schedule="constant", **TINY))
    mine.run(5)
    assert mine.optimizer_d.param_groups[0]["lr"] == 3e-4
    assert mine.optimizer_g.param_groups[0]["lr"] == 1e-3
    wgan = Trainer(TrainConfig(loss="wgan", **TINY))
    assert isinstance(wgan.optimizer_d, torch.optim.RMSprop)
    wgan.run(3)
    assert max(p.abs().max().item() for p in wgan.D.parameters()) <= 0.01


def test_spectral_norm_bounds_d_and_observing_never_changes_training():
    cfg = TrainConfig(loss="hinge", spectral_norm=True, d_steps=1, **TINY)
    watched, quiet = Trainer(cfg), Trainer(cfg)
    for _ in range(5):
        watched.step()
        watched.snapshot()
        watched.discriminator([[0.0, 0.0]])
        quiet.step()
    for a, b in zip(watched.D.state_dict().values(), quiet.D.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    for layer in (m for m in quiet.D.modules() if isinstance(m, torch.nn.Linear)):
        assert torch.linalg.matrix_norm(layer.weight, ord=2) <= 1.0 + 1e-3


def test_cli_prints_and_records_the_resolved_configuration(tmp_path, capsys):
    out = tmp_path / "gp"
    argv = ["--dataset", "ring8", "--loss", "wgan-gp", "--steps", "4", "--eval-every", "2"]
    assert main([*argv, "--out", str(out), "--no-report", *TINY_FLAGS]) == 0
    printed = capsys.readouterr().out
    assert "loss wgan-gp" in printed and "k = 5" in printed
    assert "adam lr_d 0.001 lr_g 0.001 betas (0.5, 0.9), linear schedule" in printed
    assert "gradient-penalty (weight 0.1)" in printed and "Gulrajani" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["d_steps"] == 5 and metrics["config"]["lr_d"] == 1e-3
    assert metrics["recipe"]["penalty"] == "gradient-penalty"
    assert "lr_d" in metrics["recipe"]["from_recipe"] and "Gulrajani" in metrics["recipe"]["source"]

    out = tmp_path / "mine"
    assert main([*argv, "--lr-d", "3e-4", "--out", str(out), "--no-report", *TINY_FLAGS]) == 0
    assert "lr_d 0.0003 lr_g 0.001" in capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["lr_d"] == 3e-4 and "lr_d" not in metrics["recipe"]["from_recipe"]


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("GANVIZ_FAST") == "1",
    reason="about 100 s on one core, too long for CI: run with GANVIZ_FAST=0 "
    "(tests/conftest.py sets 1 unless told otherwise)",
)
def test_plain_ring8_wgan_gp_cli_covers_all_eight_modes(tmp_path):
    """`ganviz train --dataset ring8 --loss wgan-gp --seed 1`, nothing else (4,000 steps)."""
    out = tmp_path / "ring8"
    argv = ["--dataset", "ring8", "--loss", "wgan-gp", "--seed", "1"]
    assert main([*argv, "--device", "cpu", "--quiet", "--no-report", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    final = metrics["final"]
    assert metrics["step"] == 4000 and "steps" in metrics["recipe"]["from_recipe"]
    assert final["modes_covered"] == 8 and final["high_quality"] >= 0.9, final


def test_generator_ema_is_the_running_average_and_what_observation_draws(tmp_path):
    t = Trainer(TrainConfig(ema=0.9, **TINY))
    expected = [p.detach().clone() for p in t.G.parameters()]
    for _ in range(4):
        t.step()
        for e, p in zip(expected, t.G.parameters(), strict=True):
            e.mul_(0.9).add_(p.detach(), alpha=0.1)
    for e, p in zip(expected, t.G_ema.parameters(), strict=True):
        torch.testing.assert_close(p, e)
    z = torch.randn(8, t.z_dim)
    with torch.no_grad():
        assert torch.equal(t._generate(z), t.G_ema(z)) and not torch.equal(t.G_ema(z), t.G(z))
    t.save(tmp_path / "ema.pt")
    again = Trainer.load(tmp_path / "ema.pt")
    t.run(3)
    again.run(3)
    for a, b in zip(t.G_ema.parameters(), again.G_ema.parameters(), strict=True):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="ema must be in"):
        TrainConfig(ema=1.0)


def test_loss_configs_give_the_recipe_but_keep_a_shared_run_length():
    base = TrainConfig()
    gp, ns = loss_configs(base, "ring8", ["wgan-gp", "nonsaturating"], True)
    assert (gp.steps, gp.d_steps, ns.steps, ns.d_steps) == (4000, 5, 3000, 1)
    gp, ns = loss_configs(base, "ring8", ["wgan-gp", "nonsaturating"], True, steps=500)
    assert (gp.steps, gp.d_steps, ns.steps) == (500, 5, 500)  # compared runs train equally long
    (plain,) = loss_configs(base, "ring8", ["wgan-gp"], False)
    assert (plain.steps, plain.d_steps, plain.lr_d) == (3000, 1, 2e-4)  # the base's settings
