"""The ``ganviz`` command. Sub-commands import their heavy dependencies lazily."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``ganviz train ...`` / ``ganviz sweep ...`` (see their ``--help``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    usage = (
        "usage: ganviz {train,sweep} ...\n\n"
        "  train   train a GAN and write metrics.json, a checkpoint and report.html\n"
        "  sweep   many seeds per loss (batched): modes covered, sweep.json, sweep.html\n"
    )
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(usage)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "train":
        from .train.cli import main as train_main  # torch is imported only here

        return train_main(rest)
    if command == "sweep":
        from .train.sweep_cli import main as sweep_main

        return sweep_main(rest)
    sys.stderr.write(usage + f"ganviz: error: unknown command {command!r}\n")
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
