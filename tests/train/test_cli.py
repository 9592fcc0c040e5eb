"""``ganviz train`` end to end on tiny runs (files, JSON, report, resume, bad flags)."""

from __future__ import annotations

import json

import pytest
import torch

from ganviz.cli import main as ganviz_main
from ganviz.train.cli import main

TINY = ["--hidden", "16", "--depth", "2", "--batch-size", "32", "--eval-samples", "256",
        "--device", "cpu", "--threads", "1", "--quiet"]  # fmt: skip


def test_train_writes_metrics_checkpoint_and_report(tmp_path):
    out = tmp_path / "ring8"
    code = ganviz_main(["train", "--dataset", "ring8", "--loss", "wgan-gp", "--steps", "30",
                        "--seed", "0", "--eval-every", "10", "--out", str(out), *TINY])  # fmt: skip
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"config", "final", "history", "steps_per_second"} <= set(metrics)
    assert metrics["config"]["loss"] == "wgan-gp" and metrics["config"]["steps"] == 30
    assert {"modes_covered", "high_quality", "js", "kl"} <= set(metrics["final"])
    assert [row["step"] for row in metrics["history"]] == [0, 10, 20, 30]
    assert metrics["steps_per_second"] > 0 and metrics["status"] == "completed"
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert state["step_count"] == 30
    html = (out / "report.html").read_text()
    assert html.count("plotly.js v") == 1  # the library is embedded once
    assert html.count('class="plotly-graph-div"') >= 4
    assert "Samples over time" in html and "Losses" in html


def test_resume_reaches_the_total_step_count(tmp_path):
    out = tmp_path / "run"
    args = ["--steps", "20", "--eval-every", "10", "--out", str(out), "--no-report", *TINY]
    assert main(args) == 0
    assert not (out / "report.html").exists()
    assert main(["--resume", str(out / "checkpoint.pt"), "--steps", "40", "--out", str(out),
                 "--no-report", "--quiet"]) == 0  # fmt: skip
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["step"] == 40
    assert [row["step"] for row in metrics["history"]][-3:] == [20, 30, 40]


def test_preset_with_overrides(tmp_path, capsys):
    out = tmp_path / "p"
    argv = ["--preset", "ring8-wgan-gp", "--steps", "4", "--eval-every", "2", "--out", str(out)]
    assert main([*argv, "--no-report", *TINY[:-1]]) == 0
    cfg = json.loads((out / "metrics.json").read_text())["config"]
    assert cfg["loss"] == "wgan-gp" and cfg["d_steps"] == 5 and cfg["hidden"] == 16
    assert "completed: 4 steps" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--loss", "vanilla"], "invalid choice: 'vanilla'"),
        (["--steps", "ten"], "invalid int value"),
        (["--batch-size", "0"], "batch_size must be an integer ≥ 1"),
        (["--lr-d", "-1"], "lr_d must be a finite number > 0"),
        (["--betas", "0.5", "1.5"], "betas must be two numbers in [0, 1)"),
        (["--betas", "0.5"], "expected 2 arguments"),
        (["--device", "tpu"], "device must be one of"),
        (["--dataset", "imagenet"], "invalid choice"),
        (["--resume", "/nonexistent/ckpt.pt"], "--resume"),
        (["--resume", "x.pt", "--loss", "hinge"], "--loss cannot change it"),
    ],
)
def test_bad_flags_are_argparse_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "usage: ganviz train" in err


def test_divergence_exits_1_and_keeps_the_last_good_checkpoint(tmp_path, capsys):
    out = tmp_path / "nan"
    code = main(["--optimizer", "sgd", "--lr-d", "1e30", "--lr-g", "1e30", "--steps", "200",
                 "--eval-every", "5", "--out", str(out), *TINY[:-1]])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "training diverged" in err and "last good checkpoint" in err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["status"] == "diverged"
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert all(torch.isfinite(v).all() for v in state["generator"].values())
    assert state["step_count"] == metrics["step"]


def test_digits_run_reports_class_metrics(tmp_path):
    out = tmp_path / "digits"
    argv = ["--dataset", "digits", "--steps", "6", "--eval-every", "3", "--batch-size", "16"]
    code = main([*argv, "--channels", "4", "--device", "cpu", "--threads", "1", "--quiet",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    final = json.loads((out / "metrics.json").read_text())["final"]
    assert {"classes_covered", "class_kl", "fid", "fid_floor"} <= set(final)
    assert final["fid"] > final["fid_floor"]
    html = (out / "report.html").read_text()
    assert "Generated class histogram" in html and "data:image/png;base64," in html


def test_missing_mnist_is_a_clear_error(tmp_path, capsys):
    code = main(["--dataset", "mnist", "--data-dir", str(tmp_path), "--no-download", "--steps", "1",
                 "--quiet", "--out", str(tmp_path / "o")])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert str(tmp_path / "mnist") in err and "train-images-idx3-ubyte.gz" in err
    assert "Traceback" not in err


def test_mnist_from_idx_files_trains_the_28x28_conv_pair(tmp_path):
    import gzip

    import numpy as np

    from ganviz.train.data import write_idx

    folder = tmp_path / "mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    write_idx(
        folder / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (40, 28, 28), dtype=np.uint8)
    )
    write_idx(folder / "train-labels-idx1-ubyte", (np.arange(40) % 10).astype(np.uint8))
    assert (
        gzip.decompress((folder / "train-images-idx3-ubyte.gz").read_bytes())[:4] == b"\0\0\x08\x03"
    )
    out = tmp_path / "run"
    argv = ["--dataset", "mnist", "--data-dir", str(tmp_path), "--no-download", "--steps", "2"]
    code = main([*argv, "--eval-every", "1", "--batch-size", "8", "--channels", "4", "--device",
                 "cpu", "--quiet", "--no-report", "--out", str(out)])  # fmt: skip
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["dataset"] == "mnist" and "fid" in metrics["final"]
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert state["generator"]["net.5.weight"].shape == (4, 1, 4, 4)  # ConvTranspose2d(C → 1)


def test_old_loss_spellings_are_accepted_by_both_commands():
    from ganviz.train.cli import _config_from_args, build_parser
    from ganviz.train.sweep_cli import build_parser as sweep_parser

    parser = build_parser()
    args = parser.parse_args(["--loss", "wasserstein", "--eval-every", "5", "--spectral-norm"])
    cfg = _config_from_args(args, parser)
    assert (cfg.loss, cfg.snapshot_every, cfg.spectral_norm) == ("wgan", 5, True)
    assert sweep_parser().parse_args(["--losses", "gan", "ns"]).losses == [
        "minimax",
        "nonsaturating",
    ]


def test_train_and_sweep_define_their_shared_flags_once():
    from ganviz.train import cli, sweep_cli

    def actions(parser):
        return {a.dest: a for a in parser._actions}

    train, sweep = actions(cli.build_parser()), actions(sweep_cli.build_parser())
    shared = set(cli.CONFIG_FLAGS) & set(sweep_cli.CONFIG_FLAGS)
    assert set(sweep_cli.CONFIG_FLAGS) <= set(cli.CONFIG_FLAGS) and len(shared) >= 15
    for dest in shared:
        a, b = train[dest], sweep[dest]
        assert (a.option_strings, a.type, a.choices, a.nargs, a.help) == (
            b.option_strings,
            b.type,
            b.choices,
            b.nargs,
            b.help,
        ), dest
