"""plotly's private API is reached through one door, ganviz.plots._plotly_internals.

A plotly release that renames a private name ganviz relies on must fail here,
naming the name, rather than on a learner's page; and no other module may
grow a private access of its own.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import re

import plotly.basedatatypes
import plotly.basewidget
import plotly.graph_objects as go
import plotly.subplots
import pytest

import ganviz
from ganviz.plots import _plotly_internals as door
from ganviz.widgets._figure import FigureWidget

PACKAGE = pathlib.Path(ganviz.__file__).parent
DOOR = pathlib.Path(door.__file__)
PLOTLY_CLASSES = (
    plotly.basedatatypes.BaseFigure,
    plotly.basedatatypes.BasePlotlyType,
    plotly.basedatatypes.BaseLayoutType,
    plotly.basedatatypes.BaseTraceType,
    plotly.basewidget.BaseFigureWidget,
    go.Figure,
    go.FigureWidget,
    go.Scatter,
    go.Layout,
)
PLOTLY_MODULES = (plotly.basedatatypes, plotly.basewidget, plotly.subplots)


def plotly_private_names() -> set[str]:
    """Every ``_name`` (not ``__dunder__``) of plotly's figure, trace and widget classes."""
    names = set()
    for owner in (*PLOTLY_CLASSES, *PLOTLY_MODULES):
        names.update(vars(owner) if inspect.ismodule(owner) else dir(owner))
    names.update(go.FigureWidget.class_trait_names())
    names.update(vars(go.Figure()))  # instance attributes set in __init__
    names.update(vars(go.Scatter()))
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


PRIVATE = plotly_private_names()
#: the JavaScript names of plotly's page-side views and kernel messages
JS_PRIVATE = re.compile(r"\b(_py2js_\w+|_js2py_\w+|_sendTraceDeltas|_sendLayoutDelta)\b")


def _plotly_class(node: ast.ClassDef) -> bool:
    """True for a class that derives from a plotly figure (its self._x may be plotly's)."""
    return any(
        "Figure" in ast.unparse(base) or "figure_widget" in ast.unparse(base) for base in node.bases
    )


def violations(source: str, private: set[str] = PRIVATE) -> list[str]:
    """Private plotly names used in ``source``: ``x._name`` (``self._name`` in a plotly
    subclass), an override ``def _name`` in such a class, an import of one, or a
    front-end name inside a string."""
    found = []
    tree = ast.parse(source)
    plotly_selves: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and _plotly_class(node):
            for inner in ast.walk(node):
                plotly_selves.add(id(inner))
                if isinstance(inner, ast.FunctionDef) and inner.name in private:
                    found.append(f"line {inner.lineno}: overrides {inner.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in private:
            receiver = node.value
            is_self = isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")
            if not is_self or id(node) in plotly_selves:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("plotly"):
            found += [
                f"line {node.lineno}: imports {a.name}"
                for a in node.names
                if a.name.startswith("_")
            ]
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("getattr", "hasattr"):
            name = node.args[1] if len(node.args) > 1 else None
            if isinstance(name, ast.Constant) and name.value in private:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [f"line {node.lineno}: {m}" for m in JS_PRIVATE.findall(node.value)]
    return found


def test_the_checker_finds_each_kind_of_private_access():
    snippets = {
        "fig._data": 1,
        "trace._props.get('x')": 1,
        "from plotly.basedatatypes import _len_dict_item": 1,
        "hasattr(fig, '_layout_obj')": 1,
        "JS = 'model.set(\"_js2py_traceDeltas\", x)'": 1,
        "class F(go.FigureWidget):\n    def _send_update_msg(self):\n        self._data\n": 2,
        # ganviz's own privates on ganviz objects are not plotly's
        "class E:\n    def _layout(self):\n        return self._data\n": 0,
        "explorer = 1\nexplorer.controls": 0,
    }
    for snippet, expected in snippets.items():
        assert len(violations(snippet)) == expected, (snippet, violations(snippet))


def test_no_module_but_the_door_touches_a_private_plotly_name():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == DOOR:
            continue
        found = violations(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(PACKAGE))] = found
    assert not offenders, (
        "private plotly names used outside ganviz/plots/_plotly_internals.py (add a named "
        f"function there and call it): {offenders}"
    )


def test_the_door_declares_every_private_name_it_uses():
    declared = {name for names in door.PRIVATE_NAMES.values() for name in names}
    used = set()
    source = DOOR.read_text(encoding="utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE:
            used.add(node.attr)
        if isinstance(node, ast.FunctionDef) and node.name in PRIVATE:
            used.add(node.name)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in PRIVATE:
                used.add(node.value)
            used.update(m for m in JS_PRIVATE.findall(node.value) if not m.startswith("_py2js_"))
    undeclared = used - declared
    assert not undeclared, f"declare these in PRIVATE_NAMES: {sorted(undeclared)}"


def test_every_private_name_the_door_uses_still_exists_in_this_plotly():
    """Fails on a plotly upgrade that renames one, saying which and where it was expected."""
    fig = go.Figure(go.Scatter(x=[0.0], y=[1.0]))
    widget = FigureWidget(fig)
    owners = {
        "trace": fig.data[0],
        "figure": fig,
        "layout": fig.layout,
        "widget": widget,
    }
    missing = []
    for kind, owner in owners.items():
        for name in door.PRIVATE_NAMES[kind]:
            if not hasattr(owner, name):
                missing.append(f"{type(owner).__name__}.{name}")
    bundle_file = door.widget_bundle_path()
    if not bundle_file.is_file():  # where plotly ships its widget front end, served by ganviz
        missing.append(f"plotly's widget bundle at {bundle_file}")
    bundle = bundle_file.read_text(encoding="utf-8") if bundle_file.is_file() else ""
    # the page-side patch replaces these methods of the exported FigureView class
    if not re.search(r"\bas FigureView\b", bundle):
        missing.append("FigureView export of plotly's widget bundle")
    for name in door.PRIVATE_NAMES["front end"]:
        if f"{name}(" not in bundle:
            missing.append(f"FigureView.{name} (JavaScript)")
    for dotted in door.PRIVATE_NAMES["renderers"]:
        module, _, attribute = dotted.rpartition(".")
        if not hasattr(importlib.import_module(module), attribute):
            missing.append(dotted)
    messages = door.kernel_messages()
    for expected in ("_py2js_restyle", "_py2js_relayout", "_py2js_update", "_py2js_addTraces"):
        if expected not in messages:
            missing.append(f"BaseFigureWidget.{expected}")
    assert not missing, (
        f"plotly {plotly.__version__} lacks private names ganviz's adapter "
        f"(ganviz/plots/_plotly_internals.py) relies on: {missing}. Adapt the adapter to the "
        "new names, then widen the pin in pyproject.toml."
    )
    # the values behind the names are what the adapter expects
    assert door.trace_props(fig.data[0])["x"] is not None
    assert door.trace_index(fig.data[0]) == 0 and door.trace_figure(fig.data[0]) is fig
    assert isinstance(door.layout_props(fig), dict)
    params = list(inspect.signature(plotly.basewidget.BaseFigureWidget._send_update_msg).parameters)
    assert params == ["self", "restyle_data", "relayout_data", "trace_indexes", "source_view_id"]
    for trait in ("_js2py_traceDeltas", "_js2py_layoutDelta"):
        handler = getattr(plotly.basewidget.BaseFigureWidget, f"_handler{trait}")
        assert trait in handler.trait_names  # plotly's handler observes that trait
    from plotly.basedatatypes import Undefined  # noqa: F401  (the per-trace placeholder)


@pytest.mark.parametrize("kind", ["trace", "layout"])
def test_the_hooks_replace_plotlys_handlers_on_the_widget(kind):
    widget = FigureWidget(go.Figure(go.Scatter(x=[0.0], y=[1.0])))
    trait = "_js2py_traceDeltas" if kind == "trace" else "_js2py_layoutDelta"
    setattr(widget, f"_{kind}_edit_in_process", True)
    edit_id = getattr(widget, f"_last_{kind}_edit_id")
    deltas = {"trace_deltas": [{"x": [0.0]}]} if kind == "trace" else {"layout_delta": {}}
    setattr(widget, trait, {f"{kind}_edit_id": edit_id, **deltas})
    assert getattr(widget, f"_{kind}_edit_in_process") is False
    assert getattr(widget, trait) is None  # the message was consumed
    assert list(widget.data[0].x) == [0.0]  # nothing was moved to the defaults
