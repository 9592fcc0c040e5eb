"""Quality of the loss recipes and the documented presets, measured per seed.

    python benchmarks/trainer_quality.py                      # everything (long)
    python benchmarks/trainer_quality.py --only losses --seeds 0 1 2
    python benchmarks/trainer_quality.py --only losses --losses wgan-gp --seeds 0 1 2
    python benchmarks/trainer_quality.py --only grid25 --seeds 0 1 2
    python benchmarks/trainer_quality.py --only digits --seeds 0 1 2 3 4 5 6 7 8 9
    python benchmarks/trainer_quality.py --only ring8 --seeds 0 1 2   # the two ring8 presets

``losses``: for each loss and seed, the plain ``ganviz train --dataset ring8
--loss LOSS --seed S`` configuration (the loss's recipe, 3,000 steps).
``ring8`` / ``grid25``: the presets. Each row prints modes covered and the
high-quality fraction (within 3σ of a centre) at the end, the first step at
which all modes were covered with ≥ 50 % high quality, wall and CPU seconds
(training runs on one thread, so CPU seconds are what an idle machine's wall
clock would show; the machine is shared, so wall seconds vary), and how often
coverage dropped from one snapshot to the next (mode hopping). ``digits``
trains the ``digits`` preset and prints classes covered, class KL and the
Fréchet distance beside its real-data floor, the time to ≥ 9/10 classes,
the fewest classes covered from step 2,000 on, and the lowest diversity from
step 500 on (mean pairwise distance of the 64 fixed-noise images over that of
64 real ones: a collapse to one image shows as ≈ 0; real data scores 1).
``digits-before`` trains the preset it replaced (non-saturating, no spectral
norm, no EMA) for comparison. ``memory``: peak resident memory of
``ganviz train --preset ring8-wgan-gp`` in a child process.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

from ganviz.train import LOSSES, TrainConfig, Trainer, preset_config


def toy_run(cfg: TrainConfig, steps: int | None):
    steps = cfg.steps if steps is None else steps
    trainer = Trainer(cfg)
    state = {"target": None, "covered": []}
    start, cpu = time.perf_counter(), time.process_time()

    def watch(snap):
        m = snap.metrics
        state["covered"].append(m["modes_covered"])
        full = m["modes_covered"] == m["modes_total"]
        if state["target"] is None and full and m["high_quality"] >= 0.5:
            state["target"] = (snap.step, time.perf_counter() - start)

    trainer.run(steps, callback=watch)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    final = trainer.history[-1].metrics
    covered = state["covered"]
    # a "drop": a snapshot covering fewer modes than the one before (modes lost, hopping)
    drops = sum(b < a for a, b in itertools.pairwise(covered))
    return final, state["target"], (seconds, cpu), drops, trainer


def spread(images) -> float:
    """Mean pairwise Euclidean distance between images (0 when every image is the same)."""
    x = np.asarray(images, dtype=float).reshape(len(images), -1)
    d = np.sqrt(np.maximum(((x[:, None] - x[None]) ** 2).sum(-1), 0.0))
    return float(d.sum() / (len(x) * (len(x) - 1)))


#: The ``digits`` preset before issue 14: the plain non-saturating DCGAN-style pair.
DIGITS_BEFORE = {"loss": "nonsaturating", "spectral_norm": False, "ema": 0.0}


def digits_run(seed: int, steps: int | None, **changes):
    cfg = preset_config("digits", seed=seed, device="cpu", **changes)
    steps = cfg.steps if steps is None else steps
    trainer = Trainer(cfg)
    trainer.evaluate()  # train the measuring classifier before the clock starts
    state = {"target": None, "fewest": None, "diversity": None}
    start, cpu = time.perf_counter(), time.process_time()

    def watch(snap):
        classes = snap.metrics["classes_covered"]
        if state["target"] is None and classes >= 9:
            state["target"] = (snap.step, time.perf_counter() - start)
        if snap.step >= 2000:
            state["fewest"] = classes if state["fewest"] is None else min(state["fewest"], classes)
        if snap.step >= 500:  # a collapse shows as generated images all alike: diversity → 0
            div = spread(snap.fake) / spread(snap.real)
            state["diversity"] = div if state["diversity"] is None else min(state["diversity"], div)

    trainer.run(steps, callback=watch)
    times = time.perf_counter() - start, time.process_time() - cpu
    return trainer.history[-1].metrics, state["target"], times, state["fewest"], state["diversity"]


def write_comparison(path, runs) -> None:
    """The ring8 runs side by side: modes per seed, occupancy and final field of each."""
    from ganviz.plots.field import snapshot_figure
    from ganviz.plots.training import coverage_chart, mode_occupancy
    from ganviz.train.report import write_html

    rows = [
        {"loss": t.config.loss, "seed": seed, "modes_covered": m["modes_covered"],
         "high_quality": m["high_quality"]}
        for _, seed, m, t in runs
    ]  # fmt: skip
    sections = [("Modes covered at the end, per seed", coverage_chart(rows, total=8))]
    for preset, seed, _, trainer in runs:
        ds = trainer.dataset
        sections.append(
            (
                f"{preset}, seed {seed}: mode occupancy",
                mode_occupancy(trainer.history, ds.centers, ds.std),
            )
        )
        last = trainer.history[-1]
        sections.append((f"{preset}, seed {seed}: final field", snapshot_figure(last)))
    write_html(path, "ring8: the losses side by side", sections)


def peak_rss_mb() -> float:
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "ganviz.cli", "train", "--preset", "ring8-wgan-gp",
               "--device", "cpu", "--quiet", "--out", out]  # fmt: skip
        subprocess.run(cmd, check=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


HEADER = (
    f"{'run':<20} {'seed':>4} | {'modes':>5} {'HQ':>5} | {'all & HQ≥.5 at':>16} | "
    f"{'wall s':>6} {'CPU s':>6} | {'drops':>5}"
)


def toy_row(name, seed, cfg, steps, runs):
    final, target, (wall, cpu), drops, trainer = toy_run(cfg, steps)
    runs.append((name, seed, final, trainer))
    at = "never" if target is None else f"step {target[0]} ({target[1]:.0f}s)"
    modes = f"{final['modes_covered']}/{final['modes_total']}"
    print(f"{name:<20} {seed:>4} | {modes:>5} {final['high_quality']:>5.2f} | {at:>16} | "
          f"{wall:>6.0f} {cpu:>6.0f} | {drops:>5}", flush=True)  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=["losses", "ring8", "grid25", "digits", "digits-before", "memory"],
        action="append",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--losses", nargs="+", choices=list(LOSSES), default=list(LOSSES))
    parser.add_argument("--steps", type=int, help="override the step counts")
    parser.add_argument("--html", help="write the ring8 comparison (coverage, occupancy) here")
    args = parser.parse_args(argv)
    parts = args.only or ["losses", "grid25", "digits", "memory"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"torch {torch.__version__}, trainer on 1 CPU thread, load {load:.1f}, seeds {args.seeds}"
    )
    if "losses" in parts:
        print("\nring8 (8 modes, σ = 0.02), each loss's recipe: `ganviz train --dataset ring8 "
              "--loss LOSS --seed S`")  # fmt: skip
        print(HEADER)
        runs = []
        for loss in args.losses:
            for seed in args.seeds:
                cfg = TrainConfig(dataset="ring8", loss=loss, seed=seed, device="cpu")
                toy_row(loss, seed, cfg, args.steps, runs)
        if args.html:
            write_comparison(args.html, runs)
            print(f"wrote {args.html}")
    if "ring8" in parts:
        print("\nring8 presets")
        print(HEADER)
        runs = []
        for preset in ("ring8-wgan-gp", "ring8-nonsaturating"):
            for seed in args.seeds:
                cfg = preset_config(preset, seed=seed, device="cpu")
                toy_row(preset, seed, cfg, args.steps, runs)
        if args.html and "losses" not in parts:
            write_comparison(args.html, runs)
            print(f"wrote {args.html}")
    if "grid25" in parts:
        print("\ngrid25 (25 modes, σ = 0.05), preset grid25-wgan-gp")
        print(HEADER)
        for seed in args.seeds:
            cfg = preset_config("grid25-wgan-gp", seed=seed, device="cpu")
            toy_row("grid25-wgan-gp", seed, cfg, args.steps, [])
    for part, changes in (("digits", {}), ("digits-before", DIGITS_BEFORE)):
        if part not in parts:
            continue
        name = "preset digits" if not changes else "the digits preset before issue 14"
        print(f"\ndigits (8×8, 10 classes), {name}")
        print(f"{'seed':>4} | {'classes':>7} {'class KL':>8} {'FD':>7} {'FD floor':>8} | "
              f"{'≥9 classes at':>16} | {'fewest@≥2000':>12} {'min div':>7} | "
              f"{'wall s':>6} {'CPU s':>6}")  # fmt: skip
        for seed in args.seeds:
            final, target, (wall, cpu), fewest, div = digits_run(seed, args.steps, **changes)
            at = "never" if target is None else f"step {target[0]} ({target[1]:.0f}s)"
            print(f"{seed:>4} | {final['classes_covered']:>4}/10 {final['class_kl']:>8.3f} "
                  f"{final['fid']:>7.2f} {final['fid_floor']:>8.2f} | {at:>16} | "
                  f"{fewest!s:>12} {div:>7.2f} | {wall:>6.0f} {cpu:>6.0f}", flush=True)  # fmt: skip
    if "memory" in parts:
        print(f"\npeak RSS of `ganviz train --preset ring8-wgan-gp`: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
