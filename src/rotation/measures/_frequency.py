"""Observation frequency of a time index and the matching annualisation factor."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["periods_per_year"]

# (upper bound on the median spacing in days, periods per year)
_BUCKETS: tuple[tuple[float, float], ...] = (
    (4.0, 252.0),  # business-daily sessions (weekends give 3-day gaps)
    (10.0, 52.0),  # weekly
    (45.0, 12.0),  # monthly
    (135.0, 4.0),  # quarterly
    (200.0, 2.0),  # semi-annual
    (float("inf"), 1.0),  # annual
)


def periods_per_year(index: pd.Index | pd.Series | pd.DataFrame) -> float:
    """Annualisation factor implied by the spacing of a date index.

    Parameters
    ----------
    index : DatetimeIndex, Series or DataFrame
        Dates of the observations (the index of a Series or DataFrame is used).

    Returns
    -------
    float
        252 for trading sessions, 365 for calendar-daily data (weekends
        present), 52 weekly, 12 monthly, 4 quarterly, 2 semi-annual, 1 annual.

    Raises
    ------
    ValueError
        If the index is not a DatetimeIndex or has fewer than 2 dates.

    Notes
    -----
    The frequency is the bucket of the median gap between consecutive dates,
    so a few holidays or a missing week do not change it. Daily data that
    contains Saturdays or Sundays (e.g. the effective Fed funds rate ``DFF``)
    is calendar-daily and gets 365.

    NaN handling: the index has no NaN values (``NaT`` is rejected).

    Examples
    --------
    >>> periods_per_year(pd.date_range("2020-01-01", periods=30, freq="B"))
    252.0
    >>> periods_per_year(pd.date_range("2020-01-31", periods=24, freq="ME"))
    12.0
    """
    if isinstance(index, pd.Series | pd.DataFrame):
        index = index.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(
            f"index must be a DatetimeIndex to infer periods_per_year (got "
            f"{type(index).__name__}); pass periods_per_year explicitly instead."
        )
    if len(index) < 2 or index.hasnans:
        raise ValueError(
            f"index must hold at least 2 dates and no NaT to infer periods_per_year "
            f"(got {len(index)} dates); pass periods_per_year explicitly instead."
        )
    gaps = np.diff(index.to_numpy()) / np.timedelta64(1, "D")
    median_gap = float(np.median(np.abs(gaps)))
    if median_gap <= 1.5 and bool(np.any(index.day_of_week >= 5)):
        return 365.0
    for upper, factor in _BUCKETS:
        if median_gap <= upper:
            return factor
    return 1.0  # pragma: no cover - the last bucket is unbounded
