"""Windows of the metric language: session counts and calendar windows.

A window ending at row t of a date index is described by its **anchor**
a(t), the row whose close the window is measured from: a change over the
window is x[t] vs x[a(t)], a statistic over the window uses rows
a(t)+1 .. t. For ``63`` sessions a(t) = t - 63. For a calendar window the
anchor is the last row on or before the *base session*: the last NYSE
session (exchange_calendars ``XNYS``) on or before t minus the period
(``3m``: three calendar months; ``1y``; ``2w``; ``1q``), or before the
current year, quarter or month began (``ytd``, ``qtd``, ``mtd``). Anchors
depend only on t and the calendar, so they are causal.
"""

from __future__ import annotations

import functools
import re
import warnings

import numpy as np
import pandas as pd

from rotation._typing import IntArray

__all__ = ["CALENDAR", "MAX_PERIOD_YEARS", "parse_period", "window_anchors"]

#: The exchange calendar of calendar windows.
CALENDAR = "XNYS"
#: Longest calendar window accepted, in years.
MAX_PERIOD_YEARS = 40
_PERIOD = re.compile(r"^(\d+)([wmqy])$")
_UNIT_WORDS = {"w": "week", "m": "month", "q": "quarter", "y": "year"}


def parse_period(text: str) -> tuple[int, str]:
    """Split a calendar window into ``(count, unit)``; ``ytd`` is ``(0, "ytd")``.

    Raises
    ------
    ValueError
        If the text is not a calendar window or is longer than
        :data:`MAX_PERIOD_YEARS` years.

    Examples
    --------
    >>> parse_period("3m")
    (3, 'm')
    """
    if text in ("ytd", "qtd", "mtd"):
        return 0, text
    m = _PERIOD.match(text)
    if m is None:
        raise ValueError(
            f"calendar window {text!r} is not understood; allowed: a whole number "
            "and w, m, q or y (3m, 1y), or ytd, qtd, mtd"
        )
    count, unit = int(m.group(1)), m.group(2)
    months = {"w": count / 4.3, "m": count, "q": 3 * count, "y": 12 * count}[unit]
    if count < 1 or months > 12 * MAX_PERIOD_YEARS:
        raise ValueError(
            f"calendar window {text!r} must be between 1 {_UNIT_WORDS[unit]} and "
            f"{MAX_PERIOD_YEARS} years"
        )
    return count, unit


@functools.lru_cache(maxsize=1)
def _sessions() -> pd.DatetimeIndex:
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange_calendars 4.x trips a pandas deprecation on construction;
        # it does not change the sessions.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        calendar = xcals.get_calendar(CALENDAR, start="1885-01-01")
    return pd.DatetimeIndex(calendar.sessions).tz_localize(None)


def _base_dates(period: str, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Return the date each window is measured from, before snapping."""
    count, unit = parse_period(period)
    if unit == "ytd":
        return pd.DatetimeIndex(dates.to_period("Y").start_time) - pd.Timedelta(days=1)
    if unit == "qtd":
        return pd.DatetimeIndex(dates.to_period("Q").start_time) - pd.Timedelta(days=1)
    if unit == "mtd":
        return pd.DatetimeIndex(dates.to_period("M").start_time) - pd.Timedelta(days=1)
    if unit == "w":
        return dates - pd.Timedelta(weeks=count)
    months = count * {"m": 1, "q": 3, "y": 12}[unit]
    return dates - pd.DateOffset(months=months)


def window_anchors(window: int | str, index: pd.DatetimeIndex) -> IntArray:
    """Anchor row a(t) of ``window`` for every row t of ``index``.

    Parameters
    ----------
    window : int or str
        A number of rows (sessions) or a calendar window (``"3m"``, ``"ytd"``).
    index : DatetimeIndex of shape (n_observations,)
        Sorted dates the values live on.

    Returns
    -------
    ndarray of int64, shape (n_observations,)
        a(t) <= t - 1. A value of -1 is a window starting at the first row
        (a statistic over it is defined, a change is not); a value below -1
        means the index does not reach back to the window's start.

    Notes
    -----
    Calendar windows snap their base date to the last ``XNYS`` session on or
    before it, then to the last row of ``index`` on or before that session,
    so a holiday or a day an asset did not trade moves the anchor to the
    previous close, never forward. Dates outside the calendar's range snap to
    the base date itself.

    Examples
    --------
    >>> idx = pd.DatetimeIndex(["2024-12-30", "2024-12-31", "2025-01-02"])
    >>> window_anchors("ytd", idx).tolist()
    [-2, -2, 1]
    """
    n = len(index)
    if isinstance(window, int | np.integer):
        return np.arange(n, dtype=np.int64) - int(window)
    dates = pd.DatetimeIndex(index)
    base = _base_dates(str(window), dates)
    sessions = _sessions()
    pos = sessions.searchsorted(base, side="right") - 1
    inside = (pos >= 0) & (base <= sessions[-1])
    snapped = np.where(inside, sessions[np.clip(pos, 0, None)], base)
    anchors = dates.searchsorted(pd.DatetimeIndex(snapped), side="right") - 1
    anchors = np.asarray(anchors, dtype=np.int64)
    # The anchor must be a row before t; a window whose base precedes the
    # first row is not covered.
    anchors = np.minimum(anchors, np.arange(n, dtype=np.int64) - 1)
    first_covered = base >= dates[0] if n else np.zeros(0, dtype=bool)
    anchors[~np.asarray(first_covered)] = -2
    return anchors
