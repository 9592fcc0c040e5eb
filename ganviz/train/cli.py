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

from .flags import add_config_flags, config_overrides, given_flags

__all__ = ["build_parser", "main"]

#: The TrainConfig flags ``ganviz train`` offers (:mod:`ganviz.train.flags`), in help order.
CONFIG_FLAGS = (
    "dataset", "loss", "penalty", "penalty_weight", "clip", "steps", "seed", "batch_size",
    "hidden", "depth", "z_dim", "noise", "activation", "model", "channels", "spectral_norm",
    "optimizer", "lr_d", "lr_g", "lr_schedule", "betas", "momentum", "ema", "d_steps", "device",
    "eval_every", "eval_samples", "threads",
)  # fmt: skip
#: The flags that may accompany --resume (they do not change the run).
RESUME_FLAGS = ("steps", "eval_every", "eval_samples", "threads", "device")


def build_parser() -> argparse.ArgumentParser:
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
    add_config_flags(p, CONFIG_FLAGS)
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default runs/<dataset>-<loss>-seed<seed>)"
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
    fields.update(config_overrides(args, CONFIG_FLAGS))
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
            fixed = sorted(set(given_flags(args, CONFIG_FLAGS)) - set(RESUME_FLAGS))
            if fixed or args.preset:
                given = ", ".join(
                    "--" + f.replace("_", "-") for f in fixed + ["preset"] * bool(args.preset)
                )
                parser.error(
                    f"--resume continues a saved run; {given} cannot change it "
                    "(only --steps, --eval-every, --eval-samples, --threads and --device can)"
                )
            trainer = Trainer.load(args.resume, **config_overrides(args, RESUME_FLAGS))
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
