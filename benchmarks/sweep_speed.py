"""Seed-sweep speed: 8 seeds as one stacked network against 8 separate Trainer runs.

Both train the same 8 runs (same configs, initial weights, data and noise
streams) for the same number of generator steps, in this one process, with
the same torch thread count. The reference is the plain way a sweep used to
go: ``Trainer(config.replace(seed=s)).run(steps)`` for each seed in turn.
The batched side is :class:`ganviz.train.batched.BatchedRun` over the same
8 trainers (what ``ganviz.train.sweep`` does). Printed: aggregate
seed-steps per second (8 × steps / wall seconds) of each and their ratio, the
median of ``--repeats`` alternating repeats (the machine is shared), and the
ratio of CPU seconds (process time, all threads), which moves less when
other jobs take the cores.

    python benchmarks/sweep_speed.py                       # ring8 defaults, 1 and 2 threads
    python benchmarks/sweep_speed.py --hidden 64 --losses nonsaturating wgan-gp
    python benchmarks/sweep_speed.py --threads 1 --chunk 8 4 2   # stacks of 8, 4 or 2 seeds
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import time

import torch

from ganviz.train import TrainConfig, Trainer
from ganviz.train.batched import BatchedRun


def separate(configs, steps):
    trainers = [Trainer(c) for c in configs]
    start, cpu = time.perf_counter(), time.process_time()
    for t in trainers:
        t.run(steps)
    return time.perf_counter() - start, time.process_time() - cpu


def batched(configs, steps, chunk=None):
    """The runs as stacked networks of ``chunk`` seeds each (all at once by default), one
    stack after the other as ``sweep(..., chunk=chunk)`` trains them."""
    chunk = chunk or len(configs)
    runs = [
        BatchedRun([Trainer(c) for c in configs[i : i + chunk]])
        for i in range(0, len(configs), chunk)
    ]
    start, cpu = time.perf_counter(), time.process_time()
    for run in runs:
        run.run(steps)
    return time.perf_counter() - start, time.process_time() - cpu


def measure(config: TrainConfig, seeds: int, steps: int, repeats: int, chunk=None):
    configs = [config.replace(seed=s) for s in range(seeds)]
    separate(configs[:1], 10), batched(configs[:2], 10)  # warm-up (vmap, allocator)
    sep, bat = [], []
    for _ in range(repeats):
        sep.append(separate(configs, steps))
        bat.append(batched(configs, steps, chunk))
    work = seeds * steps
    return {
        "separate": statistics.median(work / w for w, _ in sep),
        "batched": statistics.median(work / w for w, _ in bat),
        "ratio": statistics.median(s[0] / b[0] for s, b in zip(sep, bat, strict=True)),
        "cpu_ratio": statistics.median(s[1] / b[1] for s, b in zip(sep, bat, strict=True)),
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--losses", nargs="+", default=["nonsaturating"])
    p.add_argument("--hidden", type=int, nargs="+", default=[128])
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument(
        "--chunk", type=int, nargs="+", default=[0], help="seeds per stacked network (0: all)"
    )
    args = p.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at start; {args.seeds} seeds × "
        f"{args.steps} steps, median of {args.repeats}; depth {args.depth}, "
        f"batch {args.batch_size}, ring8"
    )
    head = (
        f"{'loss':<14} {'hidden':>6} {'threads':>7} {'stack':>5} {'separate':>10} {'batched':>10} "
        f"{'ratio':>6} {'CPU-time ratio':>15}"
    )
    print("aggregate seed-steps/s (8 runs' generator steps per wall second)")
    print(head)
    print("-" * len(head))
    for loss in args.losses:
        for hidden in args.hidden:
            for threads, chunk in itertools.product(args.threads, args.chunk):
                config = TrainConfig(
                    dataset="ring8",
                    loss=loss,
                    hidden=hidden,
                    depth=args.depth,
                    batch_size=args.batch_size,
                    device="cpu",
                    snapshot_every=0,
                    threads=threads,
                )
                r = measure(config, args.seeds, args.steps, args.repeats, chunk or None)
                print(
                    f"{loss:<14} {hidden:>6} {threads:>7} {chunk or args.seeds:>5} "
                    f"{r['separate']:>10.0f} "
                    f"{r['batched']:>10.0f} {r['ratio']:>5.2f}× {r['cpu_ratio']:>14.2f}×",
                    flush=True,
                )


if __name__ == "__main__":
    main()
