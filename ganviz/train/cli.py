"""``ganviz train``: train a GAN from the command line.

    ganviz train --dataset ring8 --loss wgan-gp --steps 3000 --seed 0 --out runs/ring8
    ganviz train --preset ring8-wgan-gp --seed 3
    ganviz train --resume runs/ring8/checkpoint.pt --steps 6000

Writes ``metrics.json``, ``checkpoint.pt`` (the last good state, refreshed at
every evaluation) and ``report.html`` into ``--out``. Exit status: 0 done,
1 diverged or data unavailable, 2 bad flags, 130 interrupted (the checkpoint
and metrics of the finished steps are still written).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

__all__ = ["build_parser", "main"]

#: flag → TrainConfig field, for the flags that map one to one.
_FIELDS = {
    "dataset": "dataset",
    "loss": "loss",
    "penalty": "penalty",
    "penalty_weight": "penalty_weight",
    "clip": "clip",
    "steps": "steps",
    "seed": "seed",
    "batch_size": "batch_size",
    "hidden": "hidden",
    "depth": "depth",
    "z_dim": "z_dim",
    "noise": "noise",
    "activation": "activation",
    "model": "model",
    "channels": "channels",
    "optimizer": "optimizer",
    "lr_d": "lr_d",
    "lr_g": "lr_g",
    "lr_schedule": "lr_schedule",
    "betas": "betas",
    "momentum": "momentum",
    "ema": "ema",
    "d_steps": "d_steps",
    "device": "device",
    "eval_every": "snapshot_every",
    "eval_samples": "eval_samples",
    "threads": "threads",
}


def build_parser() -> argparse.ArgumentParser:
    from .config import DEVICES, MODELS, NOISES, OPTIMIZERS, SCHEDULES
    from .data import DATASETS
    from .losses import LOSSES
    from .models import ACTIVATIONS
    from .penalties import PENALTIES
    from .presets import PRESETS

    p = argparse.ArgumentParser(
        prog="ganviz train",
        description="Train a GAN on a 2-D toy or a small image set; write metrics.json, "
        "a checkpoint and report.html. Optimisation flags not given (optimizer, learning "
        "rates, betas, d-steps, penalty weight, clip, schedule) come from the loss's published "
        "recipe (ganviz.train.recipes); the resolved configuration is printed and recorded.",
        epilog="Flags given with --preset override the preset. Presets: "
        + "; ".join(f"{k}: {v[0]}" for k, v in PRESETS.items()),
    )
    p.add_argument("--preset", choices=list(PRESETS), help="start from a documented configuration")
    p.add_argument("--dataset", choices=list(DATASETS), help="training data (default ring8)")
    p.add_argument("--loss", choices=list(LOSSES), help="GAN loss (default nonsaturating)")
    p.add_argument(
        "--penalty", choices=["auto", "none", *PENALTIES], help="regulariser (default auto)"
    )
    p.add_argument(
        "--penalty-weight",
        type=float,
        metavar="W",
        help="λ of the gradient penalty / γ of R1 (default: the loss's recipe)",
    )
    p.add_argument(
        "--clip", type=float, metavar="C", help="weight-clipping bound of the wgan critic (0.01)"
    )
    p.add_argument("--steps", type=int, metavar="N", help="generator steps in total (default 3000)")
    p.add_argument("--seed", type=int, metavar="S", help="random seed (default 0)")
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default runs/<dataset>-<loss>-seed<seed>)"
    )
    p.add_argument("--batch-size", type=int, metavar="B")
    p.add_argument("--hidden", type=int, metavar="W", help="width of the hidden MLP layers")
    p.add_argument("--depth", type=int, metavar="L", help="number of hidden MLP layers")
    p.add_argument(
        "--z-dim", type=int, metavar="Z", help="noise dimension (default 2 toys, 32 images)"
    )
    p.add_argument("--noise", choices=list(NOISES))
    p.add_argument("--activation", choices=list(ACTIVATIONS))
    p.add_argument("--model", choices=list(MODELS))
    p.add_argument("--channels", type=int, metavar="C", help="base channels of the conv pair")
    p.add_argument(
        "--spectral-norm", action="store_true", help="spectral normalisation of every D layer"
    )
    p.add_argument(
        "--optimizer", choices=list(OPTIMIZERS), help="(default: the loss's recipe, as below)"
    )
    p.add_argument("--lr-d", type=float, metavar="LR", help="discriminator learning rate")
    p.add_argument("--lr-g", type=float, metavar="LR", help="generator learning rate")
    p.add_argument(
        "--lr-schedule", choices=list(SCHEDULES), help="constant, or linear decay to 0 at --steps"
    )
    p.add_argument("--betas", type=float, nargs=2, metavar=("B1", "B2"), help="Adam's betas")
    p.add_argument("--momentum", type=float, metavar="M", help="SGD momentum")
    p.add_argument(
        "--ema",
        type=float,
        metavar="BETA",
        help="average G's weights (β, e.g. 0.999); snapshots and metrics use the average (0: off)",
    )
    p.add_argument(
        "--d-steps", type=int, metavar="K", help="discriminator updates per generator update"
    )
    p.add_argument(
        "--device", metavar="DEV", help=f"one of {', '.join(DEVICES)} or cuda:N (default auto)"
    )
    p.add_argument(
        "--eval-every", type=int, metavar="N", help="generator steps between evaluations"
    )
    p.add_argument("--eval-samples", type=int, metavar="N", help="generated samples per evaluation")
    p.add_argument(
        "--threads",
        type=int,
        metavar="T",
        help="torch CPU threads while training (default 1 on CPU)",
    )
    p.add_argument(
        "--data-dir", metavar="DIR", help="folder of downloaded datasets (sets GANVIZ_DATA)"
    )
    p.add_argument(
        "--no-download", action="store_true", help="never download mnist/fashion-mnist files"
    )
    p.add_argument("--resume", metavar="CKPT", help="continue the run saved in this checkpoint")
    p.add_argument("--no-report", action="store_true", help="do not write report.html")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    return p


def _config_from_args(args, parser):
    from .config import TrainConfig
    from .presets import PRESETS

    fields = dict(PRESETS[args.preset][1]) if args.preset else {}
    for flag, name in _FIELDS.items():
        value = getattr(args, flag)
        if value is not None:
            fields[name] = value
    if args.spectral_norm:
        fields["spectral_norm"] = True
    if args.no_download and fields.get("dataset") in ("mnist", "fashion-mnist"):
        fields["dataset_options"] = {**fields.get("dataset_options", {}), "download": False}
    try:
        return TrainConfig(**fields)
    except ValueError as exc:
        parser.error(str(exc))


def describe_config(trainer) -> str:
    """The resolved configuration a run uses, as a few lines for the terminal."""
    cfg = trainer.config
    model = cfg.model if cfg.model != "auto" else ("conv" if trainer.images else "mlp")
    size = (
        f"channels {cfg.channels}"
        if model == "conv"
        else f"hidden {cfg.hidden} × depth {cfg.depth}, {cfg.activation}"
    )
    optim = f"{cfg.optimizer} lr_d {cfg.lr_d:g} lr_g {cfg.lr_g:g}"
    if cfg.optimizer == "adam":
        optim += f" betas ({cfg.betas[0]:g}, {cfg.betas[1]:g})"
    elif cfg.optimizer == "sgd":
        optim += f" momentum {cfg.momentum:g}"
    penalty = trainer.penalty_name
    if penalty != "none":
        penalty += f" (weight {cfg.penalty_weight:g})"
    if trainer.loss.weight_clip:
        penalty += f", weights clipped to ±{cfg.clip:g}"
    recipe = cfg.from_recipe
    origin = (
        f"from the {cfg.loss} recipe: {', '.join(recipe)} — {cfg.recipe.source}"
        if recipe
        else "every optimisation field given"
    )
    return "\n".join(
        [
            f"config: {trainer.dataset.name}, loss {cfg.loss}, {cfg.steps} steps, seed {cfg.seed}, "
            f"device {trainer.device}",
            f"  optimisation: {optim}, {cfg.lr_schedule} schedule, k = {cfg.d_steps} "
            f"D steps per G step, batch {cfg.batch_size}",
            f"  regulariser: {penalty}; spectral norm {'on' if cfg.spectral_norm else 'off'}; "
            f"generator EMA {cfg.ema:g}",
            f"  model: {model}, {size}, z_dim {trainer.z_dim} ({cfg.noise})",
            f"  {origin}",
        ]
    )


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``ganviz train``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ["GANVIZ_DATA"] = str(Path(args.data_dir).expanduser())

    from tqdm import tqdm

    from .data import DatasetUnavailable
    from .report import write_report
    from .trainer import Trainer, TrainingDiverged

    try:
        if args.resume:
            allowed = {"steps", "eval_every", "eval_samples", "threads", "device"}
            fixed = sorted(f for f in _FIELDS if f not in allowed and getattr(args, f) is not None)
            fixed += ["spectral_norm"] * bool(args.spectral_norm)
            if fixed or args.preset:
                given = ", ".join(
                    "--" + f.replace("_", "-") for f in fixed + ["preset"] * bool(args.preset)
                )
                parser.error(
                    f"--resume continues a saved run; {given} cannot change it "
                    "(only --steps, --eval-every, --eval-samples, --threads and --device can)"
                )
            overrides = {
                _FIELDS[f]: getattr(args, f)
                for f in ("steps", "eval_every", "eval_samples", "threads", "device")
                if getattr(args, f) is not None
            }
            trainer = Trainer.load(args.resume, **overrides)
        else:
            trainer = Trainer(_config_from_args(args, parser))
    except DatasetUnavailable as exc:
        sys.stderr.write(f"ganviz train: {exc}\n")
        return 1
    except ValueError as exc:
        parser.error(str(exc))
    except FileNotFoundError as exc:
        parser.error(f"--resume: {exc}")

    cfg = trainer.config
    if not args.quiet:
        sys.stdout.write(describe_config(trainer) + "\n")
        sys.stdout.flush()
    out = Path(args.out or f"runs/{trainer.dataset.name}-{cfg.loss}-seed{cfg.seed}")
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = out / "checkpoint.pt"
    remaining = max(cfg.steps - trainer.step_count, 0)

    def save_checkpoint(_snapshot):
        trainer.save(checkpoint)  # every snapshot passed the divergence check: a good state

    bar = tqdm(
        total=remaining,
        desc=f"{trainer.dataset.name} {cfg.loss}",
        unit="step",
        file=sys.stderr,
        disable=args.quiet or not sys.stderr.isatty(),
        dynamic_ncols=True,
    )
    status, code = "completed", 0
    start = time.perf_counter()
    steps_before = trainer.step_count
    try:
        trainer.run(
            remaining, callback=save_checkpoint if cfg.snapshot_every else None, progress=bar
        )
        if not trainer.history or trainer.history[-1].step != trainer.step_count:
            trainer.record_snapshot()
        trainer.save(checkpoint)
    except TrainingDiverged as exc:
        status, code = "diverged", 1
        kept = f" The last good checkpoint is {checkpoint}." if checkpoint.exists() else ""
        sys.stderr.write(f"\nganviz train: {exc}{kept}\n")
    except KeyboardInterrupt:
        status, code = "interrupted", 130
        sys.stderr.write(f"\nganviz train: interrupted at step {trainer.step_count}; saving.\n")
        trainer.save(checkpoint)
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    done = trainer.step_count - steps_before
    final = dict(trainer.history[-1].metrics) if trainer.history else {}
    if trainer.history:
        final.update({f"loss_{k}": v for k, v in trainer.history[-1].losses.items()})
    summary = {
        "config": cfg.to_dict(),
        "recipe": {**cfg.resolved_summary(), "penalty": trainer.penalty_name},
        "status": status,
        "step": trainer.step_count,
        "d_steps_done": trainer.d_step_count,
        "final": final,
        "history": list(trainer.records),
        "steps_per_second": done / seconds if seconds > 0 and done else 0.0,
        "seconds": seconds,
        "device": str(trainer.device),
        "checkpoint": str(checkpoint) if checkpoint.exists() else None,
    }
    (out / "metrics.json").write_text(json.dumps(_json_safe(summary), indent=2), encoding="utf-8")
    if not args.no_report and trainer.history:
        write_report(trainer, out / "report.html", summary=summary)
    if not args.quiet:
        shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in final.items()}
        sys.stdout.write(
            f"{status}: {trainer.step_count} steps, {summary['steps_per_second']:.1f} steps/s; "
            f"{json.dumps(shown)}\nwrote {out}/metrics.json"
            + (f", {checkpoint}" if checkpoint.exists() else "")
            + ("" if args.no_report or not trainer.history else f", {out}/report.html")
            + "\n"
        )
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
