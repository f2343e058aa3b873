"""The dashboard's basket explorer: renders an Analysis's basket pair."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup, escape

from rotation.analysis import BasketPair
from rotation.report.plotting import base_layout, weekly

__all__ = ["explorer_html"]

_YEARS_SHOWN = 5


def _traces(pair: BasketPair, start: pd.Timestamp) -> list[go.Scatter]:
    rel = weekly(pair.relative_return.loc[start:])
    traces = [
        go.Scatter(
            x=rel.index,
            y=rel.to_numpy(),
            name=f"{pair.basket} relative to {pair.versus}: (1+R_a)/(1+R_b)-1 over "
            f"{pair.window} sessions",
            mode="lines",
        )
    ]
    if len(pair.correlation):
        corr = weekly(pair.correlation.loc[start:])
        traces.append(
            go.Scatter(
                x=corr.index,
                y=corr.to_numpy(),
                name=f"average pairwise correlation inside {pair.basket} "
                f"({pair.window} sessions)",
                mode="lines",
                yaxis="y2",
            )
        )
    return traces


def explorer_html(pair: BasketPair, as_of: pd.Timestamp) -> Markup:
    """Chart a :class:`BasketPair` (weekly points of the last five years).

    Returns a ``<figure>`` with the plotly chart, or a paragraph saying why not.
    """
    if pair.reason:
        return Markup("<p>") + escape(pair.reason) + Markup("</p>")
    start = as_of - pd.DateOffset(years=_YEARS_SHOWN)
    layout = base_layout(
        f"{pair.basket} versus {pair.versus}: trailing {pair.window}-session "
        "relative return",
        "relative return (fraction)",
    )
    layout["yaxis2"] = {
        "title": "average correlation",
        "overlaying": "y",
        "side": "right",
        "range": [-1, 1],
        "showgrid": False,
    }
    div = go.Figure(_traces(pair, start), layout=layout).to_html(
        full_html=False,
        include_plotlyjs=False,
        config={"displaylogo": False, "responsive": True},
    )
    caption = (
        f"Equal-weight baskets from the thesis: {pair.basket} = "
        f"{', '.join(pair.members)}; {pair.versus} = {', '.join(pair.versus_members)}. "
        f"Weekly points (each week's last session) from {start.date()} to "
        f"{as_of.date()}, adjusted closes known at each close."
    )
    return (
        Markup('<figure class="chart">')
        + Markup(div)
        + Markup("<figcaption>")
        + escape(caption)
        + Markup(" <span class='src'>Source: point-in-time store prices</span>")
        + Markup("</figcaption></figure>")
    )
