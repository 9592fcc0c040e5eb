"""The explorers' gauge and HTML divergence table show the core's divergences."""

from __future__ import annotations

import html
import math
import re

import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import norm

import ganviz as gv
from ganviz.plots.value import update_value_figure, value_figure
from ganviz.widgets._value_panel import SYNC_TEXT_CLASS, TABLE_HEADER, ValuePanel, table_html


def shown_cells(markup: str, tag: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", markup)]


def test_the_table_escapes_its_text_and_keeps_rows_in_order():
    markup = table_html([("a<b", "1 & 2", "x > y"), ("KL(P_g‖P_data)", "∞", "")])
    assert shown_cells(markup, "th") == list(TABLE_HEADER)
    assert shown_cells(markup, "td") == ["a<b", "1 & 2", "x > y", "KL(P_g‖P_data)", "∞", ""]
    assert "a&lt;b" in markup and "1 &amp; 2" in markup  # text, not markup


def test_the_panel_shows_the_divergences_and_follows_a_new_pair():
    data = gv.Gaussian(0, 1)
    panel = ValuePanel(gv.divergences(data, gv.Gaussian(2, 1)))
    assert SYNC_TEXT_CLASS in panel.table._dom_classes
    assert [t.name for t in panel.figure.data] == ["V(G, D*)", "2·JS − 2·log 2"]
    far = gv.Gaussian(40, 1)
    panel.show(gv.divergences(data, far), w1_label="W1 (exact)")
    rows = {q: v for q, v, _ in panel.rows}
    # independent references: the closed-form W1 of two unit Gaussians is the mean shift,
    # and JS from scipy (its jensenshannon is the square root of JS) on a fine grid
    assert float(rows["W1 (exact)"]) == pytest.approx(40.0, abs=1e-3)
    x = __import__("numpy").linspace(-10, 50, 200_001)
    js = jensenshannon(norm.pdf(x), norm.pdf(x, 40)) ** 2
    assert float(rows["JS(P_data‖P_g)"]) == pytest.approx(js, abs=1e-4)
    assert shown_cells(panel.table.value, "td")[1::3] == [v for _, v, _ in panel.rows]
    assert panel.figure.data[0].value == pytest.approx(2 * js - math.log(4), abs=1e-4)


def test_a_value_figure_without_its_table_updates_in_place():
    divs = gv.divergences(gv.Gaussian(0, 1), gv.Gaussian(1, 1))
    fig = value_figure(divs, table=False, width=300)
    assert len(fig.data) == 2 and fig.layout.width == 300
    assert list(fig.data[0].domain.x) == list(fig.data[1].domain.x) == [0.1, 0.9]
    update_value_figure(fig, gv.divergences(gv.Gaussian(0, 1), gv.Gaussian(3, 1)))
    assert fig.data[1].value == pytest.approx(
        gv.divergences(gv.Gaussian(0, 1), gv.Gaussian(3, 1)).two_js_minus_log4
    )
    assert len(value_figure(divs).data) == 3  # the static figure keeps its table
