"""Render the training dashboards' figures to PNG for docs/dashboard.md (needs Chromium).

    python docs/dashboard_screenshot.py            # writes docs/img/dashboard_*.png

Trains the dashboards for a while, lays their FigureWidgets out as the
dashboard does (plotly.js inlined), and screenshots the page with Playwright
driving Debian's ``/usr/bin/chromium``. The PNGs are palette-quantised to stay
small (< 300 KB each).
"""

from __future__ import annotations

import argparse
import io
import tempfile
from pathlib import Path

import plotly.graph_objects as go
from PIL import Image

OUT = Path(__file__).resolve().parent / "img"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _page(rows: list[list[go.Figure]], header: str) -> str:
    parts = [
        "<html><head><meta charset='utf-8'></head>",
        "<body style='margin:8px;background:white;font-family:DejaVu Sans,sans-serif'>",
        f"<div style='font-size:13px;margin:4px 0 6px 4px'>{header}</div>",
    ]
    first = True
    for row in rows:
        parts.append("<div style='display:flex'>")
        for fig in row:
            parts.append(fig.to_html(full_html=False, include_plotlyjs=first))
            first = False
        parts.append("</div>")
    parts.append("</body></html>")
    return "".join(parts)


def _shoot(html: str, path: Path, width: int) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "page.html"
        page_file.write_text(html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": width, "height": 600})
            page.goto(page_file.as_uri())
            page.wait_for_timeout(1500)  # plotly draws asynchronously
            png = page.screenshot(full_page=True)
            browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    image.save(path, optimize=True)
    print(f"{path}: {image.size[0]}×{image.size[1]}, {path.stat().st_size / 1024:.0f} KB")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1200, help="training steps before the shot")
    args = parser.parse_args(argv)
    from ganviz.widgets import ComparisonExplorer, TrainingExplorer

    OUT.mkdir(parents=True, exist_ok=True)
    explorer = TrainingExplorer(dataset="ring8", loss="nonsaturating", speed=200)
    explorer.advance(args.steps)
    figs = {k: go.Figure(v) for k, v in explorer.figures.items()}
    figs["losses"].update_layout(height=560, width=540)
    header = "TrainingExplorer · " + explorer.status.value
    _shoot(
        _page([[figs["field"], figs["theory"]], [figs["losses"], figs["metrics"]]], header),
        OUT / "dashboard_training.png",
        width=1140,
    )
    explorer.close()

    race = ComparisonExplorer(speed=200)
    race.advance(args.steps // 2)
    columns = [go.Figure(race.figures[f"run_{i}"]) for i in range(race.n_runs)]
    metrics = go.Figure(race.figures["metrics"]).update_layout(width=1140, height=400)
    _shoot(
        _page([columns, [metrics]], "ComparisonExplorer · three losses in lock-step"),
        OUT / "dashboard_comparison.png",
        width=1160,
    )
    race.close()


if __name__ == "__main__":
    main()
