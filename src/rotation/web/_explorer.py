"""The dashboard's basket explorer: relative return and correlation of a basket."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup, escape

from rotation.report.plotting import base_layout, weekly

__all__ = ["explorer_html"]

_YEARS_SHOWN = 5


def explorer_html(
    prices: pd.DataFrame,
    members: list[str],
    versus: list[str],
    basket: str,
    benchmark: str,
    window: int,
    as_of: pd.Timestamp,
) -> Markup:
    """Chart the trailing relative return of ``basket`` over ``benchmark``.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes known at ``as_of``.
    members, versus : list of str
        Stored members of the chosen basket and of the benchmark basket.
    basket, benchmark : str
        Their names (for titles).
    window : int
        Trailing window in sessions for both lines.
    as_of : Timestamp
        The last session shown.

    Returns
    -------
    Markup
        A ``<figure>`` with the plotly chart, or a paragraph saying why not.

    Notes
    -----
    Both lines come from :mod:`rotation.indicators` (equal-weight baskets);
    the chart keeps each week's last value of the last five years.

    NaN handling: dates where a basket has no value are left as gaps.
    """
    from rotation.indicators import (
        relative_return,
        rolling_average_correlation,
        simple_returns,
    )

    if not members or not versus:
        return (
            Markup("<p>")
            + escape(
                f"Basket {basket!r} or {benchmark!r} has no member with stored prices."
            )
            + Markup("</p>")
        )
    start = as_of - pd.DateOffset(years=_YEARS_SHOWN)
    rel = relative_return(prices[members], prices[versus], window)
    traces = [
        go.Scatter(
            x=weekly(rel.loc[start:]).index,
            y=weekly(rel.loc[start:]).to_numpy(),
            name=f"{basket} relative to {benchmark}: (1+R_a)/(1+R_b)-1 over {window} sessions",
            mode="lines",
        )
    ]
    if len(members) >= 2:
        corr = rolling_average_correlation(simple_returns(prices[members]), window)
        traces.append(
            go.Scatter(
                x=weekly(corr.loc[start:]).index,
                y=weekly(corr.loc[start:]).to_numpy(),
                name=f"average pairwise correlation inside {basket} ({window} sessions)",
                mode="lines",
                yaxis="y2",
            )
        )
    layout = base_layout(
        f"{basket} versus {benchmark}: trailing {window}-session relative return",
        "relative return (fraction)",
    )
    layout["yaxis2"] = {
        "title": "average correlation",
        "overlaying": "y",
        "side": "right",
        "range": [-1, 1],
        "showgrid": False,
    }
    figure = go.Figure(traces, layout=layout)
    div = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        config={"displaylogo": False, "responsive": True},
    )
    caption = (
        f"Equal-weight baskets from the thesis: {basket} = {', '.join(members)}; "
        f"{benchmark} = {', '.join(versus)}. Weekly points (each week's last session) "
        f"from {start.date()} to {as_of.date()}, adjusted closes known at each close."
    )
    return (
        Markup('<figure class="chart">')
        + Markup(div)
        + Markup("<figcaption>")
        + escape(caption)
        + Markup(" <span class='src'>Source: point-in-time store prices</span>")
        + Markup("</figcaption></figure>")
    )
