"""The correlation part: average correlation of the baskets the thesis watches.

A basket is watched when a pillar's expression calls ``avg_corr(basket, w)``.
The numbers come from :func:`rotation.indicators.basket_average_correlation`,
the function the thesis language evaluates ``avg_corr`` with, so the latest
value here is the pillar's value, to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rotation.analysis._omitted import Omitted
from rotation.analysis._prices import priced_members, weekly_points
from rotation.indicators import (
    basket_average_correlation,
    basket_dispersion,
    basket_member_count,
    simple_returns,
)
from rotation.thesis import Call, Name, Number, Pillar, String
from rotation.thesis._ast import walk

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis

__all__ = ["BasketCorrelation", "Correlation", "avg_corr_calls", "compute_correlation"]


@dataclass(frozen=True)
class BasketCorrelation:
    """Average pairwise correlation and dispersion of one watched basket.

    Attributes
    ----------
    pillar : str
        The pillar whose expression calls ``avg_corr(basket, window)``.
    basket : str
        The basket's thesis name.
    members : tuple of str
        Its members with prices; ``missing`` those without.
    missing : tuple of str
    weights : dict or None
        The basket's weights (None: equal).
    window, dispersion_window : int
        Correlation window (the pillar's) and dispersion window (config).
    date : Timestamp or None
        Last date with a value (None: not enough history).
    value : float
        Average pairwise correlation on ``date``: the pillar's value when
        its expression is exactly ``avg_corr(basket, window)``.
    dispersion : float
        Cross-sectional dispersion of ``dispersion_window`` returns on
        ``date`` (fraction).
    members_with_data : int
        Members with a return on ``date`` (of ``len(members)``).
    past_year_high, past_year_low : float
        Extremes over the year to ``date``; ``past_year_high_date`` and
        ``past_year_low_date`` their dates.
    is_pillar_value : bool
        Whether the pillar's expression is this call alone (so ``claimed``
        and the rule bounds apply to this number).
    claimed : float or None
        The pillar's claimed value; ``claimed_text`` its text.
    rule : str
        The pillar's rule; ``thresholds`` its finite bounds (chart lines;
        empty unless ``is_pillar_value``).
    chart_start : Timestamp or None
        First date of the charts: ``correlation_chart_lookback`` values back.
    avg_corr : Series
        Weekly chart points of the correlation (``chart_start`` on).
    dispersion_series : Series
        Weekly chart points of the dispersion.
    daily : Series
        The daily correlation (left out of JSON).
    """

    pillar: str
    basket: str
    members: tuple[str, ...]
    missing: tuple[str, ...]
    weights: dict[str, float] | None
    window: int
    dispersion_window: int
    date: pd.Timestamp | None
    value: float
    dispersion: float
    members_with_data: int
    past_year_high: float
    past_year_high_date: pd.Timestamp | None
    past_year_low: float
    past_year_low_date: pd.Timestamp | None
    is_pillar_value: bool
    claimed: float | None
    claimed_text: str
    rule: str
    thresholds: tuple[float, ...]
    chart_start: pd.Timestamp | None
    avg_corr: pd.Series
    dispersion_series: pd.Series
    daily: pd.Series = field(repr=False)


@dataclass(frozen=True)
class Correlation:
    """The correlation part: one entry per ``avg_corr`` call of the pillars.

    Attributes
    ----------
    baskets : tuple of BasketCorrelation
        In pillar order.
    """

    baskets: tuple[BasketCorrelation, ...]


def avg_corr_calls(pillar: Pillar) -> list[tuple[str, int]]:
    """``(asset name, window)`` of every ``avg_corr`` call in a pillar's expression."""
    if pillar.tree is None:
        return []
    calls = []
    for node in walk(pillar.tree):
        if isinstance(node, Call) and node.func == "avg_corr":
            target, size = node.args[0], node.args[1]
            name = target.value if isinstance(target, String) else None
            name = target.id if isinstance(target, Name) else name
            if name is not None and isinstance(size, Number):
                calls.append((name, int(size.value)))
    return calls


def _past_year(
    corr: pd.Series,
) -> tuple[float, pd.Timestamp | None, float, pd.Timestamp | None]:
    if not len(corr):
        return np.nan, None, np.nan, None
    year = corr.loc[corr.index[-1] - pd.DateOffset(years=1) :]
    return (
        float(year.max()),
        pd.Timestamp(year.index[int(np.argmax(year.to_numpy()))]),
        float(year.min()),
        pd.Timestamp(year.index[int(np.argmin(year.to_numpy()))]),
    )


def _basket(
    analysis: Analysis, pillar: Pillar, basket: str, window: int
) -> BasketCorrelation:
    market, config = analysis.market, analysis.config.indicators
    members, missing, weights = priced_members(market, analysis.thesis, basket)
    prices = market.prices[list(members)]
    corr = basket_average_correlation(prices, window, weights=weights)
    disp = basket_dispersion(prices, config.dispersion_window)
    valid, disp_valid = corr.dropna(), disp.dropna()
    date = pd.Timestamp(valid.index[-1]) if len(valid) else None
    lookback = config.correlation_chart_lookback
    start = valid.index[max(0, len(valid) - lookback)] if len(valid) else None
    counts = basket_member_count(simple_returns(prices, skip_empty_rows=True))
    high, high_date, low, low_date = _past_year(valid)
    alone = isinstance(pillar.tree, Call) and pillar.tree.func == "avg_corr"
    rule = pillar.rule
    bounds = (rule.low, rule.high) if rule is not None and alone else ()
    return BasketCorrelation(
        pillar=pillar.id,
        basket=basket,
        members=members,
        missing=missing,
        weights=weights,
        window=window,
        dispersion_window=config.dispersion_window,
        date=date,
        value=float(valid.iloc[-1]) if len(valid) else np.nan,
        dispersion=float(disp_valid.iloc[-1]) if len(disp_valid) else np.nan,
        members_with_data=int(counts.loc[date]) if date is not None else 0,
        past_year_high=high,
        past_year_high_date=high_date,
        past_year_low=low,
        past_year_low_date=low_date,
        is_pillar_value=alone,
        claimed=pillar.claimed.value if pillar.claimed is not None else None,
        claimed_text=pillar.claimed.text if pillar.claimed is not None else "",
        rule=str(rule) if rule is not None else "",
        thresholds=tuple(float(b) for b in bounds if np.isfinite(b)),
        chart_start=start,
        avg_corr=weekly_points(valid.loc[start:]),
        dispersion_series=weekly_points(disp_valid.loc[start:]),
        daily=corr,
    )


def compute_correlation(analysis: Analysis) -> Correlation | Omitted:
    """Correlation of every basket a pillar reads with ``avg_corr`` (Omitted if none)."""
    thesis = analysis.thesis
    entries = []
    for pillar in thesis.pillars:
        for name, window in avg_corr_calls(pillar):
            if name in thesis.baskets:
                entries.append(_basket(analysis, pillar, name, window))
    if not entries:
        return Omitted(
            "correlation",
            "no pillar of the thesis reads avg_corr(basket, window); add one to "
            "watch how closely a basket's members move together",
        )
    return Correlation(baskets=tuple(entries))
