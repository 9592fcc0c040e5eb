"""Copy the explorer screenshots taken by the browser tests into ``docs/img/``.

The browser tests (``pytest -m browser``) save what Chromium showed under
``test-artifacts/browser/``: ``explorer-<notebook>.png`` is the explorer's
output inside JupyterLab, ``voila-explorer-<notebook>.png`` the same as a
Voilà dashboard. This script takes one per notebook (JupyterLab first: in
Voilà a figure changed by a later cell can show stale traces, see
docs/classroom.md), scales it to at most ``--width`` pixels, reduces it to a
256-colour palette and writes ``docs/img/<notebook>.png``, then prints a table
of sizes and the latency and memory the tests measured.

    python benchmarks/screenshots.py            # copy what the last test run saved
    python benchmarks/screenshots.py --run      # run the browser tests first
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "browser"
DOCS_IMG = REPO / "docs" / "img"
MAX_BYTES = 300_000


def shrink(source: Path, target: Path, width: int) -> tuple[tuple[int, int], int]:
    """Scale ``source`` to at most ``width`` px wide, quantise, save; returns (size, bytes)."""
    image = Image.open(source).convert("RGB")
    if image.width > width:
        height = round(image.height * width / image.width)
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    target.parent.mkdir(parents=True, exist_ok=True)
    palette.save(target, optimize=True)
    return image.size, target.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="store_true", help="run the browser tests first")
    parser.add_argument("--width", type=int, default=1000, help="largest width in pixels")
    args = parser.parse_args(argv)

    if args.run:
        command = [sys.executable, "-m", "pytest", "-m", "browser", "tests/browser", "-q"]
        print("+", " ".join(command), flush=True)
        subprocess.run(command, cwd=REPO, check=True)

    notebooks = sorted(path.stem for path in (REPO / "notebooks").glob("*.ipynb"))
    rows = []
    for stem in notebooks:
        candidates = [ARTIFACTS / f"explorer-{stem}.png", ARTIFACTS / f"voila-explorer-{stem}.png"]
        source = next((path for path in candidates if path.exists()), None)
        if source is None:
            rows.append((stem, "-", "no screenshot (not in the browser tests' list?)", ""))
            continue
        size, n_bytes = shrink(source, DOCS_IMG / f"{stem}.png", args.width)
        flag = "" if n_bytes <= MAX_BYTES else f"  > {MAX_BYTES // 1000} KB!"
        rows.append((stem, source.name, f"{size[0]}×{size[1]}", f"{n_bytes / 1000:.0f} KB{flag}"))

    print(f"\n{'notebook':32} {'from':44} {'size':>10} {'bytes':>8}")
    for stem, source, size, n_bytes in rows:
        print(f"{stem:32} {source:44} {size:>10} {n_bytes:>8}")

    for latency in sorted(ARTIFACTS.glob("latency-*.json")):
        for run in json.loads(latency.read_text())["runs"]:
            print(f"{run['notebook']}: {run['summary']}")
    for record in sorted(ARTIFACTS.glob("lab-*.json")):
        data = json.loads(record.read_text())
        print(f"{data['notebook']}: {data['summary']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
