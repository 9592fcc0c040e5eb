"""plotly's 5 MB front end is never part of a widget's state: the kernel sends it on request.

The reference for the bundle is plotly's own file, read from plotly's package here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import pathlib

import plotly
import plotly.graph_objects as go
import pytest
from ipywidgets.widgets.widget import _remove_buffers

from ganviz.widgets._figure import FigureWidget, PlotlyLibrary, plotly_library

PLOTLY_BUNDLE = pathlib.Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"


def state_size(widget) -> int:
    """Bytes of the state a page receives for ``widget`` (JSON plus binary buffers)."""
    state, _, buffers = _remove_buffers(widget.get_state())
    return len(json.dumps(state)) + sum(len(b) for b in buffers)


@pytest.fixture
def library(monkeypatch) -> tuple[PlotlyLibrary, list]:
    """A library model whose messages to the page are recorded as (content, buffers)."""
    library = PlotlyLibrary()
    sent = []
    monkeypatch.setattr(
        library, "send", lambda content, buffers=None: sent.append((content, buffers))
    )
    return library, sent


def page_asks(library: PlotlyLibrary, content) -> None:
    """A custom message from the page, as ipywidgets delivers it to the kernel's model."""
    library._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def test_every_figure_refers_to_one_small_library_model():
    first = FigureWidget(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
    second = FigureWidget(go.Figure())
    assert first._plotly_library is second._plotly_library is plotly_library()
    digest = hashlib.sha256(PLOTLY_BUNDLE.read_bytes()).hexdigest()[:16]
    state = plotly_library().get_state()
    assert state["digest"] == digest
    assert state["static_path"] == f"ganviz/static/plotly-widget-{digest}.js"
    # neither model carries the bundle (5 MB): a page that reopens the notebook gets states only
    assert state_size(plotly_library()) < 2_000
    assert state_size(first) < 50_000


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_the_kernel_answers_a_request_with_the_bundle(library, encoding):
    library, sent = library
    page_asks(library, {"request": "bundle", "encoding": encoding})
    [(content, buffers)] = sent
    assert content == {"bundle": library.digest, "encoding": encoding}
    [buffer] = buffers
    received = gzip.decompress(buffer) if encoding == "gzip" else bytes(buffer)
    assert received == PLOTLY_BUNDLE.read_bytes()
    if encoding == "gzip":
        assert len(buffer) < PLOTLY_BUNDLE.stat().st_size / 2


def test_an_unknown_encoding_gets_the_plain_bundle(library):
    library, sent = library
    page_asks(library, {"request": "bundle", "encoding": "br"})
    [(content, buffers)] = sent
    assert content["encoding"] == "identity"
    assert bytes(buffers[0]) == PLOTLY_BUNDLE.read_bytes()


@pytest.mark.parametrize("content", [{"request": "something else"}, {}, "bundle", None])
def test_other_messages_get_no_answer(library, content):
    library, sent = library
    page_asks(library, content)
    assert sent == []
