"""Gradient penalty and R1 against closed forms on discriminators with known input gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganviz.train.penalties import PENALTIES, get_penalty, interpolates, penalty_value

F64 = torch.float64


def test_gradient_penalty_of_a_linear_critic_is_norm_minus_one_squared():
    # D(x) = w·x has ∇D = w everywhere: penalty (‖w‖ − 1)², ∂/∂w = 2(‖w‖ − 1) w/‖w‖.
    w = torch.tensor([3.0, 4.0], dtype=F64, requires_grad=True)
    real = torch.randn(32, 2, dtype=F64, generator=torch.Generator().manual_seed(0))
    fake = torch.randn(32, 2, dtype=F64, generator=torch.Generator().manual_seed(1))
    value = penalty_value(
        "gradient-penalty", lambda x: x @ w, real, fake, torch.Generator().manual_seed(2)
    )
    assert value.item() == pytest.approx((5.0 - 1.0) ** 2, rel=1e-12)
    (dw,) = torch.autograd.grad(value, w)
    np.testing.assert_allclose(dw.numpy(), 2 * (5.0 - 1.0) * np.array([3.0, 4.0]) / 5.0, rtol=1e-12)


def test_r1_of_a_quadratic_discriminator():
    # D(x) = a·‖x‖²: ∇D = 2a x, R1 = ½ E ‖2a x‖² = 2a² E‖x‖²; ∂R1/∂a = 4a E‖x‖².
    a = torch.tensor(0.3, dtype=F64, requires_grad=True)
    real = torch.tensor([[1.0, 2.0], [-0.5, 0.0], [0.2, -1.0]], dtype=F64)
    value = penalty_value("r1", lambda x: a * (x**2).sum(-1), real, real * 0)
    mean_sq = np.mean(np.sum(real.numpy() ** 2, axis=1))
    assert value.item() == pytest.approx(2 * 0.3**2 * mean_sq, rel=1e-12)
    (da,) = torch.autograd.grad(value, a)
    assert da.item() == pytest.approx(4 * 0.3 * mean_sq, rel=1e-12)


def test_interpolates_lie_on_the_segments_between_pairs():
    real = torch.randn(200, 2, generator=torch.Generator().manual_seed(0))
    fake = torch.randn(200, 2, generator=torch.Generator().manual_seed(1)) + 5
    x = interpolates(real, fake, torch.Generator().manual_seed(3))
    # x = ε real + (1 − ε) fake with the same ε on both coordinates, ε ∈ [0, 1]
    eps = ((x - fake) / (real - fake)).numpy()
    np.testing.assert_allclose(eps[:, 0], eps[:, 1], rtol=1e-4, atol=1e-5)
    assert eps.min() >= -1e-6 and eps.max() <= 1 + 1e-6
    assert 0.3 < eps.mean() < 0.7  # uniform, not a constant


def test_unknown_penalty_lists_names():
    assert set(PENALTIES) == {"gradient-penalty", "r1"}
    with pytest.raises(ValueError, match="auto, none, gradient-penalty, r1"):
        get_penalty("spectral")
