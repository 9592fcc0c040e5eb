"""SeedSweepExplorer, headless: counts equal separate runs; the sweep stops and resumes."""

from __future__ import annotations

import math
import time

import numpy as np
import plotly.graph_objects as go
import pytest

torch = pytest.importorskip("torch")

from ganviz.train import TrainConfig, Trainer  # noqa: E402
from ganviz.widgets import SeedSweepExplorer  # noqa: E402
from ganviz.widgets.seeds import wilson_interval  # noqa: E402

TINY = {"hidden": 16, "depth": 1, "batch_size": 64, "eval_samples": 512}


def test_builds_with_no_arguments():
    explorer = SeedSweepExplorer()
    try:
        assert explorer.losses == ["minimax", "nonsaturating", "wgan-gp"]
        assert len(explorer.seeds) >= 8 and explorer.results == []
        assert len(explorer.configs_from_controls()) == 3 * len(explorer.seeds)
        assert all(isinstance(f, go.FigureWidget) for f in explorer.figures.values())
        assert explorer.progress.value == 0 and "planned" in explorer.progress_label.value
    finally:
        explorer.close()


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="seeds"):
        SeedSweepExplorer(seeds=4)
    with pytest.raises(ValueError, match="losses"):
        SeedSweepExplorer(losses=("nope",))
    with pytest.raises(ValueError, match="dataset"):
        SeedSweepExplorer(dataset="moons")


def test_counts_equal_separate_runs_with_the_same_seeds():
    explorer = SeedSweepExplorer(
        dataset="grid25",
        losses=("minimax", "nonsaturating"),
        seeds=8,
        steps=12,
        first_seed=5,
        recommended=False,
        **TINY,
    )
    results = explorer.advance()
    assert explorer.done and len(results) == 16
    counts = explorer.counts()
    for loss in ("minimax", "nonsaturating"):
        separate = []
        for seed in range(5, 13):
            trainer = Trainer(
                TrainConfig(dataset="grid25", loss=loss, seed=seed, threads=1, **TINY)
            )
            trainer.run(12)
            metrics = trainer.evaluate()
            separate.append(metrics["modes_covered"])
            mine = next(r for r in results if r.loss == loss and r.seed == seed)
            assert mine.high_quality == metrics["high_quality"]
        assert counts[loss] == separate
    assert sum(sum(v) for v in counts.values()) > 0  # a real comparison, not 0 == 0
    # The figure shows exactly these counts.
    fig = explorer.figures["distribution"]
    for loss in ("minimax", "nonsaturating"):
        strip = next(t for t in fig.data if t.meta == f"strip:{loss}")
        hist = next(t for t in fig.data if t.meta == f"hist:{loss}")
        assert list(strip.y) == counts[loss]
        expected = np.bincount(counts[loss], minlength=26)[:26] / 8
        np.testing.assert_allclose(hist.y, expected)
    probs = explorer.probabilities()["minimax"]
    assert probs["runs"] == 8
    assert probs["collapse"] == sum(v <= 1 for v in counts["minimax"]) / 8
    assert explorer.progress.value == explorer.progress.max == 16


def test_the_sweep_stops_after_the_current_run_and_resumes():
    explorer = SeedSweepExplorer(
        losses=("nonsaturating",), seeds=8, steps=40, recommended=False, **TINY
    )
    explorer.controls["play"].click()
    deadline = time.perf_counter() + 60
    while not explorer.results:
        assert time.perf_counter() < deadline
        time.sleep(0.02)
    explorer.controls["pause"].click()
    done = len(explorer.results)
    assert 1 <= done < 8 and not explorer.runner.running
    time.sleep(0.3)
    assert len(explorer.results) == done and explorer.progress.value == done
    explorer.play()  # resume: the remaining seeds only
    assert explorer.wait(timeout=120)
    assert explorer.done and [r.seed for r in explorer.results] == list(range(8))
    explorer.set(seeds=9)  # a new plan forgets the results
    assert explorer.results == [] and not explorer.done


def test_wilson_interval_matches_its_closed_forms():
    z = 1.959964
    # 0 successes: [0, z²/(n + z²)]; n successes: the mirror image.
    for n in (8, 20):
        lo, hi = wilson_interval(0, n)
        assert lo == 0 and hi == pytest.approx(z * z / (n + z * z))
        lo2, hi2 = wilson_interval(n, n)
        assert (lo2, hi2) == pytest.approx((1 - hi, 1.0))
    # Large n: close to the normal interval p ± z·sqrt(p(1 − p)/n).
    lo, hi = wilson_interval(5000, 10000)
    half = z * math.sqrt(0.25 / 10000)
    assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-4)
