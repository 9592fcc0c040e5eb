"""Plot helpers: data or distributions in, a ``plotly.graph_objects.Figure`` out.

In the spirit of plotly express: no display, no widgets, no torch; keyword
arguments for what a user tunes, one colour language throughout
(:mod:`ganviz.plots.style`: P_data blue, P_g orange, D green). Each figure
has an ``update_*`` companion that refreshes it in place, which is how the
explorers follow a slider.

=========================  =====================================================
module                     figures
=========================  =====================================================
:mod:`.density`            1-D densities with D*(x); the WGAN critic beside D*
:mod:`.value`              V(G, D*) gauge, divergence table, divergences vs shift
:mod:`.field`              2-D D heatmap, samples, −∂ℓ/∂x arrows (theory or trainer)
:mod:`.gradients`          cost vs D(G(z)), |gradient| vs separation, 1-D arrows
:mod:`.modes`              mode collapse: densities/samples and JS, both KLs, coverage
:mod:`.divergence_fit`     one Gaussian fitted by each GAN divergence; (μ, σ) landscapes
:mod:`.dynamics`           Dirac-GAN vector field, trajectory, eigenvalues
:mod:`.training`           trainer runs: losses, metrics, samples over time, images
=========================  =====================================================

Several figures share one figure (one FigureWidget) as bands of a
:func:`stacked_figure`: ``fig = stacked_figure(rows=2)``, then each builder
with ``fig=fig, row=…`` draws into its band, and its ``update_*`` companion
with the same ``row=`` refreshes it.
"""

from __future__ import annotations

from . import style
from ._compose import stacked_figure
from .density import critic_plot, density_plot, update_density_plot
from .divergence_fit import divergence_fit_figure, update_divergence_fit_figure
from .dynamics import (
    distance_figure,
    dynamics_figure,
    eigenvalue_figure,
    update_distance_figure,
    update_eigenvalue_figure,
    update_vector_field_figure,
    vector_field_figure,
)
from .field import (
    FIELD_TRACES,
    discriminator_field,
    snapshot_figure,
    theory_field,
    update_discriminator_field,
)
from .gradients import (
    generator_loss_figure,
    sample_arrows_figure,
    update_generator_loss_figure,
    update_sample_arrows_figure,
    update_vanishing_gradient_figure,
    vanishing_gradient_figure,
)
from .modes import (
    mode_collapse_figure,
    mode_metrics_figure,
    update_mode_collapse_figure,
    update_mode_metrics_figure,
)
from .training import (
    class_histogram,
    coverage_chart,
    image_grid,
    image_mosaic,
    loss_curves,
    metric_curves,
    mode_occupancy,
    samples_over_time,
)
from .value import sweep_figure, update_sweep_figure, update_value_figure, value_figure

__all__ = [
    "FIELD_TRACES",
    "class_histogram",
    "coverage_chart",
    "critic_plot",
    "density_plot",
    "discriminator_field",
    "distance_figure",
    "divergence_fit_figure",
    "dynamics_figure",
    "eigenvalue_figure",
    "generator_loss_figure",
    "image_grid",
    "image_mosaic",
    "loss_curves",
    "metric_curves",
    "mode_collapse_figure",
    "mode_metrics_figure",
    "mode_occupancy",
    "sample_arrows_figure",
    "samples_over_time",
    "snapshot_figure",
    "stacked_figure",
    "style",
    "sweep_figure",
    "theory_field",
    "update_density_plot",
    "update_discriminator_field",
    "update_distance_figure",
    "update_divergence_fit_figure",
    "update_eigenvalue_figure",
    "update_generator_loss_figure",
    "update_mode_collapse_figure",
    "update_mode_metrics_figure",
    "update_sample_arrows_figure",
    "update_sweep_figure",
    "update_value_figure",
    "update_vanishing_gradient_figure",
    "update_vector_field_figure",
    "value_figure",
    "vanishing_gradient_figure",
    "vector_field_figure",
]
