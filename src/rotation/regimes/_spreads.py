"""Rotation spreads and indicator components built from a MarketData view."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rotation.indicators import rolling_average_correlation
from rotation.market import MarketData
from rotation.universe import AI_LARGE, TANGIBLE, TECH

__all__ = [
    "AI_LARGE",
    "TANGIBLE",
    "TECH",
    "basket_spread_returns",
    "fama_french_components",
    "fama_french_spread_returns",
    "rotation_components",
]


_FF_TANGIBLE = ("FF_IND_MANUF", "FF_IND_ENRGY", "FF_IND_OTHER")
_FF_TECH = ("FF_IND_HITEC",)


def _require(prices: pd.DataFrame, symbols: Sequence[str], name: str) -> None:
    missing = [s for s in symbols if s not in prices.columns]
    if missing:
        raise KeyError(
            f"{name} names symbols missing from the price panel: {missing}; "
            f"available: {', '.join(map(str, prices.columns))}"
        )


def _leg_returns(prices: pd.DataFrame, symbols: Sequence[str]) -> pd.Series:
    """Equal-weight, daily-rebalanced returns on rows where every member trades."""
    legs = prices[list(symbols)]
    observed = legs.notna().all(axis=1)
    traded = legs[observed]
    returns = traded / traded.shift(1) - 1.0
    return returns.mean(axis=1, skipna=False)


def basket_spread_returns(
    prices: pd.DataFrame,
    long: Sequence[str] = TANGIBLE,
    short: Sequence[str] = TECH,
) -> pd.Series:
    r"""Daily return of an equal-weight long basket minus a short basket.

    Parameters
    ----------
    prices : DataFrame of shape (n_sessions, n_symbols)
        Adjusted closes.
    long, short : sequence of str
        Members of the rotation leg and of the incumbent leg.

    Returns
    -------
    Series
        Named ``"spread"``, indexed by the sessions on which every member of
        both legs trades (other rows of the panel, e.g. futures-only days, are
        not sessions of this spread), starting at the second such session.

    Notes
    -----
    .. math::

        s_t = \frac{1}{|L|}\sum_{i \in L} r_{i,t}
            - \frac{1}{|S|}\sum_{j \in S} r_{j,t},

    simple returns, baskets rebalanced to equal weight every session.

    NaN handling: rows where any member has no price are dropped (not
    filled); the first row is dropped (no return).
    """
    _require(prices, [*long, *short], "long/short")
    both = prices[[*long, *short]].notna().all(axis=1)
    panel = prices[both]
    spread = _leg_returns(panel, long) - _leg_returns(panel, short)
    return spread.iloc[1:].rename("spread")


def fama_french_spread_returns(market: MarketData) -> pd.Series:
    """Fama-French industries: Manuf + Enrgy + Other (equal weight) minus HiTec.

    Parameters
    ----------
    market : MarketData
        Must hold the daily industry series ``FF_IND_MANUF``,
        ``FF_IND_ENRGY``, ``FF_IND_OTHER`` and ``FF_IND_HITEC`` (fractions).

    Returns
    -------
    Series
        Daily spread returns (fractions) named ``"spread"``, from July 1926.

    Notes
    -----
    Same formula as :func:`basket_spread_returns` on the value-weighted
    industry portfolios of the Kenneth R. French Data Library.
    NaN handling: dates missing in any industry are dropped.
    """
    frame = pd.concat(
        {key: market.series[key]["value"] for key in (*_FF_TANGIBLE, *_FF_TECH)},
        axis=1,
    ).dropna()
    spread = frame[list(_FF_TANGIBLE)].mean(axis=1) - frame[_FF_TECH[0]]
    return spread.rename("spread")


def _log_relative(long: pd.Series, short: pd.Series, window: int) -> pd.Series:
    index = np.log1p(long).cumsum() - np.log1p(short).cumsum()
    return index - index.shift(window)


def rotation_components(
    market: MarketData,
    *,
    window: int = 63,
    copper_window: int = 126,
    ai_basket: Sequence[str] = AI_LARGE,
) -> pd.DataFrame:
    r"""Compute the rotation indicators that feed the composite score.

    Parameters
    ----------
    market : MarketData
        Prices must include XLI XLB XLE XLK, IWM SPY, IWD IWF; copper is taken
        from ``HG=F``, else ``CPER``, else the monthly ``PCOPPUSDM`` series.
    window : int, default 63
        Sessions of the relative returns and of the correlation window.
    copper_window : int, default 126
        Sessions of the copper momentum.
    ai_basket : sequence of str
        Members of the AI-stock correlation basket (those present are used).

    Returns
    -------
    DataFrame of shape (n_sessions, 5)
        Columns ``tangible_vs_tech``, ``small_vs_large``, ``value_vs_growth``
        (log relative returns over ``window``), ``copper_trend`` (log change
        of copper over ``copper_window``) and ``ai_correlation`` (average
        pairwise correlation of the AI basket's daily returns over
        ``window``), indexed by ``market.sessions``.

    Notes
    -----
    .. math::

        \mathrm{rel}_t = \log\frac{I^A_t}{I^A_{t-w}}
                        - \log\frac{I^B_t}{I^B_{t-w}},

    with :math:`I` the equal-weight basket index. Copper: the first
    available of the front-month future, the CPER ETF and the IMF monthly
    price known at each session (point in time).

    NaN handling: NaN until a component has a full window; a session where a
    leg does not trade carries the last value (the value known then).
    """
    prices = market.prices
    sessions = market.sessions
    columns: dict[str, pd.Series] = {}
    pairs = {
        "tangible_vs_tech": (TANGIBLE, TECH),
        "small_vs_large": (("IWM",), ("SPY",)),
        "value_vs_growth": (("IWD",), ("IWF",)),
    }
    for name, (long, short) in pairs.items():
        if all(s in prices.columns for s in (*long, *short)):
            both = prices[[*long, *short]].notna().all(axis=1)
            panel = prices[both]
            rel = _log_relative(
                _leg_returns(panel, long).fillna(0.0),
                _leg_returns(panel, short).fillna(0.0),
                window,
            )
            columns[name] = rel.reindex(sessions).ffill()
        else:
            columns[name] = pd.Series(np.nan, index=sessions)
    columns["copper_trend"] = _copper_trend(market, copper_window)
    members = [s for s in ai_basket if s in prices.columns]
    if len(members) >= 2:
        ai = prices[members]
        observed = ai.notna().any(axis=1)
        ai_returns = ai[observed] / ai[observed].shift(1) - 1.0
        corr = rolling_average_correlation(ai_returns, window, min_assets=3)
        columns["ai_correlation"] = corr.reindex(sessions).ffill()
    else:
        columns["ai_correlation"] = pd.Series(np.nan, index=sessions)
    return pd.DataFrame(columns, index=sessions)


def _copper_trend(market: MarketData, window: int) -> pd.Series:
    sessions = market.sessions
    trend = pd.Series(np.nan, index=sessions)
    for symbol in ("HG=F", "CPER"):
        if symbol in market.prices.columns:
            price = market.prices[symbol].dropna()
            ratio = price / price.shift(window)
            change = pd.Series(np.log(ratio.to_numpy()), index=ratio.index)
            change = change.reindex(sessions).ffill()
            # A stale fill must not outlive the series: stop at its last date.
            if len(price):
                change[sessions > price.index[-1]] = np.nan
            trend = trend.fillna(change)
    if "PCOPPUSDM" in market.series:
        monthly = market.known("PCOPPUSDM")
        months = max(int(round(window / 21)), 1)
        published = monthly[monthly.ne(monthly.shift(1))].dropna()
        ratio = published / published.shift(months)
        monthly_change = pd.Series(np.log(ratio.to_numpy()), index=ratio.index)
        trend = trend.fillna(monthly_change.reindex(sessions).ffill())
    return trend.rename("copper_trend")


def fama_french_components(market: MarketData, *, window: int = 63) -> pd.DataFrame:
    r"""Rotation components from the Fama-French daily data (from 1926).

    Parameters
    ----------
    market : MarketData
        Must hold ``FF_IND_*`` (MANUF ENRGY OTHER HITEC), ``FF_SMB`` and
        ``FF_HML`` as daily fractions.
    window : int, default 63
        Trading days of each relative return.

    Returns
    -------
    DataFrame
        Columns ``tangible_vs_tech`` (industries spread), ``small_vs_large``
        (SMB) and ``value_vs_growth`` (HML): sums of daily log returns over
        ``window`` days, indexed by the Fama-French trading days.

    Notes
    -----
    .. math::

        c_t = \sum_{u=t-w+1}^{t} \log(1 + s_u).

    NaN handling: NaN for the first ``window - 1`` days; dates missing in a
    series are dropped before the rolling sum.
    """
    spread = fama_french_spread_returns(market)
    smb = market.series["FF_SMB"]["value"].dropna()
    hml = market.series["FF_HML"]["value"].dropna()
    frame = pd.concat(
        {"tangible_vs_tech": spread, "small_vs_large": smb, "value_vs_growth": hml},
        axis=1,
    ).dropna()
    logs = pd.DataFrame(
        np.log1p(frame.to_numpy()), index=frame.index, columns=frame.columns
    )
    return logs.rolling(window).sum()
