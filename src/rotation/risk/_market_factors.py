"""Factor series for scenarios and attribution, built from a MarketData view."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd

from rotation._typing import DateLike
from rotation.indicators import basket_returns
from rotation.market import MarketData

__all__ = [
    "FAMA_FRENCH_IDS",
    "MARKET_FACTORS",
    "equity_sessions",
    "fama_french_factors",
    "scenario_factors",
    "session_returns",
]

#: The market factors :func:`scenario_factors` always builds, in column order.
#: A scenario may also shock a basket by name (its return), see ``baskets``.
MARKET_FACTORS: tuple[str, ...] = (
    "DGS2",
    "DGS10",
    "T10YIE",
    "fed_path",
    "copper",
    "oil",
    "natgas",
    "equity",
)
#: A basket's members: a sequence (equal weights) or member -> positive weight.
BasketSpec = Sequence[str] | Mapping[str, float]
#: Fama-French column name -> series id in MarketData (values are fractions).
FAMA_FRENCH_IDS: Mapping[str, str] = MappingProxyType(
    {
        "Mkt-RF": "FF_MKT_RF",
        "SMB": "FF_SMB",
        "HML": "FF_HML",
        "RMW": "FF_RMW",
        "CMA": "FF_CMA",
        "Mom": "FF_MOM",
    }
)

# CPER printed bad ticks on 2014-12-05 and 2015-02-03 (PROVENANCE.md), so the
# copper factor uses COMEX futures (HG=F) before this date and the ETF after.
_CPER_FROM = pd.Timestamp("2015-03-02")


def equity_sessions(market: MarketData, *, reference: str = "SPY") -> pd.DatetimeIndex:
    """Sessions on which the US equity market traded.

    Parameters
    ----------
    market : MarketData
    reference : str, default "SPY"
        Symbol whose priced rows define the sessions.

    Returns
    -------
    DatetimeIndex
        Rows of ``market.prices`` where ``reference`` has a price; all rows if
        the symbol is absent. The wide panel also holds rows on which only
        futures traded (e.g. Thanksgiving), which are not equity sessions.

    Notes
    -----
    NaN handling: rows where ``reference`` is NaN are not sessions.
    """
    if reference not in market.prices.columns:
        return pd.DatetimeIndex(market.prices.index)
    priced = market.prices[reference].notna().to_numpy()
    return pd.DatetimeIndex(market.prices.index[priced])


def session_returns(
    prices: pd.DataFrame, sessions: pd.DatetimeIndex | None = None
) -> pd.DataFrame:
    r"""Compute simple returns of each column between its priced sessions.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted prices.
    sessions : DatetimeIndex, optional
        The session grid to compute on (see :func:`equity_sessions`);
        default: every row of ``prices``.

    Returns
    -------
    DataFrame of shape (n_sessions, n_assets)
        Indexed by ``sessions``.

    Notes
    -----
    .. math:: r_t = P_t / P_{s} - 1

    where :math:`s` is the previous session on which the column has a price.

    NaN handling: NaN on sessions where the column has no price and before
    its first price. A gap inside a column's history is bridged: the return
    after the gap spans it (the move is not lost). Prices on rows outside
    ``sessions`` are ignored.
    """
    grid = prices.index if sessions is None else sessions
    panel = prices.reindex(grid).astype(np.float64)
    out = {}
    for column in panel.columns:
        observed = panel[column].dropna()
        out[column] = (observed / observed.shift(1) - 1.0).reindex(grid)
    return pd.DataFrame(out, index=grid)


def _basket_weights(name: str, spec: BasketSpec) -> dict[str, float]:
    if isinstance(spec, Mapping):
        return {str(k): float(v) for k, v in spec.items()}
    if isinstance(spec, str) or not len(spec):
        raise ValueError(
            f"basket {name!r} must list its members (a sequence of symbols or a "
            f"mapping symbol -> weight), got {spec!r}."
        )
    return {str(m): 1.0 for m in spec}


def _basket_factor(returns: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    present = {m: w for m, w in weights.items() if m in returns.columns}
    if not present:
        return pd.Series(np.nan, index=returns.index, dtype="float64")
    # Members list at different dates (GEV from 2024, VRT from 2020): the one
    # basket rule renormalises the weights over the members priced that day.
    return basket_returns(returns[list(present)], present)


def scenario_factors(
    market: MarketData,
    *,
    sessions: pd.DatetimeIndex | None = None,
    baskets: Mapping[str, BasketSpec] | None = None,
) -> pd.DataFrame:
    r"""Daily changes of the market factors, and basket returns, that scenarios shock.

    Parameters
    ----------
    market : MarketData
        Point-in-time view; only prices and series it holds are used.
    sessions : DatetimeIndex, optional
        Session grid; default :func:`equity_sessions`.
    baskets : mapping of str to sequence or mapping, optional
        Extra columns, one per basket a scenario shocks by name (a thesis's
        baskets): members as a sequence of symbols (equal weights) or a
        mapping symbol -> positive weight. Names must differ from
        :data:`MARKET_FACTORS`. Default: none.

    Returns
    -------
    DataFrame
        Indexed by session. Columns :data:`MARKET_FACTORS` -- ``DGS2``,
        ``DGS10``, ``T10YIE`` (daily changes of the value known at each
        close, in bp), ``fed_path`` (change of the 2-year minus 3-month
        Treasury spread, bp: how far above today's rate the market prices the
        policy path), ``copper``, ``oil`` (USO), ``natgas`` (UNG), ``equity``
        (SPY) (simple returns) -- then one column per basket (its daily
        return, fraction).

    Raises
    ------
    ValueError
        A basket named like a market factor (the shock would be ambiguous),
        or a basket without members.

    Notes
    -----
    .. math:: \Delta y_t = 100\,(y_t - y_{t-1}),\qquad
              r_t = P_t / P_{t-1} - 1,\qquad
              R_{b,t} = \frac{\sum_{i \in A_t} w_i r_{i,t}}{\sum_{i \in A_t} w_i}

    with :math:`A_t` the basket members with a return on session :math:`t`
    (:func:`rotation.indicators.basket_returns`, daily rebalanced).

    Copper is COMEX front-month futures (HG=F) before 2015-03-02 and the
    CPER ETF from then on (CPER has bad ticks in Dec 2014/Feb 2015 and is
    the series that runs to the end of the store; HG=F stops in 2025-08).
    Oil is USO (tradeable, runs to the end of the store; the WTI spot went
    negative in April 2020 so its returns are not defined); natural gas is
    UNG for the same reason (tradeable, daily, complete). ``fed_path`` uses
    the front-end slope rather than the dot plot because the dots change
    only four times a year, too rarely to estimate a weekly beta; an FOMC
    move that was expected moves both legs and leaves it unchanged.

    NaN handling: NaN where an input is missing; yields are the last value
    known at each close (:meth:`MarketData.known`), so a holiday in the
    yield data gives a change of 0 the next session. A basket's weights are
    renormalised over the members with a return that session; it is NaN
    when none has one (members absent from the store count as never
    priced). Member returns bridge gaps (:func:`session_returns`).
    """
    grid = equity_sessions(market) if sessions is None else sessions
    specs = {
        str(name): _basket_weights(str(name), spec)
        for name, spec in (baskets or {}).items()
    }
    clash = sorted(set(specs) & set(MARKET_FACTORS))
    if clash:
        raise ValueError(
            f"basket name(s) {clash} clash with market factors "
            f"({', '.join(MARKET_FACTORS)}); rename the basket."
        )
    wanted = {"HG=F", "CPER", "USO", "UNG", "SPY"}
    wanted.update(m for weights in specs.values() for m in weights)
    rets = session_returns(
        market.prices[[c for c in market.prices.columns if c in wanted]], grid
    )
    nan = pd.Series(np.nan, index=grid, dtype="float64")
    known = {
        sid: market.known(sid, grid) if sid in market.series else nan
        for sid in ("DGS2", "DGS10", "T10YIE", "DGS3MO")
    }
    out = pd.DataFrame(index=grid)
    for sid in ("DGS2", "DGS10", "T10YIE"):
        out[sid] = known[sid].diff() * 100.0
    out["fed_path"] = (known["DGS2"] - known["DGS3MO"]).diff() * 100.0
    hg = rets["HG=F"] if "HG=F" in rets else nan
    cper = rets["CPER"] if "CPER" in rets else nan
    out["copper"] = hg.where(rets.index < _CPER_FROM, cper)
    out["oil"] = rets["USO"] if "USO" in rets else nan
    out["natgas"] = rets["UNG"] if "UNG" in rets else nan
    out["equity"] = rets["SPY"] if "SPY" in rets else nan
    for name, weights in specs.items():
        out[name] = _basket_factor(rets, weights)
    return out


def fama_french_factors(
    market: MarketData,
    *,
    factors: Sequence[str] = tuple(FAMA_FRENCH_IDS),
    start: DateLike | None = None,
) -> pd.DataFrame:
    """Fama-French daily factor returns (fractions) from a MarketData view.

    Parameters
    ----------
    market : MarketData
    factors : sequence of str, default all six
        Names among ``Mkt-RF SMB HML RMW CMA Mom``.
    start : date-like, optional
        First date kept.

    Returns
    -------
    DataFrame
        Indexed by observation date, one column per factor.

    Notes
    -----
    Values are used at their observation date (ex-post attribution); the
    library publishes them with a lag of about a month, which
    ``MarketData.truncate`` already applies to what is present.

    NaN handling: the columns are outer-joined; dates a factor lacks are NaN.
    """
    unknown = [f for f in factors if f not in FAMA_FRENCH_IDS]
    if unknown:
        raise KeyError(
            f"unknown Fama-French factors {unknown}; allowed: {list(FAMA_FRENCH_IDS)}"
        )
    cols = {}
    for name in factors:
        sid = FAMA_FRENCH_IDS[name]
        if sid not in market.series:
            raise KeyError(f"series {sid!r} (factor {name}) is not in the MarketData")
        cols[name] = market.series[sid]["value"].astype(np.float64)
    frame = pd.DataFrame(cols).sort_index()
    if start is not None:
        frame = frame.loc[pd.Timestamp(start) :]
    return frame
