"""ganviz.plots.training: figures from snapshots and records; PNGs decoded by Pillow."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

import ganviz as gv
from ganviz.plots import training as T
from ganviz.plots.style import DATA, FAKE


def toy_snapshot(step, rng):
    return gv.Snapshot(
        step=step,
        real=rng.normal(size=(50, 2)),
        fake=rng.normal(size=(50, 2)) + 1,
        losses={"d": 1.3 - step / 1000, "g": 0.7 + step / 1000},
        metrics={
            "modes_covered": min(8, step // 100),
            "modes_total": 8,
            "high_quality": step / 1000,
            "js": 0.6 - step / 2000,
        },
        loss="nonsaturating",
        grid_x=np.linspace(-3, 3, 5),
        grid_y=np.linspace(-3, 3, 5),
        d_grid=np.full((5, 5), 0.5),
    )


def test_loss_and_metric_curves_from_snapshots_and_records(rng):
    snaps = [toy_snapshot(s, rng) for s in range(0, 1001, 100)]
    fig = T.loss_curves(snaps)
    assert [t.name for t in fig.data] == ["discriminator", "generator"]
    np.testing.assert_allclose(fig.data[0].y, [s.losses["d"] for s in snaps])
    records = [{"step": s.step, "losses": s.losses, "metrics": s.metrics} for s in snaps]
    m = T.metric_curves(records)
    names = [t.name for t in m.data]
    assert "modes covered" in names and "high-quality fraction" in names
    # the all-modes reference line sits at modes_total
    ref = next(t for t in m.data if t.name == "modes_covered reference")
    assert list(ref.y) == [8, 8]
    with pytest.raises(ValueError, match="metrics must name"):
        T.metric_curves(records, metrics=[])
    with pytest.raises(ValueError, match="history must hold"):
        T.loss_curves([1, 2])


def test_samples_over_time_picks_evenly_spaced_panels(rng):
    snaps = [toy_snapshot(s, rng) for s in range(0, 1001, 100)]
    fig = T.samples_over_time(snaps, panels=4, centers=[[0, 0], [1, 1]])
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["step 0", "step 300", "step 700", "step 1000"]
    scatter_colours = {t.marker.color for t in fig.data if t.name in ("real", "fake")}
    assert scatter_colours == {DATA, FAKE}
    assert fig.layout.xaxis.range == (-3.0, 3.0)


def test_png_bytes_decode_with_pillow():
    grey = (np.arange(12 * 7).reshape(12, 7) * 3 % 256).astype(np.uint8)
    img = Image.open(io.BytesIO(T.png_bytes(grey)))
    assert img.mode == "L" and img.size == (7, 12)
    np.testing.assert_array_equal(np.asarray(img), grey)
    rgb = np.random.default_rng(0).integers(0, 256, size=(5, 4, 3), dtype=np.uint8)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(T.png_bytes(rgb)))), rgb)
    with pytest.raises(ValueError, match="uint8"):
        T.png_bytes(grey.astype(float))


def test_image_mosaic_layout_and_grid_figure():
    imgs = np.zeros((10, 8, 8))
    imgs[3] = 1.0
    mosaic = T.image_mosaic(imgs, columns=4, padding=1, min_tile=16)
    # 8-pixel digits are enlarged ×2 → 16-pixel tiles; 3 rows × 4 columns with 1-pixel gaps
    assert mosaic.shape == (3 * 17 + 1, 4 * 17 + 1)
    tile3 = mosaic[1:17, 1 + 3 * 17 : 1 + 3 * 17 + 16]
    assert (tile3 == 255).all() and (mosaic[1:17, 1:17] == 0).all()
    fig = T.image_grid(imgs, columns=5, title="digits")
    assert isinstance(fig.data[0], go.Image)
    uri = fig.data[0].source
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    np.testing.assert_array_equal(decoded, T.image_mosaic(imgs, columns=5))
    # 8×8 digits are drawn 48×48 px each (nearest neighbour), one screen pixel per mosaic pixel
    assert decoded.shape == (2 * 49 + 1, 5 * 49 + 1)
    layout = fig.layout
    assert layout.width - layout.margin.l - layout.margin.r == decoded.shape[1]
    assert layout.height - layout.margin.t - layout.margin.b == decoded.shape[0]
    with pytest.raises(ValueError, match="images must have shape"):
        T.image_mosaic(np.zeros((2, 3, 4, 5)))


def test_image_snapshots_over_time():
    snaps = [
        gv.Snapshot(step=s, real=np.zeros((4, 8, 8)), fake=np.full((4, 8, 8), s / 10))
        for s in (0, 5, 10)
    ]
    fig = T.samples_over_time(snaps, panels=3)
    assert sum(isinstance(t, go.Image) for t in fig.data) == 3


def test_class_histogram_and_coverage_chart():
    fig = T.class_histogram([5, 0, 15])
    assert list(fig.data[0].y) == [5, 0, 15]
    assert fig.layout.shapes[0].y0 == pytest.approx(20 / 3)
    with pytest.raises(ValueError, match="counts"):
        T.class_histogram([-1, 2])
    rows = [{"loss": "wgan-gp", "seed": 0, "modes_covered": 8, "high_quality": 0.7},
            {"loss": "nonsaturating", "seed": 0, "modes_covered": 3}]  # fmt: skip
    chart = T.coverage_chart(rows, total=8)
    assert [t.name for t in chart.data] == ["wgan-gp", "nonsaturating"]


def test_training_plots_do_not_import_torch():
    code = "import ganviz.plots.training, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_mode_occupancy_shows_shares_per_mode():
    centers = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    # step 0: all at mode 0; step 10: split between modes 1 and 2; a far-away outlier never counts
    first = np.vstack([np.zeros((9, 2)), [[50.0, 50.0]]])
    second = np.vstack([np.tile(centers[1], (5, 1)), np.tile(centers[2], (5, 1))])
    snaps = [gv.Snapshot(step=s, real=first, fake=f) for s, f in ((0, first), (10, second))]
    fig = T.mode_occupancy(snaps, centers, std=0.1)
    np.testing.assert_allclose(fig.data[0].z, [[0.9, 0.0], [0.0, 0.5], [0.0, 0.5]])
    assert list(fig.data[0].x) == [0, 10]


def test_ganviz_and_ganviz_train_imports_are_lazy():
    code = (
        "import sys, ganviz, ganviz.train; a = 'torch' in sys.modules; "
        "ganviz.train.TrainConfig; print(a, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
