"""Shared chart conventions: one layout, weekly downsampling for long histories."""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["base_layout", "weekly"]


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
        "yaxis": {"title": yaxis, "gridcolor": "rgba(127,140,155,0.25)"},
        "xaxis": {"title": xaxis, "gridcolor": "rgba(127,140,155,0.25)"},
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
