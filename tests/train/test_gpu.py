"""CUDA checks: training runs on the GPU without a host synchronisation per step."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganviz.train import TrainConfig, Trainer

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan-gp", "wgan"])
@pytest.mark.parametrize("dataset", ["ring8", "moons", "digits"])
def test_steps_never_synchronise_the_host(loss, dataset):
    t = Trainer(TrainConfig(dataset=dataset, loss=loss, device="cuda", snapshot_every=0, d_steps=2))
    t.step()  # warm-up: kernels load, allocator grows
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for _ in range(5):
            t.step()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    snap = t.snapshot()
    assert snap.step == 6 and np.isfinite(list(snap.losses.values())).all()


def test_digits_preset_steps_never_synchronise_the_host():
    """Hinge loss, spectral norm (power iteration) and the generator EMA all stay on the GPU."""
    from ganviz.train import preset_config

    t = Trainer(preset_config("digits", device="cuda", snapshot_every=0))
    assert t.G_ema is not None and t.config.spectral_norm
    t.step()
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for _ in range(5):
            t.step()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert t.G_ema.net[0].weight.device.type == "cuda"
    assert np.isfinite(list(t.snapshot().losses.values())).all()


def test_auto_device_is_cuda_and_checkpoint_moves_to_cpu(tmp_path):
    t = Trainer(TrainConfig(device="auto", snapshot_every=0))
    assert t.device.type == "cuda"
    t.run(20)
    back = Trainer.load(t.save(tmp_path / "c.pt"), device="cpu")
    assert back.device.type == "cpu" and back.step_count == 20
    x = np.random.default_rng(0).normal(size=(64, 2))
    np.testing.assert_allclose(
        back.discriminator(x).logit, t.discriminator(x).logit, rtol=1e-4, atol=1e-5
    )
    back.run(5)
