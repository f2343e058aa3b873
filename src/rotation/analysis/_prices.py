"""The prices part: rebased panels of the thesis universe and spread legs.

Also the small helpers the indicator parts share: the chart start, weekly
chart points and a basket's priced members.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

import numpy as np
import pandas as pd

from rotation.analysis._omitted import Omitted
from rotation.indicators import basket_index, to_weekly
from rotation.market import MarketData
from rotation.thesis import Thesis

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis

__all__ = [
    "PricePanel",
    "PricePanels",
    "chart_start",
    "compute_prices",
    "priced_members",
    "weekly_points",
]

#: Daily histories shorter than this are charted as they are.
_WEEKLY_FROM = 600
#: Decimals kept in chart points (far below what a chart can show; keeps
#: report.json small).
CHART_DECIMALS = 6


PandasT = TypeVar("PandasT", pd.Series, pd.DataFrame)


def weekly_points(values: PandasT) -> PandasT:
    """Chart points: each week's last value, labelled by its last session.

    Histories shorter than 600 rows are returned unchanged; values are rounded
    to :data:`CHART_DECIMALS` decimals. Causal (see
    :func:`rotation.indicators.to_weekly`): a week in progress is labelled by
    the latest session seen, never by a later date.
    """
    if len(values) >= _WEEKLY_FROM:
        if isinstance(values, pd.Series):
            sampled = to_weekly(values.to_frame("value"))["value"]
            sampled.name = values.name
            return cast(PandasT, sampled.round(CHART_DECIMALS))
        return cast(PandasT, to_weekly(values).round(CHART_DECIMALS))
    return values.round(CHART_DECIMALS)


def chart_start(market: MarketData, lookback: int) -> pd.Timestamp:
    """First session of a chart ``lookback`` rows back from the last one."""
    sessions = market.sessions
    if len(sessions) == 0:
        return pd.Timestamp(market.as_of)
    return pd.Timestamp(sessions[max(0, len(sessions) - lookback)])


def priced_members(
    market: MarketData, thesis: Thesis, basket: str
) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, float] | None]:
    """Members of ``basket`` with prices, those without, and their weights.

    Weights are the basket's (restricted to the priced members), ``None`` for
    equal weights.
    """
    spec = thesis.baskets[basket]
    prices = market.prices
    priced = tuple(
        m for m in spec.members if m in prices.columns and prices[m].notna().any()
    )
    missing = tuple(m for m in spec.members if m not in priced)
    weights = spec.weight_map()
    if weights is not None:
        weights = {m: weights[m] for m in priced}
    return priced, missing, weights


@dataclass(frozen=True)
class PricePanel:
    """One chart of rebased prices (100 on the panel's start).

    Attributes
    ----------
    id : str
        ``"universe"`` or the spread pair's id.
    title : str
        What the panel compares.
    lines : tuple of str
        Line names (symbols, or basket names for a spread pair).
    dashed : tuple of str
        Lines drawn dashed (the benchmark).
    last : dict of str to float
        Each line's last rebased value (100 = no change since the start).
    frame : DataFrame
        Daily rebased lines (left out of JSON; charts sample it weekly).
    """

    id: str
    title: str
    lines: tuple[str, ...]
    dashed: tuple[str, ...]
    last: dict[str, float]
    frame: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class PricePanels:
    """The prices part: the universe against its benchmark, each pair's legs.

    Attributes
    ----------
    start, end : Timestamp
        The panels' first session and the as-of date.
    panels : tuple of PricePanel
    """

    start: pd.Timestamp
    end: pd.Timestamp
    panels: tuple[PricePanel, ...]


def _rebased(prices: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """Each column divided by its first value from ``start``, times 100."""
    window = prices.loc[start:].dropna(how="all").astype("float64")
    first = window.apply(
        lambda s: (
            s.loc[s.first_valid_index()]
            if s.first_valid_index() is not None
            else np.nan
        )
    )
    return window / first * 100.0


def _last(frame: pd.DataFrame) -> dict[str, float]:
    return {
        str(c): float(frame[c].dropna().iloc[-1])
        for c in frame.columns
        if frame[c].notna().any()
    }


def _universe_panel(analysis: Analysis, start: pd.Timestamp) -> PricePanel | None:
    universe = analysis.thesis.universe
    prices = analysis.market.prices
    if universe is None or universe.benchmark not in prices.columns:
        return None
    members = [m for m in universe.members if m in prices.columns]
    frame = _rebased(prices[[*members, universe.benchmark]], start)
    return PricePanel(
        id="universe",
        title=f"Universe vs {universe.benchmark}",
        lines=tuple(str(c) for c in frame.columns),
        dashed=(universe.benchmark,),
        last=_last(frame),
        frame=frame,
    )


def _pair_panel(
    analysis: Analysis, pair_id: str, legs: tuple[str, str], start: pd.Timestamp
) -> PricePanel | None:
    market, thesis = analysis.market, analysis.thesis
    window = market.prices.loc[start:]
    lines: dict[str, pd.Series] = {}
    for basket in dict.fromkeys(legs):
        members, _, weights = priced_members(market, thesis, basket)
        if not members:
            return None
        lines[basket] = basket_index(window[list(members)], weights)
    frame = pd.DataFrame(lines).dropna(how="all")
    return PricePanel(
        id=pair_id,
        title=f"{legs[0]} vs {legs[1]}",
        lines=tuple(lines),
        dashed=(),
        last=_last(frame),
        frame=frame,
    )


def compute_prices(analysis: Analysis) -> PricePanels | Omitted:
    """Rebased panels: universe vs benchmark, then each spread pair's legs.

    Baskets are :func:`rotation.indicators.basket_index` (the basket rule of
    :func:`~rotation.indicators.basket_returns`, the thesis's weights).
    """
    thesis = analysis.thesis
    start = chart_start(analysis.market, analysis.config.indicators.chart_lookback)
    panels = [_universe_panel(analysis, start)]
    for pair in thesis.spread_pairs():
        panels.append(_pair_panel(analysis, pair.id, (pair.long, pair.short), start))
    shown = tuple(p for p in panels if p is not None)
    if not shown:
        return Omitted(
            "prices",
            "the thesis names no universe and no spread pair with priced members; "
            "add 'universe: {members: [...], benchmark: ...}' or 'spreads:'",
        )
    return PricePanels(start=start, end=analysis.as_of, panels=shown)
