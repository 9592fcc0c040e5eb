"""Every loss against a hand derivation on a one-parameter discriminator, and against the theory."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ganviz as gv
from ganviz.train.losses import LOSSES, GanLoss, get_loss, register_loss

F64 = torch.float64


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


def softplus(t):
    return np.logaddexp(0.0, t)


XR = np.array([0.7, -1.3, 2.1, 0.2])  # real inputs
XF = np.array([-0.4, 1.6, -2.2])  # fake inputs
W = 0.8  # D(x) = w·x, one parameter


def autograd(loss_name):
    """d(loss_D)/dw, d(sum ℓ_G)/dx_f and the loss values by autograd for D(x) = w x."""
    loss = get_loss(loss_name)
    w = torch.tensor(W, dtype=F64, requires_grad=True)
    xr = torch.tensor(XR)
    xf = torch.tensor(XF, requires_grad=True)
    d_loss = loss.d_loss(w * xr, w * xf)
    (dw,) = torch.autograd.grad(d_loss, w)
    g_per_sample = loss.g_loss(w * xf)
    (dx,) = torch.autograd.grad(g_per_sample.sum(), xf)
    return d_loss.item(), dw.item(), g_per_sample.detach().numpy(), dx.numpy()


# Hand derivations: (D loss, dD-loss/dw, per-sample G loss, dℓ_G/dx_f) with r = w x_r, f = w x_f.
def hand(loss_name):
    r, f = W * XR, W * XF
    if loss_name in ("minimax", "nonsaturating"):
        d_loss = np.mean(-np.log(sigmoid(r))) + np.mean(-np.log(1 - sigmoid(f)))
        dw = np.mean(-XR * sigmoid(-r)) + np.mean(XF * sigmoid(f))
        if loss_name == "minimax":
            g = np.log(1 - sigmoid(f))
            dx = -W * sigmoid(f)  # −D · ∂f/∂x
        else:
            g = -np.log(sigmoid(f))
            dx = -W * (1 - sigmoid(f))  # −(1 − D) · ∂f/∂x
        return d_loss, dw, g, dx
    if loss_name in ("wgan", "wgan-gp"):
        return np.mean(f) - np.mean(r), np.mean(XF) - np.mean(XR), -f, np.full_like(XF, -W)
    if loss_name == "lsgan":
        d_loss = 0.5 * np.mean((r - 1) ** 2) + 0.5 * np.mean(f**2)
        dw = np.mean((r - 1) * XR) + np.mean(f * XF)
        return d_loss, dw, 0.5 * (f - 1) ** 2, (f - 1) * W
    if loss_name == "hinge":
        d_loss = np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f))
        dw = np.mean(-XR * (1 - r > 0)) + np.mean(XF * (1 + f > 0))
        return d_loss, dw, -f, np.full_like(XF, -W)
    raise AssertionError(loss_name)


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_values_and_gradients_match_hand_derivation(name):
    got = autograd(name)
    want = hand(name)
    assert got[0] == pytest.approx(want[0], rel=1e-12)
    assert got[1] == pytest.approx(want[1], rel=1e-12)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-12)
    np.testing.assert_allclose(got[3], want[3], rtol=1e-12)


def test_registry_holds_the_issue_losses_and_flags():
    assert set(LOSSES) == {"minimax", "nonsaturating", "wgan", "wgan-gp", "lsgan", "hinge"}
    assert get_loss("wgan").weight_clip and not get_loss("wgan-gp").weight_clip
    assert get_loss("wgan-gp").penalty == "gradient-penalty"
    assert get_loss("minimax").probability and get_loss("nonsaturating").probability
    assert not get_loss("wgan").probability


def test_unknown_loss_lists_known_names():
    with pytest.raises(ValueError, match="minimax, nonsaturating, wgan, wgan-gp, lsgan, hinge"):
        get_loss("vanilla")
    with pytest.raises(ValueError, match="already registered"):
        register_loss(GanLoss("hinge", None, None, probability=False))


def test_softplus_forms_are_stable_at_extreme_logits():
    big = torch.tensor([-800.0, 800.0], dtype=F64)
    for name in LOSSES:
        loss = get_loss(name)
        assert torch.isfinite(loss.d_loss(big, big)), name
        assert torch.isfinite(loss.g_loss(big)).all(), name
    # −log D for a hopeless fake (logit −800) is 800, not inf: computed on logits.
    assert get_loss("nonsaturating").g_loss(
        torch.tensor([-800.0], dtype=F64)
    ).item() == pytest.approx(800.0)


@pytest.mark.parametrize("logit", [-6.0, -2.0, 0.0, 1.5, 5.0])
def test_generator_gradient_proportional_to_d_or_one_minus_d(logit):
    """For a fixed D: minimax ∂ℓ/∂logit = −D, non-saturating −(1 − D) (Goodfellow 2016, Fig. 16)."""
    a = torch.tensor([logit], dtype=F64, requires_grad=True)
    d = sigmoid(logit)
    (mm,) = torch.autograd.grad(get_loss("minimax").g_loss(a).sum(), a)
    (ns,) = torch.autograd.grad(get_loss("nonsaturating").g_loss(a).sum(), a)
    assert mm.item() == pytest.approx(-d, rel=1e-12)
    assert ns.item() == pytest.approx(-(1 - d), rel=1e-12)
    # the core's numpy curves agree
    assert mm.item() == pytest.approx(float(gv.generator_cost_gradient(d, "minimax")), rel=1e-9)
    assert ns.item() == pytest.approx(
        float(gv.generator_cost_gradient(d, "nonsaturating")), rel=1e-9
    )


def _optimal_logit_torch(x, mean_d, std_d, mean_g, std_g):
    """s(x) = log N(x; μ_d, σ_d²I) − log N(x; μ_g, σ_g²I), the logit of D*."""

    def logn(mean, std):
        return -((x - torch.tensor(mean, dtype=F64)) ** 2).sum(-1) / (2 * std**2) - 2 * math.log(
            std
        )

    return logn(mean_d, std_d) - logn(mean_g, std_g)


@pytest.mark.parametrize("name,core", [("minimax", "minimax"), ("nonsaturating", "nonsaturating")])
def test_per_sample_gradients_through_d_star_match_core_sample_gradients(name, core):
    """Our loss functions, autograd'ed through D* = σ(s), give the core's analytic arrows."""
    p_data = gv.Gaussian([0.0, 0.0], std=1.0)
    p_g = gv.Gaussian([2.0, 1.0], std=0.7)
    x_np = p_g.sample(16, seed=3)
    x = torch.tensor(x_np, requires_grad=True)
    s = _optimal_logit_torch(x, [0.0, 0.0], 1.0, [2.0, 1.0], 0.7)
    (grad,) = torch.autograd.grad(get_loss(name).g_loss(s).sum(), x)
    np.testing.assert_allclose(
        grad.numpy(), gv.sample_gradients(p_data, p_g, x_np, core), rtol=1e-8, atol=1e-12
    )


def test_every_trainer_loss_is_in_the_core_table_with_its_description():
    from ganviz.losses import LOSS_TABLE, losses_for

    assert tuple(LOSSES) == losses_for("trainer")
    for name, loss in LOSSES.items():
        assert loss.description == LOSS_TABLE[name].description


@pytest.mark.parametrize(
    ("alias", "name"), [("gan", "minimax"), ("ns", "nonsaturating"), ("wasserstein", "wgan")]
)
def test_trainer_accepts_the_core_aliases(alias, name):
    from ganviz.train import TrainConfig

    assert get_loss(alias) is get_loss(name)
    assert TrainConfig(loss=alias).loss == name
