"""One loss vocabulary: the core table, its aliases, and every part that names a loss.

Old spellings are checked against closed forms (the Wasserstein gradient of two
far-apart Gaussians is 1; the Dirac-GAN minimax field is (−ψ σ(−ψθ), θ σ(−ψθ))),
not against the canonical name's output alone.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

import ganviz as gv
from ganviz import dynamics as dyn
from ganviz.losses import LOSS_ALIASES, LOSS_TABLE, LossDict, canonical_loss, losses_for

CANONICAL = ("minimax", "nonsaturating", "wgan", "wgan-gp", "lsgan", "hinge")


def test_the_table_holds_the_six_canonical_names_with_a_description_each():
    assert tuple(LOSS_TABLE) == CANONICAL
    for name, entry in LOSS_TABLE.items():
        assert entry.name == name and entry.description and "\n" not in entry.description
        assert set(entry.parts) <= {"theory", "dirac", "trainer"} and entry.parts


@pytest.mark.parametrize(
    ("alias", "name"),
    [("wasserstein", "wgan"), ("gan", "minimax"), ("ns", "nonsaturating"),
     ("non-saturating", "nonsaturating"), ("wgan_gp", "wgan-gp"), ("least-squares", "lsgan")],
)  # fmt: skip
def test_aliases_resolve_to_canonical_names(alias, name):
    assert canonical_loss(alias) == name
    assert canonical_loss(name) == name
    assert LOSS_ALIASES[alias] == name


def test_every_alias_points_into_the_table_and_never_shadows_a_name():
    assert set(LOSS_ALIASES.values()) <= set(LOSS_TABLE)
    assert not set(LOSS_ALIASES) & set(LOSS_TABLE)


@pytest.mark.parametrize("bad", ["vanilla", "", None, 3, "WGAN"])
def test_unknown_names_raise_a_value_error_listing_the_valid_ones(bad):
    with pytest.raises(ValueError, match="loss must be one of minimax, nonsaturating, wgan, "):
        canonical_loss(bad)


def test_a_part_refuses_a_loss_it_does_not_implement():
    theory_only = r"loss must be one of minimax, nonsaturating, wgan \(also accepted: .*got .hinge."
    with pytest.raises(ValueError, match=theory_only):
        canonical_loss("hinge", losses_for("theory"))
    with pytest.raises(ValueError, match="part"):
        losses_for("plots")


def test_theory_losses_are_the_theory_rows_of_the_table():
    assert gv.LOSSES == losses_for("theory") == ("minimax", "nonsaturating", "wgan")
    assert isinstance(gv.LOSSES, tuple)


def test_every_dirac_loss_objective_is_in_the_table():
    named_like_losses = [name for name in dyn.OBJECTIVES if name in LOSS_TABLE]
    assert tuple(named_like_losses) == losses_for("dirac")
    # the regularised objectives are not losses and keep their own names
    others = set(dyn.OBJECTIVES) - set(LOSS_TABLE)
    assert others == {"gradient-penalty", "consensus", "instance-noise"}
    assert not others & set(LOSS_ALIASES)


def test_old_theory_spelling_gives_the_closed_form_wasserstein_gradient():
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(30, 1)
    # the optimal critic has slope 1 over all of P_g's mass when the CDFs never cross
    assert gv.generator_gradient(data, fake, "wasserstein") == pytest.approx(1.0, abs=1e-12)
    assert gv.generator_gradient(data, fake, "wgan") == pytest.approx(1.0, abs=1e-12)
    x = np.array([-3.0, 0.0, 3.0])
    near = gv.Gaussian(1, 1)  # F_g − F_data = Φ(x − 1) − Φ(x) < 0 everywhere: ∂ℓ/∂x = +1
    np.testing.assert_array_equal(gv.sample_gradients(gv.Gaussian(0, 1), near, x, "wgan"), 1.0)
    np.testing.assert_array_equal(
        gv.sample_gradients(gv.Gaussian(0, 1), near, x, "wasserstein"), 1.0
    )


def test_minimax_alias_gan_gives_the_closed_form_dirac_field():
    theta, psi = 0.7, -1.3
    fp = special.expit(-psi * theta)  # f'(t) = 1/(1 + e^t) for f(t) = −log(1 + e^(−t))
    want = (-psi * fp, theta * fp)
    for name in ("gan", "minimax"):
        assert dyn.dirac_vector_field(name, theta, psi) == pytest.approx(want, rel=1e-14)
    assert dyn.objective_name("gan") == "minimax"
    assert dyn.dirac_value("gan", 0.0, 0.0) == pytest.approx(-math.log(4.0), abs=1e-15)


def test_gradient_curves_answer_to_old_key_spellings():
    seps = np.array([-2.0, 3.0])
    curves = gv.gradient_curves(gv.Gaussian(0, 1), gv.Gaussian(0, 1), seps)
    assert list(curves) == ["minimax", "nonsaturating", "wgan"]
    np.testing.assert_array_equal(curves["wasserstein"], np.sign(seps))  # equal shapes: sign(Δ)
    assert "wasserstein" in curves and curves.get("wasserstein") is curves["wgan"]
    with pytest.raises(KeyError):
        curves["hinge"]
    assert LossDict(minimax=1).get("gan") == 1


def test_optimal_discriminator_plane_matches_scipy_densities():
    p = gv.Gaussian([0.0, 0.0], cov=[[1.0, 0.3], [0.3, 0.5]])
    q = gv.Gaussian([1.5, -0.5], cov=[[0.6, 0.0], [0.0, 0.8]])
    plane = gv.theory.optimal_discriminator_plane(p, q, n=17)
    gx, gy = np.meshgrid(plane.xs, plane.ys)
    pts = np.stack([gx, gy], axis=-1)
    rp = stats.multivariate_normal([0, 0], [[1.0, 0.3], [0.3, 0.5]]).pdf(pts)
    rq = stats.multivariate_normal([1.5, -0.5], [[0.6, 0.0], [0.0, 0.8]]).pdf(pts)
    assert plane.d.shape == (17, 17)
    np.testing.assert_allclose(plane.data_density, rp, rtol=1e-12)
    np.testing.assert_allclose(plane.g_density, rq, rtol=1e-12)
    np.testing.assert_allclose(plane.d, rp / (rp + rq), rtol=1e-12, atol=1e-300)


def test_optimal_discriminator_plane_is_one_half_where_both_densities_vanish():
    plane = gv.theory.optimal_discriminator_plane(
        gv.Uniform([0, 0], [1, 1]), gv.Uniform([3, 0], [4, 1]), n=41
    )
    gx, _ = np.meshgrid(plane.xs, plane.ys)
    gap = (gx > 1.2) & (gx < 2.8)
    assert gap.any() and np.all(plane.d[gap] == 0.5)
