"""Portfolio turnover from the trades a backtest made."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rotation.measures._validation import resolve_periods

__all__ = ["turnover"]


def turnover(trades: pd.DataFrame, *, periods_per_year: float | None = None) -> float:
    r"""Annualised one-way turnover.

    Parameters
    ----------
    trades : DataFrame of shape (n_observations, n_assets)
        Traded weight per asset and period, as a fraction of portfolio value
        (buys positive, sells negative; zero when nothing traded). One row per
        period of the backtest, including the periods without trades.
    periods_per_year : float, optional
        Annualisation factor; inferred from the date index when omitted.

    Returns
    -------
    float
        Fraction of the portfolio replaced per year (1.0 = the whole book once).

    Notes
    -----
    .. math:: \tau = \frac{P}{n} \sum_t \tfrac{1}{2} \sum_i |\Delta w_{t,i}|

    Half the gross traded value counts one-way turnover (selling 50% of the
    book to buy something else turns it over by 50%, not 100%).

    NaN handling: NaN trades count as zero (no trade recorded).
    """
    periods = resolve_periods(trades, periods_per_year)
    values = trades.to_numpy(dtype=float, na_value=0.0)
    if values.shape[0] == 0:
        return float("nan")
    one_way = 0.5 * np.nansum(np.abs(values))
    return float(one_way * periods / values.shape[0])
