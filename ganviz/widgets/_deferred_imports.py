"""Keep plotly's widget import from importing nbformat, which a FigureWidget never uses.

``plotly.basewidget`` imports ``plotly.io._renderers``, which imports
``nbformat`` at once (for its notebook renderer's version check). ``nbformat``
imports ``jsonschema``, whose format checkers import ``rfc3987_syntax``, which
compiles a Lark grammar at import: 1.5 s on an idle 2-core machine and 5 s
under load, in every kernel, before the first figure can be drawn.

:func:`import_renderers_without_nbformat` imports plotly's renderers with
``nbformat`` hidden, then gives them a stand-in that imports ``nbformat`` on
first use, so a static figure's ``fig.show()`` still works and pays the import
only then. This touches two private plotly names (``plotly.io._renderers.nbformat``
and ``_plotly_utils.optional_imports._not_importable``); tests/widgets/
test_deferred_imports.py fails loudly if a plotly release renames them.
"""

from __future__ import annotations

import importlib
import sys

RENDERERS = "plotly.io._renderers"


class ImportOnUse:
    """A module stand-in that imports the real module on the first attribute access."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<{self._name}, imported on first use>"


def import_renderers_without_nbformat() -> None:
    """Import plotly's renderers with ``nbformat`` deferred to its first use.

    Does nothing when the renderers (or ``nbformat``) are already imported:
    then there is nothing left to save.
    """
    if RENDERERS in sys.modules or "nbformat" in sys.modules:
        return
    if importlib.util.find_spec("nbformat") is None:
        return  # not installed: plotly handles its absence itself
    from _plotly_utils import optional_imports

    sys.modules["nbformat"] = None  # makes `import nbformat` raise ImportError
    try:
        renderers = importlib.import_module(RENDERERS)
    finally:
        del sys.modules["nbformat"]
        optional_imports._not_importable.discard("nbformat")
    renderers.nbformat = ImportOnUse("nbformat")
