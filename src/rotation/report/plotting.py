"""Shared chart conventions and figures as plain data.

A report figure is plotly's figure JSON built directly (``{"data": [...],
"layout": {...}}``), never a ``plotly.graph_objects.Figure``: validating a
graph object costs more than everything else a section does, and the
rendered chart is the same. Arrays are written the way plotly's own
``Figure.to_dict`` writes them (numbers as base64 typed arrays, dates as ISO
strings); ``tests/report`` checks that plotly's validation leaves every report
figure unchanged.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FIGURE_CONFIG",
    "base_layout",
    "colorscale",
    "dates",
    "figure",
    "figure_html",
    "hline",
    "numbers",
    "vrect",
    "weekly",
]

#: The plotly.js config of every report chart.
FIGURE_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True}
#: plotly.js typed-array names of numpy dtypes (as ``_plotly_utils`` writes them).
_TYPED = {
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
    "float32": "f4",
    "float64": "f8",
}


def base_layout(title: str, yaxis: str, *, xaxis: str = "") -> dict[str, Any]:
    """Return the plotly layout shared by report charts (works on light and dark pages)."""
    return {
        "title": {"text": title, "x": 0.01, "font": {"size": 15}},
        "template": "plotly_white",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {
            "family": "system-ui, -apple-system, Segoe UI, sans-serif",
            "size": 12,
            "color": "#7f8c9b",
        },
        "yaxis": {"title": {"text": yaxis}, "gridcolor": "rgba(127,140,155,0.25)"},
        "xaxis": {"title": {"text": xaxis}, "gridcolor": "rgba(127,140,155,0.25)"},
        "legend": {"orientation": "h", "y": -0.18},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
        "height": 380,
        "hovermode": "x unified",
    }


def weekly(frame: pd.DataFrame | pd.Series) -> Any:
    """Last row with data of each week, labelled by its own session (never a later date).

    Keeps long daily charts light. ``resample("W-FRI")`` would label a week in
    progress with the coming Friday, a date the report does not know yet.
    """
    if len(frame) < 600:
        return frame
    # A holiday of these assets that other markets traded (e.g. 2025-07-04)
    # is an all-NaN row: the week's last session with data is the point.
    observed = (
        frame.dropna() if isinstance(frame, pd.Series) else frame.dropna(how="all")
    )
    return observed.groupby(pd.Grouper(freq="W-FRI")).tail(1)


def dates(values: Any) -> list[str]:
    """Return timestamps (a DatetimeIndex, a datetime Series, a list) as ISO strings.

    Session dates (midnight) are written as ``YYYY-MM-DD``; plotly.js reads
    them as the same instants as the longer form.
    """
    stamps = pd.DatetimeIndex(values)
    raw = stamps.to_numpy(dtype="datetime64[ns]")
    midnight = bool(len(stamps)) and bool((stamps == stamps.normalize()).all())
    return np.datetime_as_string(raw, unit="D" if midnight else "auto").tolist()


def numbers(values: Any) -> dict[str, str] | list[Any]:
    """Return numbers as a plotly.js typed array (``{"dtype", "bdata"[, "shape"]}``).

    NaN stays NaN (a gap in the line, as plotly draws a missing value).
    Integers are narrowed as plotly narrows them; an empty array stays a list.
    """
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":  # booleans too
        array = array.astype(np.float64)
    if array.size == 0:
        return []
    if array.dtype == np.int64:
        array = array.astype(_narrowest_int(int(array.min()), int(array.max())))
    if str(array.dtype) not in _TYPED:
        array = array.astype(np.float64)
    spec = {
        "dtype": _TYPED[str(array.dtype)],
        "bdata": base64.b64encode(np.ascontiguousarray(array).tobytes()).decode(),
    }
    if array.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in array.shape)
    return spec


def _narrowest_int(low: int, high: int) -> type[np.integer[Any]]:
    for kind in (np.int8, np.int16, np.int32):
        info = np.iinfo(kind)
        if info.min <= low and high <= info.max:
            return kind
    return np.int64  # plotly.js has no 64-bit typed array: written as float


def hline(
    y: float,
    *,
    line: dict[str, Any],
    annotation_text: str | None = None,
    annotation_position: str = "top right",
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Return a line across the plot at ``y`` and its label (as ``add_hline``).

    Returns
    -------
    shape, annotation : dict, dict or None
        The layout shape and, when ``annotation_text`` is given, its label
        at the left or right end (``annotation_position`` "top left" or
        "top right").
    """
    shape = {"line": line, "type": "line", "x0": 0, "x1": 1, "xref": "x domain",
             "y0": y, "y1": y, "yref": "y"}  # fmt: skip
    if annotation_text is None:
        return shape, None
    left = annotation_position == "top left"
    note = {"showarrow": False, "text": annotation_text, "x": 0 if left else 1,
            "xanchor": "left" if left else "right", "xref": "x domain", "y": y,
            "yanchor": "bottom", "yref": "y"}  # fmt: skip
    return shape, note


def vrect(
    x0: Any, x1: Any, *, fillcolor: str, opacity: float, line_width: float = 0
) -> dict[str, Any]:
    """Return a band between two dates, the plot's full height (as ``add_vrect``)."""
    start, end = dates([x0, x1])
    return {"fillcolor": fillcolor, "line": {"width": line_width},
            "opacity": opacity, "type": "rect", "x0": start, "x1": end, "xref": "x",
            "y0": 0, "y1": 1, "yref": "y domain"}  # fmt: skip


def figure(
    data: Sequence[dict[str, Any]],
    layout: dict[str, Any],
    *,
    shapes: Sequence[dict[str, Any]] = (),
    annotations: Sequence[dict[str, Any] | None] = (),
) -> dict[str, Any]:
    """Return a figure: traces, the layout (its template spelled out), shapes.

    Parameters
    ----------
    data : sequence of dict
        The traces, each with its ``type``.
    layout : dict
        A layout such as :func:`base_layout`'s; a template given by name is
        replaced by plotly's template of that name, as plotly does.
    shapes, annotations : sequence of dict
        Added to the layout's own (None annotations are skipped).
    """
    out = dict(layout)
    name = out.get("template")
    if isinstance(name, str):  # plotly writes the template first
        out = {"template": _template(name)} | {
            k: v for k, v in out.items() if k != "template"
        }
    if shapes:
        out["shapes"] = [*out.get("shapes", ()), *shapes]
    notes = [a for a in annotations if a is not None]
    if notes:
        out["annotations"] = [*out.get("annotations", ()), *notes]
    return {"data": list(data), "layout": out}


def colorscale(name: str) -> list[list[Any]]:
    """Return a named colorscale as the ``[[position, colour], ...]`` plotly writes."""
    return copy.deepcopy(_colorscale(name))  # a copy: figures may edit theirs


def _template(name: str) -> dict[str, Any]:
    return copy.deepcopy(_plotly_template(name))  # a copy, as above


@cache
def _colorscale(name: str) -> list[list[Any]]:
    import plotly.graph_objects as go

    scale = go.Heatmap(colorscale=name).to_plotly_json()["colorscale"]
    return [list(step) for step in scale]


@cache
def _plotly_template(name: str) -> dict[str, Any]:
    import plotly.io as pio

    template: dict[str, Any] = pio.templates[name].to_plotly_json()
    return template


def figure_html(spec: dict[str, Any], *, key: str) -> str:
    """Render a figure as plotly's ``<div>`` and ``Plotly.newPlot`` script.

    The same HTML as ``Figure.to_html(full_html=False,
    include_plotlyjs=False)`` (the dashboard turns the script into a JSON
    block), with a div id derived from ``key`` and the figure's content
    instead of a random one: the same figure renders to the same bytes.
    """
    import plotly.io as pio

    text = json.dumps([key, spec["data"], spec["layout"]], default=str)
    div_id = f"{key}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    html: str = pio.to_html(
        spec,
        config=dict(FIGURE_CONFIG),  # plotly edits the config it is given
        include_plotlyjs=False,
        full_html=False,
        validate=False,
        div_id=div_id,
    )
    return html
