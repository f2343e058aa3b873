"""The spreads part: relative returns of the thesis's basket pairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from rotation.analysis._omitted import Omitted
from rotation.analysis._prices import chart_start, priced_members, weekly_points
from rotation.indicators import (
    basket_index,
    basket_member_count,
    relative_return,
    simple_returns,
)

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis

__all__ = ["SpreadLatest", "Spreads", "compute_spreads"]


@dataclass(frozen=True)
class SpreadLatest:
    """The latest numbers of one basket pair.

    Attributes
    ----------
    id, long, short : str
        The pair's id and its long and short baskets (thesis names).
    long_members, short_members : tuple of str
        Priced members of each basket (members without prices are left out
        and listed in ``missing``).
    long_weights, short_weights : dict or None
        The baskets' weights (None: equal).
    missing : tuple of str
        Members of either basket without prices.
    date : Timestamp or None
        Last date with a relative return.
    relative_return, long_relative_return : float
        :func:`rotation.indicators.relative_return` over the spread window and
        the long window, fractions.
    ratio_vs_start : float
        Ratio of the two baskets' indexes, 100 on the chart's start.
    long_members_priced, short_members_priced : int
        Members with a return on ``date`` ("3 of 3").
    """

    id: str
    long: str
    short: str
    long_members: tuple[str, ...]
    short_members: tuple[str, ...]
    long_weights: dict[str, float] | None
    short_weights: dict[str, float] | None
    missing: tuple[str, ...]
    date: pd.Timestamp | None
    relative_return: float
    long_relative_return: float
    ratio_vs_start: float
    long_members_priced: int
    short_members_priced: int


@dataclass(frozen=True)
class Spreads:
    """Relative returns of the thesis's basket pairs (``thesis.spread_pairs()``).

    Attributes
    ----------
    window, long_window : int
        Relative-return windows (sessions).
    start : Timestamp
        First date of the charts.
    latest : tuple of SpreadLatest
        One per pair, in the thesis's order.
    relative_return : dict of str to Series
        Pair id -> rolling ``window`` relative return, weekly chart points.
    ratio : dict of str to Series
        Pair id -> ratio of the legs' indexes (100 on ``start``), weekly.
    skipped : dict of str to str
        Pairs left out and why (a basket without priced members).
    """

    window: int
    long_window: int
    start: pd.Timestamp
    latest: tuple[SpreadLatest, ...]
    relative_return: dict[str, pd.Series]
    ratio: dict[str, pd.Series]
    skipped: dict[str, str]


def _last(series: pd.Series) -> tuple[pd.Timestamp | None, float]:
    valid = series.dropna()
    if not len(valid):
        return None, float("nan")
    return pd.Timestamp(valid.index[-1]), float(valid.iloc[-1])


def _members_on(prices: pd.DataFrame, date: pd.Timestamp | None) -> int:
    if date is None:
        return 0
    counts = basket_member_count(simple_returns(prices, skip_empty_rows=True))
    return int(counts.loc[date])


def _pair(
    analysis: Analysis, pair_id: str, long: str, short: str, start: pd.Timestamp
) -> tuple[SpreadLatest, pd.Series, pd.Series] | str:
    market, config = analysis.market, analysis.config.indicators
    a, miss_a, wa = priced_members(market, analysis.thesis, long)
    b, miss_b, wb = priced_members(market, analysis.thesis, short)
    if not a or not b:
        return f"no priced member in {long if not a else short!r}"
    pa, pb = market.prices[list(a)], market.prices[list(b)]
    rel = relative_return(pa, pb, config.spread_window, weights_a=wa, weights_b=wb)
    rel_long = relative_return(
        pa, pb, config.long_spread_window, weights_a=wa, weights_b=wb
    )
    ratio = basket_index(pa.loc[start:], wa) / basket_index(pb.loc[start:], wb) * 100
    date, value = _last(rel)
    latest = SpreadLatest(
        id=pair_id,
        long=long,
        short=short,
        long_members=a,
        short_members=b,
        long_weights=wa,
        short_weights=wb,
        missing=(*miss_a, *miss_b),
        date=date,
        relative_return=value,
        long_relative_return=_last(rel_long)[1],
        ratio_vs_start=_last(ratio)[1],
        long_members_priced=_members_on(pa, date),
        short_members_priced=_members_on(pb, date),
    )
    return latest, rel.loc[start:], ratio


def compute_spreads(analysis: Analysis) -> Spreads | Omitted:
    """Spreads of ``thesis.spread_pairs()`` (Omitted when the thesis has none).

    Each leg is the thesis basket (its priced members and weights) as a
    daily-rebalanced :func:`rotation.indicators.basket_index`.
    """
    pairs = analysis.thesis.spread_pairs()
    if not pairs:
        return Omitted(
            "spreads",
            "the thesis names no basket pairs; add 'spreads: [{id, long, short}]' "
            "or a 'core_spread'",
        )
    config = analysis.config.indicators
    start = chart_start(analysis.market, config.chart_lookback)
    latest, rel, ratio, skipped = [], {}, {}, {}
    for pair in pairs:
        out = _pair(analysis, pair.id, pair.long, pair.short, start)
        if isinstance(out, str):
            skipped[pair.id] = out
            continue
        latest.append(out[0])
        rel[pair.id], ratio[pair.id] = out[1], out[2]
    if not latest:
        return Omitted("spreads", "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    rel_weekly = weekly_points(pd.DataFrame(rel))
    ratio_weekly = weekly_points(pd.DataFrame(ratio))
    return Spreads(
        window=config.spread_window,
        long_window=config.long_spread_window,
        start=start,
        latest=tuple(latest),
        relative_return={k: rel_weekly[k] for k in rel},
        ratio={k: ratio_weekly[k] for k in ratio},
        skipped=skipped,
    )
