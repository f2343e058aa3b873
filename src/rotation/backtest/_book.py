"""A two-basket book: a long leg and an optional short leg, switched by a signal."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from rotation.backtest._calendar import Rebalance, rebalance_mask
from rotation.backtest._engine import validate_prices

__all__ = ["basket_book"]


def _leg_columns(
    prices: pd.DataFrame, leg: Mapping[str, float], name: str
) -> tuple[np.ndarray, np.ndarray]:
    missing = [c for c in leg if c not in prices.columns]
    if missing or not leg:
        raise ValueError(
            f"{name} must map price columns to positive weights (missing {missing}); "
            f"available: {list(prices.columns)}."
        )
    weights = np.array([float(w) for w in leg.values()])
    if not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError(f"{name} weights must be positive (got {dict(leg)!r}).")
    columns = np.array([prices.columns.get_loc(c) for c in leg])
    return columns, weights


def basket_book(
    prices: pd.DataFrame,
    *,
    long: Mapping[str, float],
    short: Mapping[str, float] | None = None,
    exposure_on: tuple[float, float] = (1.0, 0.0),
    exposure_off: tuple[float, float] = (0.0, 0.0),
    signal: pd.Series | None = None,
    threshold: float = 0.5,
    rebalance: Rebalance = "month_end",
) -> pd.DataFrame:
    r"""Target weights of a long basket and a short basket, switched by a signal.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes holding the members of both legs.
    long : mapping of str to float
        Members of the long leg and their (positive, relative) weights.
    short : mapping of str to float, optional
        Members of the short leg and their weights; None: no short leg.
    exposure_on : tuple of (float, float), default (1.0, 0.0)
        Signed share of equity in the long and in the short leg while the
        signal is on (or always, without a signal). A short book is e.g.
        ``(1.0, -1.0)``.
    exposure_off : tuple of (float, float), default (0.0, 0.0)
        Shares while the signal is off: ``(0.5, 0.5)`` holds half of each
        leg, ``(0.0, 0.0)`` holds cash.
    signal : Series of shape (n_observations,), optional
        Daily signal known at each close; on where ``signal >= threshold``.
        None: always on.
    threshold : float, default 0.5
        Signal level at which the book turns on.
    rebalance : str or sequence of dates, default "month_end"
        Decision calendar; a change of the signal's state also triggers a
        decision at that close.

    Returns
    -------
    DataFrame of shape (n_observations, n_assets)
        Target weights on decision closes, NaN rows elsewhere.

    Notes
    -----
    A leg with share :math:`s` and member weights :math:`v_i` puts

    .. math::

        w_{t,i} = s \, \frac{v_i}{\sum_{j \in P_t} v_j}, \qquad i \in P_t,

    on its members :math:`P_t` priced at the decision close t, so the leg's
    exposure stays :math:`s` when a member is not listed yet. The signal at t
    decides at t; the engine trades at t+1 (:func:`backtest`). A short leg
    needs ``backtest(..., allow_short=True, max_gross=|on_long| + |on_short|)``.

    NaN handling: a NaN signal counts as off. Members without a price at a
    decision close are left out of their leg; a leg with no priced member
    leaves its share in cash.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-29", periods=4)
    >>> px = pd.DataFrame({"A": [1.0, 1, 1, 1], "B": [1.0, 1, 1, 1]}, index=idx)
    >>> basket_book(px, long={"A": 1.0}, short={"B": 1.0},
    ...             exposure_on=(1.0, -1.0)).dropna().to_numpy().tolist()
    [[1.0, -1.0]]
    """
    validate_prices(prices)
    cols_long, weights_long = _leg_columns(prices, long, "long")
    legs = [(cols_long, weights_long)]
    if short is not None:
        legs.append(_leg_columns(prices, short, "short"))
    index = pd.DatetimeIndex(prices.index)
    if signal is None:
        on = np.ones(len(index), dtype=bool)
    else:
        if not isinstance(signal, pd.Series):
            raise ValueError(f"signal must be a Series (got {type(signal).__name__}).")
        level = signal.reindex(index).to_numpy(dtype=float, na_value=np.nan)
        on = np.where(np.isnan(level), False, level >= threshold)
    flips = np.zeros(len(index), dtype=bool)
    flips[1:] = on[1:] != on[:-1]
    decide = rebalance_mask(index, rebalance) | flips
    priced = prices.notna().to_numpy()
    targets = np.full(priced.shape, np.nan)
    for t in np.flatnonzero(decide):
        targets[t] = 0.0
        shares = exposure_on if on[t] else exposure_off
        for (cols, weights), share in zip(legs, shares, strict=False):
            live = priced[t, cols]
            if share != 0.0 and live.any():
                targets[t, cols[live]] += share * weights[live] / weights[live].sum()
    return pd.DataFrame(targets, index=index, columns=prices.columns)
