"""Speed of the training dashboards: redraw cost and training throughput, as printed tables.

Run from the repository root::

    python benchmarks/dashboard_speed.py                 # redraw cost + throughput (~2 min)
    python benchmarks/dashboard_speed.py --steps 600     # longer throughput runs
    python benchmarks/dashboard_speed.py --notebook-rss  # also: peak RSS of notebook 05's
                                                         # default run (minutes)

1. **Redraw cost** — per observation, in the training thread (snapshot, metrics,
   the D* overlay's KDE, the image PNG) and per redraw on the owner thread
   (assigning the FigureWidgets' traces inside ``batch_update``), median and
   90th percentile over repeated single steps.
2. **Throughput** — generator steps per second of a bare ``Trainer.step()``
   loop against the dashboard training the same configuration in its worker
   thread (``play(steps)`` + ``wait()``, the waiting thread drawing as the
   kernel's loop would) at several *steps/redraw* speeds; the ratio is
   dashboard ÷ bare, measured in the same process one after the other.
3. With ``--notebook-rss``: notebook 05 executed headless with its real
   defaults (``GANVIZ_FAST`` unset), and the kernel's peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _quantiles(values) -> tuple[float, float]:
    arr = np.asarray(values, dtype=float) * 1e3
    if len(arr) == 0:
        return float("nan"), float("nan")
    return float(np.median(arr)), float(np.percentile(arr, 90))


def redraw_costs(repeats: int) -> list[tuple]:
    from ganviz.train import preset_config
    from ganviz.widgets import ComparisonExplorer, TrainingExplorer

    cases = [
        ("TrainingExplorer ring8, theory on", lambda: TrainingExplorer(dataset="ring8")),
        (
            "TrainingExplorer ring8, theory off",
            lambda: TrainingExplorer(dataset="ring8", theory=False),
        ),
        ("TrainingExplorer grid25, theory on", lambda: TrainingExplorer(dataset="grid25")),
        ("ComparisonExplorer, 3 runs", lambda: ComparisonExplorer()),
        (
            "TrainingExplorer digits (images)",
            lambda: TrainingExplorer(config=preset_config("digits")),
        ),
    ]
    rows = []
    for name, build in cases:
        explorer = build()
        explorer.step()  # warm-up (classifier training for images, first KDE …)
        explorer.runner.observe_seconds.clear()
        explorer.runner.draw_seconds.clear()
        n = max(3, repeats // 4) if "digits" in name else repeats
        for _ in range(n):
            explorer.step()
        obs = _quantiles(explorer.runner.observe_seconds)
        draw = _quantiles(explorer.runner.draw_seconds)
        rows.append((name, n, *obs, *draw))
        explorer.close()
    return rows


def throughput(steps: int, speeds, repeats: int) -> list[tuple]:
    from ganviz.train import TrainConfig, Trainer
    from ganviz.widgets import TrainingExplorer

    config = TrainConfig(dataset="ring8", loss="nonsaturating", threads=1)

    def bare_rate() -> float:
        trainer = Trainer(config)
        for _ in range(10):
            trainer.step()
        start = time.perf_counter()
        for _ in range(steps):
            trainer.step()
        return steps / (time.perf_counter() - start)

    def dashboard_rate(speed) -> tuple[float, float]:
        explorer = TrainingExplorer(config=config, speed=speed)
        explorer.step()
        explorer.runner.draw_times.clear()
        start = time.perf_counter()
        explorer.play(steps)
        explorer.wait()  # this thread draws meanwhile, as the kernel's event loop would
        elapsed = time.perf_counter() - start
        redraws = len(explorer.runner.draw_times)
        explorer.close()
        return steps / elapsed, redraws / elapsed

    rows = []
    for speed in speeds:
        # Interleaved repeats, median ratio: the machine may be shared.
        bare, dash, ratio, rate = [], [], [], []
        for _ in range(repeats):
            b = bare_rate()
            d, r = dashboard_rate(speed)
            bare.append(b)
            dash.append(d)
            ratio.append(d / b)
            rate.append(r)
        rows.append((speed, np.median(bare), np.median(dash), np.median(ratio), np.median(rate)))
    return rows


def notebook_rss() -> tuple[float, float]:
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "05_train_toy_gan.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import resource\n"
            "print('PEAK_RSS_MB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "GANVIZ_FAST"}
    saved = os.environ.copy()
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits this environment: real defaults
    try:
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=3600,
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(saved)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    peak = float(text.split("PEAK_RSS_MB")[1].split()[0])
    return peak, elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="steps per throughput run")
    parser.add_argument("--repeats", type=int, default=20, help="redraws per cost measurement")
    parser.add_argument("--runs", type=int, default=3, help="interleaved throughput repeats")
    parser.add_argument(
        "--notebook-rss", action="store_true", help="also run notebook 05 with real defaults"
    )
    args = parser.parse_args(argv)

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("\nRedraw cost (ms): observe = training thread, draw = owner thread")
    header = f"{'dashboard':<38} {'n':>4} {'observe med':>11} {'p90':>7} {'draw med':>9} {'p90':>7}"
    print(header)
    print("-" * len(header))
    for name, n, om, o90, dm, d90 in redraw_costs(args.repeats):
        print(f"{name:<38} {n:>4} {om:>11.1f} {o90:>7.1f} {dm:>9.1f} {d90:>7.1f}")

    print(
        f"\nThroughput, ring8 non-saturating, hidden 128 × 3, batch 256, {args.steps} steps, "
        f"median of {args.runs} interleaved runs"
    )
    header = (
        f"{'steps/redraw':>12} {'bare steps/s':>13} {'dashboard steps/s':>18} "
        f"{'ratio':>6} {'redraws/s':>10}"
    )
    print(header)
    print("-" * len(header))
    for speed, bare, dash, ratio, rate in throughput(args.steps, (1, 20, 100), args.runs):
        print(f"{speed:>12} {bare:>13.1f} {dash:>18.1f} {ratio:>6.2f} {rate:>10.1f}")

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this benchmark process: {own:.0f} MB")
    if args.notebook_rss:
        peak, elapsed = notebook_rss()
        print(f"notebook 05, real defaults: kernel peak RSS {peak:.0f} MB, run in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
