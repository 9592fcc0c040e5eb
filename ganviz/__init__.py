"""ganviz: see the mathematics of Generative Adversarial Networks.

The core (this namespace) is numpy/scipy only: distributions in 1-D and 2-D,
the optimal discriminator, the value of the game, divergences, generator
gradients and mode coverage. Plot helpers live in :mod:`ganviz.plots`
(plotly), explorers in :mod:`ganviz.widgets` (ipywidgets) and the PyTorch
trainer in :mod:`ganviz.train`; none of them is imported here, so
``import ganviz`` stays fast and never imports torch.

>>> import ganviz as gv
>>> data, fake = gv.Gaussian(0, 1), gv.Gaussian(3, 1)
>>> gv.js_divergence(data, fake), gv.value_function(data, fake)
"""

from ._env import fast_mode
from .distributions import (
    Distribution,
    Empirical,
    Gaussian,
    Mixture,
    Uniform,
    grid_of_gaussians,
    line_of_gaussians,
    mixture_centres,
    ring_of_gaussians,
)
from .gradients import (
    GENERATOR_COSTS,
    LOSSES,
    generator_cost,
    generator_cost_gradient,
    generator_gradient,
    generator_loss,
    gradient_curves,
    sample_gradients,
)
from .grids import Grid, auto_grid, regular_grid, view_axes
from .losses import LOSS_TABLE, canonical_loss
from .modes import ModeCoverage, ModeReport, mode_counts, mode_coverage, mode_report
from .snapshot import Snapshot
from .theory import (
    Divergences,
    critic_slope,
    divergences,
    js_divergence,
    kl_divergence,
    optimal_critic,
    optimal_discriminator,
    optimal_discriminator_logit,
    total_variation,
    value_function,
    wasserstein_distance,
)

__version__ = "0.1.0"

#: Names served lazily from modules that import more of scipy than the core needs.
_LAZY = {
    "fit_gaussian": "fitting",
    "shift_sweep": "sweeps",
    "dirac_vector_field": "dynamics",
    "dirac_trajectory": "dynamics",
    "dirac_eigenvalues": "dynamics",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ganviz' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "GENERATOR_COSTS",
    "LOSSES",
    "LOSS_TABLE",
    "Distribution",
    "Divergences",
    "Empirical",
    "Gaussian",
    "Grid",
    "Mixture",
    "ModeCoverage",
    "ModeReport",
    "Snapshot",
    "Uniform",
    "__version__",
    "auto_grid",
    "canonical_loss",
    "critic_slope",
    "dirac_eigenvalues",
    "dirac_trajectory",
    "dirac_vector_field",
    "divergences",
    "fast_mode",
    "fit_gaussian",
    "generator_cost",
    "generator_cost_gradient",
    "generator_gradient",
    "generator_loss",
    "gradient_curves",
    "grid_of_gaussians",
    "js_divergence",
    "kl_divergence",
    "line_of_gaussians",
    "mixture_centres",
    "mode_counts",
    "mode_coverage",
    "mode_report",
    "optimal_critic",
    "optimal_discriminator",
    "optimal_discriminator_logit",
    "regular_grid",
    "ring_of_gaussians",
    "sample_gradients",
    "shift_sweep",
    "total_variation",
    "value_function",
    "view_axes",
    "wasserstein_distance",
]


def _jupyter_server_extension_points() -> list[dict]:
    """ganviz's Jupyter server extension: :mod:`ganviz._server` serves plotly's widget bundle
    (enabled on install by ``etc/jupyter/jupyter_server_config.d/ganviz.json``)."""
    return [{"module": "ganviz._server"}]
