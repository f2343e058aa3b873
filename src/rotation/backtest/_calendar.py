"""Rebalance calendars: on which session closes a strategy takes decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd

from rotation._typing import BoolArray, DateLike

__all__ = ["Rebalance", "rebalance_mask"]

#: Named calendars; a sequence of dates gives a custom calendar.
Rebalance: TypeAlias = (
    Literal["daily", "weekly", "month_end", "quarter_end", "year_end"]
    | Sequence[DateLike]
)

_PERIOD_CODE = {
    "weekly": "W-FRI",
    "month_end": "M",
    "quarter_end": "Q",
    "year_end": "Y",
}
_LAST_WEEKDAY = {
    "weekly": pd.offsets.Week(weekday=4),
    "month_end": pd.offsets.BMonthEnd(),
    "quarter_end": pd.offsets.BQuarterEnd(),
    "year_end": pd.offsets.BYearEnd(),
}


def rebalance_mask(index: pd.DatetimeIndex, rebalance: Rebalance) -> BoolArray:
    """Sessions of ``index`` whose close is a rebalance decision.

    Parameters
    ----------
    index : DatetimeIndex of shape (n_observations,)
        Session dates, increasing.
    rebalance : {"daily", "weekly", "month_end", "quarter_end", "year_end"} or dates
        ``"weekly"``, ``"month_end"``, ``"quarter_end"`` and ``"year_end"``
        mark the last session of each week (Monday-Friday), month, quarter or
        year. A sequence of
        dates marks, for each date, the last session on or before it (a
        custom calendar).

    Returns
    -------
    ndarray of bool, shape (n_observations,)

    Notes
    -----
    The last session of a period is known in advance from the exchange
    calendar, so using it is not look-ahead. The calendar is read from
    ``index``: a session is the last of its period when the next session
    falls in a later period. The final session of ``index`` has no next
    session; it counts as a period end when it is the last weekday of its
    period (so a truncated history marks the same decisions as the full one,
    except when the period's last weekday is an exchange holiday).

    NaN handling: the index has no NaT values.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-25", "2024-02-06")
    >>> [str(d.date()) for d in idx[rebalance_mask(idx, "month_end")]]
    ['2024-01-31']
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"index must be a DatetimeIndex (got {type(index).__name__}).")
    n = len(index)
    if isinstance(rebalance, str):
        if rebalance == "daily":
            return np.ones(n, dtype=bool)
        if rebalance not in _PERIOD_CODE:
            raise ValueError(
                f"rebalance must be 'daily', 'weekly', 'month_end', 'quarter_end', "
                f"'year_end' or a sequence of dates (got {rebalance!r})."
            )
        if n == 0:
            return np.zeros(0, dtype=bool)
        periods = index.to_period(_PERIOD_CODE[rebalance]).asi8
        mask = np.zeros(n, dtype=bool)
        mask[:-1] = periods[1:] != periods[:-1]
        last = index[-1].normalize()
        mask[-1] = last == _LAST_WEEKDAY[rebalance].rollforward(last)
        return mask
    dates = pd.DatetimeIndex(pd.to_datetime([pd.Timestamp(d) for d in rebalance]))
    positions = index.searchsorted(dates, side="right") - 1
    mask = np.zeros(n, dtype=bool)
    mask[positions[positions >= 0]] = True
    return mask
