"""Momentum strategies: relative (top-k) rotation and dual momentum."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rotation.backtest._calendar import Rebalance, rebalance_mask
from rotation.backtest._engine import validate_prices
from rotation.backtest._ranking import order_scores

__all__ = ["dual_momentum", "momentum_scores", "relative_momentum"]


def _check_window(lookback: int, skip: int, top_k: int | None = None) -> None:
    if not (isinstance(lookback, int | np.integer) and lookback >= 1):
        raise ValueError(
            f"lookback must be a positive number of sessions (got {lookback!r}); "
            "typical values 20-250."
        )
    if not (isinstance(skip, int | np.integer) and skip >= 0):
        raise ValueError(f"skip must be an integer >= 0 (got {skip!r}); e.g. 0 or 21.")
    if top_k is not None and not (isinstance(top_k, int | np.integer) and top_k >= 1):
        raise ValueError(f"top_k must be an integer >= 1 (got {top_k!r}).")


def momentum_scores(
    prices: pd.DataFrame, *, lookback: int, skip: int = 0
) -> pd.DataFrame:
    r"""Trailing return over ``lookback`` sessions, ending ``skip`` sessions ago.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes.
    lookback : int
        Window length in sessions.
    skip : int, default 0
        Most recent sessions left out (21 skips the last month's reversal).

    Returns
    -------
    DataFrame of shape (n_observations, n_assets)

    Notes
    -----
    .. math:: m_{t,i} = P_{t-s,i} / P_{t-s-L,i} - 1

    counted in rows (sessions) of ``prices``.

    NaN handling: a missing price inside the history is carried from the last
    close (the asset did not trade); the score is NaN until the asset has a
    full lookback of prices, which makes late listings ineligible until then.
    """
    _check_window(lookback, skip)
    filled = prices.ffill()
    return filled.shift(skip) / filled.shift(skip + lookback) - 1.0


def _top_k_targets(
    scores: np.ndarray, decide: np.ndarray, top_k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Equal weights on the best ``top_k`` eligible assets at each decision."""
    order, n_eligible = order_scores(scores, decide)
    n_obs, n_assets = scores.shape
    targets = np.full((n_obs, n_assets), np.nan)
    picked = np.zeros((n_obs, n_assets), dtype=bool)
    rows = np.flatnonzero(decide)
    targets[rows] = 0.0
    for d, t in enumerate(rows):
        m = min(top_k, int(n_eligible[d]))
        if m:
            targets[t, order[d, :m]] = 1.0 / m
            picked[t, order[d, :m]] = True
    return targets, picked


def relative_momentum(
    prices: pd.DataFrame,
    *,
    lookback: int = 126,
    top_k: int = 3,
    skip: int = 0,
    rebalance: Rebalance = "month_end",
) -> pd.DataFrame:
    r"""Sector rotation: hold the ``top_k`` assets with the best momentum.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes of the universe (e.g. the 11 sector SPDRs).
    lookback : int, default 126
        Momentum window in sessions.
    top_k : int, default 3
        Number of assets held, equally weighted.
    skip : int, default 0
        Sessions left out at the end of the window.
    rebalance : str or sequence of dates, default "month_end"
        Decision calendar (see :func:`rebalance_mask`).

    Returns
    -------
    DataFrame of shape (n_observations, n_assets)
        Target weights decided at each close of the calendar (NaN rows
        elsewhere): :math:`1/\min(k, n_t)` on the best :math:`\min(k, n_t)`
        of the :math:`n_t` eligible assets, 0 on the others; all cash while
        no asset is eligible.

    Notes
    -----
    Scores are :func:`momentum_scores`; ties are broken by column order.
    Weights at t use prices up to the close of t only; the engine trades them
    at t+1.

    NaN handling: an asset is eligible once it has a full lookback of prices.
    """
    validate_prices(prices)
    _check_window(lookback, skip, top_k)
    scores = momentum_scores(prices, lookback=lookback, skip=skip).to_numpy(
        dtype=float, na_value=np.nan
    )
    decide = rebalance_mask(pd.DatetimeIndex(prices.index), rebalance)
    targets, _ = _top_k_targets(scores, decide, int(top_k))
    return pd.DataFrame(targets, index=prices.index, columns=prices.columns)


def dual_momentum(
    prices: pd.DataFrame,
    *,
    risky: Sequence[str],
    safe: str | None = None,
    lookback: int = 252,
    top_k: int = 1,
    skip: int = 0,
    absolute_threshold: float = 0.0,
    cash_returns: pd.Series | None = None,
    rebalance: Rebalance = "month_end",
) -> pd.DataFrame:
    r"""Dual momentum: relative top-k among risky assets, then an absolute filter.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes holding the ``risky`` assets and ``safe``.
    risky : sequence of str
        Columns ranked by relative momentum.
    safe : str, optional
        Column held in place of a risky pick that fails the absolute filter
        (e.g. ``"IEF"``); cash when omitted.
    lookback : int, default 252
        Momentum window in sessions.
    top_k : int, default 1
        Number of risky assets picked.
    skip : int, default 0
        Sessions left out at the end of the window.
    absolute_threshold : float, default 0.0
        A pick is kept only if its momentum exceeds this return (over the
        whole window, not annualised).
    cash_returns : Series, optional
        Per-session cash returns; when given the threshold is the compounded
        cash return over the same window plus ``absolute_threshold``
        (Antonacci's "beat T-bills" rule).
    rebalance : str or sequence of dates, default "month_end"
        Decision calendar.

    Returns
    -------
    DataFrame of shape (n_observations, n_assets)
        Target weights on decision closes, NaN rows elsewhere.

    Notes
    -----
    Each of the :math:`m = \min(k, n_t)` picks gets :math:`1/m`; a pick with
    :math:`m_{t,i} \le h_t` moves its share to ``safe`` (or cash), where

    .. math:: h_t = \theta + \prod_{u = t-s-L+1}^{t-s} (1 + c_u) - 1

    (the product is dropped without ``cash_returns``).

    NaN handling: as :func:`relative_momentum`; ``safe`` needs a price at the
    decision close, otherwise the share stays in cash. NaN cash returns earn
    nothing, and the cash part of the hurdle is 0 until a full window of cash
    returns exists.
    """
    validate_prices(prices)
    _check_window(lookback, skip, top_k)
    missing = [c for c in [*risky, *([safe] if safe else [])] if c not in prices]
    if missing or not len(risky):
        raise ValueError(
            f"risky and safe must be non-empty columns of prices (missing {missing}); "
            f"available: {list(prices.columns)}."
        )
    universe = prices[list(risky)]
    scores = momentum_scores(universe, lookback=lookback, skip=skip).to_numpy(
        dtype=float, na_value=np.nan
    )
    decide = rebalance_mask(pd.DatetimeIndex(prices.index), rebalance)
    risky_targets, picked = _top_k_targets(scores, decide, int(top_k))
    hurdle = np.full(len(prices), float(absolute_threshold))
    if cash_returns is not None:
        growth = np.log1p(cash_returns.reindex(prices.index).fillna(0.0))
        window = growth.rolling(lookback, min_periods=lookback).sum().shift(skip)
        earned = np.expm1(window.to_numpy(dtype=float))
        hurdle = hurdle + np.where(np.isnan(earned), 0.0, earned)
    failing = picked & ~(scores > hurdle[:, None])
    moved = np.where(failing, risky_targets, 0.0).sum(axis=1)
    risky_targets = np.where(failing, 0.0, risky_targets)
    out = pd.DataFrame(np.nan, index=prices.index, columns=prices.columns)
    out.loc[decide, :] = 0.0
    out.loc[decide, list(risky)] = risky_targets[decide]
    if safe is not None:
        has_price = prices[safe].notna().to_numpy()
        to_safe = decide & has_price
        out.loc[to_safe, safe] = out.loc[to_safe, safe].to_numpy() + moved[to_safe]
    return out
