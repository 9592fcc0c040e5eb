"""V(G, D*) on a gauge and the divergence table, as the theory explorers show them.

The gauge (V and 2·JS − 2·log 2) is a plotly figure, :func:`ganviz.plots.value_figure`
without its table; the table is HTML. A plotly table is redrawn whole on every
change (about 12 ms of a slider step in JupyterLab: it measures each of its 24 cells),
while the HTML of seven rows is set in well under a millisecond. The numbers are the
same :func:`ganviz.plots.value.divergence_rows` the static figure tabulates.

.. math:: V(G, D^*) = 2\\,JS(p_{data}\\|p_g) - 2\\log 2
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..plots.value import divergence_rows, update_value_figure, value_figure
from ..theory import Divergences
from ._figure import FigureWidget

__all__ = ["TABLE_HEADER", "ValuePanel", "table_html"]

#: Column headings of the divergence table.
TABLE_HEADER = ("quantity", "value", "reading")
#: The page's sync check compares the text of HTML widgets with this class to the kernel's.
SYNC_TEXT_CLASS = "ganviz-sync-text"

_CELL = "padding:2px 10px 2px 8px;border-bottom:1px solid #fff;text-align:left"
_TABLE = (
    "border-collapse:collapse;font-size:12px;line-height:1.45;"
    "font-family:'Open Sans',verdana,arial,sans-serif;color:#2a3f5f"
)


def table_html(rows: list[tuple[str, str, str]]) -> str:
    """The divergence table as an HTML ``<table>`` (header grey, rows light blue, as the
    plotly table of :func:`ganviz.plots.value_figure` draws them)."""
    head = "".join(
        f'<th style="{_CELL};background:#eeeeee;font-weight:normal">{html.escape(h)}</th>'
        for h in TABLE_HEADER
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{_CELL};background:#ebf0f8">{html.escape(c)}</td>' for c in row)
        + "</tr>"
        for row in rows
    )
    return f'<table style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class ValuePanel(widgets.HBox):
    """The gauge figure beside the HTML divergence table; :meth:`show` refreshes both.

    Attributes
    ----------
    figure : FigureWidget
        V(G, D*) on a gauge from −log 4 to 0, and 2·JS − 2·log 2 beside it.
    table : ipywidgets.HTML
        The divergence table: V, 2·JS − 2·log 2, JS, both KLs, TV and W1.
    rows : list of (quantity, value, reading)
        What the table shows now.
    """

    def __init__(self, divs: Divergences, *, w1_label: str = "W1", height: int = 260):
        self.figure = FigureWidget(value_figure(divs, height=height, table=False, width=320))
        self.rows = divergence_rows(divs, w1_label=w1_label)
        self.table = widgets.HTML(value=table_html(self.rows))
        self.table.add_class(SYNC_TEXT_CLASS)
        super().__init__(
            [self.figure, self.table],
            layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
        )

    def show(self, divs: Divergences, *, w1_label: str = "W1") -> None:
        """Show ``divs``: the table first (one small message), then the gauge."""
        self.rows = divergence_rows(divs, w1_label=w1_label)
        self.table.value = table_html(self.rows)
        update_value_figure(self.figure, divs)
