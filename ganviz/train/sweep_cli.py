"""``ganviz sweep``: many seeds per loss, batched; how often each loss covers every mode.

    ganviz sweep --dataset ring8 --losses minimax nonsaturating wgan-gp --seeds 16
    ganviz sweep --dataset grid25 --losses wgan-gp --seeds 32 --steps 2000 --out runs/grid

Prints a table per loss (mean modes covered, P(all modes covered) with its
95 % Wilson interval, high-quality fraction) and writes ``sweep.json`` and a
self-contained ``sweep.html`` into ``--out``. Each loss gets its published
recipe unless a flag sets the field. Seeds of one loss train as one stacked
network (``--separate`` trains them one after the other). Exit status: 0
done, 1 data unavailable, 2 bad flags, 130 interrupted.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from pathlib import Path

from .flags import add_config_flags, config_overrides, loss_name

__all__ = ["build_parser", "main"]

#: The TrainConfig flags shared by every run of a sweep (:mod:`ganviz.train.flags`).
CONFIG_FLAGS = (
    "dataset", "steps", "batch_size", "hidden", "depth", "z_dim", "activation", "optimizer",
    "lr_d", "lr_g", "betas", "d_steps", "penalty_weight", "clip", "eval_samples", "device",
    "threads",
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    from .losses import LOSSES

    p = argparse.ArgumentParser(
        prog="ganviz sweep",
        description="Train many seeds per loss (batched into stacked networks) and report "
        "how often each loss covers every mode; write sweep.json and sweep.html.",
    )
    p.add_argument(
        "--losses",
        nargs="+",
        type=loss_name,
        choices=list(LOSSES),
        default=["minimax", "nonsaturating", "wgan-gp"],
        metavar="LOSS",
        help=f"losses compared, among {', '.join(LOSSES)} (default minimax nonsaturating wgan-gp)",
    )
    p.add_argument("--seeds", type=int, default=16, metavar="N", help="runs per loss (default 16)")
    p.add_argument("--first-seed", type=int, default=0, metavar="S", help="seeds S … S+N−1")
    add_config_flags(p, CONFIG_FLAGS)
    p.add_argument("--out", metavar="DIR", help="output folder (default runs/sweep-<dataset>)")
    p.add_argument(
        "--separate", action="store_true", help="train the seeds one after the other (no batching)"
    )
    p.add_argument("--chunk", type=int, default=64, metavar="N", help="most seeds per batch")
    p.add_argument("--no-report", action="store_true", help="do not write sweep.html")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no table")
    return p


def _configs(args, parser):
    from .config import TrainConfig

    fields = config_overrides(args, CONFIG_FLAGS)
    if isinstance(args.seeds, bool) or args.seeds < 1:
        parser.error(f"--seeds must be an integer ≥ 1, got {args.seeds}")
    if args.first_seed < 0:
        parser.error(f"--first-seed must be ≥ 0, got {args.first_seed}")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    try:
        # TrainConfig(loss=...) without the other fields gives that loss's recipe.
        per_loss = [TrainConfig(**fields, loss=loss) for loss in dict.fromkeys(args.losses)]
    except ValueError as exc:
        parser.error(str(exc))
    return [c.replace(seed=s) for c in per_loss for s in seeds]


def run_lengths(configs) -> str:
    """How long the runs are: ``"3000 steps each"``, or per loss where the losses' recipes
    differ (``"minimax 3000, wgan-gp 4000 steps"``)."""
    per_loss = {c.loss: c.steps for c in configs}
    if len(set(per_loss.values())) == 1:
        return f"{configs[0].steps} steps each"
    return ", ".join(f"{loss} {steps}" for loss, steps in per_loss.items()) + " steps"


def format_table(summary) -> str:
    """The per-loss table printed by ``ganviz sweep``."""
    head = f"{'loss':<14} {'runs':>4} {'mean modes':>11} {'P(all modes) [95% Wilson]':>27} " + (
        f"{'HQ %':>6} {'s/run':>6}"
    )
    lines = [head, "-" * len(head)]
    for s in summary:
        lo, hi = s.ci
        interval = f"{s.p_all_modes:5.0%} [{lo:4.0%}, {hi:4.0%}]"
        note = f"  ({s.diverged} diverged)" if s.diverged else ""
        lines.append(
            f"{s.loss:<14} {s.runs:>4} {s.mean_modes:>6.2f}/{s.modes_total:<4d} {interval:>27} "
            f"{100 * s.high_quality:>6.1f} {s.seconds / s.runs:>6.2f}{note}"
        )
    return "\n".join(lines)


def write_sweep_report(path, runs, summary, *, title: str, facts: str = ""):
    """``sweep.html``: the table, modes covered with intervals, modes per seed, the configs."""
    from ..plots.seeds import coverage_intervals
    from ..plots.training import coverage_chart
    from .report import write_html

    rows = [r.to_dict() for r in runs]
    table = "".join(
        f"<tr><td>{html.escape(s.loss)}</td><td>{s.runs}</td>"
        f"<td>{s.mean_modes:.2f} / {s.modes_total}</td>"
        f"<td>{s.p_all_modes:.0%} [{s.ci[0]:.0%}, {s.ci[1]:.0%}]</td>"
        f"<td>{s.high_quality:.1%}</td><td>{s.diverged}</td></tr>"
        for s in summary
    )
    before = (
        f"<p class='muted'>{html.escape(facts)}</p><table><tr><th>loss</th><th>runs</th>"
        "<th>mean modes covered</th><th>P(all modes covered) [95 % Wilson]</th>"
        f"<th>high quality</th><th>diverged</th></tr>{table}</table>"
    )
    total = max(s.modes_total for s in summary)
    sections = [
        ("Modes covered, with intervals", coverage_intervals([s.to_dict() for s in summary], rows)),
        ("Modes covered per seed", coverage_chart(rows, total=total)),
    ]
    configs = {r.loss: r.config.to_dict() for r in runs}
    after = "<h2>Configurations (seed aside)</h2>" + "".join(
        f"<h3>{html.escape(loss)}</h3><pre>{html.escape(json.dumps(c, indent=1))}</pre>"
        for loss, c in configs.items()
    )
    return write_html(path, title, sections, before=before, after=after)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``ganviz sweep``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.chunk < 1:
        parser.error(f"--chunk must be ≥ 1, got {args.chunk}")
    configs = _configs(args, parser)

    from tqdm import tqdm

    from .cli import _json_safe
    from .data import DatasetUnavailable
    from .seedsweep import sweep

    dataset = configs[0].dataset
    out = Path(args.out or f"runs/sweep-{dataset}")
    total = sum(c.steps for c in configs)
    bar = tqdm(
        total=total,
        desc=f"{dataset} sweep",
        unit="seed-step",
        unit_scale=True,
        file=sys.stderr,
        disable=args.quiet or not sys.stderr.isatty(),
        dynamic_ncols=True,
    )
    start = time.perf_counter()
    try:
        runs = sweep(configs=configs, batched=not args.separate, chunk=args.chunk, progress=bar)
    except DatasetUnavailable as exc:
        sys.stderr.write(f"ganviz sweep: {exc}\n")
        return 1
    except ValueError as exc:
        parser.error(str(exc))
    except KeyboardInterrupt:
        sys.stderr.write("\nganviz sweep: interrupted.\n")
        return 130
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    try:
        summary = runs.summary()
    except ValueError as exc:  # a dataset without mode centres
        sys.stderr.write(f"ganviz sweep: {exc}\n")
        summary = []
    batched = all(r.batched for r in runs)
    mode = "batched" if batched else "separate runs"
    if runs.reasons:
        mode += f" ({runs.reasons[0]})"
    facts = (
        f"{len(runs)} runs ({len(summary)} losses × {args.seeds} seeds, "
        f"{run_lengths(configs)}) on {dataset}, {mode}; {seconds:.1f} s wall, "
        f"{total / seconds if seconds > 0 else 0:.0f} seed-steps/s"
    )
    out.mkdir(parents=True, exist_ok=True)
    record = {
        "dataset": dataset,
        "losses": list(dict.fromkeys(args.losses)),
        "seeds": [r.seed for r in runs if r.loss == runs[0].loss],
        "steps": configs[0].steps,
        # each loss's recipe may set its own length (WGAN-GP on toys: 4,000)
        "steps_per_loss": {c.loss: c.steps for c in configs},
        "batched": batched,
        "reasons": runs.reasons,
        "seconds": seconds,
        "seed_steps_per_second": total / seconds if seconds > 0 else 0.0,
        "summary": [s.to_dict() for s in summary],
        "runs": [r.to_dict() for r in runs],
    }
    (out / "sweep.json").write_text(json.dumps(_json_safe(record), indent=2), encoding="utf-8")
    wrote = [f"{out}/sweep.json"]
    if summary and not args.no_report:
        title = f"ganviz sweep · {dataset} · {', '.join(s.loss for s in summary)}"
        write_sweep_report(out / "sweep.html", runs, summary, title=title, facts=facts)
        wrote.append(f"{out}/sweep.html")
    if not args.quiet:
        text = format_table(summary) + "\n" if summary else ""
        sys.stdout.write(f"{facts}\n{text}wrote {', '.join(wrote)}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
