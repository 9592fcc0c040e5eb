"""Does the page show what the kernel holds? Every plot and every control, compared.

A browser test opens a notebook and runs it like a learner; this module then
asks the *same kernel* (a second client on its connection file, as
``jupyter console --existing`` does) for every live widget:

* each plotly ``FigureWidget``: its traces (type, name,
  and a summary of every data array: length, first, last, finite sum);
* each control (slider, dropdown, toggle buttons, checkbox, text): its value
  and label.

The page side finds the element that draws *that* object — a ganviz figure's
plot element carries ``data-ganviz-figure`` (its ``_figure_id``); a control is
tagged by the probe with a DOM class naming its model id (``gv-<model id>``,
through the ordinary ``add_class``) — and reads the same summary from what
plotly.js holds in ``gd.data`` and what the control displays. A plot of a plain
plotly FigureWidget must equal *some* figure of the kernel. Any difference is
a page that disagrees with the kernel.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

_PROBE = r"""
import json as _gv_json, math as _gv_math, html as _gv_html, re as _gv_re
import numpy as _gv_np
import ipywidgets as _gv_widgets
from plotly.basewidget import BaseFigureWidget as _GvFigure

def _gv_summary(value):
    if value is None:
        return None
    array = _gv_np.asarray(value)
    if array.dtype.kind in "US" or array.dtype == object:
        flat = [str(v) for v in array.ravel().tolist()]
        return {"n": len(flat), "text": flat[:3] + flat[-3:]}
    flat = array.astype(float).ravel()
    finite = flat[_gv_np.isfinite(flat)]
    return {
        "n": int(flat.size),
        "first": float(flat[0]) if flat.size else None,
        "last": float(flat[-1]) if flat.size else None,
        "sum": float(finite.sum()) if finite.size else 0.0,
        "abs": float(_gv_np.abs(finite).sum()) if finite.size else 0.0,
    }

def _gv_probe():
    figures, controls, texts = [], [], []
    for widget in list(_gv_widgets.Widget.widgets.values()):
        tag = "gv-" + widget.model_id
        if isinstance(widget, _GvFigure):
            # ganviz's FigureWidget names its plot element; plotly's own is found by content
            tag = getattr(widget, "_figure_id", None)
            traces = []
            for trace in widget.data:
                item = {"type": trace.type, "name": trace.name}
                for key in ("x", "y", "z"):
                    if key in trace and trace[key] is not None:
                        item[key] = _gv_summary(trace[key])
                if trace.type == "table":  # the words a table shows
                    for part in ("header", "cells"):
                        values = trace[part].values
                        if values is not None:
                            item[part] = _gv_summary([str(v) for col in values for v in col])
                traces.append(item)
            figures.append({"tag": tag, "traces": traces, "views": widget._view_count,
                            "title": (widget.layout.title.text or "")})
        elif isinstance(widget, _gv_widgets.HTML) and "ganviz-sync-text" in widget._dom_classes:
            # a table or readout drawn as HTML: the words it shows
            if tag not in widget._dom_classes:
                widget.add_class(tag)
            words = _gv_html.unescape(_gv_re.sub(r"<[^>]*>", " ", widget.value or ""))
            texts.append({"tag": tag, "text": "".join(words.split())})
        elif isinstance(widget, _gv_widgets.DOMWidget) and hasattr(widget, "value") and (
            isinstance(widget, (_gv_widgets.widgets.widget_float._Float,
                                _gv_widgets.widgets.widget_int._Int,
                                _gv_widgets.widgets.widget_float._FloatRange,
                                _gv_widgets.widgets.widget_int._IntRange,
                                _gv_widgets.widgets.widget_selection._Selection,
                                _gv_widgets.Checkbox, _gv_widgets.ToggleButton))
        ):
            if tag not in widget._dom_classes:
                widget.add_class(tag)
            value = widget.value
            label = getattr(widget, "label", None)
            if isinstance(value, tuple):
                value = list(value)
            elif not isinstance(value, (int, float, str, bool)) and value is not None:
                value = str(value)
            controls.append({"tag": tag, "kind": type(widget).__name__,
                             "description": widget.description, "value": value,
                             "label": label,
                             "readout": bool(getattr(widget, "readout", True))})
    return {"figures": figures, "controls": controls, "texts": texts}

print("GVPROBE" + _gv_json.dumps(_gv_probe()))
"""

_PAGE_JS = r"""
() => {
  const summary = (value) => {
    if (value === undefined || value === null) return null;
    let flat = [];
    const walk = (v) => {
      if (ArrayBuffer.isView(v) || Array.isArray(v)) { for (const e of v) walk(e); }
      else flat.push(v);
    };
    walk(value);
    if (flat.some((v) => typeof v === 'string')) {
      flat = flat.map(String);
      return { n: flat.length, text: flat.slice(0, 3).concat(flat.slice(-3)) };
    }
    const nums = flat.map((v) => (v === null ? NaN : Number(v)));
    const finite = nums.filter((v) => Number.isFinite(v));
    return {
      n: nums.length,
      first: nums.length ? nums[0] : null,
      last: nums.length ? nums[nums.length - 1] : null,
      sum: finite.reduce((a, b) => a + b, 0),
      abs: finite.reduce((a, b) => a + Math.abs(b), 0),
    };
  };
  const tagOf = (el) => {
    const holder = el.closest('[data-ganviz-figure]');
    return holder ? holder.dataset.ganvizFigure : null;
  };
  const figures = [];
  document.querySelectorAll('.js-plotly-plot').forEach((gd) => {
    if (gd.classList.contains('jp-RenderedPlotly')) return; // a static figure, no widget
    const tag = tagOf(gd);
    const traces = (gd.data || []).map((t) => {
      const item = { type: t.type || 'scatter', name: t.name };
      for (const key of ['x', 'y', 'z']) if (t[key] !== undefined) item[key] = summary(t[key]);
      if ((t.type || '') === 'table') {
        for (const part of ['header', 'cells']) {
          const values = t[part] && t[part].values;
          const words = (column) => Array.from(column).map(String);
          if (values) item[part] = summary(Array.from(values).flatMap(words));
        }
      }
      return item;
    });
    const title = gd.layout && gd.layout.title;
    figures.push({ tag, traces, title: (title && (title.text || title)) || '' });
  });
  const clean = (s) => (s == null ? s : String(s).replace(/\u00a0/g, ' ').trim());
  const controls = [];
  document.querySelectorAll('.widget-inline-hbox, .widget-hslider, .widget-vslider, ' +
                            '.widget-dropdown, .widget-toggle-buttons, .widget-checkbox, ' +
                            '.widget-toggle-button, .widget-hbox, .widget-text').forEach((el) => {
    const tag = Array.from(el.classList).find((c) => c.startsWith('gv-'));
    if (!tag) return;
    const readout = el.querySelector('.widget-readout');
    const select = el.querySelector('select');
    const active = el.querySelector('.mod-active');
    const check = el.querySelector('input[type=checkbox]');
    const input = el.querySelector('input[type=number], input[type=text]');
    controls.push({
      tag,
      readout: readout ? clean(readout.textContent) : null,
      select: select ? clean((select.selectedOptions[0] || {}).textContent) || null : null,
      active: active ? clean(active.textContent) : null,
      checked: check ? check.checked : null,
      input: input ? input.value : null,
      visible: !!(el.offsetWidth || el.offsetHeight),
    });
  });
  const texts = [];
  document.querySelectorAll('.ganviz-sync-text').forEach((el) => {
    const tag = Array.from(el.classList).find((c) => c.startsWith('gv-'));
    if (!tag) return;
    texts.push({ tag, text: (el.textContent || '').replace(/\s+/g, ''),
                 visible: !!(el.offsetWidth || el.offsetHeight) });
  });
  return { figures, controls, texts };
}
"""


class KernelProbe:
    """A second client of a running kernel, from its connection file."""

    def __init__(self, connection_file: Path):
        from jupyter_client import BlockingKernelClient

        self.client = BlockingKernelClient(connection_file=str(connection_file))
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def run(self, code: str, timeout: float = 60.0) -> str:
        """Execute ``code``; its stdout (errors raise with the traceback)."""
        chunks: list[str] = []

        def output(msg):
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                chunks.append(content["text"])
            elif kind == "error":
                raise AssertionError("\n".join(content["traceback"]))

        reply = self.client.execute_interactive(
            code, output_hook=output, timeout=timeout, store_history=False
        )
        if reply["content"]["status"] != "ok":
            raise AssertionError(f"probe failed in the kernel: {reply['content']}")
        return "".join(chunks)

    def state(self) -> dict:
        text = self.run(_PROBE)
        line = next(line for line in text.splitlines() if line.startswith("GVPROBE"))
        return json.loads(line[len("GVPROBE") :])

    def close(self) -> None:
        self.client.stop_channels()


def newest_voila_kernel(since: float, log: Path | None = None) -> Path:
    """The connection file of the kernel Voilà started last (it keeps them in a temporary
    folder of its own, ``voila_*``), written after ``since`` (a ``time.time()``).

    ``log``: the Voilà server's log, which names its folder; without it any Voilà on the
    machine counts (another test run's kernel may be newer).
    """
    import re
    import tempfile

    folder, pattern = Path(tempfile.gettempdir()), "voila_*/kernel-*.json"
    named = (
        re.search(r"Storing connection files in (\S+?)\.?$", log.read_text(), re.M) if log else None
    )
    if named:
        folder, pattern = Path(named.group(1)), "kernel-*.json"
    files = [path for path in folder.glob(pattern) if path.stat().st_mtime >= since]
    if not files:
        raise AssertionError("no connection file of a Voilà kernel found")
    return max(files, key=lambda p: p.stat().st_mtime)


def page_state(page) -> dict:
    return page.evaluate(_PAGE_JS)


def _close(a, b, rel: float = 1e-6) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)  # a gap in a line (None) on both sides
    return math.isclose(a, b, rel_tol=rel, abs_tol=rel * max(1.0, abs(a), abs(b)))


def _same_array(kernel: dict | None, page: dict | None) -> bool:
    if kernel is None or page is None:
        return kernel is None and page is None
    if kernel.get("n") != page.get("n"):
        return False
    if "text" in kernel or "text" in page:
        return kernel.get("text") == page.get("text")
    # float32 on the wire is allowed: compare to single precision
    return all(_close(kernel[k], page[k], rel=2e-6) for k in ("first", "last", "sum", "abs"))


def _numbers(text: str) -> list[float]:
    import re

    return [
        float(m) for m in re.findall(r"[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text.replace("−", "-"))
    ]


def _control_matches(kernel: dict, page: dict) -> bool:
    value = kernel["value"]
    if page["select"] is not None:
        return page["select"] == kernel["label"]
    if page["active"] is not None or kernel["kind"] == "ToggleButtons":
        return (page["active"] or None) == (kernel["label"] or None)
    if page["checked"] is not None and isinstance(value, bool):
        return page["checked"] == value
    if page["readout"] is not None and kernel["readout"]:
        shown = _numbers(page["readout"])
        wanted = value if isinstance(value, list) else [value]
        if len(shown) != len(wanted):
            return False
        # the readout rounds: allow half a unit of its last shown digit
        for text_value, want in zip(shown, wanted, strict=True):
            digits = page["readout"].split(".")[-1] if "." in page["readout"] else ""
            decimals = len(digits.split()[0].rstrip("–-")) if digits else 0
            if abs(text_value - float(want)) > 0.51 * 10 ** (-decimals) + 1e-12:
                return False
        return True
    if page["input"] is not None:
        try:
            return _close(float(page["input"]), float(value), rel=1e-6)
        except (TypeError, ValueError):
            return page["input"] == str(value)
    return True  # nothing readable shown (readout off)


def _figure_problems(label: str, want: dict, fig: dict) -> list[str]:
    problems = []
    if len(want["traces"]) != len(fig["traces"]):
        return [
            f"{label}: {len(fig['traces'])} traces on the page "
            f"{[t.get('name') for t in fig['traces']]}, {len(want['traces'])} in the kernel "
            f"{[t['name'] for t in want['traces']]}"
        ]
    for t, (k_trace, p_trace) in enumerate(zip(want["traces"], fig["traces"], strict=True)):
        if (k_trace["name"] or None) != (p_trace.get("name") or None):
            problems.append(
                f"{label} trace {t}: name {p_trace.get('name')!r} on the page, "
                f"{k_trace['name']!r} in the kernel"
            )
        for key in ("x", "y", "z", "header", "cells"):
            k_arr, p_arr = k_trace.get(key), p_trace.get(key)
            if k_arr is None and p_arr is None:
                continue
            if not _same_array(k_arr, p_arr):
                problems.append(
                    f"{label} trace {t} ({k_trace['name']!r}) {key}: page {p_arr}, kernel {k_arr}"
                )
    return problems


def compare(kernel: dict, page: dict) -> list[str]:
    """Every difference between the kernel's widgets and what the page shows.

    A plot is matched to the kernel's figure by its tag; where the page did not
    apply the tag to the plot's element (Voilà), it must equal *some* figure the
    kernel shows, else the differences from the nearest one are reported.
    """
    problems = []
    by_tag = {f["tag"]: f for f in kernel["figures"]}
    for index, fig in enumerate(page["figures"]):
        tag = fig["tag"]
        if tag is None:
            candidates = [
                (_figure_problems(f"plot {index} ({f['title']!r})", f, fig), f)
                for f in kernel["figures"]
            ]
            if not candidates:
                problems.append(f"plot {index} ({fig['title']!r}) has no figure in the kernel")
            elif not any(not found for found, _ in candidates):
                problems.extend(min(candidates, key=lambda c: len(c[0]))[0])
            continue
        want = by_tag.get(tag)
        if want is None:
            problems.append(
                f"plot {index} ({fig['title']!r}) draws a figure the kernel no longer shows"
            )
            continue
        problems.extend(_figure_problems(f"plot {index} ({want['title']!r})", want, fig))
    controls = {c["tag"]: c for c in kernel["controls"]}
    for shown in page["controls"]:
        want = controls.get(shown["tag"])
        if want is None or not shown["visible"]:
            continue
        if not _control_matches(want, shown):
            displayed = next(
                (
                    shown[k]
                    for k in ("readout", "select", "active", "input", "checked")
                    if shown[k] is not None
                ),
                None,
            )
            problems.append(
                f"control {want['description']!r} ({want['kind']}): page shows "
                f"{displayed!r}, kernel holds {want['value']!r}"
            )
    texts = {t["tag"]: t["text"] for t in kernel.get("texts", [])}
    for shown in page.get("texts", []):
        want = texts.get(shown["tag"])
        if want is not None and shown["visible"] and shown["text"] != want:
            problems.append(f"text {shown['tag']}: page shows {shown['text']!r}, kernel {want!r}")
    return problems


def check_page_matches_kernel(page, probe: KernelProbe, *, settle_ms: int = 1500, tries: int = 3):
    """Probe the kernel, let the tags reach the page, compare; retry while updates settle.

    Returns (kernel state, page state). Raises AssertionError listing every difference.
    """
    problems: list[str] = []
    kernel = page_seen = None
    for _ in range(tries):
        kernel = probe.state()
        page.wait_for_timeout(settle_ms)
        page_seen = page_state(page)
        problems = compare(kernel, page_seen)
        if not problems and kernel["figures"] and page_seen["figures"]:
            return kernel, page_seen
    n_kernel = len([f for f in kernel["figures"] if f["views"]]) if kernel else 0
    n_page = len(page_seen["figures"]) if page_seen else 0
    raise AssertionError(
        f"the page disagrees with the kernel ({n_page} plots on the page, {n_kernel} figures "
        f"with views in the kernel):\n  " + "\n  ".join(problems or ["no figure on the page"])
    )
