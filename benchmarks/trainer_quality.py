"""Quality of the documented presets, measured: mode coverage on ring8, classes on digits.

    python benchmarks/trainer_quality.py                      # everything (several minutes)
    python benchmarks/trainer_quality.py --only ring8 --seeds 0 1 2
    python benchmarks/trainer_quality.py --only digits --seeds 0

For each ring8 seed it trains the ``ring8-wgan-gp`` preset and the
``ring8-nonsaturating`` preset and prints: modes covered and high-quality
fraction at the end, the first step at which the target (8/8 modes with
≥ 50 % high quality) was reached, wall and CPU seconds (training runs on one
thread, so CPU seconds are what an idle machine's wall clock would show), the
fewest modes covered after the first full coverage, and how often coverage
dropped from one snapshot to the next (mode hopping). For digits it trains the
``digits`` preset and prints classes covered, class KL and the Fréchet
distance beside its real-data floor, with the time to ≥ 9/10 classes.
Peak resident memory of one default ring8 run is measured in a child
process (``ganviz train --preset ring8-wgan-gp``).
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

import torch

from ganviz.train import Trainer, preset_config


def ring8_run(preset: str, seed: int, steps: int | None):
    cfg = preset_config(preset, seed=seed, device="cpu")
    steps = cfg.steps if steps is None else steps
    trainer = Trainer(cfg)
    state = {"target": None, "covered": []}
    start, cpu = time.perf_counter(), time.process_time()

    def watch(snap):
        m = snap.metrics
        state["covered"].append(m["modes_covered"])
        if state["target"] is None and m["modes_covered"] == 8 and m["high_quality"] >= 0.5:
            state["target"] = (snap.step, time.perf_counter() - start)

    trainer.run(steps, callback=watch)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    final = trainer.history[-1].metrics
    covered = state["covered"]
    # a "drop": a snapshot covering fewer modes than the one before (modes lost, hopping)
    drops = sum(b < a for a, b in itertools.pairwise(covered))
    return final, state["target"], (seconds, cpu), drops, trainer


def digits_run(seed: int, steps: int | None):
    cfg = preset_config("digits", seed=seed, device="cpu")
    steps = cfg.steps if steps is None else steps
    trainer = Trainer(cfg)
    trainer.evaluate()  # train the measuring classifier before the clock starts
    state = {"target": None}
    start, cpu = time.perf_counter(), time.process_time()

    def watch(snap):
        if state["target"] is None and snap.metrics["classes_covered"] >= 9:
            state["target"] = (snap.step, time.perf_counter() - start)

    trainer.run(steps, callback=watch)
    times = time.perf_counter() - start, time.process_time() - cpu
    return trainer.history[-1].metrics, state["target"], times


def write_comparison(path, runs) -> None:
    """WGAN-GP against non-saturating on ring8: modes per seed, occupancy and final field."""
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
    write_html(path, "ring8: WGAN-GP against the non-saturating GAN", sections)


def peak_rss_mb() -> float:
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "ganviz.cli", "train", "--preset", "ring8-wgan-gp",
               "--device", "cpu", "--quiet", "--out", out]  # fmt: skip
        subprocess.run(cmd, check=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["ring8", "digits", "memory"], action="append")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, help="override the presets' step counts")
    parser.add_argument("--html", help="write the ring8 comparison (coverage, occupancy) here")
    args = parser.parse_args(argv)
    parts = args.only or ["ring8", "digits", "memory"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"torch {torch.__version__}, trainer on 1 CPU thread, load {load:.1f}, seeds {args.seeds}"
    )
    if "ring8" in parts:
        print("\nring8 (8 modes, σ = 0.02; high quality = within 3σ)")
        print(f"{'preset':<20} {'seed':>4} | {'modes':>5} {'HQ':>5} | {'8/8 & HQ≥.5 at':>16} | "
              f"{'wall s':>6} {'CPU s':>6} | {'drops':>5}")  # fmt: skip
        runs = []
        for preset in ("ring8-wgan-gp", "ring8-nonsaturating"):
            for seed in args.seeds:
                final, target, (wall, cpu), drops, trainer = ring8_run(preset, seed, args.steps)
                runs.append((preset, seed, final, trainer))
                at = "never" if target is None else f"step {target[0]} ({target[1]:.0f}s)"
                print(f"{preset:<20} {seed:>4} | {final['modes_covered']:>3}/8 "
                      f"{final['high_quality']:>5.2f} | {at:>16} | {wall:>6.0f} {cpu:>6.0f} | "
                      f"{drops:>5}", flush=True)  # fmt: skip
        if args.html:
            write_comparison(args.html, runs)
            print(f"wrote {args.html}")
    if "digits" in parts:
        print("\ndigits (8×8, 10 classes)")
        print(f"{'seed':>4} | {'classes':>7} {'class KL':>8} {'FD':>7} {'FD floor':>8} | "
              f"{'≥9 classes at':>16} | {'wall s':>6} {'CPU s':>6}")  # fmt: skip
        for seed in args.seeds:
            final, target, (wall, cpu) = digits_run(seed, args.steps)
            at = "never" if target is None else f"step {target[0]} ({target[1]:.0f}s)"
            print(f"{seed:>4} | {final['classes_covered']:>4}/10 {final['class_kl']:>8.3f} "
                  f"{final['fid']:>7.2f} {final['fid_floor']:>8.2f} | {at:>16} | {wall:>6.0f} "
                  f"{cpu:>6.0f}", flush=True)  # fmt: skip
    if "memory" in parts:
        print(f"\npeak RSS of `ganviz train --preset ring8-wgan-gp`: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
