"""A pair of the thesis's baskets over one window: the dashboard's explorer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from rotation.indicators import (
    relative_return,
    rolling_average_correlation,
    simple_returns,
)

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis

__all__ = ["BasketPair", "compute_basket_pair"]


@dataclass(frozen=True)
class BasketPair:
    """Trailing relative return of one thesis basket over another.

    Attributes
    ----------
    basket, versus : str
        Basket names of the thesis.
    members, versus_members : tuple of str
        Their members with prices as of the analysis date.
    window : int
        Trailing window in sessions.
    relative_return : Series
        :math:`(1 + R_a)/(1 + R_b) - 1` over ``window`` sessions, equal-weight
        baskets rebalanced daily (:func:`rotation.indicators.relative_return`).
    correlation : Series
        Average pairwise correlation inside ``basket`` over ``window``
        sessions (empty with fewer than two members).
    reason : str
        Why the pair is empty, when it is.
    """

    basket: str
    versus: str
    members: tuple[str, ...]
    versus_members: tuple[str, ...]
    window: int
    relative_return: pd.Series = field(repr=False)
    correlation: pd.Series = field(repr=False)
    reason: str = ""


def compute_basket_pair(
    analysis: Analysis, basket: str, versus: str, window: int
) -> BasketPair:
    """Relative return and inner correlation of two thesis baskets, causal.

    NaN handling: dates where a basket has no member price are NaN (gaps).
    """
    prices = analysis.market.prices
    mine = tuple(m for m in analysis.thesis.members(basket) if m in prices.columns)
    theirs = tuple(m for m in analysis.thesis.members(versus) if m in prices.columns)
    empty = pd.Series(dtype="float64")
    if not mine or not theirs:
        reason = f"basket {basket!r} or {versus!r} has no member with stored prices"
        return BasketPair(basket, versus, mine, theirs, window, empty, empty, reason)
    rel = relative_return(prices[list(mine)], prices[list(theirs)], window)
    corr = empty
    if len(mine) >= 2:
        returns = simple_returns(prices[list(mine)], skip_empty_rows=True)
        corr = rolling_average_correlation(returns, window)
    return BasketPair(basket, versus, mine, theirs, window, rel, corr)
