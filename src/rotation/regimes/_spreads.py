"""Rotation spreads and indicator components built from a MarketData view."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from rotation.indicators import (
    basket_average_correlation,
    basket_returns,
    simple_returns,
)
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


def _leg_returns(
    prices: pd.DataFrame,
    symbols: Sequence[str],
    weights: Mapping[str, float] | None = None,
) -> pd.Series:
    """Basket returns of one leg on rows where every member trades.

    The returns span the rows dropped in between (a member's gap is not a
    lost move); on the rows kept every member has a return, so the one
    basket rule (:func:`rotation.indicators.basket_returns`) applies with
    all members present.
    """
    legs = prices[list(symbols)]
    traded = legs[legs.notna().all(axis=1)]
    return basket_returns(simple_returns(traded), weights)


def basket_spread_returns(
    prices: pd.DataFrame,
    long: Sequence[str] = TANGIBLE,
    short: Sequence[str] = TECH,
    *,
    long_weights: Mapping[str, float] | None = None,
    short_weights: Mapping[str, float] | None = None,
) -> pd.Series:
    r"""Daily return of a long basket minus a short basket.

    Parameters
    ----------
    prices : DataFrame of shape (n_sessions, n_symbols)
        Adjusted closes.
    long, short : sequence of str
        Members of the long leg and of the short leg.
    long_weights, short_weights : mapping of str to float, optional
        Member weights of each leg (a thesis basket's ``weights``); ``None``:
        equal weights.

    Returns
    -------
    Series
        Named ``"spread"``, indexed by the sessions on which every member of
        both legs trades (other rows of the panel, e.g. futures-only days, are
        not sessions of this spread), starting at the second such session.

    Notes
    -----
    .. math::

        s_t = R^L_t - R^S_t, \qquad
        R^X_t = \frac{\sum_{i \in X} w_i r_{i,t}}{\sum_{i \in X} w_i},

    simple returns between consecutive sessions of the spread, each leg a
    :func:`rotation.indicators.basket_returns` basket rebalanced every
    session.

    NaN handling: a spread session is a row on which every member of both
    legs has a price; other rows are dropped (not filled), and the return of
    the next session spans them. This is stricter than the basket rule of
    :func:`~rotation.indicators.basket_returns` (which renormalises over the
    members present) on purpose: the regime model reads this series as one
    fixed long/short position, so its composition must not change from day
    to day (e.g. before a member lists). On the rows kept the two rules give
    the same number. The first row is dropped (no return).
    """
    _require(prices, [*long, *short], "long/short")
    both = prices[[*long, *short]].notna().all(axis=1)
    panel = prices[both]
    spread = _leg_returns(panel, long, long_weights) - _leg_returns(
        panel, short, short_weights
    )
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


#: The Great Rotation's score components, kept as the defaults of
#: :func:`rotation_components` for ``scripts/validate_regimes.py`` (the
#: validation on the record); the analysis always passes the thesis's own.
_VALIDATION_PAIRS: Mapping[str, tuple[Sequence[str], Sequence[str]]] = {
    "tangible_vs_tech": (TANGIBLE, TECH),
    "small_vs_large": (("IWM",), ("SPY",)),
    "value_vs_growth": (("IWD",), ("IWF",)),
}
_VALIDATION_CORRELATION: Mapping[str, Sequence[str]] = {"ai_correlation": AI_LARGE}

#: A correlation basket: its members, or its member weights.
CorrelationBasket = Sequence[str] | Mapping[str, float]


def rotation_components(
    market: MarketData,
    *,
    pairs: Mapping[str, tuple[Sequence[str], Sequence[str]]] | None = None,
    window: int = 63,
    copper_window: int | None = 126,
    correlation_baskets: Mapping[str, CorrelationBasket] | None = None,
    correlation_window: int | None = None,
    correlation_min_assets: int = 3,
) -> pd.DataFrame:
    r"""Compute the indicators that feed the composite rotation score.

    Which components a thesis gets (see ``rotation.analysis`` regimes part):
    its core spread and its ``spreads`` pairs (``pairs``), the basket of its
    ``avg_corr(basket, w)`` pillar (``correlation_baskets``, window ``w``)
    and copper when it lists the ``copper`` panel (``copper_window``).

    Parameters
    ----------
    market : MarketData
        Point-in-time data; copper is taken from ``HG=F``, else ``CPER``,
        else the monthly ``PCOPPUSDM`` series.
    pairs : mapping of str to (long, short), optional
        Component name -> the members of its long and short legs. ``None``:
        the Great Rotation's pairs (tangible XLI XLB XLE vs tech XLK, IWM vs
        SPY, IWD vs IWF), which ``scripts/validate_regimes.py`` validates.
    window : int, default 63
        Sessions of the relative returns.
    copper_window : int or None, default 126
        Sessions of the copper momentum; ``None``: no copper component.
    correlation_baskets : mapping of str to members or weights, optional
        Component name -> a basket whose average pairwise correlation is a
        component. ``None``: ``{"ai_correlation": AI_LARGE}`` (validation).
    correlation_window : int, optional
        Window of the correlations (default ``window``).
    correlation_min_assets : int, default 3
        Fewest members with a full window for a correlation value (one pair
        alone is too noisy to score).

    Returns
    -------
    DataFrame of shape (n_sessions, n_components)
        One column per pair (log relative return over ``window``), then
        ``copper_trend`` (log change of copper over ``copper_window``), then
        one column per correlation basket, indexed by ``market.sessions``.

    Notes
    -----
    .. math::

        \mathrm{rel}_t = \log\frac{I^A_t}{I^A_{t-w}}
                        - \log\frac{I^B_t}{I^B_{t-w}},

    with :math:`I` the equal-weight basket index. Copper: the first
    available of the front-month future, the CPER ETF and the IMF monthly
    price known at each session (point in time). Correlations:
    :func:`rotation.indicators.basket_average_correlation`, the path of the
    thesis language's ``avg_corr``.

    NaN handling: NaN until a component has a full window; a pair with a
    member missing from the panel, or a basket with fewer than two members
    in it, is an all-NaN column; a session where a leg does not trade carries
    the last value (the value known then).
    """
    prices = market.prices
    sessions = market.sessions
    columns: dict[str, pd.Series] = {}
    for name, (long, short) in (_VALIDATION_PAIRS if pairs is None else pairs).items():
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
    if copper_window is not None:
        columns["copper_trend"] = _copper_trend(market, copper_window)
    baskets = (
        _VALIDATION_CORRELATION if correlation_baskets is None else correlation_baskets
    )
    for name, basket in baskets.items():
        columns[name] = _basket_correlation(
            market, basket, correlation_window or window, correlation_min_assets
        )
    return pd.DataFrame(columns, index=sessions)


def _basket_correlation(
    market: MarketData, basket: CorrelationBasket, window: int, min_assets: int
) -> pd.Series:
    weights = dict(basket) if isinstance(basket, Mapping) else None
    members = [s for s in basket if s in market.prices.columns]
    if len(members) < min_assets:
        return pd.Series(np.nan, index=market.sessions)
    if weights is not None:
        weights = {s: weights[s] for s in members}
    corr = basket_average_correlation(
        market.prices[members], window, weights=weights, min_assets=min_assets
    )
    return corr.reindex(market.sessions).ffill()


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


def fama_french_components(
    market: MarketData,
    *,
    window: int = 63,
    long: Sequence[str] | None = None,
    short: Sequence[str] | None = None,
    factors: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    r"""Rotation components from the Fama-French daily data (from 1926).

    The thesis part each needs: the industries spread is the core spread's
    analogue, the legs of a thesis's ``event_study.fama_french`` proxy
    (``FF_IND_*`` series); SMB and HML are market-wide factors, the analogues
    of small-vs-large and value-vs-growth ``spreads`` pairs.

    Parameters
    ----------
    market : MarketData
        Must hold the ``FF_IND_*`` series of both legs and the ``factors``
        series as daily fractions.
    window : int, default 63
        Trading days of each relative return.
    long, short : sequence of str, optional
        ``FF_IND_*`` series of the spread's legs (equal weight). ``None``:
        Manuf + Enrgy + Other minus HiTec (:func:`fama_french_spread_returns`).
    factors : mapping of str to str, optional
        Component name -> a daily factor series. ``None``:
        ``{"small_vs_large": "FF_SMB", "value_vs_growth": "FF_HML"}``.

    Returns
    -------
    DataFrame
        Columns ``tangible_vs_tech`` (industries spread) and one per factor:
        sums of daily log returns over ``window`` days, indexed by the
        Fama-French trading days.

    Notes
    -----
    .. math::

        c_t = \sum_{u=t-w+1}^{t} \log(1 + s_u).

    NaN handling: NaN for the first ``window - 1`` days; dates missing in a
    series are dropped before the rolling sum.
    """
    if long is None and short is None:
        spread = fama_french_spread_returns(market)
    elif long and short:
        legs = {key: market.series[key]["value"] for key in (*long, *short)}
        industries = pd.concat(legs, axis=1).dropna()
        spread = industries[list(long)].mean(axis=1) - industries[list(short)].mean(
            axis=1
        )
    else:
        raise ValueError(
            f"long and short must both name FF_IND_* series, or both be None "
            f"(got long={long!r}, short={short!r})."
        )
    named = (
        {"small_vs_large": "FF_SMB", "value_vs_growth": "FF_HML"}
        if factors is None
        else factors
    )
    frame = pd.concat(
        {
            "tangible_vs_tech": spread,
            **{
                name: market.series[key]["value"].dropna()
                for name, key in named.items()
            },
        },
        axis=1,
    ).dropna()
    logs = pd.DataFrame(
        np.log1p(frame.to_numpy()), index=frame.index, columns=frame.columns
    )
    return logs.rolling(window).sum()
