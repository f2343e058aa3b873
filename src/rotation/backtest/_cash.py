"""Cash: turning an annual money-market rate into per-session returns."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["cash_returns", "prices_to_returns"]


def cash_returns(
    rate_percent: pd.Series,
    *,
    index: pd.DatetimeIndex | None = None,
    day_count: float = 360.0,
) -> pd.Series:
    r"""Return of cash held from one session close to the next.

    Parameters
    ----------
    rate_percent : Series
        Annual rate in percent known at the close of each date, e.g.
        ``market.known("DFF")`` (the effective Fed funds rate).
    index : DatetimeIndex, optional
        Sessions to compute returns on; defaults to ``rate_percent.index``.
    day_count : float, default 360.0
        Days in the rate's year: 360 for US money-market rates such as Fed
        funds (ACT/360), 365 for ACT/365 rates.

    Returns
    -------
    Series of shape (n_observations,)
        The return of cash over (t-1, t], 0 on the first session.

    Notes
    -----
    Cash earns the rate known at the close of t-1 for the actual number of
    calendar days to t (a Friday-to-Monday hold earns three days):

    .. math:: c_t = \frac{\text{rate}_{t-1}}{100} \cdot \frac{d_t - d_{t-1}}{B}

    with :math:`B` = ``day_count`` (simple interest, compounded each session).

    NaN handling: a NaN rate (before the series starts) earns zero; this is a
    stated convention, not a fill of the rate itself.

    Examples
    --------
    >>> idx = pd.DatetimeIndex(["2024-01-05", "2024-01-08"])
    >>> cash_returns(pd.Series([3.6, 3.6], index=idx)).round(6).tolist()
    [0.0, 0.0003]
    """
    if index is None:
        index = pd.DatetimeIndex(rate_percent.index)
    if not day_count > 0:
        raise ValueError(
            f"day_count must be positive (got {day_count}); use 360 or 365."
        )
    rate = rate_percent.reindex(index).to_numpy(dtype=float)
    days = np.diff(index.to_numpy()) / np.timedelta64(1, "D")
    out = np.zeros(len(index))
    previous = np.nan_to_num(rate[:-1], nan=0.0)
    out[1:] = previous / 100.0 * days / day_count
    return pd.Series(out, index=index, name="cash")


def prices_to_returns(prices: pd.DataFrame) -> pd.DataFrame:
    r"""Close-to-close simple returns of an adjusted price panel.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes; NaN before an asset lists and on days it did not
        trade.

    Returns
    -------
    DataFrame of shape (n_observations, n_assets)

    Notes
    -----
    .. math:: r_{t,i} = P_{t,i} / P_{s,i} - 1

    where :math:`s` is the last session before t with a price.

    NaN handling: NaN before the first price and on sessions without a price
    (the price is taken as unchanged, so the move is booked on the next
    session that has one). The engine treats a NaN return as zero, which is
    right only for assets it holds no weight in; it refuses weights on assets
    without a price at the decision date.
    """
    filled = prices.ffill()
    returns = filled / filled.shift(1) - 1.0
    return returns.where(prices.notna())
