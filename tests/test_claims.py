"""Every number a learner reads is right: a table of quoted claims, each recomputed twice.

Each claim names a file (README, docs, a notebook's markdown cells, a docstring),
the text fragments it quotes, and the conditions the result needs. The test

(a) asserts every fragment is still literally in that file (whitespace-normalised;
    notebooks are read as JSON, markdown cells only), so prose cannot change
    without this table changing with it, and
(b) recomputes the quoted number with ganviz *and* with an independent reference
    (a closed form, scipy quadrature, mpmath at 40 digits, torch autograd, or a
    hand-written Dirac-GAN field), and asserts both agree with the quoted value to
    the precision it is quoted with.

Measured performance figures (ms, MiB, speed ratios) are not claims of this file.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import inspect
import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mpmath
import numpy as np
import pytest
from scipy import integrate, special, stats

import ganviz as gv
from ganviz import dynamics as dyn
from ganviz.fitting import fit_gaussian, mode_report
from ganviz.sweeps import shift_sweep

ROOT = Path(__file__).resolve().parents[1]
LOG2, LOG4 = math.log(2.0), math.log(4.0)


# ---------------------------------------------------------------------------------------
# The prose side: fragments and quoted numbers
# ---------------------------------------------------------------------------------------
def _normalise(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def prose(rel: str) -> str:
    """The readable text of a file: markdown cells of a notebook, else the whole file."""
    path = ROOT / rel
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        parts = [
            c["source"] if isinstance(c["source"], str) else "".join(c["source"])
            for c in cells
            if c["cell_type"] == "markdown"
        ]
        return _normalise("\n".join(parts))
    return _normalise(path.read_text(encoding="utf-8"))


def assert_quoted(rel: str, fragment: str) -> None:
    assert _normalise(fragment) in prose(rel), (
        f"{rel} no longer says {fragment!r}: change the prose and tests/test_claims.py together"
    )


_SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def parse_quoted(text: str) -> tuple[float, float]:
    """'1.7·10⁻⁴⁹', '6e-87', '2\\cdot10^{-8}', '0.5268' → (value, half a unit of the last digit)."""
    t = text.translate(_SUPERSCRIPTS).replace("\\cdot", "·").replace("×", "·").replace("−", "-")
    t = re.sub(r"\s+", "", t)
    t = re.sub(r"\^\{?(-?\d+)\}?", r"^\1", t)
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)(?:(?:·10\^?|e)(-?\d+))?", t)
    assert m, f"cannot read the quoted number {text!r}"
    mantissa, exponent = m.group(1), int(m.group(2) or 0)
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return float(mantissa) * 10.0**exponent, 0.5 * 10.0 ** (exponent - decimals)


def assert_as_quoted(value: float, quoted: str, what: str = "") -> None:
    """``value`` rounds to the quoted number (to the quoted number of digits)."""
    q, half = parse_quoted(quoted)
    assert abs(value - q) <= half * (1 + 1e-9), f"{what}: computed {value!r}, quoted {quoted}"


# ---------------------------------------------------------------------------------------
# Independent references (no ganviz inside)
# ---------------------------------------------------------------------------------------
def _gauss_s(mu_d, sd, mu_g, sg):
    """s(x) = log N(x; μ_d, σ_d²) − log N(x; μ_g, σ_g²) and s′(x), as mpmath closures."""

    def s(x):
        return (
            -((x - mu_d) ** 2) / (2 * sd**2) + (x - mu_g) ** 2 / (2 * sg**2) + mpmath.log(sg / sd)
        )

    def ds(x):
        return -(x - mu_d) / sd**2 + (x - mu_g) / sg**2

    return s, ds


def ref_generator_gradient(loss: str, mu_d, sd, mu_g, sg) -> float:
    """E_{x∼p_g}[∂ℓ/∂x] with ℓ = log(1 − D*) or −log D*, by mpmath quadrature at 40 digits.

    ∂ℓ/∂x = −D*·s′ (minimax), −(1 − D*)·s′ (non-saturating); D* = 1/(1 + e^{−s}).
    """
    with mpmath.workdps(40):
        mu_d, sd, mu_g, sg = (mpmath.mpf(v) for v in (mu_d, sd, mu_g, sg))
        s, ds = _gauss_s(mu_d, sd, mu_g, sg)

        def q(x):
            return mpmath.npdf(x, mu_g, sg)

        if loss == "minimax":

            def integrand(x):
                return -q(x) * ds(x) / (1 + mpmath.exp(-s(x)))
        else:

            def integrand(x):
                return -q(x) * ds(x) / (1 + mpmath.exp(s(x)))

        pts = {float(mu_d), float(mu_g)}
        for root in _crossings(*(float(v) for v in (mu_d, sd, mu_g, sg))):
            # D* switches within ~1/|s′(root)| of each crossing: resolve it with breakpoints
            width = 1.0 / abs(float(ds(mpmath.mpf(root))))
            pts.update(root + width * k for k in range(-40, 41, 4))
        return float(mpmath.quad(integrand, [-mpmath.inf, *sorted(pts), mpmath.inf]))


def _crossings(mu_d, sd, mu_g, sg) -> list[float]:
    """Real roots of s(x) = log p_data − log p_g = A x² + B x + C."""
    a = -1 / (2 * sd**2) + 1 / (2 * sg**2)
    b = mu_d / sd**2 - mu_g / sg**2
    c = -(mu_d**2) / (2 * sd**2) + mu_g**2 / (2 * sg**2) + math.log(sg / sd)
    if a == 0:
        return [-c / b]
    return [r.real for r in np.roots([a, b, c]) if abs(r.imag) < 1e-12]


def ref_wasserstein_gradient(mu_d, sd, mu_g, sg) -> tuple[float, float]:
    """d/dt W1 as P_g moves: closed form 1 − 2Φ(−Δ/|σ_d − σ_g|); scipy quad of sign(F_d − F_g)."""
    delta = mu_g - mu_d
    closed = 1.0 if sd == sg else 1.0 - 2.0 * stats.norm.cdf(-abs(delta) / abs(sd - sg))

    def sign_term(x):
        return stats.norm.pdf(x, mu_g, sg) * np.sign(
            stats.norm.cdf(x, mu_d, sd) - stats.norm.cdf(x, mu_g, sg)
        )

    pts = [mu_d, mu_g] + ([] if sd == sg else [(mu_d * sg - mu_g * sd) / (sg - sd)])
    lo, hi = min(pts) - 12 * max(sd, sg), max(pts) + 12 * max(sd, sg)
    quad = integrate.quad(sign_term, lo, hi, points=sorted(pts), limit=200)[0]
    return closed, quad


def _logs(mu_d, sd, mu_g, sg):
    def lp(x):
        return stats.norm.logpdf(x, mu_d, sd)

    def lq(x):
        return stats.norm.logpdf(x, mu_g, sg)

    return lp, lq


def ref_js(mu_d, sd, mu_g, sg) -> float:
    lp, lq = _logs(mu_d, sd, mu_g, sg)

    def f(x):
        a, b = lp(x), lq(x)
        lm = np.logaddexp(a, b) - LOG2
        return 0.5 * (np.exp(a) * (a - lm) + np.exp(b) * (b - lm))

    lo, hi = min(mu_d, mu_g) - 15 * max(sd, sg), max(mu_d, mu_g) + 15 * max(sd, sg)
    return integrate.quad(f, lo, hi, points=[mu_d, (mu_d + mu_g) / 2, mu_g], limit=200)[0]


def ref_value(mu_d, sd, mu_g, sg) -> float:
    """V(G, D*) = ∫ p log D* + q log(1 − D*), with log D* = −log(1 + e^{−s})."""
    lp, lq = _logs(mu_d, sd, mu_g, sg)

    def f(x):
        s = lp(x) - lq(x)
        return -np.exp(lp(x)) * np.logaddexp(0.0, -s) - np.exp(lq(x)) * np.logaddexp(0.0, s)

    lo, hi = min(mu_d, mu_g) - 15 * max(sd, sg), max(mu_d, mu_g) + 15 * max(sd, sg)
    return integrate.quad(f, lo, hi, points=[mu_d, (mu_d + mu_g) / 2, mu_g], limit=200)[0]


def ref_js_deficit(mu_d, sd, mu_g, sg) -> float:
    """log 2 − JS = ½∫ p log(1 + q/p) + q log(1 + p/q), in mpmath (tiny values survive)."""
    with mpmath.workdps(40):

        def f(x):
            p, q = mpmath.npdf(x, mu_d, sd), mpmath.npdf(x, mu_g, sg)
            return (p * mpmath.log1p(q / p) + q * mpmath.log1p(p / q)) / 2

        pts = [mu_d, (mu_d + mu_g) / 2, mu_g]
        return float(mpmath.quad(f, [-mpmath.inf, *pts, mpmath.inf]))


def kl_gauss(mu1, s1, mu2, s2) -> float:
    return math.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5


def d_star_gauss(x, mu_d, sd, mu_g, sg):
    lp, lq = _logs(mu_d, sd, mu_g, sg)
    return special.expit(lp(np.asarray(x, float)) - lq(np.asarray(x, float)))


# Dirac-GAN, written out by hand from f(t) = log σ(t), f′(t) = σ(−t).
def _fp(t):
    return special.expit(-t)


def own_field(name: str, theta: float, psi: float, *, gamma=0.3, sigma=1.0) -> np.ndarray:
    if name == "gan":
        return np.array([-psi * _fp(psi * theta), theta * _fp(psi * theta)])
    if name == "nonsaturating":
        return np.array([-psi * _fp(-psi * theta), theta * _fp(psi * theta)])
    if name == "wgan":
        return np.array([-psi, theta])
    if name == "gradient-penalty":
        return own_field("gan", theta, psi) - np.array([0.0, gamma * psi])
    if name == "consensus":
        # v − γ ∇(½‖v‖²), the gradient by central differences of the hand-written GAN field
        e = 1e-5

        def half_sq(t, p):
            v = own_field("gan", t, p)
            return 0.5 * float(v @ v)

        grad = np.array(
            [
                (half_sq(theta + e, psi) - half_sq(theta - e, psi)) / (2 * e),
                (half_sq(theta, psi + e) - half_sq(theta, psi - e)) / (2 * e),
            ]
        )
        return own_field("gan", theta, psi) - gamma * grad
    if name == "instance-noise":
        # E over ε ∼ N(0, σ²) by scipy quadrature
        def expect(g):
            return integrate.quad(
                lambda z: g(sigma * z) * stats.norm.pdf(z), -12, 12, epsabs=1e-13
            )[0]

        v_theta = -expect(lambda e: psi * _fp(psi * (theta + e)))
        v_psi = expect(lambda e: (theta + e) * _fp(psi * (theta + e))) - expect(
            lambda e: e * _fp(-psi * e)
        )
        return np.array([v_theta, v_psi])
    raise KeyError(name)


def own_jacobian(name: str, *, step=1e-3, **params) -> np.ndarray:
    cols = []
    for d in (np.array([step, 0.0]), np.array([0.0, step])):
        cols.append((own_field(name, *d, **params) - own_field(name, *(-d), **params)) / (2 * step))
    return np.column_stack(cols)


def _sorted(z) -> np.ndarray:
    z = np.asarray(z, complex)
    return z[np.lexsort((-z.real, -z.imag))]


# ---------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    id: str
    file: str
    fragments: tuple[str, ...]
    conditions: str
    check: Callable[[], None]


CLAIMS: list[Claim] = []


def claim(id: str, file: str, *fragments: str, conditions: str = ""):
    """Register ``check`` for the quoted ``fragments`` of ``file`` (stackable)."""

    def register(check):
        CLAIMS.append(Claim(id, file, fragments, conditions, check))
        return check

    return register


# --- README: five lines of theory ------------------------------------------------------
def readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Five lines of theory", 1)[1]
    return section.split("```python", 1)[1].split("```", 1)[0]


@claim(
    "readme-five-lines",
    "README.md",
    "# D*: [0.989 0.5 0.011]",
    "# 0.5268  -0.3327 (= 2·JS − log 4)",
    "# {'minimax': 0.2959, 'nonsaturating': 2.704, 'wgan': 1.0}",
    conditions="P_data = N(0, 1), P_g = N(3, 1)",
)
def check_readme_five_lines():
    code = readme_block()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue().splitlines()
    comments = [line.split("#", 1)[1] for line in code.splitlines() if "#" in line]
    assert len(printed) == 3 and len(comments) == 3

    # line 1: D* at 0, 1.5, 3
    quoted = re.search(r"\[(.*)\]", comments[0]).group(1).split()
    shown = [float(v) for v in re.search(r"\[(.*)\]", printed[0]).group(1).split()]
    exact = d_star_gauss([0.0, 1.5, 3.0], 0, 1, 3, 1)
    for q, got, ref in zip(quoted, shown, exact, strict=True):
        assert_as_quoted(got, q, "D* (ganviz)")
        assert_as_quoted(ref, q, "D* (closed form σ(4.5 − 3x))")

    # line 2: JS and V
    js_q, v_q = comments[1].split()[:2]
    js, v = (float(t) for t in printed[1].split())
    assert_as_quoted(js, js_q, "JS (ganviz)")
    assert_as_quoted(ref_js(0, 1, 3, 1), js_q, "JS (scipy quad)")
    assert_as_quoted(v, v_q, "V (ganviz)")
    assert_as_quoted(ref_value(0, 1, 3, 1), v_q, "V (scipy quad)")
    assert_as_quoted(2 * ref_js(0, 1, 3, 1) - LOG4, v_q, "2·JS − log 4")

    # line 3: the three generator gradients
    quoted_grads = ast.literal_eval(comments[2].strip())
    shown_grads = ast.literal_eval(printed[2])
    assert set(quoted_grads) == set(shown_grads)
    refs = {
        "minimax": ref_generator_gradient("minimax", 0, 1, 3, 1),
        "nonsaturating": ref_generator_gradient("nonsaturating", 0, 1, 3, 1),
        "wgan": ref_wasserstein_gradient(0, 1, 3, 1)[1],
    }
    for loss, q in quoted_grads.items():
        assert_as_quoted(shown_grads[loss], repr(q), f"{loss} (ganviz)")
        assert_as_quoted(refs[loss], repr(q), f"{loss} (reference)")


@claim(
    "readme-30-sigma",
    "README.md",
    "Move `fake` to `gv.Gaussian(30, 1)` and the minimax gradient is 1.7·10⁻⁴⁹",
    "the non-saturating one 30, the Wasserstein one still 1.",
    conditions="P_data = N(0, 1), P_g = N(30, 1)",
)
@claim(
    "theory-30-sigma",
    "docs/theory.md",
    "unit Gaussians 30σ apart give JS = log 2 to the last digit and a minimax gradient of "
    "1.7·10⁻⁴⁹ (60σ apart: 4.6·10⁻¹⁹⁶)",
    conditions="P_data = N(0, 1), P_g = N(30, 1) and N(60, 1)",
)
def check_far_apart_gaussians():
    data = gv.Gaussian(0, 1)
    for mu, quoted in ((30, "1.7·10⁻⁴⁹"), (60, "4.6·10⁻¹⁹⁶")):
        fake = gv.Gaussian(mu, 1)
        mm = gv.generator_gradient(data, fake, "minimax")
        ref = ref_generator_gradient("minimax", 0, 1, mu, 1)
        assert_as_quoted(mm, quoted, f"minimax at {mu}σ (ganviz)")
        assert_as_quoted(ref, quoted, f"minimax at {mu}σ (mpmath)")
        # docs/theory.md: "the minimax gradient of far-apart Gaussians to 10⁻⁸ relative"
        assert mm == pytest.approx(ref, rel=1e-8)
        # JS = log 2 to the last digit: the true deficit is below half an ulp of log 2
        assert gv.js_divergence(data, fake) == LOG2
        assert ref_js_deficit(0, 1, mu, 1) < math.ulp(LOG2) / 2
    fake = gv.Gaussian(30, 1)
    assert_as_quoted(gv.generator_gradient(data, fake, "nonsaturating"), "30")
    assert_as_quoted(ref_generator_gradient("nonsaturating", 0, 1, 30, 1), "30")
    assert gv.generator_gradient(data, fake, "wasserstein") == 1.0
    assert ref_wasserstein_gradient(0, 1, 30, 1) == pytest.approx((1.0, 1.0), abs=1e-12)


@claim(
    "theory-py-hundred-sigma",
    "ganviz/theory.py",
    "so Gaussians a hundred standard deviations apart still give JS = log 2 and D* = 0 or 1",
    conditions="N(0, 1) and N(100, 1); D* on either density's bulk",
)
def check_hundred_sigma():
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(100, 1)
    assert gv.js_divergence(data, fake) == LOG2
    assert ref_js_deficit(0, 1, 100, 1) < math.ulp(LOG2) / 2
    d = gv.optimal_discriminator(data, fake, np.array([-3.0, 0.0, 3.0, 97.0, 100.0, 103.0]))
    np.testing.assert_array_equal(d, [1, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(d, d_star_gauss([-3, 0, 3, 97, 100, 103], 0, 1, 100, 1))


# --- vanishing gradients: the rates and their condition ---------------------------------
def _rates_equal_spreads():
    for sigma in (1.0, 0.5):
        data = gv.Gaussian(0, sigma)
        deltas = (30 * sigma, 40 * sigma)
        for slope in _log_slopes(0, sigma, sigma, deltas):
            # e^(−Δ²/8σ²) up to a polynomial prefactor
            assert slope / (-(deltas[1] ** 2 - deltas[0] ** 2) / (8 * sigma**2)) == pytest.approx(
                1.0, abs=0.02
            )
        for delta in deltas:
            fake = gv.Gaussian(delta, sigma)
            for value in (
                gv.generator_gradient(data, fake, "nonsaturating"),
                ref_generator_gradient("nonsaturating", 0, sigma, delta, sigma),
            ):
                assert value == pytest.approx(delta / sigma**2, rel=1e-9)
        for delta in (0.1, 1.0, 5.0):
            assert gv.generator_gradient(data, gv.Gaussian(delta, sigma), "wasserstein") == 1.0
            assert ref_wasserstein_gradient(0, sigma, delta, sigma)[1] == pytest.approx(1.0)


def _log_slopes(mu_d, sd, sg, deltas) -> list[float]:
    """log g(Δ₂) − log g(Δ₁) of the minimax gradient, by ganviz and by mpmath."""
    ours = [
        math.log(gv.generator_gradient(gv.Gaussian(mu_d, sd), gv.Gaussian(d, sg), "minimax"))
        for d in deltas
    ]
    ref = [math.log(ref_generator_gradient("minimax", mu_d, sd, d, sg)) for d in deltas]
    return [ours[1] - ours[0], ref[1] - ref[0]]


@claim(
    "readme-rates",
    "README.md",
    "for equal spreads σ_data = σ_g = σ, minimax dies like e^(−Δ²/8σ²), non-saturating grows "
    "like Δ/σ², Wasserstein stays 1;",
    conditions="σ_data = σ_g = σ, Δ ≫ σ",
)
@claim(
    "lessons-rates",
    "docs/lessons.md",
    "so for equal spreads σ_d = σ_g = σ, far apart, the minimax curve falls like e^{−Δ²/8σ²}, "
    "the non-saturating one grows like Δ/σ², the critic stays at 1",
    conditions="σ_data = σ_g = σ, Δ ≫ σ",
)
@claim(
    "nb03-rates",
    "notebooks/03_vanishing_gradients.ipynb",
    "and $\\mathbb{E}_g[D^*]$ falls off roughly like $e^{-\\Delta^2/8\\sigma^2}$",
    "so for equal spreads the Wasserstein gradient keeps magnitude 1",
    conditions="σ_data = σ_g = σ",
)
def check_rates_equal_spreads():
    _rates_equal_spreads()


@claim(
    "lessons-rates-unequal",
    "docs/lessons.md",
    "(unequal spreads: e^{−Δ²/2(σ_d+σ_g)²}, Δ/σ_d², and 1 − 2Φ(−Δ/|σ_d − σ_g|) → 1)",
    conditions="σ_data ≠ σ_g, Δ ≫ σ",
)
@claim(
    "nb03-wasserstein-unequal",
    "notebooks/03_vanishing_gradients.ipynb",
    "(for unequal spreads it is $1 - 2\\Phi(-\\Delta/|\\sigma_d - \\sigma_g|)$, which tends to 1)",
    conditions="σ_data ≠ σ_g",
)
def check_rates_unequal_spreads():
    for sd, sg in ((1.0, 2.0), (1.0, 0.5), (2.0, 1.0)):
        data = gv.Gaussian(0, sd)
        delta = 40.0
        fake = gv.Gaussian(delta, sg)
        deltas = (30.0, 40.0)
        span = deltas[1] ** 2 - deltas[0] ** 2
        for slope in _log_slopes(0, sd, sg, deltas):
            assert slope / (-span / (2 * (sd + sg) ** 2)) == pytest.approx(1.0, abs=0.02)
            # the equal-spread exponent Δ²/8σ² fits neither spread: the condition is needed
            for sigma in (sd, sg):
                assert abs(slope / (-span / (8 * sigma**2)) - 1) > 0.2
        for value in (
            gv.generator_gradient(data, fake, "nonsaturating"),
            ref_generator_gradient("nonsaturating", 0, sd, delta, sg),
        ):
            assert value == pytest.approx(delta / sd**2, rel=1e-6)
        for d in (0.5, 2.0, 4.0):
            closed, quad = ref_wasserstein_gradient(0, sd, d, sg)
            ours = gv.generator_gradient(data, gv.Gaussian(d, sg), "wasserstein")
            assert ours == pytest.approx(closed, abs=1e-6)
            assert quad == pytest.approx(closed, abs=1e-7)
        assert ref_wasserstein_gradient(0, sd, 0.5, sg)[0] < 0.9  # not 1 near the data


@claim(
    "nb03-12-sigma",
    "notebooks/03_vanishing_gradients.ipynb",
    "at $\\Delta = 12\\sigma$ the minimax gradient is about $2\\cdot10^{-8}/\\sigma$ while the "
    "non-saturating one is about $12/\\sigma$",
    conditions="σ_data = σ_g = σ",
)
def check_12_sigma():
    for sigma in (1.0, 0.5, 2.0):
        data, fake = gv.Gaussian(0, sigma), gv.Gaussian(12 * sigma, sigma)
        for value in (
            gv.generator_gradient(data, fake, "minimax"),
            ref_generator_gradient("minimax", 0, sigma, 12 * sigma, sigma),
        ):
            assert_as_quoted(value * sigma, "2·10⁻⁸", "minimax · σ")
        for value in (
            gv.generator_gradient(data, fake, "nonsaturating"),
            ref_generator_gradient("nonsaturating", 0, sigma, 12 * sigma, sigma),
        ):
            assert_as_quoted(value * sigma, "12", "non-saturating · σ")


@claim(
    "nb03-sigma-0.3",
    "notebooks/03_vanishing_gradients.ipynb",
    "Make both spreads small (σ = 0.3) and the separation 12: the minimax gradient drops to about "
    "$6\\cdot10^{-87}$.",
    conditions="σ_data = σ_g = 0.3, Δ = 12 (the slider's end)",
)
@claim(
    "lessons-sigma-0.3",
    "docs/lessons.md",
    "shrink both spreads to 0.3 (at separation 12 the minimax gradient drops to 6e-87)",
    conditions="σ_data = σ_g = 0.3, Δ = 12 (the slider's end)",
)
def check_sigma_03():
    from ganviz.widgets import VanishingGradientExplorer

    signature = inspect.signature(VanishingGradientExplorer.__init__).parameters
    assert signature["max_separation"].default == 12.0  # "the separation 12" is reachable
    data, fake = gv.Gaussian(0, 0.3), gv.Gaussian(12, 0.3)
    assert_as_quoted(gv.generator_gradient(data, fake, "minimax"), "6e-87", "ganviz")
    assert_as_quoted(ref_generator_gradient("minimax", 0, 0.3, 12, 0.3), "6e-87", "mpmath")


@claim(
    "gradients-docstring-8-sigma",
    "ganviz/gradients.py",
    ">>> data, fake = gv.Gaussian(0, 1), gv.Gaussian(8, 1)",
    conditions="P_data = N(0, 1), P_g = N(8, 1)",
)
def check_gradients_docstring():
    ref = ref_generator_gradient("minimax", 0, 1, 8, 1)
    ours = gv.generator_gradient(gv.Gaussian(0, 1), gv.Gaussian(8, 1), "minimax")
    assert_as_quoted(ref, "3.9·10⁻⁴", "mpmath")
    assert_as_quoted(ours, "3.9·10⁻⁴", "ganviz")
    ns = gv.generator_gradient(gv.Gaussian(0, 1), gv.Gaussian(8, 1), "nonsaturating")
    assert_as_quoted(ns, "8", "non-saturating (≈ 8: alive)")
    assert_as_quoted(ref_generator_gradient("nonsaturating", 0, 1, 8, 1), "8")
    # The docstring's example must state that number: in the comment after the minimax call,
    # or as the doctest output on the next line.
    lines = (ROOT / "ganviz/gradients.py").read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(lines) if 'generator_gradient(data, fake, "minimax")' in ln)
    said = lines[at].split("#", 1)[1] if "#" in lines[at] else ""
    if not lines[at + 1].strip().startswith(">>>"):
        said += " " + lines[at + 1]
    scientific = r"\d+(?:\.\d+)?\s*(?:·|×|\\cdot)?\s*(?:10\s*\^?\s*[-⁻−]?[\d⁰¹²³⁴⁵⁶⁷⁸⁹]+|e-\d+)"
    number = re.search(scientific, said) or re.search(r"0\.0\d+", said)
    assert number, f"gradients.py's example does not state the minimax gradient: {said!r}"
    assert_as_quoted(ref, number.group(0), "gradients.py docstring")


@claim(
    "lessons-logit-derivatives",
    "docs/lessons.md",
    "derivative with respect to the logit (−D, −(1 − D), −½·D/(1 − D))",
    conditions="D = σ(a); costs log(1 − D), −log D, −½·e^a (Goodfellow 2016)",
)
def check_logit_derivatives():
    torch = pytest.importorskip("torch")
    d = np.array([0.01, 0.2, 0.5, 0.8, 0.99])
    a = torch.tensor(special.logit(d), dtype=torch.float64, requires_grad=True)
    costs = {
        "minimax": lambda a: torch.log1p(-torch.sigmoid(a)),
        "nonsaturating": lambda a: -torch.nn.functional.logsigmoid(a),
        "maximum_likelihood": lambda a: -0.5 * torch.exp(a),
    }
    quoted = {"minimax": -d, "nonsaturating": -(1 - d), "maximum_likelihood": -0.5 * d / (1 - d)}
    for loss, cost in costs.items():
        (autograd,) = torch.autograd.grad(cost(a).sum(), a)
        np.testing.assert_allclose(autograd.numpy(), quoted[loss], rtol=1e-12)
        np.testing.assert_allclose(gv.generator_cost_gradient(d, loss), quoted[loss], rtol=1e-9)


@claim(
    "theory-generator-gradient",
    "docs/theory.md",
    "E_q[∂ℓ/∂x], the average per-sample (backprop) gradient, D held at D*",
    "for smooth densities it equals d/dt of the generator loss when P_g is translated by t, "
    "for densities with jumps (uniforms) it does not",
    conditions="smooth densities for the d/dt reading",
)
def check_generator_gradient_meaning():
    # smooth: d/dt ∫ N(x; 3 + t, 1) log(1 − D*(x)) dx at t = 0, D* frozen, by scipy + differences
    def expected_loss(t):
        def f(x):
            s = stats.norm.logpdf(x) - stats.norm.logpdf(x, 3)
            return stats.norm.pdf(x, 3 + t) * -np.logaddexp(0.0, s)

        return integrate.quad(f, -12, 18, points=[1.5, 3], epsabs=1e-14, epsrel=1e-13)[0]

    h = 1e-3
    fd = (expected_loss(h) - expected_loss(-h)) / (2 * h)
    ours = gv.generator_gradient(gv.Gaussian(0, 1), gv.Gaussian(3, 1), "minimax")
    assert fd == pytest.approx(ours, rel=1e-6)
    # uniforms of σ = 1, Δ = 2 (the explorer's uniform pair): every per-sample gradient is 0 ...
    a = math.sqrt(3.0)
    p, q = gv.Uniform(-a, a), gv.Uniform(2 - a, 2 + a)
    assert gv.generator_gradient(p, q, "minimax") == 0.0
    assert gv.generator_gradient(p, q, "nonsaturating") == 0.0

    # ... but the expected minimax loss with D* frozen moves: sliding P_g left by t trades
    # g-only mass (ℓ = 0) for overlap mass (ℓ = log ½) at rate 1/(2√3): d/dt = log 2/(2√3)
    def frozen_minimax_loss(t):  # t ≤ 0
        overlap = a - (2 - a + t)
        return overlap / (2 * a) * math.log(0.5)

    left = (frozen_minimax_loss(0.0) - frozen_minimax_loss(-1e-3)) / 1e-3
    assert left == pytest.approx(LOG2 / (2 * a), rel=1e-9)
    assert left > 0.19


@claim(
    "lessons-gradient-curves",
    "docs/lessons.md",
    "equal to `ganviz.generator_gradient` to ~1e-9",
)
def check_gradient_curves():
    from ganviz.fitting import gradient_curves

    seps = np.linspace(0.1, 12, 60)
    pairs = [
        (gv.Gaussian(0, 1), gv.Gaussian(0, 1)),
        (gv.Gaussian(0, 1), gv.Gaussian(0, 0.5)),
        (gv.Mixture([gv.Gaussian(-1, 0.5), gv.Gaussian(1, 0.5)]), gv.Gaussian(0, 1)),
    ]
    for p, q in pairs:
        curves = gradient_curves(p, q, seps)
        for loss in gv.LOSSES:
            each = np.array([gv.generator_gradient(p, q.shift(d), loss) for d in seps])
            np.testing.assert_allclose(curves[loss], each, rtol=3e-9, atol=0)
    curves = gradient_curves(gv.Gaussian(0, 1), gv.Gaussian(0, 1), seps)
    for i in (0, 29, 59):
        ref = ref_generator_gradient("minimax", 0, 1, seps[i], 1)
        assert curves["minimax"][i] == pytest.approx(ref, rel=1e-9)


@claim(
    "dynamics-dirac-f",
    "ganviz/dynamics.py",
    "f(−800) = −800 and f′(800) ≈ e^(−800) are exact to machine precision.",
    "f′(0) = ½ (:data:`F_PRIME_0`), f″(0) = −¼.",
)
def check_dirac_f():
    assert dyn.dirac_f(-800.0) == -800.0
    assert dyn.dirac_f(800.0, 1) == math.exp(-800) == 0.0  # e^(−800) rounds to 0 in doubles
    assert dyn.dirac_f(700.0, 1) == pytest.approx(math.exp(-700), rel=1e-15)
    with mpmath.workdps(30):
        for t in (-3.0, 0.0, 0.7, 5.0):
            for k in (1, 2, 3):
                ref = mpmath.diff(lambda u: -mpmath.log(1 + mpmath.exp(-u)), t, k)
                assert dyn.dirac_f(t, k) == pytest.approx(float(ref), rel=1e-12, abs=1e-15)


@claim(
    "explorers-w1-2d",
    "docs/explorers.md",
    "The 2-D W1 in the table is exact optimal transport between 128 samples of each "
    "distribution, labelled as the estimate it is.",
    conditions="2-D",
)
def check_w1_2d():
    from ganviz.widgets.discriminator import W1_LABEL_2D, W1_SAMPLES_2D

    assert W1_SAMPLES_2D == 128 and "128" in W1_LABEL_2D
    p, q = gv.Gaussian([0, 0], std=1), gv.Gaussian([0.5, 0], std=1.5)
    # exact OT between the two samples (scipy), compared with ganviz's estimate
    from scipy.optimize import linear_sum_assignment
    from scipy.spatial.distance import cdist

    a, b = p.sample(128, seed=0), q.sample(128, seed=0)
    cost = cdist(a, b)
    rows, cols = linear_sum_assignment(cost)
    ours = gv.wasserstein_distance(p, q, n_samples=128, seed=0)
    assert ours == pytest.approx(cost[rows, cols].mean(), rel=1e-12)


# --- V, JS, W1, KL -------------------------------------------------------------------------
@claim(
    "nb01-equal",
    "notebooks/01_optimal_discriminator.ipynb",
    "$D^*$ is flat at $\\tfrac12$ and the gauge reads $V = -\\log 4 \\approx -1.386$",
    conditions="P_g = P_data",
)
@claim("explorers-equal", "docs/explorers.md", "D* ≡ ½ and V = −log 4.", conditions="P_g = P_data")
def check_equal_pair():
    for p in (gv.Gaussian(0.3, 1.2), gv.Mixture([gv.Gaussian(-1, 0.5), gv.Gaussian(2, 1)])):
        x = np.linspace(-3, 3, 7)
        np.testing.assert_allclose(gv.optimal_discriminator(p, p, x), 0.5, rtol=0, atol=1e-15)
        assert_as_quoted(gv.value_function(p, p), "-1.386")
        assert gv.value_function(p, p) == pytest.approx(-LOG4, abs=1e-10)
    assert_as_quoted(ref_value(0.3, 1.2, 0.3, 1.2), "-1.386", "scipy quad")


@claim(
    "explorers-disjoint-uniforms",
    "docs/explorers.md",
    "Two uniforms of width 1, shift 2: D* is exactly 1 and 0 and flat",
    conditions="supports disjoint",
)
@claim(
    "nb01-disjoint-uniforms",
    "notebooks/01_optimal_discriminator.ipynb",
    "Two uniform distributions of width 2, three units apart: $D^*$ is exactly 1 on the data and "
    "0 on the fakes, and the value is at its ceiling $V = 0$.",
    conditions="supports disjoint",
)
def check_disjoint_uniforms():
    for width, shift in ((1.0, 2.0), (2.0, 3.0)):
        data, fake = gv.Uniform(0, width), gv.Uniform(shift, shift + width)
        x_data = np.linspace(0.01, width - 0.01, 9)
        assert np.all(gv.optimal_discriminator(data, fake, x_data) == 1.0)
        assert np.all(gv.optimal_discriminator(data, fake, x_data + shift) == 0.0)
        # closed form: disjoint supports give V = 0 and JS = log 2 exactly
        assert gv.value_function(data, fake) == pytest.approx(0.0, abs=1e-12)
        assert gv.js_divergence(data, fake) == pytest.approx(LOG2, abs=1e-12)


def _uniform_js(t: float) -> float:
    """Closed form for U(0, 1) against U(t, t + 1): JS = min(|t|, 1)·log 2."""
    return min(abs(t), 1.0) * LOG2


@claim(
    "nb02-uniform-sweep",
    "notebooks/02_value_and_js.ipynb",
    "For $|t| \\ge 1$ the JS curve is flat at $\\log 2$ and $V$ flat at $0$, while "
    "$W_1 = |t|$ keeps climbing.",
    "$\\mathrm{KL}(P_{data}\\|P_g) = \\infty$ as soon as $P_g$ misses any of the data",
    conditions="P_data = U(0, 1), P_g = U(t, t + 1)",
)
@claim(
    "explorers-uniform-sweep",
    "docs/explorers.md",
    "JS flat at log 2, V flat at 0, W1 = |t|; both KLs jump to ∞ the moment the supports stop "
    "nesting.",
    conditions="P_data = U(0, 1), P_g = U(t, t + 1)",
)
@claim(
    "readme-js-sticks",
    "README.md",
    "JS sticks at log 2 and V at 0 once the supports separate, while W1 keeps measuring the "
    "distance.",
    conditions="disjoint supports (two uniforms)",
)
@claim(
    "sweeps-doctest",
    "ganviz/sweeps.py",
    "array([0.      , 0.693147])",
    "array([0., 3.])",
    conditions="U(0, 1) against its shifts by 0 and 3",
)
def check_uniform_sweep():
    data = gv.Uniform(0, 1)
    for t in (0.25, 0.5, 1.0, 1.5, 3.0, -2.0):
        fake = gv.Uniform(t, t + 1)
        assert gv.js_divergence(data, fake) == pytest.approx(_uniform_js(t), abs=1e-9)
        assert gv.value_function(data, fake) == pytest.approx(2 * _uniform_js(t) - LOG4, abs=1e-9)
        assert gv.wasserstein_distance(data, fake) == pytest.approx(abs(t), abs=1e-9)
        assert gv.kl_divergence(data, fake) == math.inf
        assert gv.kl_divergence(fake, data) == math.inf
    sweep = shift_sweep(data, data, np.linspace(-3, 3, 61))
    np.testing.assert_array_equal(sweep.js[[30, 60]].round(6), [0.0, 0.693147])
    np.testing.assert_array_equal(sweep.w1[[30, 60]].round(6), [0.0, 3.0])


@claim(
    "nb02-translation-w1",
    "notebooks/02_value_and_js.ipynb",
    "for a pure translation by $t$ it is exactly $|t|$",
    conditions="P_g = P_data translated by t",
)
@claim("explorers-translation-w1", "docs/explorers.md", "(W1 = |t| for a translation)")
def check_translation_w1():
    pairs = [
        (gv.Gaussian(0, 1), 2.5),
        (gv.Mixture([gv.Gaussian(-1, 0.3), gv.Gaussian(1, 0.7)]), -1.7),
        (gv.Uniform(0, 2), 0.6),
    ]
    for p, t in pairs:
        assert gv.wasserstein_distance(p, p.shift(t)) == pytest.approx(abs(t), abs=1e-8)
    # scipy: ∫ |F_p − F_q| for N(0, 1) and N(2.5, 1)
    quad = integrate.quad(
        lambda x: abs(stats.norm.cdf(x) - stats.norm.cdf(x, 2.5)), -15, 18, points=[1.25]
    )[0]
    assert quad == pytest.approx(2.5, abs=1e-9)


@claim(
    "nb02-kl-growth",
    "notebooks/02_value_and_js.ipynb",
    "Both KLs are finite, growing like $t^2 / 2\\sigma^2$ for equal widths.",
    conditions="σ_data = σ_g = σ",
)
@claim("explorers-kl-growth", "docs/explorers.md", "KL grows like t²/2σ².")
def check_kl_growth():
    for sigma, t in ((1.0, 2.0), (0.5, 3.0), (2.0, 1.0)):
        p, q = gv.Gaussian(0, sigma), gv.Gaussian(t, sigma)
        quoted = t**2 / (2 * sigma**2)
        assert kl_gauss(0, sigma, t, sigma) == pytest.approx(quoted, rel=1e-15)
        assert gv.kl_divergence(p, q) == pytest.approx(quoted, rel=1e-9)
        assert gv.kl_divergence(q, p) == pytest.approx(quoted, rel=1e-9)


@claim(
    "theory-accuracy",
    "docs/theory.md",
    "JS of smooth 1-D densities to 10⁻⁶ against scipy quadrature",
    "KL of Gaussians to 10⁻⁹ relative against the closed form",
)
def check_theory_accuracy():
    for args in ((0, 1, 3, 1), (0, 1, 1.5, 0.4), (-1, 2, 2, 0.7)):
        p, q = gv.Gaussian(args[0], args[1]), gv.Gaussian(args[2], args[3])
        assert abs(gv.js_divergence(p, q) - ref_js(*args)) <= 1e-6
        assert gv.kl_divergence(p, q) == pytest.approx(kl_gauss(*args), rel=1e-9)


@claim(
    "theory-critic",
    "docs/theory.md",
    "a 1-Lipschitz f* with slope sign(F_q − F_p), attaining W1 (1-D)",
    "−sign(F_g − F_data) in 1-D: unit slope",
    conditions="1-D",
)
def check_optimal_critic():
    p, q = gv.Gaussian(0, 1), gv.Gaussian(1, 2)  # CDFs cross at x = −1
    w1 = integrate.quad(
        lambda x: abs(stats.norm.cdf(x) - stats.norm.cdf(x, 1, 2)), -30, 30, points=[-1]
    )[0]
    assert gv.wasserstein_distance(p, q) == pytest.approx(w1, abs=1e-8)
    x = np.linspace(-25, 25, 20001)
    f = gv.optimal_critic(p, q, x)
    slope = np.diff(f) / np.diff(x)
    assert np.all(np.abs(slope) <= 1 + 1e-9)
    e_p = integrate.quad(lambda t: np.interp(t, x, f) * stats.norm.pdf(t), -12, 12, limit=400)[0]
    e_q = integrate.quad(
        lambda t: np.interp(t, x, f) * stats.norm.pdf(t, 1, 2), -23, 25, limit=400
    )[0]
    assert e_p - e_q == pytest.approx(w1, abs=1e-5)
    arrows = gv.sample_gradients(p, q, np.array([-3.0, 0.0, 3.0]), "wasserstein")
    np.testing.assert_array_equal(np.abs(arrows), 1.0)
    # ∂ℓ/∂x = −sign(F_g − F_data): F_g > F_data left of the crossing at −1, below it right of it
    np.testing.assert_array_equal(arrows, [-1.0, 1.0, 1.0])


# --- mode collapse -------------------------------------------------------------------------
def _js_separated(m: int, k: int) -> float:
    """Closed form JS for P_g = m of K equal, perfectly separated modes."""
    a, b = 1.0 / k, 1.0 / m
    covered = 0.5 * ((m / k) * math.log(2 * a / (a + b)) + math.log(2 * b / (a + b)))
    return covered + 0.5 * ((k - m) / k) * LOG2


@claim(
    "readme-log-k-over-m",
    "README.md",
    "KL(P_g‖P_data) = log(K/m) (well-separated modes)",
    conditions="equal, well-separated modes",
)
@claim(
    "nb04-log-k-over-m",
    "notebooks/04_mode_collapse.ipynb",
    "$$KL(P_g\\,\\|\\,P_{data}) = \\log\\frac{K}{m},$$",
    "KL(P_g‖P_data) climbs slowly as $\\log(8/m)$",
    conditions="equal, well-separated modes",
)
@claim(
    "lessons-log-k-over-m",
    "docs/lessons.md",
    "mode seeking: log(K/m) for P_g on m of K modes",
    conditions="equal, well-separated modes",
)
@claim(
    "modes-log-k-over-m",
    "ganviz/modes.py",
    "(equal weights), KL(P_g‖P_data) = log(K/m)",
    conditions="equal, well-separated modes",
)
def check_log_k_over_m():
    from ganviz.widgets.modes import modes_of

    for dim in (1, 2):
        p_data = modes_of(dim, 8, 1.5, 0.2)  # the explorer's defaults
        for m in range(1, 9):
            p_g = gv.Mixture(p_data.components[:m])
            report = mode_report(p_data, p_g)
            assert report.kl_g_data == pytest.approx(math.log(8 / m), abs=1e-3)
    # scipy: a line of 8 modes, P_g on the first 3
    centres = 1.5 * (np.arange(8) - 3.5)

    def p(x):
        return stats.norm.pdf(x[:, None], centres, 0.2).mean(axis=1)

    def q(x):
        return stats.norm.pdf(x[:, None], centres[:3], 0.2).mean(axis=1)

    def integrand(x):
        x = np.atleast_1d(x)
        return (q(x) * np.log(q(x) / p(x))).item()

    kl = integrate.quad(integrand, centres[0] - 3, centres[2] + 3, points=centres[:3], limit=200)[0]
    assert kl == pytest.approx(math.log(8 / 3), abs=1e-4)


@claim(
    "nb04-js-below",
    "notebooks/04_mode_collapse.ipynb",
    "for $P_g$ on $m$ of the $K$ modes JS stays below both KLs",
    "JS stays below $\\log 2$",
    conditions="P_g an equal mixture of m of K modes",
)
@claim(
    "lessons-js-below",
    "docs/lessons.md",
    "bounded by log 2 (what disjoint supports always give), and below both KLs for P_g on m of the "
    "K modes;",
)
@claim("plots-modes-js-below", "ganviz/plots/modes.py", "stays below both for P_g on m of K modes")
@claim("widgets-modes-js-below", "ganviz/widgets/modes.py", "JS stay below both KLs and log 2")
def check_js_below_both():
    from ganviz.widgets.modes import MAX_MODES, modes_of

    for k in range(2, MAX_MODES + 1):
        for m in range(1, k):
            js = _js_separated(m, k)
            assert 0 < js < min(math.log(k / m), LOG2)
    for dim in (1, 2):
        p_data = modes_of(dim, 8, 1.5, 0.2)
        for m in range(1, 8):
            r = mode_report(p_data, gv.Mixture(p_data.components[:m]))
            assert r.js == pytest.approx(_js_separated(m, 8), abs=2e-3)
            assert r.js < min(r.kl_g_data, r.kl_data_g, LOG2)


@claim(
    "nb04-missed-mode",
    "notebooks/04_mode_collapse.ipynb",
    "a missed mode at distance $d$ costs about $d^2/2\\sigma^2$ nats per unit of its mass",
    conditions="one mode missed, nearest covered mode at distance d ≫ σ",
)
@claim(
    "lessons-missed-mode",
    "docs/lessons.md",
    "a missed mode at distance d costs ≈ d²/2σ² nats per unit of its mass",
)
def check_missed_mode_cost():
    from ganviz.widgets.modes import modes_of

    sigma, spacing = 0.2, 1.5
    p_data = modes_of(1, 8, spacing, sigma)
    kl = mode_report(p_data, gv.Mixture(p_data.components[:7])).kl_data_g
    # closed form to leading order: the missed mode's 1/8 of mass pays d²/2σ² + log(7/8),
    # each covered mode log(7/8)
    approx = (spacing**2 / (2 * sigma**2) + math.log(7 / 8)) / 8 + (7 / 8) * math.log(7 / 8)
    assert kl == pytest.approx(approx, rel=0.01)
    # ... and the per-unit-mass cost of the missed mode is ≈ d²/2σ² (here 28.1 nats)
    assert (kl - (7 / 8) * math.log(7 / 8)) * 8 == pytest.approx(
        spacing**2 / (2 * sigma**2), rel=0.01
    )


@claim(
    "modes-doctest",
    "ganviz/modes.py",
    "ModeCoverage(modes_covered=8, high_quality=0.984)",
    "1 − e^{−9/2} ≈ 0.989 in 2-D (0.997 in 1-D): what a perfect generator scores.",
    conditions="ring of 8, radius 2, σ = 0.02, 1000 samples of the data, seed 0",
)
def check_mode_coverage_doctest():
    from scipy.spatial.distance import cdist

    ring = gv.ring_of_gaussians(8, radius=2.0, std=0.02)
    samples = ring.sample(1000, seed=0)
    centres = gv.mixture_centres(ring)
    ours = gv.mode_coverage(samples, centres, 0.02)
    assert ours.modes_covered == 8
    assert_as_quoted(ours.high_quality, "0.984")
    dist = cdist(samples, centres)
    close = dist.min(axis=1) <= 3 * 0.02
    assert_as_quoted(close.mean(), "0.984", "numpy/scipy")
    assert len(np.unique(dist[close].argmin(axis=1))) == 8
    assert_as_quoted(stats.chi2.cdf(9, df=2), "0.989", "P(χ²₂ ≤ 9)")
    assert_as_quoted(1 - math.exp(-4.5), "0.989")
    assert_as_quoted(stats.chi2.cdf(9, df=1), "0.997", "P(|Z| ≤ 3)")


# --- fitting doctest and quadrature remarks (ganviz/fitting.py, distributions.py) -------
@claim(
    "fitting-doctest",
    "ganviz/fitting.py",
    "# covers: N(0, 3.30²)",
    "# seeks: N(±4 or 0, ≈0.5²)",
    conditions="three modes N(−4|0|4, 0.5²)",
)
def check_fitting_doctest():
    data = gv.line_of_gaussians(3, spacing=4.0, std=0.5)
    closed = math.sqrt(0.25 + 32.0 / 3.0)  # moment matching: σ² + Var(centres)
    assert_as_quoted(closed, "3.30")
    fwd = fit_gaussian(data, "kl_forward").gaussian
    assert float(np.ravel(fwd.mean)[0]) == pytest.approx(0.0, abs=1e-9)
    assert_as_quoted(float(np.sqrt(np.ravel(fwd.covariance)[0])), "3.30")
    rev = fit_gaussian(data, "kl_reverse").gaussian
    assert min(abs(float(np.ravel(rev.mean)[0]) - c) for c in (-4, 0, 4)) < 0.05
    assert_as_quoted(float(np.sqrt(np.ravel(rev.covariance)[0])), "0.5")


@claim(
    "fitting-trapezoid",
    "ganviz/fitting.py",
    "the trapezoid rule converges geometrically: with spacing h = σ/1.5 the error on "
    "∫N(x; μ, σ²)·(polynomial) is about e^{-2π²σ²/h²} ≈ 1e-19",
    "to ~e^{-2π²} ≈ 3e-9 relative error",
)
@claim("gradients-switch-band", "ganviz/gradients.py", "(e^-40 ≈ 4e-18)")
@claim(
    "distributions-tail",
    "ganviz/distributions.py",
    "exp(-10**2/2) is",
    "about 2e-22, far below anything the theory functions can resolve.",
)
def check_exponentials():
    assert_as_quoted(math.exp(-2 * math.pi**2), "3e-9")
    assert_as_quoted(math.exp(-40), "4e-18")
    assert_as_quoted(math.exp(-(10**2) / 2), "2e-22")
    # the trapezoid error of ∫N(x; 0, 1) with spacing h = 1/1.5, by Poisson summation ≈
    # 2e^{−2π²σ²/h²}; measured with mpmath at 40 digits
    with mpmath.workdps(40):
        h = mpmath.mpf(1) / mpmath.mpf(1.5)
        total = h * mpmath.nsum(lambda k: mpmath.npdf(k * h), [-mpmath.inf, mpmath.inf])
        error = float(abs(total - 1))
    assert_as_quoted(error, "1e-19")
    assert error == pytest.approx(2 * math.exp(-2 * math.pi**2 * 2.25), rel=1e-6)


# --- Dirac-GAN ---------------------------------------------------------------------------
def _closed_eigenvalues(name: str, **p) -> np.ndarray:
    a, g, s = 0.5, p.get("gamma", 0.3), p.get("sigma", 1.0)
    if name in ("gan", "nonsaturating"):
        lam = [0.5j, -0.5j]
    elif name == "wgan":
        lam = [1j, -1j]
    elif name in ("gradient-penalty", "wgan-gp"):
        c = 1.0 if name == "wgan-gp" else a
        r = np.sqrt(complex(g**2 / 4 - c**2))
        lam = [-g / 2 + r, -g / 2 - r]
    elif name == "consensus":
        lam = [-g / 4 + 0.5j, -g / 4 - 0.5j]
    elif name == "instance-noise":
        r = np.sqrt(complex(s**4 / 16 - 0.25))
        lam = [-(s**2) / 4 + r, -(s**2) / 4 - r]
    return _sorted(lam)


_TABLE_PARAMS = {
    "gan": [{}],
    "nonsaturating": [{}],
    "wgan": [{}],
    "gradient-penalty": [{"gamma": 0.3}, {"gamma": 1.5}],
    "consensus": [{"gamma": 0.3}, {"gamma": 1.0}],
    "instance-noise": [{"sigma": 1.0}, {"sigma": 2.0}],
}


@claim(
    "dynamics-eigen-table",
    "docs/dynamics.md",
    "| (−ψ f′(ψθ), θ f′(ψθ)) | ±i/2 | no |",
    "| (−ψ, θ), ψ kept in [−clip, clip] | ±i | no |",
    "R1 = R2 = γψ²/2 | −γ/2 ± √(γ²/4 − ¼) | yes |",
    "| v − γ∇(½‖v‖²) on the GAN | −γ/4 ± i/2 | yes |",
    "| −σ²/4 ± √(σ⁴/16 − ¼) | yes |",
    "| −γ/2 ± √(γ²/4 − 1) one-sided",
    conditions="eigenvalues of J at (0, 0); 'converges' in continuous time",
)
@claim(
    "nb07-eigen-table",
    "notebooks/07_training_dynamics.ipynb",
    "| `gan`, `nonsaturating` | $\\pm i/2$ | no (circles) |",
    "| `gradient-penalty` | $-\\gamma/2 \\pm \\sqrt{\\gamma^2/4 - 1/4}$ | yes |",
    "| $-\\gamma/4 \\pm i/2$ | yes |",
    "| $-\\sigma^2/4 \\pm \\sqrt{\\sigma^4/16 - 1/4}$ | yes |",
    conditions="eigenvalues of J at (0, 0); 'converges' in continuous time",
)
def check_eigenvalue_table():
    for name, params in _TABLE_PARAMS.items():
        for p in params:
            closed = _closed_eigenvalues(name, **p)
            np.testing.assert_allclose(_sorted(dyn.dirac_eigenvalues(name, **p)), closed, atol=1e-9)
            own = _sorted(np.linalg.eigvals(own_jacobian(name, **p)))
            np.testing.assert_allclose(own, closed, atol=2e-5)
    # wgan-gp: one-sided Jacobian off ψ = 0 (the field jumps across it)
    for g in (0.3, 2.5):
        np.testing.assert_allclose(
            _sorted(dyn.dirac_eigenvalues("wgan-gp", gamma=g)),
            _closed_eigenvalues("wgan-gp", gamma=g),
            atol=1e-9,
        )
    v_above = dyn.dirac_vector_field("wgan-gp", 0.0, 1e-9, gamma=0.3)
    v_below = dyn.dirac_vector_field("wgan-gp", 0.0, -1e-9, gamma=0.3)
    assert v_above[1] - v_below[1] == pytest.approx(2 * 0.3, abs=1e-6)  # jump 2γg₀


@claim(
    "dynamics-constants",
    "docs/dynamics.md",
    "The unique equilibrium is (0, 0), where L = 2f(0) = −log 4. f′(0) = ½, f″(0) = −¼",
)
def check_dirac_constants():
    with mpmath.workdps(30):

        def f(t):
            return -mpmath.log(1 + mpmath.exp(-t))

        assert float(mpmath.diff(f, 0)) == dyn.F_PRIME_0 == 0.5
        assert float(mpmath.diff(f, 0, 2)) == pytest.approx(dyn.F_SECOND_0, abs=1e-25)
        assert dyn.F_SECOND_0 == -0.25
    assert dyn.dirac_value("gan", 0.0, 0.0) == pytest.approx(-LOG4, abs=1e-15)


@claim(
    "dynamics-example",
    "docs/dynamics.md",
    "# [-0.15+0.477j, -0.15-0.477j]",
    "# 1.2 = 4γ",
    conditions="γ = 0.3",
)
@claim(
    "nb07-penalty-step",
    "notebooks/07_training_dynamics.ipynb",
    "$|1 + h\\lambda|^2 = 1 - h\\gamma + h^2a^2 < 1$ exactly when $h < \\gamma / a^2 = 4\\gamma$",
    "with real part exactly $-\\gamma/2$ while $\\gamma < 2a = 1$",
    conditions="γ < 1, simultaneous steps",
)
@claim(
    "dynamics-penalty-step",
    "docs/dynamics.md",
    "With a gradient penalty (γ < 1) it converges iff h < 4γ",
)
@claim(
    "readme-re-lambda",
    "README.md",
    "gradient penalties converge (Re λ = −γ/2 for γ < 1)",
    conditions="γ < 1",
)
def check_gradient_penalty():
    lam = dyn.dirac_eigenvalues("gradient-penalty", gamma=0.3)
    for z, q in zip(lam, ("-0.15+0.477j", "-0.15-0.477j"), strict=True):
        ref = complex(q)
        assert round(z.real, 3) == ref.real and round(z.imag, 3) == ref.imag
    assert dyn.max_stable_step_size("gradient-penalty", gamma=0.3) == pytest.approx(1.2, abs=1e-12)
    for gamma in (0.05, 0.3, 0.7, 0.99):
        closed = _closed_eigenvalues("gradient-penalty", gamma=gamma)
        np.testing.assert_allclose(closed.real, -gamma / 2, atol=1e-12)
        assert dyn.max_stable_step_size("gradient-penalty", gamma=gamma) == pytest.approx(4 * gamma)
        for h, stable in ((0.98 * 4 * gamma, True), (1.02 * 4 * gamma, False)):
            own = np.abs(1 + h * closed).max() < 1
            ours = (
                np.abs(
                    dyn.dirac_update_eigenvalues("gradient-penalty", "simultaneous", h, gamma=gamma)
                ).max()
                < 1
            )
            assert own == ours == stable
    # γ above 1: real eigenvalues, one creeping back towards 0 (notebook 07, try this 4)
    slow = [dyn.dirac_eigenvalues("gradient-penalty", gamma=g).real.max() for g in (1.5, 2.0, 3.0)]
    assert all(
        np.isclose(s, _closed_eigenvalues("gradient-penalty", gamma=g).real.max())
        for s, g in zip(slow, (1.5, 2.0, 3.0), strict=True)
    )
    assert slow[0] < slow[1] < slow[2] < 0
    assert all(
        abs(z.real + g / 2) > 0.1
        for g in (1.5, 3.0)
        for z in dyn.dirac_eigenvalues("gradient-penalty", gamma=g)
    )


@claim(
    "readme-growth",
    "README.md",
    "why simultaneous gradient steps spiral out (growth √(1 + h²/4) per step near the equilibrium)",
    conditions="near (0, 0)",
)
@claim(
    "dynamics-growth",
    "docs/dynamics.md",
    "For the GAN every step near (0, 0) multiplies the distance by √(1 + h²f′(0)²)",
    "(far out by √(1 + h²f′(ψθ)²), which varies round the orbit)",
)
@claim(
    "nb07-growth",
    "notebooks/07_training_dynamics.ipynb",
    "$$|1 + h\\lambda| = \\sqrt{1 + h^2 f'(0)^2} > 1 \\quad\\text{for every } h > 0 .$$",
    "Near the equilibrium every step multiplies the distance by that factor",
    "compare it with $\\sqrt{1 + h^2/4}$ (the summary prints $\\rho$). That factor holds near "
    "$(0, 0)$",
    "(≈ 1.0013 per step over the 600 steps, against $\\rho = 1.0050$)",
    conditions="near (0, 0); the explorer's default start (1, 1), h = 0.2, 600 steps",
)
def check_simultaneous_growth():
    for h in (0.05, 0.2, 1.0):
        quoted = math.sqrt(1 + h**2 / 4)
        np.testing.assert_allclose(
            np.abs(dyn.dirac_update_eigenvalues("gan", "simultaneous", h)), quoted, rtol=1e-14
        )
        own = np.abs(np.linalg.eigvals(np.eye(2) + h * own_jacobian("gan"))).max()
        assert own == pytest.approx(quoted, rel=1e-8)
        traj = dyn.dirac_trajectory("gan", "simultaneous", steps=50, step_size=h, start=(1e-6, 0))
        r = np.linalg.norm(traj, axis=1)
        np.testing.assert_allclose(r[1:] / r[:-1], quoted, rtol=1e-7)
    assert_as_quoted(math.sqrt(1 + 0.2**2 / 4), "1.0050", "ρ at h = 0.2")
    # the default run: start (1, 1), h = 0.2, 600 steps — far from the linear regime
    traj = dyn.dirac_trajectory("gan", "simultaneous", steps=600, step_size=0.2, start=(1, 1))
    x = np.array([1.0, 1.0])
    for _ in range(600):
        x = x + 0.2 * own_field("gan", *x)
    np.testing.assert_allclose(traj[-1], x, rtol=1e-9)
    for end in (traj[-1], x):
        per_step = (np.linalg.norm(end) / math.sqrt(2)) ** (1 / 600)
        assert_as_quoted(per_step, "1.0013", "mean growth per step from (1, 1)")


@claim(
    "widget-dynamics-summary",
    "ganviz/widgets/dynamics.py",
    "&gt; 1: near (0, 0) the distance grows",
    "&lt; 1: converges, near (0, 0)",
    conditions="ρ is the spectral radius of the update linearised at (0, 0)",
)
def check_dynamics_summary():
    from ganviz.widgets import DynamicsExplorer

    explorer = DynamicsExplorer(steps=20)
    rho = np.abs(explorer.step_eigenvalues).max()
    assert rho == pytest.approx(math.sqrt(1 + 0.2**2 / 4), rel=1e-12)
    assert "ρ = 1.0050 &gt; 1: near (0, 0) the distance grows ≈0.5% per step" in (
        explorer.summary.value
    )
    explorer.set(objective="gradient-penalty", gamma=0.3)
    rho = np.abs(explorer.step_eigenvalues).max()
    assert rho**2 == pytest.approx(1 - 0.2 * 0.3 + 0.2**2 / 4, rel=1e-12)  # 1 − hγ + h²a²
    assert "converges, near (0, 0)" in explorer.summary.value


@claim(
    "nb07-alternating",
    "notebooks/07_training_dynamics.ipynb",
    "\\qquad \\det M = 1 .$$",
    "The two eigenvalues multiply to 1 and, for $ha < 2$, are complex conjugates",
    "Push $h$ above 4 ($ha > 2$): alternating steps blow up too.",
    conditions="GAN, k = 1",
)
@claim(
    "dynamics-alternating",
    "docs/dynamics.md",
    "For the GAN (k = 1) det M = 1: the iterates stay on a closed orbit (for L = ψθ exactly on "
    "θ² + ψ² − hθψ = const).",
)
def check_alternating():
    a = 0.5
    for h in (0.2, 1.0, 3.9, 4.5):
        m_own = np.array([[1, 0], [h * a, 1]]) @ np.array([[1, -h * a], [0, 1]])
        assert np.linalg.det(m_own) == pytest.approx(1.0)
        mu = dyn.dirac_update_eigenvalues("gan", "alternating", h)
        np.testing.assert_allclose(_sorted(mu), _sorted(np.linalg.eigvals(m_own)), atol=1e-12)
        if h * a < 2:
            np.testing.assert_allclose(np.abs(mu), 1.0, atol=1e-12)
            assert np.all(np.abs(mu.imag) > 0)
        else:
            assert np.abs(mu).max() > 1
    # L = ψθ (WGAN with a clip band far away): θ² + ψ² − hθψ is conserved exactly
    h = 0.3
    traj = dyn.dirac_trajectory(
        "wgan", "alternating", steps=300, step_size=h, start=(1, 0.5), clip=1e6
    )
    theta, psi = 1.0, 0.5
    for _ in range(300):
        theta = theta - h * psi
        psi = psi + h * theta
    np.testing.assert_allclose(traj[-1], [theta, psi], rtol=1e-10)
    invariant = traj[:, 0] ** 2 + traj[:, 1] ** 2 - h * traj[:, 0] * traj[:, 1]
    np.testing.assert_allclose(invariant, invariant[0], rtol=1e-10)


@claim(
    "nb07-instance-noise",
    "notebooks/07_training_dynamics.ipynb",
    "the continuous flow converges as soon as $\\sigma > 0$, at rate $\\sigma^2/4$ (for "
    "$\\sigma^2 \\le 2$)",
    "$|1 + h\\lambda|^2 = 1 - h\\sigma^2/2 + h^2/4 < 1$, i.e. $h < 2\\sigma^2$ (at $h = 0.2$: "
    "$\\sigma > 0.32$); alternating steps ($k = 1$) converge for every $\\sigma > 0$ while "
    "$h^2/4 + h\\sigma^2 < 4$.",
    conditions="instance noise σ; simultaneous: σ² ≤ 2; alternating: k = 1",
)
@claim(
    "dynamics-instance-noise",
    "docs/dynamics.md",
    "with instance noise (σ² ≤ 2) iff h < 2σ².",
)
@claim(
    "dynamics-py-instance-noise",
    "ganviz/dynamics.py",
    '— the flow converges for σ > 0; simultaneous "\n                "steps of size h need h < 2σ² '
    "(σ² ≤ 2), alternating ones h²/4 + hσ² < 4.",
)
def check_instance_noise():
    a = 0.5
    for s in (0.3, 0.7, 1.0, 1.4):
        closed = _closed_eigenvalues("instance-noise", sigma=s)
        np.testing.assert_allclose(closed.real, -(s**2) / 4, atol=1e-12)  # rate σ²/4
        assert dyn.max_stable_step_size("instance-noise", sigma=s) == pytest.approx(2 * s**2)
    assert_as_quoted(math.sqrt(0.2 / 2), "0.32", "σ threshold at h = 0.2")
    for s in (0.1, 0.3, 0.5, 1.0, 1.4, 2.0, 3.0):
        jac = np.array([[0.0, -a], [a, -(s**2) / 2]])  # hand-derived, 2σ²f″(0) = −σ²/2
        np.testing.assert_allclose(jac, own_jacobian("instance-noise", sigma=s), atol=1e-5)
        for h in (0.05, 0.2, 0.5, 1.0, 2.0, 3.5, 4.5):
            sim = np.abs(np.linalg.eigvals(np.eye(2) + h * jac)).max()
            assert sim == pytest.approx(
                np.abs(
                    dyn.dirac_update_eigenvalues("instance-noise", "simultaneous", h, sigma=s)
                ).max(),
                rel=1e-9,
                abs=1e-6,  # a defective M (h·σ² = 2) has eigenvalues ~√eps from 0
            )
            if s**2 <= 2 and abs(h - 2 * s**2) > 1e-9:
                assert (sim < 1) == (h < 2 * s**2)
                assert sim**2 == pytest.approx(1 - h * s**2 / 2 + h**2 / 4)
            m_g = np.array([[1.0, -h * a], [0.0, 1.0]])
            m_d = np.array([[1.0, 0.0], [h * a, 1 - h * s**2 / 2]])
            alt = np.abs(np.linalg.eigvals(m_d @ m_g)).max()
            assert alt == pytest.approx(
                np.abs(
                    dyn.dirac_update_eigenvalues("instance-noise", "alternating", h, sigma=s)
                ).max(),
                rel=1e-9,
                abs=1e-6,  # a defective M (h·σ² = 2) has eigenvalues ~√eps from 0
            )
            if abs(h**2 / 4 + h * s**2 - 4) > 1e-6:
                assert (alt < 1 - 1e-12) == (h**2 / 4 + h * s**2 < 4)
    # the whole nonlinear run agrees: at h = 0.2, σ = 0.2 diverges with simultaneous steps
    # and converges with alternating ones; σ = 0.5 converges either way
    for s, sim_converges in ((0.2, False), (0.5, True)):
        for method, converges in (("simultaneous", sim_converges), ("alternating", True)):
            traj = dyn.dirac_trajectory(
                "instance-noise", method, steps=1500, step_size=0.2, start=(0.05, 0.05), sigma=s
            )
            assert (np.linalg.norm(traj[-1]) < np.linalg.norm(traj[0])) == converges


# --- numbers of the trainer's prose --------------------------------------------------------
@claim(
    "nb05-wgan-gp-recipe",
    "notebooks/05_train_toy_gan.ipynb",
    "$k = 5$ critic steps per generator step, $\\lambda = 0.1$, learning rate $10^{-3}$, "
    "Adam $\\beta = (0.5, 0.9)$",
)
@claim(
    "comparison-wgan-gp-recipe",
    "ganviz/widgets/comparison.py",
    "on toys WGAN-GP with k = 5 critic steps, λ = 0.1, Adam 1e-3 → 0, β = (0.5, 0.9)",
)
def check_wgan_gp_recipe():
    pytest.importorskip("torch")
    from ganviz.widgets.comparison import recommended_settings

    recipe = recommended_settings("wgan-gp", "ring8")
    assert recipe["d_steps"] == 5 and recipe["penalty_weight"] == 0.1
    assert recipe["lr_d"] == recipe["lr_g"] == 1e-3
    assert tuple(recipe["betas"]) == (0.5, 0.9)


@claim(
    "nb05-ring8",
    "notebooks/05_train_toy_gan.ipynb",
    "eight narrow Gaussians ($\\sigma = 0.02$) on a circle of radius 2",
    "Choose **grid25** (25 modes, $\\sigma = 0.05$)",
)
@claim(
    "trainer-presets",
    "docs/trainer.md",
    "| `ring8-wgan-gp` | ring of 8 Gaussians (radius 2, σ 0.02); WGAN-GP (λ 0.1, Adam 1e-3 → 0 "
    "linearly, β = (0.5, 0.9)), 5 critic steps per generator step, 4,000 steps",
    "| `grid25-wgan-gp` | the VEEGAN/PacGAN 5×5 grid (σ 0.05), the WGAN-GP toy recipe for "
    "12,000 steps",
    "scikit-learn's 1,797 8×8 digits (bundled, offline), DCGAN-style conv pair; SN-GAN's recipe — "
    "hinge loss, spectral norm on every D layer, Adam 2e-4, β = (0.5, 0.999), k = 1 — with the "
    "learning rate decaying linearly to 0 over 5,000 steps and an averaged generator (EMA 0.999)",
)
def check_datasets_and_presets():
    pytest.importorskip("torch")
    from sklearn.datasets import load_digits

    from ganviz.train import PRESETS, TrainConfig
    from ganviz.train.data import make_dataset

    ring = make_dataset("ring8")
    np.testing.assert_allclose(np.linalg.norm(ring.centers, axis=1), 2.0, rtol=1e-12)
    assert len(ring.centers) == 8 and ring.std == 0.02
    grid = make_dataset("grid25")
    assert len(grid.centers) == 25 and grid.std == 0.05
    assert len(np.unique(grid.centers[:, 0])) == len(np.unique(grid.centers[:, 1])) == 5
    fields = PRESETS["ring8-wgan-gp"][1]
    assert (fields["dataset"], fields["loss"], fields["penalty_weight"]) == (
        "ring8",
        "wgan-gp",
        0.1,
    )
    assert (fields["lr_d"], fields["lr_g"], fields["lr_schedule"]) == (1e-3, 1e-3, "linear")
    assert tuple(fields["betas"]) == (0.5, 0.9) and fields["d_steps"] == 5
    # the preset spells out the plain command: the WGAN-GP toy recipe, its 4,000 steps too
    assert fields["steps"] == TrainConfig(dataset="ring8", loss="wgan-gp").steps == 4000
    grid_fields = PRESETS["grid25-wgan-gp"][1]
    assert (grid_fields["dataset"], grid_fields["loss"]) == ("grid25", "wgan-gp")
    assert grid_fields["steps"] == 12_000
    digits = PRESETS["digits"][1]
    assert (digits["loss"], digits["steps"], digits["lr_schedule"]) == ("hinge", 5000, "linear")
    assert digits["spectral_norm"] and digits["ema"] == 0.999 and digits["d_steps"] == 1
    assert (digits["lr_d"], digits["lr_g"], tuple(digits["betas"])) == (2e-4, 2e-4, (0.5, 0.999))
    assert load_digits().images.shape == (1797, 8, 8)


@claim(
    "nb06-class-kl",
    "notebooks/06_train_image_gan.ipynb",
    "0 for balanced classes, $\\log K$ when every sample is the same class",
    "watch *KL to uniform* climb towards $\\log 10 \\approx 2.3$",
)
@claim("trainer-class-kl", "docs/trainer.md", "(0 balanced, log 10 one class)")
def check_class_kl():
    pytest.importorskip("torch")
    from ganviz.train.metrics import class_histogram_kl

    assert class_histogram_kl(np.full(10, 7)) == pytest.approx(0.0, abs=1e-15)
    one = np.zeros(10)
    one[3] = 50
    assert class_histogram_kl(one) == pytest.approx(math.log(10), rel=1e-15)
    assert_as_quoted(math.log(10), "2.3")
    # scipy: KL(q‖u) = Σ q log(q / u)
    q = np.array([0.5, 0.2, 0.1, 0.1, 0.1, 0, 0, 0, 0, 0])
    assert class_histogram_kl(q * 10) == pytest.approx(stats.entropy(q, np.full(10, 0.1)))


# ---------------------------------------------------------------------------------------
_VERIFIED: set[Callable[[], None]] = set()


@pytest.mark.parametrize("item", CLAIMS, ids=lambda c: c.id)
def test_claim(item: Claim):
    for fragment in item.fragments:
        assert_quoted(item.file, fragment)
    if item.check not in _VERIFIED:  # a number quoted in several files is recomputed once
        item.check()
        _VERIFIED.add(item.check)


def test_claim_ids_are_unique():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))


def test_parse_quoted():
    assert parse_quoted("1.7·10⁻⁴⁹") == pytest.approx((1.7e-49, 0.05e-49))
    assert parse_quoted("6\\cdot10^{-87}") == pytest.approx((6e-87, 0.5e-87))
    assert parse_quoted("-0.3327") == pytest.approx((-0.3327, 0.00005))
    assert parse_quoted("3e-9") == pytest.approx((3e-9, 0.5e-9))


@claim(
    "nb05-helvetica",
    "notebooks/05_train_toy_gan.ipynb",
    "one\n$D$ update, then 25 $G$ updates — for the same 2,000 generator updates as a "
    "balanced 1 : 1 run",
    "With seed 0 the 25 : 1 run ends with every sample within a few hundredths of one point\n"
    "(the ring's radius is 2), on **no** mode, while the balanced run has spread over "
    "several modes",
    conditions="ring8, non-saturating loss with its recipe, seed 0, 2,000 G updates each; "
    "spread = per-axis std of 2,000 samples",
)
def check_helvetica_scenario():
    pytest.importorskip("torch")
    from ganviz.train import TrainConfig, Trainer

    results = {}
    for g_per_d in (1, 25):
        trainer = Trainer(TrainConfig(dataset="ring8", loss="nonsaturating", seed=0))
        for _ in range(2000 // g_per_d):
            trainer.d_step()
            for _ in range(g_per_d):
                trainer.g_step()
        assert trainer.step_count == 2000
        spread = trainer.sample(2000, seed=5).std(axis=0)
        results[g_per_d] = (spread, trainer.evaluate()["modes_covered"])
    spread, modes = results[25]
    assert np.all(spread < 0.05) and modes == 0  # one point, a few hundredths wide, no mode
    spread, modes = results[1]
    assert np.all(spread > 1.0) and modes >= 4  # the balanced run spreads over several modes
