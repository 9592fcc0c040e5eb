"""Interactive explorers (ipywidgets + plotly FigureWidgets) for JupyterLab and Voilà.

Every class here ends in ``Explorer``, can be built with no arguments and
displayed directly, and exposes ``.controls`` (name → ipywidget), its
``FigureWidget`` s and, for the theory explorers, ``.p_data`` / ``.p_g``.

Explorers are imported lazily: ``from ganviz.widgets import
OptimalDiscriminatorExplorer`` loads only that module, so the theory
explorers never import torch (only the training dashboards —
``TrainingExplorer``, ``ComparisonExplorer``, ``SeedSweepExplorer`` — do).
"""

from __future__ import annotations

import importlib

from ..plots._plotly_internals import import_renderers_without_nbformat

# before plotly's widget module imports them (through any explorer or the FigureWidget)
import_renderers_without_nbformat()

_EXPLORERS = {
    "OptimalDiscriminatorExplorer": "discriminator",
    "DivergenceExplorer": "divergences",
    "DivergenceFitExplorer": "divergence_fit",
    "VanishingGradientExplorer": "gradients",
    "ModeCollapseExplorer": "modes",
    "DynamicsExplorer": "dynamics",
    "TrainingExplorer": "training",
    "ComparisonExplorer": "comparison",
    "SeedSweepExplorer": "seeds",
}

__all__ = sorted(_EXPLORERS)


def __getattr__(name: str):
    module = _EXPLORERS.get(name)
    if module is None:
        raise AttributeError(f"module 'ganviz.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
